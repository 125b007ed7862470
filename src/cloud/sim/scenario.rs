//! When the demo's deployments start. The schedule repeats every cycle, so a demo left open
//! keeps showing rollouts.

use super::world::{Role, World};
use crate::model::TaskDefRef;

/// Seconds in one cycle of the scenario.
pub const CYCLE_S: i64 = 900;
/// When, within a cycle, the bad rolling deployment of `payments` starts.
pub const BAD_DEPLOY_AT_S: i64 = 45;
/// When, within a cycle, the good rolling deployment of `web` starts.
pub const GOOD_DEPLOY_AT_S: i64 = 120;

pub fn on_schedule(w: &mut World) {
    let in_cycle = w.t().rem_euclid(CYCLE_S);
    for i in 0..w.services.len() {
        match w.services[i].role {
            Role::BadRolling if in_cycle == BAD_DEPLOY_AT_S => {
                super::rolling::start(w, i, true);
            }
            Role::Rolling if in_cycle == GOOD_DEPLOY_AT_S => {
                super::rolling::start(w, i, false);
            }
            Role::Canary if w.services[i].next_deploy_at.is_some_and(|at| at <= w.now) => {
                w.services[i].next_deploy_at = None;
                super::seed::start_canary(w, i, false);
            }
            _ => {}
        }
    }
}

/// The next revision a deployment registers for a service.
pub fn next_revision(w: &mut World, i: usize) -> TaskDefRef {
    let s = &mut w.services[i];
    s.latest_revision += 1;
    let td = TaskDefRef {
        family: s.svc.task_def.family.clone(),
        revision: s.latest_revision,
    };
    let pushed = w.now - 2 * 60_000;
    w.push_image(i, td.revision, pushed);
    td
}
