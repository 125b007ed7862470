//! What reaches the console from AWS, through the real SDK client on replayed answers: every
//! string is cleaned at the edge (a bidi override in an alarm's name never reaches the state),
//! an answer that does not parse is said with the parser's words, and an error with no code is
//! said with its HTTP status: never "unknown error".

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::ErrorKind;

fn xml(status: u16, body: &str) -> ReplayEvent {
    let req = http::Request::builder()
        .uri("https://monitoring.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .unwrap();
    let resp = http::Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(SdkBody::from(body.to_string()))
        .unwrap();
    ReplayEvent::new(req, resp)
}

async fn fleet(replay: &StaticReplayClient) -> AwsFleet {
    AwsFleet::connect_with(
        AwsOptions {
            region: Some("us-west-2".into()),
            clusters: vec!["example".into()],
            retries: false,
            ..AwsOptions::default()
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
    .unwrap()
}

/// A DescribeAlarms answer (awsQuery XML, as the API reference shows it) with these alarms.
fn alarms_body(alarms: &[(&str, &str, &str)]) -> String {
    let members: String = alarms
        .iter()
        .map(|(name, state, reason)| {
            format!(
                "<member><AlarmName>{name}</AlarmName><StateValue>{state}</StateValue>\
                 <StateReason>{reason}</StateReason>\
                 <StateUpdatedTimestamp>2026-11-25T10:00:00.000Z</StateUpdatedTimestamp></member>"
            )
        })
        .collect();
    format!(
        "<DescribeAlarmsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">\
         <DescribeAlarmsResult><MetricAlarms>{members}</MetricAlarms><CompositeAlarms/>\
         </DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\
         </DescribeAlarmsResponse>"
    )
}

#[tokio::test]
async fn bidi_controls_in_an_alarm_never_reach_the_console() {
    let body = alarms_body(&[(
        "payments-\u{202E}etar-xx5\u{202C}",
        "ALARM",
        "Threshold \u{2066}Crossed\u{2069}: \u{200F}1 datapoint \u{1F1E9}\u{1F1EA}",
    )]);
    let replay = StaticReplayClient::new(vec![xml(200, &body)]);
    let alarms = fleet(&replay).await.alarms().await.unwrap();
    assert_eq!(alarms[0].name, "payments-etar-xx5");
    assert_eq!(alarms[0].reason, "Threshold Crossed: 1 datapoint DE");
}

#[tokio::test]
async fn an_alarm_that_does_not_parse_is_said_with_the_parsers_words_and_the_rest_show() {
    let good = alarms_body(&[("fire", "ALARM", "Threshold Crossed")]);
    let bad = alarms_body(&[("calm", "OK", "&nosuchentity;")]);
    let empty = alarms_body(&[]);
    // The whole read fails; then by state and kind: ALARM (metric, composite),
    // INSUFFICIENT_DATA (metric, composite), OK metric in pages of 100, 10 and 1, OK composite.
    let replay = StaticReplayClient::new(vec![
        xml(200, &bad),
        xml(200, &good),
        xml(200, &empty),
        xml(200, &empty),
        xml(200, &empty),
        xml(200, &bad),
        xml(200, &bad),
        xml(200, &bad),
        xml(200, &empty),
    ]);
    let listing = fleet(&replay).await.alarms_listing().await.unwrap();
    let names: Vec<&str> = listing.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["fire"], "the firing alarm is not hidden");
    let e = listing.failed.unwrap();
    assert_eq!(e.kind, ErrorKind::Unreadable);
    assert!(e.partial);
    let text = e.to_string();
    assert!(text.contains("not shown: metric alarms in OK"), "{text}");
    assert!(text.contains("invalid XML escape"), "{text}");
    assert!(!text.contains("unknown error"), "{text}");
    // Page sizes asked: 100, then 10 and 1 around the bad answer.
    let sizes: Vec<String> = replay
        .actual_requests()
        .filter_map(|r| {
            let body = std::str::from_utf8(r.body().bytes()?).ok()?;
            body.split('&')
                .find_map(|kv| kv.strip_prefix("MaxRecords="))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(sizes, ["100", "100", "100", "100", "100", "10", "1", "100"]);
}

#[tokio::test]
async fn an_error_without_a_code_names_its_status() {
    let replay = StaticReplayClient::new(vec![xml(400, "")]);
    let e = fleet(&replay).await.alarms().await.unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("cloudwatch:DescribeAlarms: "), "{text}");
    assert!(text.contains("HTTP 400: "), "{text}");
    assert!(
        text.contains("no root element"),
        "the parser's words: {text}"
    );
    assert!(!text.contains("unknown error"), "{text}");
}
