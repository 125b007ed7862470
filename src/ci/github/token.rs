//! The GitHub token: where it comes from, and a type that never prints it.

use std::fmt;
use std::time::Duration;

/// A token. `Debug` and `Display` show `***`, so it cannot reach a log line, the audit log or
/// the screen by accident; only the HTTP layer calls `expose`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What the builds pane says when there is no token.
pub const HOW_TO_SET: &str = "no GitHub token: set GH_TOKEN or GITHUB_TOKEN, set [github] \
     token_command in the config, or log in with `gh auth login` (deckwatch then runs `gh auth token`)";

/// Why there is no token, in words for the builds pane: each ends saying how to set one.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{}", HOW_TO_SET)]
    NoneSet,
    #[error("`{command}` did not finish within 10 s; {}", HOW_TO_SET)]
    TimedOut { command: String },
    #[error("cannot run `{command}`: {cause}; {}", HOW_TO_SET)]
    CannotRun {
        command: String,
        cause: std::io::Error,
    },
    /// The command failed or printed nothing: the first line of its stderr says why.
    #[error("`{command}` gave no token ({why}); {}", HOW_TO_SET)]
    NoToken { command: String, why: String },
}

/// How long a token command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The token, tried in this order: `GH_TOKEN`, `GITHUB_TOKEN`, then `command` (the config's
/// `[github] token_command`), which defaults to `gh auth token` when `gh` is on PATH. Err says
/// why there is none, in words for the builds pane.
pub async fn resolve(
    env: impl Fn(&str) -> Option<String>,
    command: Option<&str>,
) -> Result<(Secret, String), TokenError> {
    for var in ["GH_TOKEN", "GITHUB_TOKEN"] {
        if let Some(t) = env(var)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
        {
            return Ok((Secret(t), var.to_string()));
        }
    }
    let command = match command {
        Some(c) => c.to_string(),
        None if on_path("gh", env("PATH").as_deref()) => "gh auth token".to_string(),
        None => return Err(TokenError::NoneSet),
    };
    let out = tokio::time::timeout(
        COMMAND_TIMEOUT,
        tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| TokenError::TimedOut {
        command: command.clone(),
    })?
    .map_err(|cause| TokenError::CannotRun {
        command: command.clone(),
        cause,
    })?;
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || token.is_empty() {
        // The command's stderr may say why (not logged in); its stdout might hold a token.
        let why = String::from_utf8_lossy(&out.stderr);
        let why = crate::model::text::clean(why.lines().next().unwrap_or("no output"));
        return Err(TokenError::NoToken { command, why });
    }
    Ok((Secret(token), format!("`{command}`")))
}

fn on_path(exe: &str, path: Option<&str>) -> bool {
    path.unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .any(|d| std::path::Path::new(d).join(exe).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_environment_comes_first_then_the_command() {
        let env = |k: &str| (k == "GITHUB_TOKEN").then(|| "ghp_two".to_string());
        let (t, from) = resolve(env, Some("echo ghp_cmd")).await.unwrap();
        assert_eq!((t.expose(), from.as_str()), ("ghp_two", "GITHUB_TOKEN"));
        let (t, _) = resolve(|_| None, Some("echo ghp_cmd")).await.unwrap();
        assert_eq!(t.expose(), "ghp_cmd");
        let e = resolve(|_| None, Some("exit 1")).await.unwrap_err();
        assert!(matches!(e, TokenError::NoToken { .. }), "{e:?}");
        assert!(e.to_string().contains("GH_TOKEN"), "{e}");
        let e = resolve(|_| None, None).await.unwrap_err();
        assert_eq!(e.to_string(), HOW_TO_SET);
        assert_eq!(format!("{t:?} {t}"), "Secret(***) ***");
    }
}
