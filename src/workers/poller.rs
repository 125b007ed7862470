//! One poller per pane. Each polls only while its pane is on screen, has at most one call in
//! flight (it awaits its own call), and merges repeated refresh requests into one. The loop
//! tells the pollers what is on screen through a watch channel.
//!
//! The services poller asks only what changed (`pace.rs`); with ECS's events arriving
//! (`events`), it only reconciles, and the re-reader (`reread.rs`) reads what each event
//! names. The tasks on screen are read every `normal`, and at once (at most every `fast`) when
//! their service changed: an event said so, or the services poller saw its row change.

use crate::budget::{self, Priority};
use crate::cloud::Fleet;
use crate::model::{Alarm, Millis, Service, ServiceKey};
use crate::model::{ApiError, ErrorKind};
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
use crate::workers::backoff::Backoff;
use crate::workers::events::{self, Moved};
use crate::workers::evidence::Listed;
use crate::workers::linking::Linking;
use crate::workers::logtail;
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
    /// The pollers and workers, stopped when the handles go (a context switch), so none of
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
        // The rollout view shows its service's row too; an action being followed reads them on
        // any pane, so its wait sees the service settle.
        Pane::Services => matches!(w.pane, Pane::Services | Pane::Rollout) || w.acting,
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

/// Starts the pollers, the credentials' expiry watch, the evidence, metrics and event workers
/// and the re-reader. (The header's context is read by `workers::connect`, which the loop
/// starts beside them.)
pub fn spawn(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>, first: Watch, iv: Intervals) -> Handles {
    let (watch_tx, watch_rx) = watch::channel(first);
    let (refresh_tx, refresh_rx) = watch::channel(0u64);
    let mut tasks = vec![
        tokio::spawn(crate::workers::credentials::run(fleet.clone(), tx.clone())).abort_handle(),
    ];
    let (evidence_tx, evidence_rx) = watch::channel(Default::default());
    let listed = Listed::default();
    let evidence =
        crate::workers::evidence::run(fleet.clone(), tx.clone(), evidence_rx, listed.clone());
    tasks.push(tokio::spawn(evidence).abort_handle());
    let linking = Linking::default();
    let (keys_tx, keys_rx) = watch::channel(Arc::new(Vec::new()));
    let series = metrics::Series::default();
    tasks.push(tokio::spawn(metrics::run(fleet.clone(), keys_rx, series.clone())).abort_handle());
    let tail = logtail::TailConfig {
        poll: iv.logs,
        live: iv.live_tail,
    };
    let logs = logtail::run(
        fleet.clone(),
        tx.clone(),
        watch_rx.clone(),
        refresh_rx.clone(),
        tail,
    );
    tasks.push(tokio::spawn(logs).abort_handle());
    let feed = spawn_feed(&fleet, &tx, &watch_rx, &linking, &listed, &series, iv);
    tasks.extend(feed.tasks);
    let shared = Shared {
        fleet,
        tx,
        watch: watch_rx,
        refresh: refresh_rx,
        iv,
        series,
        listed,
        linking,
        live: feed.live,
        moved: feed.moved,
    };
    let mut services = Some(ServicesOnly {
        keys: keys_tx,
        loaded: feed.loaded,
    });
    // Logs have their worker; builds are GitHub's (the CI worker).
    let polled = Pane::ALL
        .into_iter()
        .filter(|p| !matches!(p, Pane::Logs | Pane::Builds));
    for pane in polled {
        let only = services.take_if(|_| pane == Pane::Services);
        tasks.push(tokio::spawn(Poller::new(pane, &shared, only).run()).abort_handle());
    }
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
        evidence: evidence_tx,
        tasks,
    }
}

/// The event worker and the re-reader, and what the pollers hear from them.
struct Feed {
    tasks: Vec<tokio::task::AbortHandle>,
    live: watch::Receiver<bool>,
    moved: Arc<watch::Sender<Moved>>,
    loaded: watch::Sender<bool>,
}

fn spawn_feed(
    fleet: &Arc<dyn Fleet>,
    tx: &mpsc::Sender<Msg>,
    watch: &watch::Receiver<Watch>,
    linking: &Linking,
    listed: &Listed,
    series: &metrics::Series,
    iv: Intervals,
) -> Feed {
    let (reread_tx, reread_rx) = mpsc::channel(64);
    let (live_tx, live) = watch::channel(false);
    let moved = Arc::new(watch::channel(Moved::default()).0);
    let (loaded, loaded_rx) = watch::channel(false);
    let links = events::Links {
        reread: reread_tx,
        moved: moved.clone(),
        live: live_tx,
    };
    let cfg = events::FeedConfig {
        poll: iv.logs,
        live_tail: iv.live_tail,
    };
    let rereader = crate::workers::reread::Rereader {
        fleet: fleet.clone(),
        tx: tx.clone(),
        watch: watch.clone(),
        linking: linking.clone(),
        listed: listed.clone(),
        series: series.clone(),
        loaded: loaded_rx,
    };
    let tasks = vec![
        tokio::spawn(events::run(fleet.clone(), tx.clone(), links, cfg)).abort_handle(),
        tokio::spawn(rereader.run(reread_rx)).abort_handle(),
    ];
    Feed {
        tasks,
        live,
        moved,
        loaded,
    }
}

/// What every poller is given.
struct Shared {
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    watch: watch::Receiver<Watch>,
    refresh: watch::Receiver<u64>,
    iv: Intervals,
    series: metrics::Series,
    listed: Listed,
    linking: Linking,
    live: watch::Receiver<bool>,
    moved: Arc<watch::Sender<Moved>>,
}

/// What only the services poller has.
struct ServicesOnly {
    /// Where it publishes the services' keys for the metrics worker.
    keys: watch::Sender<Arc<Vec<ServiceKey>>>,
    /// Told when the first load is in.
    loaded: watch::Sender<bool>,
}

/// What a poll brought. Services and alarms are prepared for the loop (`linking`) before they
/// are sent.
enum Polled {
    Msg(Msg),
    Services(Vec<Service>, Millis),
    Alarms(Vec<Alarm>, Millis),
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
            iv: s.iv,
            backoff: Backoff::new(now_ms() as u64 ^ pane as u64),
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
                // Some rows could not be read: show the rest, then say what failed.
                Some(e) => {
                    self.send(msg, w).await.ok()?;
                    let delay = self.failure_delay(&e);
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
            }
        }
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
            Pane::Tasks => Msg::Tasks(None, f.tasks(None).await?, now_ms()),
            Pane::Rollout => {
                let mut tasks = f.tasks(w.service.as_ref()).await?;
                // A pair's other side, for its half of the comparison.
                if let Some(p) = &w.partner {
                    tasks.extend(f.tasks(Some(p)).await?);
                }
                Msg::Tasks(w.service.clone(), tasks, now_ms())
            }
            Pane::Images => Msg::Images(f.images().await?, now_ms()),
            Pane::Alarms => {
                let listing = f.alarms_listing().await?;
                self.partial = listing.failed;
                return Ok(Polled::Alarms(listing.items, now_ms()));
            }
            Pane::Logs | Pane::Builds => {
                return Err(ApiError::new(
                    ErrorKind::Other,
                    "logs and builds have workers of their own",
                ));
            }
        }))
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
