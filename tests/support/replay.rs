//! The AWS backend on replayed HTTP answers: the real SDK clients, sending to a
//! `StaticReplayClient` that answers each request, in order, with AWS's documented body.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::StaticReplayClient;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};

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
        Overrides {
            http_client: Some(SharedHttpClient::new(replay.clone())),
            credentials: Some(SharedCredentialsProvider::new(Credentials::new(
                "AKID", "SECRET", None, None, "replay",
            ))),
            ..Overrides::default()
        },
    )
    .await
    .expect("connect")
}
