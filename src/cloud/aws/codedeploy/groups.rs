//! Which CodeDeploy deployment group deploys which ECS service. The ECS service does not name
//! it, so the ECS applications' deployment groups are read (ListApplications,
//! ListDeploymentGroups, GetDeploymentGroup) and their `ecsServices` matched; the answer is
//! kept ten minutes, since groups change rarely and there may be many.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::{ApiResult, Op};
use crate::model::{At, Ms};
use crate::timing::now_ms;
use aws_sdk_codedeploy::types::DeploymentGroupInfo;
use tokio::sync::Mutex;

/// How long the groups read are trusted.
const KEPT_MS: Ms = Ms::mins(10);
/// Groups read at most per lookup: an account with more is read in part, and says so.
const MAX_GROUPS: usize = 500;

/// A deployment group with ECS services.
#[derive(Debug, Clone)]
pub struct GroupInfo {
    pub application: String,
    pub name: String,
    /// (cluster, service) it deploys.
    pub services: Vec<(String, String)>,
    pub info: DeploymentGroupInfo,
}

#[derive(Default)]
pub struct GroupCache {
    groups: Mutex<Option<(At, Vec<GroupInfo>)>>,
    /// The deployment last seen in flight per `cluster:service`, read once more after it
    /// finished so its outcome shows (bounded by the services in scope).
    last: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl GroupCache {
    /// Remembers `id` as the deployment in flight of `target`.
    pub fn saw(&self, target: &str, id: &str) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.insert(target.to_string(), id.to_string());
    }

    /// The deployment last seen in flight of `target`, if one was.
    pub fn last_seen(&self, target: &str) -> Option<String> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.get(target).cloned()
    }

    /// Whether a group read before deploys `cluster/service` (no call is made).
    pub async fn knows(&self, cluster: &str, service: &str) -> bool {
        let kept = self.groups.lock().await;
        kept.as_ref().is_some_and(|(_, groups)| {
            groups
                .iter()
                .any(|g| g.services.iter().any(|(c, s)| c == cluster && s == service))
        })
    }

    /// The group that deploys `cluster/service`, if one does.
    pub async fn group_of(
        &self,
        cd: &aws_sdk_codedeploy::Client,
        gate: &CallGate,
        cluster: &str,
        service: &str,
    ) -> ApiResult<Option<GroupInfo>> {
        let mut kept = self.groups.lock().await;
        let fresh = kept
            .as_ref()
            .is_some_and(|(at, _)| now_ms() - *at < KEPT_MS);
        if !fresh {
            *kept = Some((now_ms(), read_all(cd, gate).await?));
        }
        let groups = kept.as_ref().map_or(&[][..], |(_, g)| g.as_slice());
        Ok(groups
            .iter()
            .find(|g| g.services.iter().any(|(c, s)| c == cluster && s == service))
            .cloned())
    }
}

async fn read_all(cd: &aws_sdk_codedeploy::Client, gate: &CallGate) -> ApiResult<Vec<GroupInfo>> {
    let mut out = Vec::new();
    for app in applications(cd, gate).await? {
        for name in group_names(cd, gate, &app).await? {
            if out.len() >= MAX_GROUPS {
                tracing::warn!("more than {MAX_GROUPS} deployment groups: the rest not read");
                return Ok(out);
            }
            let got = cd
                .get_deployment_group()
                .application_name(&app)
                .deployment_group_name(&name)
                .send()
                .within(gate, Op::CodeDeployGetDeploymentGroup)
                .await?;
            let Some(info) = got.deployment_group_info() else {
                continue;
            };
            let services: Vec<(String, String)> = info
                .ecs_services()
                .iter()
                .filter_map(|s| Some((s.cluster_name()?.into(), s.service_name()?.into())))
                .collect();
            if !services.is_empty() {
                out.push(GroupInfo {
                    application: app.clone(),
                    name,
                    services,
                    info: info.clone(),
                });
            }
        }
    }
    Ok(out)
}

async fn applications(cd: &aws_sdk_codedeploy::Client, gate: &CallGate) -> ApiResult<Vec<String>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cd
            .list_applications()
            .set_next_token(token.take())
            .send()
            .within(gate, Op::CodeDeployListApplications)
            .await?;
        names.extend(out.applications().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(names),
        }
    }
}

async fn group_names(
    cd: &aws_sdk_codedeploy::Client,
    gate: &CallGate,
    app: &str,
) -> ApiResult<Vec<String>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cd
            .list_deployment_groups()
            .application_name(app)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::CodeDeployListDeploymentGroups)
            .await?;
        names.extend(out.deployment_groups().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(names),
        }
    }
}
