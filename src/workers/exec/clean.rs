//! An exec session's output, cleaned at the edge before it reaches the state: a byte stream
//! that may split a character between two messages, so an unfinished one waits for the next.

use crate::model::text::terminal_char;

#[derive(Default)]
pub struct OutputCleaner {
    pending: Vec<u8>,
}

impl OutputCleaner {
    pub fn clean(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut input = std::mem::take(&mut self.pending);
        input.extend_from_slice(bytes);
        let mut out = Vec::with_capacity(input.len());
        let mut rest = input.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    push_clean(&mut out, text);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // The prefix was checked just above.
                    push_clean(&mut out, std::str::from_utf8(good).unwrap_or_default());
                    match e.error_len() {
                        // Not UTF-8 at all: dropped, as a terminal shows nothing for it.
                        Some(n) => rest = &bad[n..],
                        None => {
                            self.pending = bad.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        out
    }
}

fn push_clean(out: &mut Vec<u8>, text: &str) {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let mut buf = [0u8; 4];
    for c in text.chars().filter_map(terminal_char) {
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_pass_bidi_goes_and_split_characters_wait() {
        let mut c = OutputCleaner::default();
        assert_eq!(
            c.clean(b"\x1b[31mred\x1b[0m\r\n"),
            b"\x1b[31mred\x1b[0m\r\n"
        );
        assert_eq!(c.clean("a\u{202E}b".as_bytes()), b"ab");
        let e = "é".as_bytes();
        assert_eq!(c.clean(&e[..1]), b"");
        assert_eq!(c.clean(&e[1..]), "é".as_bytes());
        assert_eq!(c.clean(b"\xffok"), b"ok");
    }
}
