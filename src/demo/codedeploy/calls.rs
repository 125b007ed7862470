//! ContinueDeployment, StopDeployment and CreateDeployment on the demo's CodeDeploy.

use super::super::world::World;
use super::clock::{stop, succeed};
use super::*;
use crate::model::{ApiError, ApiResult, ErrorKind};

/// `family:N` of a task definition ARN.
fn revision_of(arn: &str) -> Option<TaskDefRef> {
    let tail = arn.rsplit('/').next()?;
    let (family, rev) = tail.rsplit_once(':')?;
    Some(TaskDefRef {
        family: family.to_string(),
        revision: rev.parse().ok()?,
    })
}

fn refuse(code: &str, msg: String) -> ApiError {
    ApiError::new(ErrorKind::Other, format!("{code}: {msg}"))
}

fn missing(id: &str) -> ApiError {
    refuse(
        "DeploymentDoesNotExistException",
        format!("The deployment {id} could not be found."),
    )
}

/// The deployment `id` if it is the service's and has not finished, else CodeDeploy's error.
fn moving(w: &World, i: usize, id: &str) -> ApiResult<CdDeployment> {
    let cd = w.services[i].svc.codedeploy.as_ref();
    let d = cd
        .and_then(|c| c.deployment.clone())
        .filter(|d| d.id == id)
        .ok_or_else(|| missing(id))?;
    if !d.status.is_moving() {
        return Err(refuse(
            "DeploymentAlreadyCompletedException",
            format!("The deployment {id} has already completed."),
        ));
    }
    Ok(d)
}

/// ContinueDeployment: reroute a deployment ready for it, or end a termination wait.
fn continue_(w: &mut World, i: usize, id: &str, wait: CdWait) -> ApiResult<()> {
    let now = w.now;
    let d = moving(w, i, id)?;
    match (wait, d.waiting()) {
        (CdWait::Reroute, Some(CdWait::Reroute)) => {
            if let Some(d) = deployment_mut(w, i) {
                d.status = CdStatus::InProgress;
                set_event(d, "BeforeAllowTraffic", CdEventStatus::Succeeded, now);
                set_event(d, "AllowTraffic", CdEventStatus::InProgress, now);
                set_weight(d, CANARY_PERCENT);
            }
            Ok(())
        }
        (CdWait::Reroute, _) => Err(refuse(
            "DeploymentIsNotInReadyStateException",
            format!("The deployment {id} is not in a ready state."),
        )),
        (CdWait::Termination, Some(CdWait::Termination)) => {
            succeed(w, i);
            Ok(())
        }
        (CdWait::Termination, _) => Err(refuse(
            "InvalidDeploymentWaitTypeException",
            format!("The deployment {id} is not waiting for termination."),
        )),
    }
}

/// CreateDeployment of the AppSpec's revision, when none of the group's is in flight.
fn create(w: &mut World, i: usize, appspec: &str) -> ApiResult<()> {
    let cd = w.services[i].svc.codedeploy.as_ref();
    if cd.and_then(|c| c.in_flight()).is_some() {
        return Err(refuse(
            "DeploymentLimitExceededException",
            "a deployment of this group is in progress".into(),
        ));
    }
    let td = crate::model::codedeploy::appspec_task_def(appspec)
        .and_then(|arn| revision_of(&arn))
        .ok_or_else(|| {
            refuse(
                "InvalidRevisionException",
                "the AppSpec names no task definition".into(),
            )
        })?;
    w.services[i].next_deploy_at = None;
    start_to(w, i, td, false);
    Ok(())
}

/// ContinueDeployment, StopDeployment and CreateDeployment on the demo, with CodeDeploy's
/// preconditions.
pub fn act(w: &mut World, i: usize, m: &AwsCall) -> ApiResult<()> {
    match m {
        AwsCall::ContinueCodeDeploy {
            deployment_id,
            wait,
        } => continue_(w, i, deployment_id, *wait),
        AwsCall::StopCodeDeploy { deployment_id } => {
            moving(w, i, deployment_id)?;
            stop(w, i, "The deployment was stopped by the user.", true);
            Ok(())
        }
        AwsCall::CreateCodeDeploy { appspec, .. } => create(w, i, appspec),
        other => Err(refuse(
            "InvalidOperation",
            format!("{other} is not a CodeDeploy call"),
        )),
    }
}

/// Whether `m` is a CodeDeploy call the demo answers here.
pub fn is_codedeploy(m: &AwsCall) -> bool {
    matches!(
        m,
        AwsCall::ContinueCodeDeploy { .. }
            | AwsCall::StopCodeDeploy { .. }
            | AwsCall::CreateCodeDeploy { .. }
    )
}
