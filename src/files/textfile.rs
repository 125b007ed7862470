//! Reading a config or theme file without trusting it: only a regular file (a FIFO would block
//! forever, `/dev/zero` would read until memory ran out), at most [`MAX_BYTES`], and UTF-8,
//! with the byte offset, line and column of the first byte that is not.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The largest config or theme file read: far above any real one.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextFileError {
    #[error("{0}")]
    Io(String),
    #[error("not a regular file ({0}); give the path of a file")]
    NotAFile(&'static str),
    #[error("larger than {} KiB; is it the right file?", MAX_BYTES / 1024)]
    TooLarge,
    #[error("not UTF-8 text: byte {offset} (line {line}, column {column}) is not valid UTF-8")]
    NotUtf8 {
        offset: usize,
        line: usize,
        column: usize,
    },
}

impl TextFileError {
    pub fn not_found(&self) -> bool {
        matches!(self, TextFileError::Io(m) if m.starts_with("No such file"))
    }
}

/// Reads `path` as text, refusing anything that is not a regular file of at most `MAX_BYTES`.
pub fn read(path: &Path) -> Result<String, TextFileError> {
    // Non-blocking, so opening a FIFO with no writer returns at once instead of waiting.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io_error)?;
    let kind = file.metadata().map_err(io_error)?.file_type();
    if !kind.is_file() {
        return Err(TextFileError::NotAFile(kind_name(&kind)));
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(TextFileError::TooLarge);
    }
    text(bytes)
}

/// `bytes` as a string, or where the first invalid byte is.
pub fn text(bytes: Vec<u8>) -> Result<String, TextFileError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        TextFileError::NotUtf8 {
            offset,
            line,
            column,
        }
    })
}

fn io_error(e: std::io::Error) -> TextFileError {
    // The OS's words without the "(os error N)" tail, as the console's other errors read.
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    TextFileError::Io(text)
}

fn kind_name(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// `s` cut to `max` characters with `…` in the middle, so an echoed value never floods a line.
pub fn clip_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head = max.saturating_sub(1) * 2 / 3;
    let tail = max.saturating_sub(1) - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out
}

/// `message` with every quoted value longer than `max` characters cut (see [`clip_middle`]):
/// a parser's message may quote a whole 10 MB string.
pub fn clip_quoted(message: &str, max: usize) -> String {
    let mut out = String::with_capacity(message.len().min(4 * max));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let close = closing_quote(rest, quote).unwrap_or(rest.len());
        out.push_str(&clip_middle(&rest[..close], max));
        rest = &rest[close..];
        if let Some(q) = rest.chars().next() {
            out.push(q);
            rest = &rest[q.len_utf8()..];
        }
    }
    out.push_str(rest);
    clip_middle(&out, 40 * max)
}

/// Where the quote opened before `s` closes, skipping escaped quotes.
fn closing_quote(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            c if c == quote && !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_and_dev_zero_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read(&fifo), Err(TextFileError::NotAFile("a FIFO")));
        assert_eq!(
            read(Path::new("/dev/zero")),
            Err(TextFileError::NotAFile("a character device"))
        );
        assert_eq!(
            read(dir.path()),
            Err(TextFileError::NotAFile("a directory"))
        );
    }

    #[test]
    fn a_large_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_BYTES as usize + 1]).unwrap();
        assert_eq!(read(&big), Err(TextFileError::TooLarge));
        std::fs::write(&big, vec![b'#'; MAX_BYTES as usize]).unwrap();
        assert!(read(&big).is_ok());
    }

    #[test]
    fn a_bad_byte_is_placed() {
        let e = text(b"theme = \"dark\"\nx = \"\xc3\xa9\xff\"\n".to_vec()).unwrap_err();
        assert_eq!(
            e,
            TextFileError::NotUtf8 {
                offset: 22,
                line: 2,
                column: 7
            }
        );
    }

    #[test]
    fn long_quoted_values_are_cut() {
        let long = "A".repeat(10_000);
        let msg = format!("invalid type: string \"{long}\", expected a boolean");
        let cut = clip_quoted(&msg, 40);
        assert!(cut.len() < 200, "{cut}");
        assert!(cut.starts_with("invalid type: string \"AAAA"), "{cut}");
        assert!(cut.ends_with("A\", expected a boolean"), "{cut}");
        assert_eq!(clip_quoted("unknown field `x`", 40), "unknown field `x`");
    }
}
