//! When the demo's deployments start. The schedule repeats every cycle, so a demo left open
//! keeps showing rollouts.

use crate::demo::world::{Role, World};
use crate::model::{Ms, TaskDefRef};

/// Seconds in one cycle of the scenario.
pub const CYCLE_S: i64 = 900;
/// When, within a cycle, the bad rolling deployment of `payments` starts.
pub const BAD_DEPLOY_AT_S: i64 = 45;
/// When, within a cycle, the good rolling deployment of `web` starts.
pub const GOOD_DEPLOY_AT_S: i64 = 120;
/// When, within a cycle, a paired canary that was promoted or aborted comes back.
pub const PAIR_AT_S: i64 = 300;

pub fn on_schedule(w: &mut World) {
    let in_cycle = w.t().rem_euclid(CYCLE_S);
    for i in 0..w.services.len() {
        if operator_holds(w, i) {
            continue;
        }
        match w.services[i].role {
            Role::BadRolling if in_cycle == BAD_DEPLOY_AT_S => {
                crate::demo::rolling::start(w, i, true);
                crate::demo::owners::note_pipeline_deploy(w, i);
            }
            Role::Rolling if in_cycle == GOOD_DEPLOY_AT_S => {
                crate::demo::rolling::start(w, i, false);
                crate::demo::owners::note_pipeline_deploy(w, i);
            }
            Role::PairedCanary if in_cycle == PAIR_AT_S && w.services[i].svc.desired == 0 => {
                restart_pair(w, i);
            }
            Role::Canary | Role::Linear
                if w.services[i].next_deploy_at.is_some_and(|at| at <= w.now) =>
            {
                w.services[i].next_deploy_at = None;
                crate::demo::seed::start_canary(w, i, false);
            }
            _ => {}
        }
    }
}

/// How long after an operator's change settled the scenario still waits: a poll sees it.
const OPERATOR_GRACE_MS: Ms = Ms::secs(30);

/// Whether an operator's job still acts on service `i`: what they started is moving, or
/// settled less than `OPERATOR_GRACE_MS` ago. Its own next deployment waits until after.
fn operator_holds(w: &mut World, i: usize) -> bool {
    let now = w.now;
    let s = &mut w.services[i];
    let Some(since) = s.operator_since else {
        return false;
    };
    let moving = s.svc.in_progress() || s.svc.native_in_progress().is_some();
    if moving || now - since < OPERATOR_GRACE_MS {
        // Settled, it counts from now again; still moving, it waits.
        if moving {
            s.operator_since = Some(now);
        }
        if let Some(at) = &mut s.next_deploy_at {
            *at = (*at).max(now + OPERATOR_GRACE_MS);
        }
        return true;
    }
    s.operator_since = None;
    false
}

/// A retired paired canary starts again: one task of its primary's next revision, and a tenth
/// of the traffic on its target group again.
fn restart_pair(w: &mut World, i: usize) {
    let c = &w.services[i].svc;
    let Some(p) = w
        .services
        .iter()
        .position(|s| s.svc.cluster == c.cluster && c.canary_of.as_ref() == Some(&s.svc.name))
    else {
        return;
    };
    let latest = w.services[p]
        .latest_revision
        .max(w.services[i].latest_revision);
    w.services[i].latest_revision = latest;
    let td = next_revision(w, i);
    w.services[p].latest_revision = td.revision;
    let (tg_p, tg_c) = (
        w.services[p].svc.target_groups.clone(),
        w.services[i].svc.target_groups.clone(),
    );
    for route in &mut w.routes {
        for (tg, weight) in &mut route.weights {
            if tg_c.contains(tg) {
                *weight = 10;
            } else if tg_p.contains(tg) {
                *weight = 90;
            }
        }
    }
    w.services[i].svc.desired = 1;
    crate::demo::rolling::start_to(w, i, td);
}

/// The next revision a deployment registers for a service.
pub fn next_revision(w: &mut World, i: usize) -> TaskDefRef {
    let s = &mut w.services[i];
    s.latest_revision += 1;
    let td = TaskDefRef {
        family: s.svc.task_def.family.clone(),
        revision: s.latest_revision,
    };
    let pushed = w.now - Ms::mins(2);
    w.push_image(i, td.revision, pushed);
    td
}
