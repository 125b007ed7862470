//! Reads again the services ECS's events named, at once and at the visible priority, beside
//! the services poller (whose slow reconciliation may be running): the backend's rows of every
//! other service are kept, so the whole list goes to the loop prepared as a refresh does.
//! Requests that queue up meanwhile are merged into one read.

use crate::budget::{Priority, with_caller, with_priority};
use crate::cloud::{Fleet, ServicesAsk};
use crate::model::ServiceRef;
use crate::state::{Msg, Pane, Watch};
use crate::timing::now_ms;
use crate::workers::events::Reread;
use crate::workers::evidence::Listed;
use crate::workers::linking::Linking;
use crate::workers::metrics;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

pub struct Rereader {
    pub fleet: Arc<dyn Fleet>,
    pub tx: mpsc::Sender<Msg>,
    pub watch: watch::Receiver<Watch>,
    pub linking: Linking,
    pub listed: Listed,
    pub series: metrics::Series,
    /// True once the first load is in: a read before it would read everything twice.
    pub loaded: watch::Receiver<bool>,
}

impl Rereader {
    pub async fn run(mut self, mut asks: mpsc::Receiver<Reread>) {
        if self.loaded.wait_for(|l| *l).await.is_err() {
            return;
        }
        while let Some(first) = asks.recv().await {
            let mut services = first.services;
            let mut done = vec![first.done];
            while let Ok(more) = asks.try_recv() {
                services.extend(more.services);
                done.push(more.done);
            }
            services.sort();
            services.dedup();
            let applied = self.read(services).await;
            for d in done {
                let _ = d.send(applied);
            }
            if self.tx.is_closed() {
                return;
            }
        }
    }

    /// Reads `services` again and sends the whole list; true when their rows reached the loop.
    async fn read(&self, services: Vec<ServiceRef>) -> bool {
        let w = self.watch.borrow().clone();
        let focus = match (&w.pane, &w.service) {
            (Pane::Rollout, Some(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        let ask = ServicesAsk::changed(services, focus);
        let call = self.fleet.services_refresh(&ask, &|_, _, _| {});
        let listing = match with_caller("events", with_priority(Priority::Visible, call)).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "services named by events could not be read");
                return false;
            }
        };
        let complete = listing.failed.is_none();
        let mut rows = listing.items;
        metrics::apply(&self.series, &mut rows);
        let sent = self
            .linking
            .send_services(&self.tx, rows, w.sort, &self.listed.get(), now_ms())
            .await;
        sent.is_ok() && complete
    }
}
