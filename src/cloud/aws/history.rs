//! A native service's last deployments: `ListServiceDeployments` (one page, newest first),
//! their target revisions' task definitions from `DescribeServiceRevisions` (20 a call).
//! Read only for the service the rollout view shows.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::native::DESCRIBE_BATCH;
use crate::cloud::aws::parse::{millis, opt_millis, task_def_ref};
use crate::model::Op;
use crate::model::history::{DeploymentBrief, HISTORY_KEPT, from_briefs};
use crate::model::text::clean;
use crate::model::{ApiResult, NativeStatus, PastDeployment, ServiceKey, TaskDefRef};
use std::collections::HashMap;

/// The service's last deployments, newest first.
pub async fn deployments(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    service: &ServiceKey,
) -> ApiResult<Vec<PastDeployment>> {
    let page = ecs
        .list_service_deployments()
        .cluster(&service.cluster)
        .service(&service.name)
        .max_results(HISTORY_KEPT as i32)
        .send()
        .within(gate, Op::EcsListServiceDeployments)
        .await?;
    let briefs = page.service_deployments();
    let mut revision_arns: Vec<String> = briefs
        .iter()
        .filter_map(|b| b.target_service_revision_arn().map(str::to_string))
        .collect();
    revision_arns.sort();
    revision_arns.dedup();
    let mut revisions: HashMap<String, TaskDefRef> = HashMap::new();
    for chunk in revision_arns.chunks(DESCRIBE_BATCH) {
        let out = ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(chunk.to_vec()))
            .send()
            .within(gate, Op::EcsDescribeServiceRevisions)
            .await?;
        for r in out.service_revisions() {
            if let (Some(arn), Some(td)) = (r.service_revision_arn(), r.task_definition()) {
                revisions.insert(arn.to_string(), task_def_ref(td));
            }
        }
    }
    let briefs = briefs
        .iter()
        .map(|b| DeploymentBrief {
            arn: b.service_deployment_arn().unwrap_or_default().to_string(),
            revision: b
                .target_service_revision_arn()
                .and_then(|a| revisions.get(a))
                .cloned()
                .unwrap_or_default(),
            status: NativeStatus::parse(b.status().map_or("", |s| s.as_str())),
            reason: clean(b.status_reason().unwrap_or_default()),
            started_at: millis(b.started_at().or(b.created_at())),
            finished_at: opt_millis(b.finished_at()),
        })
        .collect();
    Ok(from_briefs(briefs))
}
