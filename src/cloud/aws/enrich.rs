//! What other APIs know about described services, filled in all at once: where a rollback
//! would go (ListTaskDefinitions), native deployments (the service-deployment APIs), target
//! health and weighted listener rules (elbv2). A failure of any of these is logged and leaves
//! that part empty; the rows still show. CPU and memory come from a worker of their own
//! (`Fleet::utilisation`).

use crate::cloud::aws::codedeploy::{self, CdTarget};
use crate::cloud::aws::native::{self, NativeTarget};
use crate::cloud::aws::services::{self, RawService};
use crate::cloud::aws::taskdefs::TaskDefInfo;
use crate::cloud::aws::{AwsFleet, routes, targets};
use crate::model::{
    ApiResult, CodeDeploy, DeploymentController, NativeDeployment, Service, TargetGroupHealth,
    TaskDefRef, WeightedRoute,
};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;

impl AwsFleet {
    /// Maps described services and fills in the rest, target health of every one.
    pub(super) async fn enrich(
        &self,
        raw: &[RawService],
        defs: &HashMap<String, Arc<TaskDefInfo>>,
    ) -> Vec<Service> {
        self.enrich_with(raw, defs, &vec![true; raw.len()], &[])
            .await
    }

    /// Maps described services and fills in the rest; target health only of the services
    /// `health` marks (by index). `others` are rows read before, so a pair of which only one
    /// service was described is still found.
    pub(super) async fn enrich_with(
        &self,
        raw: &[RawService],
        defs: &HashMap<String, Arc<TaskDefInfo>>,
        health: &[bool],
        others: &[Service],
    ) -> Vec<Service> {
        let mut out: Vec<Service> = raw.iter().map(|r| services::map_service(r, defs)).collect();
        self.add_previous_revisions(&mut out).await;
        let natives = native_targets(raw);
        let groups = target_groups(raw, health);
        let paired = paired_groups(&out, others);
        let cds = cd_targets(raw, &out);
        let (nat, (health, health_error), routes, cd) = tokio::join!(
            self.native_deployments(&natives),
            self.target_health(&groups),
            self.weighted_routes(&paired),
            self.codedeploys(&cds),
        );
        for ((i, _), c) in cds.iter().zip(cd) {
            out[*i].codedeploy = c;
        }
        apply_routes(&mut out, routes, &paired);
        match nat {
            Ok(nat) => {
                for ((i, _), n) in natives.iter().zip(nat) {
                    out[*i].native = n;
                }
            }
            Err(e) => tracing::warn!(error = %e, "native deployments unavailable"),
        }
        if let Some(e) = health_error {
            tracing::warn!(error = %e, "target health unavailable");
        }
        apply_health(&mut out, raw, &health);
        out
    }

    /// Where a rollback would go: one ListTaskDefinitions per family and revision, cached.
    async fn add_previous_revisions(&self, out: &mut [Service]) {
        let mut currents: Vec<TaskDefRef> = out.iter().map(|s| s.task_def.clone()).collect();
        currents.sort_by(|a, b| (&a.family, a.revision).cmp(&(&b.family, b.revision)));
        currents.dedup();
        let mut previous = HashMap::new();
        for td in currents {
            match self.previous.lookup(&self.ecs, &self.gate, &td).await {
                Ok(p) => {
                    previous.insert(td, p);
                }
                Err(e) => tracing::warn!(error = %e, "previous revision of {td} unknown"),
            }
        }
        for s in out {
            s.previous_task_def = previous.get(&s.task_def).cloned().flatten();
        }
    }

    async fn native_deployments(
        &self,
        natives: &[(usize, NativeTarget)],
    ) -> ApiResult<Vec<Option<NativeDeployment>>> {
        if natives.is_empty() {
            return Ok(Vec::new());
        }
        let targets: Vec<NativeTarget> = natives.iter().map(|(_, t)| t.clone()).collect();
        native::native_deployments(&self.ecs, &self.gate, &targets, &self.revisions).await
    }

    /// The CodeDeploy side of each CODE_DEPLOY service, in order; a service whose read failed
    /// is logged and shown without it.
    async fn codedeploys(&self, cds: &[(usize, CdTarget)]) -> Vec<Option<CodeDeploy>> {
        let reads: Vec<_> = cds
            .iter()
            .map(|(_, t)| codedeploy::read(&self.cd, &self.gate, &self.cd_groups, t))
            .collect();
        let results: Vec<_> = futures::stream::iter(reads).buffered(4).collect().await;
        results
            .into_iter()
            .zip(cds)
            .map(|(r, (_, t))| {
                r.unwrap_or_else(|e| {
                    tracing::warn!(service = t.service, error = %e, "CodeDeploy unavailable");
                    None
                })
            })
            .collect()
    }

    async fn target_health(
        &self,
        groups: &[String],
    ) -> (
        HashMap<String, TargetGroupHealth>,
        Option<crate::model::ApiError>,
    ) {
        if groups.is_empty() {
            return (HashMap::new(), None);
        }
        targets::fetch(&self.elb, &self.gate, groups).await
    }

    async fn weighted_routes(&self, paired: &[String]) -> ApiResult<Vec<WeightedRoute>> {
        if paired.is_empty() {
            return Ok(Vec::new());
        }
        routes::fetch(&self.elb, &self.gate, paired).await
    }
}

/// The CODE_DEPLOY services, by index, with what their CodeDeploy side is read by.
fn cd_targets(raw: &[RawService], out: &[Service]) -> Vec<(usize, CdTarget)> {
    raw.iter()
        .zip(out)
        .enumerate()
        .filter(|(_, (_, s))| s.controller == DeploymentController::CodeDeploy)
        .map(|(i, (r, s))| {
            let lb = r.svc.load_balancers().first();
            let target = CdTarget {
                cluster: s.cluster.clone(),
                service: s.name.clone(),
                container: lb
                    .and_then(|l| l.container_name())
                    .unwrap_or_default()
                    .to_string(),
                port: lb
                    .and_then(|l| l.container_port())
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or(0),
                task_sets: s.task_sets.clone(),
            };
            (i, target)
        })
        .collect()
}

/// The services with a native strategy, by index, and what their deployments are read by.
fn native_targets(raw: &[RawService]) -> Vec<(usize, NativeTarget)> {
    raw.iter()
        .enumerate()
        .filter(|(_, r)| r.strategy().is_native())
        .map(|(i, r)| {
            let target = NativeTarget {
                cluster: r.cluster.clone(),
                service_arn: r.svc.service_arn().unwrap_or_default().to_string(),
                strategy: r.strategy(),
                current_deployment: r.svc.current_service_deployment().map(str::to_string),
            };
            (i, target)
        })
        .collect()
}

/// Every target group a service marked in `health` registers in, once: its own and, for a
/// native blue/green, canary or linear service, the alternate one its new revision registers
/// in.
fn target_groups(raw: &[RawService], health: &[bool]) -> Vec<String> {
    let mut groups: Vec<String> = raw
        .iter()
        .zip(health)
        .filter(|(_, read)| **read)
        .flat_map(|(r, _)| r.target_group_arns().chain(r.alternate_target_group_arns()))
        .map(str::to_string)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// Weighted rules matter only to paired canaries with target groups of their own: nothing is
/// read for other services, nor for a pair sharing one target group. A pair counts when one
/// of its services is in `out` (the other may be in `others`, read before).
fn paired_groups(out: &[Service], others: &[Service]) -> Vec<String> {
    let described = |s: &Service| out.iter().any(|o| o.arn == s.arn);
    // Only what may pair with a described service is copied: a canary, or a primary one of
    // them names.
    let may_pair = |o: &Service| {
        o.canary_of.is_some()
            || o.name.ends_with("-canary")
            || out.iter().any(|d| {
                d.canary_of.as_deref() == Some(o.name.as_str())
                    || d.name.strip_suffix("-canary") == Some(o.name.as_str())
            })
    };
    let mut all: Vec<Service> = out.to_vec();
    all.extend(
        others
            .iter()
            .filter(|s| !described(s) && may_pair(s))
            .cloned(),
    );
    let mut paired: Vec<String> = crate::model::pairs(&all)
        .into_iter()
        .filter(|(p, c)| described(p) || described(c))
        .filter(|(p, c)| {
            !p.target_groups
                .iter()
                .any(|tg| c.target_groups.contains(tg))
        })
        .flat_map(|(p, c)| p.target_groups.iter().chain(&c.target_groups).cloned())
        .collect();
    paired.sort_unstable();
    paired.dedup();
    paired
}

fn apply_routes(out: &mut [Service], routes: ApiResult<Vec<WeightedRoute>>, paired: &[String]) {
    match routes {
        Ok(routes) => {
            for s in out {
                s.routes = routes
                    .iter()
                    .filter(|r| r.weights.iter().any(|(tg, _)| s.target_groups.contains(tg)))
                    .cloned()
                    .collect();
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "listener rule weights unavailable");
            for s in out
                .iter_mut()
                .filter(|s| paired.iter().any(|tg| s.target_groups.contains(tg)))
            {
                s.routes_error = Some(e.to_string());
            }
        }
    }
}

fn apply_health(
    out: &mut [Service],
    raw: &[RawService],
    health: &HashMap<String, TargetGroupHealth>,
) {
    for (s, r) in out.iter_mut().zip(raw) {
        for arn in r.target_group_arns().chain(r.alternate_target_group_arns()) {
            if let Some(h) = health.get(arn)
                && !s.targets.iter().any(|t| t.target_group_arn == arn)
            {
                s.targets.push(h.clone());
            }
        }
    }
}
