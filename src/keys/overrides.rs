//! `[keys]` in the config: per mode, an action's keys, merged over the default key table.
//!
//! ```toml
//! [keys.normal]
//! promote = "P"
//! down = ["j", "Down"]
//! page_down = "ctrl-d"
//! ```
//!
//! A wrong entry never stops the console: an unknown action, an unknown key name or a key that
//! another action of the same mode has already gives a warning naming the file and line, and
//! that action keeps its default keys.

use crate::keys::config_names::{Section, action_name};
use crate::keys::{Binding, Keymap, types_text};
use crate::keys::{Chord, KeyNameError, label_of, parse};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;

/// `[keys.MODE]` tables.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    pub normal: KeyTable,
    pub filter: KeyTable,
    pub palette: KeyTable,
    /// The confirmation dialog (`y` / `n`).
    pub dialog: KeyTable,
    /// The help and detail popups.
    pub overlay: KeyTable,
    /// The bindings that only act on the logs pane.
    pub logs: KeyTable,
}

/// One mode's entries, in the order the file gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyTable(pub Vec<KeyEntry>);

/// `action = "KEY"` or `action = ["KEY", ...]`, and where it was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyEntry {
    pub action: String,
    pub keys: Vec<String>,
    /// Byte offsets of the value in the file.
    pub span: Range<usize>,
    /// Filled in once the file's text is known (`KeysConfig::locate`).
    pub place: Place,
}

/// A place in a file, the way compilers report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub origin: String,
    pub line: usize,
    pub column: usize,
}

/// Something in `[keys]` that was not applied, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub place: Place,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.place;
        write!(f, "{}:{}:{}: {}", p.origin, p.line, p.column, self.message)
    }
}

impl KeysConfig {
    fn tables(&self) -> [(Section, &KeyTable); 6] {
        [
            (Section::Normal, &self.normal),
            (Section::Logs, &self.logs),
            (Section::Filter, &self.filter),
            (Section::Palette, &self.palette),
            (Section::Dialog, &self.dialog),
            (Section::Overlay, &self.overlay),
        ]
    }

    /// Turns the entries' byte offsets into lines and columns of `text`, read from `origin`.
    pub fn locate(&mut self, origin: &str, text: &str) {
        for t in [
            &mut self.normal,
            &mut self.filter,
            &mut self.palette,
            &mut self.dialog,
            &mut self.overlay,
            &mut self.logs,
        ] {
            for e in &mut t.0 {
                let (line, column) = crate::files::toml_place::line_col(text, e.span.start);
                e.place = Place {
                    origin: origin.to_string(),
                    line,
                    column,
                };
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tables().iter().all(|(_, t)| t.0.is_empty())
    }
}

/// One binding's override while the layer is being settled.
struct Applied<'a> {
    entry: &'a KeyEntry,
    section: Section,
}

impl Keymap {
    /// The default key table with the config's `[keys]` over it, and what could not be applied.
    pub fn with_overrides(keys: &KeysConfig) -> (Keymap, Vec<Warning>) {
        let mut map = Keymap::default();
        let mut warnings = Vec::new();
        for layer in Section::LAYERS {
            let Some(bindings) = map.layer_mut(layer) else {
                continue;
            };
            let mut applied: Vec<Option<Applied>> = bindings.iter().map(|_| None).collect();
            let defaults: Vec<Vec<Chord>> = bindings.iter().map(|b| b.keys.clone()).collect();
            for (section, table) in keys.tables() {
                if section.layer() != layer {
                    continue;
                }
                let mut entries: Vec<&KeyEntry> = table.0.iter().collect();
                entries.sort_by_key(|e| e.span.start);
                for entry in entries {
                    match apply(section, entry, bindings) {
                        Ok(i) => applied[i] = Some(Applied { entry, section }),
                        Err(message) => warnings.push(warn(entry, section, message)),
                    }
                }
            }
            settle(bindings, &mut applied, &defaults, &mut warnings);
            // A binding given its default keys keeps its default label, so the config that
            // `deckwatch keys` prints changes nothing, the help included.
            for ((b, a), default) in bindings.iter_mut().zip(&applied).zip(&defaults) {
                if a.is_some() && b.keys != *default {
                    b.label = label_of(&b.keys);
                }
            }
        }
        (map, warnings)
    }
}

fn warn(entry: &KeyEntry, section: Section, message: impl std::fmt::Display) -> Warning {
    Warning {
        place: entry.place.clone(),
        message: format!("[keys.{}] {}: {message}", section.name(), entry.action),
    }
}

/// Why a `[keys]` entry was not applied; `keeps` says which keys its action keeps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum EntryError {
    #[error("unknown action (known here: {known}); ignored")]
    UnknownAction { known: String },
    #[error(
        "unknown key {name:?} (write keys like \"P\", \"ctrl-d\", \"Down\", \"PgDn\", \
         \"Enter\", \"F5\"); {keeps}"
    )]
    UnknownKey { name: String, keeps: String },
    #[error("Ctrl-C always quits and cannot be bound; {keeps}")]
    Interrupt { keeps: String },
    #[error("{name:?}: shift works with letters and Tab only; {keeps}")]
    Shifted { name: String, keeps: String },
    #[error("{name:?} is typed into the prompt in {mode} mode, so it cannot act there; {keeps}")]
    Typed {
        name: String,
        mode: &'static str,
        keeps: String,
    },
}

impl EntryError {
    /// A key name the entry gives that names no key it may bind.
    fn key(e: KeyNameError, name: &str, keeps: &str) -> Self {
        let (name, keeps) = (name.to_string(), keeps.to_string());
        match e {
            KeyNameError::Unknown => EntryError::UnknownKey { name, keeps },
            KeyNameError::Interrupt => EntryError::Interrupt { keeps },
            KeyNameError::Shifted => EntryError::Shifted { name, keeps },
        }
    }
}

/// Sets the keys of the entry's binding; the binding's index, or why the entry was not applied.
fn apply(
    section: Section,
    entry: &KeyEntry,
    bindings: &mut [Binding],
) -> Result<usize, EntryError> {
    let Some(i) = bindings
        .iter()
        .position(|b| section.owns(b) && action_name(&b.command) == Some(entry.action.as_str()))
    else {
        let known: Vec<&str> = bindings
            .iter()
            .filter(|b| section.owns(b))
            .filter_map(|b| action_name(&b.command))
            .collect();
        let known = known.join(", ");
        return Err(EntryError::UnknownAction { known });
    };
    let keeps = format!("{} keeps {}", entry.action, bindings[i].label);
    let mut chords: Vec<Chord> = Vec::new();
    for name in &entry.keys {
        let chord = parse(name).map_err(|e| EntryError::key(e, name, &keeps))?;
        if types_text(section.layer()) && chord.is_printable() {
            return Err(EntryError::Typed {
                name: name.clone(),
                mode: section.name(),
                keeps,
            });
        }
        if !chords.contains(&chord) {
            chords.push(chord);
        }
    }
    bindings[i].keys = chords;
    Ok(i)
}

/// Undoes overrides until no key of the layer means two things where both apply: of two
/// bindings sharing a key, the one the config changed (the later one, if both) goes back to
/// its default keys. Each round reverts one binding, so this ends.
fn settle(
    bindings: &mut [Binding],
    applied: &mut [Option<Applied>],
    defaults: &[Vec<Chord>],
    warnings: &mut Vec<Warning>,
) {
    while let Some((loser, other, chord)) = clash(bindings, applied) {
        if let Some(a) = applied[loser].take() {
            let message = format!(
                "{:?} is also the key of {} here; {} keeps {}",
                chord.label(),
                action_name(&bindings[other].command).unwrap_or_default(),
                a.entry.action,
                label_of(&defaults[loser]),
            );
            warnings.push(warn(a.entry, a.section, message));
        }
        bindings[loser].keys = defaults[loser].clone();
    }
}

/// Two bindings that share a key where both apply, one of them changed by the config: the
/// index of the one to revert, the other's, and the key.
fn clash(bindings: &[Binding], applied: &[Option<Applied>]) -> Option<(usize, usize, Chord)> {
    let start = |i: usize| applied[i].as_ref().map(|a| a.entry.span.start);
    for i in 0..bindings.len() {
        for j in i + 1..bindings.len() {
            if start(i).is_none() && start(j).is_none() {
                continue;
            }
            if !crate::model::Pane::ALL
                .iter()
                .any(|&p| bindings[i].reach.covers(p) && bindings[j].reach.covers(p))
            {
                continue;
            }
            let Some(&chord) = bindings[i]
                .keys
                .iter()
                .find(|k| bindings[j].keys.contains(k))
            else {
                continue;
            };
            let loser = match (start(i), start(j)) {
                (Some(a), Some(b)) if a > b => i,
                (Some(_), Some(_)) | (None, Some(_)) => j,
                _ => i,
            };
            let other = if loser == i { j } else { i };
            return Some((loser, other, chord));
        }
    }
    None
}

impl<'de> Deserialize<'de> for KeyTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = KeyTable;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of action = \"KEY\" or action = [\"KEY\", ...]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyTable, A::Error> {
                let mut out = Vec::new();
                while let Some(action) = map.next_key::<String>()? {
                    let keys: toml::Spanned<Keys> = map.next_value()?;
                    let span = keys.span();
                    out.push(KeyEntry {
                        action,
                        keys: keys.into_inner().0,
                        span,
                        place: Place::default(),
                    });
                }
                Ok(KeyTable(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// One key name or a list of them.
struct Keys(Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OneOrMany;
        impl<'de> Visitor<'de> for OneOrMany {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key name like \"P\" or \"ctrl-d\", or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Keys, E> {
                Ok(Keys(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = seq.next_element::<String>()? {
                    out.push(k);
                }
                Ok(Keys(out))
            }
        }
        d.deserialize_any(OneOrMany)
    }
}
