//! Service logs through `filter_log_events`. The awslogs group and stream prefix come from each
//! running task's definition, and the stream of a container is `<prefix>/<container>/<task-id>`,
//! so every line is tagged with its task and revision.
//!
//! The cursor is the timestamp (ms) of the newest event returned. CloudWatch Logs indexes
//! events by their own timestamp, and an event may be ingested seconds after a newer one, so
//! the next call asks again from `LATE_MS` before the cursor; the ids returned in that window are
//! remembered to drop the repeats. An event arriving later than that is missed.
//!
//! The streams followed are those of the running tasks and of the tasks stopped in the last
//! `STOPPED_MS`: a crashing task's last lines are the ones that say why.

use super::errors::ErrorMapper;
use super::parse::{last_segment, service_of_group};
use super::taskdefs::TaskDefCache;
use super::tasks;
use crate::cloud::CloudResult;
use crate::model::{LogBatch, LogLine, Millis, ServiceKey};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// A cursor of 0 starts this far back.
pub const BACKLOG_MS: Millis = 5 * 60 * 1000;
/// `log_stream_names` takes at most 100 names.
const STREAMS_PER_CALL: usize = 100;
/// Pages read in one call before giving up on the rest (logged).
const MAX_PAGES: usize = 20;
/// How late (after a newer event) an event may arrive and still be shown.
pub const LATE_MS: Millis = 10_000;
/// Stopped tasks are followed for this long after they stopped.
pub const STOPPED_MS: Millis = 10 * 60 * 1000;
/// Ids remembered in the late window, and services remembered.
const MAX_IDS: usize = 10_000;
const MAX_FOLLOWS: usize = 64;

/// Where one log stream's lines come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    pub group: String,
    pub stream: String,
    pub task_id: String,
    pub revision: u32,
}

/// The event ids already returned within the late window, with their timestamps.
#[derive(Debug, Default)]
struct Seen {
    cursor: u64,
    ids: HashMap<String, Millis>,
}

/// Shared by every log follow of a fleet: the per-service repeat filter. The rate of
/// FilterLogEvents (shared by the account and region) is the API budget's.
#[derive(Default)]
pub struct LogTail {
    seen: Mutex<HashMap<ServiceKey, Seen>>,
}

/// The stream name of one container of one task under an awslogs stream prefix.
pub fn stream_name(prefix: &str, container: &str, task_id: &str) -> String {
    format!("{prefix}/{container}/{task_id}")
}

/// The log streams of the service's running tasks and of those stopped in the last
/// `STOPPED_MS`.
pub async fn sources(
    ecs: &aws_sdk_ecs::Client,
    errors: &ErrorMapper,
    taskdefs: &TaskDefCache,
    key: &ServiceKey,
    now: Millis,
) -> CloudResult<Vec<StreamSource>> {
    let arns = tasks::list_running_and_stopped(ecs, errors, &key.cluster, Some(&key.name)).await?;
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let mut described = tasks::describe(ecs, errors, &key.cluster, &arns).await?;
    described.retain(|t| {
        t.stopped_at()
            .is_none_or(|at| super::parse::millis(Some(at)) >= now - STOPPED_MS)
    });
    let defs = taskdefs
        .get_many(
            ecs,
            errors,
            described.iter().filter_map(|t| t.task_definition_arn()),
        )
        .await?;
    let mut out = Vec::new();
    for t in &described {
        if service_of_group(t.group()) != Some(key.name.as_str()) {
            continue;
        }
        let Some(td) = t.task_definition_arn().and_then(|a| defs.get(a)) else {
            continue;
        };
        let task_id = last_segment(t.task_arn().unwrap_or_default());
        for c in &td.containers {
            let Some(logs) = &c.awslogs else { continue };
            let Some(prefix) = &logs.stream_prefix else {
                // Without a prefix the stream is named after the container id, which the
                // task does not tell; such containers cannot be followed by name.
                tracing::debug!(container = c.name, "awslogs without stream prefix");
                continue;
            };
            out.push(StreamSource {
                group: logs.group.clone(),
                stream: stream_name(prefix, &c.name, task_id),
                task_id: task_id.to_string(),
                revision: td.task_def.revision,
            });
        }
    }
    Ok(out)
}

/// One event read, with its id for de-duplication.
type Event = (Millis, String, LogLine);

/// What one read asks for and has already seen.
struct Read<'a> {
    logs: &'a aws_sdk_cloudwatchlogs::Client,
    errors: &'a ErrorMapper,
    start: Millis,
    known: HashMap<String, Millis>,
    by_stream: HashMap<&'a str, &'a StreamSource>,
}

impl Read<'_> {
    /// The events of `streams` of one group since `start`, page by page, skipping the ones
    /// already seen.
    async fn chunk(
        &self,
        group: &str,
        streams: &[String],
        fresh: &mut HashSet<String>,
        events: &mut Vec<Event>,
    ) -> CloudResult<()> {
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            self.errors.acquire("logs:FilterLogEvents").await;
            let res = self
                .logs
                .filter_log_events()
                .log_group_name(group)
                .set_log_stream_names(Some(streams.to_vec()))
                .start_time(self.start)
                .set_next_token(token.take())
                .send()
                .await;
            let out = match res {
                Ok(out) => out,
                Err(e) if is_missing_group(&e) => return Ok(()),
                Err(e) => return Err(self.errors.map("logs:FilterLogEvents", e)),
            };
            for ev in out.events() {
                let at = ev.timestamp().unwrap_or(0);
                let id = ev.event_id().unwrap_or_default().to_string();
                if at < self.start || self.known.contains_key(&id) || !fresh.insert(id.clone()) {
                    continue;
                }
                events.push((at, id, self.line(ev, at)));
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(()),
            }
        }
        tracing::warn!(
            group,
            "filter_log_events: too many pages, rest left for the next poll"
        );
        Ok(())
    }

    /// An event as a line, tagged with the task and revision of its stream.
    fn line(&self, ev: &aws_sdk_cloudwatchlogs::types::FilteredLogEvent, at: Millis) -> LogLine {
        let stream = ev.log_stream_name().unwrap_or_default();
        let (task_id, revision) = match self.by_stream.get(stream) {
            Some(s) => (s.task_id.clone(), s.revision),
            None => (last_segment(stream).to_string(), 0),
        };
        let message = ev
            .message()
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
            .to_string();
        LogLine {
            at,
            task_id,
            revision,
            message,
        }
    }
}

impl LogTail {
    /// Lines of `sources` after `cursor`, oldest first.
    pub async fn read(
        &self,
        logs: &aws_sdk_cloudwatchlogs::Client,
        errors: &ErrorMapper,
        key: &ServiceKey,
        sources: &[StreamSource],
        cursor: u64,
        now: Millis,
    ) -> CloudResult<LogBatch> {
        let start: Millis = if cursor == 0 {
            (now - BACKLOG_MS).max(0)
        } else {
            (cursor as Millis - LATE_MS).max(0)
        };
        let read = Read {
            logs,
            errors,
            start,
            known: self.known_ids(key, cursor),
            by_stream: sources.iter().map(|s| (s.stream.as_str(), s)).collect(),
        };
        let mut groups: HashMap<&str, Vec<String>> = HashMap::new();
        for s in sources {
            groups.entry(&s.group).or_default().push(s.stream.clone());
        }
        let mut events: Vec<Event> = Vec::new();
        let mut fresh: HashSet<String> = HashSet::new();
        for (group, streams) in groups {
            for chunk in streams.chunks(STREAMS_PER_CALL) {
                read.chunk(group, chunk, &mut fresh, &mut events).await?;
            }
        }
        events.sort_by_key(|(at, _, _)| *at);
        let newest = events.last().map(|(at, _, _)| *at as u64);
        let new_cursor = newest.unwrap_or(start as u64).max(cursor);
        self.remember(key, new_cursor, read.known, &events);
        Ok(LogBatch {
            lines: events.into_iter().map(|(_, _, l)| l).collect(),
            cursor: new_cursor,
        })
    }

    /// The ids of the late window already delivered after `cursor`, so repeats are dropped.
    fn known_ids(&self, key: &ServiceKey, cursor: u64) -> HashMap<String, Millis> {
        if cursor == 0 {
            return HashMap::new();
        }
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(key)
            .filter(|s| s.cursor == cursor)
            .map(|s| s.ids.clone())
            .unwrap_or_default()
    }

    /// Keeps the ids of the late window before the new cursor, at most `MAX_IDS`, newest kept.
    fn remember(
        &self,
        key: &ServiceKey,
        new_cursor: u64,
        mut ids: HashMap<String, Millis>,
        events: &[(Millis, String, LogLine)],
    ) {
        ids.extend(events.iter().map(|(at, id, _)| (id.clone(), *at)));
        let floor = new_cursor as Millis - LATE_MS;
        ids.retain(|_, at| *at >= floor);
        if ids.len() > MAX_IDS {
            let mut by_age: Vec<(String, Millis)> = ids.into_iter().collect();
            by_age.sort_unstable_by_key(|(_, at)| std::cmp::Reverse(*at));
            by_age.truncate(MAX_IDS);
            ids = by_age.into_iter().collect();
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_FOLLOWS && !seen.contains_key(key) {
            seen.clear();
        }
        seen.insert(
            key.clone(),
            Seen {
                cursor: new_cursor,
                ids,
            },
        );
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
