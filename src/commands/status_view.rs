//! How `deckwatch status` reads: aligned text for a terminal or a chat message, or JSON of a
//! documented, versioned shape (README, "Command line"). Every value comes from the model's
//! rules; a value the console does not know is left out (text: `-`; JSON: null).

use super::status::Snapshot;
use crate::model::{
    At, LifecycleHook, Ms, NativeDeployment, NativeStatus, Outcome, PastDeployment, RolloutState,
    Service,
};
use crate::ui::format::{age, countdown};
use serde_json::{Value, json};

/// The JSON shape's version: a field is only ever added within a version.
pub const JSON_VERSION: u32 = 1;

fn iso(at: At) -> Value {
    chrono::DateTime::from_timestamp_millis(at.millis())
        .filter(|_| at > At::EPOCH)
        .map_or(Value::Null, |t| {
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        })
}

/// The rollout in a few words: `IN_PROGRESS 2/4 ✗1/3`, `CANARY 10%`, `PAUSED`, `COMPLETED`.
pub fn rollout_text(s: &Service) -> String {
    if let Some(n) = s.native.as_ref().filter(|n| n.status.is_moving()) {
        return native_text(n);
    }
    let Some(d) = s.primary() else {
        return "-".into();
    };
    let failed = match (s.max_failed_tasks(), s.circuit_breaker) {
        (0, _) => String::new(),
        (f, Some(cb)) => format!(" ✗{f}/{}", cb.threshold),
        (f, None) => format!(" ✗{f}"),
    };
    match &d.rollout_state {
        RolloutState::InProgress => format!("IN_PROGRESS {}/{}{failed}", d.running, d.desired),
        state => format!("{state}{failed}"),
    }
}

fn native_text(n: &NativeDeployment) -> String {
    if n.waiting_hook().is_some() {
        return format!("{} PAUSED at {}", n.strategy, n.lifecycle_stage);
    }
    if n.status == NativeStatus::RollbackInProgress {
        return "ROLLING BACK".into();
    }
    format!(
        "{} {} {:.0}%",
        n.strategy, n.lifecycle_stage, n.target.requested_production_weight
    )
}

/// `manual-promote-gate: auto-rollback in 12m34s` (`countdown` says the `in`).
pub fn hook_text(h: &LifecycleHook, now: At) -> String {
    format!(
        "{}: auto-{} {}",
        h.id,
        h.timeout_action.to_string().to_lowercase(),
        countdown(now, h.expires_at)
    )
}

fn last_text(e: &PastDeployment, now: At) -> String {
    let when = e
        .ended_at
        .map_or(String::new(), |t| format!(" {} ago", age(now, t)));
    format!("{}{when}", e.headline())
}

/// Aligned text: a header line, then a row per service.
pub fn text(snap: &Snapshot) -> String {
    let c = &snap.context;
    let mut out = format!(
        "context {} · account {} · region {} · {} services · read {}\n",
        or_dash(&c.name),
        or_dash(&c.account),
        or_dash(&c.region),
        snap.services.len(),
        crate::ui::format::clock(snap.read_at) + " UTC",
    );
    let mut rows = vec![
        [
            "SERVICE", "TASKS", "ROLLOUT", "VERDICT", "HOOK", "LAST", "ALARMS",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for s in &snap.services {
        let hook = s.native.as_ref().and_then(NativeDeployment::waiting_hook);
        let firing: Vec<&str> = snap.firing(s).iter().map(|a| a.name.as_str()).collect();
        let pending = if s.pending > 0 {
            format!(" +{} pending", s.pending)
        } else {
            String::new()
        };
        rows.push(vec![
            s.key().to_string(),
            format!("{}/{}{pending}", s.running, s.desired),
            rollout_text(s),
            snap.verdicts
                .get(&s.key())
                .map_or("-".into(), |j| j.judged.verdict.to_string()),
            hook.map_or("-".into(), |h| hook_text(h, snap.read_at)),
            s.last_outcome()
                .map_or("-".into(), |e| last_text(e, snap.read_at)),
            if firing.is_empty() {
                "-".into()
            } else {
                format!("⚠ {}", firing.join(", "))
            },
        ]);
    }
    out.push_str(&super::output::align(&rows));
    // Each verdict with its rule, under the table: too long for a column.
    for s in &snap.services {
        if let Some(j) = snap.verdicts.get(&s.key()) {
            out.push_str(&format!(
                "verdict {}  {}\n",
                s.key(),
                super::verdict::text(j)
            ));
        }
    }
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

/// The versioned JSON document.
pub fn json(snap: &Snapshot) -> String {
    let c = &snap.context;
    let services: Vec<Value> = snap
        .services
        .iter()
        .map(|s| service_json(snap, s))
        .collect();
    let firing: Vec<Value> = snap
        .alarms
        .iter()
        .filter(|a| a.state == crate::model::AlarmState::Alarm)
        .map(|a| json!({"name": a.name, "reason": a.reason, "updated_at": iso(a.updated_at)}))
        .collect();
    let doc = json!({
        "version": JSON_VERSION,
        "read_at": iso(snap.read_at),
        "context": {
            "name": c.name, "profile": c.profile, "account": c.account, "region": c.region,
            "clusters": c.clusters,
        },
        "services": services,
        "alarms_firing": firing,
        "problems": snap.problems,
    });
    format!("{doc:#}\n")
}

fn service_json(snap: &Snapshot, s: &Service) -> Value {
    let now = snap.read_at;
    let firing: Vec<&str> = snap.firing(s).iter().map(|a| a.name.as_str()).collect();
    json!({
        "cluster": s.cluster,
        "name": s.name,
        "status": s.status.to_string(),
        "strategy": s.strategy.to_string(),
        "task_definition": s.task_def.to_string(),
        "image_tag": s.image_tag,
        "desired": s.desired,
        "running": s.running,
        "pending": s.pending,
        "rollout": rollout_json(s),
        "hook": s.native.as_ref().and_then(NativeDeployment::waiting_hook).map(|h| json!({
            "id": h.id,
            "stage": h.stage.as_ref().map(ToString::to_string),
            "status": h.status.to_string(),
            "expires_at": iso(h.expires_at),
            "seconds_left": (h.expires_at.since(now) + Ms(999)).as_secs(),
            "timeout_action": h.timeout_action.to_string(),
        })),
        "last_outcome": s.last_outcome().map(outcome_json),
        "alarms_firing": firing,
        "verdict": snap.verdicts.get(&s.key()).map(|j| super::verdict::json(j, iso)),
    })
}

fn rollout_json(s: &Service) -> Value {
    let native = s.native.as_ref().map(|n| {
        json!({
            "status": n.status.to_string(),
            "lifecycle_stage": n.lifecycle_stage.to_string(),
            "target_revision": n.target.task_def.to_string(),
            "production_weight": n.target.requested_production_weight,
        })
    });
    json!({
        "state": s.rollout_state().map(|r| r.to_string()),
        "summary": rollout_text(s),
        "progress": s.rollout_progress(),
        "deployments": s.deployments.len(),
        "failed_tasks": s.max_failed_tasks(),
        "circuit_breaker_threshold": s.circuit_breaker.map(|cb| cb.threshold),
        "native": native,
    })
}

fn outcome_json(e: &PastDeployment) -> Value {
    let word = match &e.outcome {
        Outcome::RolledBack { .. } => "ROLLED_BACK",
        Outcome::InProgress => "IN_PROGRESS",
        o => o.word(),
    };
    json!({
        "outcome": word,
        "summary": e.headline(),
        "revision": (e.revision.revision > 0).then(|| e.revision.to_string()),
        "from": e.from.as_ref().map(ToString::to_string),
        "reason": e.reason,
        "ended_at": e.ended_at.map(iso),
    })
}
