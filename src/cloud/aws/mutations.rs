//! Mutating calls, made only by the action runner after the user confirmed and the service was
//! re-read unchanged.

use crate::cloud::aws::AwsFleet;
use crate::cloud::aws::gate::Within;
use crate::model::Op;
use crate::model::{ApiResult, AwsCall, ServiceKey, TaskDefRef};
use aws_sdk_ecs::types::{DeploymentLifecycleHookAction, StopServiceDeploymentStopType};

pub async fn act(f: &AwsFleet, key: &ServiceKey, m: &AwsCall) -> ApiResult<()> {
    match m {
        AwsCall::ContinueHook {
            deployment_arn,
            hook_id,
            proceed,
        } => {
            let action = if *proceed {
                DeploymentLifecycleHookAction::Continue
            } else {
                DeploymentLifecycleHookAction::Rollback
            };
            f.ecs
                .continue_service_deployment()
                .service_deployment_arn(deployment_arn)
                .hook_id(hook_id)
                .action(action)
                .send()
                .within(&f.gate, Op::EcsContinueServiceDeployment)
                .await?;
        }
        AwsCall::StopDeployment { deployment_arn } => {
            f.ecs
                .stop_service_deployment()
                .service_deployment_arn(deployment_arn)
                .stop_type(StopServiceDeploymentStopType::Rollback)
                .send()
                .within(&f.gate, Op::EcsStopServiceDeployment)
                .await?;
        }
        AwsCall::UpdateService {
            task_def,
            desired,
            force,
        } => update_service(f, key, task_def.as_ref(), *desired, *force).await?,
        AwsCall::SetWeights {
            listener_arn,
            rule_arn,
            is_default,
            from,
            to,
        } => {
            let route = (listener_arn.as_str(), rule_arn.as_str(), *is_default);
            crate::cloud::aws::routes::set_weights(&f.elb, &f.gate, route, from, to).await?;
        }
        AwsCall::RegisterTaskDefinition {
            from,
            repository,
            digest,
        } => {
            crate::cloud::aws::deploy::register(f, from, repository, digest).await?;
        }
        AwsCall::StopTask { task_arn, reason } => stop_task(f, key, task_arn, reason).await?,
        other => codedeploy_act(f, key, other).await?,
    }
    Ok(())
}

/// StopTask on one task of the service's cluster, with the reason ECS keeps.
async fn stop_task(f: &AwsFleet, key: &ServiceKey, task_arn: &str, reason: &str) -> ApiResult<()> {
    f.ecs
        .stop_task()
        .cluster(&key.cluster)
        .task(task_arn)
        .reason(reason)
        .send()
        .within(&f.gate, Op::EcsStopTask)
        .await?;
    Ok(())
}

/// The CodeDeploy calls of an action; any other call is not one this backend makes.
async fn codedeploy_act(f: &AwsFleet, key: &ServiceKey, m: &AwsCall) -> ApiResult<()> {
    use crate::cloud::aws::codedeploy::actions;
    match m {
        AwsCall::ContinueCodeDeploy {
            deployment_id,
            wait,
        } => actions::continue_deployment(&f.cd, &f.gate, deployment_id, *wait).await,
        AwsCall::StopCodeDeploy { deployment_id } => {
            actions::stop_deployment(&f.cd, &f.gate, deployment_id).await
        }
        AwsCall::CreateCodeDeploy {
            application,
            group,
            appspec,
        } => {
            let app_group = (application.as_str(), group.as_str());
            let id = actions::create_deployment(&f.cd, &f.gate, app_group, appspec).await?;
            tracing::info!(service = %key, deployment = id, "CodeDeploy deployment created");
            Ok(())
        }
        other => Err(crate::model::ApiError::new(
            crate::model::ErrorKind::Other,
            format!("{other} is not a call this backend makes (the runner resolves it first)"),
        )),
    }
}

async fn update_service(
    f: &AwsFleet,
    key: &ServiceKey,
    task_def: Option<&TaskDefRef>,
    desired: Option<u32>,
    force: bool,
) -> ApiResult<()> {
    let mut req = f
        .ecs
        .update_service()
        .cluster(&key.cluster)
        .service(&key.name);
    if let Some(td) = task_def {
        req = req.task_definition(td.to_string());
    }
    if let Some(n) = desired {
        req = req.desired_count(n as i32);
    }
    if force {
        req = req.force_new_deployment(true);
    }
    req.send().within(&f.gate, Op::EcsUpdateService).await?;
    Ok(())
}

/// The stream audit records go to, inside the configured group.
pub const AUDIT_STREAM: &str = "deckwatch-audit";

/// Appends audit records to `group` (created by the team; the stream is created on first use).
pub async fn ship_audit(f: &AwsFleet, group: &str, lines: &[String]) -> ApiResult<()> {
    f.gate.acquire(Op::LogsCreateLogStream).await;
    let created = f
        .logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(AUDIT_STREAM)
        .send()
        .await;
    if let Err(e) = created {
        let exists = e
            .as_service_error()
            .is_some_and(|s| s.is_resource_already_exists_exception());
        if !exists {
            return Err(f.gate.fail(Op::LogsCreateLogStream, e));
        }
    }
    let now = crate::timing::now_ms().millis();
    let events = lines.iter().map(|l| {
        aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
            .timestamp(now)
            .message(l)
            .build()
    });
    let events: Result<Vec<_>, _> = events.collect();
    let events = events.map_err(|e| {
        crate::model::ApiError::new(crate::model::ErrorKind::Other, format!("audit record: {e}"))
    })?;
    f.logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(AUDIT_STREAM)
        .set_log_events(Some(events))
        .send()
        .within(&f.gate, Op::LogsPutLogEvents)
        .await?;
    Ok(())
}

/// Whether the audit group exists: DescribeLogGroups by its name as prefix (a read; needs
/// `logs:DescribeLogGroups`).
pub async fn audit_group_exists(f: &AwsFleet, group: &str) -> ApiResult<bool> {
    let mut token: Option<String> = None;
    // A few pages at most: the prefix is the whole name, so only longer names share it.
    for _ in 0..5 {
        let out = f
            .logs
            .describe_log_groups()
            .log_group_name_prefix(group)
            .set_next_token(token.take())
            .send()
            .within(&f.gate, Op::LogsDescribeLogGroups)
            .await?;
        if out
            .log_groups()
            .iter()
            .any(|g| g.log_group_name() == Some(group))
        {
            return Ok(true);
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(false),
        }
    }
    Ok(false)
}
