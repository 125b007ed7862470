//! The ECS service-deployment state the shim keeps: one native deployment per registered
//! service (CANARY, LINEAR or BLUE_GREEN), paused at a PAUSE hook, moved on by
//! ContinueServiceDeployment, StopServiceDeployment and the shim's clock.
//!
//! A PAUSE hook at PRE_PRODUCTION_TRAFFIC_SHIFT runs before every traffic shift step (as ECS
//! documents the stage), so a canary pauses twice (before the canary share and before the
//! rest) and a LINEAR deployment before each of its steps. A BLUE_GREEN deployment pauses once,
//! at POST_TEST_TRAFFIC_SHIFT: its new revision takes the test listener's traffic, and the
//! production switch moves everything at once. Every pause is a new hook with its own id and
//! expiry.

use super::wire::AwsError;
use serde_json::{Value, json};

/// Seconds the final shift to 100 % takes before the bake starts.
pub const SHIFT_SECS: f64 = 10.0;
/// Seconds CLEAN_UP (scaling the source revision in) takes.
pub const CLEAN_UP_SECS: f64 = 30.0;
/// Seconds a rollback takes to finish.
pub const ROLLBACK_SECS: f64 = 30.0;

/// How a canary deployment is configured, as the service's `deploymentConfiguration` says.
#[derive(Debug, Clone)]
pub struct CanarySpec {
    /// Cluster and service names, and the service's ARN as moto gave it.
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    /// Task definition ARNs, images and digests of the revision running now and of the new one.
    pub source_task_def: String,
    pub source_image: String,
    pub source_digest: String,
    pub target_task_def: String,
    pub target_image: String,
    pub target_digest: String,
    pub tasks: u32,
    pub canary_percent: f64,
    pub canary_bake_minutes: i64,
    pub bake_minutes: i64,
    pub hook_timeout_minutes: i64,
    /// "ROLLBACK" or "CONTINUE": what ECS does when a hook times out.
    pub timeout_action: String,
    /// Whether DescribeServices names the deployment in `currentServiceDeployment` (ECS does);
    /// without it a client must find it with ListServiceDeployments.
    pub name_current: bool,
    /// CANARY, LINEAR or BLUE_GREEN.
    pub strategy: &'static str,
    /// LINEAR: the share each step moves, and the bake after each step.
    pub step_percent: f64,
    pub step_bake_minutes: i64,
}

impl CanarySpec {
    /// The stage the PAUSE hook gates: BLUE_GREEN pauses once its test traffic is on the new
    /// revision, before the production switch; CANARY and LINEAR before every production step.
    pub fn hook_stage(&self) -> &'static str {
        if self.strategy == "BLUE_GREEN" {
            "POST_TEST_TRAFFIC_SHIFT"
        } else {
            "PRE_PRODUCTION_TRAFFIC_SHIFT"
        }
    }

    /// The production share on the target after the next step from `now`.
    fn next_weight(&self, now: f64) -> f64 {
        match self.strategy {
            "LINEAR" => (now + self.step_percent).min(100.0),
            "BLUE_GREEN" => 100.0,
            _ if now < self.canary_percent => self.canary_percent,
            _ => 100.0,
        }
    }

    /// Minutes a production step bakes before the next pause.
    fn step_bake(&self) -> f64 {
        match self.strategy {
            "LINEAR" => self.step_bake_minutes as f64,
            _ => self.canary_bake_minutes as f64,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub id: String,
    pub status: &'static str,
    pub expires_at: f64,
    pub timeout_action: String,
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub arn: String,
    pub spec: CanarySpec,
    pub target_revision: String,
    pub source_revision: String,
    pub created_at: f64,
    pub status: &'static str,
    pub stage: &'static str,
    /// The production traffic share on the target revision, in percent.
    pub target_weight: f64,
    pub hooks: Vec<Hook>,
    pub updated_at: f64,
    pub finished_at: Option<f64>,
    /// (reason, started at) once a rollback started.
    pub rollback: Option<(String, f64)>,
    /// Hooks made so far, for their ids.
    pauses: u32,
}

impl Deployment {
    /// A canary waiting at its first pause since `now`.
    pub fn paused(arn: String, spec: CanarySpec, revisions: (String, String), now: f64) -> Self {
        let stage = spec.hook_stage();
        let mut d = Self {
            arn,
            spec,
            target_revision: revisions.0,
            source_revision: revisions.1,
            created_at: now - 120.0,
            status: "IN_PROGRESS",
            stage,
            target_weight: 0.0,
            hooks: Vec::new(),
            updated_at: now,
            finished_at: None,
            rollback: None,
            pauses: 0,
        };
        d.pause(now);
        d
    }

    fn pause(&mut self, at: f64) {
        self.pauses += 1;
        self.stage = if self.pauses == 1 {
            self.spec.hook_stage()
        } else {
            "PRE_PRODUCTION_TRAFFIC_SHIFT"
        };
        self.updated_at = at;
        let tail = self
            .arn
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        self.hooks.push(Hook {
            id: format!("pause-{}-{tail}", self.pauses),
            status: "AWAITING_ACTION",
            expires_at: at + self.spec.hook_timeout_minutes as f64 * 60.0,
            timeout_action: self.spec.timeout_action.clone(),
        });
    }

    pub fn waiting_hook(&self) -> Option<&Hook> {
        self.hooks.iter().find(|h| h.status == "AWAITING_ACTION")
    }

    fn waiting_hook_mut(&mut self) -> Option<&mut Hook> {
        self.hooks
            .iter_mut()
            .find(|h| h.status == "AWAITING_ACTION")
    }

    /// The next traffic step after a pause: the canary share, then the rest.
    fn shift(&mut self, at: f64) {
        self.stage = "PRODUCTION_TRAFFIC_SHIFT";
        self.updated_at = at;
        self.target_weight = self.spec.next_weight(self.target_weight);
    }

    fn start_rollback(&mut self, at: f64, reason: String) {
        self.status = "ROLLBACK_IN_PROGRESS";
        self.updated_at = at;
        self.target_weight = 0.0;
        self.rollback = Some((reason, at));
    }

    /// Applies what the clock has made happen by `now`, step by step.
    pub fn settle(&mut self, now: f64) {
        while let Some(at) = self.next_event() {
            if at > now {
                return;
            }
            self.fire(at);
        }
    }

    /// When the next time-driven change happens, if one is due at all.
    fn next_event(&self) -> Option<f64> {
        match (self.status, self.stage) {
            ("IN_PROGRESS", "PRE_PRODUCTION_TRAFFIC_SHIFT" | "POST_TEST_TRAFFIC_SHIFT") => {
                self.waiting_hook().map(|h| h.expires_at)
            }
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT") if self.target_weight < 100.0 => {
                Some(self.updated_at + self.spec.step_bake() * 60.0)
            }
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT") => Some(self.updated_at + SHIFT_SECS),
            ("IN_PROGRESS", "BAKE_TIME") => {
                Some(self.updated_at + self.spec.bake_minutes as f64 * 60.0)
            }
            ("IN_PROGRESS", "CLEAN_UP") => Some(self.updated_at + CLEAN_UP_SECS),
            ("ROLLBACK_IN_PROGRESS", _) => Some(self.updated_at + ROLLBACK_SECS),
            _ => None,
        }
    }

    fn fire(&mut self, at: f64) {
        match (self.status, self.stage) {
            ("IN_PROGRESS", "PRE_PRODUCTION_TRAFFIC_SHIFT" | "POST_TEST_TRAFFIC_SHIFT") => {
                self.time_out(at)
            }
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT") if self.target_weight < 100.0 => {
                self.pause(at)
            }
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT") => {
                self.stage = "BAKE_TIME";
                self.updated_at = at;
            }
            ("IN_PROGRESS", "BAKE_TIME") => {
                self.stage = "CLEAN_UP";
                self.updated_at = at;
            }
            ("IN_PROGRESS", "CLEAN_UP") => {
                self.status = "SUCCESSFUL";
                self.updated_at = at;
                self.finished_at = Some(at);
            }
            ("ROLLBACK_IN_PROGRESS", _) => {
                self.status = "ROLLBACK_SUCCESSFUL";
                self.updated_at = at;
                self.finished_at = Some(at);
            }
            _ => {}
        }
    }

    /// The waiting hook's time ran out: ECS takes its timeout action.
    fn time_out(&mut self, at: f64) {
        let Some(hook) = self.waiting_hook_mut() else {
            return;
        };
        hook.status = "TIMED_OUT";
        let (id, action) = (hook.id.clone(), hook.timeout_action.clone());
        if action == "CONTINUE" {
            self.shift(at);
        } else {
            self.start_rollback(at, format!("Lifecycle hook {id} timed out."));
        }
    }

    /// ContinueServiceDeployment on this deployment.
    pub fn answer(&mut self, hook_id: &str, action: &str, now: f64) -> Result<(), AwsError> {
        let Some(hook) = self.hooks.iter_mut().find(|h| h.id == hook_id) else {
            return Err(AwsError::invalid_parameter(format!(
                "The lifecycle hook {hook_id} does not exist for service deployment {}.",
                self.arn
            )));
        };
        if hook.status != "AWAITING_ACTION" {
            return Err(AwsError::client(format!(
                "The lifecycle hook {hook_id} is not awaiting action: its status is {}.",
                hook.status
            )));
        }
        hook.status = "SUCCEEDED";
        match action {
            "ROLLBACK" => self.start_rollback(
                now,
                format!("Rolled back at lifecycle hook {hook_id} by ContinueServiceDeployment."),
            ),
            _ => self.shift(now),
        }
        Ok(())
    }

    /// StopServiceDeployment on this deployment.
    pub fn stop(&mut self, stop_type: &str, now: f64) -> Result<(), AwsError> {
        if self.status != "IN_PROGRESS" {
            return Err(AwsError::conflict(format!(
                "The service deployment {} is {} and cannot be stopped.",
                self.arn, self.status
            )));
        }
        if let Some(h) = self.waiting_hook_mut() {
            h.status = "FAILED";
        }
        if stop_type == "ABORT" {
            self.status = "STOPPED";
            self.updated_at = now;
            self.finished_at = Some(now);
        } else {
            self.start_rollback(now, "Stopped with StopServiceDeployment.".into());
        }
        Ok(())
    }

    /// Tasks of the target and the source revision.
    fn running(&self) -> (u32, u32) {
        let n = self.spec.tasks;
        match self.status {
            "SUCCESSFUL" => (n, 0),
            "ROLLBACK_SUCCESSFUL" | "STOPPED" => (0, n),
            _ => (n, n),
        }
    }

    /// The `ServiceDeployment` shape of DescribeServiceDeployments.
    pub fn describe(&self) -> Value {
        let (target_running, source_running) = self.running();
        let s = &self.spec;
        let mut d = json!({
            "serviceDeploymentArn": self.arn,
            "serviceArn": s.service_arn,
            "clusterArn": cluster_arn(&s.cluster),
            "createdAt": self.created_at,
            "startedAt": self.created_at + 1.0,
            "updatedAt": self.updated_at,
            "sourceServiceRevisions": [{
                "arn": self.source_revision,
                "requestedTaskCount": s.tasks,
                "runningTaskCount": source_running,
                "pendingTaskCount": 0,
                "requestedTestTrafficWeight": 0.0,
                "requestedProductionTrafficWeight": 100.0 - self.target_weight
            }],
            "targetServiceRevision": {
                "arn": self.target_revision,
                "requestedTaskCount": s.tasks,
                "runningTaskCount": target_running,
                "pendingTaskCount": 0,
                "requestedTestTrafficWeight": 100.0,
                "requestedProductionTrafficWeight": self.target_weight
            },
            "status": self.status,
            "lifecycleStage": self.stage,
            "lifecycleHookDetails": self.hooks.iter().map(|h| json!({
                "hookId": h.id,
                "targetType": "PAUSE",
                "status": h.status,
                "expiresAt": h.expires_at,
                "timeoutAction": h.timeout_action
            })).collect::<Vec<_>>(),
            "deploymentConfiguration": configuration(s),
            "deploymentCircuitBreaker": { "status": "MONITORING", "failureCount": 0, "threshold": 3 }
        });
        if let Some(at) = self.finished_at {
            d["finishedAt"] = json!(at);
        }
        if let Some((reason, at)) = &self.rollback {
            d["statusReason"] = json!(reason);
            d["rollback"] = json!({
                "reason": reason,
                "startedAt": at,
                "serviceRevisionArn": self.source_revision
            });
        }
        d
    }

    /// The `ServiceDeploymentBrief` shape of ListServiceDeployments.
    pub fn brief(&self) -> Value {
        let mut b = json!({
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.spec.service_arn,
            "clusterArn": cluster_arn(&self.spec.cluster),
            "createdAt": self.created_at,
            "startedAt": self.created_at + 1.0,
            "targetServiceRevisionArn": self.target_revision,
            "status": self.status
        });
        if let Some(at) = self.finished_at {
            b["finishedAt"] = json!(at);
        }
        b
    }
}

pub fn cluster_arn(cluster: &str) -> String {
    format!(
        "arn:aws:ecs:{}:{}:cluster/{cluster}",
        super::REGION,
        super::ACCOUNT
    )
}

/// The service's `deploymentConfiguration`, which moto drops: its strategy with a PAUSE hook
/// (before production traffic; after the test traffic for BLUE_GREEN).
pub fn configuration(s: &CanarySpec) -> Value {
    let mut c = json!({
        "deploymentCircuitBreaker": { "enable": true, "rollback": true },
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "strategy": s.strategy,
        "bakeTimeInMinutes": s.bake_minutes,
        "lifecycleHooks": [{
            "targetType": "PAUSE",
            "lifecycleStages": [s.hook_stage()],
            "timeoutConfiguration": {
                "timeoutInMinutes": s.hook_timeout_minutes,
                "action": s.timeout_action
            }
        }]
    });
    match s.strategy {
        "CANARY" => {
            c["canaryConfiguration"] = json!({
                "canaryPercent": s.canary_percent,
                "canaryBakeTimeInMinutes": s.canary_bake_minutes
            });
        }
        "LINEAR" => {
            c["linearConfiguration"] = json!({
                "stepPercent": s.step_percent,
                "stepBakeTimeInMinutes": s.step_bake_minutes
            });
        }
        _ => {}
    }
    c
}
