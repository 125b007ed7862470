//! Services whose `deploymentController` is CODE_DEPLOY: their revisions are ECS task sets
//! (PRIMARY and ACTIVE), and a CodeDeploy deployment moves the production traffic from the
//! original task set's target group to the replacement's, by a deployment configuration
//! (all at once, canary or linear), with an optional wait for a manual reroute before and a
//! wait before the original is terminated after.

mod appspec;
mod clean;

use super::wire::wire_enum;
use super::{At, Ms, TaskDefRef};
pub use appspec::{appspec, appspec_task_def, task_def_arn};

wire_enum!(
    /// `Service.deploymentController.type`.
    DeploymentController {
        Ecs = "ECS",
        CodeDeploy = "CODE_DEPLOY",
        External = "EXTERNAL",
    }
);

impl Default for DeploymentController {
    /// ECS's default when a service names none.
    fn default() -> Self {
        DeploymentController::Ecs
    }
}

wire_enum!(
    /// `TaskSet.status`.
    TaskSetStatus {
        Primary = "PRIMARY",
        Active = "ACTIVE",
        Draining = "DRAINING",
    }
);

wire_enum!(
    /// `TaskSet.stabilityStatus`.
    Stability {
        SteadyState = "STEADY_STATE",
        Stabilizing = "STABILIZING",
    }
);

/// One ECS task set of a CODE_DEPLOY service (`Service.taskSets[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSet {
    pub id: String,
    pub arn: String,
    pub status: TaskSetStatus,
    pub task_def: TaskDefRef,
    pub image_tag: String,
    /// `computedDesiredCount`, `runningCount`, `pendingCount`.
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    /// `scale.value` in percent of the service's desired count.
    pub scale_percent: f64,
    pub stability: Stability,
    /// The target groups the task set's tasks register in.
    pub target_groups: Vec<String>,
    /// Who made it: CodeDeploy writes its deployment id here.
    pub external_id: String,
    pub created_at: At,
}

wire_enum!(
    /// `DeploymentInfo.status` of a CodeDeploy deployment.
    CdStatus {
        Created = "Created",
        Queued = "Queued",
        InProgress = "InProgress",
        Baking = "Baking",
        Succeeded = "Succeeded",
        Failed = "Failed",
        Stopped = "Stopped",
        Ready = "Ready",
    }
);

impl CdStatus {
    /// Not finished: promote, abort and roll back act on it.
    pub fn is_moving(&self) -> bool {
        matches!(
            self,
            CdStatus::Created
                | CdStatus::Queued
                | CdStatus::InProgress
                | CdStatus::Baking
                | CdStatus::Ready
        )
    }
}

wire_enum!(
    /// `LifecycleEvent.status` of a deployment target.
    CdEventStatus {
        Pending = "Pending",
        InProgress = "InProgress",
        Succeeded = "Succeeded",
        Failed = "Failed",
        Skipped = "Skipped",
        Unknown = "Unknown",
    }
);

/// One lifecycle event of the ECS deployment target (`BeforeInstall`, `Install`, ...
/// `AfterAllowTraffic`); the `Before*`/`After*` ones run the AppSpec's hooks.
#[derive(Debug, Clone, PartialEq)]
pub struct CdEvent {
    pub name: String,
    pub status: CdEventStatus,
    pub started_at: Option<At>,
    pub ended_at: Option<At>,
}

impl CdEvent {
    /// A hook event (its Lambda function is the AppSpec's), not one CodeDeploy runs itself.
    pub fn is_hook(&self) -> bool {
        self.name.starts_with("Before") || self.name.starts_with("After")
    }
}

wire_enum!(
    /// `EcsTaskSet.taskSetLabel`: Blue is the original, Green the replacement.
    TaskSetLabel {
        Blue = "Blue",
        Green = "Green",
    }
);

/// One side of a CodeDeploy deployment, as its ECS target reports it (`taskSetsInfo[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct CdTaskSet {
    /// The task set's id (`identifer`, as the API spells it).
    pub id: String,
    pub label: TaskSetLabel,
    /// The target group's name.
    pub target_group: String,
    /// Percent of the production traffic.
    pub weight: f64,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
}

/// How a deployment configuration moves the traffic, read from the configuration's name
/// (CodeDeploy's predefined ECS configurations); a custom one is `Named`.
#[derive(Debug, Clone, PartialEq)]
pub enum TrafficShape {
    AllAtOnce,
    /// `percent` first, the rest after `minutes`.
    Canary {
        percent: u32,
        minutes: u32,
    },
    /// `percent` more every `minutes`.
    Linear {
        percent: u32,
        minutes: u32,
    },
    /// A custom configuration: its steps are not known from its name.
    Named,
}

impl TrafficShape {
    /// `CodeDeployDefault.ECSCanary10Percent5Minutes`, `...ECSLinear10PercentEvery1Minutes`,
    /// `...ECSAllAtOnce`.
    pub fn of(config: &str) -> Self {
        let name = config.rsplit('.').next().unwrap_or(config);
        if name.ends_with("AllAtOnce") {
            return TrafficShape::AllAtOnce;
        }
        let numbers = |rest: &str| -> Option<(u32, u32)> {
            let (pct, rest) = rest.split_once("Percent")?;
            let rest = rest.strip_prefix("Every").unwrap_or(rest);
            let mins = rest
                .strip_suffix("Minutes")
                .or(rest.strip_suffix("Minute"))?;
            Some((pct.parse().ok()?, mins.parse().ok()?))
        };
        let found = name
            .split_once("Canary")
            .and_then(|(_, rest)| numbers(rest))
            .map(|(percent, minutes)| TrafficShape::Canary { percent, minutes })
            .or_else(|| {
                name.split_once("Linear")
                    .and_then(|(_, rest)| numbers(rest))
                    .map(|(percent, minutes)| TrafficShape::Linear { percent, minutes })
            });
        found.unwrap_or(TrafficShape::Named)
    }

    /// `canary 10% for 5m`, `linear 10% every 1m`, `all at once`, or `custom`.
    pub fn text(&self) -> String {
        match self {
            TrafficShape::AllAtOnce => "all at once".into(),
            TrafficShape::Canary { percent, minutes } => {
                format!("canary {percent}% for {minutes}m, then the rest")
            }
            TrafficShape::Linear { percent, minutes } => {
                format!("linear {percent}% every {minutes}m")
            }
            TrafficShape::Named => "custom configuration (its steps are not read)".into(),
        }
    }
}

wire_enum!(
    /// `deploymentReadyOption.actionOnTimeout`: what happens when nobody reroutes in time.
    ReadyAction {
        Continue = "CONTINUE_DEPLOYMENT",
        Stop = "STOP_DEPLOYMENT",
    }
);

/// The deployment group that deploys a service, and what a new deployment of it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CdGroup {
    pub application: String,
    pub name: String,
    /// The group's deployment configuration.
    pub config: String,
    /// The container and port the load balancer sends to (the AppSpec's LoadBalancerInfo).
    pub container: String,
    pub port: u16,
    /// The pair of target groups, by name (original's and replacement's alternate).
    pub target_groups: Vec<String>,
    /// Minutes the replacement waits for a manual reroute, and what happens then; None when
    /// the traffic is rerouted as soon as the replacement is ready.
    pub ready_wait: Option<(u32, ReadyAction)>,
    /// Minutes the original task set is kept after the reroute.
    pub termination_wait: Option<u32>,
    /// Whether the group rolls back by itself when a deployment fails.
    pub auto_rollback: bool,
}

/// A CodeDeploy deployment of a service: the one in flight, else the last.
#[derive(Debug, Clone, PartialEq)]
pub struct CdDeployment {
    pub id: String,
    pub status: CdStatus,
    pub config: String,
    /// The revision it deploys (the AppSpec's task definition, else the replacement's).
    pub task_def: TaskDefRef,
    /// Original (Blue) and replacement (Green), from the deployment target.
    pub sets: Vec<CdTaskSet>,
    pub events: Vec<CdEvent>,
    /// CodeDeploy says the wait before the original is terminated has begun.
    pub termination_wait_started: bool,
    pub created_at: At,
    pub completed_at: Option<At>,
    /// `errorInformation.message`, `rollbackInfo.rollbackMessage`.
    pub error: Option<String>,
    pub rollback: Option<String>,
    /// `user`, `codeDeployRollback`, `autoscaling`, ...
    pub creator: String,
}

/// The phase of a deployment that a key acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdWait {
    /// The replacement is ready and waits for the traffic to be rerouted (READY_WAIT).
    Reroute,
    /// The traffic is on the replacement and the original waits for termination
    /// (TERMINATION_WAIT).
    Termination,
}

impl CdWait {
    /// The `deploymentWaitType` ContinueDeployment sends.
    pub fn wire(self) -> &'static str {
        match self {
            CdWait::Reroute => "READY_WAIT",
            CdWait::Termination => "TERMINATION_WAIT",
        }
    }
}

impl CdDeployment {
    fn side(&self, label: &TaskSetLabel) -> Option<&CdTaskSet> {
        self.sets.iter().find(|s| &s.label == label)
    }

    pub fn original(&self) -> Option<&CdTaskSet> {
        self.side(&TaskSetLabel::Blue)
    }

    pub fn replacement(&self) -> Option<&CdTaskSet> {
        self.side(&TaskSetLabel::Green)
    }

    /// Production traffic on the replacement, in percent; None before the target is known.
    pub fn replacement_weight(&self) -> Option<f64> {
        self.replacement().map(|s| s.weight)
    }

    fn event(&self, name: &str) -> Option<&CdEvent> {
        self.events.iter().find(|e| e.name == name)
    }

    fn succeeded(&self, name: &str) -> bool {
        self.event(name)
            .is_some_and(|e| e.status == CdEventStatus::Succeeded)
    }

    /// What the deployment waits for a person to do, if anything.
    pub fn waiting(&self) -> Option<CdWait> {
        match self.status {
            CdStatus::Ready => Some(CdWait::Reroute),
            CdStatus::InProgress | CdStatus::Baking
                if self.termination_wait_started || self.succeeded("AfterAllowTraffic") =>
            {
                Some(CdWait::Termination)
            }
            _ => None,
        }
    }

    /// When the current wait ends by itself: the reroute wait from the moment the
    /// replacement was ready (the end of the last event before the traffic moves), the
    /// termination wait from the end of AfterAllowTraffic.
    pub fn wait_ends_at(&self, group: &CdGroup) -> Option<At> {
        let minutes = |m: u32| Ms::mins(i64::from(m));
        match self.waiting()? {
            CdWait::Reroute => {
                let mins = group.ready_wait.as_ref()?.0;
                let ready = self
                    .events
                    .iter()
                    .filter(|e| e.status == CdEventStatus::Succeeded)
                    .filter_map(|e| e.ended_at)
                    .max()?;
                Some(ready + minutes(mins))
            }
            CdWait::Termination => {
                let shifted = self.event("AfterAllowTraffic")?.ended_at?;
                Some(shifted + minutes(group.termination_wait?))
            }
        }
    }

    /// The lifecycle event under way, or the next one to run.
    pub fn current_event(&self) -> Option<&CdEvent> {
        self.events
            .iter()
            .find(|e| e.status == CdEventStatus::InProgress)
            .or_else(|| {
                self.events
                    .iter()
                    .find(|e| e.status == CdEventStatus::Pending)
            })
    }

    /// A word for where it is: the wait, the event under way, or how it ended.
    pub fn stage(&self) -> String {
        match (self.waiting(), self.status.is_moving()) {
            (Some(CdWait::Reroute), _) => "waiting for reroute".into(),
            (Some(CdWait::Termination), _) => "original waits for termination".into(),
            (None, true) => self
                .current_event()
                .map_or_else(|| self.status.to_string(), |e| e.name.clone()),
            (None, false) => self.status.to_string(),
        }
    }

    /// Status and wait in words, what the runner's re-check compares: the deployment moved on
    /// when either changed.
    pub fn phase(&self) -> String {
        match self.waiting() {
            Some(w) => format!("{} ({})", self.status, w.wire()),
            None => self.status.to_string(),
        }
    }

    /// The task set id a deployment wrote as its external id, to tell its task sets apart.
    pub fn owns(&self, set: &TaskSet) -> bool {
        set.external_id == self.id
    }
}

impl CdDeployment {
    /// How it reads in the history; `from` is the original's revision when known.
    pub fn entry(&self, from: Option<TaskDefRef>, now: At) -> super::PastDeployment {
        use super::history::{Outcome, RollbackCause};
        let reason = [self.error.as_deref(), self.rollback.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let by = || match RollbackCause::from_reason(&reason) {
            // StopDeployment from a person (this console's A or R) says "stopped by the user".
            RollbackCause::Unknown if self.status == CdStatus::Stopped => RollbackCause::Requested,
            c => c,
        };
        let outcome = match self.status {
            _ if self.status.is_moving() => Outcome::InProgress,
            CdStatus::Succeeded => Outcome::Completed,
            CdStatus::Failed | CdStatus::Stopped if self.rollback.is_some() => {
                Outcome::RolledBack {
                    by: by(),
                    to: from.clone(),
                }
            }
            CdStatus::Stopped => Outcome::Stopped,
            _ => Outcome::Failed,
        };
        super::PastDeployment {
            id: self.id.clone(),
            revision: self.task_def.clone(),
            from,
            ended_at: (outcome != Outcome::InProgress).then_some(self.completed_at.unwrap_or(now)),
            outcome,
            is_rollback: self.creator == "codeDeployRollback",
            started_at: self.created_at,
            reason,
        }
    }
}

/// A CODE_DEPLOY service's CodeDeploy side: its deployment group and its deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeDeploy {
    pub group: CdGroup,
    /// The deployment in flight, else the newest one, if any was read.
    pub deployment: Option<CdDeployment>,
}

impl CodeDeploy {
    /// The deployment while it moves: what promote, abort and roll back act on.
    pub fn in_flight(&self) -> Option<&CdDeployment> {
        self.deployment.as_ref().filter(|d| d.status.is_moving())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_names_give_their_traffic_steps() {
        assert_eq!(
            TrafficShape::of("CodeDeployDefault.ECSCanary10Percent5Minutes"),
            TrafficShape::Canary {
                percent: 10,
                minutes: 5
            }
        );
        assert_eq!(
            TrafficShape::of("CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
            TrafficShape::Linear {
                percent: 10,
                minutes: 1
            }
        );
        assert_eq!(
            TrafficShape::of("CodeDeployDefault.ECSAllAtOnce"),
            TrafficShape::AllAtOnce
        );
        assert_eq!(TrafficShape::of("team-slow-rollout"), TrafficShape::Named);
    }

    #[test]
    fn an_appspec_names_its_task_definition_and_reads_back() {
        let arn = task_def_arn(
            "arn:aws:ecs:eu-west-1:111122223333:service/prod/web",
            &TaskDefRef {
                family: "web".into(),
                revision: 41,
            },
        );
        assert_eq!(
            arn,
            "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:41"
        );
        let spec = appspec(&arn, "app", 8080);
        assert_eq!(appspec_task_def(&spec).as_deref(), Some(arn.as_str()));
        let yaml = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"arn:x:web:3\"\n";
        assert_eq!(appspec_task_def(yaml).as_deref(), Some("arn:x:web:3"));
        assert_eq!(appspec_task_def("not: [an appspec"), None);
    }

    fn event(name: &str, status: &str, ended: Option<At>) -> CdEvent {
        CdEvent {
            name: name.into(),
            status: CdEventStatus::parse(status),
            started_at: None,
            ended_at: ended,
        }
    }

    fn group() -> CdGroup {
        CdGroup {
            application: "a".into(),
            name: "g".into(),
            config: "CodeDeployDefault.ECSAllAtOnce".into(),
            container: "app".into(),
            port: 80,
            target_groups: vec![],
            ready_wait: Some((30, ReadyAction::Stop)),
            termination_wait: Some(5),
            auto_rollback: true,
        }
    }

    #[test]
    fn waits_are_read_from_the_status_and_the_events() {
        let mut d = CdDeployment {
            id: "d-1".into(),
            status: CdStatus::Ready,
            config: String::new(),
            task_def: TaskDefRef::default(),
            sets: vec![],
            events: vec![
                event("Install", "Succeeded", Some(At(1_000))),
                event("AfterAllowTestTraffic", "Succeeded", Some(At(2_000))),
                event("AllowTraffic", "Pending", None),
                event("AfterAllowTraffic", "Pending", None),
            ],
            termination_wait_started: false,
            created_at: At(0),
            completed_at: None,
            error: None,
            rollback: None,
            creator: "user".into(),
        };
        assert_eq!(d.waiting(), Some(CdWait::Reroute));
        assert_eq!(d.wait_ends_at(&group()), Some(At(2_000 + 30 * 60_000)));
        assert_eq!(d.stage(), "waiting for reroute");
        d.status = CdStatus::InProgress;
        assert_eq!(d.waiting(), None);
        assert_eq!(d.stage(), "AllowTraffic");
        d.events[2] = event("AllowTraffic", "Succeeded", Some(At(3_000)));
        d.events[3] = event("AfterAllowTraffic", "Succeeded", Some(At(4_000)));
        assert_eq!(d.waiting(), Some(CdWait::Termination));
        assert_eq!(d.wait_ends_at(&group()), Some(At(4_000 + 5 * 60_000)));
        d.status = CdStatus::Succeeded;
        assert_eq!(d.waiting(), None);
        assert_eq!(d.stage(), "Succeeded");
    }
}
