//! A services refresh that asks only what changed (`ServicesAsk`): ListClusters once a minute
//! or on a miss, ListServices compared with the last list, DescribeServices for what
//! `Known::plan` picks, and target health only for the screen's focus. The first load reads
//! everything, with the API budget's cold start: the whole published rate until it is in.

use crate::cloud::aws::AwsFleet;
use crate::cloud::aws::known::Entry;
use crate::cloud::aws::services::{self, RawService};
use crate::cloud::aws::taskdefs::TaskDefInfo;
use crate::cloud::{Listing, PartSink, ServicesAsk};
use crate::model::listing::clusters_failed;
use crate::model::{ApiError, ApiResult, Op};
use crate::model::{Clean, Service, ServiceStatus};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How long the list of clusters is used before it is read again.
pub const CLUSTERS_EVERY: Duration = Duration::from_secs(60);
/// How often a moving focus service's target health is read again.
pub const HEALTH_EVERY: Duration = Duration::from_secs(6);

/// The operations of a first load, which may use their whole published rate.
const COLD_START: [Op; 4] = [
    Op::EcsListClusters,
    Op::EcsListServices,
    Op::EcsDescribeServices,
    Op::EcsDescribeTaskDefinition,
];

/// The cluster list read last, and when.
#[derive(Debug, Default)]
pub struct ClusterList(Mutex<Option<(Vec<String>, Instant)>>);

impl ClusterList {
    /// The list, if read within `CLUSTERS_EVERY`.
    pub fn fresh(&self) -> Option<Vec<String>> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.as_ref()
            .filter(|(_, at)| at.elapsed() < CLUSTERS_EVERY)
            .map(|(names, _)| names.clone())
    }

    pub fn put(&self, names: Vec<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((names, Instant::now()));
    }

    /// Read it again at the next use: a cluster was not found, or one is new.
    pub fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl AwsFleet {
    /// The refresh `ask` describes: every service's row, read now or kept from before.
    pub(super) async fn refresh(
        &self,
        ask: &ServicesAsk,
        part: &PartSink<'_>,
    ) -> ApiResult<Listing<Service>> {
        let first = self.known.first_load();
        let (budget, scope) = (self.gate.budget(), self.gate.scope());
        if first {
            COLD_START
                .iter()
                .for_each(|op| budget.boost_in(&scope, *op));
        }
        let result = self.refresh_clusters(ask, first, part).await;
        if first {
            self.known.loaded();
            COLD_START
                .iter()
                .for_each(|op| budget.settle_in(&scope, *op));
        }
        let usage = self.known.images();
        *self.usage.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(usage));
        result
    }

    async fn refresh_clusters(
        &self,
        ask: &ServicesAsk,
        first: bool,
        part: &PartSink<'_>,
    ) -> ApiResult<Listing<Service>> {
        let mut clusters = self.clusters().await?;
        // An event from a cluster not in the list: the list is old.
        if ask
            .changed
            .iter()
            .any(|r| r.cluster.as_ref().is_some_and(|c| !clusters.contains(c)))
            && self.clusters.is_empty()
        {
            self.cluster_list.forget();
            clusters = self.clusters().await?;
        }
        let total = clusters.len();
        let calls: Vec<_> = clusters
            .iter()
            .enumerate()
            .map(|(i, c)| async move { (i, self.refresh_cluster(c, ask).await) })
            .collect();
        let mut pending =
            futures::stream::iter(calls).buffer_unordered(services::CLUSTER_CONCURRENCY);
        let mut done: Vec<Option<Vec<Service>>> = vec![None; total];
        let mut failed = Vec::new();
        let mut finished = 0;
        while let Some((i, result)) = pending.next().await {
            finished += 1;
            match result {
                Ok(rows) => done[i] = Some(rows),
                Err(e) => failed.push((clusters[i].clone(), e)),
            }
            if first && finished < total {
                part(
                    done.iter().flatten().flatten().cloned().collect(),
                    finished,
                    total,
                );
            }
        }
        self.after_failures(&failed);
        let rows = done.into_iter().flatten().flatten().collect();
        Listing::or_failure(rows, clusters_failed(failed, total))
    }

    /// A cluster that could not be read is read whole next time; one not found means the
    /// cluster list is old.
    fn after_failures(&self, failed: &[(String, ApiError)]) {
        for (c, e) in failed {
            self.known.forget(c);
            if e.message.contains("ClusterNotFound") || e.message.contains("not found") {
                self.cluster_list.forget();
            }
        }
    }

    /// One cluster: its list when asked (or never read), the services `Known::plan` picks
    /// described, and every row of the cluster, read now or kept.
    async fn refresh_cluster(&self, cluster: &str, ask: &ServicesAsk) -> ApiResult<Vec<Service>> {
        let listed = if ask.list || !self.known.has(cluster) {
            Some(services::list_arns(&self.ecs, &self.gate, cluster).await?)
        } else {
            None
        };
        let plan = self.known.plan(cluster, listed, ask, Instant::now());
        if plan.describe.is_empty() {
            return Ok(self.known.rows(cluster));
        }
        let described = services::describe(&self.ecs, &self.gate, cluster, &plan.describe).await?;
        let raw: Vec<RawService> = described
            .into_iter()
            // An INACTIVE service was deleted: it is gone from the list.
            .filter(|s| {
                ServiceStatus::parse(s.status().unwrap_or_default()) != ServiceStatus::Inactive
            })
            .map(|svc| RawService {
                cluster: cluster.to_string(),
                svc,
            })
            .collect();
        let defs = self.defs_of(&raw).await;
        let rows = self.enrich_for(&raw, &defs, ask).await.cleaned();
        let entries = rows
            .into_iter()
            .zip(&raw)
            .map(|(row, r)| Entry {
                images: crate::cloud::aws::usage_of(std::slice::from_ref(r), &defs)
                    .pop()
                    .map(|u| u.images)
                    .unwrap_or_default(),
                row,
                read_at: Instant::now(),
            })
            .collect();
        Ok(self
            .known
            .store(cluster, &plan.describe, entries, Instant::now()))
    }

    /// Maps and fills in described services; target health only for the screen's focus
    /// (while it moves, or once when it comes into view), kept from before otherwise.
    async fn enrich_for(
        &self,
        raw: &[RawService],
        defs: &HashMap<String, Arc<TaskDefInfo>>,
        ask: &ServicesAsk,
    ) -> Vec<Service> {
        let now = Instant::now();
        let health: Vec<bool> = raw
            .iter()
            .map(|r| services::map_service(r, defs))
            .map(|s| {
                ask.focus.contains(&s.key())
                    && self.known.health_due(&ask.focus, &s, HEALTH_EVERY, now)
            })
            .collect();
        let others = raw
            .first()
            .map(|r| self.known.rows(&r.cluster))
            .unwrap_or_default();
        let mut rows = self.enrich_with(raw, defs, &health, &others).await;
        for (row, read) in rows.iter_mut().zip(&health) {
            if !read
                && ask.focus.contains(&row.key())
                && let Some(before) = self.known.entry(&row.cluster, &row.arn)
            {
                row.targets = before.row.targets;
            }
        }
        rows
    }
}
