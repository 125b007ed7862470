//! The `[sso-session NAME]` section of the AWS config, read as the AWS CLI writes it
//! (`sso_region`, `sso_start_url`); `AWS_CONFIG_FILE` names the file, else `~/.aws/config`.

use super::SsoError;
use std::path::PathBuf;

/// What the console needs of one SSO session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    pub region: String,
    pub start_url: String,
}

fn config_path(given: Option<PathBuf>) -> Result<PathBuf, SsoError> {
    if let Some(p) = given {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("AWS_CONFIG_FILE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let home = directories::BaseDirs::new().ok_or(SsoError::NoHome)?;
    Ok(home.home_dir().join(".aws").join("config"))
}

/// The section `[sso-session NAME]` of `text`: its keys and values, or None.
fn section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut inside = None::<Vec<(String, String)>>;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if inside.is_some() {
                break;
            }
            let mut words = header.split_whitespace();
            if words.next() == Some("sso-session")
                && words.next() == Some(name)
                && words.next().is_none()
            {
                inside = Some(Vec::new());
            }
            continue;
        }
        if let (Some(keys), Some((k, v))) = (inside.as_mut(), line.split_once('=')) {
            keys.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    inside
}

/// Reads the session `name` from the AWS config.
pub fn read(name: &str, given: Option<PathBuf>) -> Result<SsoSession, SsoError> {
    let path = config_path(given)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| SsoError::ConfigUnreadable {
        path: shown.clone(),
        source,
    })?;
    let keys = section(&text, name).ok_or_else(|| SsoError::NoSession {
        path: shown.clone(),
        session: name.to_string(),
    })?;
    let get = |key: &'static str| {
        keys.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SsoError::MissingKey {
                path: shown.clone(),
                session: name.to_string(),
                key,
            })
    };
    Ok(SsoSession {
        region: get("sso_region")?,
        start_url: get("sso_start_url")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[sso-session corp]\n\
        sso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n\
        sso_registration_scopes = sso:account:access\n\n[sso-session other]\nsso_region = us-east-1\n";

    #[test]
    fn the_named_section_only() {
        let keys = section(CONFIG, "corp").expect("found");
        assert!(keys.contains(&("sso_region".into(), "eu-central-1".into())));
        assert!(!keys.iter().any(|(_, v)| v == "us-east-1"));
        assert_eq!(section(CONFIG, "cor"), None);
        assert_eq!(section(CONFIG, "nope"), None);
    }
}
