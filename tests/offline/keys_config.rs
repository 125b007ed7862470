//! `[keys]` in the config, read from the fixture files in `tests/fixtures/keys/`: the valid
//! ones apply without a warning, and each invalid one gives the warnings its `# expect LINE:
//! TEXT` comments name, at that line, while the console still starts with the defaults for
//! those bindings.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::config::Config;
use deckwatch::keys::{Command, Keymap, Layer};
use deckwatch::state::Pane;
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn load(path: &Path) -> Config {
    Config::load(path, true).unwrap_or_else(|e| panic!("{e}"))
}

fn lookup(map: &Keymap, layer: Layer, code: KeyCode, mods: KeyModifiers) -> Option<Command> {
    map.lookup(layer, &KeyEvent::new(code, mods), Pane::Services)
}

fn plain(map: &Keymap, code: KeyCode) -> Option<Command> {
    lookup(map, Layer::Normal, code, KeyModifiers::NONE)
}

#[test]
fn valid_key_configs_apply_without_warnings() {
    for path in fixtures("valid") {
        let (_, warnings) = Keymap::with_overrides(&load(&path).keys);
        assert!(warnings.is_empty(), "{}: {warnings:?}", path.display());
    }
}

#[test]
fn every_mode_can_be_rebound() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/valid/every_mode.toml");
    let (map, _) = Keymap::with_overrides(&load(&path).keys);
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(
        lookup(&map, Layer::Normal, KeyCode::Char('p'), ctrl),
        Some(Command::Promote)
    );
    assert_eq!(
        plain(&map, KeyCode::Char('P')),
        None,
        "P is no longer promote"
    );
    assert_eq!(
        lookup(&map, Layer::Normal, KeyCode::Char('a'), KeyModifiers::ALT),
        Some(Command::Abort)
    );
    assert_eq!(
        plain(&map, KeyCode::Char('F')),
        None,
        "force_deploy = [] unbinds F"
    );
    assert_eq!(plain(&map, KeyCode::F(1)), Some(Command::Help));
    assert_eq!(
        map.lookup(
            Layer::Normal,
            &KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
            Pane::Logs
        ),
        Some(Command::ToggleFollow)
    );
    let none = KeyModifiers::NONE;
    assert_eq!(
        lookup(&map, Layer::Filter, KeyCode::Tab, none),
        Some(Command::Accept)
    );
    assert_eq!(
        lookup(&map, Layer::Confirm, KeyCode::Char('Y'), none),
        Some(Command::Confirm)
    );
    // Only the confirm key acts in a dialog: the old `y` now cancels, like any other key.
    assert_eq!(
        lookup(&map, Layer::Confirm, KeyCode::Char('y'), none),
        Some(Command::Cancel)
    );
    assert_eq!(lookup(&map, Layer::Overlay, KeyCode::Char('?'), none), None);
    // The labels the help, the footer and the dialog show follow the keys.
    let label = |layer: Layer, c: Command| {
        map.layer(layer)
            .iter()
            .find(|b| b.command == c)
            .unwrap()
            .label
            .clone()
    };
    assert_eq!(label(Layer::Normal, Command::Promote), "Ctrl-p");
    assert_eq!(label(Layer::Normal, Command::ForceDeploy), "(no key)");
    assert_eq!(label(Layer::Normal, Command::Help), "?/F1");
    assert_eq!(label(Layer::Confirm, Command::Cancel), "N/Esc");
    assert_eq!(
        map.mode_hints(Layer::Confirm),
        "Y confirm · any other key cancels"
    );
    // What was not named keeps its defaults.
    assert_eq!(plain(&map, KeyCode::Char('R')), Some(Command::Rollback));
}

#[test]
fn two_actions_can_trade_keys() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/valid/swapped.toml");
    let (map, warnings) = Keymap::with_overrides(&load(&path).keys);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(plain(&map, KeyCode::Char('j')), Some(Command::Up));
    assert_eq!(plain(&map, KeyCode::Char('k')), Some(Command::Down));
    assert_eq!(
        plain(&map, KeyCode::Down),
        None,
        "down = \"k\" replaces all of its keys"
    );
}

/// `# expect LINE: TEXT` lines of a fixture.
fn expectations(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect "))
        .map(|rest| {
            let (line, what) = rest.split_once(": ").expect("# expect LINE: TEXT");
            (line.parse().expect("a line number"), what.to_string())
        })
        .collect()
}

#[test]
fn invalid_key_configs_warn_with_file_and_line_and_keep_the_defaults() {
    for path in fixtures("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let wanted = expectations(&text);
        assert!(!wanted.is_empty(), "{} expects nothing", path.display());
        let (map, warnings) = Keymap::with_overrides(&load(&path).keys);
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        for (line, what) in &wanted {
            let prefix = format!("{}:{line}:", path.display());
            assert!(
                shown
                    .iter()
                    .any(|w| w.starts_with(&prefix) && w.contains(what.as_str())),
                "{}: no warning at line {line} with {what:?} in {shown:#?}",
                path.display()
            );
        }
        let lines: std::collections::BTreeSet<usize> = wanted.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            warnings.len(),
            lines.len(),
            "{}: {shown:#?}",
            path.display()
        );
        // The defaults of what was refused still work.
        assert_eq!(plain(&map, KeyCode::Char('P')), Some(Command::Promote));
        assert_eq!(plain(&map, KeyCode::Char('j')), Some(Command::Down));
        assert_eq!(plain(&map, KeyCode::Char('q')), Some(Command::Quit));
        assert_eq!(
            lookup(&map, Layer::Filter, KeyCode::Enter, KeyModifiers::NONE),
            Some(Command::Accept)
        );
    }
}

#[test]
fn a_duplicate_keeps_the_first_and_reverts_the_later() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/invalid/duplicate.toml");
    let (map, _) = Keymap::with_overrides(&load(&path).keys);
    assert_eq!(plain(&map, KeyCode::Char('z')), Some(Command::Abort));
    assert_eq!(
        plain(&map, KeyCode::Char('A')),
        None,
        "abort = \"z\" was applied"
    );
    assert_eq!(plain(&map, KeyCode::Char('R')), Some(Command::Rollback));
}

#[test]
fn ctrl_c_still_quits_whatever_the_config_says() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/invalid/interrupt.toml");
    let (map, _) = Keymap::with_overrides(&load(&path).keys);
    for layer in [Layer::Normal, Layer::Filter, Layer::Confirm] {
        assert_eq!(
            lookup(&map, layer, KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Command::ForceQuit)
        );
    }
}

#[test]
fn a_wrong_type_or_an_unknown_mode_is_a_config_error_with_line_and_column() {
    let err = Config::parse("c.toml", "[keys.normal]\ndown = 3\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("c.toml:2:8:"), "{err}");
    assert!(err.contains("a key name"), "{err}");
    let err = Config::parse("c.toml", "[keys.nromal]\ndown = \"j\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("c.toml:1:"), "{err}");
    assert!(err.contains("unknown field `nromal`"), "{err}");
    let err = Config::parse("c.toml", "[keys.normal]\ndown = [\"j\", 4]\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("c.toml:2:"), "{err}");
}

#[test]
fn the_example_config_documents_keys_that_apply_cleanly() {
    let text = include_str!("../../config.example.toml");
    let cfg = Config::parse("config.example.toml", text).unwrap();
    let (_, warnings) = Keymap::with_overrides(&cfg.keys);
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// The `# [keys.MODE]  names…` lines of config.example.toml (a line of names may go on in the
/// next comment line; a note in parentheses ends it).
fn documented_actions(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let rest = rest.split('(').next().unwrap_or_default();
        if let Some(after) = rest.trim_start().strip_prefix("[keys.") {
            let (mode, names) = after.split_once(']').unwrap();
            let names = names.split_whitespace().map(str::to_string).collect();
            out.push((mode.to_string(), names));
        } else if let Some((_, names)) = out.last_mut()
            && rest.starts_with("                ")
        {
            names.extend(rest.split_whitespace().map(str::to_string));
        }
    }
    out
}

#[test]
fn the_example_config_lists_every_action_of_every_mode() {
    let text = include_str!("../../config.example.toml");
    let listed = documented_actions(text);
    let modes: Vec<&str> = listed.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        modes,
        ["normal", "logs", "filter", "palette", "dialog", "overlay"]
    );
    for (mode, names) in &listed {
        let known = deckwatch::keys::actions_of(mode).unwrap();
        let mut known: Vec<String> = known.into_iter().map(str::to_string).collect();
        let mut names = names.clone();
        known.sort();
        names.sort();
        assert_eq!(names, known, "[keys.{mode}] in config.example.toml");
    }
}
