//! CodeDeploy deployments the shim keeps, for what moto's CodeDeploy lacks: it stores
//! applications, groups and deployments, but a deployment never moves, and ContinueDeployment,
//! StopDeployment and GetDeploymentTarget are missing. A deployment registered here is an
//! ECS blue/green one on two task sets: ready and waiting for reroute (the group's
//! `deploymentReadyOption`), then moving production traffic by its configuration (canary,
//! linear or all at once) on the shim's clock, then waiting before the original task set is
//! terminated, then Succeeded. ContinueDeployment and StopDeployment move it, with CodeDeploy's
//! error shapes for a call that does not fit the state.

use super::wire::AwsError;
use serde_json::{Value, json};

/// Seconds AfterAllowTraffic takes once all the traffic is on the replacement.
pub const AFTER_SHIFT_SECS: f64 = 5.0;

/// The lifecycle events of an ECS deployment target, in order.
pub const EVENTS: [&str; 8] = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];

/// How a deployment is set up: its group, its two task sets, its configuration's steps.
#[derive(Debug, Clone)]
pub struct CdSpec {
    pub application: String,
    pub group: String,
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    pub config: String,
    /// The first shift (canary or linear step) in percent, and minutes between shifts;
    /// (100, 0) for all at once.
    pub step_percent: f64,
    pub step_minutes: f64,
    /// Linear: every step adds `step_percent`; canary: the second step moves the rest.
    pub linear: bool,
    pub ready_wait_minutes: f64,
    pub termination_wait_minutes: f64,
    pub original_task_set: String,
    pub replacement_task_set: String,
    pub original_target_group: String,
    pub replacement_target_group: String,
    pub tasks: u32,
    /// The task definition ARN the AppSpec names.
    pub task_def: String,
}

#[derive(Debug, Clone)]
pub struct CdDeployment {
    pub id: String,
    pub spec: CdSpec,
    pub status: &'static str,
    pub created_at: f64,
    /// When the current state began (the ready wait, a shift, the termination wait).
    pub since: f64,
    /// Production traffic on the replacement, in percent.
    pub weight: f64,
    /// (name, status, start, end) of each lifecycle event.
    pub events: Vec<(&'static str, &'static str, Option<f64>, Option<f64>)>,
    pub termination_wait: bool,
    pub completed_at: Option<f64>,
    pub error: Option<String>,
    pub rollback: Option<String>,
    pub creator: &'static str,
}

impl CdDeployment {
    /// A deployment whose replacement is up and tested since `now`: it waits for reroute.
    pub fn ready(id: String, spec: CdSpec, now: f64) -> Self {
        let events = EVENTS
            .iter()
            .enumerate()
            .map(|(i, name)| {
                if i < 5 {
                    let at = now - 60.0 + 10.0 * i as f64;
                    (*name, "Succeeded", Some(at), Some(at + 8.0))
                } else {
                    (*name, "Pending", None, None)
                }
            })
            .collect();
        Self {
            id,
            spec,
            status: "Ready",
            created_at: now - 120.0,
            // The wait began when AfterAllowTestTraffic ended.
            since: now - 60.0 + 40.0 + 8.0,
            weight: 0.0,
            events,
            termination_wait: false,
            completed_at: None,
            error: None,
            rollback: None,
            creator: "user",
        }
    }

    fn set_event(&mut self, name: &str, status: &'static str, at: f64) {
        if let Some(e) = self.events.iter_mut().find(|e| e.0 == name) {
            e.1 = status;
            if status == "InProgress" || e.2.is_none() {
                e.2 = Some(at);
            }
            if matches!(status, "Succeeded" | "Failed" | "Skipped") {
                e.3 = Some(at);
            }
        }
    }

    fn is_moving(&self) -> bool {
        matches!(
            self.status,
            "Created" | "Queued" | "InProgress" | "Baking" | "Ready"
        )
    }

    /// The first production shift: the canary's or linear's first step, or everything.
    fn reroute(&mut self, at: f64) {
        self.status = "InProgress";
        self.set_event("BeforeAllowTraffic", "Succeeded", at);
        self.set_event("AllowTraffic", "InProgress", at);
        self.weight = self.spec.step_percent.min(100.0);
        self.since = at;
    }

    /// When the clock next changes the deployment, if it will.
    fn next_event(&self) -> Option<f64> {
        match self.status {
            "Ready" => Some(self.since + self.spec.ready_wait_minutes * 60.0),
            "InProgress" if self.termination_wait => {
                Some(self.since + self.spec.termination_wait_minutes * 60.0)
            }
            "InProgress" if self.weight >= 100.0 => Some(self.since + AFTER_SHIFT_SECS),
            "InProgress" => Some(self.since + self.spec.step_minutes * 60.0),
            _ => None,
        }
    }

    fn fire(&mut self, at: f64) {
        match self.status {
            // Nobody rerouted in time: STOP_DEPLOYMENT.
            "Ready" => {
                self.status = "Stopped";
                self.completed_at = Some(at);
                self.error = Some(
                    "The deployment timed out while waiting for the traffic to be rerouted.".into(),
                );
            }
            "InProgress" if self.termination_wait => {
                self.status = "Succeeded";
                self.completed_at = Some(at);
            }
            "InProgress" if self.weight >= 100.0 => {
                self.set_event("AllowTraffic", "Succeeded", at - AFTER_SHIFT_SECS);
                self.set_event("AfterAllowTraffic", "Succeeded", at);
                self.termination_wait = true;
                self.since = at;
            }
            "InProgress" => {
                self.weight = if self.spec.linear {
                    (self.weight + self.spec.step_percent).min(100.0)
                } else {
                    100.0
                };
                self.since = at;
            }
            _ => {}
        }
    }

    /// Applies what the clock has made happen by `now`, step by step.
    pub fn settle(&mut self, now: f64) {
        while let Some(at) = self.next_event().filter(|at| *at <= now) {
            self.fire(at);
        }
    }

    /// ContinueDeployment, with the errors CodeDeploy's model lists for it.
    pub fn continue_(&mut self, wait_type: &str, now: f64) -> Result<(), AwsError> {
        if !self.is_moving() {
            return Err(AwsError::cd(
                "DeploymentAlreadyCompletedException",
                format!("The deployment {} has already completed.", self.id),
            ));
        }
        match wait_type {
            "READY_WAIT" if self.status == "Ready" => self.reroute(now),
            "READY_WAIT" => {
                return Err(AwsError::cd(
                    "DeploymentIsNotInReadyStateException",
                    format!("The deployment {} is not in a ready state.", self.id),
                ));
            }
            "TERMINATION_WAIT" if self.termination_wait => {
                self.status = "Succeeded";
                self.completed_at = Some(now);
            }
            _ => {
                return Err(AwsError::cd(
                    "InvalidDeploymentWaitTypeException",
                    format!("The deployment {} is not waiting for {wait_type}.", self.id),
                ));
            }
        }
        Ok(())
    }

    /// StopDeployment; with `rollback` the traffic goes back to the original at once.
    pub fn stop(&mut self, rollback: bool, now: f64) -> Result<Value, AwsError> {
        if !self.is_moving() {
            return Err(AwsError::cd(
                "DeploymentAlreadyCompletedException",
                format!("The deployment {} has already completed.", self.id),
            ));
        }
        self.status = "Stopped";
        self.completed_at = Some(now);
        self.error = Some("The deployment was stopped by the user.".into());
        for e in &mut self.events {
            if matches!(e.1, "Pending" | "InProgress") {
                e.1 = "Skipped";
                e.3 = Some(now);
            }
        }
        if rollback {
            self.weight = 0.0;
            self.rollback = Some(format!(
                "Deployment {} was stopped by the user and its traffic rolled back.",
                self.id
            ));
        }
        Ok(json!({ "status": "Succeeded", "statusMessage": "Stopped and rolled back" }))
    }

    fn appspec(&self) -> String {
        format!(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"{}\"\n",
            self.spec.task_def
        )
    }

    /// GetDeployment's `deploymentInfo`.
    pub fn info(&self) -> Value {
        let mut d = json!({
            "applicationName": self.spec.application,
            "deploymentGroupName": self.spec.group,
            "deploymentConfigName": self.spec.config,
            "deploymentId": self.id,
            "revision": {
                "revisionType": "AppSpecContent",
                "appSpecContent": { "content": self.appspec() }
            },
            "status": self.status,
            "createTime": self.created_at,
            "startTime": self.created_at + 1.0,
            "creator": self.creator,
            "ignoreApplicationStopFailures": false,
            "updateOutdatedInstancesOnly": false,
            "instanceTerminationWaitTimeStarted": self.termination_wait,
            "deploymentStyle": { "deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL" },
            "computePlatform": "ECS"
        });
        if let Some(at) = self.completed_at {
            d["completeTime"] = json!(at);
        }
        if let Some(e) = &self.error {
            d["errorInformation"] = json!({ "code": "MANUAL_STOP", "message": e });
        }
        if let Some(r) = &self.rollback {
            d["rollbackInfo"] =
                json!({ "rollbackMessage": r, "rollbackDeploymentId": format!("{}-rb", self.id) });
        }
        d
    }

    /// (desired, running) of the original and the replacement task sets.
    pub fn counts(&self) -> ((u32, u32), (u32, u32)) {
        let n = self.spec.tasks;
        match self.status {
            "Succeeded" => ((0, 0), (n, n)),
            "Stopped" => ((n, n), (0, 0)),
            _ => ((n, n), (n, n)),
        }
    }

    /// GetDeploymentTarget's ECS target.
    pub fn target(&self) -> Value {
        let s = &self.spec;
        let ((od, or), (rd, rr)) = self.counts();
        let set =
            |id: &str, tg: &str, weight: f64, label: &str, (d, r): (u32, u32), status: &str| {
                json!({
                    "identifer": id, "desiredCount": d, "pendingCount": 0, "runningCount": r,
                    "status": status, "trafficWeight": weight,
                    "targetGroup": { "name": tg }, "taskSetLabel": label
                })
            };
        json!({ "deploymentTarget": {
            "deploymentTargetType": "ECSTarget",
            "ecsTarget": {
                "deploymentId": self.id,
                "targetId": format!("{}:{}", s.cluster, s.service),
                "targetArn": s.service_arn,
                "lastUpdatedAt": self.since,
                "lifecycleEvents": self.events.iter().map(|(name, status, start, end)| {
                    let mut e = json!({ "lifecycleEventName": name, "status": status });
                    if let Some(t) = start { e["startTime"] = json!(t); }
                    if let Some(t) = end { e["endTime"] = json!(t); }
                    e
                }).collect::<Vec<_>>(),
                "status": if self.is_moving() { "InProgress" } else { self.status },
                "taskSetsInfo": [
                    set(&s.original_task_set, &s.original_target_group, 100.0 - self.weight, "Blue", (od, or), "PRIMARY"),
                    set(&s.replacement_task_set, &s.replacement_target_group, self.weight, "Green", (rd, rr), "ACTIVE")
                ]
            }
        }})
    }
}
