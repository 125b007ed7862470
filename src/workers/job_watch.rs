//! A job's watch while its context is off screen: that context's pollers stopped at the
//! switch, so nothing else reads the job's service. This reads just that service, on the
//! backend the job ran on, at the watch's cadence and through the budget, and sends each
//! answer to the loop by job number (the reducer finds the context that holds the job).

use crate::budget::{Priority, with_caller, with_priority};
use crate::cloud::{Fleet, ServicesAsk};
use crate::model::{ApiError, Service, ServiceRef};
use crate::state::Msg;
use crate::state::jobs::{JobWatched, OffScreenWatch};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Reads `watch`'s service every `every` until the loop stops it (or goes).
pub async fn run(
    fleet: Arc<dyn Fleet>,
    watch: OffScreenWatch,
    every: Duration,
    tx: mpsc::Sender<Msg>,
) {
    loop {
        let msg = Msg::JobWatched(Box::new(JobWatched {
            job: watch.job,
            read: read(fleet.as_ref(), &watch).await,
        }));
        if tx.send(msg).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// The job's service as it stands now (DescribeServices of it alone where the backend keeps
/// the other rows), or why it could not be read: the job says so, and the next read tries
/// again.
async fn read(fleet: &dyn Fleet, watch: &OffScreenWatch) -> Result<Vec<Service>, ApiError> {
    let ask = ServicesAsk::changed(vec![ServiceRef::of(&watch.service)], Vec::new());
    let call = fleet.services_refresh(&ask, &|_, _, _| {});
    let listing = with_caller("jobs", with_priority(Priority::Rollout, call))
        .await
        .inspect_err(
            |e| tracing::warn!(job = watch.job, error = %e, "a job's service could not be read"),
        )?;
    Ok(listing
        .items
        .into_iter()
        .filter(|s| s.key() == watch.service)
        .collect())
}
