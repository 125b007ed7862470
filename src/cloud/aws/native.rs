//! Native ECS deployments (BLUE_GREEN, CANARY, LINEAR): `describe_service_deployments` (20 a
//! call) for each service's current deployment, `describe_service_revisions` (20 a call) for
//! the task definition and images of the revisions taking part, mapped into
//! `model::NativeDeployment`. Services on the ROLLING strategy never come here.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::{image_tag, millis, opt_millis, task_def_ref};
use crate::cloud::aws::services::strategy_of;
use crate::model::Op;
use crate::model::{
    ApiResult, At, HookStatus, LifecycleHook, LifecycleStage, Ms, NativeDeployment, NativeStatus,
    ServiceRevision, Strategy, TimeoutAction,
};
use aws_sdk_ecs::types::{
    DeploymentLifecycleHookStatus, ServiceDeployment, ServiceRevision as SdkRevision,
    ServiceRevisionSummary,
};
use futures::{StreamExt, TryStreamExt};

use std::collections::HashMap;

/// `describe_service_deployments` and `describe_service_revisions` take at most 20 ARNs.
pub const DESCRIBE_BATCH: usize = 20;
const CONCURRENCY: usize = 4;

/// A service whose native deployment is wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeTarget {
    /// Cluster name or ARN.
    pub cluster: String,
    pub service_arn: String,
    /// The service's strategy, used when the deployment does not carry its configuration.
    pub strategy: Strategy,
    /// `Service.currentServiceDeployment`, when ECS reported it; otherwise the newest deployment
    /// is looked up with `list_service_deployments`.
    pub current_deployment: Option<String>,
}

/// Service revisions read before, by ARN: a revision never changes, so each is read once.
#[derive(Debug, Default)]
pub struct Revisions(std::sync::Mutex<HashMap<String, SdkRevision>>);

/// Revisions kept at most; the whole cache is dropped when full (they are read again).
const REVISIONS_KEPT: usize = 1024;

impl Revisions {
    fn known(&self, arns: &[String]) -> (HashMap<String, SdkRevision>, Vec<String>) {
        let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (have, missing): (Vec<&String>, Vec<&String>) =
            arns.iter().partition(|a| cache.contains_key(*a));
        let have = have
            .into_iter()
            .filter_map(|a| Some((a.clone(), cache.get(a)?.clone())))
            .collect();
        (have, missing.into_iter().cloned().collect())
    }

    fn keep(&self, read: &HashMap<String, SdkRevision>) {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + read.len() > REVISIONS_KEPT {
            cache.clear();
        }
        cache.extend(read.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

/// The current native deployment of each target, in order; `None` for a service without one.
pub async fn native_deployments(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    targets: &[NativeTarget],
    cache: &Revisions,
) -> ApiResult<Vec<Option<NativeDeployment>>> {
    // 1. The deployment ARN of each target.
    let lookups: Vec<_> = targets
        .iter()
        .map(|t| deployment_arn(ecs, gate, t))
        .collect();
    let arns: Vec<Option<String>> = futures::stream::iter(lookups)
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    // 2. The deployments, and 3. the revisions they move between.
    let deployments = describe_deployments(ecs, gate, &arns).await?;
    let revisions = describe_revisions(ecs, gate, &deployments, cache).await?;
    Ok(targets
        .iter()
        .zip(arns)
        .map(|(t, arn)| {
            let d = deployments.get(arn.as_deref()?)?;
            Some(map_deployment(d, &revisions, t.strategy.clone()))
        })
        .collect())
}

/// The deployments of `arns` by ARN, 20 a call.
async fn describe_deployments(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    arns: &[Option<String>],
) -> ApiResult<HashMap<String, ServiceDeployment>> {
    let mut wanted: Vec<String> = arns.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let mut deployments = HashMap::new();
    for chunk in wanted.chunks(DESCRIBE_BATCH) {
        let out = ecs
            .describe_service_deployments()
            .set_service_deployment_arns(Some(chunk.to_vec()))
            .send()
            .within(gate, Op::EcsDescribeServiceDeployments)
            .await?;
        for f in out.failures() {
            tracing::warn!(
                arn = f.arn().unwrap_or_default(),
                reason = f.reason().unwrap_or_default(),
                "describe_service_deployments failure"
            );
        }
        for d in out.service_deployments() {
            if let Some(arn) = d.service_deployment_arn() {
                deployments.insert(arn.to_string(), d.clone());
            }
        }
    }
    Ok(deployments)
}

/// The target and source revisions of `deployments` by ARN, 20 a call, those read before from
/// `cache`.
async fn describe_revisions(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    deployments: &HashMap<String, ServiceDeployment>,
    cache: &Revisions,
) -> ApiResult<HashMap<String, SdkRevision>> {
    let mut revision_arns: Vec<String> = deployments
        .values()
        .flat_map(|d| {
            d.target_service_revision()
                .into_iter()
                .chain(d.source_service_revisions())
        })
        .filter_map(|r| r.arn().map(str::to_string))
        .collect();
    revision_arns.sort();
    revision_arns.dedup();
    let (mut revisions, revision_arns) = cache.known(&revision_arns);
    let mut read = HashMap::new();
    for chunk in revision_arns.chunks(DESCRIBE_BATCH) {
        let out = ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(chunk.to_vec()))
            .send()
            .within(gate, Op::EcsDescribeServiceRevisions)
            .await?;
        for r in out.service_revisions() {
            if let Some(arn) = r.service_revision_arn() {
                read.insert(arn.to_string(), r.clone());
            }
        }
    }
    cache.keep(&read);
    revisions.extend(read);
    Ok(revisions)
}

async fn deployment_arn(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    t: &NativeTarget,
) -> ApiResult<Option<String>> {
    match &t.current_deployment {
        Some(arn) if !arn.is_empty() => Ok(Some(arn.clone())),
        _ => newest_deployment(ecs, gate, t).await,
    }
}

/// The newest deployment of a service, from the first page of `list_service_deployments`.
async fn newest_deployment(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    t: &NativeTarget,
) -> ApiResult<Option<String>> {
    let out = ecs
        .list_service_deployments()
        .cluster(&t.cluster)
        .service(&t.service_arn)
        .send()
        .within(gate, Op::EcsListServiceDeployments)
        .await?;
    Ok(out
        .service_deployments()
        .iter()
        .max_by_key(|b| millis(b.created_at().or(b.started_at())))
        .and_then(|b| b.service_deployment_arn())
        .map(str::to_string))
}

fn map_revision(
    s: &ServiceRevisionSummary,
    revisions: &HashMap<String, SdkRevision>,
) -> ServiceRevision {
    let arn = s.arn().unwrap_or_default();
    let rev = revisions.get(arn);
    let image = rev.and_then(|r| r.container_images().first());
    ServiceRevision {
        arn: arn.to_string(),
        task_def: task_def_ref(rev.and_then(|r| r.task_definition()).unwrap_or_default()),
        image_tag: image
            .and_then(|i| i.image())
            .map(image_tag)
            .unwrap_or_default(),
        image_digest: image
            .and_then(|i| i.image_digest())
            .unwrap_or_default()
            .to_string(),
        running: s.running_task_count().max(0) as u32,
        requested_production_weight: s.requested_production_traffic_weight().unwrap_or(0.0),
        requested_test_weight: s.requested_test_traffic_weight().unwrap_or(0.0),
    }
}

/// The stage a hook runs at: the stage its configuration names (the one hook of its kind
/// and target with one stage); else, while it waits or runs, the stage the deployment is at;
/// else not known. A finished hook does not follow the deployment to its later stages.
fn hook_stage(
    d: &ServiceDeployment,
    hook: &aws_sdk_ecs::types::DeploymentLifecycleHookDetail,
    status: &HookStatus,
    deployment_stage: &str,
) -> Option<LifecycleStage> {
    let configured: Vec<_> = d
        .deployment_configuration()
        .map(|c| c.lifecycle_hooks())
        .unwrap_or_default()
        .iter()
        .filter(|h| h.target_type() == hook.target_type())
        .filter(|h| hook.target_arn().is_none() || h.hook_target_arn() == hook.target_arn())
        .collect();
    if let [only] = configured.as_slice()
        && let [stage] = only.lifecycle_stages()
    {
        return Some(LifecycleStage::parse(stage.as_str()));
    }
    let running = matches!(status, HookStatus::AwaitingAction | HookStatus::InProgress);
    (running && !deployment_stage.is_empty()).then(|| LifecycleStage::parse(deployment_stage))
}

/// The hook to show: the one awaiting action if any, else the latest that finished.
fn pick_hook(d: &ServiceDeployment, stage: &str) -> Option<LifecycleHook> {
    let hooks = d.lifecycle_hook_details();
    let hook = hooks
        .iter()
        .find(|h| h.status() == Some(&DeploymentLifecycleHookStatus::AwaitingAction))
        .or_else(|| {
            hooks.iter().rev().find(|h| {
                matches!(
                    h.status(),
                    Some(
                        DeploymentLifecycleHookStatus::Succeeded
                            | DeploymentLifecycleHookStatus::Failed
                            | DeploymentLifecycleHookStatus::TimedOut
                    )
                )
            })
        })?;
    let status = HookStatus::parse(hook.status()?.as_str());
    Some(LifecycleHook {
        id: hook.hook_id().unwrap_or_default().to_string(),
        stage: hook_stage(d, hook, &status, stage),
        status,
        expires_at: millis(hook.expires_at()),
        timeout_action: TimeoutAction::parse(hook.timeout_action().map_or("", |a| a.as_str())),
    })
}

/// Maps one described deployment; `revisions` gives task definitions and images by ARN.
pub fn map_deployment(
    d: &ServiceDeployment,
    revisions: &HashMap<String, SdkRevision>,
    fallback: Strategy,
) -> NativeDeployment {
    let config = d.deployment_configuration();
    let strategy = match config.and_then(|c| c.strategy()) {
        Some(s) => strategy_of(Some(s)),
        None => fallback,
    };
    let stage = d
        .lifecycle_stage()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let target = d
        .target_service_revision()
        .map(|t| map_revision(t, revisions))
        .unwrap_or_else(|| map_revision(&ServiceRevisionSummary::builder().build(), revisions));
    // A canary's share, or a LINEAR deployment's step: what one traffic step moves.
    let canary_percent = config
        .and_then(|c| c.canary_configuration())
        .and_then(|c| c.canary_percent())
        .or_else(|| {
            config
                .and_then(|c| c.linear_configuration())
                .and_then(|l| l.step_percent())
        })
        .unwrap_or(0.0);
    NativeDeployment {
        arn: d.service_deployment_arn().unwrap_or_default().to_string(),
        strategy,
        status: NativeStatus::parse(d.status().map_or("", |s| s.as_str())),
        lifecycle_stage: LifecycleStage::parse(&stage),
        bake_ends_at: bake_ends_at(d, &stage, &target),
        bake_minutes: config.and_then(configured_bake),
        sources: d
            .source_service_revisions()
            .iter()
            .map(|s| map_revision(s, revisions))
            .collect(),
        target,
        hook: pick_hook(d, &stage),
        canary_percent,
        triggered_alarms: d
            .alarms()
            .map(|a| a.triggered_alarm_names().to_vec())
            .unwrap_or_default(),
        watched_alarms: d
            .alarms()
            .map(|a| a.alarm_names().to_vec())
            .unwrap_or_default(),
        rollback_reason: d.rollback().and_then(|r| r.reason()).map(str::to_string),
        started_at: millis(d.started_at().or(d.created_at())),
    }
}

/// When the current bake ends, estimated from the deployment's last update: the final bake
/// (`BAKE_TIME`), or the canary bake while the canary share of traffic is shifted.
fn bake_ends_at(d: &ServiceDeployment, stage: &str, target: &ServiceRevision) -> Option<At> {
    let config = d.deployment_configuration()?;
    let since = opt_millis(d.updated_at().or(d.started_at()))?;
    let minutes = match stage {
        "BAKE_TIME" => config.bake_time_in_minutes()?,
        // A LINEAR step bakes before the next, until all the traffic moved.
        "PRODUCTION_TRAFFIC_SHIFT" if target.requested_production_weight < 100.0 => {
            if let Some(l) = config.linear_configuration() {
                l.step_bake_time_in_minutes()?
            } else {
                canary_bake(config, target)?
            }
        }
        "POST_PRODUCTION_TRAFFIC_SHIFT" => canary_bake(config, target)?,
        _ => return None,
    };
    Some(since + Ms::mins(i64::from(minutes.max(0))))
}

/// The bake a deployment's configuration sets: the canary's, a LINEAR step's, else the final.
fn configured_bake(c: &aws_sdk_ecs::types::DeploymentConfiguration) -> Option<u32> {
    c.canary_configuration()
        .and_then(|k| k.canary_bake_time_in_minutes())
        .or_else(|| {
            c.linear_configuration()
                .and_then(|l| l.step_bake_time_in_minutes())
        })
        .or(c.bake_time_in_minutes())
        .and_then(|m| u32::try_from(m).ok())
}

/// A canary's bake, while its share of the traffic is shifted.
fn canary_bake(
    config: &aws_sdk_ecs::types::DeploymentConfiguration,
    target: &ServiceRevision,
) -> Option<i32> {
    let canary = config.canary_configuration()?;
    let pct = canary.canary_percent()?;
    if (target.requested_production_weight - pct).abs() > f64::EPSILON {
        return None;
    }
    canary.canary_bake_time_in_minutes()
}
