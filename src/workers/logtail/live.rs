//! Following through Live Tail: one session at a time, replaced before the three-hour limit
//! (the two overlap for a few seconds), and how a session's end decides what comes next.

use super::{
    Flow, LIVE_RETRY, OVERLAP, RECONNECT_FIRST, RECONNECT_MAX, ROTATE_AFTER, SOURCES_EVERY, Tail,
    next_of,
};
use crate::cloud::LiveStream;
use crate::model::{LiveEnd, LiveUpdate};
use crate::state::Watch;
use crate::state::logs::TailMode;
use crate::timing::now_ms;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

/// When a session could not be replaced, the next try.
const ROTATE_RETRY: Duration = Duration::from_secs(60);
/// A session that ends by itself sooner than this is not a real one: an emulator's Live Tail
/// sends what it holds and closes. Such an endpoint is polled instead.
const SHORT_SESSION: Duration = Duration::from_secs(30);

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
        let opened = Instant::now();
        let mut current = Some(stream);
        let mut old: Option<LiveStream> = None;
        let mut rotate_at = Instant::now() + ROTATE_AFTER;
        let mut overlap_end: Option<Instant> = None;
        loop {
            let sources_due = self
                .sources_at
                .map_or(Instant::now(), |t| t + SOURCES_EVERY);
            let far = Instant::now() + ROTATE_AFTER;
            tokio::select! {
                item = next_of(&mut current) => match item {
                    Some(Ok(u)) => self.live_update(u).await,
                    Some(Err(end)) => {
                        self.ended(end);
                        return Flow::Go;
                    }
                    None if opened.elapsed() < SHORT_SESSION => {
                        let why = "Live Tail sessions on this endpoint end as soon as they start";
                        self.ended(LiveEnd::Unavailable(why.into()));
                        return Flow::Go;
                    }
                    None => {
                        self.ended(LiveEnd::Broken("the session ended".into()));
                        return Flow::Go;
                    }
                },
                item = next_of(&mut old) => match item {
                    Some(Ok(u @ LiveUpdate::Events { .. })) => self.live_update(u).await,
                    Some(Ok(_)) => {}
                    _ => old = None,
                },
                _ = sleep_until(rotate_at) => {
                    match self.fleet.live_tail(&self.query()).await {
                        Ok(s) => {
                            old = current.replace(s);
                            overlap_end = Some(Instant::now() + OVERLAP);
                            rotate_at = Instant::now() + ROTATE_AFTER;
                        }
                        Err(end) => {
                            tracing::warn!(?end, "could not open the next Live Tail session");
                            rotate_at = Instant::now() + ROTATE_RETRY;
                        }
                    }
                },
                _ = sleep_until(overlap_end.unwrap_or(far)), if overlap_end.is_some() => {
                    old = None;
                    overlap_end = None;
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
