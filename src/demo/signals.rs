//! What CloudWatch would see: 5xx counts, the alarms on them, CPU and memory points, and the
//! log lines every task writes.

use crate::demo::loglines::{self, Said};
use crate::demo::world::{METRIC_POINTS, World};
use crate::model::{AlarmState, Health, LogLine, TaskStatus};
use crate::model::{At, Ms};

/// Steps of 5xx history the alarms look at.
const WINDOW: usize = 60;
/// 5xx in the window that put `<service>-5xx-rate` into ALARM.
const THRESHOLD_5XX: u32 = 10;

const PATHS: &[&str] = &[
    "/api/orders",
    "/api/cart",
    "/api/users/me",
    "/healthz",
    "/api/search",
    "/api/pay",
];
const INFO: &[&str] = &[
    "cache hit ratio 0.93",
    "flushed 128 metrics",
    "connection pool: 12 idle, 4 busy",
    "processed batch of 50 jobs",
];
pub fn step(w: &mut World) {
    count_errors(w);
    update_alarms(w);
    if w.t() % 60 == 0 {
        sample_metrics(w);
    }
    write_logs(w);
}

fn count_errors(w: &mut World) {
    for si in 0..w.services.len() {
        let failing = w
            .tasks
            .iter()
            .filter(|t| {
                t.svc == si
                    && t.task.last_status == TaskStatus::Running
                    && (t.task.health == Health::Unhealthy
                        || w.services[si]
                            .bad_revisions
                            .contains(&t.task.task_def.revision))
            })
            .count() as u32;
        let errors = &mut w.services[si].errors;
        errors.push_back(failing * 4);
        while errors.len() > WINDOW {
            errors.pop_front();
        }
    }
}

fn update_alarms(w: &mut World) {
    let now = w.now;
    let sum = |w: &World, name: &str| -> u32 {
        w.services
            .iter()
            .filter(|s| s.svc.cluster.starts_with("prod") && s.svc.name == name)
            .flat_map(|s| s.errors.iter())
            .sum()
    };
    let recent = |w: &World, name: &str| -> u32 {
        w.services
            .iter()
            .filter(|s| s.svc.cluster.starts_with("prod") && s.svc.name == name)
            .flat_map(|s| s.errors.iter().rev().take(20))
            .sum()
    };
    let mut composite_inputs = Vec::new();
    for ai in 0..w.alarms.len() {
        let name = w.alarms[ai].name.clone();
        let (firing, reason) = if let Some(svc) = name.strip_suffix("-5xx-rate") {
            let n = sum(w, svc);
            (
                n > THRESHOLD_5XX,
                format!(
                    "Threshold Crossed: 1 datapoint [{n}.0] was {} the threshold ({THRESHOLD_5XX}.0).",
                    if n > THRESHOLD_5XX {
                        "greater than"
                    } else {
                        "not greater than"
                    }
                ),
            )
        } else if let Some(svc) = name.strip_suffix("-p99-latency") {
            let n = recent(w, svc);
            let p99 = 0.18 + n as f64 * 0.05;
            (
                p99 > 1.0,
                format!(
                    "Threshold Crossed: 1 datapoint [{p99:.2}] compared with the threshold (1.0)."
                ),
            )
        } else {
            continue;
        };
        if name.starts_with("payments") {
            composite_inputs.push(firing);
        }
        set_state(w, ai, firing, reason, now);
    }
    if let Some(ai) = w.alarms.iter().position(|a| a.name == "payments-health") {
        let firing = composite_inputs.iter().any(|&f| f);
        let reason = if firing {
            "arn:aws:cloudwatch alarm payments-5xx-rate or payments-p99-latency is in ALARM".into()
        } else {
            "No child alarm is in ALARM".into()
        };
        set_state(w, ai, firing, reason, now);
    }
}

fn set_state(w: &mut World, ai: usize, firing: bool, reason: String, now: At) {
    let state = if firing {
        AlarmState::Alarm
    } else {
        AlarmState::Ok
    };
    let a = &mut w.alarms[ai];
    if a.state != state {
        let t = crate::model::AlarmTransition {
            at: now,
            from: a.state.clone(),
            to: state.clone(),
            summary: format!("Alarm updated from {} to {}", a.state, state),
        };
        a.state = state;
        a.reason = reason;
        a.updated_at = now;
        let name = a.name.clone();
        crate::demo::alarms::record(w, &name, t);
    }
}

fn sample_metrics(w: &mut World) {
    // Continue the wave the seeded history began.
    let k = METRIC_POINTS as i64 + w.t() / 60;
    for si in 0..w.services.len() {
        let stress = w.services[si].errors.iter().rev().take(60).sum::<u32>() as f64;
        let wave = ((k as f64) / 7.0).sin() * 6.0;
        let jitter = w.rng.unit();
        let s = &mut w.services[si];
        let cpu = (s.base_cpu + wave + jitter * 5.0 + (stress / 4.0).min(40.0)).clamp(0.0, 100.0);
        let mem =
            (s.base_mem + wave / 3.0 + jitter * 2.0 + (stress / 10.0).min(20.0)).clamp(0.0, 100.0);
        for (series, v) in [(&mut s.svc.cpu, cpu), (&mut s.svc.mem, mem)] {
            series.push(v);
            if series.len() > METRIC_POINTS {
                series.remove(0);
            }
        }
    }
}

fn write_logs(w: &mut World) {
    let now = w.now;
    let mut lines = Vec::new();
    for t in &w.tasks {
        if t.task.last_status != TaskStatus::Running {
            continue;
        }
        let bad = t.task.health == Health::Unhealthy
            || w.services[t.svc]
                .bad_revisions
                .contains(&t.task.task_def.revision);
        lines.push((t.svc, t.task.id.clone(), t.task.task_def.revision, bad));
    }
    let mut out: Vec<(usize, LogLine)> = Vec::new();
    for (svc, task_id, revision, bad) in lines {
        let roll = w.rng.unit();
        // The same draws, in the same order, as the scenario has always made.
        let said = if bad && roll < 0.8 {
            Said::Failure(w.rng.pick(loglines::FAILURES))
        } else if roll < 0.35 {
            let path = *w.rng.pick(PATHS);
            let ms = 3 + w.rng.below(80);
            let code = if w.rng.chance(0.01) { 500 } else { 200 };
            Said::Request { path, code, ms }
        } else if roll < 0.42 {
            let info: &&str = w.rng.pick(INFO);
            Said::Info(info)
        } else {
            continue;
        };
        let at = now - Ms(w.rng.below(1_000) as i64);
        let style = loglines::style_of(&w.services[svc].svc.name);
        let message = loglines::write(style, &said, at);
        let line = LogLine {
            at,
            task_id,
            revision,
            message,
        };
        out.push((svc, line));
    }
    // CloudWatch hands events back in time order.
    out.sort_by_key(|(_, l)| l.at);
    for (svc, line) in out {
        w.logs.push_back((w.next_seq, svc, line));
        w.next_seq += 1;
    }
}
