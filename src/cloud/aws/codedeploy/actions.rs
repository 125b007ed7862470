//! The calls that drive a CodeDeploy deployment, made only by the action runner after `y`:
//! ContinueDeployment (reroute now, or terminate the original now), StopDeployment with the
//! traffic rolled back, and CreateDeployment of an AppSpec the console wrote.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::CdWait;
use crate::model::{ApiResult, Op};
use aws_sdk_codedeploy::types::{
    AppSpecContent, DeploymentWaitType, RevisionLocation, RevisionLocationType,
};

pub async fn continue_deployment(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    id: &str,
    wait: CdWait,
) -> ApiResult<()> {
    let wait = match wait {
        CdWait::Reroute => DeploymentWaitType::ReadyWait,
        CdWait::Termination => DeploymentWaitType::TerminationWait,
    };
    cd.continue_deployment()
        .deployment_id(id)
        .deployment_wait_type(wait)
        .send()
        .within(gate, Op::CodeDeployContinueDeployment)
        .await?;
    Ok(())
}

/// Stops the deployment and rolls it back: the traffic returns to the original task set.
pub async fn stop_deployment(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    id: &str,
) -> ApiResult<()> {
    let out = cd
        .stop_deployment()
        .deployment_id(id)
        .auto_rollback_enabled(true)
        .send()
        .within(gate, Op::CodeDeployStopDeployment)
        .await?;
    if let Some(m) = out.status_message() {
        tracing::info!(deployment = id, status = ?out.status(), message = m, "stop requested");
    }
    Ok(())
}

/// Creates a deployment of `appspec` in the group; returns its id.
pub async fn create_deployment(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    (application, group): (&str, &str),
    appspec: &str,
) -> ApiResult<String> {
    let revision = RevisionLocation::builder()
        .revision_type(RevisionLocationType::AppSpecContent)
        .app_spec_content(AppSpecContent::builder().content(appspec).build())
        .build();
    let out = cd
        .create_deployment()
        .application_name(application)
        .deployment_group_name(group)
        .revision(revision)
        .send()
        .within(gate, Op::CodeDeployCreateDeployment)
        .await?;
    Ok(out.deployment_id().unwrap_or_default().to_string())
}
