//! ECS Exec and port forwarding in domain terms: what a task's containers say about exec,
//! what the cluster configures, whether exec can work (and what to change when it cannot),
//! and what a session or a forward is.

use super::wire::wire_enum;
use super::{Op, Service, Task};

wire_enum!(
    /// A managed agent's `lastStatus` (the ExecuteCommandAgent of a container).
    AgentStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Stopped = "STOPPED",
    }
);

/// The managed agent ECS Exec needs in each container.
pub const EXEC_AGENT: &str = "ExecuteCommandAgent";

/// One container of a task, as DescribeTasks reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskContainer {
    pub name: String,
    /// The container's runtime id: the last part of an SSM target.
    pub runtime_id: String,
    /// The ExecuteCommandAgent's status; None when ECS reports no such agent.
    pub exec_agent: Option<AgentStatus>,
}

/// A cluster's `executeCommandConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterExec {
    /// The KMS key sessions are encrypted with; empty when none is configured.
    pub kms_key: String,
    /// NONE, DEFAULT or OVERRIDE.
    pub logging: String,
}

/// How the interactive session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// ExecuteCommand sent, or the data channel opening.
    Opening,
    Open,
    Reconnecting,
    /// The session ended: the command's exit code when the agent said it, and why.
    Ended {
        code: Option<i32>,
        reason: String,
    },
    Failed {
        message: String,
        fix: Option<String>,
    },
}

impl Phase {
    pub fn is_over(&self) -> bool {
        matches!(self, Phase::Ended { .. } | Phase::Failed { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardState {
    /// Finding a task, starting the session.
    Starting,
    /// Listening, carrying connections.
    Active,
    /// Its task went (stopped, draining) or its session broke: moving to another task.
    Retargeting,
    /// Waiting before trying again, after a failure it said.
    Failed,
    Stopped,
}

impl ForwardState {
    pub fn word(self) -> &'static str {
        match self {
            ForwardState::Starting => "starting",
            ForwardState::Active => "active",
            ForwardState::Retargeting => "re-targeting",
            ForwardState::Failed => "failed",
            ForwardState::Stopped => "stopped",
        }
    }
}

/// A container to open a session in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecTarget {
    pub cluster: String,
    /// The service that started the task (empty for a task of no service).
    pub service: String,
    pub task_id: String,
    pub task_arn: String,
    pub container: String,
    pub runtime_id: String,
}

impl ExecTarget {
    /// The SSM target: `ecs:<cluster>_<task id>_<runtime id>`.
    pub fn ssm_target(&self) -> String {
        format!("ecs:{}_{}_{}", self.cluster, self.task_id, self.runtime_id)
    }

    /// The target of `container` in `task`, when ECS gave it a runtime id.
    pub fn of(task: &Task, container: &str) -> Option<Self> {
        let c = task.containers.iter().find(|c| c.name == container)?;
        Some(Self {
            cluster: task.cluster.clone(),
            service: task.service.clone(),
            task_id: task.id.clone(),
            task_arn: task.arn.clone(),
            container: c.name.clone(),
            runtime_id: c.runtime_id.clone(),
        })
    }
}

/// What ExecuteCommand or StartSession returned: where and how to connect.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SessionGrant {
    pub session_id: String,
    pub stream_url: String,
    pub token: String,
}

impl std::fmt::Debug for SessionGrant {
    /// The token never prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionGrant")
            .field("session_id", &self.session_id)
            .field("stream_url", &self.stream_url)
            .finish_non_exhaustive()
    }
}

/// Where a forward goes inside the task: a port of the task, or a host it can reach.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemotePort {
    /// None: the task itself (AWS-StartPortForwardingSession).
    pub host: Option<String>,
    pub port: u16,
}

impl RemotePort {
    /// The SSM document and its parameters.
    pub fn document(&self, local_port: u16) -> (&'static str, Vec<(&'static str, String)>) {
        let mut params = vec![
            ("portNumber", self.port.to_string()),
            ("localPortNumber", local_port.to_string()),
        ];
        match &self.host {
            None => ("AWS-StartPortForwardingSession", params),
            Some(h) => {
                params.insert(0, ("host", h.clone()));
                ("AWS-StartPortForwardingSessionToRemoteHost", params)
            }
        }
    }
}

impl std::fmt::Display for RemotePort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.host {
            Some(h) => write!(f, "{h}:{}", self.port),
            None => write!(f, "{}", self.port),
        }
    }
}

/// Why exec cannot work on a container, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    TaskNotRunning {
        status: String,
    },
    /// The service has `enableExecuteCommand` off.
    ServiceExecOff {
        service: String,
        cluster: String,
    },
    /// The task has it off (started before it was turned on, or without it).
    TaskExecOff {
        task: String,
        service_on: bool,
    },
    NoContainer {
        container: String,
    },
    /// The container's ExecuteCommandAgent is not RUNNING (or not reported).
    AgentNotRunning {
        container: String,
        status: Option<AgentStatus>,
    },
    /// Fargate before 1.4.0 has no ECS Exec.
    PlatformTooOld {
        version: String,
    },
}

/// Fargate's first platform version with ECS Exec.
pub const EXEC_PLATFORM: &str = "1.4.0";

impl Blocker {
    /// What is wrong, then what to change.
    pub fn explain(&self) -> (String, String) {
        match self {
            Blocker::TaskNotRunning { status } => (
                format!("the task is {status}, not RUNNING"),
                "pick a running task".into(),
            ),
            Blocker::ServiceExecOff { service, cluster } => (
                format!("enableExecuteCommand is off on service {service}"),
                format!(
                    "turn it on: aws ecs update-service --cluster {cluster} --service {service} \
                     --enable-execute-command --force-new-deployment (new tasks get the agent)"
                ),
            ),
            Blocker::TaskExecOff {
                task,
                service_on: true,
            } => (
                format!("task {task} started before exec was turned on"),
                "force a new deployment (F) so its replacements run the exec agent".into(),
            ),
            Blocker::TaskExecOff {
                task,
                service_on: false,
            } => (
                format!("enableExecuteCommand is off on task {task}"),
                "start tasks with --enable-execute-command (or turn it on on their service)".into(),
            ),
            Blocker::NoContainer { container } => (
                format!("the task has no container {container}"),
                "pick one of the task's containers".into(),
            ),
            Blocker::AgentNotRunning { container, status } => (
                match status {
                    Some(s) => format!("the ExecuteCommandAgent of {container} is {s}"),
                    None => format!("ECS reports no ExecuteCommandAgent in {container}"),
                },
                "the task role needs ssmmessages:CreateControlChannel, CreateDataChannel, \
                 OpenControlChannel and OpenDataChannel, and the task needs a route to the \
                 ssmmessages endpoint; then start new tasks"
                    .into(),
            ),
            Blocker::PlatformTooOld { version } => (
                format!("Fargate platform version {version} has no ECS Exec"),
                format!("run the service on platform version {EXEC_PLATFORM} or LATEST"),
            ),
        }
    }
}

/// What the console knows before the call: what stops exec, and what to be ready for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Readiness {
    pub blockers: Vec<Blocker>,
    /// Said but not blocking (a KMS key the caller needs permission on).
    pub notes: Vec<String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// Whether exec can work on `container` of `task`, from what DescribeTasks, DescribeServices
/// and DescribeClusters said.
pub fn readiness(
    task: &Task,
    container: &str,
    service: Option<&Service>,
    cluster: Option<&ClusterExec>,
) -> Readiness {
    let mut r = Readiness::default();
    if task.last_status != super::TaskStatus::Running {
        r.blockers.push(Blocker::TaskNotRunning {
            status: task.last_status.to_string(),
        });
    }
    let service_on = service.is_some_and(|s| s.exec_enabled);
    if let Some(s) = service.filter(|s| !s.exec_enabled) {
        r.blockers.push(Blocker::ServiceExecOff {
            service: s.name.clone(),
            cluster: s.cluster.clone(),
        });
    }
    if !task.exec_enabled {
        r.blockers.push(Blocker::TaskExecOff {
            task: task.id.clone(),
            service_on,
        });
    }
    if platform_too_old(&task.platform_version) {
        r.blockers.push(Blocker::PlatformTooOld {
            version: task.platform_version.clone(),
        });
    }
    agent_blockers(task, container, &mut r);
    if let Some(c) = cluster.filter(|c| !c.kms_key.is_empty()) {
        r.notes.push(format!(
            "the cluster encrypts exec sessions with KMS key {}: you need kms:GenerateDataKey on \
             it (and the task role kms:Decrypt)",
            c.kms_key
        ));
    }
    r
}

fn agent_blockers(task: &Task, container: &str, r: &mut Readiness) {
    if !task.exec_enabled {
        return; // no agent is expected; the task's setting says why
    }
    match task.containers.iter().find(|c| c.name == container) {
        None => r.blockers.push(Blocker::NoContainer {
            container: container.to_string(),
        }),
        Some(c) if c.exec_agent != Some(AgentStatus::Running) => {
            r.blockers.push(Blocker::AgentNotRunning {
                container: container.to_string(),
                status: c.exec_agent.clone(),
            })
        }
        Some(_) => {}
    }
}

/// A Fargate platform version before 1.4.0 (empty and LATEST are not).
fn platform_too_old(version: &str) -> bool {
    let parts: Vec<u32> = version.split('.').map_while(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [major, minor, ..] => (*major, *minor) < (1, 4),
        _ => false,
    }
}

/// What an AccessDenied on a session's calls means, and the permission to add.
pub fn permission_hint(action: Op, target: &ExecTarget) -> String {
    match action {
        Op::EcsExecuteCommand => format!(
            "add ecs:ExecuteCommand on {} (or arn:aws:ecs:*:*:task/{}/*) to your role",
            target.task_arn, target.cluster
        ),
        Op::SsmStartSession => format!(
            "add ssm:StartSession on the task's target ({}), on arn:aws:ecs:*:*:task/{}/* and \
             on the documents AWS-StartPortForwardingSession and \
             AWS-StartPortForwardingSessionToRemoteHost",
            target.ssm_target(),
            target.cluster
        ),
        Op::KmsGenerateDataKey => "add kms:GenerateDataKey on the cluster's exec KMS key".into(),
        Op::SsmResumeSession => "add ssm:ResumeSession on your own sessions".into(),
        other => format!("add {other} to your role"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_versions_before_1_4_are_too_old() {
        assert!(platform_too_old("1.3.0"));
        assert!(!platform_too_old("1.4.0"));
        assert!(!platform_too_old("LATEST"));
        assert!(!platform_too_old(""));
    }

    #[test]
    fn a_forward_to_a_remote_host_uses_the_remote_host_document() {
        let remote = RemotePort {
            host: Some("db.internal".into()),
            port: 5432,
        };
        let (doc, params) = remote.document(15432);
        assert_eq!(doc, "AWS-StartPortForwardingSessionToRemoteHost");
        assert_eq!(params[0], ("host", "db.internal".to_string()));
        let local = RemotePort {
            host: None,
            port: 80,
        }
        .document(8080);
        assert_eq!(local.0, "AWS-StartPortForwardingSession");
    }
}
