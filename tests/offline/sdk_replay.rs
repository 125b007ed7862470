//! The parts moto cannot serve, through the real SDK clients at the HTTP layer: responses shaped
//! as the AWS API reference documents them are replayed, and both the mapping into domain
//! models and the requests sent are checked. No network, no moto.
//!
//! - native deployments (`describe_service_deployments`, `describe_service_revisions`,
//!   `list_service_deployments`), which moto lacks;
//! - error answers (expired token, access denied, throttling, an HTML 500), mapped into
//!   `ApiError` kinds by the fleet.

use crate::support::replay::replay_fleet;
use aws_credential_types::Credentials;
use aws_sdk_ecs::config::BehaviorVersion;
use aws_sdk_ecs::config::retry::RetryConfig;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::gate::CallGate;
use deckwatch::cloud::aws::native::{NativeTarget, native_deployments};
use deckwatch::model::At;
use deckwatch::model::{
    ErrorKind, HookStatus, LifecycleHook, NativeDeployment, ServiceRevision, Strategy, TaskDefRef,
};
use serde_json::{Value, json};

const CLUSTER: &str = "arn:aws:ecs:us-west-2:123456789012:cluster/example";
const SVC_A: &str = "arn:aws:ecs:us-west-2:123456789012:service/example/sd-example";
const SVC_B: &str = "arn:aws:ecs:us-west-2:123456789012:service/example/sd-other";
const DEP_A: &str = "arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-example/NCWGC2ZR-taawPAYrIaU5";
const DEP_A_OLD: &str = "arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-example/QWERTY12-oldoldoldold";
const DEP_B: &str =
    "arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-other/ABCDEFGH-bbbbbbbbbbbb";
const REV_A_TARGET: &str =
    "arn:aws:ecs:us-west-2:123456789012:service-revision/example/sd-example/4980306466373577095";
const REV_A_SOURCE: &str =
    "arn:aws:ecs:us-west-2:123456789012:service-revision/example/sd-example/4000000000000000001";
const REV_B_TARGET: &str =
    "arn:aws:ecs:us-west-2:123456789012:service-revision/example/sd-other/5000000000000000002";
const REV_B_SOURCE: &str =
    "arn:aws:ecs:us-west-2:123456789012:service-revision/example/sd-other/5000000000000000001";

fn response(status: u16, body: &str) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(body.to_string()))
        .expect("response")
}

fn html_500() -> http::Response<SdkBody> {
    http::Response::builder()
        .status(500)
        .header("content-type", "text/html")
        .body(SdkBody::from(
            "<!doctype html><title>500 Internal Server Error</title>",
        ))
        .expect("response")
}

/// The request side of a replay event is only a placeholder: the requests actually sent are
/// checked one by one below.
fn event(resp: http::Response<SdkBody>) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://ecs.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    ReplayEvent::new(req, resp)
}

fn ecs_client(replay: &StaticReplayClient) -> aws_sdk_ecs::Client {
    let conf = aws_sdk_ecs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_ecs::config::Region::new("us-west-2"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "replay"))
        // A replay answers requests in order, once each: a retry would take the next answer.
        .retry_config(RetryConfig::disabled())
        .http_client(replay.clone())
        .build();
    aws_sdk_ecs::Client::from_conf(conf)
}

/// (X-Amz-Target, JSON body) of each request sent.
fn sent(replay: &StaticReplayClient) -> Vec<(String, Value)> {
    replay
        .actual_requests()
        .map(|r| {
            let target = r
                .headers()
                .get("x-amz-target")
                .unwrap_or_default()
                .to_string();
            let body = r.body().bytes().expect("in-memory body");
            (target, serde_json::from_slice(body).expect("JSON request"))
        })
        .collect()
}

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect();
    out.sort();
    out
}

/// `DescribeServiceDeployments`: a canary paused at its manual gate before production
/// traffic, and a linear deployment rolling back after an alarm.
fn describe_deployments_body() -> String {
    json!({
        "serviceDeployments": [
            {
                "serviceDeploymentArn": DEP_A,
                "serviceArn": SVC_A,
                "clusterArn": CLUSTER,
                "createdAt": 1_730_386_994.354,
                "startedAt": 1_730_386_995.0,
                "updatedAt": 1_730_387_294.5,
                "sourceServiceRevisions": [{
                    "arn": REV_A_SOURCE,
                    "requestedTaskCount": 4,
                    "runningTaskCount": 4,
                    "pendingTaskCount": 0,
                    "requestedTestTrafficWeight": 0.0,
                    "requestedProductionTrafficWeight": 100.0
                }],
                "targetServiceRevision": {
                    "arn": REV_A_TARGET,
                    "requestedTaskCount": 4,
                    "runningTaskCount": 3,
                    "pendingTaskCount": 1,
                    "requestedTestTrafficWeight": 100.0,
                    "requestedProductionTrafficWeight": 0.0
                },
                "status": "IN_PROGRESS",
                "lifecycleStage": "PRE_PRODUCTION_TRAFFIC_SHIFT",
                "lifecycleHookDetails": [{
                    "hookId": "manual-promote-gate",
                    "status": "AWAITING_ACTION",
                    "expiresAt": 1_730_390_894.0,
                    "timeoutAction": "ROLLBACK"
                }],
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": { "enable": true, "rollback": true },
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "alarms": { "alarmNames": ["sd-example-5xx"], "enable": true, "rollback": true },
                    "strategy": "CANARY",
                    "bakeTimeInMinutes": 10,
                    "canaryConfiguration": { "canaryPercent": 10.0, "canaryBakeTimeInMinutes": 15 }
                },
                "deploymentCircuitBreaker": { "status": "MONITORING", "failureCount": 0, "threshold": 3 },
                "alarms": { "status": "MONITORING", "alarmNames": ["sd-example-5xx"] }
            },
            {
                "serviceDeploymentArn": DEP_B,
                "serviceArn": SVC_B,
                "clusterArn": CLUSTER,
                "createdAt": 1_730_380_000.0,
                "startedAt": 1_730_380_001.0,
                "updatedAt": 1_730_380_600.0,
                "sourceServiceRevisions": [{
                    "arn": REV_B_SOURCE,
                    "requestedTaskCount": 2,
                    "runningTaskCount": 2,
                    "pendingTaskCount": 0,
                    "requestedProductionTrafficWeight": 70.0
                }],
                "targetServiceRevision": {
                    "arn": REV_B_TARGET,
                    "requestedTaskCount": 2,
                    "runningTaskCount": 1,
                    "pendingTaskCount": 0,
                    "requestedProductionTrafficWeight": 30.0
                },
                "status": "ROLLBACK_IN_PROGRESS",
                "statusReason": "Alarm sd-other-5xx triggered.",
                "lifecycleStage": "PRODUCTION_TRAFFIC_SHIFT",
                "deploymentConfiguration": {
                    "strategy": "LINEAR",
                    "linearConfiguration": { "stepPercent": 10.0, "stepBakeTimeInMinutes": 5 }
                },
                "rollback": {
                    "reason": "Service deployment rolled back because alarm sd-other-5xx was triggered.",
                    "startedAt": 1_730_380_590.0,
                    "serviceRevisionArn": REV_B_SOURCE
                },
                "alarms": {
                    "status": "TRIGGERED",
                    "alarmNames": ["sd-other-5xx", "sd-other-p99"],
                    "triggeredAlarmNames": ["sd-other-5xx"]
                }
            }
        ],
        "failures": []
    })
    .to_string()
}

fn revision(arn: &str, service: &str, task_def: &str, image: &str, digest: &str) -> Value {
    json!({
        "serviceRevisionArn": arn,
        "serviceArn": service,
        "clusterArn": CLUSTER,
        "taskDefinition": task_def,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "containerImages": [{ "containerName": "app", "imageDigest": digest, "image": image }],
        "guardDutyEnabled": false,
        "createdAt": 1_730_386_990.0
    })
}

fn describe_revisions_body() -> String {
    let td =
        |f: &str, r: u32| format!("arn:aws:ecs:us-west-2:123456789012:task-definition/{f}:{r}");
    let img = "123456789012.dkr.ecr.us-west-2.amazonaws.com/sd-example";
    json!({
        "serviceRevisions": [
            revision(REV_A_TARGET, SVC_A, &td("sd-example", 8), &format!("{img}:v8"), &format!("sha256:{}", "8".repeat(64))),
            revision(REV_A_SOURCE, SVC_A, &td("sd-example", 7), &format!("{img}:v7"), &format!("sha256:{}", "7".repeat(64))),
            revision(REV_B_TARGET, SVC_B, &td("sd-other", 3), "example/other:3", "sha256:33"),
            revision(REV_B_SOURCE, SVC_B, &td("sd-other", 2), "example/other:2", "sha256:22")
        ],
        "failures": []
    })
    .to_string()
}

#[tokio::test]
async fn maps_native_deployments_replayed_from_the_documented_shape() {
    let replay = StaticReplayClient::new(vec![
        event(response(200, &describe_deployments_body())),
        event(response(200, &describe_revisions_body())),
    ]);
    let ecs = ecs_client(&replay);
    let targets = vec![
        NativeTarget {
            cluster: "example".into(),
            service_arn: SVC_A.into(),
            strategy: Strategy::Canary,
            current_deployment: Some(DEP_A.into()),
        },
        NativeTarget {
            cluster: "example".into(),
            service_arn: SVC_B.into(),
            strategy: Strategy::Linear,
            current_deployment: Some(DEP_B.into()),
        },
    ];
    let got = native_deployments(&ecs, &CallGate::default(), &targets, &Default::default())
        .await
        .expect("native deployments");

    // The requests: one describe of both deployments, one describe of the four revisions.
    let reqs = sent(&replay);
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!(
        reqs[0].0,
        "AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments"
    );
    assert_eq!(
        sorted(&reqs[0].1["serviceDeploymentArns"]),
        vec![DEP_A.to_string(), DEP_B.to_string()]
    );
    assert_eq!(
        reqs[1].0,
        "AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions"
    );
    let mut revs = vec![REV_A_TARGET, REV_A_SOURCE, REV_B_TARGET, REV_B_SOURCE];
    revs.sort();
    assert_eq!(sorted(&reqs[1].1["serviceRevisionArns"]), revs);

    assert_eq!(got.len(), 2);
    let a = got[0].clone().expect("deployment of sd-example");
    assert_eq!(
        a,
        NativeDeployment {
            arn: DEP_A.into(),
            strategy: Strategy::Canary,
            status: "IN_PROGRESS".into(),
            lifecycle_stage: "PRE_PRODUCTION_TRAFFIC_SHIFT".into(),
            target: ServiceRevision {
                arn: REV_A_TARGET.into(),
                task_def: TaskDefRef {
                    family: "sd-example".into(),
                    revision: 8
                },
                image_tag: "v8".into(),
                image_digest: format!("sha256:{}", "8".repeat(64)),
                running: 3,
                requested_production_weight: 0.0,
                requested_test_weight: 100.0,
            },
            sources: vec![ServiceRevision {
                arn: REV_A_SOURCE.into(),
                task_def: TaskDefRef {
                    family: "sd-example".into(),
                    revision: 7
                },
                image_tag: "v7".into(),
                image_digest: format!("sha256:{}", "7".repeat(64)),
                running: 4,
                requested_production_weight: 100.0,
                requested_test_weight: 0.0,
            }],
            hook: Some(LifecycleHook {
                id: "manual-promote-gate".into(),
                stage: Some("PRE_PRODUCTION_TRAFFIC_SHIFT".into()),
                status: HookStatus::AwaitingAction,
                expires_at: At(1_730_390_894_000),
                timeout_action: "ROLLBACK".into(),
            }),
            canary_percent: 10.0,
            bake_ends_at: None,
            // The replayed configuration's canaryBakeTimeInMinutes.
            bake_minutes: Some(15),
            triggered_alarms: Vec::new(),
            watched_alarms: vec!["sd-example-5xx".into()],
            rollback_reason: None,
            started_at: At(1_730_386_995_000),
        }
    );

    let b = got[1].clone().expect("deployment of sd-other");
    assert_eq!(b.strategy, Strategy::Linear);
    assert_eq!(b.status.to_string(), "ROLLBACK_IN_PROGRESS");
    assert_eq!(b.lifecycle_stage.to_string(), "PRODUCTION_TRAFFIC_SHIFT");
    assert_eq!(b.triggered_alarms, vec!["sd-other-5xx".to_string()]);
    assert_eq!(
        b.rollback_reason.as_deref(),
        Some("Service deployment rolled back because alarm sd-other-5xx was triggered.")
    );
    assert_eq!(b.hook, None);
    assert_eq!(b.canary_percent, 10.0, "a LINEAR deployment's step");
    assert_eq!(b.target.task_def.to_string(), "sd-other:3");
    assert_eq!(b.target.requested_production_weight, 30.0);
    assert_eq!(b.target.image_tag, "3");
    assert_eq!(b.sources[0].image_digest, "sha256:22");
    assert_eq!(b.sources[0].requested_production_weight, 70.0);
}

#[tokio::test]
async fn looks_up_the_newest_deployment_when_the_service_does_not_name_it() {
    let list = json!({
        "serviceDeployments": [
            {
                "serviceDeploymentArn": DEP_A_OLD,
                "serviceArn": SVC_A,
                "clusterArn": CLUSTER,
                "createdAt": 1_730_000_000.0,
                "startedAt": 1_730_000_001.0,
                "finishedAt": 1_730_000_900.0,
                "targetServiceRevisionArn": REV_A_SOURCE,
                "status": "SUCCESSFUL"
            },
            {
                "serviceDeploymentArn": DEP_A,
                "serviceArn": SVC_A,
                "clusterArn": CLUSTER,
                "createdAt": 1_730_386_994.354,
                "startedAt": 1_730_386_995.0,
                "targetServiceRevisionArn": REV_A_TARGET,
                "status": "IN_PROGRESS"
            }
        ]
    })
    .to_string();
    // The canary has 10% of production traffic and bakes for 15 minutes from the last update.
    let describe = json!({
        "serviceDeployments": [{
            "serviceDeploymentArn": DEP_A,
            "serviceArn": SVC_A,
            "clusterArn": CLUSTER,
            "createdAt": 1_730_386_994.354,
            "startedAt": 1_730_386_995.0,
            "updatedAt": 1_730_387_400.0,
            "sourceServiceRevisions": [{ "arn": REV_A_SOURCE, "requestedTaskCount": 4, "runningTaskCount": 4, "pendingTaskCount": 0, "requestedProductionTrafficWeight": 90.0 }],
            "targetServiceRevision": { "arn": REV_A_TARGET, "requestedTaskCount": 4, "runningTaskCount": 4, "pendingTaskCount": 0, "requestedProductionTrafficWeight": 10.0 },
            "status": "IN_PROGRESS",
            "lifecycleStage": "PRODUCTION_TRAFFIC_SHIFT",
            "lifecycleHookDetails": [{ "hookId": "manual-promote-gate", "targetType": "PAUSE", "status": "SUCCEEDED", "expiresAt": 1_730_390_894.0, "timeoutAction": "ROLLBACK" }],
            "deploymentConfiguration": {
                "strategy": "CANARY",
                "bakeTimeInMinutes": 10,
                "canaryConfiguration": { "canaryPercent": 10.0, "canaryBakeTimeInMinutes": 15 },
                "lifecycleHooks": [{
                    "targetType": "PAUSE",
                    "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"],
                    "timeoutConfiguration": { "timeoutInMinutes": 60, "action": "ROLLBACK" }
                }]
            }
        }],
        "failures": []
    })
    .to_string();
    let revisions = describe_revisions_body();
    let replay = StaticReplayClient::new(vec![
        event(response(200, &list)),
        event(response(200, &describe)),
        event(response(200, &revisions)),
    ]);
    let ecs = ecs_client(&replay);
    let targets = vec![NativeTarget {
        cluster: "example".into(),
        service_arn: SVC_A.into(),
        strategy: Strategy::Canary,
        current_deployment: None,
    }];
    let got = native_deployments(&ecs, &CallGate::default(), &targets, &Default::default())
        .await
        .expect("native deployments");

    let reqs = sent(&replay);
    assert_eq!(reqs.len(), 3, "{reqs:#?}");
    assert_eq!(
        reqs[0].0,
        "AmazonEC2ContainerServiceV20141113.ListServiceDeployments"
    );
    assert_eq!(reqs[0].1["service"], SVC_A);
    assert_eq!(reqs[0].1["cluster"], "example");
    assert_eq!(
        reqs[1].0,
        "AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments"
    );
    assert_eq!(
        sorted(&reqs[1].1["serviceDeploymentArns"]),
        vec![DEP_A.to_string()]
    );
    assert_eq!(sorted(&reqs[2].1["serviceRevisionArns"]), {
        let mut v = vec![REV_A_SOURCE.to_string(), REV_A_TARGET.to_string()];
        v.sort();
        v
    });

    let d = got[0].clone().expect("deployment");
    assert_eq!(d.arn, DEP_A);
    assert_eq!(d.target.requested_production_weight, 10.0);
    assert_eq!(d.target.image_tag, "v8");
    assert_eq!(d.bake_ends_at, Some(At(1_730_387_400_000 + 15 * 60_000)));
    let hook = d.hook.expect("the finished gate");
    assert_eq!(hook.status, HookStatus::Succeeded);
    // The gate's own stage, from its configuration: not the stage the deployment moved on to.
    assert_eq!(d.lifecycle_stage.to_string(), "PRODUCTION_TRAFFIC_SHIFT");
    assert_eq!(
        hook.stage.map(|s| s.to_string()).as_deref(),
        Some("PRE_PRODUCTION_TRAFFIC_SHIFT")
    );
}

#[tokio::test]
async fn error_answers_become_cloud_error_kinds() {
    let denied = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: ecs:ListServices"}"#;
    let expired = r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#;
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let replay = StaticReplayClient::new(vec![
        event(response(400, denied)),
        event(response(400, expired)),
        event(response(400, throttled)),
        event(html_500()),
    ]);
    let fleet = replay_fleet(&replay, Some("prod-admin")).await;

    let e = fleet.services().await.expect_err("denied");
    assert_eq!(
        e.kind,
        ErrorKind::AccessDenied(deckwatch::model::Op::EcsListServices),
        "{e}"
    );
    assert!(e.message.contains("not authorized"), "{}", e.message);

    let e = fleet.services().await.expect_err("expired");
    assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
    assert!(
        e.message.contains("aws sso login --profile prod-admin"),
        "{}",
        e.message
    );

    let e = fleet.services().await.expect_err("throttled");
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");

    let e = fleet.services().await.expect_err("HTML 500");
    assert_eq!(e.kind, ErrorKind::ServerError, "{e}");
    assert_eq!(e.message, "ecs:ListServices: HTTP 500 from the endpoint");

    // The requests were ListServices, for the cluster in scope, 100 a page.
    let reqs = sent(&replay);
    assert_eq!(reqs.len(), 4);
    for (target, body) in &reqs {
        assert_eq!(target, "AmazonEC2ContainerServiceV20141113.ListServices");
        assert_eq!(body["cluster"], "example");
        assert_eq!(body["maxResults"], 100);
    }
}

#[tokio::test]
async fn services_come_without_metrics_and_a_metrics_failure_is_its_own_error() {
    let td = "arn:aws:ecs:us-west-2:123456789012:task-definition/sd-example:8";
    let list = json!({ "serviceArns": [SVC_A] }).to_string();
    let describe = json!({
        "services": [{
            "serviceArn": SVC_A,
            "serviceName": "sd-example",
            "clusterArn": CLUSTER,
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "taskDefinition": td,
            "deployments": [{
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "taskDefinition": td,
                "desiredCount": 2,
                "runningCount": 2,
                "pendingCount": 0,
                "failedTasks": 0,
                "rolloutState": "COMPLETED"
            }],
            "events": []
        }],
        "failures": []
    })
    .to_string();
    let task_def = json!({
        "taskDefinition": {
            "taskDefinitionArn": td,
            "family": "sd-example",
            "revision": 8,
            "containerDefinitions": [{
                "name": "app",
                "image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/sd-example:v8"
            }]
        }
    })
    .to_string();
    let replay = StaticReplayClient::new(vec![
        event(response(200, &list)),
        event(response(200, &describe)),
        event(response(200, &task_def)),
        // Where a rollback would go: the family's ACTIVE revisions, newest first.
        event(response(
            200,
            &json!({"taskDefinitionArns": [td, td.replace(":8", ":7"), td.replace(":8", ":5")]})
                .to_string(),
        )),
        event(html_500()),
    ]);
    let fleet = replay_fleet(&replay, None).await;
    let services = fleet.services().await.expect("services despite metrics");
    assert_eq!(
        services[0]
            .previous_task_def
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("sd-example:7")
    );
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].name, "sd-example");
    assert_eq!(services[0].image_tag, "v8");
    assert!(services[0].cpu.is_empty() && services[0].mem.is_empty());
    let ops: Vec<String> = replay
        .actual_requests()
        .map(|r| r.uri().to_string())
        .collect();
    assert_eq!(
        ops.len(),
        4,
        "a refresh never waits for GetMetricData: {ops:?}"
    );
    // The metrics worker's call fails on its own, naming the operation.
    let err = fleet
        .utilisation(&[services[0].key()])
        .await
        .expect_err("the answer is a 500");
    assert!(err.message.contains("cloudwatch:GetMetricData"), "{err}");
    let ops: Vec<String> = replay
        .actual_requests()
        .map(|r| r.uri().to_string())
        .collect();
    assert_eq!(ops.len(), 5, "{ops:?}");
    assert!(ops[4].contains("monitoring"), "{ops:?}");
}
