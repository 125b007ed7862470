//! `deckwatch status` judges each rollout in flight by the console's rule, on the demo over
//! tokio's paused clock: payments' bad deploy reads FAIL with the alarms or figures that fail
//! it, checkout's canary PASS with its samples and soak, a steady service no verdict; the text
//! and the JSON say so.

use deckwatch::commands::status::{judge, read};
use deckwatch::commands::status_view;
use deckwatch::commands::verdict::Clock;
use deckwatch::demo::SimFleet;
use deckwatch::demo::scenario::BAD_DEPLOY_AT_S;
use deckwatch::model::At;
use deckwatch::model::verdict::{Analysis, Verdict};
use std::time::Duration;

const EPOCH: At = At(1_790_000_000_000);

#[tokio::test(start_paused = true)]
async fn status_says_each_rollout_s_verdict_with_its_rule() {
    let fleet = SimFleet::new(EPOCH);
    let clock = Clock::from(EPOCH);
    // 20 s into the bad deploy: its new tasks serve errors, its alarms fire.
    tokio::time::advance(Duration::from_secs(BAD_DEPLOY_AT_S as u64 + 20)).await;
    let mut snap = read(&fleet, None).await.unwrap();
    judge(&fleet, &mut snap, &Analysis::default(), clock.now()).await;
    let payments = snap
        .verdicts
        .iter()
        .find(|(k, _)| k.name == "payments")
        .map(|(_, j)| j)
        .expect("payments rolls out");
    assert_eq!(payments.judged.verdict, Verdict::Fail, "{payments:?}");
    assert!(
        !snap.verdicts.keys().any(|k| k.name == "api"),
        "a steady service has no verdict"
    );
    let text = status_view::text(&snap);
    let header = text.lines().nth(1).unwrap();
    assert!(header.contains("VERDICT"), "{header}");
    let row = text
        .lines()
        .find(|l| l.starts_with("prod-core/payments "))
        .unwrap();
    assert!(row.contains(" FAIL "), "{row}");
    let line = text
        .lines()
        .find(|l| l.starts_with("verdict prod-core/payments  FAIL: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("new alarm payments-5xx-rate in ALARM") || line.contains("new 5xx"),
        "{line}"
    );

    // Checkout's canary, two minutes on: PASS over its samples, with its soak.
    tokio::time::advance(Duration::from_secs(120)).await;
    let mut snap = read(&fleet, Some("checkout")).await.unwrap();
    judge(&fleet, &mut snap, &Analysis::default(), clock.now()).await;
    let doc: serde_json::Value = serde_json::from_str(&status_view::json(&snap)).unwrap();
    let v = &doc["services"][0]["verdict"];
    assert_eq!(v["verdict"], "PASS", "{v}");
    assert!(
        v["rule"].as_str().unwrap().starts_with("PASS: canary 5xx "),
        "{v}"
    );
    assert!(v["canary_requests"].as_f64().unwrap() >= 100.0, "{v}");
    assert!(v["primary_requests"].as_f64().unwrap() >= 100.0, "{v}");
    assert!(v["newest_minute"].is_string(), "{v}");
    assert!(v["soak"]["text"].is_string(), "{v}");
    assert_eq!(v["canary_alarms_firing"], serde_json::json!([]), "{v}");
}
