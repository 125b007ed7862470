//! Keys typed into a terminal pane, as the bytes a terminal would send for them. The pane's
//! screen says whether the remote program asked for application cursor keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bytes of `key`, or None for a key a terminal sends nothing for.
pub fn key_bytes(key: &KeyEvent, application_cursor: bool) -> Option<Vec<u8>> {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let mut out = match key.code {
        KeyCode::Char(c) if ctrl => vec![control(c)?],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => cursor(b'A', application_cursor),
        KeyCode::Down => cursor(b'B', application_cursor),
        KeyCode::Right => cursor(b'C', application_cursor),
        KeyCode::Left => cursor(b'D', application_cursor),
        KeyCode::Home => cursor(b'H', application_cursor),
        KeyCode::End => cursor(b'F', application_cursor),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::F(n) => function(n)?,
        _ => return None,
    };
    if alt {
        out.insert(0, 0x1b);
    }
    Some(out)
}

/// Ctrl with a key: the key's code with the top bits cleared (Ctrl-A is 1, Ctrl-[ is Esc).
fn control(c: char) -> Option<u8> {
    let c = c.to_ascii_lowercase();
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        '@' | ' ' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '7' | '/' => Some(0x1f),
        '8' | '?' => Some(0x7f),
        _ => None,
    }
}

fn cursor(letter: u8, application: bool) -> Vec<u8> {
    if application {
        vec![0x1b, b'O', letter]
    } else {
        vec![0x1b, b'[', letter]
    }
}

fn function(n: u8) -> Option<Vec<u8>> {
    let text = match n {
        1 => "\x1bOP",
        2 => "\x1bOQ",
        3 => "\x1bOR",
        4 => "\x1bOS",
        5 => "\x1b[15~",
        6 => "\x1b[17~",
        7 => "\x1b[18~",
        8 => "\x1b[19~",
        9 => "\x1b[20~",
        10 => "\x1b[21~",
        11 => "\x1b[23~",
        12 => "\x1b[24~",
        _ => return None,
    };
    Some(text.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn keys_become_what_a_terminal_sends() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            key_bytes(&k(KeyCode::Char('é'), none), false),
            Some("é".into())
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Char('c'), KeyModifiers::CONTROL), false),
            Some(vec![3])
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Char('d'), KeyModifiers::CONTROL), false),
            Some(vec![4])
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Enter, none), false),
            Some(vec![b'\r'])
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Up, none), false),
            Some(b"\x1b[A".to_vec())
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Up, none), true),
            Some(b"\x1bOA".to_vec())
        );
        assert_eq!(
            key_bytes(&k(KeyCode::Char('b'), KeyModifiers::ALT), false),
            Some(b"\x1bb".to_vec())
        );
        assert_eq!(
            key_bytes(&k(KeyCode::F(5), none), false),
            Some(b"\x1b[15~".to_vec())
        );
        assert_eq!(key_bytes(&k(KeyCode::CapsLock, none), false), None);
    }
}
