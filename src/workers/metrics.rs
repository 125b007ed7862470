//! CPU and memory in the background. GetMetricData is the slowest call of a refresh, and its
//! points are a minute apart, so this worker fetches them at most once a minute, one fetch at a
//! time, backing off after a failure; the services poller adds the latest series to the rows
//! it sends. Service rows never wait for CloudWatch.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::{Service, ServiceKey, Utilisation};
use crate::workers::backoff::Backoff;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

/// The points are a minute apart: a faster fetch would bring the same data.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The latest series of every service, by key; written here, read by the services poller.
pub type Series = Arc<Mutex<HashMap<ServiceKey, Utilisation>>>;

/// Copies the latest series into `rows`, leaving rows without one as they are.
pub fn apply(series: &Series, rows: &mut [Service]) {
    let cache = series.lock().unwrap_or_else(|e| e.into_inner());
    if cache.is_empty() {
        return;
    }
    for s in rows {
        if let Some(u) = cache.get(&s.key()) {
            s.cpu = u.cpu.clone();
            s.mem = u.mem.clone();
        }
    }
}

/// Fetches the series of the services in `keys` (the services poller publishes them) into
/// `series`: when the last fetch is a minute old, or a service has none yet.
pub async fn run(
    fleet: Arc<dyn Fleet>,
    mut keys: watch::Receiver<Arc<Vec<ServiceKey>>>,
    series: Series,
) {
    let mut backoff = Backoff::new(0x6d65_7472);
    let mut fetched_at: Option<Instant> = None;
    // No fetch before this, after a failure.
    let mut not_before = Instant::now();
    loop {
        let want = keys.borrow_and_update().clone();
        let now = Instant::now();
        let old = fetched_at.is_none_or(|t| now.duration_since(t) >= MAX_AGE);
        let missing = {
            let cache = series.lock().unwrap_or_else(|e| e.into_inner());
            want.iter().any(|k| !cache.contains_key(k))
        };
        if !want.is_empty() && now >= not_before && (old || missing) {
            let fetched = with_priority(Priority::Background, fleet.utilisation(&want)).await;
            match fetched {
                Ok(got) => {
                    let fresh = want.iter().cloned().zip(got).collect();
                    *series.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
                    fetched_at = Some(Instant::now());
                    backoff.reset();
                }
                Err(e) => {
                    // A denied or failing call is not hammered: a minute, or the backoff.
                    let wait = if e.is_transient() {
                        backoff.next_delay()
                    } else {
                        MAX_AGE
                    };
                    tracing::warn!(error = %e, ?wait, "service metrics unavailable");
                    not_before = Instant::now() + wait;
                }
            }
        }
        let wake = match fetched_at {
            Some(t) => (t + MAX_AGE).max(not_before),
            // Nothing fetched yet: retry when the backoff allows (if keys are known).
            None if !want.is_empty() => not_before.max(Instant::now()),
            None => Instant::now() + Duration::from_secs(3600),
        };
        tokio::select! {
            _ = sleep_until(wake) => {}
            changed = keys.changed() => {
                if changed.is_err() {
                    return; // the services poller has ended
                }
            }
        }
    }
}
