use super::{Millis, TaskDefRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Healthy,
    Unhealthy,
    Unknown,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Health::Healthy => "HEALTHY",
            Health::Unhealthy => "UNHEALTHY",
            Health::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub arn: String,
    pub cluster: String,
    /// The service that started it (`group` is `service:NAME`).
    pub service: String,
    pub task_def: TaskDefRef,
    /// PROVISIONING, PENDING, RUNNING, DEACTIVATING, STOPPING, STOPPED, ...
    pub last_status: String,
    pub desired_status: String,
    pub health: Health,
    pub started_at: Option<Millis>,
    pub stopped_at: Option<Millis>,
    pub stop_code: String,
    pub stop_reason: String,
    pub private_ip: String,
}
