//! Service logs: where they are (the awslogs group and stream prefix of each container of the
//! service's task definitions; a container's stream is `<prefix>/<container>/<task-id>`, so
//! every line is tagged with its task and revision), and reading them with `FilterLogEvents`.
//!
//! The streams listed are those of the running tasks and of the tasks stopped in the last
//! `STOPPED_MS` (a crashing task's last lines say why). Reads ask by stream prefix, so a task
//! started since the last listing is read too; the log worker asks `owners` who it is.
//!
//! An answer whose JSON cannot be decoded (a lone surrogate in one event's message) is decoded
//! again leniently, so one bad event never blanks the rest.

use crate::cloud::aws::gate::CallGate;
use crate::cloud::aws::parse::{last_segment, millis, service_of_group};
use crate::cloud::aws::taskdefs::{TaskDefCache, TaskDefInfo};
use crate::cloud::aws::{services, tasks};
use crate::model::LogSide;
use crate::model::Op;
use crate::model::{ApiError, ApiResult, ErrorKind};
use crate::model::{At, GroupSpec, LogPage, LogQuery, LogSources, LogTag, LogTarget, Ms, RawEvent};
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
use std::collections::HashMap;
use std::sync::Arc;

/// Stopped tasks are followed for this long after they stopped.
pub const STOPPED_MS: Ms = Ms::mins(10);
/// Events one FilterLogEvents page may hold (the API's maximum).
const PAGE_LIMIT: i32 = 10_000;

/// The stream name of one container of one task under an awslogs stream prefix.
pub fn stream_name(prefix: &str, container: &str, task_id: &str) -> String {
    format!("{prefix}/{container}/{task_id}")
}

/// Where `target`'s lines are: groups with stream prefixes, and the streams of its tasks.
pub async fn sources(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    taskdefs: &TaskDefCache,
    target: &LogTarget,
    now: At,
) -> ApiResult<LogSources> {
    if let LogTarget::Group(g) = target {
        return Ok(LogSources {
            groups: vec![GroupSpec {
                group: g.clone(),
                prefixes: Vec::new(),
            }],
            streams: Vec::new(),
            attribute: false,
        });
    }
    let mut out = LogSources {
        attribute: true,
        ..Default::default()
    };
    for (side, key) in target.sides() {
        let tasks = live_tasks(ecs, gate, &key.cluster, &key.name, now).await?;
        let deployed = deployed_task_defs(ecs, gate, &key.cluster, &key.name).await?;
        let arns = tasks
            .iter()
            .filter_map(|t| t.task_definition_arn())
            .chain(deployed.iter().map(String::as_str));
        let defs = taskdefs.get_many(ecs, gate, arns).await?;
        for arn in &deployed {
            if let Some(td) = defs.get(arn) {
                add_groups(&mut out.groups, td);
            }
        }
        for t in &tasks {
            let Some(td) = t.task_definition_arn().and_then(|a| defs.get(a)) else {
                continue;
            };
            add_groups(&mut out.groups, td);
            let task_id = last_segment(t.task_arn().unwrap_or_default());
            for (group, prefix, container) in awslogs(td) {
                out.streams.push((
                    group.to_string(),
                    stream_name(prefix, container, task_id),
                    LogTag {
                        task: task_id.to_string(),
                        revision: td.task_def.revision,
                        side,
                    },
                ));
            }
        }
    }
    Ok(out)
}

/// The running tasks of one service and those stopped in the last `STOPPED_MS`.
async fn live_tasks(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    service: &str,
    now: At,
) -> ApiResult<Vec<aws_sdk_ecs::types::Task>> {
    let arns = tasks::list_running_and_stopped(ecs, gate, cluster, Some(service)).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let mut described = tasks::describe(ecs, gate, cluster, &arns).await?;
    described.retain(|t| {
        service_of_group(t.group()) == Some(service)
            && t.stopped_at()
                .is_none_or(|at| millis(Some(at)) >= now - STOPPED_MS)
    });
    Ok(described)
}

/// The task definitions of the service and of its deployments, so its groups are known even
/// with no task running.
async fn deployed_task_defs(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    service: &str,
) -> ApiResult<Vec<String>> {
    let described = services::describe(ecs, gate, cluster, &[service.to_string()]).await?;
    let mut arns: Vec<String> = described
        .iter()
        .flat_map(|s| {
            s.task_definition()
                .into_iter()
                .chain(s.deployments().iter().filter_map(|d| d.task_definition()))
        })
        .map(str::to_string)
        .collect();
    arns.sort();
    arns.dedup();
    Ok(arns)
}

/// (group, stream prefix, container) of each container logging with awslogs and a prefix.
/// Without a prefix the stream is named after the container id, which the task does not
/// tell; such containers cannot be followed by name.
fn awslogs(td: &TaskDefInfo) -> impl Iterator<Item = (&str, &str, &str)> {
    td.containers.iter().filter_map(|c| {
        let logs = c.awslogs.as_ref()?;
        let prefix = logs.stream_prefix.as_deref()?;
        Some((logs.group.as_str(), prefix, c.name.as_str()))
    })
}

fn add_groups(groups: &mut Vec<GroupSpec>, td: &Arc<TaskDefInfo>) {
    for (group, prefix, container) in awslogs(td) {
        let p = format!("{prefix}/{container}/");
        match groups.iter_mut().find(|g| g.group == group) {
            Some(g) if !g.prefixes.contains(&p) => g.prefixes.push(p),
            Some(_) => {}
            None => groups.push(GroupSpec {
                group: group.to_string(),
                prefixes: vec![p],
            }),
        }
    }
}

/// Who wrote each of `streams` (group, stream): the task's tag if it is one of the target's
/// services', None if another service's. A task ECS no longer remembers (stopped more than
/// about an hour ago) keeps its id with an unknown revision.
pub async fn owners(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    target: &LogTarget,
    streams: &[(String, String)],
) -> ApiResult<Vec<Option<LogTag>>> {
    let followed = target.sides();
    let Some((_, first)) = followed.first() else {
        return Ok(vec![None; streams.len()]);
    };
    let ids: Vec<String> = streams
        .iter()
        .map(|(_, s)| last_segment(s).to_string())
        .collect();
    let described = tasks::describe(ecs, gate, &first.cluster, &ids).await?;
    let by_id: HashMap<&str, &aws_sdk_ecs::types::Task> = described
        .iter()
        .map(|t| (last_segment(t.task_arn().unwrap_or_default()), t))
        .collect();
    Ok(ids
        .iter()
        .map(|id| match by_id.get(id.as_str()) {
            None => Some(LogTag {
                task: id.clone(),
                revision: 0,
                side: LogSide::Primary,
            }),
            Some(t) => {
                let svc = service_of_group(t.group())?;
                let (side, _) = followed.iter().find(|(_, k)| k.name == svc)?;
                let revision = t
                    .task_definition_arn()
                    .map_or(0, |a| crate::cloud::aws::parse::task_def_ref(a).revision);
                Some(LogTag {
                    task: id.clone(),
                    revision,
                    side: *side,
                })
            }
        })
        .collect())
}

/// One page of `q`: FilterLogEvents by stream prefix (the API takes one; with several, the
/// group's streams are read and the others dropped here) with the server-side pattern.
pub async fn page(
    logs: &aws_sdk_cloudwatchlogs::Client,
    gate: &CallGate,
    q: &LogQuery,
    token: Option<String>,
) -> ApiResult<LogPage> {
    let prefix = match q.group.prefixes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    gate.acquire(Op::LogsFilterLogEvents).await;
    let res = logs
        .filter_log_events()
        .log_group_name(&q.group.group)
        .set_log_stream_name_prefix(prefix)
        .start_time(q.from.millis())
        .set_end_time(q.to.map(At::millis))
        .set_filter_pattern(q.pattern.clone())
        .limit(PAGE_LIMIT)
        .set_next_token(token)
        .send()
        .await;
    let mut page = match res {
        Ok(out) => page_of(&q.group.group, out),
        Err(e) if is_missing_group(&e) => LogPage::default(),
        Err(aws_smithy_runtime_api::client::result::SdkError::ServiceError(ctx))
            if ctx.raw().status().is_success() =>
        {
            // A 200 whose body did not decode: read it again, leniently.
            let body = ctx.raw().body().bytes().unwrap_or_default();
            lenient::page(&q.group.group, body).ok_or_else(|| {
                ApiError::new(
                    ErrorKind::Other,
                    format!(
                        "{}: the answer could not be decoded",
                        Op::LogsFilterLogEvents
                    ),
                )
            })?
        }
        Err(e) => return Err(gate.fail(Op::LogsFilterLogEvents, e)),
    };
    // Only the window and the prefixes asked for (with several, the API was given none; an
    // emulator may ignore either), in time order across streams.
    page.events.retain(|e| {
        e.at >= q.from
            && q.to.is_none_or(|t| e.at < t)
            && (q.group.prefixes.is_empty()
                || q.group.prefixes.iter().any(|p| e.stream.starts_with(p)))
    });
    page.events.sort_by_key(|e| e.at);
    Ok(page)
}

fn page_of(group: &str, out: FilterLogEventsOutput) -> LogPage {
    LogPage {
        next: out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        events: out
            .events
            .unwrap_or_default()
            .into_iter()
            .map(|e| RawEvent {
                group: group.to_string(),
                stream: e.log_stream_name.unwrap_or_default(),
                at: At(e.timestamp.unwrap_or(0)),
                ingested: At(e.ingestion_time.unwrap_or(0)),
                message: e.message.unwrap_or_default(),
            })
            .collect(),
        undecodable: Vec::new(),
    }
}

fn is_missing_group<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| c == "ResourceNotFoundException")
}

pub mod lenient;
