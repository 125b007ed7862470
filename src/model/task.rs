use crate::model::wire::wire_enum;
use crate::model::{At, TaskDefRef};

wire_enum!(
    /// A task's `healthStatus`.
    Health {
        Healthy = "HEALTHY",
        Unhealthy = "UNHEALTHY",
        Unknown = "UNKNOWN",
    }
);

wire_enum!(
    /// A task's `lastStatus` or `desiredStatus`.
    TaskStatus {
        Provisioning = "PROVISIONING",
        Pending = "PENDING",
        Activating = "ACTIVATING",
        Running = "RUNNING",
        Deactivating = "DEACTIVATING",
        Stopping = "STOPPING",
        Deprovisioning = "DEPROVISIONING",
        Stopped = "STOPPED",
        Deleted = "DELETED",
    }
);

impl TaskStatus {
    /// Not yet running: counted as pending by a service.
    pub fn is_starting(&self) -> bool {
        matches!(
            self,
            TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Activating
        )
    }

    pub fn is_stopped(&self) -> bool {
        matches!(self, TaskStatus::Stopped | TaskStatus::Deleted)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub arn: String,
    pub cluster: String,
    /// The service that started it (`group` is `service:NAME`).
    pub service: String,
    pub task_def: TaskDefRef,
    pub last_status: TaskStatus,
    pub desired_status: TaskStatus,
    pub health: Health,
    pub started_at: Option<At>,
    pub stopped_at: Option<At>,
    pub stop_code: String,
    pub stop_reason: String,
    /// The exit code of the first container that exited with one, once it stopped.
    pub exit_code: Option<i32>,
    pub private_ip: String,
    /// `enableExecuteCommand`: ECS started the exec agent in its containers.
    pub exec_enabled: bool,
    /// The Fargate platform version it runs on (empty on EC2).
    pub platform_version: String,
    /// Its containers, with their runtime ids and exec agents.
    pub containers: Vec<super::TaskContainer>,
}

impl Task {
    /// The health to show: a stopped task has none, whatever it last reported.
    pub fn current_health(&self) -> Option<&Health> {
        (!self.last_status.is_stopped()).then_some(&self.health)
    }
}
