//! CodeDeploy for CODE_DEPLOY services: which deployment group deploys each (found once among
//! the applications' ECS deployment groups and kept ten minutes), the deployment in flight
//! (ListDeployments → GetDeployment → GetDeploymentTarget for its task sets' traffic weights
//! and lifecycle events), a service's past deployments (BatchGetDeployments), and the calls
//! that drive a deployment (`actions.rs`).

pub mod actions;
mod groups;
pub mod map;

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::{ApiResult, Op};
use crate::model::{CodeDeploy, PastDeployment, TaskSet};
use aws_sdk_codedeploy::types::DeploymentStatus;
pub use groups::{GroupCache, GroupInfo};

/// What the reader needs of a CODE_DEPLOY service.
#[derive(Debug, Clone)]
pub struct CdTarget {
    pub cluster: String,
    pub service: String,
    /// The container and port its load balancer sends to (`Service.loadBalancers[0]`).
    pub container: String,
    pub port: u16,
    pub task_sets: Vec<TaskSet>,
}

impl CdTarget {
    /// The deployment target's id for an ECS service: `cluster:service`.
    pub fn target_id(&self) -> String {
        format!("{}:{}", self.cluster, self.service)
    }
}

/// The statuses of a deployment that is not finished.
fn moving() -> [DeploymentStatus; 5] {
    [
        DeploymentStatus::Created,
        DeploymentStatus::Queued,
        DeploymentStatus::InProgress,
        DeploymentStatus::Baking,
        DeploymentStatus::Ready,
    ]
}

/// The CodeDeploy side of one service: None when no deployment group deploys it.
pub async fn read(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    cache: &GroupCache,
    t: &CdTarget,
) -> ApiResult<Option<CodeDeploy>> {
    let Some(info) = cache.group_of(cd, gate, &t.cluster, &t.service).await? else {
        return Ok(None);
    };
    let group = map::group(&info, &t.container, t.port);
    let moving = in_flight(cd, gate, &info).await?;
    if let Some(id) = &moving {
        cache.saw(&t.target_id(), id);
    }
    // None in flight: the one last seen moving, read again for how it ended.
    let Some(id) = moving.or_else(|| cache.last_seen(&t.target_id())) else {
        return Ok(Some(CodeDeploy {
            group,
            deployment: None,
        }));
    };
    let got = cd
        .get_deployment()
        .deployment_id(&id)
        .send()
        .within(gate, Op::CodeDeployGetDeployment)
        .await?;
    let Some(d) = got.deployment_info() else {
        return Ok(Some(CodeDeploy {
            group,
            deployment: None,
        }));
    };
    let target = cd
        .get_deployment_target()
        .deployment_id(&id)
        .target_id(t.target_id())
        .send()
        .within(gate, Op::CodeDeployGetDeploymentTarget)
        .await;
    // A deployment still being created has no target yet: show it without one.
    let target = match target {
        Ok(out) => out
            .deployment_target()
            .and_then(|t| t.ecs_target())
            .cloned(),
        Err(e) => {
            tracing::warn!(deployment = id, error = %e, "deployment target unavailable");
            None
        }
    };
    Ok(Some(CodeDeploy {
        group,
        deployment: Some(map::deployment(d, target.as_ref(), &t.task_sets)),
    }))
}

/// The newest deployment of the group that has not finished, by id.
async fn in_flight(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    info: &GroupInfo,
) -> ApiResult<Option<String>> {
    let out = cd
        .list_deployments()
        .application_name(&info.application)
        .deployment_group_name(&info.name)
        .set_include_only_statuses(Some(moving().to_vec()))
        .send()
        .within(gate, Op::CodeDeployListDeployments)
        .await?;
    // One deployment runs at a time per group; the last listed is the newest.
    Ok(out.deployments().last().cloned())
}

/// Deployments of a group described at once, at most (BatchGetDeployments takes 25).
const HISTORY_BATCH: usize = 25;

/// A CODE_DEPLOY service's past deployments, newest first.
pub async fn history(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    cache: &GroupCache,
    cluster: &str,
    service: &str,
) -> ApiResult<Vec<PastDeployment>> {
    let Some(info) = cache.group_of(cd, gate, cluster, service).await? else {
        return Ok(Vec::new());
    };
    let out = cd
        .list_deployments()
        .application_name(&info.application)
        .deployment_group_name(&info.name)
        .send()
        .within(gate, Op::CodeDeployListDeployments)
        .await?;
    let ids = out.deployments();
    let newest = &ids[ids.len().saturating_sub(HISTORY_BATCH)..];
    if newest.is_empty() {
        return Ok(Vec::new());
    }
    let got = cd
        .batch_get_deployments()
        .set_deployment_ids(Some(newest.to_vec()))
        .send()
        .within(gate, Op::CodeDeployBatchGetDeployments)
        .await?;
    Ok(map::history(got.deployments_info()))
}
