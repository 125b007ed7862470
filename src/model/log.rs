//! Log lines and where they come from: what the console follows (a service with its canary, or
//! any log group), the raw events a backend reads, and the batches a worker prepares for the
//! loop to append.

use crate::model::{At, ServiceKey};

/// One log event, tagged with the task (and so the revision) that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at: At,
    pub task_id: String,
    pub revision: u32,
    pub message: String,
}

/// What the logs pane follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LogTarget {
    /// A service and, merged into the same stream, its paired canary.
    Service {
        primary: ServiceKey,
        canary: Option<ServiceKey>,
    },
    /// Every stream of one log group (`:logs GROUP`).
    Group(String),
}

impl LogTarget {
    pub fn service(key: ServiceKey) -> Self {
        LogTarget::Service {
            primary: key,
            canary: None,
        }
    }

    /// The primary service, for a service follow.
    pub fn primary(&self) -> Option<&ServiceKey> {
        match self {
            LogTarget::Service { primary, .. } => Some(primary),
            LogTarget::Group(_) => None,
        }
    }

    /// The followed services, primary first.
    /// The followed services, each with its side.
    pub fn sides(&self) -> Vec<(LogSide, &ServiceKey)> {
        match self {
            LogTarget::Service { primary, canary } => std::iter::once((LogSide::Primary, primary))
                .chain(canary.as_ref().map(|c| (LogSide::Canary, c)))
                .collect(),
            LogTarget::Group(_) => Vec::new(),
        }
    }

    pub fn services(&self) -> Vec<&ServiceKey> {
        match self {
            LogTarget::Service { primary, canary } => {
                std::iter::once(primary).chain(canary.as_ref()).collect()
            }
            LogTarget::Group(_) => Vec::new(),
        }
    }
}

impl std::fmt::Display for LogTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogTarget::Service {
                primary,
                canary: Some(c),
            } => write!(f, "{primary} + {}", c.name),
            LogTarget::Service { primary, .. } => write!(f, "{primary}"),
            LogTarget::Group(g) => write!(f, "group {g}"),
        }
    }
}

/// Who wrote a line: shown before it, searchable, and coloured by revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LogTag {
    /// The task id (or, for a group that is not an ECS service's, the stream's last part).
    pub task: String,
    /// The task definition revision; 0 when unknown (a task ECS no longer remembers, or a
    /// stream of a plain log group).
    pub revision: u32,
    /// Which of the followed services wrote it.
    pub side: LogSide,
}

/// Which of the services a log follow reads wrote a line: the service itself, or the canary
/// followed beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogSide {
    #[default]
    Primary,
    Canary,
}

/// Where a follow's events are read: log groups, each with the stream prefixes that belong to
/// the followed services (`<prefix>/<container>/`; none means every stream of the group).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSources {
    pub groups: Vec<GroupSpec>,
    /// The streams known to be the followed services' (running tasks and those stopped lately).
    pub streams: Vec<(String, String, LogTag)>,
    /// The log group is an ECS service's: streams not listed above are checked with
    /// `log_owners` before their lines are shown.
    pub attribute: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GroupSpec {
    pub group: String,
    pub prefixes: Vec<String>,
}

/// One event as a backend read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub group: String,
    pub stream: String,
    pub at: At,
    /// When CloudWatch ingested it (0 when the source does not say).
    pub ingested: At,
    pub message: String,
}

impl RawEvent {
    /// The identity used to drop repeats. Live Tail events carry no event id, so the id is
    /// derived from what both Live Tail and FilterLogEvents return: stream, timestamp,
    /// ingestion time and text. The same event read both ways gets the same id.
    pub fn id(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.stream.hash(&mut h);
        self.at.hash(&mut h);
        self.ingested.hash(&mut h);
        self.message.hash(&mut h);
        h.finish()
    }
}

/// A read of events: which groups and prefixes, the time window and the server-side pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub group: GroupSpec,
    pub from: At,
    /// Exclusive; None reads up to now.
    pub to: Option<At>,
    /// A CloudWatch filter pattern, passed as it is.
    pub pattern: Option<String>,
}

/// One page of a `LogQuery`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogPage {
    pub events: Vec<RawEvent>,
    pub next: Option<String>,
    /// Events the backend could not decode: left out, or kept with what could not be read
    /// replaced. Each by an id that is the same when a later read finds it again, so it is
    /// counted once however often it is read.
    pub undecodable: Vec<u64>,
}

/// What one Live Tail session follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveQuery {
    pub groups: Vec<GroupSpec>,
    pub pattern: Option<String>,
}

/// What a Live Tail session sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveUpdate {
    /// The session is open.
    Started { session: String },
    /// About once a second: the events since the last update. `sampled` when AWS had more
    /// than it sends (above 500 events a second) and left some out.
    Events {
        events: Vec<RawEvent>,
        sampled: bool,
    },
}

/// How a Live Tail session ended or could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEnd {
    /// The three-hour limit: start another session.
    Timeout,
    /// The endpoint does not serve Live Tail, the account's session limit is reached, or the
    /// credentials may not start one: poll instead, and try live again later.
    Unavailable(String),
    /// A break (the connection, a server error): reconnect.
    Broken(String),
}

/// A batch of lines a worker prepared for the loop: the cleaned text in one block, each line's
/// place in it, when it was written, who wrote it and what its level and format are, so the
/// loop only copies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogChunk {
    pub text: Vec<u8>,
    pub lines: Vec<ChunkLine>,
    pub tags: Vec<LogTag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLine {
    pub at: At,
    pub start: u32,
    pub len: u32,
    /// Index into the chunk's `tags`.
    pub tag: u16,
    pub meta: crate::model::LineMeta,
}

/// Longest message kept; a longer one is cut (and says so) so one line cannot evict the rest.
pub const MAX_LINE: usize = 16 * 1024;

impl LogChunk {
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The index of `tag` in this chunk, added if new.
    pub fn tag_index(&mut self, tag: &LogTag) -> u16 {
        match self.tags.iter().rposition(|t| t == tag) {
            Some(i) => i as u16,
            None => {
                if self.tags.len() >= u16::MAX as usize {
                    // Cannot happen within one batch of a bounded read; share the last tag.
                    return u16::MAX - 1;
                }
                self.tags.push(tag.clone());
                (self.tags.len() - 1) as u16
            }
        }
    }

    /// Adds one event: its text cleaned of control and bidi characters (newlines kept, for the
    /// detail view), cut to `MAX_LINE`, trailing line ends dropped; level and format read once.
    pub fn push(&mut self, at: At, tag: u16, message: &str) {
        let message = message.trim_end_matches(['\n', '\r']);
        let start = self.text.len();
        crate::model::text::clean_into(&mut self.text, message, MAX_LINE);
        let len = self.text.len() - start;
        let meta = crate::model::LineMeta::read(&self.text[start..]);
        self.lines.push(ChunkLine {
            at,
            start: start as u32,
            len: len as u32,
            tag,
            meta,
        });
    }

    /// The chunk of plain lines (the demo's and the tests' form).
    pub fn from_lines(lines: &[LogLine]) -> Self {
        let mut c = LogChunk::default();
        for l in lines {
            let tag = c.tag_index(&LogTag {
                task: crate::model::text::clean(&l.task_id),
                revision: l.revision,
                side: LogSide::Primary,
            });
            c.push(l.at, tag, &l.message);
        }
        c
    }

    /// Line `i`'s text.
    pub fn text_of(&self, i: usize) -> &str {
        let l = &self.lines[i];
        let bytes = &self.text[l.start as usize..(l.start + l.len) as usize];
        std::str::from_utf8(bytes).unwrap_or("")
    }
}
