//! CodeDeploy, through the real SDK client at the HTTP layer: answers shaped as the CodeDeploy
//! API reference documents them (ListApplications, ListDeploymentGroups, GetDeploymentGroup,
//! ListDeployments, GetDeployment, GetDeploymentTarget with its ECS target, BatchGetDeployments)
//! are replayed, and both the mapping into `model::codedeploy` and the requests sent are
//! checked; then the three calls that drive a deployment, with CodeDeploy's error shapes.
//! No network, no moto.

use crate::support::replay::replay_fleet;
use aws_credential_types::Credentials;
use aws_sdk_codedeploy::config::BehaviorVersion;
use aws_sdk_codedeploy::config::retry::RetryConfig;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::codedeploy::{CdTarget, GroupCache, history, read};
use deckwatch::cloud::aws::gate::CallGate;
use deckwatch::model::At;
use deckwatch::model::history::Outcome;
use deckwatch::model::{
    AwsCall, CdStatus, CdWait, ReadyAction, ServiceKey, TaskSetLabel, TrafficShape,
};
use serde_json::{Value, json};

const TARGET: &str = "CodeDeploy_20141006.";
const DEPLOYMENT: &str = "d-8YNVRJB4Q";
const TD_NEW: &str = "arn:aws:ecs:us-west-2:123456789012:task-definition/web:42";
const CONFIG: &str = "CodeDeployDefault.ECSCanary10Percent5Minutes";
/// 2026-03-01T14:00:00Z, in the epoch seconds awsJson dates are sent in.
const T0: f64 = 1_772_373_600.0;

fn response(status: u16, body: &str) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(body.to_string()))
        .expect("response")
}

fn event(body: Value) -> ReplayEvent {
    event_with(200, body)
}

fn event_with(status: u16, body: Value) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://codedeploy.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    ReplayEvent::new(req, response(status, &body.to_string()))
}

fn client(replay: &StaticReplayClient) -> aws_sdk_codedeploy::Client {
    let conf = aws_sdk_codedeploy::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_codedeploy::config::Region::new("us-west-2"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "replay"))
        // A replay answers requests in order, once each: a retry would take the next answer.
        .retry_config(RetryConfig::disabled())
        .http_client(replay.clone())
        .build();
    aws_sdk_codedeploy::Client::from_conf(conf)
}

/// (operation, JSON body) of each request sent.
fn sent(replay: &StaticReplayClient) -> Vec<(String, Value)> {
    replay
        .actual_requests()
        .map(|r| {
            assert!(
                r.uri()
                    .starts_with("https://codedeploy.us-west-2.amazonaws.com"),
                "{}",
                r.uri()
            );
            let target = r.headers().get("x-amz-target").unwrap_or_default();
            let op = target.strip_prefix(TARGET).unwrap_or(target).to_string();
            let body = r.body().bytes().expect("in-memory body");
            (op, serde_json::from_slice(body).expect("JSON request"))
        })
        .collect()
}

fn appspec(task_def: &str) -> String {
    format!(
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"{task_def}\"\n        LoadBalancerInfo:\n          ContainerName: \"app\"\n          ContainerPort: 8080\n"
    )
}

/// GetDeploymentGroup's `deploymentGroupInfo` of an ECS blue/green group.
fn group_info() -> Value {
    json!({
        "applicationName": "web-app",
        "deploymentGroupId": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
        "deploymentGroupName": "web-dg",
        "deploymentConfigName": CONFIG,
        "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployECSRole",
        "autoRollbackConfiguration": { "enabled": true, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"] },
        "deploymentStyle": { "deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL" },
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": { "action": "TERMINATE", "terminationWaitTimeInMinutes": 5 },
            "deploymentReadyOption": { "actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30 }
        },
        "loadBalancerInfo": { "targetGroupPairInfoList": [{
            "targetGroups": [{ "name": "web-blue" }, { "name": "web-green" }],
            "prodTrafficRoute": { "listenerArns": ["arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web/1a2b3c4d5e6f7a8b/1111111111111111"] },
            "testTrafficRoute": { "listenerArns": ["arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web/1a2b3c4d5e6f7a8b/2222222222222222"] }
        }]},
        "computePlatform": "ECS",
        "ecsServices": [{ "serviceName": "web", "clusterName": "example" }]
    })
}

/// GetDeployment's `deploymentInfo`: a canary ready and waiting for reroute.
fn deployment_info(id: &str, status: &str, task_def: &str, created: f64) -> Value {
    json!({
        "applicationName": "web-app",
        "deploymentGroupName": "web-dg",
        "deploymentConfigName": CONFIG,
        "deploymentId": id,
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": { "content": appspec(task_def), "sha256": "0".repeat(64) }
        },
        "status": status,
        "createTime": created,
        "startTime": created + 1.0,
        "creator": "user",
        "ignoreApplicationStopFailures": false,
        "updateOutdatedInstancesOnly": false,
        "deploymentStyle": { "deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL" },
        "instanceTerminationWaitTimeStarted": false,
        "computePlatform": "ECS"
    })
}

fn lifecycle(name: &str, status: &str, at: f64) -> Value {
    let mut e = json!({ "lifecycleEventName": name, "status": status });
    if status == "Succeeded" {
        e["startTime"] = json!(at);
        e["endTime"] = json!(at + 10.0);
    }
    e
}

/// GetDeploymentTarget's ECS target: the replacement scaled up and tested, no production
/// traffic moved yet.
fn ecs_target() -> Value {
    let done = |n: &str, i: f64| lifecycle(n, "Succeeded", T0 + 20.0 * i);
    json!({ "deploymentTarget": {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {
            "deploymentId": DEPLOYMENT,
            "targetId": "example:web",
            "targetArn": "arn:aws:ecs:us-west-2:123456789012:service/example/web",
            "lastUpdatedAt": T0 + 200.0,
            "lifecycleEvents": [
                done("BeforeInstall", 0.0), done("Install", 1.0), done("AfterInstall", 2.0),
                done("AllowTestTraffic", 3.0), done("AfterAllowTestTraffic", 4.0),
                lifecycle("BeforeAllowTraffic", "Pending", 0.0),
                lifecycle("AllowTraffic", "Pending", 0.0),
                lifecycle("AfterAllowTraffic", "Pending", 0.0)
            ],
            "status": "Ready",
            "taskSetsInfo": [
                { "identifer": "ecs-svc/1111111111111111111", "desiredCount": 4, "pendingCount": 0, "runningCount": 4,
                  "status": "PRIMARY", "trafficWeight": 100.0, "targetGroup": { "name": "web-blue" }, "taskSetLabel": "Blue" },
                { "identifer": "ecs-svc/2222222222222222222", "desiredCount": 4, "pendingCount": 1, "runningCount": 3,
                  "status": "ACTIVE", "trafficWeight": 0.0, "targetGroup": { "name": "web-green" }, "taskSetLabel": "Green" }
            ]
        }
    }})
}

fn target() -> CdTarget {
    CdTarget {
        cluster: "example".into(),
        service: "web".into(),
        container: "app".into(),
        port: 8080,
        task_sets: Vec::new(),
    }
}

#[tokio::test]
async fn a_canary_waiting_for_reroute_is_read_from_the_documented_answers() {
    let replay = StaticReplayClient::new(vec![
        event(json!({ "applications": ["web-app"] })),
        event(json!({ "applicationName": "web-app", "deploymentGroups": ["web-dg"] })),
        event(json!({ "deploymentGroupInfo": group_info() })),
        event(json!({ "deployments": [DEPLOYMENT] })),
        event(json!({ "deploymentInfo": deployment_info(DEPLOYMENT, "Ready", TD_NEW, T0) })),
        event(ecs_target()),
    ]);
    let cd = client(&replay);
    let got = read(&cd, &CallGate::default(), &GroupCache::default(), &target())
        .await
        .expect("read")
        .expect("a group deploys example/web");

    let reqs = sent(&replay);
    let ops: Vec<&str> = reqs.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "ListApplications",
            "ListDeploymentGroups",
            "GetDeploymentGroup",
            "ListDeployments",
            "GetDeployment",
            "GetDeploymentTarget"
        ]
    );
    assert_eq!(reqs[1].1["applicationName"], "web-app");
    assert_eq!(reqs[3].1["deploymentGroupName"], "web-dg");
    let statuses = reqs[3].1["includeOnlyStatuses"]
        .as_array()
        .expect("statuses");
    for s in ["Created", "Queued", "InProgress", "Baking", "Ready"] {
        assert!(statuses.contains(&json!(s)), "{statuses:?}");
    }
    assert!(!statuses.contains(&json!("Succeeded")), "{statuses:?}");
    assert_eq!(
        reqs[5].1,
        json!({ "deploymentId": DEPLOYMENT, "targetId": "example:web" })
    );

    let g = &got.group;
    assert_eq!(
        (g.application.as_str(), g.name.as_str()),
        ("web-app", "web-dg")
    );
    assert_eq!(g.config, CONFIG);
    assert_eq!((g.container.as_str(), g.port), ("app", 8080));
    assert_eq!(g.target_groups, ["web-blue", "web-green"]);
    assert_eq!(g.ready_wait, Some((30, ReadyAction::Stop)));
    assert_eq!(g.termination_wait, Some(5));
    assert!(g.auto_rollback);

    let d = got.deployment.expect("the deployment in flight");
    assert_eq!(d.id, DEPLOYMENT);
    assert_eq!(d.status, CdStatus::Ready);
    assert_eq!(d.task_def.to_string(), "web:42", "from the AppSpec");
    assert_eq!(
        TrafficShape::of(&d.config),
        TrafficShape::Canary {
            percent: 10,
            minutes: 5
        }
    );
    let green = d.replacement().expect("green");
    assert_eq!(green.label, TaskSetLabel::Green);
    assert_eq!(green.target_group, "web-green");
    assert_eq!((green.desired, green.running, green.pending), (4, 3, 1));
    assert_eq!(d.replacement_weight(), Some(0.0));
    assert_eq!(d.original().map(|o| o.weight), Some(100.0));
    assert_eq!(d.events.len(), 8);
    assert_eq!(d.waiting(), Some(CdWait::Reroute));
    // The wait began when AfterAllowTestTraffic ended (T0 + 80 s + 10 s), for 30 minutes.
    let ready_at = ((T0 + 90.0) * 1000.0) as i64;
    assert_eq!(d.wait_ends_at(g), Some(At(ready_at + 30 * 60_000)));
    assert_eq!(d.stage(), "waiting for reroute");
}

#[tokio::test]
async fn a_service_no_group_deploys_has_no_codedeploy_side_and_the_groups_are_kept() {
    let replay = StaticReplayClient::new(vec![
        event(json!({ "applications": ["web-app"] })),
        event(json!({ "applicationName": "web-app", "deploymentGroups": ["web-dg"] })),
        event(json!({ "deploymentGroupInfo": group_info() })),
    ]);
    let cd = client(&replay);
    let cache = GroupCache::default();
    let mut other = target();
    other.service = "api".into();
    let errors = CallGate::default();
    assert!(
        read(&cd, &errors, &cache, &other)
            .await
            .expect("read")
            .is_none()
    );
    // Asked again, the groups are not read again: no further request (the replay has none).
    assert!(
        read(&cd, &errors, &cache, &other)
            .await
            .expect("read")
            .is_none()
    );
    let ops: Vec<String> = sent(&replay).into_iter().map(|(op, _)| op).collect();
    assert_eq!(
        ops,
        [
            "ListApplications",
            "ListDeploymentGroups",
            "GetDeploymentGroup"
        ]
    );
    assert!(cache.knows("example", "web").await);
    assert!(!cache.knows("example", "api").await);
}

#[tokio::test]
async fn the_history_comes_from_the_groups_deployments_with_rollbacks_marked() {
    let mut failed = deployment_info("d-FAILED001", "Stopped", TD_NEW, T0 + 600.0);
    failed["rollbackInfo"] = json!({
        "rollbackDeploymentId": "d-ROLLBACK1",
        "rollbackMessage": "Deployment d-FAILED001 was stopped by the user and rolled back."
    });
    let td41 = "arn:aws:ecs:us-west-2:123456789012:task-definition/web:41";
    let mut back = deployment_info("d-ROLLBACK1", "Succeeded", td41, T0 + 700.0);
    back["creator"] = json!("codeDeployRollback");
    let replay = StaticReplayClient::new(vec![
        event(json!({ "applications": ["web-app"] })),
        event(json!({ "applicationName": "web-app", "deploymentGroups": ["web-dg"] })),
        event(json!({ "deploymentGroupInfo": group_info() })),
        event(json!({ "deployments": ["d-GOOD0041", "d-FAILED001", "d-ROLLBACK1"] })),
        event(json!({ "deploymentsInfo": [
            deployment_info("d-GOOD0041", "Succeeded", td41, T0),
            failed,
            back
        ]})),
    ]);
    let cd = client(&replay);
    let got = history(
        &cd,
        &CallGate::default(),
        &GroupCache::default(),
        "example",
        "web",
    )
    .await
    .expect("history");
    let reqs = sent(&replay);
    assert_eq!(reqs[3].0, "ListDeployments");
    assert_eq!(reqs[4].0, "BatchGetDeployments");
    assert_eq!(
        reqs[4].1["deploymentIds"],
        json!(["d-GOOD0041", "d-FAILED001", "d-ROLLBACK1"])
    );
    // Newest first: the rollback CodeDeploy made, the stopped deployment, the good one.
    let ids: Vec<&str> = got.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["d-ROLLBACK1", "d-FAILED001", "d-GOOD0041"]);
    assert!(got[0].is_rollback);
    assert_eq!(got[1].revision.to_string(), "web:42");
    assert!(
        matches!(&got[1].outcome, Outcome::RolledBack { to: Some(to), .. } if to.to_string() == "web:41"),
        "{:?}",
        got[1].outcome
    );
    assert_eq!(got[2].outcome, Outcome::Completed);
}

fn key() -> ServiceKey {
    ServiceKey {
        cluster: "example".into(),
        name: "web".into(),
    }
}

#[tokio::test]
async fn continue_stop_and_create_send_what_the_dialog_shows() {
    let replay = StaticReplayClient::new(vec![
        event(json!({})),
        event(json!({})),
        event(json!({ "status": "Pending", "statusMessage": "Stop requested" })),
        event(json!({ "deploymentId": "d-NEW000001" })),
    ]);
    let fleet = replay_fleet(&replay, None).await;
    let spec = deckwatch::model::codedeploy::appspec(TD_NEW, "app", 8080);
    let calls = [
        AwsCall::ContinueCodeDeploy {
            deployment_id: DEPLOYMENT.into(),
            wait: CdWait::Reroute,
        },
        AwsCall::ContinueCodeDeploy {
            deployment_id: DEPLOYMENT.into(),
            wait: CdWait::Termination,
        },
        AwsCall::StopCodeDeploy {
            deployment_id: DEPLOYMENT.into(),
        },
        AwsCall::CreateCodeDeploy {
            application: "web-app".into(),
            group: "web-dg".into(),
            appspec: spec.clone(),
        },
    ];
    for m in &calls {
        fleet.act(&key(), m).await.expect("sent");
    }
    let reqs = sent(&replay);
    assert_eq!(reqs[0].0, "ContinueDeployment");
    assert_eq!(
        reqs[0].1,
        json!({ "deploymentId": DEPLOYMENT, "deploymentWaitType": "READY_WAIT" })
    );
    assert_eq!(reqs[1].1["deploymentWaitType"], "TERMINATION_WAIT");
    assert_eq!(reqs[2].0, "StopDeployment");
    assert_eq!(
        reqs[2].1,
        json!({ "deploymentId": DEPLOYMENT, "autoRollbackEnabled": true })
    );
    assert_eq!(reqs[3].0, "CreateDeployment");
    assert_eq!(reqs[3].1["applicationName"], "web-app");
    assert_eq!(reqs[3].1["deploymentGroupName"], "web-dg");
    assert_eq!(reqs[3].1["revision"]["revisionType"], "AppSpecContent");
    let sent_spec = reqs[3].1["revision"]["appSpecContent"]["content"]
        .as_str()
        .expect("content");
    assert_eq!(
        sent_spec, spec,
        "the AppSpec the dialog shows is the one sent"
    );
    // And the dialog's line for it names the AppSpec whole.
    assert!(calls[3].to_string().contains(&spec), "{}", calls[3]);
}

#[tokio::test]
async fn codedeploys_errors_come_back_naming_the_exception_and_the_action() {
    let error =
        |code: &str, message: &str| event_with(400, json!({ "__type": code, "message": message }));
    let replay = StaticReplayClient::new(vec![
        error(
            "DeploymentAlreadyCompletedException",
            "The deployment d-8YNVRJB4Q is already completed.",
        ),
        error(
            "DeploymentIsNotInReadyStateException",
            "The deployment d-8YNVRJB4Q is not in a ready state.",
        ),
        error(
            "InvalidDeploymentWaitTypeException",
            "The wait type is invalid.",
        ),
    ]);
    let fleet = replay_fleet(&replay, None).await;
    let stop = AwsCall::StopCodeDeploy {
        deployment_id: DEPLOYMENT.into(),
    };
    let reroute = AwsCall::ContinueCodeDeploy {
        deployment_id: DEPLOYMENT.into(),
        wait: CdWait::Reroute,
    };
    let e = fleet.act(&key(), &stop).await.expect_err("completed");
    assert!(
        e.message.contains("codedeploy:StopDeployment"),
        "{}",
        e.message
    );
    assert!(
        e.to_string()
            .contains("DeploymentAlreadyCompletedException"),
        "{e}"
    );
    let e = fleet.act(&key(), &reroute).await.expect_err("not ready");
    assert!(
        e.message.contains("codedeploy:ContinueDeployment"),
        "{}",
        e.message
    );
    assert!(
        e.to_string()
            .contains("DeploymentIsNotInReadyStateException"),
        "{e}"
    );
    let e = fleet.act(&key(), &reroute).await.expect_err("wait type");
    assert!(
        e.to_string().contains("InvalidDeploymentWaitTypeException"),
        "{e}"
    );
    // One request each: nothing retried.
    assert_eq!(sent(&replay).len(), 3);
}
