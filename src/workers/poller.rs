//! One poller per pane. Each polls only while its pane is on screen, has at most one call in
//! flight (it awaits its own call), and merges repeated refresh requests into one. The loop
//! tells the pollers what is on screen through a watch channel.

use crate::budget::{self, Priority};
use crate::cloud::Fleet;
use crate::model::{Alarm, Millis, Service, ServiceKey, history};
use crate::model::{ApiError, ErrorKind};
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
use crate::workers::backoff::Backoff;
use crate::workers::evidence::Listed;
use crate::workers::linking::Linking;
use crate::workers::logtail;
use crate::workers::metrics;
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
}

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
        // The rollout view shows its service's row too.
        Pane::Services => matches!(w.pane, Pane::Services | Pane::Rollout),
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

/// Starts the pollers, the credentials' expiry watch, the evidence and metrics workers. (The
/// header's context is read by `workers::connect`, which the loop starts beside them.)
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
    let mut keys_tx = Some(keys_tx);
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
    // Logs have their worker; builds are GitHub's (the CI worker).
    let polled = Pane::ALL
        .into_iter()
        .filter(|p| !matches!(p, Pane::Logs | Pane::Builds));
    for pane in polled {
        let p = Poller {
            pane,
            fleet: fleet.clone(),
            tx: tx.clone(),
            watch: watch_rx.clone(),
            refresh: refresh_rx.clone(),
            iv,
            backoff: Backoff::new(now_ms() as u64 ^ pane as u64),
            loaded: false,
            keys: if pane == Pane::Services {
                keys_tx.take()
            } else {
                None
            },
            series: series.clone(),
            listed: listed.clone(),
            linking: linking.clone(),
            partial: None,
        };
        tasks.push(tokio::spawn(p.run()).abort_handle());
    }
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
        evidence: evidence_tx,
        tasks,
    }
}

/// What a poll brought. Services and alarms are prepared for the loop (`linking`) before they
/// are sent.
enum Polled {
    Msg(Msg),
    Services(Vec<Service>, Millis),
    Alarms(Vec<Alarm>, Millis),
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
    /// Where the services poller publishes the services' keys for the metrics worker.
    keys: Option<watch::Sender<Arc<Vec<ServiceKey>>>>,
    /// The metrics worker's latest CPU and memory, added to service rows before they go.
    series: metrics::Series,
    /// Native deployment histories the evidence worker fetched, kept with the services.
    listed: Listed,
    /// The lists alarms are linked over, shared by the services and alarms pollers.
    linking: Linking,
    /// What the last poll could not read while the rest came (a cluster not found).
    partial: Option<ApiError>,
}

impl Poller {
    async fn run(mut self) {
        loop {
            let w = self.watch.borrow_and_update().clone();
            self.refresh.borrow_and_update();
            let delay = if wanted(self.pane, &w) {
                match self.poll_once(&w).await {
                    Some(delay) => delay,
                    None => return, // the loop has ended
                }
            } else {
                Duration::from_secs(3600)
            };
            if !self.wait(delay, &w).await {
                return;
            }
        }
    }

    /// Polls, reports the data or the failure, and says how long to wait before the next poll.
    /// None when the loop has ended.
    async fn poll_once(&mut self, w: &Watch) -> Option<Duration> {
        // A poller polls what is on screen; alarms off screen go in the background. A call
        // unanswered for long is said so.
        let started = Instant::now();
        let priority = if on_screen(self.pane, w) {
            Priority::Visible
        } else {
            Priority::Background
        };
        let (pane, tx) = (self.pane, self.tx.clone());
        let call = budget::with_priority(priority, self.poll(w));
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

    /// Waits out `delay`, but wakes early for a refresh or when what this poller shows changed
    /// (its pane came on screen, or another service was chosen). False when the loop has ended.
    async fn wait(&mut self, delay: Duration, seen: &Watch) -> bool {
        let deadline = Instant::now() + delay;
        let relevant = |pane, w: &Watch| {
            let service = matches!(pane, Pane::Rollout | Pane::Logs).then(|| w.service.clone());
            (wanted(pane, w), on_screen(pane, w), service)
        };
        let before = relevant(self.pane, seen);
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => return true,
                r = self.refresh.changed() => return r.is_ok(),
                r = self.watch.changed() => {
                    if r.is_err() {
                        return false;
                    }
                    if relevant(self.pane, &self.watch.borrow()) != before {
                        return true;
                    }
                }
            }
        }
    }

    fn interval(&self, w: &Watch) -> Duration {
        match self.pane {
            Pane::Alarms if rollout_visible(w) => self.iv.fast,
            Pane::Alarms if w.pane != Pane::Alarms => self.iv.alarms,
            _ if w.fast => self.iv.fast,
            _ => self.iv.normal,
        }
    }

    async fn poll(&mut self, w: &Watch) -> Result<Polled, ApiError> {
        let f = &self.fleet;
        Ok(Polled::Msg(match self.pane {
            Pane::Services => return Ok(Polled::Services(self.services().await?, now_ms())),
            Pane::Tasks => Msg::Tasks(None, f.tasks(None).await?, now_ms()),
            Pane::Rollout => Msg::Tasks(
                w.service.clone(),
                f.tasks(w.service.as_ref()).await?,
                now_ms(),
            ),
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

    /// The services, with the latest CPU and memory. The first load shows each cluster's rows
    /// as they come in; later refreshes replace the list whole, so rows never blink out while
    /// a refresh runs.
    async fn services(&mut self) -> Result<Vec<Service>, ApiError> {
        let listing = if self.loaded {
            self.fleet.services_listing(&|_, _, _| {}).await?
        } else {
            let (tx, series, listed) = (self.tx.clone(), self.series.clone(), self.listed.clone());
            let part = move |mut rows: Vec<Service>, done: usize, total: usize| {
                metrics::apply(&series, &mut rows);
                history::carry(&[], &mut rows, &listed.get(), now_ms());
                // Best effort: a progress view may be skipped if the loop is busy.
                let _ = tx.try_send(Msg::ServicesPart(rows, done, total, now_ms()));
            };
            self.fleet.services_listing(&part).await?
        };
        self.partial = listing.failed;
        let mut all = listing.items;
        self.loaded = true;
        if let Some(keys) = &self.keys {
            let now: Vec<ServiceKey> = all.iter().map(Service::key).collect();
            keys.send_if_modified(|k| {
                let changed = **k != now;
                if changed {
                    *k = Arc::new(now);
                }
                changed
            });
        }
        metrics::apply(&self.series, &mut all);
        Ok(all)
    }
}

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
            fast: false,
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
}
