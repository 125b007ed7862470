use crate::model::At;
use crate::model::wire::wire_enum;
use std::fmt;

/// Identifies one service across refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceKey {
    pub cluster: String,
    pub name: String,
}

impl fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.cluster, self.name)
    }
}

/// `family:revision` of a task definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskDefRef {
    pub family: String,
    pub revision: u32,
}

impl fmt::Display for TaskDefRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.family, self.revision)
    }
}

wire_enum!(
    /// `DeploymentConfiguration.strategy`.
    Strategy {
        Rolling = "ROLLING",
        BlueGreen = "BLUE_GREEN",
        Canary = "CANARY",
        Linear = "LINEAR",
    }
);

impl Default for Strategy {
    /// ECS's default when a service names no strategy.
    fn default() -> Self {
        Strategy::Rolling
    }
}

impl Strategy {
    /// BLUE_GREEN, CANARY and LINEAR run as service deployments with lifecycle stages.
    pub fn is_native(&self) -> bool {
        *self != Strategy::Rolling
    }
}

wire_enum!(
    /// `Service.status`.
    ServiceStatus {
        Active = "ACTIVE",
        Draining = "DRAINING",
        Inactive = "INACTIVE",
    }
);

wire_enum!(
    /// `Deployment.status` of a rolling deployment.
    DeploymentStatus {
        Primary = "PRIMARY",
        Active = "ACTIVE",
        Inactive = "INACTIVE",
    }
);

wire_enum!(
    /// `Deployment.rolloutState` of a rolling deployment.
    RolloutState {
        InProgress = "IN_PROGRESS",
        Completed = "COMPLETED",
        Failed = "FAILED",
    }
);

wire_enum!(
    /// `ServiceDeployment.status` of a native deployment.
    NativeStatus {
        Pending = "PENDING",
        InProgress = "IN_PROGRESS",
        Successful = "SUCCESSFUL",
        StopRequested = "STOP_REQUESTED",
        Stopped = "STOPPED",
        RollbackRequested = "ROLLBACK_REQUESTED",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackSuccessful = "ROLLBACK_SUCCESSFUL",
        RollbackFailed = "ROLLBACK_FAILED",
    }
);

impl NativeStatus {
    /// Still moving: the services pane shows it as a rollout in progress.
    pub fn is_moving(&self) -> bool {
        matches!(
            self,
            NativeStatus::Pending | NativeStatus::InProgress | NativeStatus::RollbackInProgress
        )
    }
}

wire_enum!(
    /// `ServiceDeployment.lifecycleStage`.
    LifecycleStage {
        ReconcileService = "RECONCILE_SERVICE",
        PreScaleUp = "PRE_SCALE_UP",
        ScaleUp = "SCALE_UP",
        PostScaleUp = "POST_SCALE_UP",
        TestTrafficShift = "TEST_TRAFFIC_SHIFT",
        PostTestTrafficShift = "POST_TEST_TRAFFIC_SHIFT",
        PreProductionTrafficShift = "PRE_PRODUCTION_TRAFFIC_SHIFT",
        ProductionTrafficShift = "PRODUCTION_TRAFFIC_SHIFT",
        PostProductionTrafficShift = "POST_PRODUCTION_TRAFFIC_SHIFT",
        BakeTime = "BAKE_TIME",
        CleanUp = "CLEAN_UP",
    }
);

/// The deployment circuit breaker of one rolling deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitBreaker {
    pub rollback: bool,
    /// Failed tasks that trip the breaker (ECS: half the desired count, 3 to 200).
    pub threshold: u32,
}

/// One entry of `Service.deployments[]` (classic rolling deployments).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub status: DeploymentStatus,
    pub rollout_state: RolloutState,
    pub rollout_reason: String,
    pub task_def: TaskDefRef,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed_tasks: u32,
    pub created_at: At,
    pub updated_at: At,
}

wire_enum!(
    /// `lifecycleHookDetails[].status`.
    HookStatus {
        AwaitingAction = "AWAITING_ACTION",
        InProgress = "IN_PROGRESS",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        TimedOut = "TIMED_OUT",
    }
);

wire_enum!(
    /// What ECS does when a hook's time runs out.
    TimeoutAction {
        Rollback = "ROLLBACK",
        Continue = "CONTINUE",
    }
);

/// A lifecycle hook of a native deployment, such as the PAUSE gate before production traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleHook {
    pub id: String,
    /// The stage it runs at, when known: its own, not the deployment's stage now.
    pub stage: Option<LifecycleStage>,
    pub status: HookStatus,
    pub expires_at: At,
    /// What ECS does when the hook expires.
    pub timeout_action: TimeoutAction,
}

/// One service revision taking part in a native deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRevision {
    pub arn: String,
    pub task_def: TaskDefRef,
    pub image_tag: String,
    pub image_digest: String,
    pub running: u32,
    pub requested_production_weight: f64,
    pub requested_test_weight: f64,
}

/// A native ECS deployment (BLUE_GREEN, CANARY or LINEAR), from the service-deployment APIs.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeDeployment {
    pub arn: String,
    pub strategy: Strategy,
    pub status: NativeStatus,
    pub lifecycle_stage: LifecycleStage,
    pub target: ServiceRevision,
    pub sources: Vec<ServiceRevision>,
    pub hook: Option<LifecycleHook>,
    pub canary_percent: f64,
    pub bake_ends_at: Option<At>,
    /// The deployment's configured bake in minutes: the canary's bake (CANARY), a step's
    /// (LINEAR), else the final bake; None when the configuration does not say.
    pub bake_minutes: Option<u32>,
    pub triggered_alarms: Vec<String>,
    /// The alarms the deployment watches (`alarms.alarmNames`).
    pub watched_alarms: Vec<String>,
    pub rollback_reason: Option<String>,
    pub started_at: At,
}

impl NativeDeployment {
    /// The PAUSE hook waiting for a promote or an abort, if one is.
    pub fn waiting_hook(&self) -> Option<&LifecycleHook> {
        self.hook
            .as_ref()
            .filter(|h| h.status == HookStatus::AwaitingAction)
    }

    /// The revision a rollback returns to: the first source revision.
    pub fn source(&self) -> Option<&ServiceRevision> {
        self.sources.first()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEvent {
    pub at: At,
    pub message: String,
}

/// The health of the targets of one target group a service registers its tasks in (elbv2
/// `describe_target_health`).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupHealth {
    pub target_group_arn: String,
    pub healthy: u32,
    pub unhealthy: u32,
    /// initial, draining, unused, unavailable: neither healthy nor unhealthy.
    pub other: u32,
    /// Distinct reason codes (with their descriptions) of the unhealthy targets, at most 3.
    pub reasons: Vec<String>,
    /// The registered targets' ids (task IPs for `ip` target groups), at most
    /// `TARGET_IDS_KEPT`: which revision's tasks a target group serves.
    pub target_ids: Vec<String>,
}

/// Target ids kept per target group.
pub const TARGET_IDS_KEPT: usize = 200;

impl TargetGroupHealth {
    pub fn name(&self) -> &str {
        target_group_name(&self.target_group_arn)
    }
}

/// The short name of a target group: `tg-name` of `...:targetgroup/tg-name/0123abcd`.
pub fn target_group_name(arn: &str) -> &str {
    match arn.split_once("targetgroup/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => arn,
    }
}

/// A load-balancer listener rule that forwards to several target groups by weight: how the
/// traffic of a paired canary with a target group of its own is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedRoute {
    pub listener_arn: String,
    pub rule_arn: String,
    /// The listener's default rule, which only ModifyListener can change.
    pub is_default: bool,
    /// (target group ARN, weight 0..=999), in the rule's order.
    pub weights: Vec<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub status: ServiceStatus,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub task_def: TaskDefRef,
    pub image_tag: String,
    pub created_at: At,
    pub strategy: Strategy,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub deployments: Vec<Deployment>,
    pub native: Option<NativeDeployment>,
    pub events: Vec<ServiceEvent>,
    /// The service this one is the canary of, from the tag `deckwatch:canary-of`. A service
    /// named `X-canary` beside `X` is paired too, by name (see `model::pair_of`).
    pub canary_of: Option<String>,
    /// The newest registered (ACTIVE) revision of the family below the current one: where a
    /// rollback of a finished rolling deployment goes. None when there is none, or unknown.
    pub previous_task_def: Option<TaskDefRef>,
    /// CPU and memory utilisation in percent, oldest first, one point a minute.
    pub cpu: Vec<f64>,
    pub mem: Vec<f64>,
    /// Target health of the service's load-balancer target groups; empty without a load
    /// balancer or when it could not be read.
    pub targets: Vec<TargetGroupHealth>,
    /// The ARNs of the target groups the service registers its tasks in.
    pub target_groups: Vec<String>,
    /// Weighted listener rules forwarding to one of `target_groups` and at least one other
    /// target group. Read only for paired services (see `model::pair_of`).
    pub routes: Vec<WeightedRoute>,
    /// Why `routes` could not be read, if they could not: the split is then unknown.
    pub routes_error: Option<String>,
    /// The alternate target groups of a native BLUE_GREEN, CANARY or LINEAR service
    /// (`loadBalancers[].advancedConfiguration`): where the new revision registers.
    pub alternate_target_groups: Vec<String>,
    /// The alarms the service's deployments watch (`deploymentConfiguration.alarms`).
    pub watched_alarms: Vec<String>,
    /// Alarm names (or `prefix-*`) the service's tag `deckwatch:alarms` names.
    pub alarm_tags: Vec<String>,
    /// The last deployments and their outcomes, newest first. Backends leave it empty; the
    /// console keeps it across refreshes (see `model::history`).
    pub history: Vec<crate::model::PastDeployment>,
    /// The workflow that builds it, from its tags `deckwatch:repo`, `deckwatch:workflow` and
    /// `deckwatch:ref` (a `[[build]]` entry in the config wins over them); Err names a tag
    /// whose value GitHub could not have given, which is never sent.
    pub build: Option<Result<super::BuildSource, super::BadBuildTag>>,
    /// Who deploys it: ECS itself, or CodeDeploy on task sets.
    pub controller: crate::model::DeploymentController,
    /// The task sets of a CODE_DEPLOY (or EXTERNAL) service, PRIMARY first.
    pub task_sets: Vec<crate::model::TaskSet>,
    /// A CODE_DEPLOY service's deployment group and deployment; None when not read.
    pub codedeploy: Option<crate::model::CodeDeploy>,
    /// The service's tags (key, value): who owns it (Copilot's tags, an `[iac]` convention).
    pub tags: Vec<(String, String)>,
    /// `enableExecuteCommand`: tasks it starts run the ECS Exec agent.
    pub exec_enabled: bool,
    /// What one task asks for and where it runs: what its cost estimate is made of.
    pub footprint: crate::model::cost::Footprint,
    /// The estimate in USD an hour at its running tasks, from its context's prices: set by the
    /// console (backends leave it None), for the COST sort. None: not known.
    pub cost_per_hour: Option<f64>,
}

/// CPU and memory utilisation in percent, oldest first, one point a minute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Utilisation {
    pub cpu: Vec<f64>,
    pub mem: Vec<f64>,
}

impl Service {
    pub fn key(&self) -> ServiceKey {
        ServiceKey {
            cluster: self.cluster.clone(),
            name: self.name.clone(),
        }
    }

    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary)
    }

    /// The rollout the services pane summarises: a native deployment still moving, otherwise
    /// the primary rolling deployment.
    pub fn rollout_state(&self) -> Option<RolloutState> {
        if self.native.as_ref().is_some_and(|n| n.status.is_moving())
            || self.cd_in_flight().is_some()
        {
            return Some(RolloutState::InProgress);
        }
        self.primary().map(|d| d.rollout_state.clone())
    }

    /// Progress of the current rollout in 0..=1: running tasks of the primary against desired,
    /// or the production traffic on the target revision of a native deployment.
    pub fn rollout_progress(&self) -> f64 {
        if let Some(n) = self.native_in_progress() {
            return (n.target.requested_production_weight / 100.0).clamp(0.0, 1.0);
        }
        if let Some(w) = self.cd_in_flight().and_then(|d| d.replacement_weight()) {
            return (w / 100.0).clamp(0.0, 1.0);
        }
        match self.primary() {
            Some(d) if d.desired > 0 => (d.running as f64 / d.desired as f64).min(1.0),
            Some(_) => 1.0,
            None => 0.0,
        }
    }

    /// The native deployment, while it is IN_PROGRESS: what promote and abort act on.
    pub fn native_in_progress(&self) -> Option<&NativeDeployment> {
        self.native
            .as_ref()
            .filter(|n| n.status == NativeStatus::InProgress)
    }

    /// A CODE_DEPLOY service's CodeDeploy deployment while it moves.
    pub fn cd_in_flight(&self) -> Option<&super::CdDeployment> {
        self.codedeploy.as_ref().and_then(|c| c.in_flight())
    }

    /// The primary rolling deployment while it rolls out (not for native strategies).
    pub fn rolling_in_progress(&self) -> Option<&Deployment> {
        self.primary()
            .filter(|d| d.rollout_state == RolloutState::InProgress && self.native.is_none())
    }

    /// The most failed tasks of any of the service's rolling deployments: what the circuit
    /// breaker counts.
    pub fn max_failed_tasks(&self) -> u32 {
        self.deployments
            .iter()
            .map(|d| d.failed_tasks)
            .max()
            .unwrap_or(0)
    }

    /// The revision a rollout moves to: a moving native deployment's target, else the
    /// primary's, else the service's own.
    pub fn target_revision(&self) -> u32 {
        if let Some(d) = self.cd_in_flight() {
            return d.task_def.revision;
        }
        match (&self.native, self.primary()) {
            (Some(n), _) if self.in_progress() => n.target.task_def.revision,
            (_, Some(d)) => d.task_def.revision,
            _ => self.task_def.revision,
        }
    }

    /// The last task definition that completed its rollout and is still around (an ACTIVE
    /// deployment): where aborting a rolling deployment in flight goes back to.
    pub fn stable_before(&self) -> Option<&TaskDefRef> {
        self.deployments
            .iter()
            .find(|d| {
                d.status == DeploymentStatus::Active && d.rollout_state == RolloutState::Completed
            })
            .map(|d| &d.task_def)
    }

    /// Settled: one deployment, COMPLETED, with every desired task running. What "wait until
    /// stable" waits for.
    pub fn is_stable(&self) -> bool {
        if self.controller == super::DeploymentController::CodeDeploy {
            // Task sets instead of deployments: one left, steady, every task running.
            return self.cd_in_flight().is_none()
                && self.task_sets.len() == 1
                && self.task_sets.iter().all(|t| {
                    t.stability == super::Stability::SteadyState && t.running == t.desired
                })
                && self.running == self.desired;
        }
        self.deployments.len() == 1
            && self
                .primary()
                .is_some_and(|d| d.rollout_state == RolloutState::Completed)
            && self.running == self.desired
    }

    pub fn in_progress(&self) -> bool {
        self.rollout_state() == Some(RolloutState::InProgress)
    }
}
