//! `deckwatch completions SHELL`: the shell's completion script. The script calls deckwatch
//! back (with `DECKWATCH_COMPLETE` set) for every completion, as k9s's and gh's do, so context
//! names complete from the config as it is now, in bash, zsh, fish, PowerShell and elvish
//! alike (clap_complete's dynamic completion).

use super::{CommandError, Shell, output};
use crate::config::{self, Config};
use clap_complete::CompletionCandidate;
use clap_complete::env::Shells;
use std::path::PathBuf;

/// The variable that asks deckwatch for completions instead of running it.
pub const VAR: &str = "DECKWATCH_COMPLETE";

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
            Shell::Elvish => "elvish",
        }
    }
}

/// Prints the registration script of `shell`, which calls `completer` back.
pub fn run(shell: Shell, completer: &str) -> Result<(), CommandError> {
    let shells = Shells::builtins();
    let Some(env) = shells.completer(shell.name()) else {
        return Err(CommandError::BadArgument(format!(
            "no completions for {}",
            shell.name()
        )));
    };
    let mut buf = Vec::new();
    env.write_registration(VAR, "deckwatch", "deckwatch", completer, &mut buf)?;
    output::print(&String::from_utf8_lossy(&buf))
}

/// How the script calls deckwatch back: as it was called now, made absolute when it was
/// called by a relative path (`./target/debug/deckwatch`), so completion works from any
/// directory; by its name when it was found on PATH.
pub fn completer(argv0: Option<std::ffi::OsString>) -> String {
    let given = PathBuf::from(argv0.unwrap_or_else(|| "deckwatch".into()));
    let path = if given.components().count() > 1 && given.is_relative() {
        std::env::current_dir().map_or(given.clone(), |d| d.join(&given))
    } else {
        given
    };
    path.to_string_lossy().into_owned()
}

/// The contexts of the config (`DECKWATCH_CONFIG`, else the default file), each with its
/// region as help. A config that cannot be read offers none: completion never prints errors.
pub fn contexts() -> Vec<CompletionCandidate> {
    let path = std::env::var_os("DECKWATCH_CONFIG")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| config::default_dir().map(|d| d.join("config.toml")));
    let Some(cfg) = path.and_then(|p| Config::load(&p, false).ok()) else {
        return Vec::new();
    };
    cfg.contexts
        .iter()
        .map(|c| {
            let help = c.region.clone().map(|r| {
                let prod = if c.prod { ", prod" } else { "" };
                format!("{r}{prod}").into()
            });
            CompletionCandidate::new(&c.name).help(help)
        })
        .collect()
}
