//! The fleet worker: every context off screen is read at the fleet's slow rate, only what its
//! row needs, with free calls only (ListClusters, ListServices, DescribeServices, the
//! deployments, DescribeAlarms; never GetMetricData, which costs money at fleet scale). At
//! most `at_once` contexts read at the same time; the context on screen is skipped (its own
//! pollers read it as before) and read again at once when the user leaves it.
//!
//! Each read is reduced here to the row's figures, its cost estimate and the search's index,
//! so what a context keeps is bounded (`model::fleet::FINDABLE`) and the loop only swaps a
//! small report in. The cost comes from the prices the prices worker cached on disk (no Price
//! List call from here): a context whose prices were never cached has no cost (`?`).

use crate::budget::{self, Priority};
use crate::cloud::{Fleet, ServicesAsk};
use crate::model::cost::{PriceTable, context_total};
use crate::model::fleet::{figures, findable};
use crate::model::{ApiError, At};
use crate::state::Msg;
use crate::state::Target;
use crate::state::fleet::{FleetRead, FleetReport};
use crate::timing::now_ms;
use crate::workers::prices::{Cached, read_cache};
use std::path::{Path, PathBuf};
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
    /// Where the prices worker caches each region's prices (None: no cache, so no cost).
    pub prices: Option<PathBuf>,
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
        let prices = cached_prices(self.fleet.as_ref(), self.prices.as_deref(), now).await;
        Ok(FleetRead {
            account,
            region,
            figures: figures(&services, &alarms, now),
            cost: context_total(&services, prices.as_ref()),
            found: findable(&services),
        })
    }
}

/// The context's prices without a Price List call: the prices worker's cache on disk (a stale
/// one is still an estimate), or a backend's built-in list (one with no cache key: the demo's).
/// None when never cached: the row's cost is then `?`, never a guess.
async fn cached_prices(fleet: &dyn Fleet, dir: Option<&Path>, now: At) -> Option<PriceTable> {
    match fleet.prices_cache_key() {
        Some(key) => match read_cache(dir?, &key, now) {
            Cached::Fresh(t) | Cached::Stale(t) => Some(t),
            Cached::Missing | Cached::Bad(_) => None,
        },
        None => fleet.fargate_prices().await.ok(),
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
