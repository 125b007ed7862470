//! The demo fleet as it stands when the console opens.

use crate::demo::rng::{Rng, hex_of};
use crate::demo::world::{METRIC_POINTS, Role, SimService, World};
use crate::model::{
    At, CircuitBreaker, DeploymentStatus, Health, HookStatus, LifecycleHook, LifecycleStage, Ms,
    NativeDeployment, NativeStatus, RolloutState, Service, ServiceRevision, ServiceStatus,
    Strategy, TaskDefRef, TaskStatus, TimeoutAction, WeightedRoute,
};
use std::collections::VecDeque;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-west-1";
/// How long the canary's PAUSE hook waits before ECS rolls the deployment back.
pub const HOOK_TIMEOUT_MS: Ms = Ms::mins(12);

struct Spec {
    cluster: &'static str,
    name: &'static str,
    desired: u32,
    revision: u32,
    role: Role,
    cpu: f64,
    mem: f64,
}

const FLEET: &[Spec] = &[
    Spec {
        cluster: "prod-core",
        name: "api",
        desired: 6,
        revision: 118,
        role: Role::Steady,
        cpu: 38.0,
        mem: 52.0,
    },
    Spec {
        cluster: "prod-core",
        name: "web",
        desired: 4,
        revision: 87,
        role: Role::Rolling,
        cpu: 22.0,
        mem: 41.0,
    },
    Spec {
        cluster: "prod-core",
        name: "payments",
        desired: 4,
        revision: 42,
        role: Role::BadRolling,
        cpu: 31.0,
        mem: 47.0,
    },
    Spec {
        cluster: "prod-core",
        name: "worker",
        desired: 3,
        revision: 64,
        role: Role::Steady,
        cpu: 61.0,
        mem: 70.0,
    },
    Spec {
        cluster: "prod-core",
        name: "auth",
        desired: 3,
        revision: 29,
        role: Role::Steady,
        cpu: 12.0,
        mem: 33.0,
    },
    Spec {
        cluster: "prod-core",
        name: "search",
        desired: 2,
        revision: 15,
        role: Role::Steady,
        cpu: 44.0,
        mem: 66.0,
    },
    // A paired-service canary: one task of the next revision beside search's two, with a tenth
    // of the traffic by listener-rule weights (see `search_route`).
    Spec {
        cluster: "prod-core",
        name: "search-canary",
        desired: 1,
        revision: 16,
        role: Role::PairedCanary,
        cpu: 47.0,
        mem: 64.0,
    },
    // A CODE_DEPLOY service: a CodeDeploy canary on task sets, waiting for reroute.
    Spec {
        cluster: "prod-core",
        name: "cart",
        desired: 3,
        revision: 12,
        role: Role::CodeDeploy,
        cpu: 24.0,
        mem: 36.0,
    },
    Spec {
        cluster: "prod-edge",
        name: "checkout",
        desired: 4,
        revision: 57,
        role: Role::Canary,
        cpu: 27.0,
        mem: 39.0,
    },
    // A native LINEAR deployment, pausing before each step of 25 %.
    Spec {
        cluster: "prod-edge",
        name: "inventory",
        desired: 4,
        revision: 33,
        role: Role::Linear,
        cpu: 19.0,
        mem: 44.0,
    },
    Spec {
        cluster: "prod-edge",
        name: "edge-proxy",
        desired: 3,
        revision: 211,
        role: Role::Steady,
        cpu: 18.0,
        mem: 21.0,
    },
    Spec {
        cluster: "prod-edge",
        name: "notifications",
        desired: 2,
        revision: 9,
        role: Role::Steady,
        cpu: 8.0,
        mem: 25.0,
    },
    Spec {
        cluster: "staging",
        name: "api",
        desired: 2,
        revision: 121,
        role: Role::Steady,
        cpu: 5.0,
        mem: 30.0,
    },
];

pub fn world(start: At) -> World {
    let mut w = World {
        start,
        now: start,
        rng: Rng::new(0x5eed_dec0),
        services: Vec::new(),
        tasks: Vec::new(),
        images: Vec::new(),
        alarms: Vec::new(),
        logs: VecDeque::new(),
        next_seq: 1,
        task_counter: 0,
        account: ACCOUNT.into(),
        region: REGION.into(),
        routes: Vec::new(),
        alb: Default::default(),
        alarm_history: VecDeque::new(),
        builds: Default::default(),
        trail: VecDeque::new(),
    };
    for spec in FLEET {
        add_service(&mut w, spec);
    }
    w.routes.push(search_route(&w));
    w.alarms = crate::demo::alarms::seed(&w, start);
    for i in 0..w.services.len() {
        match w.services[i].role {
            Role::Canary | Role::Linear => {
                seed_past_canary(&mut w, i);
                start_canary(&mut w, i, true);
            }
            Role::CodeDeploy => super::codedeploy::seed(&mut w, i),
            _ => {}
        }
    }
    crate::demo::builds::seed(&mut w);
    crate::demo::owners::seed(&mut w);
    w.recount();
    crate::demo::traffic::seed(&mut w);
    w
}

/// The canary before this one: the current revision, rolled out three days ago.
fn seed_past_canary(w: &mut World, i: usize) {
    let s = &w.services[i];
    let td = s.svc.task_def.clone();
    let started_at = w.start - Ms::days(3);
    let entry = crate::model::PastDeployment {
        id: format!(
            "{}/{}/{}/{}",
            w.arn_prefix("service-deployment"),
            s.svc.cluster,
            s.svc.name,
            hex_of(&format!("{td}-past"), 22)
        ),
        from: Some(TaskDefRef {
            family: td.family.clone(),
            revision: td.revision - 1,
        }),
        revision: td,
        outcome: crate::model::Outcome::Completed,
        is_rollback: false,
        started_at,
        ended_at: Some(started_at + Ms::mins(14)),
        reason: String::new(),
    };
    w.services[i].past.push_front(entry);
}

/// The listener rule sending a tenth of search's traffic to search-canary's target group.
fn search_route(w: &World) -> WeightedRoute {
    let listener = format!(
        "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/prod-core/{}/{}",
        hex_of("prod-core-alb", 16),
        hex_of("prod-core-https", 16)
    );
    let rule = format!(
        "{}/{}",
        listener.replace(":listener/", ":listener-rule/"),
        hex_of("search-rule", 16)
    );
    WeightedRoute {
        listener_arn: listener,
        rule_arn: rule,
        is_default: false,
        weights: vec![
            (w.target_group_arn("prod-core", "search"), 90),
            (w.target_group_arn("prod-core", "search-canary"), 10),
        ],
    }
}

fn add_service(w: &mut World, spec: &Spec) {
    // A paired canary runs its primary's image repository and task definition family.
    let base = spec.name.strip_suffix("-canary").unwrap_or(spec.name);
    let repo = if spec.cluster == "staging" {
        format!("{base}-staging")
    } else {
        base.to_string()
    };
    let td = TaskDefRef {
        family: repo.clone(),
        revision: spec.revision,
    };
    let created_at = w.start - Ms::days(30 + w.rng.below(300) as i64);
    let svc = new_service(w, spec, td.clone(), created_at);
    w.services.push(SimService {
        svc,
        role: spec.role,
        bad_revisions: Vec::new(),
        base_cpu: spec.cpu,
        base_mem: spec.mem,
        repo,
        errors: VecDeque::new(),
        next_deploy_id: 0,
        stage_since: w.start,
        next_deploy_at: None,
        operator_since: None,
        latest_revision: spec.revision,
        past: VecDeque::new(),
    });
    let i = w.services.len() - 1;
    let mut d = w.new_deployment(i, td.clone(), "");
    d.rollout_state = RolloutState::Completed;
    d.rollout_reason = "ECS deployment completed.".into();
    d.created_at = created_at.max(w.start - Ms::days(3));
    d.updated_at = d.created_at;
    w.services[i].svc.deployments.push(d);
    for _ in 0..spec.desired {
        let ti = w.launch_task(i, &td);
        settle(w, ti);
    }
    w.services[i].svc.events.clear();
    let name = spec.name;
    w.event(i, format!("(service {name}) has reached a steady state."));
    seed_metrics(w, i);
    seed_images(w, i, spec.revision);
}

/// The service row of `spec`, before its deployments, tasks and metrics.
fn new_service(w: &World, spec: &Spec, td: TaskDefRef, created_at: At) -> Service {
    Service {
        cluster: spec.cluster.into(),
        name: spec.name.into(),
        arn: format!("{}/{}/{}", w.arn_prefix("service"), spec.cluster, spec.name),
        status: ServiceStatus::Active,
        desired: spec.desired,
        running: 0,
        pending: 0,
        task_def: td,
        image_tag: World::image_tag(spec.revision),
        created_at,
        strategy: match spec.role {
            Role::Canary => Strategy::Canary,
            Role::Linear => Strategy::Linear,
            _ => Strategy::Rolling,
        },
        circuit_breaker: Some(CircuitBreaker {
            rollback: true,
            threshold: (spec.desired / 2).clamp(3, 200),
        }),
        deployments: Vec::new(),
        native: None,
        events: Vec::new(),
        canary_of: spec.name.strip_suffix("-canary").map(str::to_string),
        previous_task_def: None,
        cpu: Vec::new(),
        mem: Vec::new(),
        targets: Vec::new(),
        target_groups: vec![w.target_group_arn(spec.cluster, spec.name)],
        routes: Vec::new(),
        routes_error: None,
        exec_enabled: true,
        footprint: crate::demo::prices::footprint(spec.cluster, w.services.len(), spec.desired),
        cost_per_hour: None,
        // A native canary's new revision registers in a target group of its own.
        alternate_target_groups: if matches!(spec.role, Role::Canary | Role::Linear) {
            vec![w.target_group_arn(spec.cluster, &format!("{}-green", spec.name))]
        } else {
            Vec::new()
        },
        watched_alarms: if spec.role == Role::Canary {
            vec![format!("{}-canary-5xx", spec.name)]
        } else {
            Vec::new()
        },
        alarm_tags: Vec::new(),
        history: Vec::new(),
        // Every demo service is built by its repository's workflow; staging builds its branch.
        build: Some(Ok(crate::demo::builds::source_of(spec.cluster, spec.name))),
        controller: Default::default(),
        task_sets: Vec::new(),
        codedeploy: None,
        tags: crate::demo::owners::tags(spec.cluster, spec.name),
    }
}

/// Marks a freshly launched task as long since running and healthy.
fn settle(w: &mut World, ti: usize) {
    let age = Ms::mins(20 + w.rng.below(600) as i64);
    let t = &mut w.tasks[ti];
    t.launched_at = w.start - age;
    t.task.started_at = Some(w.start - age + Ms::secs(20));
    t.task.last_status = TaskStatus::Running;
    t.task.health = Health::Healthy;
}

fn seed_metrics(w: &mut World, i: usize) {
    let (cpu, mem) = (w.services[i].base_cpu, w.services[i].base_mem);
    for k in 0..METRIC_POINTS {
        let wave = ((k as f64) / 7.0).sin() * 6.0;
        let c = (cpu + wave + w.rng.unit() * 5.0).clamp(0.0, 100.0);
        let m = (mem + wave / 3.0 + w.rng.unit() * 2.0).clamp(0.0, 100.0);
        w.services[i].svc.cpu.push(c);
        w.services[i].svc.mem.push(m);
    }
}

fn seed_images(w: &mut World, i: usize, revision: u32) {
    // The current revision and a few before it; later ones are pushed as deployments start.
    let repo = w.services[i].repo.clone();
    for rev in revision.saturating_sub(4)..=revision {
        let tag = World::image_tag(rev);
        if w.images
            .iter()
            .any(|img| img.repository == repo && img.tags.contains(&tag))
        {
            continue; // pushed already, for the service this one is the canary of
        }
        let days_ago = (revision - rev) as i64 * 2;
        let pushed_at = w.start - Ms::days(days_ago) - Ms::hours(w.rng.below(20) as i64 + 1);
        w.push_image(i, rev, pushed_at);
    }
}

/// Starts a native canary deployment to the next revision. `at_hook` starts it already waiting
/// at its PAUSE hook, as the demo opens.
pub fn start_canary(w: &mut World, i: usize, at_hook: bool) {
    let source_td = w.services[i].svc.task_def.clone();
    // Registering the target revision pushes its image, as the pipeline would.
    let target_td = crate::demo::scenario::next_revision(w, i);
    let native = native_canary(w, i, &source_td, &target_td);
    let mut d = w.new_deployment(i, target_td.clone(), "");
    let s = &mut w.services[i].svc;
    for old in &mut s.deployments {
        old.status = DeploymentStatus::Active;
    }
    s.native = Some(native);
    // As in ECS, the service now names the target revision; a rollback names the source again.
    s.task_def = target_td.clone();
    s.image_tag = World::image_tag(target_td.revision);
    if at_hook {
        d.created_at = w.now - Ms(95_000);
    }
    s.deployments.insert(0, d);
    if at_hook {
        wait_at_hook(w, i, &target_td);
    }
}

/// The native deployment of a canary from `source` to `target`, at its first stage.
fn native_canary(
    w: &World,
    i: usize,
    source: &TaskDefRef,
    target: &TaskDefRef,
) -> NativeDeployment {
    let repo = &w.services[i].repo;
    let revision = |td: &TaskDefRef, weight: f64| ServiceRevision {
        arn: format!(
            "{}/{}/{}",
            w.arn_prefix("service-revision"),
            repo,
            hex_of(&td.to_string(), 19)
        ),
        task_def: td.clone(),
        image_tag: World::image_tag(td.revision),
        image_digest: World::digest_of(repo, &World::image_tag(td.revision)),
        running: 0,
        requested_production_weight: weight,
        requested_test_weight: 100.0 - weight,
    };
    let mut target_rev = revision(target, 0.0);
    target_rev.requested_test_weight = 100.0;
    let svc = &w.services[i].svc;
    NativeDeployment {
        arn: format!(
            "{}/{}/{}/{}",
            w.arn_prefix("service-deployment"),
            svc.cluster,
            svc.name,
            hex_of(&format!("{target}{}", w.now.millis()), 22)
        ),
        strategy: svc.strategy.clone(),
        status: NativeStatus::InProgress,
        lifecycle_stage: LifecycleStage::ReconcileService,
        target: target_rev,
        sources: vec![revision(source, 100.0)],
        hook: None,
        // A canary's share, or a LINEAR deployment's step.
        canary_percent: if svc.strategy == Strategy::Linear {
            25.0
        } else {
            10.0
        },
        bake_ends_at: None,
        bake_minutes: Some((crate::demo::canary::CANARY_BAKE_MS / Ms::MINUTE) as u32),
        triggered_alarms: Vec::new(),
        watched_alarms: w.services[i].svc.watched_alarms.clone(),
        rollback_reason: None,
        started_at: w.now,
    }
}

/// As the demo opens: the target's tasks long since healthy, waiting at the PAUSE hook.
fn wait_at_hook(w: &mut World, i: usize, target: &TaskDefRef) {
    let name = w.services[i].svc.name.clone();
    for _ in 0..w.services[i].svc.desired {
        let ti = w.launch_task(i, target);
        let t = &mut w.tasks[ti];
        t.launched_at = w.now - Ms::secs(80);
        t.task.started_at = Some(w.now - Ms::MINUTE);
        t.task.last_status = TaskStatus::Running;
        t.task.health = Health::Healthy;
    }
    let started = w.now - Ms(95_000);
    if let Some(n) = w.native_mut(i) {
        n.started_at = started;
    }
    crate::demo::canary::enter_hook(w, i);
    w.event(
        i,
        format!("(service {name}) deployment is waiting at lifecycle hook manual-promote-gate."),
    );
}

pub fn hook(now: At) -> LifecycleHook {
    LifecycleHook {
        id: "manual-promote-gate".into(),
        stage: Some(LifecycleStage::PreProductionTrafficShift),
        status: HookStatus::AwaitingAction,
        expires_at: now + HOOK_TIMEOUT_MS,
        timeout_action: TimeoutAction::Rollback,
    }
}
