//! The fleet's workers: one per context of the fleet, each building its backend through the
//! connector (as a switch does) and then reading it at the fleet's slow rate while it is off
//! screen (`workers::fleet`). They send on the loop's own channel, which outlives a switch:
//! every report names its context, so it lands in that context's row whatever is on screen.

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
        let (on_screen, watching) = watch::channel(here);
        let permits = Arc::new(Semaphore::new(polling.at_once.max(1)));
        let tasks = members
            .into_iter()
            .map(|target| {
                let (connector, tx) = (connector.clone(), tx.clone());
                let (permits, on_screen) = (permits.clone(), watching.clone());
                tokio::spawn(async move {
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
                    let every = polling.every;
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
                })
                .abort_handle()
            })
            .collect();
        Self { on_screen, tasks }
    }

    /// The context on screen changed: its worker pauses, the one left reads at once.
    pub(super) fn shown(&self, target: &Target) {
        let _ = self.on_screen.send(target.clone());
    }
}
