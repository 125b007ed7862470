use super::Millis;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    #[default]
    Rolling,
    BlueGreen,
    Canary,
    Linear,
}

impl Strategy {
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Rolling => "ROLLING",
            Strategy::BlueGreen => "BLUE_GREEN",
            Strategy::Canary => "CANARY",
            Strategy::Linear => "LINEAR",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentStatus {
    Primary,
    Active,
    Inactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
}

impl RolloutState {
    pub fn label(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
        }
    }
}

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
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookStatus {
    AwaitingAction,
    Succeeded,
    Failed,
}

/// A lifecycle hook of a native deployment, such as the PAUSE gate before production traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleHook {
    pub id: String,
    pub stage: String,
    pub status: HookStatus,
    pub expires_at: Millis,
    /// What ECS does when the hook expires: `ROLLBACK` or `CONTINUE`.
    pub timeout_action: String,
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
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ...
    pub status: String,
    pub lifecycle_stage: String,
    pub target: ServiceRevision,
    pub sources: Vec<ServiceRevision>,
    pub hook: Option<LifecycleHook>,
    pub canary_percent: f64,
    pub bake_ends_at: Option<Millis>,
    pub triggered_alarms: Vec<String>,
    pub rollback_reason: Option<String>,
    pub started_at: Millis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEvent {
    pub at: Millis,
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
}

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
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub task_def: TaskDefRef,
    pub image_tag: String,
    pub created_at: Millis,
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
        if let Some(n) = &self.native
            && matches!(
                n.status.as_str(),
                "IN_PROGRESS" | "PENDING" | "ROLLBACK_IN_PROGRESS"
            )
        {
            return Some(RolloutState::InProgress);
        }
        self.primary().map(|d| d.rollout_state)
    }

    /// Progress of the current rollout in 0..=1: running tasks of the primary against desired,
    /// or the production traffic on the target revision of a native deployment.
    pub fn rollout_progress(&self) -> f64 {
        if let Some(n) = &self.native
            && n.status == "IN_PROGRESS"
        {
            return (n.target.requested_production_weight / 100.0).clamp(0.0, 1.0);
        }
        match self.primary() {
            Some(d) if d.desired > 0 => (d.running as f64 / d.desired as f64).min(1.0),
            Some(_) => 1.0,
            None => 0.0,
        }
    }

    /// Settled: one deployment, COMPLETED, with every desired task running. What "wait until
    /// stable" waits for.
    pub fn is_stable(&self) -> bool {
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
