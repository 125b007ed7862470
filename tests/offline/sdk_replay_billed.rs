//! What Cost Explorer billed, through the real client on a replayed `GetCostAndUsage` answer
//! (moto has no Cost Explorer): off by default, when no request is ever made; on, one request
//! a read, through the API budget, grouped by the ECS tags split cost allocation data adds.

use crate::support::replay::{aws_json_answer as answer, replay_fleet_budgeted};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use deckwatch::budget::Budget;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{Op, ServiceKey};
use deckwatch::state::Msg;
use deckwatch::workers::billed;
use serde_json::json;
use std::sync::Arc;

async fn fleet_on(replay: &StaticReplayClient, budget: Arc<Budget>, on: bool) -> Arc<dyn Fleet> {
    let fleet = replay_fleet_budgeted(replay, budget).await;
    Arc::new(fleet.with_cost_explorer(on))
}

/// GetCostAndUsage's documented shape, grouped by the cluster and service tags; the untagged
/// bucket names no service.
fn one_day() -> ReplayEvent {
    let group = |cluster: &str, service: &str, usd: &str| {
        json!({
            "Keys": [format!("aws:ecs:clusterName${cluster}"), format!("aws:ecs:serviceName${service}")],
            "Metrics": {"UnblendedCost": {"Amount": usd, "Unit": "USD"}}
        })
    };
    answer(json!({
        "GroupDefinitions": [
            {"Type": "TAG", "Key": "aws:ecs:clusterName"},
            {"Type": "TAG", "Key": "aws:ecs:serviceName"}
        ],
        "ResultsByTime": [{
            "TimePeriod": {"Start": "2026-12-05", "End": "2026-12-06"},
            "Total": {},
            "Groups": [
                group("example", "api", "6.9012345"),
                group("example", "web", "1.25"),
                group("", "", "0.42")
            ],
            "Estimated": false
        }],
        "DimensionValueAttributes": []
    }))
}

#[tokio::test]
async fn off_by_default_cost_explorer_is_never_called() {
    let replay = StaticReplayClient::new(Vec::new());
    let budget = Arc::new(Budget::default());
    let fleet = fleet_on(&replay, budget.clone(), false).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    // The worker ends at once: nothing sent, no request, nothing asked of the budget.
    billed::run(fleet, tx).await;
    assert!(rx.recv().await.is_none());
    assert_eq!(replay.actual_requests().count(), 0);
    assert!(
        budget
            .report()
            .iter()
            .all(|r| r.op != Op::CeGetCostAndUsage)
    );
}

#[tokio::test]
async fn on_one_read_is_one_get_cost_and_usage_through_the_budget() {
    let replay = StaticReplayClient::new(vec![one_day()]);
    let budget = Arc::new(Budget::default());
    let fleet = fleet_on(&replay, budget.clone(), true).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    // 2026-12-06T00:30:00Z: yesterday is 2026-12-05.
    assert!(billed::read_once(fleet.as_ref(), &tx, At(1_796_517_000_000)).await);
    let Some(Msg::Billed(Ok(day))) = rx.recv().await else {
        panic!("no billed costs");
    };
    assert_eq!(day.day, "2026-12-05");
    let key = |name: &str| ServiceKey {
        cluster: "example".into(),
        name: name.into(),
    };
    assert_eq!(day.of(&key("api")), Some(6.9012345));
    assert_eq!(day.of(&key("web")), Some(1.25));
    assert_eq!(day.by_service.len(), 2, "the untagged bucket is no service");

    let sent: Vec<serde_json::Value> = replay
        .actual_requests()
        .map(|r| serde_json::from_slice(r.body().bytes().expect("body")).expect("json"))
        .collect();
    assert_eq!(sent.len(), 1);
    let target = replay
        .actual_requests()
        .filter_map(|r| r.headers().get("x-amz-target").map(str::to_string))
        .collect::<Vec<_>>();
    assert_eq!(target, ["AWSInsightsIndexService.GetCostAndUsage"]);
    let req = &sent[0];
    assert_eq!(
        req["TimePeriod"],
        json!({"Start": "2026-12-05", "End": "2026-12-06"})
    );
    assert_eq!(req["Granularity"], "DAILY");
    assert_eq!(req["Metrics"], json!(["UnblendedCost"]));
    assert_eq!(
        req["GroupBy"],
        json!([
            {"Type": "TAG", "Key": "aws:ecs:clusterName"},
            {"Type": "TAG", "Key": "aws:ecs:serviceName"}
        ])
    );
    let filters = req["Filter"]["And"].as_array().expect("and");
    assert!(filters.contains(&json!({"Dimensions": {"Key": "REGION", "Values": ["us-west-2"]}})));
    let host = replay
        .actual_requests()
        .map(|r| r.uri().to_string())
        .next()
        .expect("request");
    assert!(host.contains("ce.us-east-1."), "{host}");
    let report = budget.report();
    let op = report
        .iter()
        .find(|r| r.op == Op::CeGetCostAndUsage)
        .expect("asked the budget");
    assert_eq!(op.calls_last_minute, 1);
}
