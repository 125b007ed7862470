//! The workers of one context, all started here, in one list: its pane pollers, the log
//! worker, the metrics and evidence workers, the event worker and the re-reader, the
//! credentials' expiry watch, and its first contact followed by its team audit. They all read the context's own backend and stop
//! together when the handles go (a switch, the end of the console).

use crate::cloud::Fleet;
use crate::model::Pane;
use crate::state::{Msg, Watch};
use crate::workers::audit::{Audit, RecordContext};
use crate::workers::events::{self, Moved};
use crate::workers::evidence::Listed;
use crate::workers::linking::Linking;
use crate::workers::poller::{self, Handles, Intervals, ServicesOnly};
use crate::workers::reread::Rereader;
use crate::workers::{
    billed, connect, credentials, evidence, logtail, metrics, prices, team_audit,
};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

fn spawn(worker: impl Future<Output = ()> + Send + 'static) -> AbortHandle {
    tokio::spawn(worker).abort_handle()
}

/// Starts every worker of a context on `fleet`, its backend, for switch `generation` (0: the
/// console's start), with what is on screen (`first`); they send to the loop on `tx`.
pub fn start(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    tx: &mpsc::Sender<Msg>,
    first: Watch,
    generation: u64,
    intervals: Intervals,
) -> Handles {
    let (watch_tx, watch_rx) = watch::channel(first);
    let (refresh_tx, refresh_rx) = watch::channel(0u64);
    let (evidence_tx, evidence_rx) = watch::channel(Default::default());
    // The services poller publishes the services' keys; the metrics worker reads them.
    let (keys_tx, keys_rx) = watch::channel(Arc::new(Vec::new()));
    let (live_tx, live_rx) = watch::channel(false);
    let (loaded_tx, loaded_rx) = watch::channel(false);
    let shared = shared(fleet, tx, (&watch_rx, &refresh_rx), intervals, live_rx);
    let tail = logtail::TailConfig {
        poll: intervals.logs,
        live: intervals.live_tail,
    };
    let (f, listed, series) = (fleet.clone(), shared.listed.clone(), shared.series.clone());
    let mut tasks = vec![
        spawn(credentials::run(f.clone(), tx.clone())),
        spawn(prices::run(f.clone(), tx.clone(), prices::default_dir())),
        spawn(billed::run(f.clone(), tx.clone())),
        spawn(evidence::run(f.clone(), tx.clone(), evidence_rx, listed)),
        spawn(metrics::run(f.clone(), keys_rx, series)),
        spawn(logtail::run(
            f.clone(),
            tx.clone(),
            watch_rx,
            refresh_rx,
            tail,
        )),
    ];
    tasks.extend(event_workers(&shared, live_tx, loaded_rx));
    let services = ServicesOnly {
        keys: keys_tx,
        loaded: loaded_tx,
    };
    tasks.extend(pollers(&shared, services));
    tasks.push(spawn(first_contact(
        f,
        audit.clone(),
        tx.clone(),
        generation,
    )));
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
        evidence: evidence_tx,
        tasks,
    }
}

/// What a context's pollers share; the metrics worker, the evidence worker and the event
/// workers fill it in.
fn shared(
    fleet: &Arc<dyn Fleet>,
    tx: &mpsc::Sender<Msg>,
    (watch, refresh): (&watch::Receiver<Watch>, &watch::Receiver<u64>),
    intervals: Intervals,
    live: watch::Receiver<bool>,
) -> poller::Shared {
    poller::Shared {
        fleet: fleet.clone(),
        tx: tx.clone(),
        watch: watch.clone(),
        refresh: refresh.clone(),
        intervals,
        series: metrics::Series::default(),
        listed: Listed::default(),
        linking: Linking::default(),
        live,
        moved: Arc::new(watch::channel(Moved::default()).0),
    }
}

/// A poller for each pane one `polls`, in the panes' order; the services poller is given what
/// only it has.
fn pollers(shared: &poller::Shared, services: ServicesOnly) -> Vec<AbortHandle> {
    let mut services = Some(services);
    let polled = Pane::ALL.into_iter().filter(|p| poller::polls(*p));
    polled
        .map(|pane| {
            let only = services.take_if(|_| pane == Pane::Services);
            spawn(poller::run(pane, shared.clone(), only))
        })
        .collect()
}

/// The event worker (ECS's events from a queue or a log group: it says on `live` whether they
/// arrive, and which tasks moved) and the re-reader, which reads the services an event names
/// once the services poller's first load (`loaded`) is in.
fn event_workers(
    shared: &poller::Shared,
    live: watch::Sender<bool>,
    loaded: watch::Receiver<bool>,
) -> [AbortHandle; 2] {
    let (reread_tx, reread_rx) = mpsc::channel(64);
    let links = events::Links {
        reread: reread_tx,
        moved: shared.moved.clone(),
        live,
    };
    let cfg = events::FeedConfig {
        poll: shared.intervals.logs,
        live_tail: shared.intervals.live_tail,
    };
    let rereader = Rereader {
        fleet: shared.fleet.clone(),
        tx: shared.tx.clone(),
        watch: shared.watch.clone(),
        linking: shared.linking.clone(),
        listed: shared.listed.clone(),
        series: shared.series.clone(),
        loaded,
    };
    [
        spawn(events::run(
            shared.fleet.clone(),
            shared.tx.clone(),
            links,
            cfg,
        )),
        spawn(rereader.run(reread_rx)),
    ]
}

/// The first contact (the header's account, the credentials check), then the team audit of
/// the context it found: its group checked, its records shipped through this backend only.
async fn first_contact(
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    tx: mpsc::Sender<Msg>,
    generation: u64,
) {
    if let Some(found) = connect::run(fleet.clone(), tx.clone(), generation).await {
        team_audit::follow(fleet, audit, tx, RecordContext::of(&found)).await;
    }
}
