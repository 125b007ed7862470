//! The fallback: with `[exec] use_plugin = true` and AWS's `session-manager-plugin` on PATH,
//! the console hands it the session as the AWS CLI does, instead of speaking the data channel
//! itself. The response goes through an environment variable (named in the arguments, which
//! the plugin reads and unsets), so the token never shows in the process list.

use std::path::{Path, PathBuf};

pub const PROGRAM: &str = "session-manager-plugin";

/// What the plugin is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSession {
    pub session_id: String,
    pub stream_url: String,
    pub token: String,
    pub region: String,
    /// The profile name, empty for the default chain.
    pub profile: String,
    /// `ecs:<cluster>_<task>_<runtime id>`.
    pub target: String,
    /// The SSM endpoint it calls to resume or end the session.
    pub ssm_endpoint: String,
}

/// Where the plugin is on `path` (a PATH value), if it is.
pub fn find(path: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(PROGRAM))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The command to run: the program, its arguments, and the environment variable holding the
/// response.
pub fn invocation(s: &PluginSession) -> (Vec<String>, (String, String)) {
    let response = serde_json::json!({
        "SessionId": s.session_id,
        "StreamUrl": s.stream_url,
        "TokenValue": s.token,
    })
    .to_string();
    let var = format!(
        "AWS_SSM_START_SESSION_RESPONSE_{}",
        super::message_id::MessageId::random().0 as u64
    );
    let parameters = serde_json::json!({ "Target": s.target }).to_string();
    let args = vec![
        var.clone(),
        s.region.clone(),
        "StartSession".to_string(),
        s.profile.clone(),
        parameters,
        s.ssm_endpoint.clone(),
    ];
    (args, (var, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_in_the_environment_not_the_arguments() {
        let s = PluginSession {
            session_id: "ecs-execute-command-1".into(),
            stream_url: "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/x".into(),
            token: "SECRET".into(),
            region: "eu-west-1".into(),
            profile: "prod".into(),
            target: "ecs:c_t_r".into(),
            ssm_endpoint: "https://ssm.eu-west-1.amazonaws.com".into(),
        };
        let (args, (var, value)) = invocation(&s);
        assert_eq!(args.len(), 6);
        assert_eq!(args[0], var);
        assert!(var.starts_with("AWS_SSM_START_SESSION_RESPONSE"));
        assert_eq!(args[2], "StartSession");
        assert!(args.iter().all(|a| !a.contains("SECRET")));
        let v: serde_json::Value = serde_json::from_str(&value).unwrap();
        assert_eq!(v["TokenValue"], "SECRET");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&args[4]).unwrap()["Target"],
            "ecs:c_t_r"
        );
    }
}
