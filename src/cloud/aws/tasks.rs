//! ECS tasks: `list_tasks` (pages of 100) for RUNNING and then STOPPED, `describe_tasks` in
//! batches of 100, mapped into `model::Task`.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::{last_segment, opt_millis, service_of_group, task_def_ref};
use crate::model::At;
use crate::model::exec::EXEC_AGENT;
use crate::model::{AgentStatus, ApiResult, Health, Op, Task, TaskContainer, TaskStatus};

use aws_sdk_ecs::types::DesiredStatus;

/// `describe_tasks` takes at most 100 tasks; `list_tasks` returns at most 100 a page.
pub const DESCRIBE_BATCH: usize = 100;
const LIST_PAGE: i32 = 100;
const CONCURRENCY: usize = 4;

/// Task ARNs of a cluster (of one service when `service` is given) with this desired status.
pub async fn list_arns(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    service: Option<&str>,
    status: DesiredStatus,
) -> ApiResult<Vec<String>> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ecs
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_string))
            .desired_status(status.clone())
            .max_results(LIST_PAGE)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::EcsListTasks)
            .await?;
        arns.extend(out.task_arns().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(arns)
}

/// Running tasks first, then the recently stopped ones ECS still reports.
pub async fn list_running_and_stopped(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    service: Option<&str>,
) -> ApiResult<Vec<String>> {
    let mut arns = list_arns(ecs, gate, cluster, service, DesiredStatus::Running).await?;
    for arn in list_arns(ecs, gate, cluster, service, DesiredStatus::Stopped).await? {
        if !arns.contains(&arn) {
            arns.push(arn);
        }
    }
    Ok(arns)
}

/// Describes tasks of one cluster, 100 per call, keeping their order.
pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    arns: &[String],
) -> ApiResult<Vec<aws_sdk_ecs::types::Task>> {
    crate::cloud::aws::batch::in_batches(arns, DESCRIBE_BATCH, CONCURRENCY, |chunk| {
        describe_batch(ecs, gate, cluster, chunk)
    })
    .await
}

async fn describe_batch(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    chunk: Vec<String>,
) -> ApiResult<Vec<aws_sdk_ecs::types::Task>> {
    let out = ecs
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(chunk))
        .send()
        .within(gate, Op::EcsDescribeTasks)
        .await?;
    for f in out.failures() {
        tracing::warn!(
            cluster,
            arn = f.arn().unwrap_or_default(),
            reason = f.reason().unwrap_or_default(),
            "describe_tasks failure"
        );
    }
    Ok(out.tasks().to_vec())
}

/// The private IPv4 address of the task's ENI, from its attachment details.
pub fn private_ip(t: &aws_sdk_ecs::types::Task) -> String {
    t.attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|kv| kv.name() == Some("privateIPv4Address"))
        .and_then(|kv| kv.value())
        .unwrap_or_default()
        .to_string()
}

/// The exit code of the first container that has exited with one. A container still running
/// has none, whatever the answer holds (moto sends `exitCode: 0` for running containers).
fn exit_code(t: &aws_sdk_ecs::types::Task) -> Option<i32> {
    t.containers()
        .iter()
        .filter(|c| c.last_status() == Some("STOPPED"))
        .find_map(|c| c.exit_code())
}

/// Maps one described task; `cluster` is the cluster name the console uses.
pub fn map_task(cluster: &str, t: &aws_sdk_ecs::types::Task) -> Task {
    let arn = t.task_arn().unwrap_or_default();
    let health = t
        .health_status()
        .map_or(Health::Unknown, |h| Health::parse(h.as_str()));
    Task {
        id: last_segment(arn).to_string(),
        arn: arn.to_string(),
        cluster: cluster.to_string(),
        service: service_of_group(t.group()).unwrap_or_default().to_string(),
        task_def: task_def_ref(t.task_definition_arn().unwrap_or_default()),
        last_status: TaskStatus::parse(t.last_status().unwrap_or_default()),
        desired_status: TaskStatus::parse(t.desired_status().unwrap_or_default()),
        health,
        started_at: opt_millis(t.started_at()),
        stopped_at: opt_millis(t.stopped_at()),
        stop_code: t
            .stop_code()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        stop_reason: t.stopped_reason().unwrap_or_default().to_string(),
        exit_code: exit_code(t),
        private_ip: private_ip(t),
        exec_enabled: t.enable_execute_command(),
        platform_version: t.platform_version().unwrap_or_default().to_string(),
        containers: t.containers().iter().map(map_container).collect(),
    }
}

/// A container's runtime id and ExecuteCommandAgent, for exec and port forwarding.
fn map_container(c: &aws_sdk_ecs::types::Container) -> TaskContainer {
    TaskContainer {
        name: c.name().unwrap_or_default().to_string(),
        runtime_id: c.runtime_id().unwrap_or_default().to_string(),
        exec_agent: c
            .managed_agents()
            .iter()
            .find(|a| a.name().map(|n| n.as_str()) == Some(EXEC_AGENT))
            .map(|a| AgentStatus::parse(a.last_status().unwrap_or_default())),
    }
}

/// Tasks of one service, or of every service of the cluster when `service` is `None`
/// (tasks not started by a service are left out then).
pub async fn fetch(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    service: Option<&str>,
) -> ApiResult<Vec<Task>> {
    let arns = list_running_and_stopped(ecs, gate, cluster, service).await?;
    let described = describe(ecs, gate, cluster, &arns).await?;
    let mut tasks: Vec<Task> = described
        .iter()
        .filter(|t| match service {
            // ECS filters by service already; checking the group as well keeps the answer right
            // on emulators that ignore the filter.
            Some(name) => service_of_group(t.group()) == Some(name),
            None => service_of_group(t.group()).is_some(),
        })
        .map(|t| map_task(cluster, t))
        .collect();
    // Newest first within running, then stopped.
    tasks.sort_by_key(|t| {
        (
            t.desired_status.is_stopped(),
            std::cmp::Reverse(t.started_at.unwrap_or(At::EPOCH)),
        )
    });
    Ok(tasks)
}
