//! The verdict on each rollout read: the rule (`model::verdict`) applied to the load
//! balancer's figures of both sides and the alarms that fire on the canary's side, kept per
//! rollout with how many reads in a row agree. Judged again when the alarms change, so an
//! alarm that fires between two reads fails the canary at once.

use crate::model::evidence::{AlbFigures, Sides};
use crate::model::verdict::{Judged, Rule, Soak, Streak, judge_read, soak_needed, split_firing};
use crate::model::{ActionPlan, ApiResult, At, Ms, Service, ServiceKey, Verb};
use crate::state::State;
use crate::state::rollout::evidence::AlbResult;
use std::collections::HashMap;

/// Rollouts whose verdict is kept, at most: the oldest read goes first.
pub const VERDICTS_KEPT: usize = 64;

/// The verdict of one rollout's last read.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub sides: Sides,
    pub judged: Judged,
    pub streak: Streak,
    /// The figures it was judged on (None: why there were none).
    pub figures: ApiResult<(AlbFigures, AlbFigures)>,
    /// When the figures were read; they cover the window up to the minute before.
    pub read_at: At,
}

impl Kept {
    /// The newest complete minute the figures cover: the window ends at its end.
    pub fn minute_end(&self) -> At {
        self.read_at.floor(Ms::MINUTE)
    }
}

/// The verdicts kept, by the service whose view or dialog read them.
pub type Verdicts = HashMap<ServiceKey, Kept>;

/// The alarms in ALARM linked to the services of `sides`: on the canary's side, and the
/// others (the whole service's), each by name, sorted.
pub fn firing(state: &State, sides: &Sides) -> (Vec<String>, Vec<String>) {
    split_firing(sides, |key| {
        state
            .ctx
            .alarms_of(key)
            .map(|(a, link)| (a, link.reason))
            .collect()
    })
}

/// The rule for the service of `sides`.
pub fn rule_of<'a>(state: &'a State, sides: &Sides) -> &'a Rule {
    state.analysis.rule_for(&sides.primary.service.name)
}

/// Judges `sides` on `figures` read at `at`, with the alarms that fire now.
pub fn judge_sides(
    state: &State,
    sides: &Sides,
    figures: Option<&ApiResult<(AlbFigures, AlbFigures)>>,
    at: At,
) -> Judged {
    let (canary_alarms, _) = firing(state, sides);
    judge_read(rule_of(state, sides), sides, figures, at, &canary_alarms)
}

/// A read of the load balancer came: judge it and carry the streak on.
pub(crate) fn on_read(state: &mut State, r: &AlbResult) {
    let judged = judge_sides(state, &r.sides, Some(&r.figures), r.at);
    let key = r.sides.primary.service.clone();
    let minute = r.at.floor(Ms::MINUTE);
    let prev = state
        .ctx
        .evidence
        .verdicts
        .get(&key)
        .filter(|k| k.sides == r.sides);
    let streak = Streak::next(prev.map(|k| &k.streak), judged.verdict, minute, r.at);
    let kept = Kept {
        sides: r.sides.clone(),
        judged,
        streak,
        figures: r.figures.clone(),
        read_at: r.at,
    };
    let verdicts = &mut state.ctx.evidence.verdicts;
    if verdicts.len() >= VERDICTS_KEPT
        && !verdicts.contains_key(&key)
        && let Some(oldest) = verdicts
            .iter()
            .min_by_key(|(_, k)| k.read_at)
            .map(|(k, _)| k.clone())
    {
        verdicts.remove(&oldest);
    }
    verdicts.insert(key, kept);
}

/// The alarms changed: judge every kept read again; a changed verdict starts a new streak.
pub(crate) fn on_alarms(state: &mut State) {
    let now = state.now;
    let again: Vec<(ServiceKey, Judged)> = state
        .ctx
        .evidence
        .verdicts
        .iter()
        .map(|(key, k)| {
            let judged = judge_sides(state, &k.sides, Some(&k.figures), k.read_at);
            (key.clone(), judged)
        })
        .collect();
    for (key, judged) in again {
        if let Some(k) = state.ctx.evidence.verdicts.get_mut(&key) {
            if judged.verdict != k.streak.verdict {
                k.streak = Streak::next(Some(&k.streak), judged.verdict, k.streak.minute, now);
            }
            k.judged = judged;
        }
    }
}

/// How long the canary of the rollout `s` is in has soaked, against the soak it needs; None
/// when neither the rule nor the deployment sets a soak.
pub fn soak_of(state: &State, s: &Service) -> Option<Soak> {
    let sides = state.ctx.sides_of(s)?;
    let needed = soak_needed(rule_of(state, &sides), s)?;
    Some(Soak::new(sides.canary.from, Some(needed), state.now))
}

/// A promote of a canary whose soak is not over: how long it soaked, for the dialog and the
/// audit. None for any other action, or when the soak is over or not known.
pub fn early(state: &State, plan: &ActionPlan) -> Option<String> {
    if plan.verb != Verb::Promote {
        return None;
    }
    let s = state.ctx.service(&plan.service)?;
    soak_of(state, s).filter(|k| !k.is_over()).map(|k| k.text())
}

/// Figures older than this are not confirmed on: the dialog asks again.
pub const FRESH_MS: Ms = Ms::MINUTE;

/// Why a promote or abort dialog refuses `y` now: the load balancer's figures it shows are
/// older than `FRESH_MS` (the fresh read has not come, or failed and only older figures
/// remain). None when they are fresh, or when there are no figures to be old.
pub fn stale_figures(state: &State, plan: &ActionPlan) -> Option<String> {
    if !matches!(plan.verb, Verb::Promote | Verb::Abort) {
        return None;
    }
    let s = state.ctx.service(&plan.service)?;
    let sides = state.ctx.sides_of(s)?;
    let good = super::evidence::alb_ok_for(state, &sides)?;
    let age = state.now - good.at;
    if age <= FRESH_MS {
        return None;
    }
    let age = if age < Ms(120_000) {
        format!("{} s", age.as_secs())
    } else {
        format!("{} min", age / Ms::MINUTE)
    };
    let latest = super::evidence::alb_for(state, &sides);
    Some(match latest.map(|r| &r.figures) {
        Some(Err(e)) if latest.is_some_and(|r| r.at > good.at) => {
            format!("the fresh read failed ({e}); the last figures read are {age} old")
        }
        _ => format!("the figures shown are {age} old; a fresh read is on its way"),
    })
}

/// The word a confirmation needs typed: the service's name in a prod context, `early` for a
/// promote before its soak is over, both (`NAME early`) when both hold; None: `y` confirms.
pub fn confirm_word(plan: &ActionPlan, prod: bool) -> Option<String> {
    match (prod, plan.early.is_some()) {
        (true, true) => Some(format!("{} early", plan.service.name)),
        (true, false) => Some(plan.service.name.clone()),
        (false, true) => Some("early".into()),
        (false, false) => None,
    }
}

/// Forgets the verdicts of rollouts that ended (or whose service went): the table's column
/// shows only verdicts of rollouts in flight.
pub(crate) fn forget_finished(state: &mut State) {
    if state.ctx.evidence.verdicts.is_empty() {
        return;
    }
    let items = &state.ctx.services.items;
    let moving = |key: &ServiceKey| {
        items
            .iter()
            .find(|s| s.key() == *key)
            .is_some_and(|s| state.ctx.sides_of(s).is_some())
    };
    let gone: Vec<ServiceKey> = state
        .ctx
        .evidence
        .verdicts
        .keys()
        .filter(|k| !moving(k))
        .cloned()
        .collect();
    for k in gone {
        state.ctx.evidence.verdicts.remove(&k);
        state.dirty = true;
    }
}

/// The verdict kept for the rollout `s` is in, if one was read for its sides.
pub fn kept_for<'a>(state: &'a State, s: &Service) -> Option<&'a Kept> {
    let key = s.key();
    state
        .ctx
        .evidence
        .verdicts
        .iter()
        .find(|(k, v)| **k == key || v.sides.canary.service == key)
        .map(|(_, v)| v)
}
