//! The demo fleet's CloudWatch Logs: each service logs to `/ecs/<cluster>/<service>`, each task
//! to the stream `ecs/app/<task-id>`, read by page (as FilterLogEvents) or live (as Live Tail,
//! an update a second, a session ending after three hours), with plain-term and simple JSON
//! filter patterns.

use crate::demo::World;
use crate::model::LogSide;
use crate::model::{
    At, GroupSpec, LiveQuery, LiveUpdate, LogPage, LogQuery, LogSources, LogTag, LogTarget, Ms,
    RawEvent,
};
use std::collections::HashSet;

/// The stream prefix of every demo task's container.
pub const PREFIX: &str = "ecs/app/";
/// Events in one page.
const PAGE: usize = 1_000;
/// How long a Live Tail session lasts.
pub const SESSION_MS: Ms = Ms::hours(3);

pub fn group_of(cluster: &str, name: &str) -> String {
    format!("/ecs/{cluster}/{name}")
}

fn service_index(w: &World, cluster: &str, name: &str) -> Option<usize> {
    w.services
        .iter()
        .position(|s| s.svc.cluster == cluster && s.svc.name == name)
}

/// The services whose groups `groups` name.
fn services_in(w: &World, groups: &[GroupSpec]) -> HashSet<usize> {
    (0..w.services.len())
        .filter(|&i| {
            let s = &w.services[i].svc;
            let g = group_of(&s.cluster, &s.name);
            groups.iter().any(|q| q.group == g)
        })
        .collect()
}

pub fn sources(w: &World, target: &LogTarget) -> LogSources {
    let mut out = LogSources::default();
    let followed: Vec<(LogSide, usize)> = match target {
        LogTarget::Group(g) => {
            out.groups.push(GroupSpec {
                group: g.clone(),
                prefixes: Vec::new(),
            });
            services_in(w, &out.groups)
                .into_iter()
                .map(|i| (LogSide::Primary, i))
                .collect()
        }
        LogTarget::Service { .. } => {
            out.attribute = true;
            target
                .sides()
                .into_iter()
                .filter_map(|(side, k)| Some((side, service_index(w, &k.cluster, &k.name)?)))
                .collect()
        }
    };
    for (side, si) in followed {
        let s = &w.services[si].svc;
        let group = group_of(&s.cluster, &s.name);
        if out.attribute {
            out.groups.push(GroupSpec {
                group: group.clone(),
                prefixes: vec![PREFIX.to_string()],
            });
        }
        for t in w.tasks.iter().filter(|t| t.svc == si) {
            out.streams.push((
                group.clone(),
                format!("{PREFIX}{}", t.task.id),
                LogTag {
                    task: t.task.id.clone(),
                    revision: t.task.task_def.revision,
                    side,
                },
            ));
        }
    }
    out
}

pub fn owners(w: &World, target: &LogTarget, streams: &[(String, String)]) -> Vec<Option<LogTag>> {
    let followed: Vec<(LogSide, Option<usize>)> = target
        .sides()
        .into_iter()
        .map(|(side, k)| (side, service_index(w, &k.cluster, &k.name)))
        .collect();
    streams
        .iter()
        .map(|(_, stream)| {
            let id = stream.rsplit('/').next().unwrap_or(stream);
            match w.tasks.iter().find(|t| t.task.id == id) {
                // Forgotten by the fleet: its id, revision unknown.
                None => Some(LogTag {
                    task: id.to_string(),
                    revision: 0,
                    side: LogSide::Primary,
                }),
                Some(t) => {
                    let (side, _) = followed.iter().find(|(_, f)| *f == Some(t.svc))?;
                    Some(LogTag {
                        task: id.to_string(),
                        revision: t.task.task_def.revision,
                        side: *side,
                    })
                }
            }
        })
        .collect()
}

/// Events of `groups` after sequence number `after`, in `[from, to)`, matching `pattern`, at
/// most `limit`; and the sequence number of the last one looked at.
fn events(
    w: &World,
    groups: &[GroupSpec],
    pattern: Option<&str>,
    (after, from, to): (u64, At, Option<At>),
    limit: usize,
) -> (Vec<RawEvent>, Option<u64>) {
    let wanted = services_in(w, groups);
    let mut out = Vec::new();
    let mut last = None;
    for (seq, si, l) in w
        .logs
        .iter()
        .filter(|(seq, si, _)| *seq > after && wanted.contains(si))
    {
        if out.len() == limit {
            return (out, last);
        }
        last = Some(*seq);
        if l.at < from || to.is_some_and(|t| l.at >= t) {
            continue;
        }
        if !pattern.is_none_or(|p| matches(p, &l.message)) {
            continue;
        }
        let s = &w.services[*si].svc;
        out.push(RawEvent {
            group: group_of(&s.cluster, &s.name),
            stream: format!("{PREFIX}{}", l.task_id),
            at: l.at,
            ingested: l.at + Ms(200),
            message: l.message.clone(),
        });
    }
    (out, None)
}

pub fn page(w: &World, q: &LogQuery, token: Option<String>) -> LogPage {
    let after = token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let window = (after, q.from, q.to);
    let (events, last) = events(
        w,
        std::slice::from_ref(&q.group),
        q.pattern.as_deref(),
        window,
        PAGE,
    );
    LogPage {
        events,
        next: last.map(|s| s.to_string()),
        undecodable: Vec::new(),
    }
}

/// What a live session sends now: events newer than `after`; the new `after`.
pub fn live(w: &World, q: &LiveQuery, after: u64) -> (LiveUpdate, u64) {
    let (events, _) = events(
        w,
        &q.groups,
        q.pattern.as_deref(),
        (after, At::EPOCH, None),
        usize::MAX,
    );
    let update = LiveUpdate::Events {
        events,
        sampled: false,
    };
    (update, w.next_seq.saturating_sub(1).max(after))
}

/// A CloudWatch filter pattern, as far as the demo understands one: plain terms (all must
/// appear; `?term` any of those; `-term` none), quoted phrases, and `{ $.key = value }` /
/// `{ $.key != value }` on JSON lines.
pub fn matches(pattern: &str, message: &str) -> bool {
    let p = pattern.trim();
    if let Some(inner) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        return json_matches(inner.trim(), message);
    }
    let terms = terms(p);
    let any: Vec<&str> = terms.iter().filter_map(|t| t.strip_prefix('?')).collect();
    terms.iter().all(|t| match t.strip_prefix('-') {
        Some(x) => !message.contains(x),
        None => t.starts_with('?') || message.contains(t.as_str()),
    }) && (any.is_empty() || any.iter().any(|t| message.contains(t)))
}

fn terms(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = p;
    while let Some(c) = rest.trim_start().chars().next() {
        rest = rest.trim_start();
        if c == '"' {
            let end = rest[1..].find('"').map_or(rest.len(), |i| i + 1);
            out.push(rest[1..end].to_string());
            rest = rest.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

fn json_matches(cond: &str, message: &str) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(message) else {
        return false;
    };
    let (negate, (lhs, rhs)) = match cond.split_once("!=") {
        Some(parts) => (true, parts),
        None => match cond.split_once('=') {
            Some(parts) => (false, parts),
            None => return false,
        },
    };
    let key = lhs.trim().trim_start_matches("$.");
    let want = rhs.trim().trim_matches('"');
    let got = match map.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => return negate,
    };
    (got == want) != negate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_as_cloudwatch_reads_them() {
        assert!(matches("ERROR", "ERROR db"));
        assert!(!matches("ERROR", "error db"), "terms are case-sensitive");
        assert!(matches("ERROR db", "ERROR the db"));
        assert!(!matches("ERROR -db", "ERROR the db"));
        assert!(matches("?ERROR ?WARN", "WARN slow"));
        assert!(matches("\"the db\"", "ERROR the db"));
        assert!(matches(
            r#"{ $.level = "error" }"#,
            r#"{"level":"error","msg":"x"}"#
        ));
        assert!(!matches(
            r#"{ $.level = "error" }"#,
            r#"{"level":"info","msg":"x"}"#
        ));
        assert!(matches(r#"{ $.level != "info" }"#, r#"{"level":"warn"}"#));
        assert!(!matches(r#"{ $.level = "error" }"#, "plain ERROR"));
    }
}
