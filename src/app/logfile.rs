//! deckwatch's own debug log: a file in the XDG state dir (never the terminal the console draws
//! on), 0600 in a 0700 directory, rotated when it reaches a size so it stays bounded, with AWS
//! access key ids and session tokens redacted before a line is written, whatever the level.

use crate::files::owner_only;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The log is rotated past this size; one older file is kept, so it never takes more than
/// twice this on disk.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// What stands in for a redacted secret.
pub const REDACTED: &str = "<redacted>";

/// A log file rotated to `NAME.1` when a write would take it past `max` bytes.
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    size: u64,
    max: u64,
}

impl RotatingFile {
    pub fn open(path: &Path, max: u64) -> io::Result<Self> {
        let file = owner_only::open_append(path)?;
        let size = file.metadata()?.len();
        Ok(Self {
            path: path.to_path_buf(),
            file,
            size,
            max: max.max(1024),
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, &old)?;
        self.file = owner_only::open_append(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.size > 0 && self.size + buf.len() as u64 > self.max {
            self.rotate()?;
        }
        // One line longer than the bound is cut rather than let through whole.
        let take = buf.len().min(self.max as usize);
        self.file.write_all(&buf[..take])?;
        self.size += take as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Writes what it is given with credentials redacted (see [`redact`]).
pub struct Redacting<W: Write>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The prefixes of AWS access key ids (long-term, temporary, and the ids of users, roles and
/// other principals that share the format).
const KEY_PREFIXES: &[&str] = &[
    "AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "APKA", "ABIA", "ACCA", "AIPA",
];

/// Labels after which a credential follows, in the forms the AWS SDK's traces print them.
const LABELS: &[&str] = &[
    "Credential=",
    "access_key_id: \"",
    "aws_access_key_id=",
    "secret_access_key: \"",
    "session_token: \"",
    "x-amz-security-token: ",
    "x-amz-security-token=",
    "\"x-amz-security-token\": \"",
    "X-Amz-Security-Token=",
    "X-Amz-Credential=",
];

/// `line` with every access key id (an `AKIA…`/`ASIA…` word, or whatever follows
/// `Credential=` and the like) and every session token replaced by [`REDACTED`].
pub fn redact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(label) = LABELS.iter().find(|l| rest.starts_with(**l)) {
            out.push_str(label);
            rest = &rest[label.len()..];
            let end = rest
                .find(['"', '/', ',', ' ', '&', '\n', '\'', '}'])
                .unwrap_or(rest.len());
            if end > 0 && &rest[..end] != REDACTED && !rest[..end].starts_with("**") {
                out.push_str(REDACTED);
                rest = &rest[end..];
            }
            continue;
        }
        if let Some(n) = key_id_len(rest)
            && !out.ends_with(|c: char| c.is_ascii_alphanumeric())
        {
            out.push_str(&rest[..4]);
            out.push_str(REDACTED);
            rest = &rest[n..];
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// The length of an access key id at the start of `s`: a known prefix and at least 12 more
/// upper-case letters or digits, as a whole word.
fn key_id_len(s: &str) -> Option<usize> {
    if !KEY_PREFIXES.iter().any(|p| s.starts_with(p)) {
        return None;
    }
    let n = s
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    let word_ends = s[n..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    (n >= 16 && word_ends).then_some(n)
}

/// Where the log goes: `$XDG_STATE_HOME/deckwatch/deckwatch.log` (else the local data dir).
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "deckwatch")?;
    let dir = dirs.state_dir().unwrap_or(dirs.data_local_dir());
    Some(dir.join("deckwatch.log"))
}

/// Starts logging to the file; `DECKWATCH_LOG` sets the level (default info). None when the
/// file cannot be opened: the console runs without a log rather than not at all.
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let path = default_path()?;
    let file = RotatingFile::open(&path, MAX_BYTES).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(Redacting(file));
    let filter = tracing_subscriber::EnvFilter::try_from_env("DECKWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "deckwatch started");
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_and_tokens_are_redacted() {
        let line = r#"Credentials { provider_name: "Environment", access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: "** redacted **" } authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ecs/aws4_request x-amz-security-token: IQoJb3JpZ2luX2VjEXAMPLE"#;
        let out = redact(line);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        assert!(!out.contains("IQoJb3JpZ2luX2VjEXAMPLE"), "{out}");
        assert!(
            out.contains("Credential=<redacted>/20260101/us-east-1"),
            "{out}"
        );
        assert!(
            out.contains(r#"secret_access_key: "** redacted **""#),
            "{out}"
        );
        assert_eq!(
            redact("key ASIAY34FZKBOKMUTVV7A used"),
            "key ASIA<redacted> used"
        );
        // Words that merely start like a key id stay.
        assert_eq!(redact("AKIAS is short"), "AKIAS is short");
        assert_eq!(redact("ünïcode stays"), "ünïcode stays");
    }

    #[test]
    fn the_file_rotates_and_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deckwatch.log");
        let mut f = RotatingFile::open(&path, 4096).unwrap();
        let line = [b'x'; 100];
        for _ in 0..1000 {
            f.write_all(&line).unwrap();
        }
        let now = std::fs::metadata(&path).unwrap().len();
        let old = std::fs::metadata(dir.path().join("deckwatch.log.1"))
            .unwrap()
            .len();
        assert!(now <= 4096 && old <= 4096, "{now} {old}");
        assert!(old > 0);
    }
}
