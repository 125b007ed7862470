//! The AWS backend on replayed HTTP answers: the real SDK clients, sending to a
//! `StaticReplayClient` that answers each request, in order, with AWS's documented body.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use deckwatch::budget::Budget;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use std::sync::Arc;

/// A 200 answer of `content_type` carrying `body`; the replay does not check the request side,
/// `uri` only says which service answered.
pub fn ok_answer(uri: &str, content_type: &str, body: String) -> ReplayEvent {
    let req = http::Request::builder()
        .uri(uri)
        .body(SdkBody::empty())
        .expect("request");
    let resp = http::Response::builder()
        .status(200)
        .header("content-type", content_type)
        .body(SdkBody::from(body))
        .expect("response");
    ReplayEvent::new(req, resp)
}

/// An answer in the AWS JSON 1.1 protocol (Cost Explorer, the Price List API).
pub fn aws_json_answer(body: serde_json::Value) -> ReplayEvent {
    ok_answer(
        "https://example.amazonaws.com/",
        "application/x-amz-json-1.1",
        body.to_string(),
    )
}

/// An answer of the SSO portal in eu-central-1 (REST JSON).
pub fn sso_portal_answer(body: serde_json::Value) -> ReplayEvent {
    ok_answer(
        "https://portal.sso.eu-central-1.amazonaws.com/",
        "application/json",
        body.to_string(),
    )
}

/// The fleet of cluster `example` in us-west-2, with static credentials, on `replay`, asking
/// `budget` before each call.
pub async fn replay_fleet_budgeted(replay: &StaticReplayClient, budget: Arc<Budget>) -> AwsFleet {
    AwsFleet::connect_with(
        AwsOptions {
            region: Some("us-west-2".into()),
            clusters: vec!["example".into()],
            retries: false,
            ..AwsOptions::default()
        },
        Overrides {
            budget,
            ..replay_overrides(replay)
        },
    )
    .await
    .expect("connect")
}

/// Every call sent to `replay`, signed with static keys.
fn replay_overrides(replay: &StaticReplayClient) -> Overrides {
    Overrides {
        http_client: Some(SharedHttpClient::new(replay.clone())),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "SECRET", None, None, "replay",
        ))),
        ..Overrides::default()
    }
}

/// The fleet of cluster `example` in us-west-2, with static credentials, on `replay`.
pub async fn replay_fleet(replay: &StaticReplayClient, profile: Option<&str>) -> AwsFleet {
    AwsFleet::connect_with(
        AwsOptions {
            profile: profile.map(str::to_string),
            region: Some("us-west-2".into()),
            endpoint_url: None,
            clusters: vec!["example".into()],
            // Off only because a replay answers requests in order, once each: a retried
            // request would be given the next request's answer.
            retries: false,
            events: None,
            sso: None,
        },
        replay_overrides(replay),
    )
    .await
    .expect("connect")
}
