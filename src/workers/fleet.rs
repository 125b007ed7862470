//! The fleet worker: every context off screen is read at the fleet's slow rate, only what its
//! row needs, with free calls only (ListClusters, ListServices, DescribeServices, the
//! deployments, DescribeAlarms; never GetMetricData, which costs money at fleet scale). At
//! most `at_once` contexts read at the same time; the context on screen is skipped (its own
//! pollers read it as before) and read again at once when the user leaves it.
//!
//! Each read is reduced here to the row's figures and the search's index, so what a context
//! keeps is bounded (`model::fleet::FINDABLE`) and the loop only swaps a small report in.

use crate::budget::{self, Priority};
use crate::cloud::{Fleet, ServicesAsk};
use crate::model::ApiError;
use crate::model::fleet::{figures, findable};
use crate::state::Msg;
use crate::state::Target;
use crate::state::fleet::{FleetRead, FleetReport};
use crate::timing::now_ms;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};

/// How the fleet is polled (`[fleet]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetPolling {
    /// How often each context off screen is read.
    pub every: Duration,
    /// Contexts read at the same time, at most.
    pub at_once: usize,
}

impl Default for FleetPolling {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(60),
            at_once: 50,
        }
    }
}

/// What one member's loop needs.
pub struct Member {
    pub target: Target,
    pub fleet: Arc<dyn Fleet>,
    pub tx: mpsc::Sender<Msg>,
    pub permits: Arc<Semaphore>,
    /// The context on screen now.
    pub on_screen: watch::Receiver<Target>,
    pub every: Duration,
}

impl Member {
    /// Reads the context every `every` while it is off screen, until the loop goes.
    pub async fn run(mut self) {
        // Who it is, asked once: (account, region).
        let mut who = None;
        loop {
            let here = self.on_screen.borrow_and_update().same_place(&self.target);
            if !here {
                let report = self.read(&mut who).await;
                if self.tx.send(Msg::Fleet(Box::new(report))).await.is_err() {
                    return;
                }
            }
            tokio::select! {
                () = tokio::time::sleep(self.every) => {}
                changed = self.on_screen.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// One read, under the fleet's limit on contexts at once, at background priority.
    async fn read(&self, who: &mut Option<(String, String)>) -> FleetReport {
        let read = {
            let _permit = self.permits.acquire().await;
            let call = budget::with_priority(Priority::Background, self.figures(who));
            budget::with_caller("fleet", call).await
        };
        FleetReport {
            target: self.target.clone(),
            at: now_ms(),
            read,
            expiry: self.fleet.credentials_expiry(),
        }
    }

    async fn figures(&self, who: &mut Option<(String, String)>) -> Result<FleetRead, ApiError> {
        let (account, region) = match who {
            Some(known) => known.clone(),
            None => who.insert(self.fleet.identity().await?).clone(),
        };
        let services = self
            .fleet
            .services_refresh(&ask(self.every), &|_, _, _| {})
            .await?
            .lenient()?;
        let alarms = self.fleet.alarms().await?;
        let now = now_ms();
        Ok(FleetRead {
            account,
            region,
            figures: figures(&services, &alarms, now),
            found: findable(&services),
        })
    }
}

/// A slow refresh: the lists compared, what moves read, and every service again within ten
/// reads (the backend keeps the rest), so the steady state asks little of each account.
fn ask(every: Duration) -> ServicesAsk {
    ServicesAsk {
        cover: every * 10,
        ..ServicesAsk::everything()
    }
}
