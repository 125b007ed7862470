//! The demo fleet's answer to mutating calls, with the same preconditions ECS checks.

use crate::demo::builds::Registered;
use crate::demo::world::World;
use crate::demo::{canary, rolling};
use crate::model::{ApiError, ApiResult, ErrorKind};
use crate::model::{AwsCall, HookStatus, NativeStatus, ServiceKey, TaskDefRef};

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Other, msg)
}

pub(super) fn act(w: &mut World, key: &ServiceKey, m: &AwsCall) -> ApiResult<()> {
    let i = w
        .services
        .iter()
        .position(|s| s.svc.cluster == key.cluster && s.svc.name == key.name)
        .ok_or_else(|| invalid(format!("ServiceNotFoundException: {key}")))?;
    // The scenario pauses for this service while the operator's job acts on it.
    w.services[i].operator_since = Some(w.now);
    match m {
        AwsCall::ContinueHook {
            deployment_arn,
            hook_id,
            proceed,
        } => continue_hook(w, i, deployment_arn, hook_id, *proceed),
        AwsCall::StopDeployment { deployment_arn } => stop_deployment(w, i, deployment_arn),
        AwsCall::UpdateService {
            task_def,
            desired,
            force,
        } => {
            if let Some(n) = *desired {
                w.services[i].svc.desired = n;
                for d in &mut w.services[i].svc.deployments {
                    d.desired = n;
                }
            }
            match task_def {
                Some(td) => rolling::start_to(w, i, td.clone()),
                None if *force => rolling::force(w, i),
                None => rolling::rescale(w, i),
            }
            Ok(())
        }
        AwsCall::SetWeights {
            rule_arn, from, to, ..
        } => set_weights(w, rule_arn, from, to),
        AwsCall::RegisterTaskDefinition {
            from,
            repository,
            digest,
        } => register(w, i, from, repository, digest).map(|_| ()),
        AwsCall::StopTask { task_arn, reason } => stop_task(w, i, task_arn, reason),
        m if crate::demo::codedeploy::is_codedeploy(m) => crate::demo::codedeploy::act(w, i, m),
        other => Err(invalid(format!(
            "{other} is not a call this backend makes (the runner resolves it first)"
        ))),
    }
}

/// StopTask as ECS does it: the task stops with the user's reason; when the service then
/// runs fewer than it wants, its scheduler starts a replacement.
fn stop_task(w: &mut World, i: usize, task_arn: &str, reason: &str) -> ApiResult<()> {
    let ti = w
        .tasks
        .iter()
        .position(|t| t.svc == i && t.task.arn == task_arn)
        .ok_or_else(|| {
            invalid(format!(
                "InvalidParameterException: The referenced task was not found: {task_arn}"
            ))
        })?;
    w.stop_task(ti, "UserInitiated", reason);
    let td = w.services[i].svc.task_def.clone();
    let live = w.live_tasks_of(i, &td).count() as u32;
    if live < w.services[i].svc.desired {
        w.launch_task(i, &td);
    }
    Ok(())
}

/// A new revision of the service's family: `from` with its image moved to `digest`.
pub fn register(
    w: &mut World,
    i: usize,
    from: &TaskDefRef,
    repository: &str,
    digest: &str,
) -> ApiResult<TaskDefRef> {
    if w.services[i].repo != repository {
        return Err(invalid(format!(
            "ClientException: no container of {from} runs an image of {repository}"
        )));
    }
    let tag = w
        .images
        .iter()
        .find(|img| img.repository == repository && img.digest == digest)
        .and_then(|img| img.tags.first().cloned())
        .ok_or_else(|| invalid(format!("ImageNotFoundException: {repository}@{digest}")))?;
    // A paired canary registers in its primary's family: the highest revision of the two.
    let family = from.family.clone();
    let latest = w
        .services
        .iter()
        .filter(|s| s.svc.task_def.family == family)
        .map(|s| s.latest_revision)
        .max()
        .unwrap_or(from.revision);
    let revision = latest + 1;
    for s in w
        .services
        .iter_mut()
        .filter(|s| s.svc.task_def.family == family)
    {
        s.latest_revision = revision;
    }
    let digest = digest.to_string();
    w.builds.registered.push(Registered {
        svc: i,
        revision,
        tag,
        digest,
    });
    Ok(TaskDefRef { family, revision })
}

/// The index of `key` in the world.
pub fn index_of(w: &World, key: &ServiceKey) -> ApiResult<usize> {
    w.services
        .iter()
        .position(|s| s.svc.cluster == key.cluster && s.svc.name == key.name)
        .ok_or_else(|| invalid(format!("ServiceNotFoundException: {key}")))
}

fn continue_hook(
    w: &mut World,
    i: usize,
    deployment_arn: &str,
    hook_id: &str,
    proceed: bool,
) -> ApiResult<()> {
    let n = w.services[i]
        .svc
        .native
        .as_ref()
        .filter(|n| n.arn == deployment_arn);
    let waiting = n
        .and_then(|n| n.hook.as_ref())
        .is_some_and(|h| h.id == hook_id && h.status == HookStatus::AwaitingAction);
    if !waiting {
        return Err(invalid(format!(
            "InvalidParameterException: hook {hook_id} of {deployment_arn} is not awaiting action"
        )));
    }
    canary::resolve_hook(w, i, proceed);
    Ok(())
}

fn stop_deployment(w: &mut World, i: usize, deployment_arn: &str) -> ApiResult<()> {
    let running = w.services[i]
        .svc
        .native
        .as_ref()
        .is_some_and(|n| n.arn == deployment_arn && n.status == NativeStatus::InProgress);
    if !running {
        return Err(invalid(format!(
            "ServiceDeploymentNotStoppableException: {deployment_arn} is not in progress"
        )));
    }
    canary::roll_back(w, i, "Stopped by the user with stopType ROLLBACK.");
    Ok(())
}

/// Compare-and-set on a listener rule's weights, as the AWS backend does.
fn set_weights(
    w: &mut World,
    rule_arn: &str,
    from: &[(String, u32)],
    to: &[(String, u32)],
) -> ApiResult<()> {
    let route = w
        .routes
        .iter_mut()
        .find(|r| r.rule_arn == rule_arn)
        .ok_or_else(|| invalid(format!("RuleNotFound: {rule_arn}")))?;
    if route.weights != from {
        return Err(invalid(format!(
            "refused: the weights of {rule_arn} changed; nothing was modified"
        )));
    }
    route.weights = to.to_vec();
    w.recount();
    Ok(())
}
