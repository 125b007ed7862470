//! Credentials that expire or are refused while the console runs, through the real SDK client
//! on replayed answers: expired credentials are never sent, refused ones are read again before
//! the next call, and the next call works once the chain has new ones. No restart, no network.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::ErrorKind;
use deckwatch::model::Ms;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A credential chain the test changes under the fleet, as `aws sso login` or a rewritten
/// `credential_process` would, counting how often it is asked.
#[derive(Debug, Clone, Default)]
struct Swappable {
    next: Arc<Mutex<Option<Credentials>>>,
    asked: Arc<Mutex<u32>>,
}

impl Swappable {
    fn set(&self, key: &str, expires_in_secs: i64) {
        let now = SystemTime::now();
        let at = if expires_in_secs >= 0 {
            now + Duration::from_secs(expires_in_secs as u64)
        } else {
            now - Duration::from_secs(expires_in_secs.unsigned_abs())
        };
        *self.next.lock().unwrap() = Some(Credentials::new(key, "secret", None, Some(at), "swap"));
    }

    fn asked(&self) -> u32 {
        *self.asked.lock().unwrap()
    }
}

impl ProvideCredentials for Swappable {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        *self.asked.lock().unwrap() += 1;
        let next = self.next.lock().unwrap().clone();
        future::ProvideCredentials::ready(
            next.ok_or_else(|| CredentialsError::not_loaded("the SSO session has expired")),
        )
    }
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> ReplayEvent {
    let mut resp = http::Response::builder().status(status);
    for (k, v) in headers {
        resp = resp.header(*k, *v);
    }
    let req = http::Request::builder()
        .uri("https://ecs.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .unwrap();
    ReplayEvent::new(req, resp.body(SdkBody::from(body.to_string())).unwrap())
}

fn json(status: u16, body: &str) -> ReplayEvent {
    answer(
        status,
        &[("content-type", "application/x-amz-json-1.1")],
        body,
    )
}

const NO_SERVICES: &str = r#"{"serviceArns":[]}"#;

async fn fleet(replay: &StaticReplayClient, chain: &Swappable) -> AwsFleet {
    AwsFleet::connect_with(
        AwsOptions {
            profile: Some("swap".into()),
            region: Some("us-west-2".into()),
            endpoint_url: None,
            clusters: vec!["example".into()],
            retries: false,
            events: None,
            sso: None,
        },
        Overrides {
            http_client: Some(SharedHttpClient::new(replay.clone())),
            credentials: Some(SharedCredentialsProvider::new(chain.clone())),
            ..Overrides::default()
        },
    )
    .await
    .unwrap()
}

/// The access key each request was signed with.
fn signed_with(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| {
            let auth = r.headers().get("authorization").unwrap_or_default();
            let cred = auth.split("Credential=").nth(1).unwrap_or_default();
            cred.split('/').next().unwrap_or_default().to_string()
        })
        .collect()
}

#[tokio::test]
async fn expired_credentials_are_never_sent_and_renewed_ones_are_used_without_a_restart() {
    let chain = Swappable::default();
    chain.set("OLD", -60);
    let replay = StaticReplayClient::new(vec![json(200, NO_SERVICES)]);
    let fleet = fleet(&replay, &chain).await;

    let e = fleet.services().await.expect_err("expired");
    assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
    assert!(
        e.message.contains("aws sso login --profile swap"),
        "{}",
        e.message
    );
    assert!(e.message.contains("expired"), "{}", e.message);
    assert_eq!(
        signed_with(&replay).len(),
        0,
        "nothing was sent with expired credentials"
    );
    assert!(fleet.credentials_expiry().unwrap() < deckwatch::timing::now_ms());

    chain.set("NEW", 3600);
    assert!(fleet.services().await.unwrap().is_empty());
    assert_eq!(signed_with(&replay), ["NEW"]);
    let left = fleet.credentials_expiry().unwrap() - deckwatch::timing::now_ms();
    assert!(left > Ms(3_500_000), "{left:?}");
}

#[tokio::test]
async fn credentials_the_service_refuses_are_read_again_before_the_next_call() {
    let chain = Swappable::default();
    chain.set("REVOKED", 3600);
    let expired = r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#;
    let replay = StaticReplayClient::new(vec![json(400, expired), json(200, NO_SERVICES)]);
    let fleet = fleet(&replay, &chain).await;

    let e = fleet.services().await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
    chain.set("RENEWED", 3600);
    assert!(fleet.services().await.unwrap().is_empty());
    // Without the refusal the first credentials would have been kept for their hour.
    assert_eq!(signed_with(&replay), ["REVOKED", "RENEWED"]);
    assert_eq!(chain.asked(), 2);
}

#[tokio::test]
async fn a_chain_that_fails_is_asked_again_at_every_call() {
    let chain = Swappable::default();
    let replay = StaticReplayClient::new(vec![json(200, NO_SERVICES)]);
    let fleet = fleet(&replay, &chain).await;
    for _ in 0..2 {
        let e = fleet.services().await.expect_err("no session");
        assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
    }
    chain.set("LOGGED-IN", 3600);
    assert!(fleet.services().await.is_ok());
    assert_eq!(chain.asked(), 3);
}

#[tokio::test]
async fn an_invalid_token_in_an_xml_body_without_the_header_is_a_credentials_error_too() {
    // What moto answers a JSON-protocol call when IAM authentication refuses it.
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>\
               <Code>InvalidClientTokenId</Code><Message>The security token included in the \
               request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
    let replay = StaticReplayClient::new(vec![answer(
        403,
        &[("content-type", "text/html; charset=utf-8")],
        xml,
    )]);
    let chain = Swappable::default();
    chain.set("BAD", 3600);
    let fleet = fleet(&replay, &chain).await;
    let e = fleet.services().await.expect_err("invalid");
    assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
}

#[tokio::test]
async fn an_invalid_token_answered_in_xml_to_a_json_call_is_still_a_credentials_error() {
    // An emulator (or a proxy) answering a JSON-protocol call with an XML error body: the code
    // is still in the x-amzn-errortype header.
    let xml = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
               <Message>The security token included in the request is invalid.</Message>\
               </Error></Errors></ErrorResponse>";
    let replay = StaticReplayClient::new(vec![answer(
        403,
        &[
            ("content-type", "application/xml"),
            ("x-amzn-errortype", "InvalidClientTokenId"),
        ],
        xml,
    )]);
    let chain = Swappable::default();
    chain.set("BAD", 3600);
    let fleet = fleet(&replay, &chain).await;
    let e = fleet.services().await.expect_err("invalid");
    assert_eq!(e.kind, ErrorKind::Credentials, "{e}");
    assert!(
        e.message.contains("aws sso login --profile swap"),
        "{}",
        e.message
    );
}
