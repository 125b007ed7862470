//! The services poller's refresh: what it asks (`pace.rs`), the first load shown cluster by
//! cluster, the keys for the metrics worker, and the tasks on screen told when their service's
//! row changed.

use crate::cloud::ServicesAsk;
use crate::model::ApiError;
use crate::model::{Service, ServiceKey, ServiceRef, history, pair_of};
use crate::state::{Msg, Watch};
use crate::timing::now_ms;
use crate::workers::metrics;
use crate::workers::pace::Tick;
use crate::workers::poller::{Poller, rollout_visible};
use std::sync::Arc;
use tokio::time::Instant;

impl Poller {
    /// The services, with the latest CPU and memory. The first load shows each cluster's rows
    /// as they come in; later refreshes replace the list whole, so rows never blink out while
    /// a refresh runs.
    pub(super) async fn services(
        &mut self,
        w: &Watch,
        forced: bool,
    ) -> Result<Vec<Service>, ApiError> {
        let ask = self.services_ask(w, forced);
        let listing = if self.loaded {
            self.fleet.services_refresh(&ask, &|_, _, _| {}).await?
        } else {
            let (tx, series, listed) = (self.tx.clone(), self.series.clone(), self.listed.clone());
            let part = move |mut rows: Vec<Service>, done: usize, total: usize| {
                metrics::apply(&series, &mut rows);
                history::carry(&[], &mut rows, &listed.get(), now_ms());
                // Best effort: a progress view may be skipped if the loop is busy.
                let _ = tx.try_send(Msg::ServicesPart(rows, done, total, now_ms()));
            };
            self.fleet.services_refresh(&ask, &part).await?
        };
        self.partial = listing.failed;
        let mut all = listing.items;
        self.loaded = true;
        self.count = all.len();
        if let Some(only) = &self.services {
            only.loaded.send_replace(true);
            let now: Vec<ServiceKey> = all.iter().map(Service::key).collect();
            only.keys.send_if_modified(|k| {
                let changed = **k != now;
                if changed {
                    *k = Arc::new(now);
                }
                changed
            });
        }
        self.note_focus(w, &all);
        metrics::apply(&self.series, &mut all);
        Ok(all)
    }

    /// What this refresh asks for: everything on `r`, else as the pace says.
    fn services_ask(&mut self, w: &Watch, forced: bool) -> ServicesAsk {
        let live = *self.live.borrow();
        let now = Instant::now();
        let tick = match forced {
            true => Tick::Full,
            false => self.pace().tick(
                live,
                self.last_full.map(|t| now.saturating_duration_since(t)),
            ),
        };
        if tick == Tick::Full {
            self.last_full = Some(now);
        }
        let focus = self.focus(w);
        match forced {
            true => ServicesAsk {
                focus,
                ..ServicesAsk::everything()
            },
            false => self.pace().ask(tick, live, self.count, focus),
        }
    }

    /// The services the screen is about: the rollout view's, with its pair.
    fn focus(&self, w: &Watch) -> Vec<ServiceKey> {
        let Some(key) = w.service.as_ref().filter(|_| rollout_visible(w)) else {
            return Vec::new();
        };
        let mut focus = vec![key.clone()];
        if let Some((k, _, Some(partner))) = &self.focus_seen
            && k == key
        {
            focus.push(partner.clone());
        }
        focus
    }

    /// Tells the tasks on screen when the focus service's row changed (its counts,
    /// deployments or newest event): they are read at once rather than at the next interval.
    fn note_focus(&mut self, w: &Watch, all: &[Service]) {
        let Some(key) = w.service.as_ref().filter(|_| rollout_visible(w)) else {
            self.focus_seen = None;
            return;
        };
        let Some(s) = all.iter().find(|s| &s.key() == key) else {
            return;
        };
        let partner = pair_of(s, all).map(|(p, c)| if p.key() == *key { c.key() } else { p.key() });
        let sig = signature(s);
        let changed = self
            .focus_seen
            .as_ref()
            .is_some_and(|(k, before, _)| k == key && *before != sig);
        self.focus_seen = Some((key.clone(), sig, partner));
        if changed {
            self.moved_tx.send_modify(|m| {
                m.seq += 1;
                m.services = vec![ServiceRef::of(key)];
            });
        }
    }
}

/// What of a service's row says its tasks moved.
fn signature(s: &Service) -> String {
    let deployments: Vec<String> = s
        .deployments
        .iter()
        .map(|d| {
            format!(
                "{}:{}/{}/{}/{}",
                d.id, d.running, d.pending, d.desired, d.failed_tasks
            )
        })
        .collect();
    format!(
        "{}/{}/{} {} {}",
        s.running,
        s.pending,
        s.desired,
        deployments.join(","),
        s.events.first().map_or(0, |e| e.at.millis())
    )
}
