//! The Fargate prices through the real Price List client on replayed `GetProducts` answers
//! (moto has no pricing service), shaped as the API reference documents them: `PriceList` is
//! a list of JSON documents, each a string. Then a seeded service's estimate, worked out by
//! hand, and the prices cache on disk (fresh, stale, corrupt).

use crate::support::replay::{aws_json_answer as answer, replay_fleet_budgeted};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use deckwatch::budget::Budget;
use deckwatch::cloud::Fleet;
use deckwatch::model::Op;
use deckwatch::model::cost::{self, Rate};
use deckwatch::model::{At, Ms};
use deckwatch::workers::prices::{self, Cached, FRESH_MS};
use serde_json::json;
use std::sync::Arc;

const ACCOUNT: &str = "123456789012";

/// One product of the price list, as the API sends it: a JSON document in a string.
fn product(usagetype: &str, usd: &str) -> String {
    let sku = format!("SKU{}", usagetype.len());
    json!({
        "product": {
            "productFamily": "Compute",
            "attributes": {
                "servicecode": "AmazonECS",
                "regionCode": "us-west-2",
                "location": "US West (Oregon)",
                "usagetype": usagetype,
                "operation": ""
            },
            "sku": sku
        },
        "serviceCode": "AmazonECS",
        "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {
            "priceDimensions": {format!("{sku}.JRTCKXETXF.6YS6EN2CT7"): {
                "unit": "hours",
                "endRange": "Inf",
                "beginRange": "0",
                "pricePerUnit": {"USD": usd},
                "appliesTo": []
            }},
            "sku": sku,
            "offerTermCode": "JRTCKXETXF"
        }}},
        "version": "20261201000000",
        "publicationDate": "2026-12-01T00:00:00Z"
    })
    .to_string()
}

/// The region's Fargate products in two pages: x86 and Windows first, then ARM and Spot.
fn price_pages() -> [ReplayEvent; 2] {
    [
        answer(json!({
            "FormatVersion": "aws_v1",
            "PriceList": [
                product("USW2-Fargate-vCPU-Hours:perCPU", "0.0404800000"),
                product("USW2-Fargate-GB-Hours", "0.0044450000"),
                product("USW2-Fargate-Windows-vCPU-Hours:perCPU", "0.0914800000"),
                product("USW2-Fargate-EphemeralStorage-GB-Hours", "0.0001110000"),
            ],
            "NextToken": "page-2"
        })),
        answer(json!({
            "FormatVersion": "aws_v1",
            "PriceList": [
                product("USW2-Fargate-ARM-vCPU-Hours:perCPU", "0.0323800000"),
                product("USW2-Fargate-ARM-GB-Hours", "0.0035600000"),
                product("USW2-SpotUsage-Fargate-vCPU-Hours:perCPU", "0.0130068500"),
                product("USW2-SpotUsage-Fargate-GB-Hours", "0.0014285300"),
                product("USW2-SpotUsage-Fargate-ARM-vCPU-Hours:perCPU", "0.0104054800"),
                product("USW2-SpotUsage-Fargate-ARM-GB-Hours", "0.0011432200"),
            ]
        })),
    ]
}

/// The operations sent, by their `x-amz-target` (`AWSPriceListService.GetProducts`).
fn sent_ops(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .filter_map(|r| r.headers().get("x-amz-target"))
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
        .collect()
}

fn bodies(replay: &StaticReplayClient) -> Vec<serde_json::Value> {
    replay
        .actual_requests()
        .map(|r| serde_json::from_slice(r.body().bytes().expect("in memory")).expect("json"))
        .collect()
}

#[tokio::test]
async fn prices_for_x86_arm_and_spot_are_read_through_the_budget() {
    let replay = StaticReplayClient::new(price_pages().into());
    let budget = Arc::new(Budget::default());
    let fleet = replay_fleet_budgeted(&replay, budget.clone()).await;
    let t = fleet.fargate_prices().await.expect("prices");

    assert_eq!(t.region, "us-west-2");
    let rate = |v, g| {
        Some(Rate {
            vcpu_hour: v,
            gb_hour: g,
        })
    };
    assert_eq!(t.x86, rate(0.04048, 0.004445));
    assert_eq!(t.arm, rate(0.03238, 0.00356));
    assert_eq!(t.x86_spot, rate(0.01300685, 0.00142853));
    assert_eq!(t.arm_spot, rate(0.01040548, 0.00114322));

    // The request filters by the region and Fargate, and the second page follows the token.
    let sent = bodies(&replay);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["ServiceCode"], "AmazonECS");
    let filters = sent[0]["Filters"].as_array().expect("filters");
    assert!(
        filters
            .contains(&json!({"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-west-2"}))
    );
    assert!(
        filters.contains(&json!({"Type": "CONTAINS", "Field": "usagetype", "Value": "Fargate"}))
    );
    assert_eq!(sent[1]["NextToken"], "page-2");
    // Sent to the Price List endpoint nearest the region, not the region's own.
    let host = replay
        .actual_requests()
        .map(|r| r.uri().to_string())
        .next()
        .expect("a request");
    assert!(host.contains("api.pricing.us-east-1."), "{host}");
    // Both calls asked the budget.
    let report = budget.report();
    let op = report
        .iter()
        .find(|r| r.op == Op::PricingGetProducts)
        .expect("counted");
    assert_eq!(op.calls_last_minute, 2);
}

/// A service on ARM, 1 vCPU and 2 GB, with the strategy FARGATE base 1 weight 1 and
/// FARGATE_SPOT weight 3, running 5 tasks.
fn seeded_service() -> Vec<ReplayEvent> {
    let td = format!("arn:aws:ecs:us-west-2:{ACCOUNT}:task-definition/api:3");
    let svc = format!("arn:aws:ecs:us-west-2:{ACCOUNT}:service/example/api");
    vec![
        answer(json!({ "serviceArns": [svc] })),
        answer(json!({ "services": [{
            "serviceArn": svc,
            "serviceName": "api",
            "clusterArn": format!("arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/example"),
            "status": "ACTIVE",
            "desiredCount": 5, "runningCount": 5, "pendingCount": 0,
            "taskDefinition": td,
            "capacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}
            ],
            "deployments": [],
            "events": []
        }], "failures": [] })),
        answer(json!({ "taskDefinition": {
            "taskDefinitionArn": td,
            "family": "api",
            "revision": 3,
            "cpu": "1024",
            "memory": "2048",
            "requiresCompatibilities": ["FARGATE"],
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "containerDefinitions": [{ "name": "app", "image": "api:v3" }]
        }})),
        // The family's revisions, for a rollback's target.
        answer(json!({ "taskDefinitionArns": [td] })),
    ]
}

#[tokio::test]
async fn a_seeded_service_costs_what_the_arithmetic_says() {
    let mut events = seeded_service();
    events.extend(price_pages());
    let replay = StaticReplayClient::new(events);
    let fleet = replay_fleet_budgeted(&replay, Arc::new(Budget::default())).await;
    let services = fleet.services().await.expect("services");
    let prices = fleet.fargate_prices().await.expect("prices");
    let api = services.iter().find(|s| s.name == "api").expect("api");

    // 5 tasks: 1 on FARGATE as the base, the other 4 split 1:3, so 2 on demand, 3 on Spot.
    // On demand, ARM: 1 vCPU × $0.03238 + 2 GB × $0.00356 = $0.03950 a task-hour.
    // Spot, ARM:      1 vCPU × $0.01040548 + 2 GB × $0.00114322 = $0.01269192 a task-hour.
    // An hour: 2 × 0.03950 + 3 × 0.01269192 = 0.079 + 0.03807576 = $0.11707576.
    // A day: × 24 = $2.80981824; a month (365/12 days): × 30.41666… = $85.4653…
    assert_eq!(
        sent_ops(&replay),
        [
            "ListServices",
            "DescribeServices",
            "DescribeTaskDefinition",
            "ListTaskDefinitions",
            "GetProducts",
            "GetProducts"
        ]
    );
    let e = cost::service_estimate(api, &prices).expect("known");
    assert!((e.per_hour - 0.11707576).abs() < 1e-9, "{}", e.per_hour);
    assert!((e.per_day() - 2.80981824).abs() < 1e-8);
    assert_eq!(cost::dollars(e.per_day()), "$2.81");
    assert_eq!(cost::dollars(e.per_month()), "$85.47");

    // The same service on x86 on demand only: 5 × (0.04048 + 2 × 0.004445) = 5 × 0.04937
    // = $0.24685 an hour, $5.9244 a day.
    let mut x86 = api.footprint.clone();
    x86.arch = Some(cost::Arch::X86);
    x86.launch = cost::Launch::Fargate;
    let e = cost::estimate(&x86, &prices, 5).expect("known");
    assert!((e.per_day() - 5.9244).abs() < 1e-9, "{}", e.per_day());
}

#[tokio::test]
async fn the_cache_is_used_fresh_read_again_stale_and_corrupt() {
    let dir = tempfile::tempdir().expect("dir");
    let now = At(1_800_000_000_000);
    // Nothing cached: the Price List is read (2 pages) and the answer cached.
    let replay = StaticReplayClient::new(price_pages().into());
    let fleet = replay_fleet_budgeted(&replay, Arc::new(Budget::default())).await;
    let first = prices::load(&fleet, Some(dir.path()), now)
        .await
        .expect("read");
    assert_eq!(sent_ops(&replay), ["GetProducts", "GetProducts"]);
    assert_eq!(
        prices::read_cache(dir.path(), "us-west-2", now),
        Cached::Fresh(first.clone())
    );

    // Fresh: no call (a replay with no answers would fail any).
    let empty = StaticReplayClient::new(Vec::new());
    let quiet = replay_fleet_budgeted(&empty, Arc::new(Budget::default())).await;
    let again = prices::load(&quiet, Some(dir.path()), now + FRESH_MS - Ms(1)).await;
    assert_eq!(again.expect("cached"), first);
    assert_eq!(empty.actual_requests().count(), 0);

    // A day old: stale, read again.
    let later = now + FRESH_MS;
    assert_eq!(
        prices::read_cache(dir.path(), "us-west-2", later),
        Cached::Stale(first.clone())
    );
    let replay = StaticReplayClient::new(price_pages().into());
    let fleet = replay_fleet_budgeted(&replay, Arc::new(Budget::default())).await;
    prices::load(&fleet, Some(dir.path()), later)
        .await
        .expect("read");
    assert_eq!(replay.actual_requests().count(), 2, "read again");
    assert!(matches!(
        prices::read_cache(dir.path(), "us-west-2", later),
        Cached::Fresh(_)
    ));

    // Stale, and the Price List fails: the stale prices are used rather than none.
    let failing = StaticReplayClient::new(Vec::new());
    let fleet = replay_fleet_budgeted(&failing, Arc::new(Budget::default())).await;
    let stale = prices::load(&fleet, Some(dir.path()), later + FRESH_MS).await;
    assert_eq!(stale.expect("stale prices"), first);

    // Corrupt (cut short): said, not a crash, and read again.
    let file = dir.path().join("us-west-2.json");
    let text = std::fs::read_to_string(&file).expect("cached");
    std::fs::write(&file, &text[..text.len() / 2]).expect("cut");
    assert!(matches!(
        prices::read_cache(dir.path(), "us-west-2", later),
        Cached::Bad(_)
    ));
    let replay = StaticReplayClient::new(price_pages().into());
    let fleet = replay_fleet_budgeted(&replay, Arc::new(Budget::default())).await;
    let read = prices::load(&fleet, Some(dir.path()), later)
        .await
        .expect("read");
    assert_eq!(read, first);
    assert_eq!(replay.actual_requests().count(), 2, "read again");
    // Corrupt and the Price List fails: the failure is the answer, not a crash.
    std::fs::write(&file, "{\"version\": 1}").expect("write");
    let failing = StaticReplayClient::new(Vec::new());
    let fleet = replay_fleet_budgeted(&failing, Arc::new(Budget::default())).await;
    assert!(prices::load(&fleet, Some(dir.path()), later).await.is_err());
}
