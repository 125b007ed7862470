//! ECS's own events, as EventBridge delivers them (`source` `aws.ecs`): what changed, named
//! well enough for the console to re-read just that service or task. Parsed once at the
//! backend's edge (`cloud::aws::events`); a message that is not one of these is `Skipped`.

use super::wire::wire_enum;
use super::{At, Clean, ServiceKey, TaskStatus};
use std::fmt;

/// Where a context's ECS events come from (`[events]` in the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSource {
    /// An SQS queue an EventBridge rule feeds, read with long polling; a message is deleted
    /// once the console applied it.
    Queue(String),
    /// A CloudWatch Logs group the rule writes to, followed with Live Tail (or polled where
    /// Live Tail is not served), so many consoles can share it.
    LogGroup(String),
}

impl fmt::Display for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventSource::Queue(url) => write!(f, "queue {url}"),
            EventSource::LogGroup(g) => write!(f, "log group {g}"),
        }
    }
}

wire_enum!(
    /// `detail.eventName` of an `ECS Deployment State Change`.
    DeploymentEventName {
        InProgress = "SERVICE_DEPLOYMENT_IN_PROGRESS",
        Completed = "SERVICE_DEPLOYMENT_COMPLETED",
        Failed = "SERVICE_DEPLOYMENT_FAILED",
    }
);

wire_enum!(
    /// `detail.eventType` of a service action or deployment event.
    EventLevel {
        Info = "INFO",
        Warn = "WARN",
        Error = "ERROR",
    }
);

/// A service an event names. An event with a service ARN of the old format
/// (`service/NAME`, without the cluster) and no `clusterArn` leaves the cluster unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceRef {
    pub cluster: Option<String>,
    pub name: String,
}

impl ServiceRef {
    pub fn of(key: &ServiceKey) -> Self {
        Self {
            cluster: Some(key.cluster.clone()),
            name: key.name.clone(),
        }
    }

    /// Whether this names the service `key` (any cluster when the cluster is unknown).
    pub fn names(&self, key: &ServiceKey) -> bool {
        self.name == key.name && self.cluster.as_ref().is_none_or(|c| *c == key.cluster)
    }
}

impl fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cluster {
            Some(c) => write!(f, "{c}/{}", self.name),
            None => write!(f, "?/{}", self.name),
        }
    }
}

/// What an event says changed.
#[derive(Debug, Clone, PartialEq)]
pub enum EventChange {
    /// `ECS Task State Change`: a task moved; `service` is set when a service started it
    /// (`group` is `service:NAME`).
    Task {
        cluster: String,
        task_arn: String,
        service: Option<String>,
        last_status: TaskStatus,
        desired_status: TaskStatus,
        /// The task's version: a duplicate delivery carries the same one.
        version: Option<i64>,
    },
    /// `ECS Deployment State Change`.
    Deployment {
        service: ServiceRef,
        name: DeploymentEventName,
        level: EventLevel,
        deployment_id: String,
        reason: String,
    },
    /// `ECS Service Action` (steady state, task start impaired, placement failure, ...).
    ServiceAction {
        service: ServiceRef,
        /// `detail.eventName`, e.g. `SERVICE_STEADY_STATE`.
        name: String,
        level: EventLevel,
        reason: String,
    },
}

/// One ECS event.
#[derive(Debug, Clone, PartialEq)]
pub struct EcsEvent {
    /// EventBridge's id of the event.
    pub id: String,
    /// When ECS says it happened (`time`).
    pub at: At,
    pub change: EventChange,
}

impl EcsEvent {
    /// The service whose row this event makes stale, if it names one.
    pub fn service(&self) -> Option<ServiceRef> {
        match &self.change {
            EventChange::Task {
                cluster, service, ..
            } => service.as_ref().map(|name| ServiceRef {
                cluster: Some(cluster.clone()),
                name: name.clone(),
            }),
            EventChange::Deployment { service, .. }
            | EventChange::ServiceAction { service, .. } => Some(service.clone()),
        }
    }

    /// The cluster the event happened in, when it says.
    pub fn cluster(&self) -> Option<&str> {
        match &self.change {
            EventChange::Task { cluster, .. } => Some(cluster),
            EventChange::Deployment { service, .. }
            | EventChange::ServiceAction { service, .. } => service.cluster.as_deref(),
        }
    }

    /// Whether the tasks of service `key` are stale after this event.
    pub fn moves_tasks_of(&self, key: &ServiceKey) -> bool {
        match &self.change {
            EventChange::Task { .. } => self.service().is_some_and(|s| s.names(key)),
            // A deployment starting, ending or rolling back starts or stops tasks.
            EventChange::Deployment { service, .. } => service.names(key),
            EventChange::ServiceAction { .. } => false,
        }
    }
}

/// Why a message was skipped instead of applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// Not JSON, or JSON without what the event's type must carry; says what is wrong.
    Malformed(String),
    /// Well formed, but not an ECS event the console reads: another source or detail type,
    /// or another account or region than the context's.
    Foreign(String),
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skipped::Malformed(why) => write!(f, "malformed: {why}"),
            Skipped::Foreign(what) => write!(f, "foreign: {what}"),
        }
    }
}

/// One message from the source: its event, or why it was skipped, and what confirms it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The source's id of the message (an SQS message id, a log event's id), so a message
    /// delivered twice is applied and counted once.
    pub id: String,
    pub event: Result<EcsEvent, Skipped>,
    /// What deletes it from its queue once applied; None for a log group (nothing to delete).
    pub ack: Option<EventAck>,
}

/// The receipt that deletes a queue message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventAck(pub String);

impl Clean for ServiceRef {
    fn clean(&mut self) {
        let ServiceRef { cluster, name } = self;
        cluster.clean();
        name.clean();
    }
}

impl Clean for EcsEvent {
    fn clean(&mut self) {
        let EcsEvent { id, at: _, change } = self;
        id.clean();
        match change {
            EventChange::Task {
                cluster,
                task_arn,
                service,
                last_status: _,
                desired_status: _,
                version: _,
            } => {
                cluster.clean();
                task_arn.clean();
                service.clean();
            }
            EventChange::Deployment {
                service,
                name: _,
                level: _,
                deployment_id,
                reason,
            } => {
                service.clean();
                deployment_id.clean();
                reason.clean();
            }
            EventChange::ServiceAction {
                service,
                name,
                level: _,
                reason,
            } => {
                service.clean();
                name.clean();
                reason.clean();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: &str, n: &str) -> ServiceKey {
        ServiceKey {
            cluster: c.into(),
            name: n.into(),
        }
    }

    #[test]
    fn a_service_without_its_cluster_names_it_in_any_cluster() {
        let r = ServiceRef {
            cluster: None,
            name: "web".into(),
        };
        assert!(r.names(&key("a", "web")) && r.names(&key("b", "web")));
        assert!(!r.names(&key("a", "api")));
        let r = ServiceRef::of(&key("a", "web"));
        assert!(r.names(&key("a", "web")) && !r.names(&key("b", "web")));
    }

    #[test]
    fn a_task_event_names_its_service_and_moves_its_tasks() {
        let e = EcsEvent {
            id: "1".into(),
            at: At(0),
            change: EventChange::Task {
                cluster: "prod".into(),
                task_arn: "arn:aws:ecs:r:1:task/prod/abc".into(),
                service: Some("web".into()),
                last_status: TaskStatus::Running,
                desired_status: TaskStatus::Running,
                version: Some(3),
            },
        };
        assert_eq!(e.service(), Some(ServiceRef::of(&key("prod", "web"))));
        assert!(e.moves_tasks_of(&key("prod", "web")));
        assert!(!e.moves_tasks_of(&key("prod", "api")));
    }
}
