//! `deckwatch keys`: the key table in effect (the defaults with the config's `[keys]` over
//! them), written as the `[keys]` tables the config accepts, so an override starts from the
//! real thing and feeding the output back changes nothing.

use super::{CommandError, output};
use crate::config::Config;
use crate::keys::Keymap;
use crate::keys::{Section, action_name};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Reads the config (a missing default file is the defaults), prints the table, and says on
/// stderr what in `[keys]` was not applied.
pub fn run(config: &Path, required: bool) -> Result<(), CommandError> {
    let cfg = Config::load(config, required)
        .map_err(|e| CommandError::BadArgument(format!("config error: {e}")))?;
    let (map, warnings) = Keymap::with_overrides(&cfg.keys);
    for w in &warnings {
        eprintln!(
            "deckwatch: warning: {}",
            crate::model::text::clean(&w.to_string())
        );
    }
    output::print(&render(&map))
}

/// The `[keys.MODE]` tables of `map`, each binding with its help as a comment.
pub fn render(map: &Keymap) -> String {
    let mut out = String::from(
        "# The key table in effect: deckwatch's defaults with the config's [keys] over them.\n\
         # Paste a table (or one line of it) into the config under the same [keys.MODE] and\n\
         # change the keys; a list replaces all of an action's keys, and [] leaves it without.\n",
    );
    for section in Section::ALL {
        let rows: Vec<(String, &str)> = map
            .layer(section.layer())
            .iter()
            .filter(|b| section.owns(b))
            .filter_map(|b| {
                let name = action_name(&b.command)?;
                Some((format!("{name} = {}", keys_value(&b.keys)), b.help))
            })
            .collect();
        let width = rows.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
        out.push_str(&format!("\n[keys.{}]\n", section.name()));
        for (line, help) in rows {
            let pad = " ".repeat(width - line.width() + 2);
            out.push_str(&format!("{line}{pad}# {help}\n"));
        }
    }
    out
}

/// `"P"`, or `["j", "Down"]`, or `[]`: TOML strings, quoted and escaped as TOML writes them.
fn keys_value(keys: &[crate::keys::Chord]) -> String {
    let quoted: Vec<String> = keys
        .iter()
        .map(|k| toml::Value::String(k.config_name()).to_string())
        .collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_read_back_unchanged() {
        let text = render(&Keymap::default());
        assert!(text.contains("[keys.normal]\n"), "{text}");
        assert!(text.contains("promote = \"P\""), "{text}");
        assert!(text.contains("down = [\"j\", \"Down\"]"), "{text}");
        let cfg = Config::parse("keys.toml", &text).unwrap();
        let (map, warnings) = Keymap::with_overrides(&cfg.keys);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(render(&map), text);
    }
}
