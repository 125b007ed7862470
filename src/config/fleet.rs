//! `[fleet]`: which contexts the fleet view watches beyond the config's own, and how often it
//! reads the ones off screen. Profiles come from the AWS config (`AWS_CONFIG_FILE`, else
//! `~/.aws/config`) by glob (`*-prod`), each in every region of `regions`; their credentials
//! are resolved as the AWS CLI resolves a profile's (a `role_arn` with a `source_profile`
//! assumes the role). An SSO session's accounts and roles (`sso_session`, filtered by
//! `sso_roles`) are listed once the console runs (`app/sso_discovery.rs`).

use crate::config::Context;
use crate::config::aws_names::check_region;
use crate::files::textfile;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// Globs over the AWS config's profile names (`*` any run of characters, `?` one), e.g.
    /// `["*-prod", "staging"]`: each profile that matches is a context of the fleet.
    #[serde(default)]
    pub profiles: Vec<String>,
    /// The regions each matched profile is watched in; empty: the profile's own region.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Seconds between reads of each context off screen (default 60).
    #[schemars(range(min = 5))]
    pub every_secs: Option<u64>,
    /// Contexts read at the same time, at most (default 50).
    #[schemars(range(min = 1))]
    pub at_once: Option<usize>,
    /// An SSO session of the AWS config (`[sso-session NAME]`) whose accounts and roles
    /// become contexts of the fleet: `<account name>/<role>`, each in every region of
    /// `regions` (else the session's region).
    pub sso_session: Option<String>,
    /// Globs over the role names of `sso_session` (e.g. `["ReadOnly*"]`): only the roles that
    /// match become contexts; empty: every role the session grants.
    #[serde(default)]
    pub sso_roles: Vec<String>,
    /// The profiles matched are production: the header takes the prod colour there, and an
    /// action asks for the typed name.
    #[serde(default)]
    pub prod: bool,
    /// Globs over the names of `sso_session`'s contexts (`<account name>/<role>`, e.g.
    /// `["*prod*/*"]`): the ones that match are production, as `prod` makes matched profiles.
    #[serde(default)]
    pub sso_prod: Vec<String>,
}

/// Default seconds between reads of a context off screen.
pub const EVERY_SECS: u64 = 60;
/// Default contexts read at the same time.
pub const AT_ONCE: usize = 50;

impl FleetConfig {
    /// What is wrong with it: (key, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.every_secs.is_some_and(|s| s < 5) {
            out.push((
                "every_secs",
                "[fleet] every_secs must be at least 5: each read is a few calls per account"
                    .to_string(),
            ));
        }
        if self.at_once == Some(0) {
            out.push(("at_once", "[fleet] at_once must be at least 1".to_string()));
        }
        for r in &self.regions {
            if let Err(why) = check_region(r) {
                out.push(("regions", format!("[fleet] regions: {r:?}: {why}")));
            }
        }
        for p in &self.profiles {
            if p.trim().is_empty() {
                out.push(("profiles", "[fleet] profiles: an empty pattern".to_string()));
            }
        }
        for (key, globs, what) in [
            ("sso_roles", &self.sso_roles, "filters the roles"),
            ("sso_prod", &self.sso_prod, "marks production the contexts"),
        ] {
            if globs.iter().any(|p| p.trim().is_empty()) {
                out.push((key, format!("[fleet] {key}: an empty pattern")));
            }
            if !globs.is_empty() && self.sso_session.is_none() {
                out.push((
                    key,
                    format!("[fleet] {key} {what} of sso_session, which is not set"),
                ));
            }
        }
        out
    }

    /// The contexts the profile globs name, from the AWS config's profile names: one per
    /// profile (named after it), in config order; `taken` names are the config's own.
    pub fn profile_contexts(&self, names: &[String], taken: &[String]) -> Vec<Context> {
        names
            .iter()
            .filter(|n| self.profiles.iter().any(|p| glob(p.trim(), n)))
            .filter(|n| !taken.contains(n))
            .map(|n| Context {
                name: n.clone(),
                profile: Some(n.clone()),
                prod: self.prod,
                ..Context::default()
            })
            .collect()
    }
}

/// Whether `name` matches `pattern`: `*` any run of characters, `?` any one.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // The classic two-pointer match with one backtrack point per `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// The AWS config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn aws_config_path() -> Option<PathBuf> {
    match std::env::var_os("AWS_CONFIG_FILE").filter(|v| !v.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".aws").join("config")),
    }
}

/// The profile names of the AWS config: `[default]` and `[profile NAME]`, in file order.
pub fn profile_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            continue;
        };
        let section = section.trim();
        let name = if section == "default" {
            Some("default")
        } else {
            section.strip_prefix("profile ").map(str::trim)
        };
        if let Some(n) = name.filter(|n| !n.is_empty())
            && !out.iter().any(|o| o == n)
        {
            out.push(n.to_string());
        }
    }
    out
}

/// Why the AWS config's profiles could not be read: the file and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {source}")]
pub struct ProfilesUnreadable {
    pub path: String,
    pub source: textfile::TextFileError,
}

/// The AWS config's profile names, read from its file; none when there is no such file.
pub fn read_profile_names() -> Result<Vec<String>, ProfilesUnreadable> {
    let Some(path) = aws_config_path() else {
        return Ok(Vec::new());
    };
    match textfile::read(&path) {
        Ok(text) => Ok(profile_names(&text)),
        Err(e) if e.not_found() => Ok(Vec::new()),
        Err(source) => Err(ProfilesUnreadable {
            path: path.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_a_shell_does() {
        assert!(glob("*-prod", "payments-prod"));
        assert!(glob("*-prod", "-prod"));
        assert!(!glob("*-prod", "payments-prod-old"));
        assert!(glob("team-?", "team-a"));
        assert!(!glob("team-?", "team-ab"));
        assert!(glob("*", "anything"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("exact", "exact"));
    }

    #[test]
    fn profile_names_come_from_the_sections() {
        let text = "[default]\nregion = us-east-1\n\n[profile a-prod]\nrole_arn = x\n\
                    [sso-session corp]\nsso_region = us-east-1\n[ profile  b-prod ]\n[services x]\n";
        assert_eq!(profile_names(text), vec!["default", "a-prod", "b-prod"]);
    }

    #[test]
    fn matched_profiles_become_contexts_unless_the_config_has_the_name() {
        let f = FleetConfig {
            profiles: vec!["*-prod".into()],
            prod: true,
            ..FleetConfig::default()
        };
        let names = vec!["a-prod".into(), "b-dev".into(), "c-prod".into()];
        let got = f.profile_contexts(&names, &["c-prod".to_string()]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "a-prod");
        assert_eq!(got[0].profile.as_deref(), Some("a-prod"));
        assert!(got[0].prod);
    }

    #[test]
    fn sso_roles_and_sso_prod_need_a_session_and_real_patterns() {
        let f = FleetConfig {
            sso_roles: vec![" ".into()],
            sso_prod: vec!["*prod*/*".into()],
            ..FleetConfig::default()
        };
        let keys: Vec<&str> = f.problems().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["sso_roles", "sso_roles", "sso_prod"]);
        let f = FleetConfig {
            sso_session: Some("corp".into()),
            sso_roles: vec!["ReadOnly*".into()],
            sso_prod: vec!["*prod*/*".into()],
            ..FleetConfig::default()
        };
        assert!(f.problems().is_empty());
    }
}
