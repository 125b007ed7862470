//! Every string from outside (AWS, GitHub, the demo fleet, log lines) is cleaned once, at the
//! backend's edge, before it reaches the state: no control character, escape sequence or bidi
//! override can reach the terminal or reorder what an engineer reads.

/// Characters that change how text is ordered or joined without showing: the bidi embeddings,
/// overrides and isolates, and the marks that steer them.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' // left-to-right and right-to-left marks
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{061C}' // Arabic letter mark
            | '\u{FEFF}' // zero-width no-break space (byte order mark)
    )
}

/// A regional indicator symbol (the halves of a flag emoji, such as 🇩🇪): terminals draw a
/// pair as one wide glyph, or as two, so its width on screen cannot be known. Each becomes its
/// letter (`DE`), which every terminal draws one cell wide.
fn regional_letter(c: char) -> Option<char> {
    let offset = (c as u32).checked_sub(0x1F1E6)?;
    (offset < 26).then(|| char::from(b'A' + offset as u8))
}

/// Line and paragraph separators: they break a line where the console does not expect it.
fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c) || is_separator(c) || regional_letter(c).is_some()
}

/// `s` with control characters (escape included), bidi controls and the like removed. A tab
/// becomes a space, so columns still read; newlines are kept only when `multiline`; the
/// halves of a flag become letters.
pub fn clean_with(s: &str, multiline: bool) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' if multiline => Some('\n'),
            c if regional_letter(c).is_some() => regional_letter(c),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Whether `c` may reach the terminal: what [`clean`] keeps (a newline aside).
pub fn is_safe(c: char) -> bool {
    !is_unsafe(c)
}

/// A character of a terminal stream (an exec session's output) as a terminal emulator may
/// take it: controls and escapes stay (they are the emulator's to interpret, and it draws only
/// cells), but what reorders or hides text goes and flag halves become letters.
pub fn terminal_char(c: char) -> Option<char> {
    if is_invisible_format(c) || is_separator(c) {
        return None;
    }
    Some(regional_letter(c).unwrap_or(c))
}

/// One line of text from outside, cleaned: see [`clean_with`].
pub fn clean(s: &str) -> String {
    clean_with(s, false)
}

/// Appends `s` to `out`, cleaned as [`clean_with`] does with newlines kept, and cut to at most
/// `max` bytes (at a character boundary, ending in a marker that says how much was cut). The
/// log ingest path: no allocation, and plain ASCII is copied as it is.
pub fn clean_into(out: &mut Vec<u8>, s: &str, max: usize) {
    let fits = s.len() <= max;
    let body = if fits {
        s
    } else {
        cut_at(s, max.saturating_sub(24))
    };
    if body.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        out.extend_from_slice(body.as_bytes());
    } else {
        let mut tmp = [0u8; 4];
        for c in body.chars() {
            let c = match c {
                '\t' => ' ',
                '\n' => '\n',
                c if c.is_control() || is_invisible_format(c) => continue,
                c => c,
            };
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
    if !fits {
        let note = format!(" …[{} bytes cut]", s.len() - body.len());
        out.extend_from_slice(note.as_bytes());
    }
}

/// The first `n` characters of `s` (all of it when shorter): outside text is never cut by bytes.
pub fn first_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(end, _)| &s[..end])
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut_at(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `HH:MM:SS` in UTC.
pub fn clock(at: crate::model::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides_go() {
        assert_eq!(clean("ok\u{1b}[31mred\u{1b}[0m"), "ok[31mred[0m");
        assert_eq!(clean("a\u{202E}evil\u{202C}b"), "aevilb");
        assert_eq!(clean("x\u{2067}y\u{2069}\u{200F}z"), "xyz");
        assert_eq!(clean("tab\there\r\n"), "tab here");
        assert_eq!(clean_with("two\nlines\r\n", true), "two\nlines\n");
        assert_eq!(clean("plain ünïcode 日本"), "plain ünïcode 日本");
        assert_eq!(clean("eu \u{1F1E9}\u{1F1EA} ok"), "eu DE ok");
        assert_eq!(clean("a\u{2028}b\u{85}c"), "abc");
    }

    #[test]
    fn clean_into_keeps_newlines_and_cuts_long_text_with_a_marker() {
        let mut out = Vec::new();
        clean_into(&mut out, "a\u{1b}[2Jb\tc\nd\u{202E}e", 100);
        assert_eq!(String::from_utf8(out).unwrap(), "a[2Jb c\nde");
        let mut out = Vec::new();
        clean_into(&mut out, &"é".repeat(100), 64);
        let text = String::from_utf8(out).unwrap();
        assert!(text.len() <= 64 + 24, "{text}");
        assert!(text.ends_with("bytes cut]"), "{text}");
    }
}
