//! Keys as the config writes them (`"P"`, `"ctrl-d"`, `"PgDn"`), as the key table matches them
//! (`Chord`), and as the help and footer show them.

use crate::keys::names;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key with the modifiers that matter for a binding (Ctrl and Alt). Shift is part of the
/// character itself (`P`), or of the key (`BackTab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl From<KeyCode> for Chord {
    fn from(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::NONE,
        }
    }
}

impl Chord {
    /// The chord a key press means.
    pub fn of(key: &KeyEvent) -> Self {
        let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match key.code {
            // Terminals report Ctrl-D as 'd' with Control; some send 'D' when Shift is held too.
            KeyCode::Char(c) if !mods.is_empty() => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        Self { code, mods }
    }

    /// Ctrl-C always quits: it cannot be bound to anything else.
    pub fn is_interrupt(&self) -> bool {
        self.mods.contains(KeyModifiers::CONTROL) && self.code == KeyCode::Char('c')
    }

    /// A key that types its character into a prompt.
    pub fn is_printable(&self) -> bool {
        self.mods.is_empty() && matches!(self.code, KeyCode::Char(_))
    }

    /// How the help and footer write it: `P`, `Ctrl-d`, `↓`, `PgDn`.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            code => out.push_str(names::named_label(code).unwrap_or("?")),
        }
        out
    }
}

impl Chord {
    /// How the config writes it, in ASCII, so that `deckwatch keys` reads back as it was
    /// printed: `P`, `ctrl-d`, `Down`, `PgDn`, `S-Tab`, `Space`, `F5`.
    pub fn config_name(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        match self.code {
            KeyCode::Up => out.push_str("Up"),
            KeyCode::Down => out.push_str("Down"),
            KeyCode::Left => out.push_str("Left"),
            KeyCode::Right => out.push_str("Right"),
            _ => out.push_str(Chord::from(self.code).label().as_str()),
        }
        out
    }
}

/// Why a key name could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyNameError {
    /// Not a key this version knows.
    Unknown,
    /// Ctrl-C always quits.
    Interrupt,
    /// Shift with a key that has no shifted form here (`shift-Down`).
    Shifted,
}

/// Reads a key as the config writes it: a character (`"P"`, `"/"`), a key's name (`"Down"`,
/// `"PgDn"`, `"Enter"`, `"F5"`, `"Space"`), each optionally after `ctrl-`, `alt-` or `shift-`
/// (case-insensitive; `C-`, `A-`/`M-` and `S-` too).
pub fn parse(text: &str) -> Result<Chord, KeyNameError> {
    let mut rest = text;
    let mut mods = KeyModifiers::NONE;
    let mut shift = false;
    while let Some((head, tail)) = rest.split_once('-') {
        if tail.is_empty() {
            break; // "ctrl--": the key is '-'
        }
        match head.to_ascii_lowercase().as_str() {
            "ctrl" | "control" | "c" => mods |= KeyModifiers::CONTROL,
            "alt" | "meta" | "a" | "m" => mods |= KeyModifiers::ALT,
            "shift" | "s" => shift = true,
            _ => break,
        }
        rest = tail;
    }
    let mut code = base(rest).ok_or(KeyNameError::Unknown)?;
    if shift {
        code = match code {
            KeyCode::Char(c) if c.is_alphabetic() => KeyCode::Char(c.to_ascii_uppercase()),
            KeyCode::Tab => KeyCode::BackTab,
            _ => return Err(KeyNameError::Shifted),
        };
    }
    if let (KeyCode::Char(c), false) = (code, mods.is_empty()) {
        code = KeyCode::Char(c.to_ascii_lowercase());
    }
    let chord = Chord { code, mods };
    if chord.is_interrupt() {
        return Err(KeyNameError::Interrupt);
    }
    Ok(chord)
}

/// The key without modifiers: one character, or a name.
fn base(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return names::arrow(c).or(Some(KeyCode::Char(c)));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
        && (1..=12).contains(&n)
    {
        return Some(KeyCode::F(n));
    }
    names::named(&lower)
}

/// The label of a binding's keys: `j/↓`.
pub fn label_of(keys: &[Chord]) -> String {
    if keys.is_empty() {
        return "(no key)".into();
    }
    keys.iter().map(Chord::label).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeyCode::*;

    fn chord(code: KeyCode, mods: KeyModifiers) -> Chord {
        Chord { code, mods }
    }

    #[test]
    fn characters_names_and_modifiers_parse() {
        assert_eq!(parse("P"), Ok(Char('P').into()));
        assert_eq!(parse("/"), Ok(Char('/').into()));
        assert_eq!(parse("-"), Ok(Char('-').into()));
        assert_eq!(parse("Down"), Ok(Down.into()));
        assert_eq!(parse("pgdn"), Ok(PageDown.into()));
        assert_eq!(parse("PageUp"), Ok(PageUp.into()));
        assert_eq!(parse("F5"), Ok(F(5).into()));
        assert_eq!(parse("space"), Ok(Char(' ').into()));
        assert_eq!(parse("ctrl-d"), Ok(chord(Char('d'), KeyModifiers::CONTROL)));
        assert_eq!(parse("C-D"), Ok(chord(Char('d'), KeyModifiers::CONTROL)));
        assert_eq!(parse("alt-Enter"), Ok(chord(Enter, KeyModifiers::ALT)));
        assert_eq!(parse("ctrl--"), Ok(chord(Char('-'), KeyModifiers::CONTROL)));
        assert_eq!(parse("shift-p"), Ok(Char('P').into()));
        assert_eq!(parse("shift-Tab"), Ok(BackTab.into()));
        assert_eq!(parse("↓"), Ok(Down.into()));
    }

    #[test]
    fn bad_names_say_why() {
        assert_eq!(parse("Ctrl+P"), Err(KeyNameError::Unknown));
        assert_eq!(parse(""), Err(KeyNameError::Unknown));
        assert_eq!(parse("hyper-x"), Err(KeyNameError::Unknown));
        assert_eq!(parse("F13"), Err(KeyNameError::Unknown));
        assert_eq!(parse("ctrl-c"), Err(KeyNameError::Interrupt));
        assert_eq!(parse("Ctrl-C"), Err(KeyNameError::Interrupt));
        assert_eq!(parse("shift-Down"), Err(KeyNameError::Shifted));
    }

    #[test]
    fn a_key_press_matches_the_chord_the_config_names() {
        let press = |code, mods| Chord::of(&KeyEvent::new(code, mods));
        assert_eq!(press(Char('P'), KeyModifiers::SHIFT), parse("P").unwrap());
        assert_eq!(
            press(Char('d'), KeyModifiers::CONTROL),
            parse("ctrl-d").unwrap()
        );
        assert_eq!(
            press(Char('D'), KeyModifiers::CONTROL | KeyModifiers::SHIFT),
            parse("ctrl-d").unwrap()
        );
        assert_eq!(press(BackTab, KeyModifiers::SHIFT), parse("S-Tab").unwrap());
    }

    #[test]
    fn labels_read_like_the_help() {
        assert_eq!(
            label_of(&[parse("j").unwrap(), parse("Down").unwrap()]),
            "j/↓"
        );
        assert_eq!(parse("ctrl-d").unwrap().label(), "Ctrl-d");
        assert_eq!(parse("PgDn").unwrap().label(), "PgDn");
        assert_eq!(parse("space").unwrap().label(), "Space");
        assert_eq!(label_of(&[]), "(no key)");
    }
}
