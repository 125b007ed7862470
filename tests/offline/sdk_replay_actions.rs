//! The native-deployment actions, which moto lacks, through the real SDK client at the HTTP
//! layer: `Fleet::act` is answered by replayed responses shaped as the AWS API reference
//! documents them, and the requests it sent are checked (operation, ARN, hook id, action).
//! No network, no moto.

use crate::support::replay::replay_fleet;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::model::{AwsCall, ErrorKind, ServiceKey};
use serde_json::{Value, json};

const DEPLOYMENT: &str = "arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-example/EZe5RNVLH6PPzHXINuP28";
const HOOK: &str = "ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw";
const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";

fn key() -> ServiceKey {
    ServiceKey {
        cluster: "example".into(),
        name: "sd-example".into(),
    }
}

fn response(status: u16, body: &str) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(body.to_string()))
        .expect("response")
}

/// The documented success answer of both ContinueServiceDeployment and StopServiceDeployment.
fn ok_body() -> String {
    json!({ "serviceDeploymentArn": DEPLOYMENT }).to_string()
}

/// The request side of a replay event is only a placeholder: the requests actually sent are
/// checked one by one.
fn event(resp: http::Response<SdkBody>) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://ecs.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    ReplayEvent::new(req, resp)
}

/// A request as sent: method, URI, X-Amz-Target and JSON body.
#[derive(Debug)]
struct Sent {
    method: String,
    uri: String,
    target: String,
    body: Value,
}

fn sent(replay: &StaticReplayClient) -> Vec<Sent> {
    replay
        .actual_requests()
        .map(|r| Sent {
            method: r.method().to_string(),
            uri: r.uri().to_string(),
            target: r
                .headers()
                .get("x-amz-target")
                .unwrap_or_default()
                .to_string(),
            body: serde_json::from_slice(r.body().bytes().expect("in-memory body"))
                .expect("JSON request"),
        })
        .collect()
}

/// One request, to ECS in the fleet's region, of operation `op`; returns its body.
fn only_request(replay: &StaticReplayClient, op: &str) -> Value {
    let mut reqs = sent(replay);
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    let r = reqs.remove(0);
    assert_eq!(r.method, "POST", "{r:#?}");
    assert!(
        r.uri.starts_with("https://ecs.us-west-2.amazonaws.com"),
        "{r:#?}"
    );
    assert_eq!(r.target, format!("{TARGET_PREFIX}{op}"), "{r:#?}");
    r.body
}

#[tokio::test]
async fn promote_continues_the_hook() {
    let replay = StaticReplayClient::new(vec![event(response(200, &ok_body()))]);
    let fleet = replay_fleet(&replay, None).await;
    fleet
        .act(
            &key(),
            &AwsCall::ContinueHook {
                deployment_arn: DEPLOYMENT.into(),
                hook_id: HOOK.into(),
                proceed: true,
            },
        )
        .await
        .expect("continue");
    let body = only_request(&replay, "ContinueServiceDeployment");
    assert_eq!(
        body,
        json!({
            "serviceDeploymentArn": DEPLOYMENT,
            "hookId": HOOK,
            "action": "CONTINUE"
        })
    );
}

#[tokio::test]
async fn abort_at_the_hook_rolls_back() {
    let replay = StaticReplayClient::new(vec![event(response(200, &ok_body()))]);
    let fleet = replay_fleet(&replay, None).await;
    fleet
        .act(
            &key(),
            &AwsCall::ContinueHook {
                deployment_arn: DEPLOYMENT.into(),
                hook_id: HOOK.into(),
                proceed: false,
            },
        )
        .await
        .expect("roll back at the hook");
    let body = only_request(&replay, "ContinueServiceDeployment");
    assert_eq!(
        body,
        json!({
            "serviceDeploymentArn": DEPLOYMENT,
            "hookId": HOOK,
            "action": "ROLLBACK"
        })
    );
}

#[tokio::test]
async fn stopping_a_deployment_rolls_it_back() {
    let replay = StaticReplayClient::new(vec![event(response(200, &ok_body()))]);
    let fleet = replay_fleet(&replay, None).await;
    fleet
        .act(
            &key(),
            &AwsCall::StopDeployment {
                deployment_arn: DEPLOYMENT.into(),
            },
        )
        .await
        .expect("stop");
    let body = only_request(&replay, "StopServiceDeployment");
    assert_eq!(
        body,
        json!({
            "serviceDeploymentArn": DEPLOYMENT,
            "stopType": "ROLLBACK"
        })
    );
}

#[tokio::test]
async fn error_answers_come_back_naming_the_exception() {
    // A modelled error of each operation, and one the SDK does not model for them.
    let invalid = json!({
        "__type": "InvalidParameterException",
        "message": "The lifecycle hook is not in the AWAITING_ACTION state."
    })
    .to_string();
    let conflict = json!({
        "__type": "ConflictException",
        "message": "The service deployment is already being rolled back."
    })
    .to_string();
    let not_updatable = json!({
        "__type": "ServiceDeploymentNotUpdatableException",
        "message": "The service deployment cannot be updated in its current state."
    })
    .to_string();
    let replay = StaticReplayClient::new(vec![
        event(response(400, &invalid)),
        event(response(400, &conflict)),
        event(response(400, &not_updatable)),
    ]);
    let fleet = replay_fleet(&replay, None).await;
    let hook = AwsCall::ContinueHook {
        deployment_arn: DEPLOYMENT.into(),
        hook_id: HOOK.into(),
        proceed: true,
    };
    let stop = AwsCall::StopDeployment {
        deployment_arn: DEPLOYMENT.into(),
    };

    let e = fleet
        .act(&key(), &hook)
        .await
        .expect_err("invalid parameter");
    assert_eq!(e.kind, ErrorKind::Other, "{e}");
    assert!(
        e.message.contains("ecs:ContinueServiceDeployment"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("InvalidParameterException"),
        "{}",
        e.message
    );
    assert!(e.message.contains("AWAITING_ACTION"), "{}", e.message);

    let e = fleet.act(&key(), &stop).await.expect_err("conflict");
    assert_eq!(e.kind, ErrorKind::Other, "{e}");
    assert!(
        e.message.contains("ecs:StopServiceDeployment"),
        "{}",
        e.message
    );
    assert!(e.message.contains("ConflictException"), "{}", e.message);
    assert!(
        e.message.contains("already being rolled back"),
        "{}",
        e.message
    );

    let e = fleet.act(&key(), &stop).await.expect_err("not updatable");
    assert!(
        e.to_string()
            .contains("ServiceDeploymentNotUpdatableException"),
        "{e}"
    );
    assert!(
        e.message.contains("ecs:StopServiceDeployment"),
        "{}",
        e.message
    );

    // One request each, no retry.
    let targets: Vec<String> = sent(&replay).into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        vec![
            format!("{TARGET_PREFIX}ContinueServiceDeployment"),
            format!("{TARGET_PREFIX}StopServiceDeployment"),
            format!("{TARGET_PREFIX}StopServiceDeployment"),
        ]
    );
}
