//! One alarm whose answer cannot be read must not multiply the DescribeAlarms calls. Off the
//! alarms pane they are read once a minute; with one unreadable alarm the poller once came back
//! at the normal pace (10 s) and read around the bad answer each time (33 calls in 30 s). The
//! real pollers on tokio's paused clock, through the real SDK client, on answers shaped as the
//! API reference documents them, counting the calls.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::state::{Msg, Pane, Watch};
use deckwatch::workers::poller::Intervals;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

fn xml(body: String) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/xml")
        .body(SdkBody::from(body))
        .unwrap()
}

/// A DescribeAlarms answer with these metric alarms (name, state, reason).
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

/// CloudWatch with three alarms, `calm` (OK) unreadable in any answer that holds it; ECS with
/// no services. Counts the DescribeAlarms calls.
fn fleet(calls: Arc<AtomicUsize>) -> Arc<dyn Fleet> {
    let client = infallible_client_fn(move |req: http::Request<SdkBody>| {
        let body = String::from_utf8_lossy(req.body().bytes().unwrap_or_default()).into_owned();
        if !body.contains("Action=DescribeAlarms") {
            // ECS, STS and the rest: nothing to show.
            return http::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.1")
                .body(SdkBody::from("{\"serviceArns\":[],\"clusterArns\":[]}"))
                .unwrap();
        }
        calls.fetch_add(1, Ordering::Relaxed);
        let composite = body.contains("AlarmTypes.member.1=CompositeAlarm");
        let fire = ("fire", "ALARM", "Threshold Crossed");
        let quiet = ("quiet", "INSUFFICIENT_DATA", "no data");
        let calm = ("calm", "OK", "&nosuchentity;");
        let by_state = |s: &str| body.contains(&format!("StateValue={s}"));
        let alarms: Vec<(&str, &str, &str)> = if composite {
            vec![]
        } else if by_state("ALARM") {
            vec![fire]
        } else if by_state("INSUFFICIENT_DATA") {
            vec![quiet]
        } else if by_state("OK") {
            vec![calm]
        } else {
            vec![fire, quiet, calm]
        };
        xml(alarms_body(&alarms))
    });
    let opts = AwsOptions {
        region: Some("us-west-2".into()),
        clusters: vec!["example".into()],
        retries: false,
        ..AwsOptions::default()
    };
    let overrides = Overrides {
        http_client: Some(client),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "SECRET", None, None, "replay",
        ))),
        ..Overrides::default()
    };
    let fleet = futures::executor::block_on(AwsFleet::connect_with(opts, overrides)).unwrap();
    Arc::new(fleet)
}

#[tokio::test(start_paused = true)]
async fn one_unreadable_alarm_is_remembered_and_the_alarms_keep_their_pace() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let shown = Arc::new(Mutex::new(None));
    let s2 = shown.clone();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if let Msg::Failed(Pane::Alarms, e, _) = m {
                *s2.lock().unwrap() = Some(e);
            }
        }
    });
    let watch = Watch {
        pane: Pane::Services,
        service: None,
        partner: None,
        fast: false,
        acting: false,
        sort: None,
        logs: None,
    };
    let iv = Intervals {
        fast: Duration::from_secs(2),
        normal: Duration::from_secs(10),
        logs: Duration::from_secs(2),
        alarms: Duration::from_secs(60),
        live_tail: false,
        reconcile: Duration::from_secs(300),
    };
    let audit = Arc::new(deckwatch::workers::audit::Audit::new(None));
    let _handles =
        deckwatch::app::context_workers::start(&fleet(calls.clone()), &audit, &tx, watch, 0, iv);
    // The first poll: one whole read that fails, then each state and kind, the bad one in
    // pages of 100, 10 and 1: 1 + 6 + 2 calls.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let first = calls.load(Ordering::Relaxed);
    assert_eq!(first, 9, "the first poll reads around the bad answer");
    let e = shown
        .lock()
        .unwrap()
        .clone()
        .expect("what is not shown is said");
    assert!(
        e.partial && e.message.contains("metric alarms in OK"),
        "{e:?}"
    );
    // Off the alarms pane the alarms are read once a minute, bad answer or not.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        calls.load(Ordering::Relaxed),
        first,
        "no poll before the minute"
    );
    // Ten minutes: ten more polls, each without the whole read known to fail (8 calls), but
    // for one try of it after five minutes, in case it healed.
    tokio::time::sleep(Duration::from_secs(600)).await;
    let later = calls.load(Ordering::Relaxed) - first;
    assert!(
        later <= 10 * 8 + 1,
        "{later} DescribeAlarms calls in ten minutes"
    );
    assert!(later >= 9 * 6, "the alarms are still read: {later}");
}
