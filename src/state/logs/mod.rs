//! The logs pane's state: the buffer of the followed lines, what is followed and how, and how
//! the pane looks at the lines (the filter and its matches, the selected line, wrap, time).

pub mod buffer;
pub(crate) mod commands;
pub mod range;
pub mod search;

pub use buffer::{LogBuffer, LogRef};

use crate::model::{ApiError, At, LogChunk, LogTarget, Ms, Service, ServiceKey};
use search::Search;

/// Where a follow starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStart {
    /// The last few minutes, then live.
    Recent,
    /// From this time, then live (`:since`).
    Since(At),
    /// Only this window (`:range`): nothing live is added.
    Range(At, At),
}

/// What the log worker should follow: the pane's target, its server-side pattern and start.
/// A new `generation` restarts the follow; lines of an older one are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFollow {
    pub target: LogTarget,
    pub pattern: Option<String>,
    pub start: LogStart,
    pub generation: u64,
    /// `Esc` during a backlog load: stop reading it, keep what came.
    pub cancel_backlog: bool,
}

/// How the worker reads the followed lines now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TailMode {
    #[default]
    Starting,
    /// A Live Tail session.
    Live,
    /// FilterLogEvents every `every`; `why` says why not live.
    Polling { every: Ms, why: String },
    /// A `:range` is shown; nothing new is read.
    Stopped,
}

/// The worker's report on the follow, for the pane's title.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TailStatus {
    pub mode: TailMode,
    /// Since when the live session is down (a reconnect is under way).
    pub disconnected_since: Option<At>,
    /// Live Tail updates AWS sampled (it had more than 500 events a second).
    pub sampled: u64,
    /// Events left out because they could not be decoded.
    pub undecodable: u64,
}

/// A backlog load (`:since`, `:range`) under way or just ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backlog {
    pub label: String,
    pub lines: u64,
    pub pages: u64,
    pub elapsed: Ms,
    pub end: Option<BacklogEnd>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BacklogEnd {
    Done,
    Cancelled,
    Failed(String),
}

/// How timestamps are shown; `t` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stamps {
    #[default]
    Utc,
    Local,
    Relative,
    Off,
}

impl Stamps {
    pub fn next(self) -> Self {
        match self {
            Stamps::Utc => Stamps::Local,
            Stamps::Local => Stamps::Relative,
            Stamps::Relative => Stamps::Off,
            Stamps::Off => Stamps::Utc,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stamps::Utc => "UTC",
            Stamps::Local => "local",
            Stamps::Relative => "relative",
            Stamps::Off => "off",
        }
    }
}

/// The logs pane: the buffer of the followed lines and how the pane looks at it.
#[derive(Debug)]
pub struct LogView {
    pub buf: LogBuffer,
    pub target: Option<LogTarget>,
    /// The service the last follow-the-selection chose, so a `:logs GROUP` follow stays while
    /// the selection does not change.
    selection: Option<ServiceKey>,
    /// A CloudWatch filter pattern, applied by AWS (`:pattern`).
    pub pattern: Option<String>,
    pub start: LogStart,
    pub generation: u64,
    pub cancel_backlog: bool,
    pub search: Search,
    /// Every line shown, matches highlighted (`c`), instead of the matches only.
    pub context: bool,
    pub wrap: bool,
    pub stamps: Stamps,
    /// Keep the newest line in view and selected. Moving up pauses it.
    pub follow: bool,
    /// The selected line, when not following.
    pub cursor: u64,
    /// The last line on screen, when not following.
    pub bottom: u64,
    pub fetched_at: Option<At>,
    pub error: Option<ApiError>,
    pub status: TailStatus,
    pub backlog: Option<Backlog>,
    /// The revisions the rollout view's box shows: every source and target revision seen
    /// while it was open, so an aborted revision's lines stay.
    pub rollout_revisions: Vec<u32>,
    /// Copy to the clipboard through the terminal (OSC 52).
    pub osc52: bool,
    /// Lines the last frame showed (what a page moves by).
    pub rows: usize,
    /// ERROR lines a minute by revision, counted as lines arrive (the evidence reads it).
    pub errors: crate::model::evidence::ErrorRates,
}

/// Revisions the rollout view's box remembers.
const ROLLOUT_REVISIONS: usize = 8;

impl LogView {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            buf: LogBuffer::new(max_lines, max_bytes),
            target: None,
            selection: None,
            pattern: None,
            start: LogStart::Recent,
            generation: 0,
            cancel_backlog: false,
            search: Search::default(),
            context: false,
            wrap: false,
            stamps: Stamps::default(),
            follow: true,
            cursor: 0,
            bottom: 0,
            fetched_at: None,
            error: None,
            status: TailStatus::default(),
            backlog: None,
            rollout_revisions: Vec::new(),
            osc52: true,
            rows: 20,
            errors: Default::default(),
        }
    }

    /// The followed service (the primary of a service follow).
    pub fn service(&self) -> Option<&ServiceKey> {
        self.target.as_ref().and_then(LogTarget::primary)
    }

    /// Whether the lines of `key` come in: the followed service or its merged canary.
    pub fn follows(&self, key: &ServiceKey) -> bool {
        match &self.target {
            Some(LogTarget::Service { primary, canary }) => {
                primary == key || canary.as_ref() == Some(key)
            }
            Some(LogTarget::Group(_)) | None => false,
        }
    }

    /// Follows the selection: a service with its canary. A `:logs GROUP` follow stays while
    /// the selection is the one it replaced.
    pub fn follow_selection(&mut self, target: Option<LogTarget>) {
        let key = target.as_ref().and_then(LogTarget::primary).cloned();
        if matches!(self.target, Some(LogTarget::Group(_))) && key == self.selection {
            return;
        }
        self.selection = key;
        self.follow_target(target);
    }

    /// Starts following `target` afresh, unless it is followed already.
    pub fn follow_target(&mut self, target: Option<LogTarget>) {
        if target != self.target {
            self.target = target;
            self.rollout_revisions.clear();
            self.restart(LogStart::Recent);
        }
    }

    /// Empties the buffer and asks the worker to read again from `start`.
    pub fn restart(&mut self, start: LogStart) {
        self.buf.clear();
        self.search.matches.clear();
        self.errors = Default::default();
        self.start = start;
        self.generation += 1;
        self.cancel_backlog = false;
        self.fetched_at = None;
        self.error = None;
        self.status = TailStatus::default();
        self.backlog = None;
        self.follow = !matches!(start, LogStart::Range(..));
    }

    /// What the worker should follow while the lines are on screen.
    pub fn wanted(&self) -> Option<LogFollow> {
        Some(LogFollow {
            target: self.target.clone()?,
            pattern: self.pattern.clone(),
            start: self.start,
            generation: self.generation,
            cancel_backlog: self.cancel_backlog,
        })
    }

    /// Takes in a batch of the current follow's lines.
    pub fn take(&mut self, chunk: &LogChunk, at: At) {
        for l in &chunk.lines {
            let revision = chunk.tags.get(usize::from(l.tag)).map_or(0, |t| t.revision);
            self.errors.add(l.at, revision, l.meta.level());
        }
        let added = self.buf.append(chunk);
        self.search.take(&self.buf, added);
        self.fetched_at = Some(at);
        self.error = None;
    }

    /// Back to the newest line, following.
    pub fn resume(&mut self) {
        self.follow = true;
    }

    /// Only the matches are shown (a filter, without context).
    pub fn filtered(&self) -> bool {
        self.search.is_active() && !self.context
    }

    /// How many lines the pane shows.
    pub fn shown_len(&self) -> usize {
        if self.filtered() {
            self.search.matches.len()
        } else {
            self.buf.len()
        }
    }

    /// The line at position `pos` of those shown.
    pub fn seq_at(&self, pos: usize) -> Option<u64> {
        if self.filtered() {
            self.search.matches.get(pos).copied()
        } else {
            (pos < self.buf.len()).then(|| self.buf.first_seq() + pos as u64)
        }
    }

    /// The position of line `seq` among those shown, or of the nearest one before it.
    pub fn pos_of(&self, seq: u64) -> usize {
        let last = self.shown_len().saturating_sub(1);
        if self.filtered() {
            let (i, hit) = self.search.rank(seq);
            if hit { i } else { i.saturating_sub(1) }.min(last)
        } else {
            (seq.saturating_sub(self.buf.first_seq()) as usize).min(last)
        }
    }

    /// The selected line's position.
    pub fn cursor_pos(&self) -> usize {
        if self.follow {
            self.shown_len().saturating_sub(1)
        } else {
            self.pos_of(self.cursor)
        }
    }

    /// The last on-screen line's position.
    pub fn bottom_pos(&self) -> usize {
        if self.follow {
            self.shown_len().saturating_sub(1)
        } else {
            self.pos_of(self.bottom)
        }
    }

    /// The selected line.
    pub fn selected(&self) -> Option<LogRef<'_>> {
        self.buf.get(self.seq_at(self.cursor_pos())?)
    }

    /// Selects position `pos`, keeping it on a screen of `rows` lines; following again when
    /// it is the newest line and `follow_at_end` says so.
    pub fn select(&mut self, pos: usize, rows: usize, follow_at_end: bool) {
        let len = self.shown_len();
        if len == 0 {
            return;
        }
        let rows = rows.max(1);
        let pos = pos.min(len - 1);
        let bottom = self.bottom_pos();
        self.follow = follow_at_end && pos == len - 1;
        let Some(seq) = self.seq_at(pos) else { return };
        self.cursor = seq;
        let bottom = if pos > bottom {
            pos
        } else if pos + rows <= bottom {
            pos + rows - 1
        } else {
            bottom
        };
        self.bottom = self.seq_at(bottom.min(len - 1)).unwrap_or(seq);
    }

    /// Moves the selection by `delta` lines.
    pub fn step_by(&mut self, delta: isize, rows: usize) {
        let pos = (self.cursor_pos() as isize + delta).max(0) as usize;
        self.select(pos, rows, true);
    }

    /// The oldest line, at the top of a full screen.
    pub fn top(&mut self, rows: usize) {
        let len = self.shown_len();
        if len == 0 {
            return;
        }
        self.follow = false;
        self.cursor = self.seq_at(0).unwrap_or(0);
        let last = rows.max(1).min(len) - 1;
        self.bottom = self.seq_at(last).unwrap_or(self.cursor);
    }

    /// Sets the `/` filter. The selected line stays selected if it still shows, else the
    /// nearest one before it.
    pub fn set_filter(&mut self, text: &str, rows: usize) {
        let keep = (!self.follow).then_some(self.cursor);
        self.search.set(text, &self.buf);
        if let Some(seq) = keep {
            let pos = self.pos_of(seq);
            self.bottom = self.seq_at(pos).unwrap_or(0);
            self.select(pos, rows, false);
        }
    }

    /// Jumps to the next (`forward`) or previous match; wraps around. Returns what to say
    /// when it wrapped or found nothing.
    pub fn jump(&mut self, forward: bool, rows: usize) -> Option<&'static str> {
        let n = self.search.matches.len();
        if n == 0 {
            return Some(if self.search.is_active() {
                "no line matches the filter"
            } else {
                "no filter: / to search, then n and N jump between matches"
            });
        }
        let cur = self.seq_at(self.cursor_pos()).unwrap_or(0);
        let (i, hit) = self.search.rank(cur);
        let (next, wrapped) = match (forward, hit) {
            (true, true) if i + 1 < n => (i + 1, false),
            (true, false) if i < n => (i, false),
            (true, _) => (0, true),
            (false, _) if i > 0 => (i - 1, false),
            (false, _) => (n - 1, true),
        };
        let seq = self.search.matches[next];
        let pos = self.pos_of(seq);
        self.select(pos, rows, false);
        wrapped.then_some(if forward {
            "last match passed: back to the first"
        } else {
            "first match passed: on to the last"
        })
    }

    /// `3/41`: the selected match among all, or `-/41` when the selection is not a match.
    pub fn counter(&self) -> Option<String> {
        if !self.search.is_active() {
            return None;
        }
        let n = self.search.matches.len();
        let seq = self.seq_at(self.cursor_pos());
        Some(match seq.map(|s| self.search.rank(s)) {
            Some((i, true)) => format!("{}/{n}", i + 1),
            _ => format!("-/{n}"),
        })
    }

    /// Remembers the revisions of `svc`'s rollout (and of its canary), for the rollout box.
    pub fn note_rollout(&mut self, svc: &Service, canary: Option<&Service>) {
        let mut revs = vec![svc.target_revision()];
        for s in std::iter::once(svc).chain(canary) {
            revs.extend(s.deployments.iter().map(|d| d.task_def.revision));
            if let Some(n) = &s.native {
                revs.push(n.target.task_def.revision);
                revs.extend(n.sources.iter().map(|r| r.task_def.revision));
            }
        }
        for r in revs {
            if r != 0 && !self.rollout_revisions.contains(&r) {
                self.rollout_revisions.push(r);
            }
        }
        let extra = self
            .rollout_revisions
            .len()
            .saturating_sub(ROLLOUT_REVISIONS);
        self.rollout_revisions.drain(..extra);
    }
}

/// A `:save`: the buffer as it was when asked (its blocks shared, not copied) and which of its
/// lines to write.
#[derive(Clone)]
pub struct LogSave {
    pub path: std::path::PathBuf,
    /// `:save!`: an existing file may be replaced.
    pub replace: bool,
    pub buf: LogBuffer,
    /// The lines the filter keeps; None writes every line.
    pub only: Option<Vec<u64>>,
    /// What the file's first line says it holds.
    pub header: String,
}

/// Why a save did not happen; the file named is untouched.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0} exists: nothing was written (:save! {0} replaces it)")]
    Exists(std::path::PathBuf),
    #[error("{0} is a symbolic link: not followed, nothing was written (name the file itself)")]
    Symlink(std::path::PathBuf),
    #[error("{0} is not a regular file: nothing was written")]
    NotAFile(std::path::PathBuf),
    #[error("cannot save to {0}: it names no file")]
    NoFileName(std::path::PathBuf),
    #[error("cannot write {path}: {cause}; nothing was changed")]
    Io {
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
    #[error("the save stopped: {0}")]
    Stopped(String),
}

/// What was saved, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub lines: usize,
    pub path: std::path::PathBuf,
}

impl std::fmt::Display for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "saved {} lines to {}", self.lines, self.path.display())
    }
}

impl LogSave {
    pub fn lines(&self) -> usize {
        self.only.as_ref().map_or(self.buf.len(), Vec::len)
    }
}

impl std::fmt::Debug for LogSave {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LogSave({}, {} lines)",
            self.path.display(),
            self.lines()
        )
    }
}

impl PartialEq for LogSave {
    fn eq(&self, o: &Self) -> bool {
        self.path == o.path
            && self.replace == o.replace
            && self.only == o.only
            && self.header == o.header
            && (self.buf.first_seq(), self.buf.end_seq()) == (o.buf.first_seq(), o.buf.end_seq())
    }
}

impl Eq for LogSave {}

/// A line as it is saved and copied: full UTC time, task, revision, then the message.
pub fn export_line(l: &LogRef<'_>) -> String {
    let at = chrono::DateTime::from_timestamp_millis(l.at.millis())
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| l.at.millis().to_string());
    let rev = match l.tag.revision {
        0 => "r?".to_string(),
        r => format!("r{r}"),
    };
    let canary = if l.tag.side == crate::model::LogSide::Canary {
        " canary"
    } else {
        ""
    };
    format!("{at} {} {rev}{canary} {}", l.tag.task, l.message)
}
