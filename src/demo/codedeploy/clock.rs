//! The demo's CodeDeploy deployment on the world's clock: the canary's shift, the end of a
//! wait, and how a deployment ends (succeeded, or stopped with the traffic back).

use super::super::world::{Role, World};
use super::*;

pub fn step(w: &mut World) {
    for i in 0..w.services.len() {
        if w.services[i].role == Role::CodeDeploy {
            advance(w, i);
        }
    }
}

fn advance(w: &mut World, i: usize) {
    let now = w.now;
    if w.services[i].next_deploy_at.is_some_and(|at| at <= now) {
        w.services[i].next_deploy_at = None;
        return start(w, i, false);
    }
    let Some(cd) = w.services[i].svc.codedeploy.clone() else {
        return;
    };
    let Some(d) = cd.in_flight() else { return };
    let weight = d.replacement_weight().unwrap_or(0.0);
    let since = d
        .events
        .iter()
        .filter_map(|e| e.ended_at.or(e.started_at))
        .max()
        .unwrap_or(d.created_at);
    match d.waiting() {
        Some(_) if d.wait_ends_at(&cd.group).is_some_and(|at| now >= at) => {
            if d.waiting() == Some(CdWait::Reroute) {
                stop(
                    w,
                    i,
                    "The deployment timed out while waiting for the traffic to be rerouted.",
                    false,
                );
            } else {
                succeed(w, i);
            }
        }
        Some(_) => {}
        None if weight < 100.0 && now - since >= CANARY_MS => {
            if let Some(d) = deployment_mut(w, i) {
                set_weight(d, 100.0);
                set_event(d, "AllowTraffic", CdEventStatus::Succeeded, now);
                set_event(d, "AfterAllowTraffic", CdEventStatus::InProgress, now);
            }
        }
        None if weight >= 100.0 && now - since >= Ms::secs(5) => {
            if let Some(d) = deployment_mut(w, i) {
                set_event(d, "AfterAllowTraffic", CdEventStatus::Succeeded, now);
                d.termination_wait_started = true;
            }
        }
        None => {}
    }
}

/// The original's tasks go; the replacement's task set is the service's now.
pub(super) fn succeed(w: &mut World, i: usize) {
    let now = w.now;
    let Some(d) = deployment_mut(w, i) else {
        return;
    };
    d.status = CdStatus::Succeeded;
    d.completed_at = Some(now);
    let (td, id) = (d.task_def.clone(), d.id.clone());
    retire(w, i, |t| t.external_id != id);
    let s = &mut w.services[i].svc;
    s.task_def = td.clone();
    s.image_tag = World::image_tag(td.revision);
    for t in &mut s.task_sets {
        t.status = TaskSetStatus::Primary;
        t.external_id.clear();
    }
    // The replacement's target group is the production one now.
    let live = s
        .task_sets
        .first()
        .and_then(|t| t.target_groups.first())
        .cloned();
    if live.is_some() && live.as_ref() == s.alternate_target_groups.first() {
        std::mem::swap(&mut s.target_groups, &mut s.alternate_target_groups);
    }
    finish(w, i);
}

/// Stops the deployment; the traffic and the service stay on (or go back to) the original.
pub(super) fn stop(w: &mut World, i: usize, why: &str, rollback: bool) {
    let now = w.now;
    let Some(d) = deployment_mut(w, i) else {
        return;
    };
    d.status = CdStatus::Stopped;
    d.completed_at = Some(now);
    d.error = Some(why.to_string());
    if rollback {
        d.rollback = Some(format!(
            "Deployment {} was stopped by the user and its traffic rolled back.",
            d.id
        ));
    }
    set_weight(d, 0.0);
    for e in &mut d.events {
        if matches!(e.status, CdEventStatus::Pending | CdEventStatus::InProgress) {
            e.status = CdEventStatus::Skipped;
        }
    }
    let id = d.id.clone();
    retire(w, i, |t| t.external_id == id);
    finish(w, i);
}

/// Drops the task sets `gone` picks and stops their tasks.
fn retire(w: &mut World, i: usize, gone: impl Fn(&TaskSet) -> bool) {
    let (kept, dropped): (Vec<TaskSet>, Vec<TaskSet>) = w.services[i]
        .svc
        .task_sets
        .drain(..)
        .partition(|t| !gone(t));
    w.services[i].svc.task_sets = kept;
    for set in dropped {
        let doomed: Vec<usize> = w.live_tasks_of(i, &set.task_def).collect();
        for ti in doomed {
            w.stop_task(
                ti,
                "ServiceSchedulerInitiated",
                "Task set deleted by CodeDeploy",
            );
        }
    }
}

fn finish(w: &mut World, i: usize) {
    let now = w.now;
    let Some(d) = w.services[i]
        .svc
        .codedeploy
        .as_ref()
        .and_then(|c| c.deployment.clone())
    else {
        return;
    };
    let from = w.services[i]
        .svc
        .task_sets
        .iter()
        .find(|t| t.task_def != d.task_def)
        .map(|t| t.task_def.clone());
    let from = from
        .or_else(|| (d.status != CdStatus::Succeeded).then(|| w.services[i].svc.task_def.clone()));
    let s = &mut w.services[i];
    s.past.push_front(d.entry(from, now));
    s.past.truncate(super::super::world::PAST_KEPT);
    s.next_deploy_at = Some(now + NEXT_DEPLOYMENT_MS);
    let name = s.svc.name.clone();
    w.event(
        i,
        format!(
            "(service {name}) CodeDeploy deployment {} {}.",
            d.id, d.status
        ),
    );
}
