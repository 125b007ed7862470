//! Classic ECS rolling deployments: tasks start, pass or fail health checks, the old tasks
//! drain, and the circuit breaker rolls a failing deployment back.

use crate::demo::world::{Role, World};
use crate::model::Ms;
use crate::model::text::first_chars;
use crate::model::{Deployment, DeploymentStatus, Health, RolloutState, TaskDefRef, TaskStatus};

/// A task is PROVISIONING, then PENDING, then RUNNING after this long.
const START_MS: Ms = Ms::secs(3);
/// Health checks decide this long after a task starts running.
const HEALTH_GRACE_MS: Ms = Ms::secs(10);
/// An unhealthy task is replaced this long after it fails.
const UNHEALTHY_STOP_MS: Ms = Ms::secs(5);

pub fn start(w: &mut World, i: usize, bad: bool) {
    let to = crate::demo::scenario::next_revision(w, i);
    if bad {
        w.services[i].bad_revisions.push(to.revision);
    }
    start_to(w, i, to);
}

/// A new PRIMARY deployment of `to`; the old deployments drain as its tasks become healthy.
pub fn start_to(w: &mut World, i: usize, to: TaskDefRef) {
    let d = w.new_deployment(i, to.clone(), "");
    let tag = w.tag_of(i, to.revision);
    let s = &mut w.services[i].svc;
    // An older deployment of the same task definition hands its tasks over, as a rollback does.
    s.deployments.retain(|old| old.task_def != to);
    for old in &mut s.deployments {
        old.status = DeploymentStatus::Active;
    }
    s.deployments.insert(0, d);
    s.task_def = to.clone();
    s.image_tag = tag;
}

/// A forced new deployment: the same task definition, every task replaced.
pub fn force(w: &mut World, i: usize) {
    let td = w.services[i].svc.task_def.clone();
    let current: Vec<usize> = w.live_tasks_of(i, &td).collect();
    for ti in current {
        w.tasks[ti].retiring = true;
    }
    start_to(w, i, td);
}

/// A new desired count: the primary deployment reconciles its tasks to it.
pub fn rescale(w: &mut World, i: usize) {
    let desired = w.services[i].svc.desired;
    let primary = w.services[i]
        .svc
        .deployments
        .iter_mut()
        .find(|d| d.status == DeploymentStatus::Primary);
    if let Some(d) = primary {
        d.desired = desired;
        d.rollout_state = RolloutState::InProgress;
    }
    let td = w.services[i].svc.task_def.clone();
    let extra: Vec<usize> = w.live_tasks_of(i, &td).skip(desired as usize).collect();
    for ti in extra {
        w.stop_task(
            ti,
            "ServiceSchedulerInitiated",
            "Scaling activity initiated by the service",
        );
    }
}

pub fn step(w: &mut World) {
    task_lifecycle(w);
    for i in 0..w.services.len() {
        // Native deployments and CodeDeploy's task sets place their own tasks.
        if !matches!(
            w.services[i].role,
            Role::Canary | Role::Linear | Role::CodeDeploy
        ) {
            reconcile(w, i);
        }
    }
}

fn task_lifecycle(w: &mut World) {
    let now = w.now;
    let mut failed = Vec::new();
    for (ti, t) in w.tasks.iter_mut().enumerate() {
        let age = now - t.launched_at;
        match t.task.last_status {
            TaskStatus::Provisioning if age >= Ms::SECOND => {
                t.task.last_status = TaskStatus::Pending
            }
            TaskStatus::Pending if age >= START_MS => {
                t.task.last_status = TaskStatus::Running;
                t.task.started_at = Some(now);
            }
            TaskStatus::Running => {
                let up = now - t.task.started_at.unwrap_or(now);
                if t.task.health == Health::Unknown && up >= HEALTH_GRACE_MS {
                    let bad = w.services[t.svc]
                        .bad_revisions
                        .contains(&t.task.task_def.revision);
                    if bad {
                        t.task.health = Health::Unhealthy;
                        t.unhealthy_at = Some(now);
                    } else {
                        t.task.health = Health::Healthy;
                    }
                }
                if t.unhealthy_at
                    .is_some_and(|at| now - at >= UNHEALTHY_STOP_MS)
                {
                    failed.push(ti);
                }
            }
            _ => {}
        }
    }
    for ti in failed {
        let svc = w.tasks[ti].svc;
        let td = w.tasks[ti].task.task_def.clone();
        let tg = format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}-tg/{}",
            w.region,
            w.account,
            w.services[svc].svc.name,
            first_chars(&w.tasks[ti].task.id, 16)
        );
        w.stop_task(
            ti,
            "ServiceSchedulerInitiated",
            &format!("Task failed ELB health checks in (target-group {tg})"),
        );
        if let Some(d) = w.services[svc]
            .svc
            .deployments
            .iter_mut()
            .find(|d| d.task_def == td && d.rollout_state == RolloutState::InProgress)
        {
            d.failed_tasks += 1;
        }
    }
}

fn reconcile(w: &mut World, i: usize) {
    let Some(p) = w.services[i]
        .svc
        .deployments
        .iter()
        .position(|d| d.status == DeploymentStatus::Primary)
    else {
        return;
    };
    let primary = w.services[i].svc.deployments[p].clone();
    if primary.rollout_state != RolloutState::InProgress {
        return;
    }
    let healthy = replace_tasks(w, i, &primary);
    settle(w, i, &primary, healthy);
}

/// Starts the primary's tasks one by one and stops an old one for each that is healthy;
/// returns how many of the primary's are healthy.
fn replace_tasks(w: &mut World, i: usize, primary: &Deployment) -> u32 {
    let desired = primary.desired;
    let live = w.live_tasks_of(i, &primary.task_def).count() as u32;
    if live < desired && w.t() % 4 == 0 {
        w.launch_task(i, &primary.task_def);
    }
    let healthy = w
        .live_tasks_of(i, &primary.task_def)
        .filter(|&ti| w.tasks[ti].task.health == Health::Healthy)
        .count() as u32;
    let old: Vec<TaskDefRef> = w.services[i]
        .svc
        .deployments
        .iter()
        .filter(|d| d.status == DeploymentStatus::Active)
        .map(|d| d.task_def.clone())
        .collect();
    let old_live: Vec<usize> = old
        .iter()
        .flat_map(|td| w.live_tasks_of(i, td).collect::<Vec<_>>())
        .chain(w.retiring_tasks_of(i))
        .collect();
    if healthy + old_live.len() as u32 > desired
        && let Some(&ti) = old_live.first()
    {
        let reason = format!("Scaling activity initiated by (deployment {})", primary.id);
        w.stop_task(ti, "ServiceSchedulerInitiated", &reason);
    }
    healthy
}

/// Drops deployments without tasks, then completes the primary once every task is healthy
/// and alone, or fails it (and rolls back) when the circuit breaker trips.
fn settle(w: &mut World, i: usize, primary: &Deployment, healthy: u32) {
    let now = w.now;
    let retiring_left = w.retiring_tasks_of(i).count();
    let s = &mut w.services[i];
    let tasks = &w.tasks;
    s.svc.deployments.retain(|d| {
        d.status == DeploymentStatus::Primary
            || tasks.iter().any(|t| {
                t.svc == i && t.task.task_def == d.task_def && !t.task.last_status.is_stopped()
            })
    });
    let name = s.svc.name.clone();
    let breaker = s.svc.circuit_breaker;
    let only_primary = s.svc.deployments.len() == 1;
    let Some(d) = s
        .svc
        .deployments
        .iter_mut()
        .find(|d| d.status == DeploymentStatus::Primary)
    else {
        return;
    };
    if healthy >= primary.desired && only_primary && retiring_left == 0 {
        d.rollout_state = RolloutState::Completed;
        d.rollout_reason = format!("ECS deployment {} completed.", d.id);
        d.updated_at = now;
        let done = format!(
            "(service {name}) (deployment {}) deployment completed.",
            primary.id
        );
        w.event(i, done);
        w.event(i, format!("(service {name}) has reached a steady state."));
    } else if let Some(cb) = breaker
        && d.failed_tasks >= cb.threshold
    {
        d.rollout_state = RolloutState::Failed;
        d.rollout_reason = "ECS deployment circuit breaker: tasks failed to start.".into();
        d.updated_at = now;
        let msg = format!(
            "(service {name}) (deployment {}) deployment failed: tasks failed to start.",
            primary.id
        );
        w.event(i, msg);
        if cb.rollback {
            roll_back(w, i);
        }
    }
}

/// What the circuit breaker does: a new PRIMARY on the last good task definition. The old
/// deployment of that task definition hands its tasks over; the failed one drains.
fn roll_back(w: &mut World, i: usize) {
    let Some(prev) = w.services[i]
        .svc
        .deployments
        .iter()
        .find(|d| d.status == DeploymentStatus::Active)
        .map(|d| d.task_def.clone())
    else {
        return;
    };
    let mut d = w.new_deployment(i, prev.clone(), "");
    let id = d.id.clone();
    let tag = w.tag_of(i, prev.revision);
    let s = &mut w.services[i].svc;
    s.deployments.retain(|old| old.task_def != prev);
    for old in &mut s.deployments {
        old.status = DeploymentStatus::Active;
    }
    d.rollout_reason = format!("ECS deployment circuit breaker: rolling back to {prev}.");
    s.deployments.insert(0, d);
    s.task_def = prev.clone();
    s.image_tag = tag;
    let name = s.name.clone();
    w.event(
        i,
        format!("(service {name}) rolling back to deployment {id}."),
    );
}
