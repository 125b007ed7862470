//! The names of keys that are not one character, both ways.

use crossterm::event::KeyCode;

/// Name (lower-case) → key. The first name of each key is not necessarily its label.
const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("bs", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("pgdown", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("space", KeyCode::Char(' ')),
];

/// Key → how the help writes it.
const LABELS: &[(KeyCode, &str)] = &[
    (KeyCode::Enter, "Enter"),
    (KeyCode::Esc, "Esc"),
    (KeyCode::Tab, "Tab"),
    (KeyCode::BackTab, "S-Tab"),
    (KeyCode::Backspace, "Backspace"),
    (KeyCode::Delete, "Del"),
    (KeyCode::Insert, "Ins"),
    (KeyCode::Home, "Home"),
    (KeyCode::End, "End"),
    (KeyCode::PageUp, "PgUp"),
    (KeyCode::PageDown, "PgDn"),
    (KeyCode::Up, "↑"),
    (KeyCode::Down, "↓"),
    (KeyCode::Left, "←"),
    (KeyCode::Right, "→"),
];

pub(super) fn named(lower: &str) -> Option<KeyCode> {
    NAMED.iter().find(|(n, _)| *n == lower).map(|(_, k)| *k)
}

pub(super) fn named_label(code: KeyCode) -> Option<&'static str> {
    LABELS.iter().find(|(k, _)| *k == code).map(|(_, l)| *l)
}

/// The arrows as the help writes them, so a label can be pasted back into the config.
pub(super) fn arrow(c: char) -> Option<KeyCode> {
    match c {
        '↑' => Some(KeyCode::Up),
        '↓' => Some(KeyCode::Down),
        '←' => Some(KeyCode::Left),
        '→' => Some(KeyCode::Right),
        _ => None,
    }
}
