//! The demo fleet's answer to mutating calls, with the same preconditions ECS checks.

use super::world::World;
use super::{canary, rolling};
use crate::cloud::{CloudError, CloudResult, ErrorKind};
use crate::model::{HookStatus, Mutation, NativeStatus, ServiceKey};

fn invalid(msg: impl Into<String>) -> CloudError {
    CloudError::new(ErrorKind::Other, msg)
}

pub fn act(w: &mut World, key: &ServiceKey, m: &Mutation) -> CloudResult<()> {
    let i = w
        .services
        .iter()
        .position(|s| s.svc.cluster == key.cluster && s.svc.name == key.name)
        .ok_or_else(|| invalid(format!("ServiceNotFoundException: {key}")))?;
    match m {
        Mutation::ContinueHook {
            deployment_arn,
            hook_id,
            proceed,
        } => continue_hook(w, i, deployment_arn, hook_id, *proceed),
        Mutation::StopDeployment { deployment_arn } => stop_deployment(w, i, deployment_arn),
        Mutation::UpdateService {
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
        Mutation::SetWeights {
            rule_arn, from, to, ..
        } => set_weights(w, rule_arn, from, to),
    }
}

fn continue_hook(
    w: &mut World,
    i: usize,
    deployment_arn: &str,
    hook_id: &str,
    proceed: bool,
) -> CloudResult<()> {
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

fn stop_deployment(w: &mut World, i: usize, deployment_arn: &str) -> CloudResult<()> {
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
) -> CloudResult<()> {
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
