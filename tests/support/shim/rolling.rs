//! Rolling deployments that move: moto creates a service's first deployment and never moves
//! it, so a test that follows a rollout sets, through the shim, what DescribeServices says of
//! the service's deployments and counts, step by step, in the shape of ECS's `Deployment`.

use serde_json::{Value, json};

/// One `Deployment` of `Service.deployments`, as ECS's JSON protocol gives it.
pub struct Step<'a> {
    pub id: &'a str,
    /// PRIMARY or ACTIVE.
    pub status: &'a str,
    pub task_def_arn: &'a str,
    pub desired: u32,
    pub running: u32,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub rollout_state: &'a str,
    pub reason: &'a str,
    pub failed_tasks: u32,
}

impl Step<'_> {
    pub fn json(&self, at: f64) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "taskDefinition": self.task_def_arn,
            "desiredCount": self.desired,
            "pendingCount": 0,
            "runningCount": self.running,
            "failedTasks": self.failed_tasks,
            "createdAt": at - 60.0,
            "updatedAt": at,
            "launchType": "FARGATE",
            "rolloutState": self.rollout_state,
            "rolloutStateReason": self.reason,
        })
    }
}

/// The fields of a DescribeServices `Service` to set: its deployments and its running count.
pub fn overlay(deployments: &[Step<'_>], running: u32, at: f64) -> Value {
    json!({
        "deployments": deployments.iter().map(|d| d.json(at)).collect::<Vec<_>>(),
        "runningCount": running,
        "pendingCount": 0,
    })
}
