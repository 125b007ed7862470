//! The timeline of one service from what was read: each source becomes entries, and the
//! entries are merged newest first within the span.

use crate::model::Op;
use crate::model::commits::Compare;
use crate::model::timeline::{AuditRecord, ENTRIES_KEPT, Entry, Gap, Kind, Timeline, stats};
use crate::model::trail::TrailEvent;
use crate::model::{
    AlarmState, AlarmTransition, At, Image, Outcome, PastDeployment, Run, ServiceEvent, ServiceKey,
    TaskDefRef,
};

/// A task definition revision and when it was registered (`DescribeTaskDefinition`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub task_def: TaskDefRef,
    pub at: At,
    /// `registeredBy`: the principal that registered it, when AWS says.
    pub by: String,
    /// The images of its containers.
    pub images: Vec<String>,
}

/// Everything the timeline worker read for one service, and what it could not read.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub service: Option<ServiceKey>,
    pub from: At,
    pub until: At,
    /// The deployments known: the console's history merged with the deployment APIs' list.
    pub history: Vec<PastDeployment>,
    pub events: Vec<ServiceEvent>,
    pub images: Vec<Image>,
    pub revisions: Vec<Registered>,
    pub runs: Vec<Run>,
    pub compares: Vec<Compare>,
    pub alarms: Vec<(String, Vec<AlarmTransition>)>,
    pub audit: Vec<AuditRecord>,
    pub trail: Vec<TrailEvent>,
    pub gaps: Vec<Gap>,
}

/// The merged timeline: newest first, within the span, at most `ENTRIES_KEPT`.
pub fn timeline(src: &Sources) -> Timeline {
    let mut entries: Vec<Entry> = Vec::new();
    entries.extend(
        src.history
            .iter()
            .flat_map(|d| deploy_entries(d, &src.events)),
    );
    entries.extend(src.images.iter().map(image_entry));
    entries.extend(src.revisions.iter().map(revision_entry));
    entries.extend(src.runs.iter().map(run_entry));
    entries.extend(src.compares.iter().flat_map(commit_entries));
    for (name, changes) in &src.alarms {
        entries.extend(changes.iter().map(|t| alarm_entry(name, t)));
    }
    entries.extend(src.audit.iter().map(action_entry));
    entries.extend(
        src.trail
            .iter()
            .filter(|e| !e.by_console)
            .map(outside_entry),
    );
    entries.retain(|e| e.at >= src.from && e.at <= src.until);
    // Newest first; at one instant, in the order a story reads (the run before its image).
    entries.sort_by(|a, b| b.at.cmp(&a.at).then(b.kind.cmp(&a.kind)));
    entries.dedup();
    entries.truncate(ENTRIES_KEPT);
    Timeline {
        service: src.service.clone(),
        from: src.from,
        until: src.until,
        entries,
        gaps: src.gaps.clone(),
        stats: stats::of(&src.history, src.until),
    }
}

/// A deployment's start, and its end with how it ended and why.
fn deploy_entries(d: &PastDeployment, events: &[ServiceEvent]) -> Vec<Entry> {
    let moves = match &d.from {
        Some(f) => format!("{} (from {f})", d.revision_text()),
        None => d.revision_text(),
    };
    let what = if d.is_rollback {
        "rollback"
    } else {
        "deployment"
    };
    let mut detail = vec![format!("id {}", d.id)];
    detail.extend(
        events
            .iter()
            .filter(|e| e.deployment_id() == Some(d.id.as_str()))
            .map(|e| format!("{} {}", super::utc(e.at), e.message)),
    );
    let mut out = vec![
        Entry::new(
            d.started_at,
            Kind::Deploy,
            format!("{what} started: {moves}"),
        )
        .detail(detail.clone()),
    ];
    if let Some(end) = d.ended_at
        && d.outcome != Outcome::InProgress
    {
        let why = if d.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", d.reason)
        };
        out.push(
            Entry::new(end, Kind::Deploy, format!("{}{why}", d.headline()))
                .bad(d.outcome.is_bad())
                .detail(detail),
        );
    }
    out
}

fn image_entry(i: &Image) -> Entry {
    let tags = if i.tags.is_empty() {
        "untagged".to_string()
    } else {
        i.tags.join(", ")
    };
    Entry::new(
        i.pushed_at,
        Kind::Image,
        format!("image pushed: {}:{tags}", i.repository),
    )
    .detail(vec![format!("digest {}", i.digest)])
}

fn revision_entry(r: &Registered) -> Entry {
    Entry::new(r.at, Kind::Revision, format!("registered {}", r.task_def))
        .by(r.by.clone())
        .detail(r.images.iter().map(|i| format!("image {i}")).collect())
}

fn run_entry(r: &Run) -> Entry {
    let outcome = r
        .conclusion
        .as_ref()
        .map_or(r.status.to_string(), ToString::to_string);
    Entry::new(
        r.created_at,
        Kind::Run,
        format!(
            "run #{} {} on {} {}: {outcome}",
            r.number,
            r.name,
            r.branch,
            r.short_sha()
        ),
    )
    .by(r.actor.clone())
    .bad(r.conclusion.as_ref().is_some_and(|c| c.is_failure()))
    .detail(vec![r.html_url.clone(), format!("event {}", r.event)])
}

fn commit_entries(c: &Compare) -> Vec<Entry> {
    c.commits
        .iter()
        .map(|k| {
            Entry::new(k.at, Kind::Commit, format!("{} {}", k.short_sha(), k.title))
                .by(k.author.clone())
                .detail(vec![format!("{} {}", c.repo, k.sha), c.html_url.clone()])
        })
        .collect()
}

fn alarm_entry(name: &str, t: &AlarmTransition) -> Entry {
    Entry::new(t.at, Kind::Alarm, format!("{name}: {} → {}", t.from, t.to))
        .bad(t.to == AlarmState::Alarm)
        .detail(vec![t.summary.clone()])
}

fn action_entry(r: &AuditRecord) -> Entry {
    let kind = if r.action == "scale" {
        Kind::Scale
    } else if r.call.starts_with(Op::EcsContinueServiceDeployment.name()) {
        Kind::Hook
    } else {
        Kind::Action
    };
    let mut text = format!("{} {}/{}", r.action, r.cluster, r.service);
    if let Some(c) = r.changes.first() {
        text.push_str(&format!(" ({c})"));
    }
    text.push_str(&format!(": {}", r.result));
    let mut detail = vec![format!("call {}", r.call)];
    detail.extend(r.changes.iter().map(|c| format!("change {c}")));
    detail.extend(r.notes.iter().map(|n| format!("note {n}")));
    detail.extend(r.state_before.iter().map(|s| format!("before {s}")));
    Entry::new(r.at, kind, text)
        .by(r.who())
        .bad(!r.ok())
        .detail(detail)
}

fn outside_entry(e: &TrailEvent) -> Entry {
    let kind = match e.name.as_str() {
        _ if e.is_scale() => Kind::Scale,
        "ContinueServiceDeployment" => Kind::Hook,
        _ => Kind::Outside,
    };
    let mut entry = Entry::new(e.at, kind, format!("outside the console: {}", e.summary()))
        .by(e.who.clone())
        .bad(e.error.is_some())
        .detail(vec![format!("CloudTrail event {}", e.id)]);
    entry.outside = true;
    entry
}

impl crate::model::Clean for Registered {
    fn clean(&mut self) {
        let Registered {
            task_def,
            at: _,
            by,
            images,
        } = self;
        task_def.clean();
        by.clean();
        images.clean();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RollbackCause;

    fn td(n: u32) -> TaskDefRef {
        TaskDefRef {
            family: "payments".into(),
            revision: n,
        }
    }

    #[test]
    fn sources_merge_newest_first_within_the_span() {
        let src = Sources {
            from: At(1_000),
            until: At(100_000),
            history: vec![PastDeployment {
                id: "ecs-svc/1".into(),
                revision: td(43),
                from: Some(td(42)),
                outcome: Outcome::RolledBack {
                    by: RollbackCause::CircuitBreaker,
                    to: Some(td(42)),
                },
                is_rollback: false,
                started_at: At(10_000),
                ended_at: Some(At(50_000)),
                reason: "circuit breaker tripped".into(),
            }],
            revisions: vec![Registered {
                task_def: td(43),
                at: At(5_000),
                by: "arn:aws:iam::1:role/ci".into(),
                images: vec![],
            }],
            alarms: vec![(
                "payments-5xx-rate".into(),
                vec![AlarmTransition {
                    at: At(30_000),
                    from: AlarmState::Ok,
                    to: AlarmState::Alarm,
                    summary: "threshold crossed".into(),
                }],
            )],
            trail: vec![TrailEvent {
                id: "e1".into(),
                at: At(500),
                name: "UpdateService".into(),
                who: "bob".into(),
                params: vec![],
                error: None,
                by_console: false,
            }],
            ..Sources::default()
        };
        let t = timeline(&src);
        let texts: Vec<&str> = t.entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "ROLLED BACK by circuit breaker · 43 → 42: circuit breaker tripped",
                "payments-5xx-rate: OK → ALARM",
                "deployment started: payments:43 (from payments:42)",
                "registered payments:43",
            ]
        );
        assert!(t.entries[0].bad && t.entries[1].bad && !t.entries[2].bad);
        assert_eq!(t.stats.deploys, 1);
    }
}
