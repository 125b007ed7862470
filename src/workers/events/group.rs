//! Events from a CloudWatch Logs group the rule writes to, many consoles sharing it: followed
//! with Live Tail (the calls the logs pane makes), and polled with FilterLogEvents where Live
//! Tail is not served. Nothing is deleted: the group keeps its events for everyone.

use crate::cloud::LiveStream;
use crate::model::{ApiError, ErrorKind};
use crate::model::{At, Delivery, GroupSpec, LiveEnd, LiveQuery, LiveUpdate, LogQuery, RawEvent};
use crate::timing::now_ms;
use crate::workers::events::{Ended, FeedConfig, Worker};
use crate::workers::logtail::{LATE_MS, LIVE_RETRY};
use futures::StreamExt;
use std::time::Duration;
use tokio::time::{Instant, sleep};

/// A session that ends by itself sooner than this is not a real one (an emulator's sends what
/// it holds and closes): the group is polled instead.
const SHORT_SESSION: Duration = Duration::from_secs(30);
/// Far enough to mean never.
const NEVER: Duration = Duration::from_secs(100 * 365 * 86_400);
/// Pages one poll reads at most.
const MAX_PAGES: usize = 20;

/// Where a follow of the group stands.
struct Follow {
    group: String,
    /// Events from here on are read; a poll asks from a little before.
    cursor: At,
    /// Live Tail is tried again from this time.
    live_at: Instant,
}

impl Worker {
    pub(super) async fn group(&mut self, group: &str, cfg: FeedConfig) {
        let mut f = Follow {
            group: group.to_string(),
            cursor: now_ms(),
            // Without Live Tail (`[logs] live_tail = false`), never.
            live_at: Instant::now() + if cfg.live_tail { Duration::ZERO } else { NEVER },
        };
        loop {
            let flow = if Instant::now() >= f.live_at {
                self.live(&mut f).await
            } else {
                let polled = self.poll(&mut f).await;
                sleep(cfg.poll).await;
                polled
            };
            if flow.is_err() {
                return;
            }
        }
    }

    /// One Live Tail session, until it ends.
    async fn live(&mut self, f: &mut Follow) -> Result<(), Ended> {
        let q = LiveQuery {
            groups: vec![GroupSpec {
                group: f.group.clone(),
                prefixes: Vec::new(),
            }],
            pattern: None,
        };
        match self.fleet.live_tail(&q).await {
            Ok(stream) => self.session(stream, f).await,
            Err(end) => self.ended(end, f).await,
        }
    }

    async fn session(&mut self, mut stream: LiveStream, f: &mut Follow) -> Result<(), Ended> {
        let opened = Instant::now();
        while let Some(item) = stream.next().await {
            match item {
                Ok(LiveUpdate::Started { .. }) => {
                    self.is_up(format!("log group {}, live", f.group)).await?;
                    // What was written between the last read and the session's start.
                    self.poll(f).await?;
                }
                Ok(LiveUpdate::Events { events, .. }) => self.events(events, f).await?,
                Err(end) => return self.ended(end, f).await,
            }
        }
        let end = if opened.elapsed() < SHORT_SESSION {
            LiveEnd::Unavailable(
                "Live Tail sessions on this endpoint end as soon as they start".into(),
            )
        } else {
            LiveEnd::Broken("the session ended".into())
        };
        self.ended(end, f).await
    }

    /// After a session: another at once (three hours are up), polling for a while (Live Tail
    /// is not served here), or a reconnect after a pause (the session broke).
    async fn ended(&mut self, end: LiveEnd, f: &mut Follow) -> Result<(), Ended> {
        match end {
            LiveEnd::Timeout => Ok(()),
            LiveEnd::Unavailable(why) => {
                tracing::info!(%why, "events log group: Live Tail unavailable, polling it");
                f.live_at = Instant::now() + LIVE_RETRY;
                // The next poll says the group is polled.
                self.up = None;
                Ok(())
            }
            LiveEnd::Broken(why) => {
                f.live_at = Instant::now();
                self.lost(&ApiError::new(ErrorKind::Unreachable, why)).await
            }
        }
    }

    /// Reads the group with FilterLogEvents from a little before the newest event read.
    async fn poll(&mut self, f: &mut Follow) -> Result<(), Ended> {
        let q = LogQuery {
            group: GroupSpec {
                group: f.group.clone(),
                prefixes: Vec::new(),
            },
            from: f.cursor - LATE_MS,
            to: None,
            pattern: None,
        };
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let page = match self.fleet.log_page(&q, token.take()).await {
                Ok(p) => p,
                Err(e) => return self.lost(&e).await,
            };
            self.is_up(match self.up.as_deref() {
                Some(how) if how.ends_with("live") => how.to_string(),
                _ => format!("log group {}, polled", f.group),
            })
            .await?;
            self.events(page.events, f).await?;
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(())
    }

    async fn events(&mut self, events: Vec<RawEvent>, f: &mut Follow) -> Result<(), Ended> {
        f.cursor = events.iter().map(|e| e.at).fold(f.cursor, At::max);
        let deliveries = events
            .into_iter()
            .map(|e| Delivery {
                id: e.id().to_string(),
                event: self.fleet.read_event(&e.message),
                ack: None,
            })
            .collect();
        self.apply(deliveries).await
    }
}
