//! One task per kind of data. Each polls only while its pane is on screen, has at most one call
//! in flight (it awaits its own call), and merges repeated refresh requests into one. The loop
//! tells the pollers what is on screen through a watch channel.

use super::backoff::Backoff;
use crate::cloud::{CloudError, ErrorKind, Fleet};
use crate::model::{Millis, Service, ServiceKey};
use crate::state::{Msg, Pane, Resource, Watch};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub fast: Duration,
    pub normal: Duration,
    /// How often the logs pane asks for new lines.
    pub logs: Duration,
}

pub struct Handles {
    pub watch: watch::Sender<Watch>,
    /// Bumped to ask every poller to poll now.
    pub refresh: watch::Sender<u64>,
}

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

fn wanted(res: Resource, w: &Watch) -> bool {
    match res {
        Resource::Services => matches!(w.pane, Pane::Services | Pane::Tasks),
        Resource::Tasks => w.pane == Pane::Tasks,
        Resource::Images => w.pane == Pane::Images,
        Resource::Alarms => w.pane == Pane::Alarms,
        // The logs pane, and the rollout view's log box.
        Resource::Logs => matches!(w.pane, Pane::Logs | Pane::Tasks) && w.service.is_some(),
    }
}

pub fn spawn(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>, first: Watch, iv: Intervals) -> Handles {
    let (watch_tx, watch_rx) = watch::channel(first);
    let (refresh_tx, refresh_rx) = watch::channel(0u64);
    {
        let (fleet, tx) = (fleet.clone(), tx.clone());
        tokio::spawn(async move {
            match fleet.context().await {
                Ok(c) => {
                    let _ = tx.send(Msg::Context(c)).await;
                }
                Err(e) => {
                    let _ = tx.send(Msg::Failed(Resource::Services, e, now_ms())).await;
                }
            }
        });
    }
    for res in [
        Resource::Services,
        Resource::Tasks,
        Resource::Images,
        Resource::Alarms,
        Resource::Logs,
    ] {
        let p = Poller {
            res,
            fleet: fleet.clone(),
            tx: tx.clone(),
            watch: watch_rx.clone(),
            refresh: refresh_rx.clone(),
            iv,
            backoff: Backoff::new(now_ms() as u64 ^ res as u64),
            log_cursor: None,
            loaded: false,
        };
        tokio::spawn(p.run());
    }
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
    }
}

struct Poller {
    res: Resource,
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    watch: watch::Receiver<Watch>,
    refresh: watch::Receiver<u64>,
    iv: Intervals,
    backoff: Backoff,
    /// The service being tailed and the backend's cursor for it.
    log_cursor: Option<(ServiceKey, u64)>,
    /// A whole load has been delivered (services).
    loaded: bool,
}

impl Poller {
    async fn run(mut self) {
        loop {
            let w = self.watch.borrow_and_update().clone();
            self.refresh.borrow_and_update();
            let delay = if wanted(self.res, &w) {
                match self.poll(&w).await {
                    Ok(msg) => {
                        self.backoff.reset();
                        if self.tx.send(msg).await.is_err() {
                            return; // the loop has ended
                        }
                        self.interval(&w)
                    }
                    Err(e) => {
                        let delay = if e.is_transient() {
                            self.backoff.next_delay()
                        } else {
                            self.iv.normal
                        };
                        tracing::warn!(resource = ?self.res, error = %e, ?delay, "poll failed");
                        if self
                            .tx
                            .send(Msg::Failed(self.res, e, now_ms()))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        delay
                    }
                }
            } else {
                Duration::from_secs(3600)
            };
            if !self.wait(delay, &w).await {
                return;
            }
        }
    }

    /// Waits out `delay`, but wakes early for a refresh or when what this poller shows changed
    /// (its pane came on screen, or another service was chosen). False when the loop has ended.
    async fn wait(&mut self, delay: Duration, seen: &Watch) -> bool {
        let deadline = Instant::now() + delay;
        let relevant = |res, w: &Watch| {
            let service =
                matches!(res, Resource::Tasks | Resource::Logs).then(|| w.service.clone());
            (wanted(res, w), service)
        };
        let before = relevant(self.res, seen);
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => return true,
                r = self.refresh.changed() => return r.is_ok(),
                r = self.watch.changed() => {
                    if r.is_err() {
                        return false;
                    }
                    if relevant(self.res, &self.watch.borrow()) != before {
                        return true;
                    }
                }
            }
        }
    }

    fn interval(&self, w: &Watch) -> Duration {
        match self.res {
            Resource::Logs => self.iv.logs,
            _ if w.fast => self.iv.fast,
            _ => self.iv.normal,
        }
    }

    async fn poll(&mut self, w: &Watch) -> Result<Msg, CloudError> {
        let f = &self.fleet;
        Ok(match self.res {
            Resource::Services if !self.loaded => {
                // The first load shows each cluster's rows as they come in; later refreshes
                // replace the list whole, so rows never blink out while a refresh runs.
                let tx = self.tx.clone();
                let part = move |rows: Vec<Service>, done: usize, total: usize| {
                    // Best effort: a progress view may be skipped if the loop is busy.
                    let _ = tx.try_send(Msg::ServicesPart(rows, done, total, now_ms()));
                };
                let all = f.services_in_parts(&part).await?;
                self.loaded = true;
                Msg::Services(all, now_ms())
            }
            Resource::Services => Msg::Services(f.services().await?, now_ms()),
            Resource::Tasks => Msg::Tasks(
                w.service.clone(),
                f.tasks(w.service.as_ref()).await?,
                now_ms(),
            ),
            Resource::Images => Msg::Images(f.images().await?, now_ms()),
            Resource::Alarms => Msg::Alarms(f.alarms().await?, now_ms()),
            Resource::Logs => {
                let Some(key) = w.service.clone() else {
                    return Err(CloudError::new(ErrorKind::Other, "no service to follow"));
                };
                let cursor = match &self.log_cursor {
                    Some((k, c)) if *k == key => *c,
                    _ => 0,
                };
                let batch = f.logs(&key, cursor).await?;
                self.log_cursor = Some((key.clone(), batch.cursor));
                Msg::Logs(key, batch.lines, now_ms())
            }
        })
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
        }
    }

    #[test]
    fn logs_are_polled_for_the_logs_pane_and_the_rollout_view_only() {
        assert!(wanted(Resource::Logs, &watch(Pane::Logs, Some("api"))));
        assert!(wanted(Resource::Logs, &watch(Pane::Tasks, Some("api"))));
        assert!(!wanted(Resource::Logs, &watch(Pane::Tasks, None)));
        assert!(!wanted(Resource::Logs, &watch(Pane::Services, Some("api"))));
        assert!(!wanted(Resource::Logs, &watch(Pane::Alarms, None)));
    }
}
