//! Reading a config file for `deckwatch config check`: every error that can be found, not only
//! the first. The console stops at the first error (`Config::parse`); a check goes on: TOML
//! syntax errors are all collected by the parser's recovery, then each entry that does not fit
//! its type is reported and left out so the rest can be read, and last every value that reads
//! but cannot be used is reported, each with its file, line and column.

use super::{Config, ConfigError};
use serde::Deserialize;
use std::ops::Range;
use toml::de::{DeArray, DeTable, DeValue};

/// Entries left out before giving up: a file this wrong has been reported enough.
const MAX_LEFT_OUT: usize = 100;

/// What a check of one file found: the config as far as it could be read (None when even
/// what was left after leaving out the wrong entries did not read), and every error.
#[derive(Debug)]
pub struct Checked {
    pub config: Option<Config>,
    pub errors: Vec<ConfigError>,
}

/// Every error of `text`, read from `origin`.
pub fn parse_every_error(origin: &str, text: &str) -> Checked {
    let (mut doc, syntax) = DeTable::parse_recoverable(text);
    let mut errors: Vec<ConfigError> = syntax
        .iter()
        .map(|e| ConfigError::from_toml(origin, text, e))
        .collect();
    for _ in 0..MAX_LEFT_OUT {
        let read = Config::deserialize(toml::de::Deserializer::from(doc.clone()));
        match read {
            Ok(mut cfg) => {
                cfg.keys.locate(origin, text);
                errors.extend(
                    cfg.problems(origin, text)
                        .into_iter()
                        .map(|w| ConfigError::at_key(origin, text, &w.path, w.message)),
                );
                return finish(Some(cfg), errors);
            }
            Err(e) => {
                errors.push(ConfigError::from_toml(origin, text, &e));
                let left_out = e.span().is_some_and(|s| leave_out(doc.get_mut(), s.start));
                if !left_out {
                    break;
                }
            }
        }
    }
    finish(None, errors)
}

/// The errors in the order of the file.
fn finish(config: Option<Config>, mut errors: Vec<ConfigError>) -> Checked {
    errors.sort_by_key(|e| match e {
        ConfigError::At { line, column, .. } => (*line, *column),
        _ => (0, 0),
    });
    Checked { config, errors }
}

fn contains(span: Range<usize>, at: usize) -> bool {
    span.start <= at && at < span.end.max(span.start + 1)
}

/// Removes the innermost entry of `table` (or table of an array of tables) at byte `at`.
/// False when nothing there could be left out.
fn leave_out(table: &mut DeTable<'_>, at: usize) -> bool {
    for (_, v) in table.iter_mut() {
        let inner = match v.get_mut() {
            DeValue::Table(t) => leave_out(t, at),
            DeValue::Array(a) => leave_out_of_array(a, at),
            _ => false,
        };
        if inner {
            return true;
        }
    }
    let hit = table
        .iter()
        .find(|(k, v)| contains(k.span(), at) || contains(v.span(), at))
        .map(|(k, _)| k.clone());
    hit.is_some_and(|key| table.remove(&key).is_some())
}

/// In an array of tables: an entry of one of its tables at `at`, else the table itself (a
/// `[[context]]` without its name).
fn leave_out_of_array(a: &mut DeArray<'_>, at: usize) -> bool {
    for item in a.iter_mut() {
        if let DeValue::Table(t) = item.get_mut()
            && leave_out(t, at)
        {
            return true;
        }
    }
    let Some(i) = a
        .iter()
        .position(|item| matches!(item.get_ref(), DeValue::Table(_)) && contains(item.span(), at))
    else {
        return false;
    };
    *a = a
        .clone()
        .into_iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, v)| v)
        .collect();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(c: &Checked) -> Vec<String> {
        c.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_good_file_has_no_error() {
        let c = parse_every_error("c.toml", include_str!("../../config.example.toml"));
        assert!(c.errors.is_empty(), "{:?}", lines(&c));
        assert!(c.config.is_some());
    }

    #[test]
    fn type_errors_unknown_keys_and_bad_values_are_all_reported() {
        let text = "theme = 3\n[poll]\nfast_sec = 3\nnormal_secs = 0\n[logs]\nmax_lines = \"many\"\n\
                    [[context]]\nname = \"a\"\nregion = \"Moon 1\"\n[[context]]\nprofile = \"p\"\n";
        let c = parse_every_error("c.toml", text);
        let got = lines(&c);
        let want = [
            "c.toml:1:9: invalid type: integer `3`, expected a string",
            "c.toml:3:1: unknown field `fast_sec`",
            "c.toml:6:13: invalid type: string \"many\"",
            "c.toml:10:1: missing field `name`",
            "c.toml:9:1: context \"a\": region",
            "c.toml:4:1: poll.normal_secs = 0",
        ];
        for w in want {
            assert!(got.iter().any(|g| g.starts_with(w)), "{w} not in {got:#?}");
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
        assert!(c.config.is_some());
    }

    #[test]
    fn every_syntax_error_is_reported() {
        let c = parse_every_error("c.toml", "theme = \"dark\nread_only = tru\n[poll\n");
        assert!(c.errors.len() >= 2, "{:?}", lines(&c));
        assert!(lines(&c)[0].starts_with("c.toml:1:"), "{:?}", lines(&c));
    }
}
