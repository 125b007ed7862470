//! Following through Live Tail: one session at a time, replaced before the three-hour limit
//! (the two overlap for a few seconds), and how a session's end decides what comes next.

use crate::cloud::LiveStream;
use crate::model::{LiveEnd, LiveUpdate};
use crate::state::Watch;
use crate::state::logs::TailMode;
use crate::timing::now_ms;
use crate::workers::logtail::{
    Flow, LIVE_RETRY, OVERLAP, RECONNECT_FIRST, RECONNECT_MAX, ROTATE_AFTER, SOURCES_EVERY, Tail,
    next_of,
};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

/// When a session could not be replaced, the next try.
const ROTATE_RETRY: Duration = Duration::from_secs(60);
/// A session that ends by itself sooner than this is not a real one: an emulator's Live Tail
/// sends what it holds and closes. Such an endpoint is polled instead.
const SHORT_SESSION: Duration = Duration::from_secs(30);

/// The sessions of a live follow: the current one, and the one it replaces while they overlap.
struct Sessions {
    opened: Instant,
    current: Option<LiveStream>,
    old: Option<LiveStream>,
    rotate_at: Instant,
    overlap_end: Option<Instant>,
}

impl Tail {
    pub(super) async fn try_live(
        &mut self,
        watch: &mut watch::Receiver<Watch>,
        refresh: &mut watch::Receiver<u64>,
    ) -> Flow {
        match self.fleet.live_tail(&self.query()).await {
            Ok(stream) => self.live(stream, watch, refresh).await,
            Err(end) => {
                self.ended(end);
                Flow::Go
            }
        }
    }

    /// What comes after a session ended (or could not start).
    pub(super) fn ended(&mut self, end: LiveEnd) {
        let now = Instant::now();
        match end {
            LiveEnd::Timeout => self.live_at = now,
            LiveEnd::Unavailable(why) => {
                tracing::info!(%why, "Live Tail unavailable: polling");
                self.live_at = now + LIVE_RETRY;
                self.why_polling = why;
                self.status.disconnected_since = None;
            }
            LiveEnd::Broken(why) => {
                tracing::warn!(%why, "Live Tail session broke: reconnecting");
                self.status.disconnected_since.get_or_insert(now_ms());
                self.live_at = now + self.reconnect;
                self.reconnect = (self.reconnect * 2).min(RECONNECT_MAX);
                self.why_polling = format!("Live Tail reconnecting: {why}");
            }
        }
    }

    async fn live(
        &mut self,
        stream: LiveStream,
        watch: &mut watch::Receiver<Watch>,
        refresh: &mut watch::Receiver<u64>,
    ) -> Flow {
        let mut s = Sessions {
            opened: Instant::now(),
            current: Some(stream),
            old: None,
            rotate_at: Instant::now() + ROTATE_AFTER,
            overlap_end: None,
        };
        loop {
            let sources_due = self
                .sources_at
                .map_or(Instant::now(), |t| t + SOURCES_EVERY);
            let far = Instant::now() + ROTATE_AFTER;
            tokio::select! {
                item = next_of(&mut s.current) => {
                    if let Some(flow) = self.current_item(item, s.opened).await {
                        return flow;
                    }
                },
                item = next_of(&mut s.old) => match item {
                    Some(Ok(u @ LiveUpdate::Events { .. })) => self.live_update(u).await,
                    Some(Ok(_)) => {}
                    _ => s.old = None,
                },
                _ = sleep_until(s.rotate_at) => self.rotate(&mut s).await,
                _ = sleep_until(s.overlap_end.unwrap_or(far)), if s.overlap_end.is_some() => {
                    s.old = None;
                    s.overlap_end = None;
                },
                _ = sleep_until(sources_due) => {
                    if self.sources_if_due().await {
                        // Other groups or prefixes: a session for them.
                        self.live_at = Instant::now();
                        return Flow::Go;
                    }
                    self.ingest(Vec::new()).await;
                },
                r = refresh.changed() => {
                    if r.is_err() {
                        return Flow::Ended;
                    }
                    self.sources_at = None;
                },
                r = watch.changed() => {
                    if r.is_err() {
                        return Flow::Ended;
                    }
                    if let Some(flow) = self.check(watch) {
                        return flow;
                    }
                },
            }
        }
    }

    /// An item of the current session; Some when the session is over.
    async fn current_item(
        &mut self,
        item: Option<Result<LiveUpdate, LiveEnd>>,
        opened: Instant,
    ) -> Option<Flow> {
        let end = match item {
            Some(Ok(u)) => {
                self.live_update(u).await;
                return None;
            }
            Some(Err(end)) => end,
            None if opened.elapsed() < SHORT_SESSION => LiveEnd::Unavailable(
                "Live Tail sessions on this endpoint end as soon as they start".into(),
            ),
            None => LiveEnd::Broken("the session ended".into()),
        };
        self.ended(end);
        Some(Flow::Go)
    }

    /// Opens the next session before the three-hour limit; the current one runs on through
    /// the overlap.
    async fn rotate(&mut self, s: &mut Sessions) {
        match self.fleet.live_tail(&self.query()).await {
            Ok(next) => {
                s.old = s.current.replace(next);
                s.overlap_end = Some(Instant::now() + OVERLAP);
                s.rotate_at = Instant::now() + ROTATE_AFTER;
            }
            Err(end) => {
                tracing::warn!(?end, "could not open the next Live Tail session");
                s.rotate_at = Instant::now() + ROTATE_RETRY;
            }
        }
    }

    async fn live_update(&mut self, u: LiveUpdate) {
        match u {
            LiveUpdate::Started { session } => {
                tracing::info!(%session, "Live Tail session open");
                self.reconnect = RECONNECT_FIRST;
                self.status.disconnected_since = None;
                self.status.mode = TailMode::Live;
                self.publish().await;
                // The lines between the last one read and the session's start.
                if let Err(e) = self.poll_once().await {
                    self.fail(e).await;
                }
            }
            LiveUpdate::Events { events, sampled } => {
                if sampled {
                    self.status.sampled += 1;
                    self.publish().await;
                }
                self.ingest(events).await;
            }
        }
    }
}
