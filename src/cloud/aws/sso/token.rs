//! The token `aws sso login --sso-session NAME` cached: `~/.aws/sso/cache/<sha1>.json`, the
//! SHA-1 of the session's name in lowercase hex, with `accessToken` and `expiresAt`.

use super::SsoError;
use crate::model::At;
use std::path::{Path, PathBuf};

/// `~/.aws/sso/cache`.
pub fn default_dir() -> Option<PathBuf> {
    let home = directories::BaseDirs::new()?;
    Some(home.home_dir().join(".aws").join("sso").join("cache"))
}

/// The file the AWS CLI caches a session's token in.
pub fn file_name(session: &str) -> String {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        session.as_bytes(),
    );
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.json")
}

/// The session's access token, if cached and not expired at `now`.
pub fn read(dir: &Path, session: &str, now: At) -> Result<String, SsoError> {
    let path = dir.join(file_name(session));
    let bad = |why: String| SsoError::BadToken {
        path: path.display().to_string(),
        session: session.to_string(),
        why,
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SsoError::NotLoggedIn {
                session: session.to_string(),
            });
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let token = v["accessToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("no accessToken".into()))?;
    let expires = v["expiresAt"]
        .as_str()
        .ok_or_else(|| bad("no expiresAt".into()))?;
    let at = At(chrono::DateTime::parse_from_rfc3339(expires)
        .map_err(|e| bad(format!("expiresAt: {e}")))?
        .timestamp_millis());
    if at <= now {
        return Err(SsoError::Expired {
            session: session.to_string(),
            expired: crate::model::text::clean(expires),
        });
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_is_the_sha1_of_the_session_name() {
        // sha1("my-sso") as `printf my-sso | sha1sum` prints it.
        assert_eq!(
            super::file_name("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c.json"
        );
    }
}
