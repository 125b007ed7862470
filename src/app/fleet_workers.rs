//! The fleet's workers: one per context of the fleet, each building its backend through the
//! connector (as a switch does) and then reading it at the fleet's slow rate while it is off
//! screen (`workers::fleet`). They send on the loop's own channel, which outlives a switch:
//! every report names its context, so it lands in that context's row whatever is on screen.
//! Contexts that join later (an SSO session's, once listed) get workers of their own, under
//! the same limit of contexts read at once.

use crate::app::connector::Connector;
use crate::state::fleet::FleetReport;
use crate::state::{Msg, Target};
use crate::timing::now_ms;
use crate::workers::fleet::{FleetPolling, Member};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::AbortHandle;

/// The fleet's workers; they stop when this goes.
pub(super) struct FleetWorkers {
    on_screen: watch::Sender<Target>,
    tasks: Vec<AbortHandle>,
    connector: Arc<dyn Connector>,
    polling: FleetPolling,
    /// Shared by every worker, those added later (an SSO session's contexts) included.
    permits: Arc<Semaphore>,
    tx: mpsc::Sender<Msg>,
}

impl Drop for FleetWorkers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl FleetWorkers {
    /// Starts a worker for each of `members`; `here` is the context on screen.
    pub(super) fn start(
        connector: &Arc<dyn Connector>,
        members: Vec<Target>,
        here: Target,
        polling: FleetPolling,
        tx: &mpsc::Sender<Msg>,
    ) -> Self {
        let (on_screen, _) = watch::channel(here);
        let mut workers = Self {
            on_screen,
            tasks: Vec::new(),
            connector: connector.clone(),
            polling,
            permits: Arc::new(Semaphore::new(polling.at_once.max(1))),
            tx: tx.clone(),
        };
        workers.add(members);
        workers
    }

    /// Starts a worker for each of `members`, contexts that joined the fleet later.
    pub(super) fn add(&mut self, members: Vec<Target>) {
        for target in members {
            let (connector, tx) = (self.connector.clone(), self.tx.clone());
            let (permits, on_screen) = (self.permits.clone(), self.on_screen.subscribe());
            let every = self.polling.every;
            let task = tokio::spawn(async move {
                let fleet = match connector.connect(&target).await {
                    Ok(f) => f,
                    Err(e) => {
                        let report = FleetReport {
                            target,
                            at: now_ms(),
                            read: Err(e),
                            expiry: None,
                        };
                        let _ = tx.send(Msg::Fleet(Box::new(report))).await;
                        return;
                    }
                };
                Member {
                    target,
                    fleet,
                    tx,
                    permits,
                    on_screen,
                    every,
                    prices: crate::workers::prices::default_dir(),
                }
                .run()
                .await;
            });
            self.tasks.push(task.abort_handle());
        }
    }

    /// The context on screen changed: its worker pauses, the one left reads at once.
    pub(super) fn shown(&self, target: &Target) {
        // Kept even with no worker yet, for those added later.
        self.on_screen.send_replace(target.clone());
    }
}
