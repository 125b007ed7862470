//! The event worker: reads ECS's own events (`[events]`) and has the console re-read just what
//! each one names, at once. The services an event names go to the services re-reader
//! (`Reread`); a task event also wakes the poller of the tasks on screen (`Moved`). A queue
//! message is deleted only after what it said was applied (the re-read rows reached the loop);
//! a malformed or foreign message is skipped, counted once, and deleted too.
//!
//! While events arrive (`live` is true) the pollers only reconcile, slowly; when the source
//! cannot be read the worker says so, `live` drops, the pollers poll as before, and the worker
//! tries the source again with backoff.

mod group;

use crate::budget::{Priority, with_caller, with_priority};
use crate::cloud::Fleet;
use crate::model::ApiError;
use crate::model::{Delivery, EventAck, EventSource, ServiceRef};
use crate::state::Msg;
use crate::state::feed::{FeedCounts, FeedReport};
use crate::workers::backoff::Backoff;
use crate::workers::logtail::seen::Seen;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep};

/// After the source failed, the first retry comes at least this late.
const RETRY_FIRST: Duration = Duration::from_secs(5);

/// Services to read again now; `done` says whether their rows reached the loop.
#[derive(Debug)]
pub struct Reread {
    pub services: Vec<ServiceRef>,
    pub done: oneshot::Sender<bool>,
}

/// Tasks that moved, for the pollers of tasks on screen: bumped once per batch of events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moved {
    pub seq: u64,
    pub services: Vec<ServiceRef>,
}

/// How the worker reaches the pollers.
pub struct Links {
    pub reread: mpsc::Sender<Reread>,
    pub moved: Arc<watch::Sender<Moved>>,
    /// True while events arrive: the pollers only reconcile.
    pub live: watch::Sender<bool>,
}

/// How often the log group is read when Live Tail is not served.
#[derive(Debug, Clone, Copy)]
pub struct FeedConfig {
    pub poll: Duration,
    pub live_tail: bool,
}

/// Runs until the loop ends (or at once, saying `polling`, without `[events]`).
pub async fn run(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>, links: Links, cfg: FeedConfig) {
    let Some(source) = fleet.event_source() else {
        let _ = tx.send(Msg::Feed(FeedReport::Off)).await;
        return;
    };
    let mut w = Worker {
        fleet,
        tx,
        links,
        counts: FeedCounts::default(),
        seen: Seen::default(),
        backoff: Backoff::new(crate::timing::now_ms().millis() as u64),
        up: None,
    };
    let work = async {
        match source {
            EventSource::Queue(url) => w.queue(&url).await,
            EventSource::LogGroup(g) => w.group(&g, cfg).await,
        }
    };
    with_caller("events", with_priority(Priority::Visible, work)).await;
}

struct Worker {
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    links: Links,
    counts: FeedCounts,
    seen: Seen,
    backoff: Backoff,
    /// How the source is read while it answers; None while it does not.
    up: Option<String>,
}

/// The loop has ended: the worker stops.
struct Ended;

impl Worker {
    async fn queue(&mut self, url: &str) {
        loop {
            let got = self.fleet.receive_events().await;
            let flow = match got {
                Ok(deliveries) => match self.is_up(format!("queue {url}")).await {
                    Ok(()) => self.apply(deliveries).await,
                    Err(e) => Err(e),
                },
                Err(e) => self.lost(&e).await,
            };
            if flow.is_err() {
                return;
            }
        }
    }

    /// The source answered: say so once, and let the pollers slow down.
    async fn is_up(&mut self, how: String) -> Result<(), Ended> {
        self.backoff.reset();
        if self.up.as_ref() == Some(&how) {
            return Ok(());
        }
        tracing::info!(%how, "ECS events arrive");
        self.up = Some(how.clone());
        self.set_live(true);
        self.report(FeedReport::Up(how)).await
    }

    /// The source cannot be read: poll meanwhile, say why, and wait before trying again.
    async fn lost(&mut self, e: &ApiError) -> Result<(), Ended> {
        let why = e.to_string();
        tracing::warn!(%why, "ECS events cannot be read: polling");
        self.up = None;
        self.set_live(false);
        self.report(FeedReport::Lost(why)).await?;
        sleep(self.backoff.next_delay().max(RETRY_FIRST)).await;
        Ok(())
    }

    /// Tells the pollers only when it changes: each change has them reconcile in full.
    fn set_live(&self, live: bool) {
        self.links.live.send_if_modified(|v| {
            let changed = *v != live;
            *v = live;
            changed
        });
    }

    async fn report(&self, r: FeedReport) -> Result<(), Ended> {
        self.tx.send(Msg::Feed(r)).await.map_err(|_| Ended)
    }

    /// Applies a batch: counts what is skipped (once per message), has the named services
    /// read again and waits until their rows reached the loop, wakes the tasks on screen,
    /// and only then deletes the queue's messages.
    async fn apply(&mut self, deliveries: Vec<Delivery>) -> Result<(), Ended> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let mut services = BTreeSet::new();
        let mut moved = Vec::new();
        let mut acks: Vec<EventAck> = Vec::new();
        let before = self.counts.clone();
        for d in deliveries {
            acks.extend(d.ack);
            if !d.id.is_empty() && !self.seen.insert(id_of(&d.id), Instant::now()) {
                continue; // delivered again: applied (or counted) already
            }
            self.take(d.event, &mut services, &mut moved);
        }
        if !moved.is_empty() {
            self.links.moved.send_modify(|m| {
                m.seq += 1;
                m.services = moved;
            });
        }
        if !services.is_empty() && !self.reread(services.into_iter().collect()).await? {
            // Not applied: the messages stay and come back after the visibility timeout.
            return Ok(());
        }
        if !acks.is_empty() {
            self.delete(&acks).await;
        }
        if self.counts != before {
            self.report(FeedReport::Counts(self.counts.clone())).await?;
        }
        Ok(())
    }

    /// One event's part: the service it names, the tasks it moves, or why it was skipped.
    fn take(
        &mut self,
        event: Result<crate::model::EcsEvent, crate::model::Skipped>,
        services: &mut BTreeSet<ServiceRef>,
        moved: &mut Vec<ServiceRef>,
    ) {
        match event {
            Ok(e) => {
                self.counts.applied += 1;
                self.counts.newest = self.counts.newest.max(Some(e.at));
                if let Some(s) = e.service() {
                    if matches!(
                        e.change,
                        crate::model::EventChange::Task { .. }
                            | crate::model::EventChange::Deployment { .. }
                    ) {
                        moved.push(s.clone());
                    }
                    services.insert(s);
                }
            }
            Err(skip) => {
                tracing::warn!(%skip, "event skipped");
                self.counts.skipped += 1;
                self.counts.last_skip = Some(skip.to_string());
            }
        }
    }

    /// Has the services read again; true once their rows reached the loop.
    async fn reread(&self, services: Vec<ServiceRef>) -> Result<bool, Ended> {
        let (done, applied) = oneshot::channel();
        let ask = Reread { services, done };
        self.links.reread.send(ask).await.map_err(|_| Ended)?;
        applied.await.map_err(|_| Ended)
    }

    async fn delete(&self, acks: &[EventAck]) {
        match self.fleet.events_applied(acks).await {
            Ok(0) => {}
            // Read-only: no write leaves the console, deletes neither.
            Ok(_) if self.fleet.read_only() => {}
            Ok(n) => tracing::warn!(n, "messages not deleted: they come back and are re-read"),
            Err(e) => tracing::warn!(error = %e, "messages not deleted: they come back"),
        }
    }
}

/// A message's id as the repeat filter keeps it.
fn id_of(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}
