//! One poller per pane. Each polls only while its pane is on screen, has at most one call in
//! flight (it awaits its own call), and merges repeated refresh requests into one. The loop
//! tells the pollers what is on screen through a watch channel.
//!
//! The services poller asks only what changed (`pace.rs`); with ECS's events arriving
//! (`events`), it only reconciles, and the re-reader (`reread.rs`) reads what each event
//! names. The tasks on screen are read every `normal`, and at once (at most every `fast`) when
//! their service changed: an event said so, or the services poller saw its row change.

use crate::budget::{self, Priority};
use crate::cloud::{Fleet, Listing};
use crate::model::{Alarm, At, Service, ServiceKey, Task};
use crate::model::{ApiError, ErrorKind};
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
use crate::workers::backoff::Backoff;
use crate::workers::events::Moved;
use crate::workers::evidence::Listed;
use crate::workers::linking::Linking;
use crate::workers::metrics;
use crate::workers::pace::Pace;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub fast: Duration,
    pub normal: Duration,
    /// How often the logs pane asks for new lines when not live.
    pub logs: Duration,
    /// How often alarms are polled while neither their pane nor a rollout is on screen (the
    /// tab's badge and the service rows show them everywhere).
    pub alarms: Duration,
    /// Follow logs with Live Tail when the endpoint allows it.
    pub live_tail: bool,
    /// With ECS's events arriving, the full refresh of the services comes this often.
    pub reconcile: Duration,
}

/// With ECS's events arriving, the tasks on screen are read this often besides when an event
/// says they moved.
const TASKS_WITH_EVENTS: Duration = Duration::from_secs(60);

pub struct Handles {
    pub watch: watch::Sender<Watch>,
    /// Bumped to ask every poller to poll now.
    pub refresh: watch::Sender<u64>,
    /// What the evidence worker should fetch.
    pub evidence: watch::Sender<crate::state::rollout::evidence::Request>,
    /// The context's workers, stopped when the handles go (a context switch), so none of
    /// them calls the old account again.
    pub tasks: Vec<tokio::task::AbortHandle>,
}

impl Drop for Handles {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Whether the data of `pane` is wanted on the screen `w` describes.
fn wanted(pane: Pane, w: &Watch) -> bool {
    match pane {
        // The rollout view and the timeline show its service's row too; an action being
        // followed reads them on any pane, so its wait sees the service settle.
        Pane::Services => {
            matches!(w.pane, Pane::Services | Pane::Rollout | Pane::Timeline) || w.acting
        }
        Pane::Tasks => w.pane == Pane::Tasks,
        // The builds pane joins runs to their images too.
        Pane::Images => matches!(w.pane, Pane::Images | Pane::Builds),
        // Everywhere: the tab's badge and the service rows show them (see `interval`).
        Pane::Alarms => true,
        // The log worker follows the logs (`logtail`), not a poller.
        Pane::Logs => false,
        // The rollout view's tasks: its service's only.
        Pane::Rollout => w.pane == Pane::Rollout && w.service.is_some(),
        // Polled by the CI worker (workers::ci), not from the fleet.
        Pane::Builds => false,
        // Read once when asked, by the timeline worker (workers::timeline).
        Pane::Timeline => false,
    }
}

/// The rollout view is on screen, for a service.
fn rollout_visible(w: &Watch) -> bool {
    w.pane == Pane::Rollout && w.service.is_some()
}

/// The data of `pane` is what the screen is about: its own pane, or the alarms of a rollout
/// on screen. Other wanted data (the alarms behind the tab's badge) is background work.
fn on_screen(pane: Pane, w: &Watch) -> bool {
    w.pane == pane || (pane == Pane::Alarms && rollout_visible(w))
}

/// Whether a pane's data is read by a poller of its own (`run`); the logs have the log worker
/// (`logtail`), the builds the CI worker (`workers::ci`).
pub fn polls(pane: Pane) -> bool {
    match pane {
        Pane::Services | Pane::Tasks | Pane::Images | Pane::Alarms | Pane::Rollout => true,
        Pane::Logs | Pane::Builds | Pane::Timeline => false,
    }
}

/// What a context's pollers share: its backend, the loop's channel, what is on screen, and
/// what the other workers prepared for the services and alarms or say of the events.
#[derive(Clone)]
pub struct Shared {
    pub fleet: Arc<dyn Fleet>,
    pub tx: mpsc::Sender<Msg>,
    pub watch: watch::Receiver<Watch>,
    pub refresh: watch::Receiver<u64>,
    pub intervals: Intervals,
    /// The metrics worker's latest CPU and memory.
    pub series: metrics::Series,
    /// Native deployment histories the evidence worker fetched.
    pub listed: Listed,
    /// The lists alarms are linked over, shared by the services and alarms pollers.
    pub linking: Linking,
    /// True while ECS's events arrive (the event worker's word).
    pub live: watch::Receiver<bool>,
    /// Tasks that moved: the event worker and the services poller say so.
    pub moved: Arc<watch::Sender<Moved>>,
}

/// What only the services poller has.
pub struct ServicesOnly {
    /// Where it publishes the services' keys for the metrics worker.
    pub keys: watch::Sender<Arc<Vec<ServiceKey>>>,
    /// Told when the first load is in.
    pub loaded: watch::Sender<bool>,
}

/// The poller of `pane` (one that `polls`), until the loop drops its channel. The services
/// poller is given what only it has.
pub async fn run(pane: Pane, shared: Shared, services: Option<ServicesOnly>) {
    Poller::new(pane, &shared, services).run().await
}

/// What a poll brought. Services and alarms are prepared for the loop (`linking`) before they
/// are sent.
enum Polled {
    Msg(Msg),
    Services(Vec<Service>, At),
    Alarms(Vec<Alarm>, At),
}

/// Why a wait ended.
#[derive(Debug, PartialEq, Eq)]
enum Wake {
    /// Time to poll.
    Due,
    /// `r`: read everything now.
    Refresh,
    /// The loop has ended.
    Ended,
}

struct Poller {
    pane: Pane,
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    watch: watch::Receiver<Watch>,
    refresh: watch::Receiver<u64>,
    iv: Intervals,
    backoff: Backoff,
    /// A whole load has been delivered (services).
    loaded: bool,
    services: Option<ServicesOnly>,
    /// The metrics worker's latest CPU and memory, added to service rows before they go.
    series: metrics::Series,
    /// Native deployment histories the evidence worker fetched, kept with the services.
    listed: Listed,
    /// The lists alarms are linked over, shared by the services and alarms pollers.
    linking: Linking,
    /// What the last poll could not read while the rest came (a cluster not found).
    partial: Option<ApiError>,
    /// True while ECS's events arrive: the pollers only reconcile.
    live: watch::Receiver<bool>,
    /// Tasks that moved: an event said so, or the services poller saw their service change.
    moved: watch::Receiver<Moved>,
    moved_tx: Arc<watch::Sender<Moved>>,
    /// Services: when the last full refresh started, and the services it counted.
    last_full: Option<Instant>,
    count: usize,
    /// Services: the focus service, what its row looked like (to tell its tasks when it
    /// changed), and its pair.
    focus_seen: Option<(ServiceKey, String, Option<ServiceKey>)>,
    /// When the last poll started.
    started: Option<Instant>,
}

impl Poller {
    fn new(pane: Pane, s: &Shared, services: Option<ServicesOnly>) -> Self {
        Self {
            pane,
            fleet: s.fleet.clone(),
            tx: s.tx.clone(),
            watch: s.watch.clone(),
            refresh: s.refresh.clone(),
            iv: s.intervals,
            backoff: Backoff::new(now_ms().millis() as u64 ^ pane as u64),
            loaded: false,
            services,
            series: s.series.clone(),
            listed: s.listed.clone(),
            linking: s.linking.clone(),
            partial: None,
            live: s.live.clone(),
            moved: s.moved.subscribe(),
            moved_tx: s.moved.clone(),
            last_full: None,
            count: 0,
            focus_seen: None,
            started: None,
        }
    }

    async fn run(mut self) {
        let mut wake = Wake::Due;
        loop {
            let w = self.watch.borrow_and_update().clone();
            self.refresh.borrow_and_update();
            self.moved.borrow_and_update();
            let delay = if wanted(self.pane, &w) {
                match self.poll_once(&w, wake == Wake::Refresh).await {
                    Some(delay) => delay,
                    None => return, // the loop has ended
                }
            } else {
                Duration::from_secs(3600)
            };
            wake = self.wait(delay, &w).await;
            if wake == Wake::Ended {
                return;
            }
        }
    }

    /// Polls, reports the data or the failure, and says how long to wait before the next poll.
    /// None when the loop has ended. `forced`: `r` asked for everything.
    async fn poll_once(&mut self, w: &Watch, forced: bool) -> Option<Duration> {
        // A poller polls what is on screen; alarms off screen go in the background. A call
        // unanswered for long is said so.
        let started = Instant::now();
        self.started = Some(started);
        let priority = if on_screen(self.pane, w) {
            Priority::Visible
        } else {
            Priority::Background
        };
        let (pane, tx) = (self.pane, self.tx.clone());
        let call = budget::with_priority(priority, self.poll(w, forced));
        let call = budget::with_caller(pane.title(), call);
        let polled = crate::workers::watchdog::answer_within(pane, &tx, call).await;
        let (msg, delay) = match polled {
            Ok(msg) => match self.partial.take() {
                // Some rows could not be read: show the rest, then say what failed. The pane
                // keeps its pace (backing off further while the part's failure is transient):
                // a part that keeps failing must not make the poller call more often.
                Some(e) => {
                    self.send(msg, w).await.ok()?;
                    let delay = self.interval(w).max(self.failure_delay(&e));
                    (Polled::Msg(Msg::Failed(self.pane, e, now_ms())), delay)
                }
                None => {
                    self.backoff.reset();
                    // A refresh that took longer than the interval (a big fleet waiting on the
                    // API budget) waits as long again: the console never spends the whole budget.
                    (msg, self.interval(w).max(started.elapsed()))
                }
            },
            Err(e) => {
                let delay = self.failure_delay(&e);
                (Polled::Msg(Msg::Failed(self.pane, e, now_ms())), delay)
            }
        };
        self.send(msg, w).await.ok()?;
        Some(delay)
    }

    /// Sends what a poll brought, services and alarms prepared first. Err when the loop ended.
    async fn send(&self, polled: Polled, w: &Watch) -> Result<(), ()> {
        match polled {
            Polled::Services(all, at) => {
                let listed = self.listed.get();
                let linking = &self.linking;
                linking
                    .send_services(&self.tx, all, w.sort, &listed, at)
                    .await
            }
            Polled::Alarms(alarms, at) => self.linking.send_alarms(&self.tx, alarms, at).await,
            Polled::Msg(msg) => self.tx.send(msg).await.map_err(drop),
        }
    }

    /// How long to wait after a failure: backing off while it is transient.
    fn failure_delay(&mut self, e: &ApiError) -> Duration {
        let delay = if e.is_transient() {
            self.backoff.next_delay()
        } else {
            self.iv.normal
        };
        tracing::warn!(pane = ?self.pane, error = %e, ?delay, "poll failed");
        delay
    }

    /// Waits out `delay`, but wakes early for a refresh, when what this poller shows changed
    /// (its pane came on screen, or another service was chosen), or when the tasks it shows
    /// moved (not sooner than `fast` after its last poll).
    async fn wait(&mut self, delay: Duration, seen: &Watch) -> Wake {
        let mut deadline = Instant::now() + delay;
        let relevant = |pane, w: &Watch| {
            let service = matches!(pane, Pane::Rollout | Pane::Logs).then(|| w.service.clone());
            (wanted(pane, w), on_screen(pane, w), service)
        };
        let before = relevant(self.pane, seen);
        let mut live_open = true;
        // Only the services poller merges the histories the evidence worker brings.
        let merges = self.pane == Pane::Services;
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => return Wake::Due,
                r = self.refresh.changed() => {
                    return if r.is_ok() { Wake::Refresh } else { Wake::Ended };
                }
                r = self.watch.changed() => {
                    if r.is_err() {
                        return Wake::Ended;
                    }
                    if relevant(self.pane, &self.watch.borrow()) != before {
                        return Wake::Due;
                    }
                }
                r = self.live.changed(), if live_open => {
                    live_open = r.is_ok();
                    // Events began or stopped: the services are reconciled in full now.
                    if live_open && self.pane == Pane::Services {
                        self.last_full = None;
                        return Wake::Due;
                    }
                }
                r = self.moved.changed() => {
                    if r.is_ok() && self.tasks_moved(seen) {
                        let soonest = self.started.map_or(Instant::now(), |s| s + self.iv.fast);
                        deadline = deadline.min(soonest.max(Instant::now()));
                    }
                }
                _ = self.listed.arrived(), if merges => {
                    if self.send_histories().await.is_err() {
                        return Wake::Ended;
                    }
                }
            }
        }
    }

    /// The services last sent again, with the native history that just arrived merged in:
    /// no call, and the age of the data stays that of the last fetch.
    async fn send_histories(&self) -> Result<(), ()> {
        let sort = self.watch.borrow().sort;
        let listed = self.listed.get();
        self.linking
            .send_histories(&self.tx, sort, &listed, now_ms())
            .await
    }

    /// Whether the tasks this poller shows moved, by the last `Moved`.
    fn tasks_moved(&self, w: &Watch) -> bool {
        let moved = self.moved.borrow();
        match (self.pane, &w.service) {
            (Pane::Tasks, _) => !moved.services.is_empty(),
            (Pane::Rollout, Some(key)) => moved.services.iter().any(|r| r.names(key)),
            _ => false,
        }
    }

    fn interval(&self, w: &Watch) -> Duration {
        let live = *self.live.borrow();
        match self.pane {
            Pane::Alarms if w.pane != Pane::Alarms && !rollout_visible(w) => self.iv.alarms,
            Pane::Services => self.pace().delay(live, w.fast),
            // Woken when their service changes.
            Pane::Tasks | Pane::Rollout if live => TASKS_WITH_EVENTS,
            _ => self.iv.normal,
        }
    }

    fn pace(&self) -> Pace {
        Pace {
            fast: self.iv.fast,
            normal: self.iv.normal,
            reconcile: self.iv.reconcile,
        }
    }

    async fn poll(&mut self, w: &Watch, forced: bool) -> Result<Polled, ApiError> {
        let f = &self.fleet;
        Ok(Polled::Msg(match self.pane {
            Pane::Services => {
                let all = self.services(w, forced).await?;
                return Ok(Polled::Services(all, now_ms()));
            }
            Pane::Tasks => {
                let listing = f.tasks_listing(None).await?;
                self.partial = listing.failed;
                Msg::Tasks(None, listing.items, now_ms())
            }
            Pane::Rollout => {
                let listing = self.rollout_tasks(w).await?;
                self.partial = listing.failed;
                Msg::Tasks(w.service.clone(), listing.items, now_ms())
            }
            Pane::Images => {
                let listing = f.images_listing().await?;
                self.partial = listing.failed;
                Msg::Images(listing.items, now_ms())
            }
            Pane::Alarms => {
                let listing = f.alarms_listing().await?;
                self.partial = listing.failed;
                return Ok(Polled::Alarms(listing.items, now_ms()));
            }
            Pane::Logs | Pane::Builds | Pane::Timeline => {
                return Err(ApiError::new(
                    ErrorKind::Other,
                    "logs, builds and the timeline have workers of their own",
                ));
            }
        }))
    }

    /// The rollout's tasks, with a pair's other side for its half of the comparison; partial
    /// when a cluster of either cannot be read.
    async fn rollout_tasks(&self, w: &Watch) -> Result<Listing<Task>, ApiError> {
        let mut listing = self.fleet.tasks_listing(w.service.as_ref()).await?;
        if let Some(p) = &w.partner {
            let other = self.fleet.tasks_listing(Some(p)).await?;
            listing.items.extend(other.items);
            listing.failed = listing.failed.or(other.failed);
        }
        Ok(listing)
    }
}

mod services;

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(pane: Pane, service: Option<&str>) -> Watch {
        Watch {
            pane,
            service: service.map(|n| ServiceKey {
                cluster: "c".into(),
                name: n.into(),
            }),
            partner: None,
            fast: false,
            acting: false,
            sort: None,
            logs: None,
        }
    }

    #[test]
    fn alarms_are_polled_everywhere_but_only_in_the_foreground_where_they_show() {
        for pane in Pane::ALL {
            assert!(wanted(Pane::Alarms, &watch(pane, None)), "{pane:?}");
        }
        assert!(on_screen(Pane::Alarms, &watch(Pane::Alarms, None)));
        assert!(on_screen(Pane::Alarms, &watch(Pane::Rollout, Some("api"))));
        assert!(!on_screen(Pane::Alarms, &watch(Pane::Tasks, Some("api"))));
        assert!(!on_screen(Pane::Alarms, &watch(Pane::Tasks, None)));
        assert!(!on_screen(Pane::Alarms, &watch(Pane::Services, None)));
    }

    #[test]
    fn no_poller_polls_logs_and_the_rollout_tasks_only_on_the_rollout_view() {
        assert!(!wanted(Pane::Logs, &watch(Pane::Logs, Some("api"))));
        assert!(!wanted(Pane::Logs, &watch(Pane::Rollout, Some("api"))));
        assert!(wanted(Pane::Rollout, &watch(Pane::Rollout, Some("api"))));
        assert!(!wanted(Pane::Rollout, &watch(Pane::Tasks, Some("api"))));
        assert!(wanted(Pane::Tasks, &watch(Pane::Tasks, None)));
    }

    #[test]
    fn the_services_are_read_on_any_pane_while_an_action_is_followed() {
        let mut w = watch(Pane::Builds, None);
        assert!(!wanted(Pane::Services, &w));
        w.acting = true;
        assert!(wanted(Pane::Services, &w));
        assert!(!on_screen(Pane::Services, &w), "in the background");
    }
}
