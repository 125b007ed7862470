//! The demo's CODE_DEPLOY service: its revisions are task sets, and a CodeDeploy canary
//! (`CodeDeployDefault.ECSCanary10Percent5Minutes`) waits for a manual reroute as the demo
//! opens. Rerouted (P), it moves 10 % of the traffic, the rest after five minutes, then keeps
//! the original task set for the termination wait (P ends it) and succeeds; stopped (A, R) or
//! left waiting too long, it puts the traffic back on the original. The next deployment comes
//! 90 s after one ends.

mod calls;
mod clock;

use super::world::World;
use crate::model::{
    At, AwsCall, CdDeployment, CdEvent, CdEventStatus, CdGroup, CdStatus, CdTaskSet, CdWait,
    CodeDeploy, DeploymentController, Health, Ms, ReadyAction, Stability, TaskDefRef, TaskSet,
    TaskSetLabel, TaskSetStatus, TaskStatus,
};
pub use calls::{act, is_codedeploy};
pub use clock::step;

pub const CONFIG: &str = "CodeDeployDefault.ECSCanary10Percent5Minutes";
const CANARY_PERCENT: f64 = 10.0;
const CANARY_MS: Ms = Ms::mins(5);
/// How long the replacement waits for a reroute before CodeDeploy stops the deployment.
pub const READY_WAIT_MIN: u32 = 20;
pub const TERMINATION_WAIT_MIN: u32 = 2;
const NEXT_DEPLOYMENT_MS: Ms = Ms::secs(90);
const EVENTS: [&str; 8] = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];

/// Makes service `i` a CODE_DEPLOY service with a deployment waiting for reroute.
pub fn seed(w: &mut World, i: usize) {
    let tg = |w: &World, color: &str| {
        let s = &w.services[i].svc;
        w.target_group_arn(&s.cluster, &format!("{}-{color}", s.name))
    };
    let (blue, green) = (tg(w, "blue"), tg(w, "green"));
    let s = &mut w.services[i].svc;
    s.controller = DeploymentController::CodeDeploy;
    s.circuit_breaker = None;
    s.deployments.clear();
    s.target_groups = vec![blue.clone()];
    s.alternate_target_groups = vec![green];
    s.codedeploy = Some(CodeDeploy {
        group: CdGroup {
            application: format!("{}-app", s.name),
            name: format!("{}-dg", s.name),
            config: CONFIG.into(),
            container: "app".into(),
            port: 8080,
            target_groups: vec![format!("{}-blue", s.name), format!("{}-green", s.name)],
            ready_wait: Some((READY_WAIT_MIN, ReadyAction::Stop)),
            termination_wait: Some(TERMINATION_WAIT_MIN),
            auto_rollback: true,
        },
        deployment: None,
    });
    let td = s.task_def.clone();
    let set = task_set(w, i, &td, "1", &blue, TaskSetStatus::Primary, "");
    w.services[i].svc.task_sets = vec![set];
    start(w, i, true);
}

fn task_set(
    w: &World,
    i: usize,
    td: &TaskDefRef,
    n: &str,
    tg: &str,
    status: TaskSetStatus,
    external_id: &str,
) -> TaskSet {
    let s = &w.services[i].svc;
    let id = format!(
        "ecs-svc/{}",
        super::rng::hex_of(&format!("{}{td}{n}", s.arn), 19)
    );
    TaskSet {
        arn: format!("{}/{}/{}/{id}", w.arn_prefix("task-set"), s.cluster, s.name),
        id,
        status,
        task_def: td.clone(),
        image_tag: World::image_tag(td.revision),
        desired: s.desired,
        running: 0,
        pending: 0,
        scale_percent: 100.0,
        stability: Stability::SteadyState,
        target_groups: vec![tg.to_string()],
        external_id: external_id.to_string(),
        created_at: w.now,
    }
}

/// A new deployment of the next revision: its task set scaled up and tested, waiting for
/// reroute. `as_opened` dates it as if it had been waiting a while when the demo opened.
pub fn start(w: &mut World, i: usize, as_opened: bool) {
    let td = super::scenario::next_revision(w, i);
    start_to(w, i, td, as_opened);
}

/// A new deployment of `td` (an AppSpec's revision: a rollback names an older one).
fn start_to(w: &mut World, i: usize, td: TaskDefRef, as_opened: bool) {
    let id = format!(
        "d-{}",
        super::rng::hex_of(&format!("{td}{}", w.now.millis()), 9).to_uppercase()
    );
    // The replacement registers in the target group production does not use.
    let s = &w.services[i].svc;
    let tg = s
        .alternate_target_groups
        .first()
        .cloned()
        .unwrap_or_default();
    let n = w.services[i].next_deploy_id.to_string();
    let set = task_set(w, i, &td, &n, &tg, TaskSetStatus::Active, &id);
    let began = w.now - if as_opened { Ms::mins(4) } else { Ms::MINUTE };
    launch_ready(w, i, &td, began);
    let events = ready_events(began);
    let sets = vec![
        side(&w.services[i].svc.task_sets[0], TaskSetLabel::Blue, 100.0),
        side(&set, TaskSetLabel::Green, 0.0),
    ];
    w.services[i].svc.task_sets.push(set);
    let d = CdDeployment {
        id,
        status: CdStatus::Ready,
        config: CONFIG.into(),
        task_def: td,
        sets,
        events,
        termination_wait_started: false,
        created_at: began,
        completed_at: None,
        error: None,
        rollback: None,
        creator: "user".into(),
    };
    if let Some(cd) = w.services[i].svc.codedeploy.as_mut() {
        cd.deployment = Some(d);
    }
    let name = w.services[i].svc.name.clone();
    w.event(i, format!("(service {name}) CodeDeploy deployment is ready and waiting for traffic to be rerouted."));
}

/// The replacement's tasks, running and healthy since `began`.
fn launch_ready(w: &mut World, i: usize, td: &TaskDefRef, began: At) {
    for _ in 0..w.services[i].svc.desired {
        let ti = w.launch_task(i, td);
        let t = &mut w.tasks[ti];
        t.launched_at = began;
        t.task.started_at = Some(began + Ms::secs(20));
        t.task.last_status = TaskStatus::Running;
        t.task.health = Health::Healthy;
    }
}

/// The lifecycle events of a deployment ready for reroute: up to AfterAllowTestTraffic done.
fn ready_events(began: At) -> Vec<CdEvent> {
    EVENTS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let at = began + Ms::secs(10) * k as i64;
            let done = k < 5;
            CdEvent {
                name: (*name).into(),
                status: if done {
                    CdEventStatus::Succeeded
                } else {
                    CdEventStatus::Pending
                },
                started_at: done.then_some(at),
                ended_at: done.then_some(at + Ms::secs(8)),
            }
        })
        .collect()
}

fn side(set: &TaskSet, label: TaskSetLabel, weight: f64) -> CdTaskSet {
    CdTaskSet {
        id: set.id.clone(),
        label,
        target_group: crate::model::target_group_name(set.target_groups.first().map_or("", |s| s))
            .to_string(),
        weight,
        desired: set.desired,
        running: set.running,
        pending: set.pending,
    }
}

fn deployment_mut(w: &mut World, i: usize) -> Option<&mut CdDeployment> {
    w.services[i].svc.codedeploy.as_mut()?.deployment.as_mut()
}

fn set_event(d: &mut CdDeployment, name: &str, status: CdEventStatus, at: At) {
    if let Some(e) = d.events.iter_mut().find(|e| e.name == name) {
        e.started_at = e.started_at.or(Some(at));
        if status != CdEventStatus::InProgress {
            e.ended_at = Some(at);
        }
        e.status = status;
    }
}

fn set_weight(d: &mut CdDeployment, green: f64) {
    for s in &mut d.sets {
        s.weight = if s.label == TaskSetLabel::Green {
            green
        } else {
            100.0 - green
        };
    }
}

/// Running and pending tasks of each task set and of the service, from its tasks.
pub fn count(svc: &mut crate::model::Service, tasks: &[&super::world::SimTask]) {
    let (mut running, mut pending) = (0, 0);
    for set in &mut svc.task_sets {
        let of = tasks.iter().filter(|t| t.task.task_def == set.task_def);
        let status = of.map(|t| &t.task.last_status);
        let (r, p) = status.fold((0, 0), |(r, p), s| {
            (
                r + u32::from(*s == TaskStatus::Running),
                p + u32::from(s.is_starting()),
            )
        });
        (set.running, set.pending) = (r, p);
        set.stability = if set.running == set.desired {
            Stability::SteadyState
        } else {
            Stability::Stabilizing
        };
        running += set.running;
        pending += set.pending;
    }
    if let Some(d) = svc.codedeploy.as_mut().and_then(|c| c.deployment.as_mut()) {
        for side in &mut d.sets {
            if let Some(set) = svc.task_sets.iter().find(|t| t.id == side.id) {
                (side.desired, side.running, side.pending) =
                    (set.desired, set.running, set.pending);
            } else {
                (side.desired, side.running, side.pending) = (0, 0, 0);
            }
        }
    }
    svc.running = running;
    svc.pending = pending;
}
