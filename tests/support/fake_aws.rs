//! A small fleet answered in AWS's documented wire shapes (ECS and CloudWatch Logs JSON; ELB,
//! CloudWatch and STS query XML; SQS JSON) to the real SDK clients, with no network and on
//! tokio's clock, so a test on the paused clock counts the calls a console makes over
//! simulated minutes. A service may roll out: its new deployment gains a task every
//! `STEP`, its old one loses one, until it completes. An SQS receive waits its 20 s and
//! brings nothing; a Live Tail session starts and stays open.

#![allow(dead_code)] // each test binary uses a part of the helpers

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// A rolling deployment moves one task this often.
pub const STEP: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct FakeService {
    pub cluster: String,
    pub name: String,
    pub desired: u32,
    pub revision: u32,
    pub target_group: Option<String>,
    /// A rollout from `revision - 1` started at this time.
    pub rolling_since: Option<Instant>,
}

#[derive(Default)]
pub struct Fake {
    pub services: Mutex<Vec<FakeService>>,
    calls: Mutex<BTreeMap<String, usize>>,
}

impl Fake {
    /// `per` settled services in each of `clusters` clusters, desired 2, behind no balancer.
    pub fn fleet(clusters: usize, per: usize) -> Arc<Self> {
        let fake = Self::default();
        let mut all = fake.services.lock().unwrap();
        for c in 0..clusters {
            for s in 0..per {
                all.push(FakeService {
                    cluster: format!("c{c:03}"),
                    name: format!("svc-{s:03}"),
                    desired: 2,
                    revision: 3,
                    target_group: None,
                    rolling_since: None,
                });
            }
        }
        drop(all);
        Arc::new(fake)
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Vec<FakeService>) -> T) -> T {
        f(&mut self.services.lock().unwrap())
    }

    /// Calls by operation name so far.
    pub fn calls(&self) -> BTreeMap<String, usize> {
        self.calls.lock().unwrap().clone()
    }

    pub fn client(self: &Arc<Self>) -> SharedHttpClient {
        Client(self.clone()).into_shared()
    }

    fn count(&self, op: &str) {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(op.to_string())
            .or_default() += 1;
    }
}

#[derive(Clone)]
struct Client(Arc<Fake>);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake AWS")
    }
}

impl HttpClient for Client {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.clone().into_shared()
    }
}

impl HttpConnector for Client {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let fake = self.0.clone();
        HttpConnectorFuture::new(async move {
            let (op, body) = operation(&request);
            fake.count(&op);
            // The request's body read to its end, as a connection sends it: until then the
            // SDK's stalled-stream protection counts the upload as stalled, and a long poll
            // answered 20 s later could fail as a timeout.
            let _ = http_body_util::BodyExt::collect(request.into_body()).await;
            if op == "ReceiveMessage" {
                // A long poll with nothing to bring.
                tokio::time::sleep(Duration::from_secs(20)).await;
            }
            let (status, content_type, payload) = fake.answer(&op, &body);
            let res = http::Response::builder()
                .status(status)
                .header("content-type", content_type)
                .body(payload)
                .map_err(|e| {
                    aws_smithy_runtime_api::client::result::ConnectorError::other(e.into(), None)
                })?;
            aws_smithy_runtime_api::client::orchestrator::HttpResponse::try_from(res).map_err(|e| {
                aws_smithy_runtime_api::client::result::ConnectorError::other(e.into(), None)
            })
        })
    }
}

/// The operation a request names (`X-Amz-Target` for JSON protocols, `Action=` for query
/// ones, the path for Live Tail), and its body as text.
fn operation(request: &HttpRequest) -> (String, String) {
    let body = request
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).to_string())
        .unwrap_or_default();
    if let Some(target) = request.headers().get("x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or_default().to_string();
        return (op, body);
    }
    if let Some(action) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return (action.to_string(), body);
    }
    ("Unknown".to_string(), body)
}

fn ecs_arn(kind: &str, path: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/{path}")
}

impl FakeService {
    /// (new deployment's running, old deployment's running) now.
    fn counts(&self) -> (u32, u32) {
        match self.rolling_since {
            Some(since) => {
                let steps = (since.elapsed().as_secs() / STEP.as_secs()) as u32;
                let new = steps.div_ceil(2).min(self.desired);
                let old = self.desired.saturating_sub(steps / 2);
                (new, old)
            }
            None => (self.desired, 0),
        }
    }

    fn done(&self) -> bool {
        let (new, old) = self.counts();
        new == self.desired && old == 0
    }

    fn td(&self, revision: u32) -> String {
        ecs_arn("task-definition", &format!("{}:{revision}", self.name))
    }

    fn json(&self) -> Value {
        let (new, old) = self.counts();
        let moving = self.rolling_since.is_some() && !self.done();
        let mut deployments = vec![json!({
            "id": format!("ecs-svc/{}{}", self.revision, self.name.len()),
            "status": "PRIMARY",
            "taskDefinition": self.td(self.revision),
            "desiredCount": self.desired,
            "runningCount": new,
            "pendingCount": if moving { 1 } else { 0 },
            "failedTasks": 0,
            "rolloutState": if moving { "IN_PROGRESS" } else { "COMPLETED" },
            "createdAt": 1_790_000_000.0,
            "updatedAt": 1_790_000_000.0,
        })];
        if moving {
            deployments.push(json!({
                "id": "ecs-svc/old",
                "status": "ACTIVE",
                "taskDefinition": self.td(self.revision - 1),
                "desiredCount": self.desired,
                "runningCount": old,
                "pendingCount": 0,
                "failedTasks": 0,
                "rolloutState": "COMPLETED",
                "createdAt": 1_789_990_000.0,
                "updatedAt": 1_790_000_000.0,
            }));
        }
        let lbs: Vec<Value> = self
            .target_group
            .iter()
            .map(|tg| json!({"targetGroupArn": tg, "containerName": "app", "containerPort": 80}))
            .collect();
        json!({
            "serviceArn": ecs_arn("service", &format!("{}/{}", self.cluster, self.name)),
            "serviceName": self.name,
            "clusterArn": ecs_arn("cluster", &self.cluster),
            "status": "ACTIVE",
            "desiredCount": self.desired,
            "runningCount": new + old,
            "pendingCount": if moving { 1 } else { 0 },
            "launchType": "FARGATE",
            "taskDefinition": self.td(self.revision),
            "deployments": deployments,
            "loadBalancers": lbs,
            "events": [],
            "createdAt": 1_789_000_000.0,
        })
    }

    /// (task id, revision, running) of its tasks: the new deployment's and the old one's,
    /// stopped ones included.
    fn tasks(&self) -> Vec<(String, u32, bool)> {
        let (new, old) = self.counts();
        let mut out: Vec<(String, u32, bool)> = (0..self.desired)
            .map(|i| (format!("{}n{i}", self.name), self.revision, i < new))
            .collect();
        if self.rolling_since.is_some() {
            out.extend(
                (0..self.desired)
                    .map(|i| (format!("{}o{i}", self.name), self.revision - 1, i < old)),
            );
        }
        out
    }
}

impl Fake {
    fn answer(&self, op: &str, body: &str) -> (u16, &'static str, SdkBody) {
        let req: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let json_of = |v: Value| {
            (
                200,
                "application/x-amz-json-1.1",
                SdkBody::from(v.to_string()),
            )
        };
        match op {
            "ListClusters" => {
                let mut names: Vec<String> =
                    self.with(|s| s.iter().map(|x| x.cluster.clone()).collect());
                names.dedup();
                json_of(
                    json!({"clusterArns": names.iter().map(|c| ecs_arn("cluster", c)).collect::<Vec<_>>()}),
                )
            }
            "ListServices" => json_of(self.list_services(&req)),
            "DescribeServices" => json_of(self.describe_services(&req)),
            "DescribeTaskDefinition" => json_of(task_definition(
                req["taskDefinition"].as_str().unwrap_or_default(),
            )),
            "ListTaskDefinitions" => {
                let family = req["familyPrefix"].as_str().unwrap_or_default();
                json_of(
                    json!({"taskDefinitionArns": [ecs_arn("task-definition", &format!("{family}:3")), ecs_arn("task-definition", &format!("{family}:2"))]}),
                )
            }
            "ListTasks" => json_of(self.list_tasks(&req)),
            "DescribeTasks" => json_of(self.describe_tasks(&req)),
            "FilterLogEvents" => json_of(json!({"events": [], "searchedLogStreams": []})),
            "StartLiveTail" => live_tail(),
            "ReceiveMessage" => (
                200,
                "application/x-amz-json-1.0",
                SdkBody::from("{\"Messages\": []}"),
            ),
            "DescribeTargetHealth" => xml(&self.target_health(body)),
            "DescribeAlarms" => xml(&query_answer(
                "DescribeAlarms",
                "monitoring.amazonaws.com/doc/2010-08-01/",
                "<MetricAlarms/><CompositeAlarms/>",
            )),
            "GetMetricData" => xml(&query_answer(
                "GetMetricData",
                "monitoring.amazonaws.com/doc/2010-08-01/",
                "<MetricDataResults/>",
            )),
            "GetCallerIdentity" => xml(&query_answer(
                "GetCallerIdentity",
                "sts.amazonaws.com/doc/2011-06-15/",
                &format!(
                    "<Arn>arn:aws:iam::{ACCOUNT}:user/t</Arn><UserId>T</UserId><Account>{ACCOUNT}</Account>"
                ),
            )),
            other => (
                400,
                "application/x-amz-json-1.1",
                SdkBody::from(format!(
                    "{{\"__type\": \"UnknownOperationException\", \"message\": \"{other}\"}}"
                )),
            ),
        }
    }

    fn list_services(&self, req: &Value) -> Value {
        let cluster = last(req["cluster"].as_str().unwrap_or_default());
        let from: usize = req["nextToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let arns: Vec<String> = self.with(|s| {
            s.iter()
                .filter(|x| x.cluster == cluster)
                .map(|x| ecs_arn("service", &format!("{}/{}", x.cluster, x.name)))
                .collect()
        });
        let page: Vec<&String> = arns.iter().skip(from).take(100).collect();
        let mut out = json!({"serviceArns": page});
        if from + 100 < arns.len() {
            out["nextToken"] = json!((from + 100).to_string());
        }
        out
    }

    fn describe_services(&self, req: &Value) -> Value {
        let cluster = last(req["cluster"].as_str().unwrap_or_default());
        let names: Vec<String> = req["services"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|s| last(s).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let services: Vec<Value> = self.with(|s| {
            s.iter()
                .filter(|x| x.cluster == cluster && names.contains(&x.name))
                .map(FakeService::json)
                .collect()
        });
        json!({"services": services, "failures": []})
    }

    fn service_of(&self, cluster: &str, name: &str) -> Option<FakeService> {
        self.with(|s| {
            s.iter()
                .find(|x| x.cluster == cluster && x.name == name)
                .cloned()
        })
    }

    fn list_tasks(&self, req: &Value) -> Value {
        let cluster = last(req["cluster"].as_str().unwrap_or_default());
        let running = req["desiredStatus"].as_str() != Some("STOPPED");
        let wanted = req["serviceName"].as_str();
        let arns: Vec<String> = self.with(|s| {
            s.iter()
                .filter(|x| x.cluster == cluster && wanted.is_none_or(|w| w == x.name))
                .flat_map(|x| x.tasks().into_iter().map(move |t| (x.cluster.clone(), t)))
                .filter(|(_, (_, _, up))| *up == running)
                .map(|(c, (id, _, _))| ecs_arn("task", &format!("{c}/{id}")))
                .collect()
        });
        json!({"taskArns": arns})
    }

    fn describe_tasks(&self, req: &Value) -> Value {
        let cluster = last(req["cluster"].as_str().unwrap_or_default()).to_string();
        let ids: Vec<String> = req["tasks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|s| last(s).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let tasks: Vec<Value> = self.with(|s| {
            s.iter()
                .filter(|x| x.cluster == cluster)
                .flat_map(|x| x.tasks().into_iter().map(move |t| (x.clone(), t)))
                .filter(|(_, (id, _, _))| ids.contains(id))
                .map(|(x, (id, rev, up))| task_json(&x, &id, rev, up))
                .collect()
        });
        json!({"tasks": tasks, "failures": []})
    }

    fn target_health(&self, body: &str) -> String {
        let tg = body
            .split('&')
            .find_map(|kv| kv.strip_prefix("TargetGroupArn="))
            .map(|v| v.replace("%3A", ":").replace("%2F", "/"))
            .unwrap_or_default();
        let members: String = self.with(|s| {
            s.iter()
                .filter(|x| x.target_group.as_deref() == Some(tg.as_str()))
                .flat_map(|x| x.tasks())
                .filter(|(_, _, up)| *up)
                .enumerate()
                .map(|(i, _)| format!("<member><Target><Id>10.0.0.{i}</Id><Port>80</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member>"))
                .collect()
        });
        query_answer(
            "DescribeTargetHealth",
            "elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
            &format!("<TargetHealthDescriptions>{members}</TargetHealthDescriptions>"),
        )
    }
}

fn last(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn task_json(x: &FakeService, id: &str, revision: u32, running: bool) -> Value {
    let mut t = json!({
        "taskArn": ecs_arn("task", &format!("{}/{id}", x.cluster)),
        "clusterArn": ecs_arn("cluster", &x.cluster),
        "taskDefinitionArn": x.td(revision),
        "group": format!("service:{}", x.name),
        "lastStatus": if running { "RUNNING" } else { "STOPPED" },
        "desiredStatus": if running { "RUNNING" } else { "STOPPED" },
        "healthStatus": "HEALTHY",
        "startedAt": 1_789_999_000.0,
        "containers": [],
        "attachments": [],
    });
    if !running {
        t["stoppedAt"] = json!(1_790_000_000.0);
        t["stopCode"] = json!("ServiceSchedulerInitiated");
        t["stoppedReason"] = json!("Scaling activity initiated by deployment");
    }
    t
}

fn task_definition(arn: &str) -> Value {
    let tail = last(arn);
    let (family, revision) = tail.split_once(':').unwrap_or((tail, "1"));
    json!({"taskDefinition": {
        "taskDefinitionArn": ecs_arn("task-definition", tail),
        "family": family,
        "revision": revision.parse::<u32>().unwrap_or(1),
        "status": "ACTIVE",
        "containerDefinitions": [{
            "name": "app",
            "image": format!("example/{family}:{revision}"),
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": format!("/ecs/{family}"),
                "awslogs-region": REGION,
                "awslogs-stream-prefix": "ecs"
            }}
        }]
    }})
}

fn xml(text: &str) -> (u16, &'static str, SdkBody) {
    (200, "text/xml", SdkBody::from(text.to_string()))
}

fn query_answer(action: &str, ns: &str, inner: &str) -> String {
    format!(
        "<{action}Response xmlns=\"https://{ns}\"><{action}Result>{inner}</{action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>"
    )
}

/// A Live Tail session that starts and stays open, sending nothing more.
fn live_tail() -> (u16, &'static str, SdkBody) {
    use aws_smithy_eventstream::frame::write_message_to;
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let mut m = Message::new(
        json!({"sessionId": "s1", "requestId": "r1", "logGroupIdentifiers": []})
            .to_string()
            .into_bytes(),
    );
    for (k, v) in [
        (":message-type", "event"),
        (":event-type", "sessionStart"),
        (":content-type", "application/json"),
    ] {
        m = m.add_header(Header::new(k, HeaderValue::String(v.into())));
    }
    let mut frame = Vec::new();
    write_message_to(&m, &mut frame).expect("frame");
    let first = futures::stream::once(async move {
        Ok::<_, std::io::Error>(hyper::body::Frame::data(bytes::Bytes::from(frame)))
    });
    let open = first.chain(futures::stream::pending());
    let body = http_body_util::StreamBody::new(open);
    (
        200,
        "application/vnd.amazon.eventstream",
        SdkBody::from_body_1_x(body),
    )
}

use futures::StreamExt;
