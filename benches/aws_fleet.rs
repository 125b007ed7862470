//! A big fleet through the real AWS backend, against moto: 10,000 services across 100 clusters
//! by default (`DECKWATCH_BENCH_CLUSTERS` × `DECKWATCH_BENCH_PER_CLUSTER` change it).
//!
//! Run: scripts/moto.sh cargo bench --bench aws_fleet
//!
//! It needs a moto server (`DECKWATCH_MOTO_URL`, which scripts/moto.sh sets); without one it says
//! so and exits 0, so a plain `cargo bench` still works. Under `cargo test --bench aws_fleet`
//! (scripts/test.sh runs every bench so) it runs once on 2 clusters of 5 services, as a check.
//! It seeds the fleet (one task definition, services created concurrently, no tasks), runs one
//! warm-up round that is not counted, then `DECKWATCH_BENCH_ROUNDS` rounds (default 5) and
//! reports medians. The API budget is raised far above moto's speed for these figures, so they
//! measure the backend, not the budget; the budget's own effect at its default rates is
//! measured once at the end. Each round compares like with like against a plain SDK loop doing
//! the minimum (ListClusters, ListServices, DescribeServices in tens, four clusters at a time,
//! as deckwatch reads them) on an ECS client with the console's own settings (a console
//! fleet's client: standard retries, the same timeouts and credentials), against the same moto:
//!
//! - first rows: a new fleet's `services_in_parts` (the console's first load), and the time
//!   until its first part arrives;
//! - all rows, cold: a new fleet's `services()` (new connections, task definition not cached)
//!   against the plain loop on a new client;
//! - all rows, warm: the same fleet's `services()` again against the plain loop again on its
//!   client;
//!
//! and counts the SDK calls of one full refresh by operation against the minimum.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

mod common;
#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/seed.rs"]
mod seed;

use counting::CallCounter;
use deckwatch::budget::Budget;
use deckwatch::cloud::Fleet;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Clusters in the fleet, and services in each.
fn shape() -> (usize, usize) {
    (
        quick::setting("DECKWATCH_BENCH_CLUSTERS", 100, 2),
        quick::setting("DECKWATCH_BENCH_PER_CLUSTER", 100, 5),
    )
}

fn main() {
    let Some(url) = common::moto_url("aws_fleet") else {
        return;
    };
    let rounds = quick::setting("DECKWATCH_BENCH_ROUNDS", 5, 1);
    common::runtime().block_on(run(&url, rounds));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

use quick::median;

fn summary(name: &str, v: &[f64]) {
    let (min, max) = v
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    println!(
        "  {name:<44} median {:>8.1} ms   min {:>8.1}   max {:>8.1}   ({} runs)",
        median(v.to_vec()),
        min,
        max,
        v.len()
    );
}

/// A fleet as the console builds it (CPU and memory come from a worker of their own, so the
/// rows never wait for GetMetricData), asking `budget` before every call.
async fn console_fleet(
    url: &str,
    budget: Arc<Budget>,
    scope: &[String],
) -> deckwatch::cloud::aws::AwsFleet {
    let scope: Vec<&str> = scope.iter().map(String::as_str).collect();
    let opts = moto::options(url, &scope);
    let overrides = deckwatch::cloud::aws::Overrides {
        credentials: Some(moto::credentials()),
        budget,
        ..Default::default()
    };
    deckwatch::cloud::aws::AwsFleet::connect_with(opts, overrides)
        .await
        .expect("connect to moto")
}

/// A budget far above what moto can serve: the figures measure the backend.
fn unlimited() -> Arc<Budget> {
    Arc::new(Budget::with_fraction(1e6, Default::default()))
}

/// The minimum a plain SDK program does to list every service: ListClusters (unless `scope`
/// names the clusters, as the console is told them), then per cluster ListServices (pages of
/// 100) and DescribeServices (tens), four clusters at a time. Returns the services described.
async fn plain_loop(ecs: &aws_sdk_ecs::Client, scope: &[String]) -> usize {
    let clusters = if scope.is_empty() {
        ecs.list_clusters()
            .max_results(100)
            .send()
            .await
            .expect("list_clusters")
            .cluster_arns()
            .to_vec()
    } else {
        scope.to_vec()
    };
    let per_cluster = clusters.iter().map(|c| async move {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            let out = ecs
                .list_services()
                .cluster(c)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .expect("list_services");
            arns.extend(out.service_arns().iter().cloned());
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let mut n = 0;
        for chunk in arns.chunks(10) {
            let out = ecs
                .describe_services()
                .cluster(c)
                .set_services(Some(chunk.to_vec()))
                .include(aws_sdk_ecs::types::ServiceField::Tags)
                .send()
                .await
                .expect("describe_services");
            n += out.services().len();
        }
        n
    });
    futures::stream::iter(per_cluster)
        .buffered(4)
        .collect::<Vec<usize>>()
        .await
        .into_iter()
        .sum()
}

/// The console's first load: (time to the first part's rows, time to the whole list).
async fn first_load(fleet: &deckwatch::cloud::aws::AwsFleet, total: usize) -> (f64, f64) {
    let t = Instant::now();
    let first_at = std::sync::Mutex::new(None);
    let sink = |rows: Vec<deckwatch::model::Service>, _done: usize, _total: usize| {
        assert!(!rows.is_empty());
        first_at.lock().unwrap().get_or_insert_with(|| t.elapsed());
    };
    let all = fleet
        .services_in_parts(&sink)
        .await
        .expect("services in parts");
    let whole = t.elapsed();
    assert!(all.len() >= total);
    (
        ms(first_at.into_inner().unwrap().unwrap_or(whole)),
        ms(whole),
    )
}

/// One round's figures, in ms.
struct Round {
    first: f64,
    streamed_all: f64,
    cold: f64,
    warm: f64,
    plain_cold: f64,
    plain_warm: f64,
}

/// A new console fleet and a new plain client (a console fleet's ECS client, so the same
/// retries, timeouts and credentials, used for nothing else), each timed on its first refresh
/// and its second.
async fn round(url: &str, total: usize, scope: &[String]) -> Round {
    let new = || console_fleet(url, unlimited(), scope);
    let (first, streamed_all) = first_load(&new().await, total).await;
    let fleet = new().await;
    let t = Instant::now();
    assert!(fleet.services().await.expect("services").len() >= total);
    let cold = ms(t.elapsed());
    let t = Instant::now();
    assert!(fleet.services().await.expect("services again").len() >= total);
    let warm = ms(t.elapsed());
    let plain = new().await.ecs().clone();
    let t = Instant::now();
    assert!(plain_loop(&plain, scope).await >= total);
    let plain_cold = ms(t.elapsed());
    let t = Instant::now();
    assert!(plain_loop(&plain, scope).await >= total);
    let plain_warm = ms(t.elapsed());
    Round {
        first,
        streamed_all,
        cold,
        warm,
        plain_cold,
        plain_warm,
    }
}

async fn run(url: &str, rounds: usize) {
    let (clusters_n, per) = shape();
    let total = clusters_n * per;
    println!("aws_fleet: {total} services in {clusters_n} clusters on moto at {url}");
    let t = Instant::now();
    let clusters = common::seed_fleet(url, &moto::unique("fleet"), (clusters_n, per), 1).await;
    println!(
        "  seeding ({clusters_n} clusters, 1 task definition, {total} services, {} at a time): {:.1} s",
        common::SEED_CONCURRENCY,
        t.elapsed().as_secs_f64()
    );
    let probe = moto::fleet(url, &[], Vec::new()).await;
    let listed = probe.clusters().await.expect("list clusters");
    if listed.len() != clusters_n {
        println!(
            "  note: the region holds {} clusters, not {clusters_n}: use a fresh moto server",
            listed.len()
        );
    }
    // Every cluster of the region, as the console reads it without --cluster; the quick
    // check, on a moto the tests share, reads only its own.
    let scope = if quick::quick() { clusters } else { Vec::new() };
    // Moto's own first-time costs (and the connection set-up of this process) go here.
    round(url, total, &scope).await;
    let mut all = Vec::new();
    for _ in 0..rounds {
        all.push(round(url, total, &scope).await);
    }
    let of = |f: fn(&Round) -> f64| all.iter().map(f).collect::<Vec<f64>>();
    println!("timings (after one warm-up round):");
    summary(
        "(a) first part's rows (services_in_parts)",
        &of(|r| r.first),
    );
    summary("    the whole list the same way", &of(|r| r.streamed_all));
    summary("(b) all rows, services(), new fleet", &of(|r| r.cold));
    summary("    the plain loop, new client", &of(|r| r.plain_cold));
    summary("(c) all rows, services(), second refresh", &of(|r| r.warm));
    summary("    the plain loop, second time", &of(|r| r.plain_warm));
    println!(
        "  all rows against the plain loop: new {:.2}x, second refresh {:.2}x",
        median(of(|r| r.cold)) / median(of(|r| r.plain_cold)),
        median(of(|r| r.warm)) / median(of(|r| r.plain_warm))
    );
    calls_per_refresh(url, clusters_n, total, &scope).await;
    with_the_default_budget(url, total, &scope).await;
}

/// The SDK calls of one full refresh by operation, against the minimum.
async fn calls_per_refresh(url: &str, clusters_n: usize, total: usize, scope: &[String]) {
    let counter = CallCounter::default();
    let scoped: Vec<&str> = scope.iter().map(String::as_str).collect();
    let fleet = moto::fleet(url, &scoped, vec![counter.interceptor()]).await;
    fleet.services().await.expect("services");
    let cold_calls = counter.snapshot();
    counter.reset();
    fleet.services().await.expect("services again");
    let warm_calls = counter.snapshot();
    // DescribeServices takes ten services of one cluster a call.
    let describe_min = clusters_n * (total / clusters_n).div_ceil(10);
    let minimum: BTreeMap<&str, (usize, usize)> = BTreeMap::from([
        (
            "ListClusters",
            if scope.is_empty() { (1, 1) } else { (0, 0) },
        ),
        ("ListServices", (clusters_n, clusters_n)),
        ("DescribeServices", (describe_min, describe_min)),
        ("DescribeTaskDefinition", (1, 0)),
        // Where a rollback would go: one list per family and revision in use, then cached.
        ("ListTaskDefinitions", (1, 0)),
    ]);
    println!("calls per full refresh (first / second refresh; minimum first / second):");
    let mut ops: Vec<&str> = cold_calls
        .keys()
        .chain(warm_calls.keys())
        .map(String::as_str)
        .chain(minimum.keys().copied())
        .collect();
    ops.sort_unstable();
    ops.dedup();
    for op in ops {
        let c = cold_calls.get(op).copied().unwrap_or(0);
        let w = warm_calls.get(op).copied().unwrap_or(0);
        let (mc, mw) = minimum.get(op).copied().unwrap_or((0, 0));
        let verdict = if c == mc && w == mw {
            ""
        } else {
            "  <- above the minimum"
        };
        println!("  {op:<24} {c:>5} / {w:>5}   minimum {mc:>5} / {mw:>5}{verdict}");
    }
    // CPU and memory come from the metrics worker, once a minute, 500 queries a call.
    counter.reset();
    let keys: Vec<_> = fleet
        .services()
        .await
        .expect("services")
        .iter()
        .map(|s| s.key())
        .collect();
    counter.reset();
    fleet.utilisation(&keys).await.expect("utilisation");
    println!(
        "  metrics worker, once a minute: GetMetricData {} (minimum {})",
        counter.get("GetMetricData"),
        (total * 2).div_ceil(500)
    );
}

/// The first load with the budget at its defaults (half of each published rate), as the
/// console runs it: the first rows come within the burst; the rest at the budget's pace.
async fn with_the_default_budget(url: &str, total: usize, scope: &[String]) {
    let budget = Arc::new(Budget::default());
    let fleet = console_fleet(url, budget.clone(), scope).await;
    let (first, whole) = first_load(&fleet, total).await;
    println!("with the default budget (first load, once):");
    println!("  first part's rows {first:>8.1} ms, the whole list {whole:>8.1} ms");
    for op in budget.report().iter().take(4) {
        println!(
            "  {:<32} {:>5} calls, {:>5} waited for a token",
            op.op, op.calls_last_minute, op.deferred
        );
    }
}
