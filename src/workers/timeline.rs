//! Reads one service's timeline from every source, off the loop, and sends it merged: the
//! deployments the console knows (and the deployment APIs list), the images pushed, the
//! revisions registered, the runs and the commits between successive images (GitHub), the
//! alarms' state changes, the audit records (local and the team's) and CloudTrail's changes
//! from outside. A source that cannot be read becomes a gap the view names.

use crate::budget::{Priority, with_priority};
use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::model::commits::{Compare, CompareQuery, sha_of_tag};
use crate::model::timeline::build::{Registered, Sources, timeline};
use crate::model::timeline::{AuditRecord, Gap, Timeline, audit};
use crate::model::{ApiError, At, Image, history};
use crate::state::Msg;
use crate::state::timeline::Request;
use crate::workers::audit::Audit;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Compares asked per timeline, at most (one per image pushed in the span).
const COMPARES: usize = 6;
/// Alarms whose history is read, at most.
const ALARMS: usize = 10;
/// The local audit log is read from its last this many bytes.
const AUDIT_TAIL: u64 = 16 << 20;

pub async fn run(
    fleet: Arc<dyn Fleet>,
    ci: Arc<dyn Ci>,
    audit: Arc<Audit>,
    req: Request,
    tx: mpsc::Sender<Msg>,
) {
    let t = with_priority(
        Priority::Visible,
        gather(fleet.as_ref(), ci.as_ref(), &audit, &req),
    )
    .await;
    let _ = tx.send(Msg::Timeline(req.generation, Box::new(t))).await;
}

fn gap(what: &str, e: &ApiError) -> Gap {
    Gap {
        what: what.into(),
        why: e.to_string(),
    }
}

/// Everything `req` asks for, read and merged.
pub async fn gather(fleet: &dyn Fleet, ci: &dyn Ci, audit: &Audit, req: &Request) -> Timeline {
    let s = &req.service;
    let mut src = Sources {
        service: Some(s.key()),
        from: req.from,
        until: req.until,
        history: s.history.clone(),
        events: s.events.clone(),
        ..Sources::default()
    };
    if s.has_deployment_history() {
        match fleet.deployment_history(&s.key()).await {
            Ok(listed) => listed
                .into_iter()
                .for_each(|d| history::merge(&mut src.history, d)),
            Err(e) => src.gaps.push(gap("deployment history", &e)),
        }
    }
    let family = s.task_def.family.clone();
    match fleet.revisions(&family, req.from).await {
        Ok(r) => src.revisions = r,
        Err(e) => src.gaps.push(gap("task definition revisions", &e)),
    }
    match fleet.images().await {
        Ok(all) => src.images = images_of(all, &repositories(&src.revisions, &family)),
        Err(e) => src.gaps.push(gap("images (ECR)", &e)),
    }
    github(ci, req, &mut src).await;
    for name in req.alarms.iter().take(ALARMS) {
        match fleet.alarm_history(name, req.from).await {
            Ok(h) => src.alarms.push((name.clone(), h)),
            Err(e) => src.gaps.push(gap(&format!("alarm history of {name}"), &e)),
        }
    }
    audit_records(fleet, audit, req, &mut src).await;
    match fleet.trail(&s.key(), &family, (req.from, req.until)).await {
        Ok(t) => src.trail = t,
        Err(e) => src
            .gaps
            .push(gap("changes from outside the console (CloudTrail)", &e)),
    }
    timeline(&src)
}

/// The repositories the service's revisions run images of (`…/repo:tag` or `…/repo@sha256:…`);
/// its family's name when no revision was read.
fn repositories(revisions: &[Registered], family: &str) -> Vec<String> {
    let mut repos: Vec<String> = revisions
        .iter()
        .flat_map(|r| &r.images)
        .map(|image| {
            let name = image.split('@').next().unwrap_or(image);
            let last = name.rsplit('/').next().unwrap_or(name);
            last.split(':').next().unwrap_or(last).to_string()
        })
        .collect();
    repos.sort();
    repos.dedup();
    if repos.is_empty() {
        repos.push(family.to_string());
    }
    repos
}

/// The images pushed to the service's repositories.
fn images_of(all: Vec<Image>, repos: &[String]) -> Vec<Image> {
    all.into_iter()
        .filter(|i| repos.contains(&i.repository))
        .collect()
}

/// The runs of the service's workflow, and the commits between the images pushed in the span
/// and the ones before them.
async fn github(ci: &dyn Ci, req: &Request, src: &mut Sources) {
    let Some(w) = &req.workflow else {
        src.gaps.push(Gap {
            what: "runs and commits (GitHub)".into(),
            why: format!(
                "no workflow is known to build {} (a [[build]] entry or the deckwatch:repo and deckwatch:workflow tags)",
                req.service.name
            ),
        });
        return;
    };
    match ci.runs(w).await {
        Ok(runs) => src.runs = runs,
        Err(e) => {
            // Without the runs (no token, no access) the compare fails the same way.
            src.gaps.push(gap("runs and commits (GitHub)", &e));
            return;
        }
    }
    for q in compares(&src.images, &w.repo, req.from) {
        match ci.compare(&q).await {
            Ok(c) => src.compares.push(c),
            Err(e) => {
                src.gaps
                    .push(gap(&format!("commits {}...{}", q.base, q.head), &e));
                break;
            }
        }
    }
    dedup_commits(&mut src.compares);
}

/// One compare per image pushed in the span that names a commit, against the image before it.
fn compares(images: &[Image], repo: &str, from: At) -> Vec<CompareQuery> {
    let mut named: Vec<(At, &str)> = images
        .iter()
        .filter_map(|i| Some((i.pushed_at, i.tags.iter().find_map(|t| sha_of_tag(t))?)))
        .collect();
    named.sort_by_key(|(at, _)| *at);
    named.dedup_by(|a, b| a.1 == b.1);
    let mut out: Vec<CompareQuery> = named
        .windows(2)
        .filter(|w| w[1].0 >= from)
        .map(|w| CompareQuery {
            repo: repo.to_string(),
            base: w[0].1.to_string(),
            head: w[1].1.to_string(),
        })
        .collect();
    let skip = out.len().saturating_sub(COMPARES);
    out.drain(..skip);
    out
}

/// A commit in two compares (images built from one branch twice) is shown once.
fn dedup_commits(compares: &mut [Compare]) {
    let mut seen = std::collections::HashSet::new();
    for c in compares.iter_mut() {
        c.commits.retain(|k| seen.insert(k.sha.clone()));
    }
}

/// The console's own actions on the service: the local audit log, and the team's group.
async fn audit_records(fleet: &dyn Fleet, audit: &Audit, req: &Request, src: &mut Sources) {
    let local = match audit.path() {
        Some(p) => read_local(p).unwrap_or_else(|e| {
            src.gaps.push(Gap {
                what: "the local audit log".into(),
                why: format!("{}: {e}", p.display()),
            });
            Vec::new()
        }),
        None => Vec::new(),
    };
    let mut team = Vec::new();
    if let Some(group) = &audit.remote_group {
        match fleet.read_audit(group, (req.from, req.until)).await {
            Ok(lines) => team = lines.iter().filter_map(|l| AuditRecord::parse(l)).collect(),
            Err(e) => src
                .gaps
                .push(gap(&format!("the team's audit log {group}"), &e)),
        }
    }
    let key = req.service.key();
    let mut records = audit::merge(
        local,
        team,
        (&key.cluster, &key.name),
        (req.from, req.until),
    );
    if !req.context.is_empty() {
        records.retain(|r| r.context.is_empty() || r.context == req.context);
    }
    src.audit = records;
}

/// The records of the local audit log (its last `AUDIT_TAIL` bytes); none when it does not
/// exist yet.
fn read_local(path: &std::path::Path) -> std::io::Result<Vec<AuditRecord>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let start = len.saturating_sub(AUDIT_TAIL);
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .lines()
        .skip(usize::from(start > 0))
        .filter_map(AuditRecord::parse)
        .map(|mut r| {
            r.clean_strings();
            r
        })
        .collect())
}
