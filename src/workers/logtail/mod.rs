//! The log worker: follows what the logs pane (or the rollout view) shows, live through Live
//! Tail when it can, polling FilterLogEvents when it cannot, and loads backlogs.
//!
//! - A follow starts with its backlog (the last five minutes, or `:since` / `:range`), read page
//!   by page with progress, stopped by `Esc`.
//! - Then a Live Tail session. When the endpoint does not serve it, the account's sessions are
//!   used up or the credentials may not start one, it polls every `poll` and tries live again
//!   after `LIVE_RETRY`. A broken session is reconnected with backoff, polling meanwhile; a
//!   session is replaced before AWS's three-hour limit, the two overlapping for `OVERLAP`.
//!   After every (re)connect one poll from just before the newest line fills the gap; repeats
//!   are dropped by event id.
//! - The streams followed are listed again at most every `SOURCES_EVERY` (and on `r`); a task
//!   started in between is found by its stream prefix and attributed with one lookup.
//! - Leaving the pane closes the session (Live Tail is billed by the minute); coming back to the
//!   same follow goes on from the newest line instead of reading the backlog again.

mod attribute;
pub(crate) mod seen;

use crate::cloud::{Fleet, LiveStream};

use crate::model::{
    ApiError, At, GroupSpec, LiveEnd, LiveQuery, LiveUpdate, LogChunk, LogQuery, LogTag, Ms,
    RawEvent,
};
use crate::state::logs::{Backlog, BacklogEnd, LogFollow, LogStart, TailMode, TailStatus};
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
use attribute::{Attribution, Owner};
use futures::StreamExt;
use seen::Seen;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep};

/// How the worker reads.
#[derive(Debug, Clone, Copy)]
pub struct TailConfig {
    /// Between polls when not live.
    pub poll: Duration,
    /// Try Live Tail at all (`[logs] live_tail` in the config).
    pub live: bool,
}

/// The streams followed are listed again this often.
pub const SOURCES_EVERY: Duration = Duration::from_secs(15);
/// After Live Tail was unavailable, polling goes on this long before live is tried again.
pub const LIVE_RETRY: Duration = Duration::from_secs(60);
/// A session is replaced this long after it opened, before AWS ends it at three hours.
pub const ROTATE_AFTER: Duration = Duration::from_secs(3 * 3600 - 5 * 60);
/// The old and the new session both run this long; repeats are dropped.
pub const OVERLAP: Duration = Duration::from_secs(10);
/// A poll asks again from this long before its newest event: events ingested late still come.
pub const LATE_MS: Ms = Ms::secs(10);
/// A follow starts with this much backlog.
pub const RECENT_MS: Ms = Ms::mins(5);
/// Pages one poll reads before leaving the rest to the next.
const MAX_PAGES: usize = 20;
/// Streams asked about in one owners lookup, and how often one is made.
const OWNERS_BATCH: usize = 100;
const OWNERS_EVERY: Duration = Duration::from_secs(2);
/// Reconnect backoff after a broken session.
const RECONNECT_FIRST: Duration = Duration::from_secs(1);
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// Why a stage of a follow stopped.
enum Flow {
    /// The follow changed: start the new one.
    Changed,
    /// The loop has ended.
    Ended,
    /// Go on to the next stage.
    Go,
}

/// Runs until the loop ends, following whatever the watch says.
pub async fn run(
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    mut watch: watch::Receiver<Watch>,
    mut refresh: watch::Receiver<u64>,
    cfg: TailConfig,
) {
    let mut last: Option<Tail> = None;
    loop {
        let follow = watch.borrow_and_update().logs.clone();
        let Some(follow) = follow else {
            if watch.changed().await.is_err() {
                return;
            }
            continue;
        };
        let mut tail = match last.take() {
            Some(t) if t.follow.generation == follow.generation => t.resumed(follow),
            _ => Tail::new(fleet.clone(), tx.clone(), follow, cfg),
        };
        let flow = crate::budget::with_priority(
            crate::budget::Priority::Visible,
            tail.run(&mut watch, &mut refresh),
        )
        .await;
        match flow {
            Flow::Ended => return,
            Flow::Changed | Flow::Go => last = Some(tail),
        }
    }
}

/// One follow and what it has read.
struct Tail {
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    follow: LogFollow,
    cfg: TailConfig,
    who: Attribution,
    seen: Seen,
    /// The undecodable events counted, by id: a poll reads from a little before its last
    /// line, so the same bad event comes back, and must be counted once.
    bad_seen: Seen,
    /// The newest event's time: polls read from a little before it.
    cursor: At,
    /// Lines older than the follow's start are not shown, whatever sends them.
    window_from: At,
    /// After coming back to the pane, the first poll starts here: what was read before is
    /// not read again, whatever the repeat filter has forgotten since.
    floor: At,
    /// The backlog was read: coming back goes on from the cursor.
    started: bool,
    sources_at: Option<Instant>,
    owners_at: Option<Instant>,
    /// When Live Tail may be tried again, and why it is not used until then.
    live_at: Instant,
    why_polling: String,
    reconnect: Duration,
    status: TailStatus,
    sent: Option<TailStatus>,
}

impl Tail {
    fn new(
        fleet: Arc<dyn Fleet>,
        tx: mpsc::Sender<Msg>,
        follow: LogFollow,
        cfg: TailConfig,
    ) -> Self {
        Self {
            fleet,
            tx,
            follow,
            cfg,
            who: Attribution::default(),
            seen: Seen::default(),
            bad_seen: Seen::default(),
            cursor: At::EPOCH,
            window_from: At::EPOCH,
            floor: At::EPOCH,
            started: false,
            sources_at: None,
            owners_at: None,
            live_at: Instant::now(),
            why_polling: if cfg.live {
                String::new()
            } else {
                "Live Tail is off in the config".into()
            },
            reconnect: RECONNECT_FIRST,
            status: TailStatus::default(),
            sent: None,
        }
    }

    fn resumed(mut self, follow: LogFollow) -> Self {
        self.follow = follow;
        self.floor = self.cursor + Ms(1);
        self.live_at = Instant::now();
        self.sent = None;
        self
    }

    async fn run(
        &mut self,
        watch: &mut watch::Receiver<Watch>,
        refresh: &mut watch::Receiver<u64>,
    ) -> Flow {
        self.publish().await;
        if let Some(flow) = self.first_sources(watch).await {
            return flow;
        }
        if !self.started {
            match self.backlog(watch).await {
                Flow::Go => self.started = true,
                other => return other,
            }
        }
        if let LogStart::Range(..) = self.follow.start {
            self.status.mode = TailMode::Stopped;
            self.publish().await;
            return self.until_changed(watch).await;
        }
        loop {
            let flow = if self.cfg.live && Instant::now() >= self.live_at {
                self.try_live(watch, refresh).await
            } else {
                self.poll_until_live(watch, refresh).await
            };
            if !matches!(flow, Flow::Go) {
                return flow;
            }
        }
    }

    /// The follow's sources, tried until they come (a failure is shown on the pane).
    async fn first_sources(&mut self, watch: &mut watch::Receiver<Watch>) -> Option<Flow> {
        let mut wait = RECONNECT_FIRST;
        loop {
            match self.refresh_sources().await {
                Ok(_) => return None,
                Err(e) => self.fail(e).await,
            }
            tokio::select! {
                _ = sleep(wait) => wait = (wait * 2).min(RECONNECT_MAX),
                flow = self.changed(watch) => if let Some(f) = flow { return Some(f) },
            }
        }
    }

    /// Lists the follow's streams again; true when what is read changed.
    async fn refresh_sources(&mut self) -> Result<bool, ApiError> {
        let sources = self.fleet.log_sources(&self.follow.target).await?;
        self.sources_at = Some(Instant::now());
        Ok(self.who.set_sources(sources))
    }

    async fn sources_if_due(&mut self) -> bool {
        let due = self
            .sources_at
            .is_none_or(|at| at.elapsed() >= SOURCES_EVERY);
        if !due {
            return false;
        }
        match self.refresh_sources().await {
            Ok(changed) => changed,
            Err(e) => {
                self.sources_at = Some(Instant::now());
                self.fail(e).await;
                false
            }
        }
    }

    /// Waits for a change of the watch that matters: None while the follow stays (a cancel
    /// flag is taken in), else how it ended.
    async fn changed(&mut self, watch: &mut watch::Receiver<Watch>) -> Option<Flow> {
        loop {
            if watch.changed().await.is_err() {
                return Some(Flow::Ended);
            }
            if let Some(flow) = self.check(watch) {
                return Some(flow);
            }
        }
    }

    /// Whether the follow changed (without waiting).
    fn check(&mut self, watch: &mut watch::Receiver<Watch>) -> Option<Flow> {
        let w = watch.borrow_and_update();
        match &w.logs {
            Some(f) if f.generation == self.follow.generation && f.target == self.follow.target => {
                self.follow.cancel_backlog = f.cancel_backlog;
                None
            }
            _ => Some(Flow::Changed),
        }
    }

    async fn until_changed(&mut self, watch: &mut watch::Receiver<Watch>) -> Flow {
        self.changed(watch).await.unwrap_or(Flow::Changed)
    }

    fn query(&self) -> LiveQuery {
        LiveQuery {
            groups: self.who.sources.groups.clone(),
            pattern: self.follow.pattern.clone(),
        }
    }

    /// Counts the undecodable events not counted before.
    fn count_undecodable(&mut self, ids: &[u64]) {
        let now = Instant::now();
        let new = ids
            .iter()
            .filter(|id| self.bad_seen.insert(**id, now))
            .count();
        self.status.undecodable += new as u64;
    }

    async fn send(&self, msg: Msg) -> bool {
        self.tx.send(msg).await.is_ok()
    }

    async fn fail(&self, e: ApiError) {
        tracing::warn!(error = %e, "logs");
        self.send(Msg::Failed(Pane::Logs, e, now_ms())).await;
    }

    /// Tells the pane how lines are read, when that changed.
    async fn publish(&mut self) {
        if self.sent.as_ref() != Some(&self.status) {
            self.sent = Some(self.status.clone());
            let msg = Msg::LogStatus(self.follow.generation, self.status.clone());
            self.send(msg).await;
        }
    }
}

mod backlog;
mod live;
mod poll;

/// Events to lines: repeats dropped, owners found, cleaned and read once, in time order.
impl Tail {
    async fn ingest(&mut self, events: Vec<RawEvent>) -> usize {
        let now = Instant::now();
        let mut lines: Vec<(LogTag, RawEvent)> = Vec::with_capacity(events.len());
        for e in events {
            if e.at < self.window_from || !self.seen.insert(e.id(), now) {
                continue;
            }
            self.cursor = self.cursor.max(e.at);
            if let (Owner::Tag(tag), Some(e)) = self.who.owner(e) {
                lines.push((tag, e));
            }
        }
        lines.extend(self.resolve_owners().await);
        lines.sort_by_key(|(_, e)| e.at);
        let mut chunk = LogChunk::default();
        for (tag, e) in &lines {
            let t = chunk.tag_index(tag);
            chunk.push(e.at, t, &e.message);
        }
        let n = chunk.len();
        self.send(Msg::LogFeed(
            self.follow.generation,
            Box::new(chunk),
            now_ms(),
        ))
        .await;
        n
    }

    /// Asks who wrote the streams that appeared, at most every `OWNERS_EVERY`.
    async fn resolve_owners(&mut self) -> Vec<(LogTag, RawEvent)> {
        if !self.who.has_pending() || self.owners_at.is_some_and(|t| t.elapsed() < OWNERS_EVERY) {
            return Vec::new();
        }
        self.owners_at = Some(Instant::now());
        let streams = self.who.waiting(OWNERS_BATCH);
        let owners = match self.fleet.log_owners(&self.follow.target, &streams).await {
            Ok(o) => Some(o),
            Err(e) => {
                tracing::warn!(error = %e, "who wrote the new log streams");
                None
            }
        };
        self.who.resolve(&streams, owners)
    }

    /// Reads `group` from `from` (to `to`) page by page, taking in each page; stops after
    /// `max_pages`. Returns the pages read and the lines they gave.
    async fn read_pages(
        &mut self,
        group: &GroupSpec,
        (from, to): (At, Option<At>),
        max_pages: usize,
    ) -> Result<(usize, usize), ApiError> {
        let q = LogQuery {
            group: group.clone(),
            from,
            to,
            pattern: self.follow.pattern.clone(),
        };
        let (mut token, mut pages, mut lines) = (None, 0, 0);
        while pages < max_pages {
            let page = self.fleet.log_page(&q, token.take()).await?;
            pages += 1;
            self.count_undecodable(&page.undecodable);
            lines += self.ingest(page.events).await;
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok((pages, lines))
    }

    /// One poll of every group, from just before the newest line.
    async fn poll_once(&mut self) -> Result<(), ApiError> {
        let from = (self.cursor - LATE_MS).max(self.floor).max(At::EPOCH);
        for g in self.who.sources.groups.clone() {
            self.read_pages(&g, (from, None), MAX_PAGES).await?;
        }
        self.floor = At::EPOCH;
        if self.who.sources.groups.is_empty() {
            // Nothing to read yet: still a successful poll for the pane's age.
            self.ingest(Vec::new()).await;
        }
        self.publish().await;
        Ok(())
    }
}

/// `since 14:05:10 UTC` / `range 14:00:00–14:30:00 UTC`: what a backlog load reads.
fn label(start: LogStart) -> Option<String> {
    let clock = crate::model::text::clock;
    match start {
        LogStart::Recent => None,
        LogStart::Since(f) => Some(format!("since {} UTC", clock(f))),
        LogStart::Range(f, t) => Some(format!("range {}–{} UTC", clock(f), clock(t))),
    }
}

/// A live session's next item, or never when there is none.
async fn next_of(s: &mut Option<LiveStream>) -> Option<Result<LiveUpdate, LiveEnd>> {
    match s {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// Backlog progress as the pane shows it.
fn progress(
    label: &str,
    lines: u64,
    pages: u64,
    since: Instant,
    end: Option<BacklogEnd>,
) -> Backlog {
    Backlog {
        label: label.to_string(),
        lines,
        pages,
        elapsed: Ms::from_std(since.elapsed()),
        end,
    }
}
