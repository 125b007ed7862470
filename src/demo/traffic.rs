//! What the load balancer would count: requests, target 5xx and response times per target
//! group and minute, as `AWS/ApplicationELB` reports them. Traffic follows the listener-rule
//! weights of a pair, a native deployment's production and test traffic, and the tasks behind
//! each target group; a bad revision's tasks answer slowly and with errors.

use crate::demo::rng::hex_of;
use crate::demo::world::World;
use crate::model::evidence::AlbFigures;
use crate::model::{At, Health, Ms, NativeStatus, Service, TaskStatus};
use std::collections::VecDeque;

/// Minutes kept per target group: the three hours an alarm's sparkline shows.
pub const MINUTES_KEPT: usize = 180;

const OK_ERRORS: f64 = 0.002;
const BAD_ERRORS: f64 = 0.08;
/// Response times in seconds, as CloudWatch reports `TargetResponseTime`.
const OK_P50: f64 = 0.035;
const OK_P99: f64 = 0.12;
const BAD_P50: f64 = 0.45;
const BAD_P99: f64 = 1.8;
/// Requests a second of a native deployment's test listener (the team's probes).
const TEST_RPS: f64 = 2.0;

/// One target group's minute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Minute {
    pub at: At,
    pub requests: f64,
    pub errors: f64,
    /// Percentiles in seconds, weighted by requests: divide by `requests`.
    pub p50_weighted: f64,
    pub p99_weighted: f64,
}

/// Requests a second a service takes, by its size.
pub fn rate_of(desired: u32) -> f64 {
    f64::from(desired.max(1)) * 5.0
}

/// A factor near 1 that varies by target group and minute, the same on every run.
fn jitter(tg: &str, minute: i64, salt: u8) -> f64 {
    let h = hex_of(&format!("{tg}/{minute}/{salt}"), 4);
    let n = u32::from_str_radix(&h, 16).unwrap_or(0) as f64 / 65_535.0;
    0.85 + 0.3 * n
}

/// The share of a service's traffic each of its target groups gets now, with the revision
/// filter of the tasks behind it: (target group, share, only this revision's tasks).
fn shares(w: &World, s: &Service) -> Vec<(String, f64, Option<u32>)> {
    let Some(primary) = s.target_groups.first() else {
        return Vec::new();
    };
    if let (Some(alt), Some(n)) = (
        s.alternate_target_groups.first(),
        s.native.as_ref().filter(|n| n.status.is_moving()),
    ) {
        let w_target = n.target.requested_production_weight / 100.0;
        let source = n.source().map(|r| r.task_def.revision);
        return vec![
            (primary.clone(), 1.0 - w_target, source),
            (alt.clone(), w_target, Some(n.target.task_def.revision)),
        ];
    }
    // A CodeDeploy deployment's replacement takes its weight on the other target group.
    if let (Some(alt), Some(d)) = (s.alternate_target_groups.first(), s.cd_in_flight()) {
        let w_target = d.replacement_weight().unwrap_or(0.0) / 100.0;
        let original = s.task_sets.iter().find(|t| !d.owns(t));
        return vec![
            (
                primary.clone(),
                1.0 - w_target,
                original.map(|t| t.task_def.revision),
            ),
            (alt.clone(), w_target, Some(d.task_def.revision)),
        ];
    }
    let share = w
        .routes
        .iter()
        .find_map(|r| {
            let total: u32 = r.weights.iter().map(|(_, w)| w).sum();
            let mine = r.weights.iter().find(|(tg, _)| tg == primary)?.1;
            Some(if total == 0 {
                0.0
            } else {
                f64::from(mine) / f64::from(total)
            })
        })
        .unwrap_or(1.0);
    vec![(primary.clone(), share, None)]
}

/// The base rate of a pair is its primary's; a canary gets its share of that.
fn base_rate(w: &World, i: usize) -> f64 {
    let s = &w.services[i].svc;
    let primary = s.canary_of.as_ref().and_then(|p| {
        w.services
            .iter()
            .find(|o| o.svc.cluster == s.cluster && &o.svc.name == p)
    });
    rate_of(primary.map_or(s.desired, |p| p.svc.desired))
}

/// Adds one second of traffic to every target group.
pub fn step(w: &mut World) {
    let minute = w.now.floor(Ms::MINUTE);
    let index = (minute - w.start) / Ms::MINUTE;
    let mut adds = Vec::new();
    for i in 0..w.services.len() {
        let s = &w.services[i].svc;
        let rate = base_rate(w, i);
        let test = s
            .native
            .as_ref()
            .filter(|n| {
                n.status == NativeStatus::InProgress && n.target.requested_test_weight > 0.0
            })
            .and(s.alternate_target_groups.first());
        for (tg, share, revision) in shares(w, s) {
            let extra = if Some(&tg) == test { TEST_RPS } else { 0.0 };
            let served = served_mix(w, i, revision);
            adds.push((tg, rate * share + extra, served));
        }
    }
    for (tg, requests, mix) in adds {
        let Some((bad_share, tasks)) = mix else {
            continue;
        };
        if tasks == 0 || requests <= 0.0 {
            continue;
        }
        let j = jitter(&tg, index, 0);
        let m = minute_of(w, &tg, minute);
        add(m, requests * j, bad_share, j);
    }
}

/// The share of requests a bad task answers among the running tasks behind a target group
/// (of `revision` only, when given), and how many there are.
fn served_mix(w: &World, i: usize, revision: Option<u32>) -> Option<(f64, u32)> {
    let bad_revisions = &w.services[i].bad_revisions;
    let (mut bad, mut all) = (0u32, 0u32);
    for t in w.tasks.iter().filter(|t| t.svc == i) {
        if t.task.last_status != TaskStatus::Running
            || revision.is_some_and(|r| t.task.task_def.revision != r)
        {
            continue;
        }
        all += 1;
        if t.task.health == Health::Unhealthy || bad_revisions.contains(&t.task.task_def.revision) {
            bad += 1;
        }
    }
    (all > 0).then(|| (f64::from(bad) / f64::from(all), all))
}

fn add(m: &mut Minute, requests: f64, bad_share: f64, j: f64) {
    let errors = requests * (OK_ERRORS * (1.0 - bad_share) + BAD_ERRORS * bad_share);
    // A few slow answers make the p99; half of them the p50.
    let p99 = if bad_share >= 0.01 { BAD_P99 } else { OK_P99 } * j;
    let p50 = if bad_share >= 0.5 { BAD_P50 } else { OK_P50 } * j;
    m.requests += requests;
    m.errors += errors;
    m.p50_weighted += p50 * requests;
    m.p99_weighted += p99 * requests;
}

fn minute_of<'a>(w: &'a mut World, tg: &str, at: At) -> &'a mut Minute {
    let series = w.alb.entry(tg.to_string()).or_default();
    if series.back().is_none_or(|m| m.at != at) {
        series.push_back(Minute {
            at,
            ..Minute::default()
        });
        while series.len() > MINUTES_KEPT {
            series.pop_front();
        }
    }
    let last = series.len() - 1;
    &mut series[last]
}

/// Three hours of quiet traffic before the scenario begins, so windows before a deployment
/// and alarm sparklines have something to show.
pub fn seed(w: &mut World) {
    let start_minute = w.start.floor(Ms::MINUTE);
    for i in 0..w.services.len() {
        let rate = base_rate(w, i);
        let s = w.services[i].svc.clone();
        for (tg, share, _) in shares(w, &s) {
            for k in (1..=MINUTES_KEPT as i64).rev() {
                let at = start_minute - Ms::mins(k);
                let j = jitter(&tg, -k, 0);
                let m = minute_of(w, &tg, at);
                add(m, rate * share * 60.0 * j, 0.0, j);
            }
        }
    }
}

/// The figures of one target group over [from, until), by whole minutes.
pub fn figures(series: Option<&VecDeque<Minute>>, from: At, until: At) -> AlbFigures {
    let from = from.floor(Ms::MINUTE);
    let mut f = AlbFigures::default();
    let (mut p50, mut p99) = (0.0, 0.0);
    for m in series
        .into_iter()
        .flatten()
        .filter(|m| m.at >= from && m.at < until)
    {
        f.requests += m.requests;
        f.errors_5xx += m.errors;
        p50 += m.p50_weighted;
        p99 += m.p99_weighted;
    }
    if f.requests > 0.0 {
        f.p50_ms = Some(p50 / f.requests * 1000.0);
        f.p99_ms = Some(p99 / f.requests * 1000.0);
    }
    f.requests = f.requests.round();
    f.errors_5xx = f.errors_5xx.round();
    f
}
