//! The demo fleet's state and its clock. `advance_to` moves it forward in one-second steps, so
//! the same start time and the same steps always give the same fleet.

use crate::demo::rng::{Rng, hex_of};
use crate::model::text::first_chars;
use crate::model::{
    AgentStatus, Alarm, AlarmTransition, At, Deployment, DeploymentStatus, Findings, Health, Image,
    LogLine, Ms, NativeDeployment, RolloutState, Service, ServiceEvent, TargetGroupHealth, Task,
    TaskContainer, TaskDefRef, TaskStatus, WeightedRoute,
};
use std::collections::{BTreeMap, VecDeque};

pub const STEP_MS: Ms = Ms::SECOND;
/// Log lines the simulated CloudWatch keeps, across all services: about eight minutes of the
/// demo's lines, which leaves every service more than the backlog a new follow starts with.
/// (The console keeps its own, larger buffer of the lines it has read.)
pub const LOG_RETAIN: usize = 6_000;
/// Images kept per repository, newest first, as an ECR lifecycle policy would keep them.
pub const IMAGES_RETAIN: usize = 10;
/// Revisions remembered per service as failing their health checks.
pub const BAD_REVISIONS_RETAIN: usize = 10;
/// Events kept per service, newest first, as `Service.events` does.
pub const EVENTS_RETAIN: usize = 100;
/// Stopped tasks stay visible for this long, as in ECS (about an hour).
pub const STOPPED_RETAIN_MS: Ms = Ms::HOUR;
/// Metric points kept per service: one an hour at one a minute.
pub const METRIC_POINTS: usize = 60;

/// The sizes of the simulator's stores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    pub tasks: usize,
    pub images: usize,
    pub log_lines: usize,
    pub log_bytes: usize,
    pub events: usize,
    pub deployments: usize,
    pub bad_revisions: usize,
    pub routes: usize,
}

/// What a service does over the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Steady,
    /// A good rolling deployment now and then.
    Rolling,
    /// A rolling deployment whose new revision fails health checks and trips the breaker.
    BadRolling,
    /// A native CANARY deployment that waits at a PAUSE hook.
    Canary,
    /// The canary service of a pair (`X-canary`); once promoted or aborted it comes back with
    /// the next revision at the next cycle's `PAIR_AT_S`.
    PairedCanary,
    /// A CODE_DEPLOY service: a CodeDeploy canary on task sets, waiting for reroute.
    CodeDeploy,
    /// A native LINEAR deployment that pauses at a PAUSE hook before each step.
    Linear,
}

#[derive(Debug, Clone)]
pub struct SimService {
    pub svc: Service,
    pub role: Role,
    /// Revisions whose tasks fail their health checks.
    pub bad_revisions: Vec<u32>,
    pub base_cpu: f64,
    pub base_mem: f64,
    pub repo: String,
    /// 5xx responses per step, for the alarms (last 60 steps).
    pub errors: VecDeque<u32>,
    pub next_deploy_id: u32,
    /// When the native deployment entered its current lifecycle stage.
    pub stage_since: At,
    /// When the scenario starts this service's next deployment.
    pub next_deploy_at: Option<At>,
    /// An operator acted on it at this time: the scenario leaves it alone until what they
    /// started has settled (and a poll could see it), so its own next deployment never
    /// collides with theirs.
    pub operator_since: Option<At>,
    /// The highest task definition revision registered so far.
    pub latest_revision: u32,
    /// Finished native deployments, newest first (what `ListServiceDeployments` lists).
    pub past: VecDeque<crate::model::PastDeployment>,
}

#[derive(Debug, Clone)]
pub struct SimTask {
    pub task: Task,
    /// Index into `World::services`.
    pub svc: usize,
    pub launched_at: At,
    pub unhealthy_at: Option<At>,
    /// Belongs to a deployment being replaced by one of the same task definition (a forced
    /// new deployment): it drains like an old deployment's task.
    pub retiring: bool,
}

#[derive(Debug)]
pub struct World {
    pub start: At,
    pub now: At,
    pub rng: Rng,
    pub services: Vec<SimService>,
    pub tasks: Vec<SimTask>,
    pub images: Vec<Image>,
    pub alarms: Vec<Alarm>,
    /// (sequence, service index, line), oldest first.
    pub logs: VecDeque<(u64, usize, LogLine)>,
    pub next_seq: u64,
    pub task_counter: u64,
    pub account: String,
    pub region: String,
    /// Weighted listener rules, such as the one splitting a paired canary's traffic.
    pub routes: Vec<WeightedRoute>,
    /// The load balancer's minutes, by target group ARN.
    pub alb: BTreeMap<String, VecDeque<crate::demo::traffic::Minute>>,
    /// Alarm state changes, oldest first, bounded by `ALARM_HISTORY_KEPT`.
    pub alarm_history: VecDeque<(String, AlarmTransition)>,
    /// The simulated GitHub Actions runs, and the revisions deploys registered.
    pub builds: crate::demo::builds::Builds,
    /// The calls CloudTrail would have recorded, by service, oldest first (bounded).
    pub trail: VecDeque<(crate::model::ServiceKey, crate::model::trail::TrailEvent)>,
}

/// Alarm state changes the simulated CloudWatch keeps.
pub const ALARM_HISTORY_KEPT: usize = 1_000;
/// Finished native deployments kept per service, as `ListServiceDeployments` lists them.
pub const PAST_KEPT: usize = 10;

impl World {
    /// Seconds since the scenario began.
    pub fn t(&self) -> i64 {
        (self.now - self.start).as_secs()
    }

    pub fn advance_to(&mut self, target: At) {
        // A demo left idle for days catches up at most a day, so one call stays cheap.
        let floor = target - Ms::DAY;
        if self.now < floor {
            self.now = floor.floor(STEP_MS);
        }
        while self.now + STEP_MS <= target {
            self.now += STEP_MS;
            self.step();
        }
    }

    fn step(&mut self) {
        crate::demo::scenario::on_schedule(self);
        crate::demo::rolling::step(self);
        crate::demo::canary::step(self);
        crate::demo::codedeploy::step(self);
        crate::demo::signals::step(self);
        crate::demo::builds::step(self);
        self.recount();
        crate::demo::traffic::step(self);
        self.forget_old();
    }

    pub fn arn_prefix(&self, kind: &str) -> String {
        format!("arn:aws:ecs:{}:{}:{kind}", self.region, self.account)
    }

    /// The one target group of a service: its targets are the service's live tasks.
    pub fn target_group_arn(&self, cluster: &str, name: &str) -> String {
        let tg = format!("{cluster}-{name}");
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{tg}/{}",
            self.region,
            self.account,
            hex_of(&tg, 16)
        )
    }

    /// The application load balancer of a cluster: every service of it is behind it.
    pub fn load_balancer_arn(&self, cluster: &str) -> String {
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/app/{cluster}/{}",
            self.region,
            self.account,
            hex_of(&format!("{cluster}-alb"), 16)
        )
    }

    pub fn event(&mut self, svc: usize, message: String) {
        let at = self.now;
        let events = &mut self.services[svc].svc.events;
        events.insert(0, ServiceEvent { at, message });
        events.truncate(EVENTS_RETAIN);
    }

    pub fn image_tag(revision: u32) -> String {
        format!("v1.{revision}.0")
    }

    pub fn digest_of(repo: &str, tag: &str) -> String {
        format!("sha256:{}", hex_of(&format!("{repo}@{tag}"), 64))
    }

    pub fn launch_task(&mut self, svc: usize, task_def: &TaskDefRef) -> usize {
        self.task_counter += 1;
        let cluster = self.services[svc].svc.cluster.clone();
        let service = self.services[svc].svc.name.clone();
        let id = hex_of(&format!("{cluster}/{service}/{}", self.task_counter), 32);
        let ip = format!(
            "10.{}.{}.{}",
            self.services[svc].svc.cluster.len(),
            self.rng.below(250) + 2,
            self.rng.below(250) + 2
        );
        let arn = format!("{}/{cluster}/{id}", self.arn_prefix("task"));
        let task = Task {
            id: id.clone(),
            arn,
            cluster,
            service,
            task_def: task_def.clone(),
            last_status: TaskStatus::Provisioning,
            desired_status: TaskStatus::Running,
            health: Health::Unknown,
            started_at: None,
            stopped_at: None,
            stop_code: String::new(),
            stop_reason: String::new(),
            exit_code: None,
            private_ip: ip,
            // The demo's services run with ECS Exec on, so the exec dialog has something to
            // say; opening a session says the demo has no SSM.
            exec_enabled: true,
            platform_version: "1.4.0".into(),
            containers: vec![TaskContainer {
                name: "app".into(),
                runtime_id: format!("{id}-{}", hex_of(&format!("{id}/app"), 10)),
                exec_agent: Some(AgentStatus::Running),
            }],
        };
        self.tasks.push(SimTask {
            task,
            svc,
            launched_at: self.now,
            unhealthy_at: None,
            retiring: false,
        });
        let short = first_chars(&id, 8).to_string();
        let name = self.services[svc].svc.name.clone();
        self.event(
            svc,
            format!("(service {name}) has started 1 tasks: (task {short})."),
        );
        self.tasks.len() - 1
    }

    pub fn stop_task(&mut self, i: usize, code: &str, reason: &str) {
        let now = self.now;
        let t = &mut self.tasks[i].task;
        if t.last_status.is_stopped() {
            return;
        }
        t.last_status = TaskStatus::Stopped;
        t.desired_status = TaskStatus::Stopped;
        t.stopped_at = Some(now);
        t.stop_code = code.into();
        t.stop_reason = reason.into();
        // The scheduler stops a task with SIGTERM: its container exits 143 once it ran.
        t.exit_code = t.started_at.map(|_| 143);
        let (svc, short) = (
            self.tasks[i].svc,
            first_chars(&self.tasks[i].task.id, 8).to_string(),
        );
        let name = self.services[svc].svc.name.clone();
        self.event(
            svc,
            format!("(service {name}) has stopped 1 running tasks: (task {short})."),
        );
    }

    pub fn live_tasks_of(&self, svc: usize, td: &TaskDefRef) -> impl Iterator<Item = usize> + '_ {
        let td = td.clone();
        self.tasks.iter().enumerate().filter_map(move |(i, t)| {
            (t.svc == svc
                && t.task.task_def == td
                && !t.task.last_status.is_stopped()
                && !t.retiring)
                .then_some(i)
        })
    }

    /// Live tasks of a service that a forced deployment is replacing.
    pub fn retiring_tasks_of(&self, svc: usize) -> impl Iterator<Item = usize> + '_ {
        self.tasks.iter().enumerate().filter_map(move |(i, t)| {
            (t.svc == svc && t.retiring && !t.task.last_status.is_stopped()).then_some(i)
        })
    }

    /// Deployment and service counts follow the tasks, as ECS reports them.
    pub(super) fn recount(&mut self) {
        for (si, s) in self.services.iter_mut().enumerate() {
            // Every revision is registered and kept ACTIVE, but a rollback skips the bad ones.
            let cur = &s.svc.task_def;
            s.svc.previous_task_def = (1..cur.revision)
                .rev()
                .find(|r| !s.bad_revisions.contains(r))
                .map(|revision| TaskDefRef {
                    family: cur.family.clone(),
                    revision,
                });
            let tgs = &s.svc.target_groups;
            s.svc.routes = self
                .routes
                .iter()
                .filter(|r| r.weights.iter().any(|(tg, _)| tgs.contains(tg)))
                .cloned()
                .collect();
            let tasks: Vec<&SimTask> = self.tasks.iter().filter(|t| t.svc == si).collect();
            count_deployments(&mut s.svc, &tasks);
            if s.role == Role::CodeDeploy {
                super::codedeploy::count(&mut s.svc, &tasks);
            }
            count_targets(&mut s.svc, &tasks);
            if let Some(n) = &mut s.svc.native {
                for rev in std::iter::once(&mut n.target).chain(n.sources.iter_mut()) {
                    rev.running = tasks
                        .iter()
                        .filter(|t| {
                            t.task.task_def == rev.task_def
                                && t.task.last_status == TaskStatus::Running
                        })
                        .count() as u32;
                }
            }
        }
    }

    /// Keeps every store bounded, so a demo left open for days uses the memory of one left
    /// open for an hour.
    fn forget_old(&mut self) {
        let cutoff = self.now - STOPPED_RETAIN_MS;
        self.tasks
            .retain(|t| t.task.stopped_at.is_none_or(|at| at >= cutoff));
        while self.logs.len() > LOG_RETAIN {
            self.logs.pop_front();
        }
        for s in &mut self.services {
            let over = s.bad_revisions.len().saturating_sub(BAD_REVISIONS_RETAIN);
            s.bad_revisions.drain(..over);
        }
        self.forget_old_images();
    }

    fn forget_old_images(&mut self) {
        let mut repos: Vec<&str> = self.images.iter().map(|i| i.repository.as_str()).collect();
        repos.sort_unstable();
        repos.dedup();
        if repos.len() * IMAGES_RETAIN >= self.images.len() {
            return;
        }
        // Newest first within each repository, then keep each repository's first few.
        self.images.sort_by(|a, b| {
            (&a.repository, std::cmp::Reverse(a.pushed_at))
                .cmp(&(&b.repository, std::cmp::Reverse(b.pushed_at)))
        });
        let mut kept = 0;
        let mut last: Option<String> = None;
        self.images.retain(|i| {
            if last.as_deref() != Some(i.repository.as_str()) {
                last = Some(i.repository.clone());
                kept = 0;
            }
            kept += 1;
            kept <= IMAGES_RETAIN
        });
    }

    /// How much each store holds: what the soak test watches level off.
    pub fn footprint(&self) -> Footprint {
        Footprint {
            tasks: self.tasks.len(),
            images: self.images.len(),
            log_lines: self.logs.len(),
            log_bytes: self
                .logs
                .iter()
                .map(|(_, _, l)| l.message.len() + l.task_id.len())
                .sum(),
            events: self.services.iter().map(|s| s.svc.events.len()).sum(),
            deployments: self.services.iter().map(|s| s.svc.deployments.len()).sum(),
            bad_revisions: self.services.iter().map(|s| s.bad_revisions.len()).sum(),
            routes: self.routes.len(),
        }
    }

    pub fn services(&self) -> Vec<Service> {
        self.services.iter().map(|s| s.svc.clone()).collect()
    }

    pub fn tasks(&self) -> Vec<Task> {
        self.tasks.iter().map(|t| t.task.clone()).collect()
    }

    /// Images joined to the services whose deployments use them.
    pub fn images(&self) -> Vec<Image> {
        let mut images = self.images.clone();
        for img in &mut images {
            img.used_by = self
                .services
                .iter()
                .enumerate()
                .filter(|(i, s)| {
                    s.repo == img.repository
                        && s.svc
                            .deployments
                            .iter()
                            .any(|d| img.tags.contains(&self.tag_of(*i, d.task_def.revision)))
                })
                .map(|(_, s)| s)
                .map(|s| s.svc.name.clone())
                .collect();
        }
        images
    }

    /// Pushes the image a revision runs, as the build pipeline would before a deployment.
    pub fn push_image(&mut self, svc: usize, revision: u32, pushed_at: At) {
        let repo = self.services[svc].repo.clone();
        let tag = World::image_tag(revision);
        let digest = World::digest_of(&repo, &tag);
        let mut r = Rng::new(u64::from_str_radix(&hex_of(&digest, 15), 16).unwrap_or(1));
        let findings = (revision % 5 != 3).then(|| Findings {
            critical: u32::from(r.chance(0.15)),
            high: r.below(4) as u32,
            medium: r.below(9) as u32,
            low: r.below(15) as u32,
            informational: r.below(6) as u32,
        });
        self.images.push(Image {
            repository: repo,
            tags: vec![tag, format!("git-{}", hex_of(&digest, 7))],
            digest,
            pushed_at,
            size_bytes: (60 + r.below(340)) * 1_048_576 + r.below(1_048_576),
            findings,
            used_by: Vec::new(),
        });
    }

    /// Pushes the image a build of commit `sha` made, tagged with the commit's first seven
    /// digits and the whole sha.
    pub fn push_built_image(&mut self, svc: usize, sha: &str, pushed_at: At) {
        let repo = self.services[svc].repo.clone();
        let digest = World::digest_of(&repo, sha);
        let mut r = Rng::new(u64::from_str_radix(&hex_of(&digest, 15), 16).unwrap_or(1));
        self.images.push(Image {
            repository: repo,
            tags: vec![sha.get(..7).unwrap_or(sha).to_string(), sha.to_string()],
            digest,
            pushed_at,
            size_bytes: (60 + r.below(340)) * 1_048_576 + r.below(1_048_576),
            findings: Some(Findings {
                critical: 0,
                high: r.below(2) as u32,
                medium: r.below(6) as u32,
                low: r.below(12) as u32,
                informational: r.below(4) as u32,
            }),
            used_by: Vec::new(),
        });
    }

    /// The image tag a revision runs: a deploy's registered image, else the seed's `v1.N.0`.
    pub fn tag_of(&self, svc: usize, revision: u32) -> String {
        self.builds
            .registered
            .iter()
            .find(|r| r.svc == svc && r.revision == revision)
            .map_or_else(|| World::image_tag(revision), |r| r.tag.clone())
    }

    pub fn new_deployment(&mut self, svc: usize, td: TaskDefRef, reason: &str) -> Deployment {
        let s = &mut self.services[svc];
        s.next_deploy_id += 1;
        let id = format!(
            "ecs-svc/{}",
            hex_of(&format!("{}{}", s.svc.arn, s.next_deploy_id), 19)
        );
        let _ = reason;
        Deployment {
            id,
            status: DeploymentStatus::Primary,
            rollout_state: RolloutState::InProgress,
            rollout_reason: "ECS deployment in progress.".into(),
            task_def: td,
            desired: s.svc.desired,
            running: 0,
            pending: 0,
            failed_tasks: 0,
            created_at: self.now,
            updated_at: self.now,
        }
    }

    /// One mutating call, as the demo fleet's `act` makes it (tests use it to set a scene).
    pub fn act(
        &mut self,
        key: &crate::model::ServiceKey,
        m: &crate::model::AwsCall,
    ) -> crate::model::ApiResult<()> {
        super::mutations::act(self, key, m)
    }

    pub fn native_mut(&mut self, svc: usize) -> Option<&mut NativeDeployment> {
        self.services[svc].svc.native.as_mut()
    }
}

/// Running and pending tasks of each deployment and of the service, from its `tasks`.
fn count_deployments(svc: &mut Service, tasks: &[&SimTask]) {
    let (mut running_total, mut pending_total) = (0, 0);
    for d in &mut svc.deployments {
        let (mut running, mut pending) = (0, 0);
        for t in tasks.iter().filter(|t| t.task.task_def == d.task_def) {
            match &t.task.last_status {
                TaskStatus::Running => running += 1,
                s if s.is_starting() => pending += 1,
                _ => {}
            }
        }
        d.running = running;
        d.pending = pending;
        running_total += running;
        pending_total += pending;
    }
    svc.running = running_total;
    svc.pending = pending_total;
}

/// A service's target groups and their targets: its live tasks, or, while a native deployment
/// moves and the service has an alternate target group, the target revision's tasks there and
/// the others in its own.
fn count_targets(svc: &mut Service, tasks: &[&SimTask]) {
    // A CodeDeploy replacement task set registers in the green target group too.
    let green = svc
        .native
        .as_ref()
        .filter(|n| n.status.is_moving())
        .map(|n| n.target.task_def.clone())
        .or_else(|| svc.cd_in_flight().map(|d| d.task_def.clone()))
        .filter(|_| !svc.alternate_target_groups.is_empty());
    let groups: Vec<String> = svc
        .target_groups
        .iter()
        .chain(svc.alternate_target_groups.iter())
        .cloned()
        .collect();
    svc.targets = groups
        .iter()
        .enumerate()
        .map(|(gi, arn)| {
            let alternate = gi >= svc.target_groups.len();
            let mine = tasks.iter().filter(|t| match &green {
                Some(td) => (t.task.task_def == *td) == alternate,
                None => !alternate,
            });
            group_health(arn, mine)
        })
        .collect();
}

fn group_health<'a>(arn: &str, tasks: impl Iterator<Item = &'a &'a SimTask>) -> TargetGroupHealth {
    let mut g = TargetGroupHealth {
        target_group_arn: arn.to_string(),
        healthy: 0,
        unhealthy: 0,
        other: 0,
        reasons: Vec::new(),
        target_ids: Vec::new(),
    };
    for t in tasks {
        match (&t.task.last_status, &t.task.health) {
            (TaskStatus::Stopped, _) => continue,
            (TaskStatus::Running, Health::Healthy) => g.healthy += 1,
            (_, Health::Unhealthy) => g.unhealthy += 1,
            _ => g.other += 1,
        }
        g.target_ids.push(t.task.private_ip.clone());
    }
    if g.unhealthy > 0 {
        g.reasons.push("Target.FailedHealthChecks".into());
    }
    g
}
