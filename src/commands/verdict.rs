//! The verdict on a service's rollout in flight, for `status` and `wait`: the console's rule
//! (`model::verdict`) applied to one read of the load balancer's figures of both sides and the
//! alarms that fire on the canary's side, said as the rollout view says it.

use crate::cloud::Fleet;
use crate::model::evidence::{AlbFigures, Sides, sides};
use crate::model::verdict::{Judged, Rule, Soak, judge_read, soak_needed, split_firing};
use crate::model::{
    Alarm, AlarmLink, ApiError, ApiResult, At, Ms, Service, ServiceKey, find_linked, pair_of,
};
use crate::workers::evidence::alb_pair;
use std::collections::HashMap;

/// The time the one-shot commands judge at: the wall clock, or (in a test) the demo's, which
/// runs on tokio's clock from its epoch.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    epoch: At,
    started: tokio::time::Instant,
}

impl Clock {
    /// Unix milliseconds `epoch` now, moving with tokio's clock.
    pub fn from(epoch: At) -> Self {
        Self {
            epoch,
            started: tokio::time::Instant::now(),
        }
    }

    pub fn wall() -> Self {
        Self::from(crate::timing::now_ms())
    }

    pub fn now(&self) -> At {
        self.epoch + Ms::from_std(self.started.elapsed())
    }
}

/// One read's verdict on a rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub judged: Judged,
    /// The verdict with its rule: `FAIL: new 5xx 2.1% > before 0.2% × 2 + 0.5 pt over 412
    /// requests`.
    pub text: String,
    /// The canary's and the primary's requests in the window, when the figures were judged.
    pub requests: Option<(f64, f64)>,
    /// When it was read: the window ends at the start of that minute.
    pub at: At,
    /// The whole service's firing alarms, said beside it.
    pub beside: Vec<String>,
    pub soak: Option<Soak>,
}

impl Judgement {
    /// The start of the newest complete minute the read covers.
    pub fn minute(&self) -> At {
        self.at.floor(Ms::MINUTE) - Ms::MINUTE
    }
}

/// What a read knows besides the fleet: every service (a paired canary's partner) and the
/// alarms with their links.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub services: &'a [Service],
    pub alarms: &'a [Alarm],
    pub links: &'a HashMap<ServiceKey, Vec<AlarmLink>>,
}

/// Judges the rollout `s` is in at `now`; None when no rollout is in flight.
pub async fn read(
    fleet: &dyn Fleet,
    s: &Service,
    known: Known<'_>,
    rule: &Rule,
    now: At,
) -> Option<Judgement> {
    // A native deployment's sides are found by its tasks' addresses in the target groups.
    let moving = s.native.as_ref().is_some_and(|n| n.status.is_moving());
    let (tasks, tasks_failed) = match moving {
        true => match fleet.tasks(Some(&s.key())).await {
            Ok(t) => (t, None),
            Err(e) => (Vec::new(), Some(e)),
        },
        false => (Vec::new(), None),
    };
    let sides = sides(s, pair_of(s, known.services), &tasks)?;
    let figures = match tasks_failed {
        Some(e) => Some(Err(ApiError::new(
            e.kind.clone(),
            format!("its tasks were not read, so neither were its target groups: {e}"),
        ))),
        None => alb_pair(fleet, &sides, now).await,
    };
    Some(judgement(s, &sides, figures.as_ref(), known, rule, now))
}

type Figures = ApiResult<(AlbFigures, AlbFigures)>;

/// The rule applied to a read of `sides` made at `now`.
pub fn judgement(
    s: &Service,
    sides: &Sides,
    figures: Option<&Figures>,
    known: Known<'_>,
    rule: &Rule,
    now: At,
) -> Judgement {
    let (canary_alarms, beside) = split_firing(sides, |key| {
        known
            .links
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|l| Some((find_linked(known.alarms, l)?, l.reason)))
            .collect()
    });
    let judged = judge_read(rule, sides, figures, now, &canary_alarms);
    let names = (sides.canary.role.label(), sides.primary.role.label());
    let judged_figures = judged.findings.iter().any(|f| {
        matches!(
            f,
            crate::model::verdict::Finding::Errors { .. }
                | crate::model::verdict::Finding::TooFew { .. }
        )
    });
    let requests = figures
        .and_then(|f| f.as_ref().ok())
        .filter(|_| judged_figures)
        .map(|(c, p)| (c.requests, p.requests));
    Judgement {
        text: judged.text(rule, names),
        judged,
        requests,
        at: now,
        beside,
        soak: soak_needed(rule, s).map(|n| Soak::new(sides.canary.from, Some(n), now)),
    }
}

/// `14:03`: the minute a time falls in, UTC.
fn minute_text(at: At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis())
        .map_or_else(|| "?".into(), |t| t.format("%H:%M").to_string())
}

/// The verdict's line, as the rollout view says it: `FAIL: new 5xx 2.1% > before 0.2% × 2 +
/// 0.5 pt over 412 requests · newest minute 14:03 UTC · soaked 3/5 min`, then the whole
/// service's firing alarms.
pub fn text(j: &Judgement) -> String {
    let mut out = j.text.clone();
    if j.requests.is_some() {
        out.push_str(&format!(" · newest minute {} UTC", minute_text(j.minute())));
    }
    if let Some(k) = &j.soak {
        out.push_str(&format!(" · {}", k.text()));
    }
    if !j.beside.is_empty() {
        out.push_str(&format!(
            " · beside: the whole service's alarms FIRING {}",
            j.beside.join(", ")
        ));
    }
    out
}

/// The verdict in `status --json`: its word, its rule's line, the samples and the soak.
pub fn json(j: &Judgement, iso: impl Fn(At) -> serde_json::Value) -> serde_json::Value {
    use crate::model::verdict::Finding;
    let canary_alarms: Vec<&str> = j
        .judged
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::Alarm(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    serde_json::json!({
        "verdict": j.judged.verdict.to_string(),
        "rule": j.text,
        "canary_requests": j.requests.map(|r| r.0),
        "primary_requests": j.requests.map(|r| r.1),
        "newest_minute": j.requests.map(|_| iso(j.minute())),
        "canary_alarms_firing": canary_alarms,
        "service_alarms_firing": j.beside,
        "soak": j.soak.map(|k| serde_json::json!({
            "soaked_minutes": k.soaked_ms / Ms::MINUTE,
            "needed_minutes": k.needed_ms.map(|n| n / Ms::MINUTE),
            "done": k.is_over(),
            "text": k.text(),
        })),
    })
}
