//! An ECS-deployments shim in front of moto: the service-deployment APIs moto lacks
//! (ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
//! ContinueServiceDeployment, StopServiceDeployment), answered in the shapes the AWS API
//! reference and the SDK's model give, from state kept per service; the
//! `deploymentConfiguration` moto drops, added back to DescribeServices answers; every other
//! request forwarded to moto as it is.
//!
//! For rolling deployments, which moto never moves, a test sets what DescribeServices says of
//! a service's deployments and counts (`rolling`).
//!
//! A test starts one in front of its moto, registers a canary with `canary`, points the
//! console or a fleet at `url()`, and reads back the calls it received. Its clock is the wall
//! clock plus what `skip` added, so a test can let a bake or a hook's timeout pass at once.
//! It runs on a thread of its own, so a test that blocks (the PTY helpers do) cannot stall it.

#![allow(dead_code)] // each test binary uses a part of the helpers

pub mod cd_seeded;
pub mod codedeploy;
pub mod deployments;
pub mod exec;
pub mod rolling;
pub mod seeded;
mod server;
pub mod sso;
mod stacks;
pub mod wire;

pub use deployments::{CanarySpec, Deployment};

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use wire::AwsError;
mod cd_wire;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// One request the shim received: the operation and, for JSON protocols, the body.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub body: Value,
}

#[derive(Default)]
struct State {
    deployments: Vec<Deployment>,
    /// Earlier, finished deployments (ListServiceDeployments lists them too).
    history: Vec<Value>,
    /// Service revisions by ARN.
    revisions: Vec<(String, Value)>,
    calls: Vec<Call>,
    /// Seconds added to the wall clock.
    offset: f64,
    /// CodeDeploy deployments, oldest first.
    cd: Vec<codedeploy::CdDeployment>,
    /// Fields set on a service's DescribeServices answer, by service ARN (`rolling`).
    overlays: Vec<(String, Value)>,
}

pub(crate) struct Inner {
    moto: String,
    state: Mutex<State>,
    /// ECS Exec and port forwarding: the gateway, the exec-ready tasks and services.
    pub(crate) exec: Mutex<exec::ExecState>,
    /// The SSO portal, once a test grants roles in it.
    pub(crate) sso: Mutex<Option<sso::Portal>>,
}

pub struct Shim {
    inner: Arc<Inner>,
    server: server::Running,
}

impl Shim {
    /// Starts a shim on a free local port in front of the moto at `moto_url`.
    pub fn start(moto_url: &str) -> Self {
        Self::with_gateway(moto_url, None)
    }

    /// A shim that answers ExecuteCommand and StartSession with sessions on `gateway`.
    pub fn with_gateway(
        moto_url: &str,
        gateway: Option<Arc<crate::support::gateway::Gateway>>,
    ) -> Self {
        let inner = Arc::new(Inner {
            moto: moto_url.trim_end_matches('/').to_string(),
            state: Mutex::new(State::default()),
            exec: Mutex::new(exec::ExecState {
                gateway,
                ..exec::ExecState::default()
            }),
            sso: Mutex::new(None),
        });
        let server = server::Running::start(inner.clone());
        Self { inner, server }
    }

    fn exec(&self) -> std::sync::MutexGuard<'_, exec::ExecState> {
        self.inner.exec.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A task ECS Exec works on (or, with its fields changed, one it does not).
    pub fn exec_task(&self, task: exec::ExecTask) {
        let mut e = self.exec();
        e.tasks.retain(|t| t.task_arn != task.task_arn);
        e.tasks.push(task);
    }

    /// A service with `enableExecuteCommand` on.
    pub fn exec_service(&self, service_arn: &str) {
        self.exec().services.push(service_arn.to_string());
    }

    /// `operation` (ExecuteCommand, StartSession) is answered with AccessDeniedException.
    pub fn deny(&self, operation: &str) {
        self.exec().denied.push(operation.to_string());
    }

    /// Sessions ask the client for KMS encryption with this key.
    pub fn session_kms(&self, key: &str) {
        self.exec().kms_key = Some(key.to_string());
    }

    /// The agent version sessions announce (e.g. one before smux).
    pub fn agent_version(&self, version: &str) {
        self.exec().agent_version = Some(version.to_string());
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// The SSO portal answers with these grants to the holder of `portal.bearer`.
    pub fn sso_portal(&self, portal: sso::Portal) {
        *self.inner.sso.lock().unwrap_or_else(|e| e.into_inner()) = Some(portal);
    }

    /// Registers a CANARY deployment of `spec`'s service, waiting at its first PAUSE hook;
    /// returns the deployment's ARN.
    pub fn canary(&self, spec: CanarySpec) -> String {
        let mut st = self.inner.lock();
        let now = wall_clock() + st.offset;
        let n = st.deployments.len() + st.history.len();
        let base = format!("{}/{}", spec.cluster, spec.service);
        let arn =
            |kind: &str, id: String| format!("arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/{base}/{id}");
        let (target, source) = (
            arn(
                "service-revision",
                format!("{}", 7_000_000_000_000_000_002u64 + n as u64),
            ),
            arn(
                "service-revision",
                format!("{}", 7_000_000_000_000_000_001u64 + n as u64),
            ),
        );
        let id = format!("{:08X}-{:012x}", 0x5EED_0000u32 + n as u32, now as u64);
        let previous = arn(
            "service-deployment",
            format!("{:08X}-previous", 0xD0E0_0000u32 + n as u32),
        );
        st.history.push(json!({
            "serviceDeploymentArn": previous,
            "serviceArn": spec.service_arn,
            "clusterArn": deployments::cluster_arn(&spec.cluster),
            "createdAt": now - 86_400.0,
            "startedAt": now - 86_399.0,
            "finishedAt": now - 85_800.0,
            "targetServiceRevisionArn": source,
            "status": "SUCCESSFUL"
        }));
        st.revisions.push((
            target.clone(),
            wire::revision(&target, &spec, true, now - 120.0),
        ));
        st.revisions.push((
            source.clone(),
            wire::revision(&source, &spec, false, now - 86_400.0),
        ));
        let d = Deployment::paused(arn("service-deployment", id), spec, (target, source), now);
        let out = d.arn.clone();
        st.deployments.push(d);
        out
    }

    /// Registers a CodeDeploy deployment of `spec` that waits for reroute; returns its id.
    pub fn codedeploy(&self, spec: codedeploy::CdSpec) -> String {
        let mut st = self.inner.lock();
        let now = wall_clock() + st.offset;
        let id = format!("d-{:09}", 100_000_000 + st.cd.len());
        st.cd
            .push(codedeploy::CdDeployment::ready(id.clone(), spec, now));
        id
    }

    /// The id the next registered CodeDeploy deployment gets.
    pub fn next_cd_id(&self) -> String {
        format!("d-{:09}", 100_000_000 + self.inner.lock().cd.len())
    }

    /// The CodeDeploy deployment `id` as it stands now.
    pub fn cd(&self, id: &str) -> codedeploy::CdDeployment {
        let mut st = self.inner.lock();
        let now = wall_clock() + st.offset;
        let d = st
            .cd
            .iter_mut()
            .find(|d| d.id == id)
            .unwrap_or_else(|| panic!("no CodeDeploy deployment {id}"));
        d.settle(now);
        d.clone()
    }

    /// Sets what DescribeServices answers for the service `service_arn`: each field of
    /// `fields` (see `rolling::overlay`) replaces moto's, until the next call.
    pub fn rolling(&self, service_arn: &str, fields: Value) {
        let mut st = self.inner.lock();
        st.overlays.retain(|(arn, _)| arn != service_arn);
        st.overlays.push((service_arn.to_string(), fields));
    }

    /// Moves the shim's clock on by `secs`: bakes end and hooks time out as they would.
    pub fn skip(&self, secs: f64) {
        self.inner.lock().offset += secs;
    }

    /// The shim's clock, in seconds since the epoch.
    pub fn now(&self) -> f64 {
        wall_clock() + self.inner.lock().offset
    }

    /// The deployment `arn` as it stands now.
    pub fn deployment(&self, arn: &str) -> Deployment {
        let mut st = self.inner.lock();
        let now = wall_clock() + st.offset;
        let d = st
            .deployments
            .iter_mut()
            .find(|d| d.arn == arn)
            .unwrap_or_else(|| panic!("no deployment {arn}"));
        d.settle(now);
        d.clone()
    }

    /// The requests received so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().calls.clone()
    }

    /// The calls of one operation, e.g. `ContinueServiceDeployment`.
    pub fn calls_of(&self, operation: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.operation == operation)
            .map(|c| c.body)
            .collect()
    }
}

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Whether `given` (a name or an ARN) names `name`.
fn names(given: &str, name: &str) -> bool {
    given == name || given.rsplit('/').next() == Some(name)
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, operation: &str, body: &[u8]) {
        let body = serde_json::from_slice(body).unwrap_or(Value::Null);
        self.lock().calls.push(Call {
            operation: operation.to_string(),
            body,
        });
    }

    /// Answers one of the service-deployment operations; None for any other operation.
    fn answer(&self, operation: &str, req: &Value) -> Option<Result<Value, AwsError>> {
        let mut st = self.lock();
        let now = wall_clock() + st.offset;
        for d in &mut st.deployments {
            d.settle(now);
        }
        let text = |k: &str| req[k].as_str().unwrap_or_default().to_string();
        Some(match operation {
            "ListServiceDeployments" => Ok(st.list(&text("cluster"), &text("service"), req)),
            "DescribeServiceDeployments" => Ok(st.describe(req)),
            "DescribeServiceRevisions" => Ok(st.revisions_of(req)),
            "ContinueServiceDeployment" => {
                let arn = text("serviceDeploymentArn");
                let action = req["action"].as_str().unwrap_or("CONTINUE").to_string();
                st.find(&arn)
                    .and_then(|d| d.answer(&text("hookId"), &action, now))
                    .map(|()| json!({ "serviceDeploymentArn": arn }))
            }
            "StopServiceDeployment" => {
                let arn = text("serviceDeploymentArn");
                let stop = req["stopType"].as_str().unwrap_or("ROLLBACK").to_string();
                st.find(&arn)
                    .and_then(|d| d.stop(&stop, now))
                    .map(|()| json!({ "serviceDeploymentArn": arn }))
            }
            _ => return None,
        })
    }

    /// Adds each registered service's `deploymentConfiguration` (and, as ECS does, its
    /// `currentServiceDeployment`) to a DescribeServices answer from moto.
    fn add_configuration(&self, answer: &mut Value) {
        let st = self.lock();
        let Some(services) = answer["services"].as_array_mut() else {
            return;
        };
        for s in services.iter_mut() {
            let arn = s["serviceArn"].as_str().unwrap_or_default().to_string();
            if let Some((_, Value::Object(fields))) = st.overlays.iter().find(|(a, _)| *a == arn) {
                for (k, v) in fields {
                    s[k] = v.clone();
                }
            }
            let Some(d) = st
                .deployments
                .iter()
                .rev()
                .find(|d| d.spec.service_arn == arn)
            else {
                continue;
            };
            s["deploymentConfiguration"] = deployments::configuration(&d.spec);
            if d.spec.name_current {
                s["currentServiceDeployment"] = json!(d.arn);
            }
        }
        for s in services {
            let arn = s["serviceArn"].as_str().unwrap_or_default().to_string();
            if let Some(d) = st.cd.iter().rev().find(|d| d.spec.service_arn == arn) {
                cd_wire::task_set_counts(s, d);
            }
        }
    }
}

impl State {
    fn find(&mut self, arn: &str) -> Result<&mut Deployment, AwsError> {
        self.deployments
            .iter_mut()
            .find(|d| d.arn == arn)
            .ok_or_else(|| AwsError::not_found(arn))
    }

    /// Every deployment of one service, newest first, paged by `maxResults`/`nextToken`.
    fn list(&self, cluster: &str, service: &str, req: &Value) -> Value {
        let of_service = |b: &Value| {
            let arn = b["serviceArn"].as_str().unwrap_or_default();
            let c = b["clusterArn"].as_str().unwrap_or_default();
            names(service, arn.rsplit('/').next().unwrap_or_default())
                && (cluster.is_empty() || names(cluster, c.rsplit('/').next().unwrap_or_default()))
        };
        let wanted: Vec<String> = req["status"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut all: Vec<Value> = self
            .deployments
            .iter()
            .map(Deployment::brief)
            .chain(self.history.iter().cloned())
            .filter(of_service)
            .filter(|b| wanted.is_empty() || wanted.iter().any(|s| b["status"] == json!(s)))
            .collect();
        all.sort_by(|a, b| {
            b["createdAt"]
                .as_f64()
                .partial_cmp(&a["createdAt"].as_f64())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let from: usize = req["nextToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let page = req["maxResults"].as_u64().unwrap_or(20).clamp(1, 100) as usize;
        let end = (from + page).min(all.len());
        let mut out = json!({ "serviceDeployments": all.get(from..end).unwrap_or_default() });
        if end < all.len() {
            out["nextToken"] = json!(end.to_string());
        }
        out
    }

    fn describe(&self, req: &Value) -> Value {
        let (found, failures) = split_found(req["serviceDeploymentArns"].as_array(), |arn| {
            self.deployments
                .iter()
                .find(|d| d.arn == arn)
                .map(Deployment::describe)
        });
        json!({ "serviceDeployments": found, "failures": failures })
    }

    fn revisions_of(&self, req: &Value) -> Value {
        let (found, failures) = split_found(req["serviceRevisionArns"].as_array(), |arn| {
            self.revisions
                .iter()
                .find(|(a, _)| a == arn)
                .map(|(_, r)| r.clone())
        });
        json!({ "serviceRevisions": found, "failures": failures })
    }
}

/// The ARNs found, and a `MISSING` failure for each of the others, as ECS reports them.
fn split_found(
    arns: Option<&Vec<Value>>,
    lookup: impl Fn(&str) -> Option<Value>,
) -> (Vec<Value>, Vec<Value>) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for arn in arns.into_iter().flatten().filter_map(Value::as_str) {
        match lookup(arn) {
            Some(v) => found.push(v),
            None => failures.push(json!({ "arn": arn, "reason": "MISSING" })),
        }
    }
    (found, failures)
}
