//! Who wrote each event: the streams the backend listed for the follow carry their task and
//! revision; a stream under one of the follow's prefixes that was not listed (a task started
//! since) waits until the backend says whose it is; any other stream is another service's.

use crate::model::LogSide;
use crate::model::{LogSources, LogTag, RawEvent};
use std::collections::{HashMap, HashSet};

/// Events held while their stream's owner is asked, at most.
const MAX_PENDING: usize = 20_000;
/// Streams whose owner is remembered, at most (then the listing's are kept).
const MAX_KNOWN: usize = 50_000;
/// Streams remembered as another service's, at most.
const MAX_FOREIGN: usize = 10_000;

type Stream = (String, String);

#[derive(Debug, Default)]
pub struct Attribution {
    pub sources: LogSources,
    known: HashMap<Stream, LogTag>,
    foreign: HashSet<Stream>,
    pending: HashMap<Stream, Vec<RawEvent>>,
    held: usize,
}

pub enum Owner {
    Tag(LogTag),
    /// Held until `resolve`.
    Pending,
    Foreign,
}

impl Attribution {
    /// New sources; true when the groups or prefixes read changed (a live session must then
    /// start again).
    pub fn set_sources(&mut self, sources: LogSources) -> bool {
        let changed = sources.groups != self.sources.groups;
        if self.known.len() > MAX_KNOWN {
            self.known.clear();
        }
        for (g, s, tag) in &sources.streams {
            self.known.insert((g.clone(), s.clone()), clean(tag));
        }
        self.sources = sources;
        changed
    }

    /// Who wrote `e`; an unknown stream of the follow's keeps the event until resolved.
    pub fn owner(&mut self, e: RawEvent) -> (Owner, Option<RawEvent>) {
        let key = (e.group.clone(), e.stream.clone());
        if let Some(tag) = self.known.get(&key) {
            return (Owner::Tag(tag.clone()), Some(e));
        }
        if !self.sources.attribute {
            let tag = stream_tag(&e.stream);
            self.known.insert(key, tag.clone());
            return (Owner::Tag(tag), Some(e));
        }
        let ours = self
            .sources
            .groups
            .iter()
            .any(|g| g.group == e.group && g.prefixes.iter().any(|p| e.stream.starts_with(p)));
        if !ours || self.foreign.contains(&key) {
            return (Owner::Foreign, None);
        }
        if self.held < MAX_PENDING {
            self.held += 1;
            self.pending.entry(key).or_default().push(e);
        }
        (Owner::Pending, None)
    }

    /// The streams waiting for their owner, at most `n`.
    pub fn waiting(&self, n: usize) -> Vec<Stream> {
        self.pending.keys().take(n).cloned().collect()
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The backend's answer for `streams`: their held events with their tags, the others'
    /// dropped. With no answer (the backend failed), the events go out with the stream's
    /// task id and an unknown revision rather than being lost.
    pub fn resolve(
        &mut self,
        streams: &[Stream],
        owners: Option<Vec<Option<LogTag>>>,
    ) -> Vec<(LogTag, RawEvent)> {
        let mut out = Vec::new();
        for (i, key) in streams.iter().enumerate() {
            let events = self.pending.remove(key).unwrap_or_default();
            self.held = self.held.saturating_sub(events.len());
            let tag = match &owners {
                Some(o) => o.get(i).cloned().flatten().map(|t| clean(&t)),
                None => Some(stream_tag(&key.1)),
            };
            match tag {
                Some(tag) => {
                    if owners.is_some() {
                        self.known.insert(key.clone(), tag.clone());
                    }
                    out.extend(events.into_iter().map(|e| (tag.clone(), e)));
                }
                None => {
                    if self.foreign.len() >= MAX_FOREIGN {
                        self.foreign.clear();
                    }
                    self.foreign.insert(key.clone());
                }
            }
        }
        out
    }
}

/// A stream's tag when nothing else is known: its last part (the task id of an awslogs
/// stream), revision unknown.
fn stream_tag(stream: &str) -> LogTag {
    LogTag {
        task: crate::model::text::clean(stream.rsplit('/').next().unwrap_or(stream)),
        revision: 0,
        side: LogSide::Primary,
    }
}

/// A tag from outside, cleaned once, as every string from outside is.
fn clean(t: &LogTag) -> LogTag {
    LogTag {
        task: crate::model::text::clean(&t.task),
        ..t.clone()
    }
}
