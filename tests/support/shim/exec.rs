//! ECS Exec and port forwarding in the shim: ExecuteCommand, StartSession and ResumeSession
//! answered with sessions on the mock gateway (`support::gateway`), only for tasks registered
//! as exec-ready, with ECS's and SSM's error shapes otherwise; and the exec fields moto leaves
//! out (`enableExecuteCommand`, `platformVersion`, containers' `runtimeId` and
//! `managedAgents`) added to DescribeTasks and DescribeServices answers.

use super::wire::AwsError;
use crate::support::gateway::{Gateway, Plan};
use serde_json::{Value, json};
use std::sync::Arc;

/// A task as ECS Exec sees it.
#[derive(Debug, Clone)]
pub struct ExecTask {
    pub task_arn: String,
    pub runtime_id: String,
    /// The ExecuteCommandAgent's lastStatus.
    pub agent: String,
    pub platform_version: String,
    pub enabled: bool,
}

impl ExecTask {
    pub fn ready(task_arn: &str) -> Self {
        let id = task_arn.rsplit('/').next().unwrap_or(task_arn);
        Self {
            task_arn: task_arn.to_string(),
            runtime_id: format!("{id}-0527074092"),
            agent: "RUNNING".into(),
            platform_version: "1.4.0".into(),
            enabled: true,
        }
    }
}

#[derive(Default)]
pub struct ExecState {
    pub gateway: Option<Arc<Gateway>>,
    pub tasks: Vec<ExecTask>,
    pub services: Vec<String>,
    /// Operations answered with AccessDeniedException.
    pub denied: Vec<String>,
    /// The KMS key sessions ask the client to encrypt with.
    pub kms_key: Option<String>,
    /// The agent version sessions announce.
    pub agent_version: Option<String>,
}

fn access_denied(op: &str, service: &str, resource: &str) -> AwsError {
    AwsError {
        code: "AccessDeniedException",
        message: format!(
            "User: arn:aws:iam::123456789012:user/tester is not authorized to perform: {service}:{op} on resource: {resource}"
        ),
    }
}

impl ExecState {
    fn task(&self, arn_or_id: &str) -> Option<&ExecTask> {
        self.tasks
            .iter()
            .find(|t| t.task_arn == arn_or_id || t.task_arn.ends_with(&format!("/{arn_or_id}")))
    }

    fn plan(&self, target: &str) -> Plan {
        let mut plan = Plan::shell(target);
        plan.kms_key = self.kms_key.clone();
        if let Some(v) = &self.agent_version {
            plan.agent_version = v.clone();
        }
        plan
    }

    /// ExecuteCommand: a session when the task is exec-ready.
    pub fn execute_command(&self, req: &Value) -> Result<Value, AwsError> {
        let task = req["task"].as_str().unwrap_or_default();
        if self.denied.iter().any(|d| d == "ExecuteCommand") {
            return Err(access_denied("ExecuteCommand", "ecs", task));
        }
        let Some(t) = self
            .task(task)
            .filter(|t| t.enabled && t.agent == "RUNNING")
        else {
            return Err(AwsError {
                code: "TargetNotConnectedException",
                message: "The execute command failed due to an internal error. Try again later."
                    .into(),
            });
        };
        if req["interactive"] != json!(true) {
            return Err(AwsError::invalid_parameter(
                "Interactive is the only mode supported currently.".into(),
            ));
        }
        let cluster = req["cluster"].as_str().unwrap_or_default();
        let id = t.task_arn.rsplit('/').next().unwrap_or_default();
        let target = format!("ecs:{cluster}_{id}_{}", t.runtime_id);
        let gw = self.gateway.as_ref().expect("a shim with a gateway");
        let g = gw.open(self.plan(&target));
        Ok(json!({
            "clusterArn": format!("arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}"),
            "containerName": req["container"],
            "interactive": true,
            "taskArn": t.task_arn,
            "session": {"sessionId": g.session_id, "streamUrl": g.stream_url, "tokenValue": g.token},
        }))
    }

    /// StartSession with a port-forwarding document on `ecs:<cluster>_<task>_<runtime>`.
    pub fn start_session(&self, req: &Value) -> Result<Value, AwsError> {
        let target = req["Target"].as_str().unwrap_or_default().to_string();
        if self.denied.iter().any(|d| d == "StartSession") {
            return Err(access_denied("StartSession", "ssm", &target));
        }
        let parts: Vec<&str> = target.trim_start_matches("ecs:").splitn(3, '_').collect();
        let ok = parts.len() == 3
            && self
                .task(parts[1])
                .is_some_and(|t| t.runtime_id == parts[2] && t.enabled);
        if !ok {
            return Err(AwsError {
                code: "TargetNotConnected",
                message: format!("{target} is not connected."),
            });
        }
        let param = |k: &str| req["Parameters"][k][0].as_str().map(str::to_string);
        let port: u16 = param("portNumber")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let host = match req["DocumentName"].as_str() {
            Some("AWS-StartPortForwardingSessionToRemoteHost") => param("host").unwrap_or_default(),
            _ => "127.0.0.1".to_string(),
        };
        let mut plan = self.plan(&target);
        plan.kind = crate::support::gateway::Kind::Port { host, port };
        let g = self
            .gateway
            .as_ref()
            .expect("a shim with a gateway")
            .open(plan);
        Ok(json!({"SessionId": g.session_id, "StreamUrl": g.stream_url, "TokenValue": g.token}))
    }

    pub fn resume(&self, req: &Value) -> Result<Value, AwsError> {
        let id = req["SessionId"].as_str().unwrap_or_default();
        let gw = self.gateway.as_ref().expect("a shim with a gateway");
        match gw.resume(id) {
            Some(g) => Ok(
                json!({"SessionId": g.session_id, "StreamUrl": g.stream_url, "TokenValue": g.token}),
            ),
            None => Err(AwsError {
                code: "DoesNotExistException",
                message: format!("Session {id} does not exist."),
            }),
        }
    }

    /// Adds the exec fields to moto's DescribeTasks answer.
    pub fn add_to_tasks(&self, answer: &mut Value) {
        let Some(tasks) = answer["tasks"].as_array_mut() else {
            return;
        };
        for t in tasks {
            let arn = t["taskArn"].as_str().unwrap_or_default().to_string();
            let Some(e) = self.task(&arn) else { continue };
            t["enableExecuteCommand"] = json!(e.enabled);
            t["platformVersion"] = json!(e.platform_version);
            if let Some(containers) = t["containers"].as_array_mut() {
                for c in containers {
                    c["runtimeId"] = json!(e.runtime_id);
                    c["managedAgents"] =
                        json!([{"name": "ExecuteCommandAgent", "lastStatus": e.agent}]);
                }
            }
        }
    }

    pub fn add_to_services(&self, answer: &mut Value) {
        let Some(services) = answer["services"].as_array_mut() else {
            return;
        };
        for s in services {
            let arn = s["serviceArn"].as_str().unwrap_or_default();
            if self.services.iter().any(|x| x == arn) {
                s["enableExecuteCommand"] = json!(true);
            }
        }
    }
}
