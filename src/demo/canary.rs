//! Native ECS CANARY deployments: lifecycle stages, the PAUSE hook before production traffic,
//! the canary bake, and the rollback ECS performs when the hook times out.

use crate::demo::world::{Role, World};
use crate::model::Ms;
use crate::model::{
    DeploymentStatus, Health, HookStatus, LifecycleStage as Stage, NativeDeployment, NativeStatus,
    RolloutState, TimeoutAction,
};

/// A finished canary is followed by the next one after this long.
const NEXT_CANARY_MS: Ms = Ms::secs(90);
/// Bake times of the canary step and of the full shift.
pub const CANARY_BAKE_MS: Ms = Ms::MINUTE;
pub const FINAL_BAKE_MS: Ms = Ms::MINUTE;

/// Stages that only pass time: how long each takes, and the stage after it.
fn timed(stage: &Stage) -> Option<(Ms, Stage)> {
    Some(match stage {
        Stage::ReconcileService => (Ms::secs(2), Stage::PreScaleUp),
        Stage::PreScaleUp => (Ms::secs(2), Stage::ScaleUp),
        Stage::PostScaleUp => (Ms::secs(2), Stage::TestTrafficShift),
        Stage::TestTrafficShift => (Ms::secs(3), Stage::PostTestTrafficShift),
        Stage::PostTestTrafficShift => (Ms::secs(2), Stage::PreProductionTrafficShift),
        Stage::PostProductionTrafficShift => (Ms::secs(2), Stage::BakeTime),
        _ => return None,
    })
}

pub fn step(w: &mut World) {
    for i in 0..w.services.len() {
        if matches!(w.services[i].role, Role::Canary | Role::Linear) {
            advance(w, i);
        }
    }
}

fn set_stage(w: &mut World, i: usize, stage: Stage) {
    w.services[i].stage_since = w.now;
    if let Some(n) = w.native_mut(i) {
        n.lifecycle_stage = stage;
    }
}

pub fn enter_hook(w: &mut World, i: usize) {
    let now = w.now;
    set_stage(w, i, Stage::PreProductionTrafficShift);
    if let Some(n) = w.native_mut(i) {
        n.hook = Some(crate::demo::seed::hook(now));
    }
}

fn advance(w: &mut World, i: usize) {
    let Some(n) = w.services[i].svc.native.clone() else {
        return;
    };
    match n.status {
        NativeStatus::InProgress => {}
        NativeStatus::RollbackInProgress => {
            if w.live_tasks_of(i, &n.target.task_def).next().is_none() {
                finish(w, i, NativeStatus::RollbackSuccessful);
            }
            return;
        }
        _ => return,
    }
    let in_stage = w.now - w.services[i].stage_since;
    match timed(&n.lifecycle_stage) {
        Some((dur, next)) if in_stage >= dur => pass_to(w, i, next),
        Some(_) => {}
        None => work_in_stage(w, i, &n),
    }
}

/// A timed stage is over: on to the next, the hook or the final bake.
fn pass_to(w: &mut World, i: usize, next: Stage) {
    let now = w.now;
    if next == Stage::PreProductionTrafficShift {
        return enter_hook(w, i);
    }
    let bake = next == Stage::BakeTime;
    set_stage(w, i, next);
    if bake && let Some(n) = w.native_mut(i) {
        n.bake_ends_at = Some(now + FINAL_BAKE_MS);
    }
}

/// The stages that wait on something: tasks to start, the hook, a bake, old tasks to go.
fn work_in_stage(w: &mut World, i: usize, n: &NativeDeployment) {
    let now = w.now;
    let baked = n.bake_ends_at.is_some_and(|at| now >= at);
    match n.lifecycle_stage {
        Stage::ScaleUp => scale_up(w, i, n),
        Stage::PreProductionTrafficShift => {
            if let Some(h) = n.waiting_hook().filter(|h| now >= h.expires_at) {
                let reason = format!(
                    "Lifecycle hook {} timed out; its timeout action is {}.",
                    h.id, h.timeout_action
                );
                if h.timeout_action == TimeoutAction::Rollback {
                    roll_back(w, i, &reason);
                } else {
                    resolve_hook(w, i, true);
                }
            }
        }
        // A LINEAR step baked: ECS pauses at the hook again before the next step.
        Stage::ProductionTrafficShift
            if baked
                && n.strategy == crate::model::Strategy::Linear
                && n.target.requested_production_weight < 100.0 =>
        {
            if let Some(n) = w.native_mut(i) {
                n.bake_ends_at = None;
            }
            enter_hook(w, i);
        }
        Stage::ProductionTrafficShift if baked => {
            set_weights(w, i, 100.0);
            set_stage(w, i, Stage::PostProductionTrafficShift);
            if let Some(n) = w.native_mut(i) {
                n.bake_ends_at = None;
            }
        }
        Stage::BakeTime if baked => set_stage(w, i, Stage::CleanUp),
        Stage::CleanUp => {
            let old: Vec<usize> = n
                .sources
                .iter()
                .flat_map(|s| w.live_tasks_of(i, &s.task_def).collect::<Vec<_>>())
                .collect();
            match old.first() {
                Some(&ti) => w.stop_task(ti, "ServiceSchedulerInitiated", "Deployment cleanup"),
                None => finish(w, i, NativeStatus::Successful),
            }
        }
        _ => {}
    }
}

/// Starts the target revision's tasks, then moves on once all are healthy.
fn scale_up(w: &mut World, i: usize, n: &NativeDeployment) {
    let desired = w.services[i].svc.desired as usize;
    let live: Vec<usize> = w.live_tasks_of(i, &n.target.task_def).collect();
    if live.len() < desired {
        w.launch_task(i, &n.target.task_def);
    } else if live
        .iter()
        .all(|&ti| w.tasks[ti].task.health == Health::Healthy)
    {
        set_stage(w, i, Stage::PostScaleUp);
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
    // A canary moves its share; a LINEAR deployment one more step.
    let pct = w.services[i].svc.native.as_ref().map_or(10.0, |n| {
        if n.strategy == crate::model::Strategy::Linear {
            (n.target.requested_production_weight + n.canary_percent).min(100.0)
        } else {
            n.canary_percent
        }
    });
    set_weights(w, i, pct);
    set_stage(w, i, Stage::ProductionTrafficShift);
    if let Some(n) = w.native_mut(i) {
        n.bake_ends_at = Some(now + CANARY_BAKE_MS);
    }
}

pub fn roll_back(w: &mut World, i: usize, reason: &str) {
    set_weights(w, i, 0.0);
    if let Some(n) = w.native_mut(i) {
        // A hook still waiting failed: it timed out or was answered with ROLLBACK.
        if let Some(h) = n
            .hook
            .as_mut()
            .filter(|h| h.status == HookStatus::AwaitingAction)
        {
            h.status = HookStatus::Failed;
        }
        n.status = NativeStatus::RollbackInProgress;
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

fn finish(w: &mut World, i: usize, status: NativeStatus) {
    let now = w.now;
    let Some(n) = w.native_mut(i) else { return };
    let succeeded = status == NativeStatus::Successful;
    n.status = status;
    n.hook = n
        .hook
        .take()
        .filter(|h| h.status != HookStatus::AwaitingAction);
    let keep = if succeeded {
        n.target.task_def.clone()
    } else {
        n.sources[0].task_def.clone()
    };
    let entry = crate::model::history::native_entry(n, now);
    let s = &mut w.services[i];
    s.past.push_front(entry);
    s.past.truncate(crate::demo::world::PAST_KEPT);
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
