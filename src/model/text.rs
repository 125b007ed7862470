//! Every string from outside (AWS, GitHub, the demo fleet, log lines) is cleaned once, at the
//! backend's edge, before it reaches the state: no control character, escape sequence, bidi
//! override, invisible character or line separator can reach the terminal, reorder what an
//! engineer reads, or make two different names look the same.

/// Characters that change how text is ordered or joined without showing: the bidi embeddings,
/// overrides, isolates and marks, and every other default-ignorable code point (Unicode's
/// `Default_Ignorable_Code_Point`): zero-width spaces and joiners, the word joiner, invisible
/// operators, variation selectors, fillers, tags. Left in, `pay\u{200B}ments` would show as
/// `payments` and be another service.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}'..='\u{1160}' // Hangul fillers
            | '\u{17B4}'..='\u{17B5}' // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, LTR and RTL marks
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, isolates
            | '\u{3164}' // Hangul filler
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{FEFF}' // zero-width no-break space (byte order mark)
            | '\u{FFA0}' // halfwidth Hangul filler
            | '\u{FFF0}'..='\u{FFF8}' // reserved as ignorable
            | '\u{1BCA0}'..='\u{1BCA3}' // shorthand format controls
            | '\u{1D173}'..='\u{1D17A}' // musical formatting
            | '\u{E0000}'..='\u{E0FFF}' // tags and the variation selectors supplement
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

/// What `c` becomes on screen: itself; a space for a tab; its letter for half a flag; nothing
/// for a control, format or separator character (a newline is kept only when `multiline`).
fn keep(c: char, multiline: bool) -> Option<char> {
    match c {
        '\t' => Some(' '),
        '\n' if multiline => Some('\n'),
        c if regional_letter(c).is_some() => regional_letter(c),
        c if is_unsafe(c) => None,
        c => Some(c),
    }
}

/// `s` with control characters (escape included), bidi controls, invisible characters and line
/// separators removed. A tab becomes a space, so columns still read; newlines are kept only
/// when `multiline`; the halves of a flag become letters.
pub fn clean_with(s: &str, multiline: bool) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    s.chars().filter_map(|c| keep(c, multiline)).collect()
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

/// Appends `s` to `out`, cleaned as [`clean_with`] does with newlines kept (the same rule,
/// so a log line, what `:save` writes and what `y` copies lose what every other string
/// loses), and cut to at most
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
        for c in body.chars().filter_map(|c| keep(c, true)) {
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

/// `12s`, `5m`, `3h`, `4d`: a span as a glance wants it (whole units, rounded down; `0s` for
/// a negative one). How long ago (`ui::format::age`) and how long left (the fleet's hook
/// countdowns and credentials) read alike.
pub fn short_span(ms: crate::model::Ms) -> String {
    let s = ms.max(crate::model::Ms::ZERO).as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..172_800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// `HH:MM:SS` in UTC.
pub fn clock(at: crate::model::At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis())
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
    fn invisible_characters_that_make_look_alike_names_go_everywhere() {
        assert_eq!(
            clean("pay\u{200B}ments\u{200D}\u{2060}\u{FEFF}"),
            "payments"
        );
        assert_eq!(clean("\u{3164}api\u{00AD}\u{FE0F}\u{E0041}"), "api");
        let mut out = Vec::new();
        clean_into(&mut out, "a\u{2028}b\u{200B}c\u{1F1E9}\u{1F1EA}", 100);
        assert_eq!(String::from_utf8(out).unwrap(), "abcDE");
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
