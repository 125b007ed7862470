//! `[exec]` and `[[forward]]` in the config file.

use serde::Deserialize;

/// `[exec]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ExecConfig {
    /// Hand sessions to AWS's session-manager-plugin (when it is on PATH) instead of speaking
    /// the data channel natively. The plugin holds the whole terminal.
    pub use_plugin: bool,
    /// The command the exec dialog starts with.
    pub command: String,
    /// Lines the terminal pane keeps above its screen.
    pub scrollback: usize,
}

impl Default for ExecConfig {
    fn default() -> Self {
        Self {
            use_plugin: false,
            command: "/bin/sh".into(),
            scrollback: 2_000,
        }
    }
}

/// The most scrollback lines a pane may keep.
pub const MAX_SCROLLBACK: usize = 100_000;

/// One `[[forward]]`: a named port forward `:pf NAME` starts.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardConfig {
    /// The name `:pf NAME` starts it by (one word).
    pub name: String,
    /// A service name, or `cluster/service`.
    pub service: String,
    /// The container whose agent carries the forward; default the task's first.
    pub container: Option<String>,
    /// A host the task can reach (a database, say); none: the task itself.
    pub remote_host: Option<String>,
    /// The port on the task (or on `remote_host`).
    pub remote_port: u16,
    /// The local port; default the remote one.
    pub local_port: Option<u16>,
}

impl ForwardConfig {
    pub fn local(&self) -> u16 {
        self.local_port.unwrap_or(self.remote_port)
    }
}

/// The first wrong `[[forward]]`: its index, the key, and why.
pub fn check(forwards: &[ForwardConfig]) -> Result<(), (usize, &'static str, String)> {
    let mut names: Vec<&str> = Vec::new();
    for (i, f) in forwards.iter().enumerate() {
        if f.name.trim().is_empty() || f.name.contains(char::is_whitespace) {
            let why = format!("[[forward]] name {:?} must be one word", f.name);
            return Err((i, "name", why));
        }
        if names.contains(&f.name.as_str()) {
            return Err((i, "name", format!("two forwards are named {:?}", f.name)));
        }
        names.push(&f.name);
        if f.service.trim().is_empty() {
            return Err((i, "service", format!("forward {:?} has no service", f.name)));
        }
        if f.remote_port == 0 || f.local_port == Some(0) {
            let why = format!("forward {:?}: ports must be from 1 to 65535", f.name);
            return Err((i, "remote_port", why));
        }
        if f.remote_host
            .as_deref()
            .is_some_and(|h| h.trim().is_empty())
        {
            let why = format!("forward {:?}: remote_host is empty", f.name);
            return Err((i, "remote_host", why));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fwd(name: &str, remote: u16) -> ForwardConfig {
        ForwardConfig {
            name: name.into(),
            service: "checkout".into(),
            container: None,
            remote_host: None,
            remote_port: remote,
            local_port: None,
        }
    }

    #[test]
    fn forwards_need_a_one_word_unique_name_and_real_ports() {
        assert_eq!(check(&[fwd("a", 80), fwd("b", 81)]), Ok(()));
        assert_eq!(check(&[fwd("a", 80), fwd("a", 81)]).unwrap_err().0, 1);
        assert_eq!(check(&[fwd("two words", 80)]).unwrap_err().1, "name");
        assert_eq!(check(&[fwd("a", 0)]).unwrap_err().1, "remote_port");
        assert_eq!(fwd("a", 80).local(), 80);
    }
}
