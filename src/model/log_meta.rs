//! What a log line is, read once when it arrives: its level (from a JSON field, a logfmt pair,
//! or a plain `ERROR`/`WARN` word) and its format, packed in one byte kept beside the line.

use memchr::memmem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Unknown,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Plain,
    /// A JSON object: shown compactly, `Enter` pretty-prints it.
    Json,
    /// `key=value` pairs with a level key.
    Logfmt,
}

/// Level and format of one line, in one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LineMeta(u8);

const LEVELS: [Level; 7] = [
    Level::Unknown,
    Level::Trace,
    Level::Debug,
    Level::Info,
    Level::Warn,
    Level::Error,
    Level::Fatal,
];

impl LineMeta {
    pub fn new(level: Level, format: Format) -> Self {
        let f = match format {
            Format::Plain => 0,
            Format::Json => 1,
            Format::Logfmt => 2,
        };
        LineMeta(level as u8 | f << 4)
    }

    pub fn level(self) -> Level {
        LEVELS[(self.0 & 0x0f) as usize % LEVELS.len()]
    }

    pub fn format(self) -> Format {
        match self.0 >> 4 {
            1 => Format::Json,
            2 => Format::Logfmt,
            _ => Format::Plain,
        }
    }

    /// Reads a line's level and format; cheap, so it runs on every line at ingest.
    pub fn read(text: &[u8]) -> Self {
        let t = text.trim_ascii();
        if t.first() == Some(&b'{') && t.last() == Some(&b'}') {
            return LineMeta::new(json_level(t), Format::Json);
        }
        if let Some(level) = logfmt_level(t) {
            return LineMeta::new(level, Format::Logfmt);
        }
        LineMeta::new(plain_level(t), Format::Plain)
    }
}

/// A level's name, any case, as JSON and logfmt loggers write it.
pub fn level_named(name: &str) -> Level {
    match name.trim().to_ascii_lowercase().as_str() {
        "trace" | "trc" => Level::Trace,
        "debug" | "dbg" | "fine" => Level::Debug,
        "info" | "information" | "notice" | "inf" => Level::Info,
        "warn" | "warning" | "wrn" => Level::Warn,
        "error" | "err" | "eror" => Level::Error,
        "fatal" | "panic" | "critical" | "crit" | "alert" | "emerg" | "emergency" | "severe"
        | "dpanic" => Level::Fatal,
        // pino and bunyan write numbers.
        "10" => Level::Trace,
        "20" => Level::Debug,
        "30" => Level::Info,
        "40" => Level::Warn,
        "50" => Level::Error,
        "60" => Level::Fatal,
        _ => Level::Unknown,
    }
}

/// The keys a JSON logger puts the level under, most common first.
const JSON_KEYS: &[&[u8]] = &[
    b"\"level\"",
    b"\"lvl\"",
    b"\"severity\"",
    b"\"levelname\"",
    b"\"log.level\"",
    b"\"loglevel\"",
];

/// The level of a JSON line, found without parsing it: the first level key and its value.
fn json_level(t: &[u8]) -> Level {
    for key in JSON_KEYS {
        let Some(at) = memmem::find(t, key) else {
            continue;
        };
        let rest = t[at + key.len()..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b":") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let value = match rest.strip_prefix(b"\"") {
            Some(v) => &v[..memchr::memchr(b'"', v).unwrap_or(v.len())],
            None => {
                &rest[..rest
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(rest.len())]
            }
        };
        let level = level_named(std::str::from_utf8(value).unwrap_or(""));
        if level != Level::Unknown {
            return level;
        }
    }
    Level::Unknown
}

/// The level of a logfmt line (`level=warn`, `lvl=error`), or None when it has no level key.
fn logfmt_level(t: &[u8]) -> Option<Level> {
    for key in [&b"level="[..], b"lvl="] {
        let mut from = 0;
        while let Some(at) = memmem::find(&t[from..], key).map(|i| i + from) {
            let starts_token = at == 0 || t[at - 1] == b' ';
            from = at + key.len();
            if !starts_token {
                continue;
            }
            let rest = &t[from..];
            let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
            let end = rest
                .iter()
                .position(|b| *b == b' ' || *b == b'"')
                .unwrap_or(rest.len());
            return Some(level_named(std::str::from_utf8(&rest[..end]).unwrap_or("")));
        }
    }
    None
}

/// Words a plain line's level is written as; looked for near the start, in capitals (and as
/// Go's `panic:`), so "0 errors" in a message does not count.
const PLAIN_WORDS: &[(&str, Level)] = &[
    ("ERROR", Level::Error),
    ("ERR", Level::Error),
    ("FATAL", Level::Fatal),
    ("PANIC", Level::Fatal),
    ("CRITICAL", Level::Fatal),
    ("CRIT", Level::Fatal),
    ("SEVERE", Level::Fatal),
    ("WARN", Level::Warn),
    ("WARNING", Level::Warn),
    ("INFO", Level::Info),
    ("DEBUG", Level::Debug),
    ("TRACE", Level::Trace),
    ("panic", Level::Fatal),
];

/// How far into a plain line the level word is looked for (after a timestamp and a logger name).
const PLAIN_SCAN: usize = 96;

fn plain_level(t: &[u8]) -> Level {
    let head = &t[..t.len().min(PLAIN_SCAN)];
    for word in head.split(|b| !b.is_ascii_alphabetic()) {
        if word.len() < 3 || word.len() > 8 {
            continue;
        }
        if let Some((_, level)) = PLAIN_WORDS.iter().find(|(w, _)| w.as_bytes() == word) {
            return *level;
        }
    }
    Level::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> (Level, Format) {
        let m = LineMeta::read(s.as_bytes());
        (m.level(), m.format())
    }

    #[test]
    fn json_lines_give_their_level_field() {
        assert_eq!(
            read(r#"{"level":"error","msg":"db down"}"#),
            (Level::Error, Format::Json)
        );
        assert_eq!(
            read(r#"{ "severity" : "WARNING", "message": "slow" }"#),
            (Level::Warn, Format::Json)
        );
        assert_eq!(
            read(r#"{"level":50,"msg":"pino"}"#),
            (Level::Error, Format::Json)
        );
        assert_eq!(
            read(r#"{"msg":"no level"}"#),
            (Level::Unknown, Format::Json)
        );
    }

    #[test]
    fn logfmt_lines_give_their_level_pair() {
        assert_eq!(
            read(r#"ts=2026-01-01 level=warn msg="pool low""#),
            (Level::Warn, Format::Logfmt)
        );
        assert_eq!(read("lvl=\"error\" msg=x"), (Level::Error, Format::Logfmt));
        // `xlevel=` is not the level key.
        assert_eq!(read("xlevel=error msg=x").1, Format::Plain);
    }

    #[test]
    fn plain_lines_give_a_capital_level_word_near_the_start() {
        assert_eq!(
            read("ERROR upstream refused"),
            (Level::Error, Format::Plain)
        );
        assert_eq!(
            read("2026-01-01T10:00:00Z [WARN] retrying"),
            (Level::Warn, Format::Plain)
        );
        assert_eq!(read("panic: runtime error").0, Level::Fatal);
        assert_eq!(read("processed 0 errors").0, Level::Unknown);
        assert_eq!(read("INFO GET /healthz 200").0, Level::Info);
    }

    #[test]
    fn the_byte_round_trips() {
        for l in LEVELS {
            for f in [Format::Plain, Format::Json, Format::Logfmt] {
                let m = LineMeta::new(l, f);
                assert_eq!((m.level(), m.format()), (l, f));
            }
        }
    }
}
