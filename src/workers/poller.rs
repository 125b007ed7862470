//! One poller per pane. Each polls only while its pane is on screen, has at most one call in
//! flight (it awaits its own call), and merges repeated refresh requests into one. The loop
//! tells the pollers what is on screen through a watch channel.

use super::backoff::Backoff;
use super::budget::{self, Priority};
use super::logtail;
use super::metrics;
use crate::cloud::{CloudError, ErrorKind, Fleet};
use crate::model::{Service, ServiceKey};
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
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
    /// Follow logs with Live Tail when the endpoint allows it.
    pub live_tail: bool,
}

pub struct Handles {
    pub watch: watch::Sender<Watch>,
    /// Bumped to ask every poller to poll now.
    pub refresh: watch::Sender<u64>,
}

/// Whether the data of `pane` is wanted on the screen `w` describes.
fn wanted(pane: Pane, w: &Watch) -> bool {
    match pane {
        // The rollout view (tasks pane) shows its service's row too.
        Pane::Services => matches!(w.pane, Pane::Services | Pane::Tasks),
        Pane::Tasks => w.pane == Pane::Tasks,
        Pane::Images => w.pane == Pane::Images,
        Pane::Alarms => w.pane == Pane::Alarms,
        // The log worker follows the logs (`logtail`), not a poller.
        Pane::Logs => false,
    }
}

/// Starts the pollers, the header's context lookup and the metrics worker.
pub fn spawn(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>, first: Watch, iv: Intervals) -> Handles {
    let (watch_tx, watch_rx) = watch::channel(first);
    let (refresh_tx, refresh_rx) = watch::channel(0u64);
    tokio::spawn(lookup_context(fleet.clone(), tx.clone()));
    let (keys_tx, keys_rx) = watch::channel(Arc::new(Vec::new()));
    let series = metrics::Series::default();
    tokio::spawn(metrics::run(fleet.clone(), keys_rx, series.clone()));
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
    tokio::spawn(logs);
    for pane in Pane::ALL.into_iter().filter(|p| *p != Pane::Logs) {
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
        };
        tokio::spawn(p.run());
    }
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
    }
}

/// Profile, account and region for the header, once.
async fn lookup_context(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>) {
    let msg = match budget::with_priority(Priority::Visible, fleet.context()).await {
        Ok(c) => Msg::Context(c),
        Err(e) => Msg::Failed(Pane::Services, e, now_ms()),
    };
    let _ = tx.send(msg).await;
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
        // A poller only polls what is on screen.
        let polled = budget::with_priority(Priority::Visible, self.poll(w)).await;
        let (msg, delay) = match polled {
            Ok(msg) => {
                self.backoff.reset();
                (msg, self.interval(w))
            }
            Err(e) => {
                let delay = if e.is_transient() {
                    self.backoff.next_delay()
                } else {
                    self.iv.normal
                };
                tracing::warn!(pane = ?self.pane, error = %e, ?delay, "poll failed");
                (Msg::Failed(self.pane, e, now_ms()), delay)
            }
        };
        self.tx.send(msg).await.ok()?;
        Some(delay)
    }

    /// Waits out `delay`, but wakes early for a refresh or when what this poller shows changed
    /// (its pane came on screen, or another service was chosen). False when the loop has ended.
    async fn wait(&mut self, delay: Duration, seen: &Watch) -> bool {
        let deadline = Instant::now() + delay;
        let relevant = |pane, w: &Watch| {
            let service = matches!(pane, Pane::Tasks | Pane::Logs).then(|| w.service.clone());
            (wanted(pane, w), service)
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
            _ if w.fast => self.iv.fast,
            _ => self.iv.normal,
        }
    }

    async fn poll(&mut self, w: &Watch) -> Result<Msg, CloudError> {
        let f = &self.fleet;
        Ok(match self.pane {
            Pane::Services => Msg::Services(self.services().await?, now_ms()),
            Pane::Tasks => Msg::Tasks(
                w.service.clone(),
                f.tasks(w.service.as_ref()).await?,
                now_ms(),
            ),
            Pane::Images => Msg::Images(f.images().await?, now_ms()),
            Pane::Alarms => Msg::Alarms(f.alarms().await?, now_ms()),
            Pane::Logs => {
                return Err(CloudError::new(
                    ErrorKind::Other,
                    "logs are followed by logtail",
                ));
            }
        })
    }

    /// The services, with the latest CPU and memory. The first load shows each cluster's rows
    /// as they come in; later refreshes replace the list whole, so rows never blink out while
    /// a refresh runs.
    async fn services(&mut self) -> Result<Vec<Service>, CloudError> {
        let mut all = if self.loaded {
            self.fleet.services().await?
        } else {
            let (tx, series) = (self.tx.clone(), self.series.clone());
            let part = move |mut rows: Vec<Service>, done: usize, total: usize| {
                metrics::apply(&series, &mut rows);
                // Best effort: a progress view may be skipped if the loop is busy.
                let _ = tx.try_send(Msg::ServicesPart(rows, done, total, now_ms()));
            };
            self.fleet.services_in_parts(&part).await?
        };
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
            logs: None,
        }
    }

    #[test]
    fn no_poller_polls_logs_and_tasks_are_polled_for_their_pane() {
        assert!(!wanted(Pane::Logs, &watch(Pane::Logs, Some("api"))));
        assert!(wanted(Pane::Tasks, &watch(Pane::Tasks, Some("api"))));
        assert!(!wanted(Pane::Tasks, &watch(Pane::Logs, Some("api"))));
    }
}
