//! Native ECS CANARY deployments: lifecycle stages, the PAUSE hook before production traffic,
//! the canary bake, and the rollback ECS performs when the hook times out.

use super::world::{Role, World};
use crate::model::{DeploymentStatus, Health, HookStatus, RolloutState};

/// A finished canary is followed by the next one after this long.
const NEXT_CANARY_MS: i64 = 90_000;
/// Bake times of the canary step and of the full shift.
pub const CANARY_BAKE_MS: i64 = 60_000;
pub const FINAL_BAKE_MS: i64 = 60_000;

/// Stages that only pass time, and how long each takes.
const TIMED: &[(&str, i64, &str)] = &[
    ("RECONCILE_SERVICE", 2_000, "PRE_SCALE_UP"),
    ("PRE_SCALE_UP", 2_000, "SCALE_UP"),
    ("POST_SCALE_UP", 2_000, "TEST_TRAFFIC_SHIFT"),
    ("TEST_TRAFFIC_SHIFT", 3_000, "POST_TEST_TRAFFIC_SHIFT"),
    (
        "POST_TEST_TRAFFIC_SHIFT",
        2_000,
        "PRE_PRODUCTION_TRAFFIC_SHIFT",
    ),
    ("POST_PRODUCTION_TRAFFIC_SHIFT", 2_000, "BAKE_TIME"),
];

pub fn step(w: &mut World) {
    for i in 0..w.services.len() {
        if w.services[i].role == Role::Canary {
            advance(w, i);
        }
    }
}

fn set_stage(w: &mut World, i: usize, stage: &str) {
    w.services[i].stage_since = w.now;
    if let Some(n) = w.native_mut(i) {
        n.lifecycle_stage = stage.into();
    }
}

pub fn enter_hook(w: &mut World, i: usize) {
    let now = w.now;
    set_stage(w, i, "PRE_PRODUCTION_TRAFFIC_SHIFT");
    if let Some(n) = w.native_mut(i) {
        n.hook = Some(super::seed::hook(now));
    }
}

fn advance(w: &mut World, i: usize) {
    let Some(n) = w.services[i].svc.native.clone() else {
        return;
    };
    let now = w.now;
    let in_stage = now - w.services[i].stage_since;
    match n.status.as_str() {
        "IN_PROGRESS" => {}
        "ROLLBACK_IN_PROGRESS" => {
            if w.live_tasks_of(i, &n.target.task_def).next().is_none() {
                finish(w, i, "ROLLBACK_SUCCESSFUL");
            }
            return;
        }
        _ => return,
    }
    let stage = n.lifecycle_stage.as_str();
    if let Some(&(_, dur, next)) = TIMED.iter().find(|(s, _, _)| *s == stage) {
        if in_stage >= dur {
            if next == "PRE_PRODUCTION_TRAFFIC_SHIFT" {
                enter_hook(w, i);
            } else {
                set_stage(w, i, next);
                if next == "BAKE_TIME"
                    && let Some(n) = w.native_mut(i)
                {
                    n.bake_ends_at = Some(now + FINAL_BAKE_MS);
                }
            }
        }
        return;
    }
    match stage {
        "SCALE_UP" => {
            let desired = w.services[i].svc.desired as usize;
            let live: Vec<usize> = w.live_tasks_of(i, &n.target.task_def).collect();
            if live.len() < desired {
                w.launch_task(i, &n.target.task_def);
            } else if live
                .iter()
                .all(|&ti| w.tasks[ti].task.health == Health::Healthy)
            {
                set_stage(w, i, "POST_SCALE_UP");
            }
        }
        "PRE_PRODUCTION_TRAFFIC_SHIFT" => {
            if let Some(h) = &n.hook
                && h.status == HookStatus::AwaitingAction
                && now >= h.expires_at
            {
                let reason = format!(
                    "Lifecycle hook {} timed out; its timeout action is {}.",
                    h.id, h.timeout_action
                );
                if h.timeout_action == "ROLLBACK" {
                    roll_back(w, i, &reason);
                } else {
                    resolve_hook(w, i, true);
                }
            }
        }
        "PRODUCTION_TRAFFIC_SHIFT" if n.bake_ends_at.is_some_and(|at| now >= at) => {
            set_weights(w, i, 100.0);
            set_stage(w, i, "POST_PRODUCTION_TRAFFIC_SHIFT");
            if let Some(n) = w.native_mut(i) {
                n.bake_ends_at = None;
            }
        }
        "BAKE_TIME" if n.bake_ends_at.is_some_and(|at| now >= at) => {
            set_stage(w, i, "CLEAN_UP");
        }
        "CLEAN_UP" => {
            let old: Vec<usize> = n
                .sources
                .iter()
                .flat_map(|s| w.live_tasks_of(i, &s.task_def).collect::<Vec<_>>())
                .collect();
            match old.first() {
                Some(&ti) => w.stop_task(ti, "ServiceSchedulerInitiated", "Deployment cleanup"),
                None => finish(w, i, "SUCCESSFUL"),
            }
        }
        _ => {}
    }
}

fn set_weights(w: &mut World, i: usize, target: f64) {
    if let Some(n) = w.native_mut(i) {
        n.target.requested_production_weight = target;
        for s in &mut n.sources {
            s.requested_production_weight = 100.0 - target;
        }
    }
}

/// CONTINUE (or a timeout whose action is CONTINUE) moves the canary on to production traffic.
pub fn resolve_hook(w: &mut World, i: usize, proceed: bool) {
    let now = w.now;
    if let Some(n) = w.native_mut(i)
        && let Some(h) = &mut n.hook
    {
        h.status = if proceed {
            HookStatus::Succeeded
        } else {
            HookStatus::Failed
        };
    }
    if !proceed {
        roll_back(
            w,
            i,
            "Lifecycle hook manual-promote-gate: ROLLBACK requested.",
        );
        return;
    }
    let pct = w.services[i]
        .svc
        .native
        .as_ref()
        .map_or(10.0, |n| n.canary_percent);
    set_weights(w, i, pct);
    set_stage(w, i, "PRODUCTION_TRAFFIC_SHIFT");
    if let Some(n) = w.native_mut(i) {
        n.bake_ends_at = Some(now + CANARY_BAKE_MS);
    }
}

pub fn roll_back(w: &mut World, i: usize, reason: &str) {
    set_weights(w, i, 0.0);
    if let Some(n) = w.native_mut(i) {
        n.status = "ROLLBACK_IN_PROGRESS".into();
        n.rollback_reason = Some(reason.to_string());
        n.bake_ends_at = None;
    }
    let Some(td) = w.services[i]
        .svc
        .native
        .as_ref()
        .map(|n| n.target.task_def.clone())
    else {
        return;
    };
    let doomed: Vec<usize> = w.live_tasks_of(i, &td).collect();
    for ti in doomed {
        w.stop_task(ti, "ServiceSchedulerInitiated", "Deployment rolled back");
    }
    let name = w.services[i].svc.name.clone();
    w.event(
        i,
        format!("(service {name}) deployment rolled back: {reason}"),
    );
}

fn finish(w: &mut World, i: usize, status: &str) {
    let now = w.now;
    let Some(n) = w.native_mut(i) else { return };
    n.status = status.into();
    n.hook = n
        .hook
        .take()
        .filter(|h| h.status != HookStatus::AwaitingAction);
    let keep = if status == "SUCCESSFUL" {
        n.target.task_def.clone()
    } else {
        n.sources[0].task_def.clone()
    };
    let s = &mut w.services[i];
    s.next_deploy_at = Some(now + NEXT_CANARY_MS);
    s.svc.deployments.retain(|d| d.task_def == keep);
    if let Some(d) = s.svc.deployments.first_mut() {
        d.status = DeploymentStatus::Primary;
        d.rollout_state = RolloutState::Completed;
        d.rollout_reason = format!("ECS deployment {} completed.", d.id);
        d.updated_at = now;
    }
    s.svc.image_tag = World::image_tag(keep.revision);
    s.svc.task_def = keep;
    let name = s.svc.name.clone();
    w.event(i, format!("(service {name}) has reached a steady state."));
}
