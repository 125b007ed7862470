//! How ECS's own events reach the console (`[events]`): read from a queue or a log group, or
//! not at all (polling only), how many were applied and skipped, and how old the newest is.
//! The header says `events` or `polling` from this.

use crate::model::At;
use crate::state::State;

/// What the event worker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedReport {
    /// No `[events]` for this context: the console polls.
    Off,
    /// The source answers; how it is read (e.g. "queue q", "log group g, live").
    Up(String),
    /// Totals so far: events applied and messages skipped, the newest event's time.
    Counts(FeedCounts),
    /// The source cannot be read: the console polls meanwhile, and says why.
    Lost(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedCounts {
    pub applied: u64,
    /// Malformed or foreign messages, each counted once.
    pub skipped: u64,
    /// When ECS says the newest applied event happened.
    pub newest: Option<At>,
    /// Why the last skipped message was skipped.
    pub last_skip: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FeedMode {
    /// Polling only: no `[events]`, or the worker has not reported yet.
    #[default]
    Off,
    Up(String),
    Lost(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub mode: FeedMode,
    pub counts: FeedCounts,
}

impl Feed {
    /// Events arrive: the pollers only reconcile.
    pub fn is_up(&self) -> bool {
        matches!(self.mode, FeedMode::Up(_))
    }
}

/// Takes in a report; a change of mode is said in the footer once.
pub(super) fn on_report(state: &mut State, r: FeedReport) {
    let before = state.ctx.feed.clone();
    match r {
        FeedReport::Off => state.ctx.feed.mode = FeedMode::Off,
        FeedReport::Up(how) => {
            if matches!(before.mode, FeedMode::Lost(_)) {
                state.flash(format!("events: reading {how} again"));
            }
            state.ctx.feed.mode = FeedMode::Up(how);
        }
        FeedReport::Lost(why) => {
            if !matches!(&before.mode, FeedMode::Lost(w) if *w == why) {
                state.flash(format!("events lost, polling instead: {why}"));
            }
            state.ctx.feed.mode = FeedMode::Lost(why);
        }
        FeedReport::Counts(c) => state.ctx.feed.counts = c,
    }
    state.dirty |= state.ctx.feed != before;
}
