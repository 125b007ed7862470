//! What happened to a service's last deployments, kept after ECS has dropped them: the
//! deployments seen, their `rolloutStateReason`, the service's events and, for native
//! deployments, the service-deployment APIs. And the rule `R` follows: the last revision that
//! completed and stayed stable.

use crate::model::{
    At, Deployment, DeploymentStatus, NativeDeployment, NativeStatus, RolloutState, Service,
    ServiceEvent, ServiceKey, TaskDefRef,
};
use std::collections::HashMap;

/// Deployments remembered per service, newest first.
pub const HISTORY_KEPT: usize = 10;

/// What made a deployment roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackCause {
    CircuitBreaker,
    Alarm,
    /// A lifecycle hook failed or timed out.
    Hook,
    /// Someone asked for it (StopServiceDeployment, a hook answered with ROLLBACK).
    Requested,
    /// An operator aborted it from this console: who, as the job's record names them.
    Operator(String),
    Unknown,
}

impl RollbackCause {
    /// The cause a reason text names.
    pub fn from_reason(reason: &str) -> Self {
        let has = |needle| has(reason, needle);
        // A rollback ECS started after tasks failed to start is the circuit breaker's.
        if has("circuit breaker") || has("failed to start") {
            RollbackCause::CircuitBreaker
        } else if has("alarm") {
            RollbackCause::Alarm
        } else if has("timed out") || has("hook") && !has("requested") {
            RollbackCause::Hook
        } else if has("requested") || has("stopped by") || has("user") {
            RollbackCause::Requested
        } else {
            RollbackCause::Unknown
        }
    }

    pub fn text(&self) -> String {
        match self {
            RollbackCause::CircuitBreaker => "by circuit breaker".into(),
            RollbackCause::Alarm => "by alarm".into(),
            RollbackCause::Hook => "by lifecycle hook".into(),
            RollbackCause::Requested => "on request".into(),
            RollbackCause::Operator(who) => format!("by {who}"),
            RollbackCause::Unknown => String::new(),
        }
    }
}

/// How a deployment ended, or that it has not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    InProgress,
    Completed,
    /// Failed and was not rolled back.
    Failed,
    /// Rolled back, to this revision when known.
    RolledBack {
        by: RollbackCause,
        to: Option<TaskDefRef>,
    },
    /// Stopped without a rollback.
    Stopped,
    /// Left before it completed: a newer deployment took over.
    Replaced,
}

impl Outcome {
    /// Failed or rolled back: its revision did not stay.
    pub fn is_bad(&self) -> bool {
        matches!(self, Outcome::Failed | Outcome::RolledBack { .. })
    }

    pub fn word(&self) -> &'static str {
        match self {
            Outcome::InProgress => "IN PROGRESS",
            Outcome::Completed => "COMPLETED",
            Outcome::Failed => "FAILED",
            Outcome::RolledBack {
                by: RollbackCause::Operator(_),
                ..
            } => "ABORTED",
            Outcome::RolledBack { .. } => "ROLLED BACK",
            Outcome::Stopped => "STOPPED",
            Outcome::Replaced => "REPLACED",
        }
    }
}

/// One deployment of a service, as far as the console saw it or was told.
#[derive(Debug, Clone, PartialEq)]
pub struct PastDeployment {
    /// The deployment id (`ecs-svc/...`) or service-deployment ARN.
    pub id: String,
    /// The revision it deployed; revision 0 when only an event named it.
    pub revision: TaskDefRef,
    /// The revision it replaced, when known.
    pub from: Option<TaskDefRef>,
    pub outcome: Outcome,
    /// This deployment is itself a rollback (to `revision`).
    pub is_rollback: bool,
    pub started_at: At,
    /// When it was seen to end.
    pub ended_at: Option<At>,
    pub reason: String,
}

impl PastDeployment {
    /// `payments:43`, or what stands for a revision only an event named.
    pub fn revision_text(&self) -> String {
        if self.revision.revision == 0 {
            format!("deployment {} (its revision no longer listed)", self.id)
        } else {
            self.revision.to_string()
        }
    }

    /// `ROLLED BACK by circuit breaker · 43 → 42`, without the age, which needs a clock.
    pub fn headline(&self) -> String {
        let rev = |t: &TaskDefRef| {
            if t.revision == 0 {
                "?".to_string()
            } else {
                t.revision.to_string()
            }
        };
        let what = match &self.outcome {
            o @ Outcome::RolledBack { by, .. } if !by.text().is_empty() => {
                format!("{} {}", o.word(), by.text())
            }
            o => o.word().to_string(),
        };
        let moves = match (&self.outcome, &self.from) {
            (Outcome::RolledBack { to: Some(to), .. }, _) => {
                format!("{} → {}", rev(&self.revision), rev(to))
            }
            (_, Some(from)) if self.is_rollback => {
                format!("rollback {} → {}", rev(from), rev(&self.revision))
            }
            (_, Some(from)) => format!("{} → {}", rev(from), rev(&self.revision)),
            _ => rev(&self.revision),
        };
        format!("{what} · {moves}")
    }
}

/// What an event says about a deployment, for marking it and for the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventMark {
    Plain,
    /// A rollback starts or happened.
    Rollback,
    /// The circuit breaker tripped, or a deployment failed.
    Failure,
    Completed,
}

/// `text` contains `needle` (lower-case ASCII), ignoring ASCII case, without allocating:
/// events and reasons are read on every refresh.
fn has(text: &str, needle: &str) -> bool {
    let n = needle.len();
    n == 0
        || text
            .as_bytes()
            .windows(n)
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

impl ServiceEvent {
    pub fn mark(&self) -> EventMark {
        let has = |needle| has(&self.message, needle);
        if has("rolling back") || has("rolled back") || has("rollback") {
            EventMark::Rollback
        } else if has("circuit breaker") || has("deployment failed") {
            EventMark::Failure
        } else if has("deployment completed") {
            EventMark::Completed
        } else {
            EventMark::Plain
        }
    }

    /// The deployment an event names: `(deployment ecs-svc/123)` or `deployment ecs-svc/123`.
    pub fn deployment_id(&self) -> Option<&str> {
        let at = self.message.find("ecs-svc/")?;
        let rest = &self.message[at..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_')))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

fn rollout_outcome(d: &Deployment) -> Option<Outcome> {
    match d.rollout_state {
        RolloutState::InProgress => Some(Outcome::InProgress),
        RolloutState::Completed => Some(Outcome::Completed),
        RolloutState::Failed => Some(Outcome::Failed),
        RolloutState::Other(_) => None,
    }
}

/// Says a rolling deployment is itself a rollback, as ECS's circuit breaker words it.
fn reason_rolls_back(reason: &str) -> bool {
    has(reason, "rolling back") || has(reason, "roll back to") || has(reason, "rollback to")
}

fn native_outcome(n: &NativeDeployment) -> Outcome {
    let by = || RollbackCause::from_reason(n.rollback_reason.as_deref().unwrap_or(""));
    let to = n.source().map(|r| r.task_def.clone());
    match n.status {
        NativeStatus::Successful => Outcome::Completed,
        NativeStatus::RollbackRequested
        | NativeStatus::RollbackInProgress
        | NativeStatus::RollbackSuccessful => Outcome::RolledBack { by: by(), to },
        NativeStatus::RollbackFailed => Outcome::Failed,
        NativeStatus::Stopped | NativeStatus::StopRequested => Outcome::Stopped,
        _ => Outcome::InProgress,
    }
}

/// The history entry of a native deployment.
pub fn native_entry(n: &NativeDeployment, now: At) -> PastDeployment {
    let outcome = native_outcome(n);
    PastDeployment {
        id: n.arn.clone(),
        revision: n.target.task_def.clone(),
        from: n.source().map(|r| r.task_def.clone()),
        ended_at: (outcome != Outcome::InProgress).then_some(now),
        outcome,
        is_rollback: false,
        started_at: n.started_at,
        reason: n.rollback_reason.clone().unwrap_or_default(),
    }
}

/// One deployment as `ListServiceDeployments` lists it, its target revision resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentBrief {
    pub arn: String,
    pub revision: TaskDefRef,
    pub status: NativeStatus,
    pub reason: String,
    pub started_at: At,
    pub finished_at: Option<At>,
}

/// The history the service-deployment APIs give: each deployment came from the revision of
/// the one before it that succeeded, and a rollback went back to that revision.
pub fn from_briefs(mut briefs: Vec<DeploymentBrief>) -> Vec<PastDeployment> {
    briefs.sort_by_key(|b| b.started_at);
    let mut out = Vec::new();
    let mut stable: Option<TaskDefRef> = None;
    for b in briefs {
        let from = stable.clone().filter(|r| *r != b.revision);
        let outcome = match b.status {
            NativeStatus::Successful => Outcome::Completed,
            NativeStatus::RollbackRequested
            | NativeStatus::RollbackInProgress
            | NativeStatus::RollbackSuccessful => Outcome::RolledBack {
                by: RollbackCause::from_reason(&b.reason),
                to: from.clone(),
            },
            NativeStatus::RollbackFailed => Outcome::Failed,
            NativeStatus::Stopped | NativeStatus::StopRequested => Outcome::Stopped,
            _ => Outcome::InProgress,
        };
        if outcome == Outcome::Completed {
            stable = Some(b.revision.clone());
        }
        out.push(PastDeployment {
            id: b.arn,
            revision: b.revision,
            from,
            outcome,
            is_rollback: false,
            started_at: b.started_at,
            ended_at: b.finished_at,
            reason: b.reason,
        });
    }
    finish(out)
}

/// Native deployment histories as the service-deployment APIs listed them, by service.
pub type Listed = HashMap<ServiceKey, Vec<PastDeployment>>;

/// Fresh services keep what was known of their deployments: the history carried by `prev` (the
/// same services, as last seen) and the native histories `listed`. The services poller runs it
/// before it sends a refresh, so the loop only swaps the list in.
pub fn carry(prev: &[Service], fresh: &mut [Service], listed: &Listed, at: At) {
    let old: HashMap<(&str, &str), &Service> = prev
        .iter()
        .map(|s| ((s.cluster.as_str(), s.name.as_str()), s))
        .collect();
    for s in fresh.iter_mut() {
        let prev = old.get(&(s.cluster.as_str(), s.name.as_str())).copied();
        let native = s
            .has_deployment_history()
            .then(|| listed.get(&s.key()))
            .flatten();
        // Nothing new about its deployments and nothing listed: the history is what it was.
        // Most refreshes.
        if let Some(p) = prev.filter(|p| native.is_none() && same_deployments(p, s)) {
            s.history = p.history.clone();
            continue;
        }
        let mut known = prev.map_or_else(Vec::new, |p| p.history.clone());
        for e in native.into_iter().flatten() {
            merge(&mut known, e.clone());
        }
        s.history = observe(&known, s, at);
    }
}

/// The same deployments, native deployment and newest event as before.
fn same_deployments(old: &Service, new: &Service) -> bool {
    old.deployments == new.deployments
        && old.native == new.native
        && old.codedeploy == new.codedeploy
        && old.events.len() == new.events.len()
        && old.events.first() == new.events.first()
}

/// Merges what `s` shows now into what was known (`known`, newest first): its deployments, its
/// native deployment, its events. `now` dates the endings seen for the first time.
pub fn observe(known: &[PastDeployment], s: &Service, now: At) -> Vec<PastDeployment> {
    let mut h: Vec<PastDeployment> = known.to_vec();
    let live: Vec<&str> = s.deployments.iter().map(|d| d.id.as_str()).collect();
    let newest_before = h.first().map(|e| e.revision.clone());
    // A native strategy's deployments are read from the service-deployment APIs instead.
    if !s.strategy.is_native() {
        for d in &s.deployments {
            upsert_rolling(&mut h, s, d, newest_before.as_ref(), now);
        }
    }
    // Gone from the service while still in progress: a newer deployment took over.
    for e in h.iter_mut() {
        // Service-deployment ARNs and CodeDeploy deployments (`d-…`) end by their own APIs.
        let gone =
            !live.contains(&e.id.as_str()) && !e.id.starts_with("arn:") && !e.id.starts_with("d-");
        if gone && e.outcome == Outcome::InProgress {
            e.outcome = Outcome::Replaced;
            e.ended_at = Some(now);
        }
    }
    if let Some(n) = &s.native {
        merge(&mut h, native_entry(n, now));
    }
    if let Some(d) = s.codedeploy.as_ref().and_then(|c| c.deployment.as_ref()) {
        let from = s
            .task_sets
            .iter()
            .find(|t| !d.owns(t))
            .map(|t| t.task_def.clone());
        merge(&mut h, d.entry(from, now));
    }
    apply_events(&mut h, &s.events);
    mark_rolled_back(&mut h, now);
    finish(h)
}

fn upsert_rolling(
    h: &mut Vec<PastDeployment>,
    s: &Service,
    d: &Deployment,
    newest_before: Option<&TaskDefRef>,
    now: At,
) {
    let outcome = rollout_outcome(d);
    if let Some(e) = h.iter_mut().find(|e| e.id == d.id) {
        // A rollback already judged stays so, whatever the deployment's own state says.
        if let Some(o) = outcome
            && !matches!(e.outcome, Outcome::RolledBack { .. })
        {
            if o != e.outcome && o != Outcome::InProgress {
                e.ended_at = Some(d.updated_at.max(e.started_at).min(now).max(At::EPOCH));
            }
            e.outcome = o;
        }
        if !d.rollout_reason.is_empty() {
            e.reason = d.rollout_reason.clone();
        }
        return;
    }
    let from = s
        .deployments
        .iter()
        .find(|o| o.id != d.id && o.status == DeploymentStatus::Active)
        .map(|o| o.task_def.clone())
        .or_else(|| newest_before.filter(|r| **r != d.task_def).cloned());
    let outcome = outcome.unwrap_or(Outcome::InProgress);
    h.push(PastDeployment {
        id: d.id.clone(),
        revision: d.task_def.clone(),
        from,
        ended_at: (outcome != Outcome::InProgress).then(|| d.updated_at.min(now)),
        outcome,
        is_rollback: reason_rolls_back(&d.rollout_reason),
        started_at: d.created_at,
        reason: d.rollout_reason.clone(),
    });
}

/// Adds or refreshes an entry from another source (a native deployment, the deployment APIs).
pub fn merge(h: &mut Vec<PastDeployment>, entry: PastDeployment) {
    match h.iter_mut().find(|e| e.id == entry.id) {
        Some(e) => {
            let ended = e.ended_at.or(entry.ended_at);
            *e = PastDeployment {
                ended_at: if entry.outcome == Outcome::InProgress {
                    None
                } else {
                    ended
                },
                ..entry
            };
        }
        None => h.push(entry),
    }
}

/// Events name deployments by id: a failure or completion of one seen before updates it; a
/// failure of one never seen is kept with its revision unknown.
fn apply_events(h: &mut Vec<PastDeployment>, events: &[ServiceEvent]) {
    // ECS lists events newest first; apply them in the order they happened.
    for e in events.iter().rev() {
        // Most events name no deployment: those cost one search.
        let Some(id) = e.deployment_id() else {
            continue;
        };
        let mark = e.mark();
        match (mark, h.iter_mut().find(|x| x.id == id)) {
            (EventMark::Failure, Some(x)) if x.outcome == Outcome::InProgress => {
                x.outcome = Outcome::Failed;
                x.ended_at = Some(e.at);
                x.reason = e.message.clone();
            }
            (EventMark::Completed, Some(x)) if x.outcome == Outcome::InProgress => {
                x.outcome = Outcome::Completed;
                x.ended_at = Some(e.at);
            }
            (EventMark::Failure, None) => h.push(PastDeployment {
                id: id.to_string(),
                revision: TaskDefRef::default(),
                from: None,
                outcome: Outcome::Failed,
                is_rollback: false,
                started_at: e.at,
                ended_at: Some(e.at),
                reason: e.message.clone(),
            }),
            // "rolling back to deployment X": X is the rollback.
            (EventMark::Rollback, Some(x)) if !x.is_rollback && x.outcome != Outcome::Failed => {
                x.is_rollback = true;
            }
            _ => {}
        }
    }
}

/// A failed deployment followed by a rollback deployment was rolled back to its revision.
fn mark_rolled_back(h: &mut [PastDeployment], now: At) {
    let rollbacks: Vec<(At, TaskDefRef, String)> = h
        .iter()
        .filter(|e| e.is_rollback)
        .map(|e| (e.started_at, e.revision.clone(), e.reason.clone()))
        .collect();
    for e in h.iter_mut().filter(|e| e.outcome == Outcome::Failed) {
        let back = rollbacks
            .iter()
            .filter(|(at, to, _)| *at >= e.started_at && *to != e.revision)
            .min_by_key(|(at, _, _)| *at);
        if let Some((_, to, why)) = back {
            let mut by = RollbackCause::from_reason(&e.reason);
            if by == RollbackCause::Unknown {
                by = RollbackCause::from_reason(why);
            }
            e.outcome = Outcome::RolledBack {
                by,
                to: Some(to.clone()),
            };
            e.ended_at = e.ended_at.or(Some(now));
        }
    }
}

/// An operator's abort, from the job that sent it: the deployment it stopped, the revision
/// it went back to, who, and when the abort was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct AbortRecord<'a> {
    pub deployment: &'a str,
    pub to: Option<&'a TaskDefRef>,
    pub who: &'a str,
    pub at: At,
}

/// Keeps an operator's abort as what it was: the stopped deployment ends ABORTED (by whom, to
/// where) when the abort was sent, and the later deployment of the revision it went back to
/// is that rollback, not a deployment of its own. Ends in time order, whatever the deployment
/// itself came to say afterwards (REPLACED, or COMPLETED once the rollback settled).
pub fn mark_aborted(h: &mut [PastDeployment], a: &AbortRecord) {
    let Some(stopped) = h.iter_mut().find(|e| e.id == a.deployment) else {
        return;
    };
    stopped.outcome = Outcome::RolledBack {
        by: RollbackCause::Operator(a.who.to_string()),
        to: a.to.cloned(),
    };
    stopped.ended_at = Some(a.at.max(stopped.started_at));
    let since = stopped.started_at;
    let id = stopped.id.clone();
    for e in h.iter_mut() {
        if e.id != id && Some(&e.revision) == a.to && e.started_at >= since {
            e.is_rollback = true;
        }
    }
}

fn finish(mut h: Vec<PastDeployment>) -> Vec<PastDeployment> {
    h.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
    h.truncate(HISTORY_KEPT);
    h
}

/// Why the current revision is where it is, when a rollback put it there.
#[derive(Debug, Clone, PartialEq)]
pub struct RolledBackHere<'a> {
    /// The deployment that was rolled back.
    pub failed: &'a PastDeployment,
    pub by: &'a RollbackCause,
}

/// The revision `R` returns to, and why that one.
#[derive(Debug, Clone, PartialEq)]
pub struct StableTarget {
    pub revision: TaskDefRef,
    pub why: Vec<String>,
}

impl Service {
    /// Its deployments have a history of their own to read: the service-deployment APIs for
    /// a native strategy, CodeDeploy for a CODE_DEPLOY service.
    pub fn has_deployment_history(&self) -> bool {
        self.strategy.is_native() || self.controller == super::DeploymentController::CodeDeploy
    }

    /// The deployment an action's wait is about: the one of `td` (the primary if several),
    /// else the primary. Its counts, not the service's, say how far it got.
    pub fn waited_deployment(&self, td: Option<&TaskDefRef>) -> Option<&Deployment> {
        let Some(td) = td else {
            return self.primary();
        };
        self.deployments
            .iter()
            .filter(|d| &d.task_def == td)
            .min_by_key(|d| d.status != DeploymentStatus::Primary)
    }

    /// The newest deployment that ended, other than a rollback itself: what the row and the
    /// rollout view lead with.
    pub fn last_outcome(&self) -> Option<&PastDeployment> {
        self.history
            .iter()
            .find(|e| !e.is_rollback && e.outcome != Outcome::InProgress)
    }

    /// The current revision is the result of a rollback: the newest deployment that is not a
    /// rollback was rolled back to it, and nothing newer replaced it.
    pub fn rolled_back_here(&self) -> Option<RolledBackHere<'_>> {
        let newest = self.history.iter().find(|e| !e.is_rollback)?;
        match &newest.outcome {
            Outcome::RolledBack { by, to } if to.as_ref() == Some(&self.task_def) => {
                Some(RolledBackHere { failed: newest, by })
            }
            _ => None,
        }
    }

    /// The last revision below the current one that completed and stayed stable (none of its
    /// deployments failed or was rolled back), from the history; else the newest registered
    /// revision below the current one, unless the history knows it went bad.
    pub fn last_stable(&self) -> Option<StableTarget> {
        let current = &self.task_def;
        let bad: Vec<&PastDeployment> =
            self.history.iter().filter(|e| e.outcome.is_bad()).collect();
        let went_bad = |r: &TaskDefRef| bad.iter().find(|e| &e.revision == r);
        let mut why: Vec<String> = bad
            .iter()
            .filter(|e| e.revision != *current && e.revision.revision < current.revision)
            .map(|e| format!("skips {}: {}", e.revision, e.headline()))
            .collect();
        why.dedup();
        let stable = self.history.iter().find(|e| {
            e.outcome == Outcome::Completed
                && e.revision.family == current.family
                && e.revision.revision < current.revision
                && e.revision.revision > 0
                && went_bad(&e.revision).is_none()
        });
        if let Some(e) = stable {
            why.insert(
                0,
                format!(
                    "{}: the last revision that completed and stayed stable",
                    e.revision
                ),
            );
            return Some(StableTarget {
                revision: e.revision.clone(),
                why,
            });
        }
        let prev = self.previous_task_def.as_ref()?;
        if went_bad(prev).is_some() {
            return None;
        }
        why.insert(
            0,
            format!(
                "{prev}: the newest registered revision below {current} (no completed deployment of an earlier revision was seen)"
            ),
        );
        Some(StableTarget {
            revision: prev.clone(),
            why,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn td(r: u32) -> TaskDefRef {
        TaskDefRef {
            family: "payments".into(),
            revision: r,
        }
    }

    #[test]
    fn deployment_ids_come_out_of_event_messages() {
        let e = |m: &str| ServiceEvent {
            at: At(0),
            message: m.into(),
        };
        let failed =
            e("(service payments) (deployment ecs-svc/123) deployment failed: tasks failed.");
        assert_eq!(failed.deployment_id(), Some("ecs-svc/123"));
        assert_eq!(failed.mark(), EventMark::Failure);
        let back = e("(service payments) rolling back to deployment ecs-svc/456.");
        assert_eq!(back.deployment_id(), Some("ecs-svc/456"));
        assert_eq!(back.mark(), EventMark::Rollback);
        assert_eq!(e("has reached a steady state.").mark(), EventMark::Plain);
    }

    #[test]
    fn causes_are_read_from_reasons() {
        use RollbackCause::*;
        let c = RollbackCause::from_reason;
        assert_eq!(
            c("ECS deployment circuit breaker: tasks failed to start."),
            CircuitBreaker
        );
        assert_eq!(c("Alarm sd-other-5xx triggered."), Alarm);
        assert_eq!(
            c("(service x) (deployment ecs-svc/1) deployment failed: tasks failed to start."),
            CircuitBreaker
        );
        assert_eq!(
            c("Lifecycle hook manual-promote-gate timed out; its timeout action is ROLLBACK."),
            Hook
        );
        assert_eq!(
            c("Lifecycle hook manual-promote-gate: ROLLBACK requested."),
            Requested
        );
        assert_eq!(c("Stopped by the user with stopType ROLLBACK."), Requested);
    }

    #[test]
    fn headlines_read_as_the_row_shows_them() {
        let e = PastDeployment {
            id: "x".into(),
            revision: td(43),
            from: Some(td(42)),
            outcome: Outcome::RolledBack {
                by: RollbackCause::CircuitBreaker,
                to: Some(td(42)),
            },
            is_rollback: false,
            started_at: At(0),
            ended_at: Some(At(1)),
            reason: String::new(),
        };
        assert_eq!(e.headline(), "ROLLED BACK by circuit breaker · 43 → 42");
        let done = PastDeployment {
            outcome: Outcome::Completed,
            ..e.clone()
        };
        assert_eq!(done.headline(), "COMPLETED · 42 → 43");
    }
}
