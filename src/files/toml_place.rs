//! Where a key of a TOML document is, so that an error found after parsing (a zero interval, a
//! duplicate context, a colour that is not one) still names its line and column.

use toml::de::{DeTable, DeValue};

/// One step of a path into a document: a key of a table, or an element of an array (such as
/// the second `[[context]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(k: &str) -> Self {
        Seg::Key(k.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// A path: `path!["context", 1, "accent"]`.
#[macro_export]
#[doc(hidden)]
macro_rules! toml_path {
    ($($seg:expr),* $(,)?) => { vec![$($crate::files::toml_place::Seg::from($seg)),*] };
}

/// The byte offset of the deepest part of `path` found in `text`: the key itself when it is
/// there, else the table or array element that would hold it. None when `text` does not parse
/// or nothing of the path is there.
pub fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let doc = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut found = None;
    let mut value: Option<&DeValue<'_>> = None;
    for seg in path {
        match (seg, value) {
            (Seg::Key(k), None) => {
                let Some((key, v)) = table
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                else {
                    break;
                };
                found = Some(key.span().start);
                value = Some(v.get_ref());
            }
            (Seg::Index(i), Some(DeValue::Array(items))) => {
                let Some(item) = items.get(*i) else { break };
                found = Some(item.span().start);
                value = Some(item.get_ref());
            }
            _ => break,
        }
        if let Some(DeValue::Table(t)) = value {
            table = t;
            value = None;
        }
    }
    found
}

/// The line and column (from 1, in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_tables_and_arrays_of_tables_are_found() {
        let text = "theme = \"dark\"\n[poll]\nfast_secs = 0\n\n[[context]]\nname = \"a\"\n\n[[context]]\nname = \"b\"\naccent = \"nope\"\n";
        let at = |p: Vec<Seg>| locate(text, &p).map(|o| line_col(text, o));
        assert_eq!(at(toml_path!["poll", "fast_secs"]), Some((3, 1)));
        assert_eq!(at(toml_path!["context", 1, "accent"]), Some((10, 1)));
        assert_eq!(at(toml_path!["context", 0, "name"]), Some((6, 1)));
        // A key that is not there: the table that would hold it.
        assert_eq!(at(toml_path!["poll", "normal_secs"]), Some((2, 2)));
        assert_eq!(at(toml_path!["logs"]), None);
    }
}
