//! A big fleet through the real AWS backend, against moto: 10,000 services across 100 clusters
//! by default (`DECKWATCH_BENCH_CLUSTERS` × `DECKWATCH_BENCH_PER_CLUSTER` change it).
//!
//! Run: scripts/moto.sh cargo bench --bench aws_fleet
//!
//! It needs a moto server (`DECKWATCH_MOTO_URL`, which scripts/moto.sh sets); without one it says
//! so and exits 0, so a plain `cargo bench` still works. It seeds the fleet (one task definition,
//! services created concurrently, no tasks), then over `DECKWATCH_BENCH_ROUNDS` rounds (default 5)
//! measures with `AwsFleet` (every cluster of the region). The API budget is raised far above
//! moto's speed for these figures, so they measure the backend, not the budget; the budget's
//! own effect at its default rates is measured once at the end. Each round also times a plain
//! SDK loop doing the minimum (ListClusters, ListServices, DescribeServices in tens, four
//! clusters at a time, as deckwatch reads them) against the same moto:
//!
//! - first rows: a new fleet's `services_in_parts` (the console's first load), and the time
//!   until its first part arrives;
//! - all rows: a new fleet's `services()` (cold: task definition not cached, new connections),
//!   then the same fleet's `services()` again (warm);
//!
//! and counts the SDK calls of one full refresh by operation against the minimum.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

mod common;
#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/support/seed.rs"]
mod seed;

use common::{env_or, median};
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
        env_or("DECKWATCH_BENCH_CLUSTERS", 100),
        env_or("DECKWATCH_BENCH_PER_CLUSTER", 100),
    )
}

fn main() {
    let Some(url) = common::moto_url("aws_fleet") else {
        return;
    };
    let rounds = env_or("DECKWATCH_BENCH_ROUNDS", 5);
    common::runtime().block_on(run(&url, rounds));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

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
async fn console_fleet(url: &str, budget: Arc<Budget>) -> deckwatch::cloud::aws::AwsFleet {
    let opts = moto::options(url, &[]);
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

/// The minimum a plain SDK program does to list every service: ListClusters, then per cluster
/// ListServices (pages of 100) and DescribeServices (tens), four clusters at a time. Returns
/// the services described.
async fn plain_loop(ecs: &aws_sdk_ecs::Client) -> usize {
    let clusters = ecs
        .list_clusters()
        .max_results(100)
        .send()
        .await
        .expect("list_clusters")
        .cluster_arns()
        .to_vec();
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
    let sdk = moto::sdk_config(url).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let (mut first, mut streamed_all, mut cold, mut warm, mut plain) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (f, w) = first_load(&console_fleet(url, unlimited()).await, total).await;
        first.push(f);
        streamed_all.push(w);
        let t = Instant::now();
        assert!(plain_loop(&ecs).await >= total);
        plain.push(ms(t.elapsed()));
        let fleet = console_fleet(url, unlimited()).await;
        let t = Instant::now();
        assert!(fleet.services().await.expect("services").len() >= total);
        cold.push(ms(t.elapsed()));
        let t = Instant::now();
        assert!(fleet.services().await.expect("services again").len() >= total);
        warm.push(ms(t.elapsed()));
    }
    println!("timings:");
    summary("(a) first part's rows (services_in_parts)", &first);
    summary("    the whole list the same way", &streamed_all);
    summary("(b) all rows, services(), new fleet", &cold);
    summary("    all rows, services(), second refresh", &warm);
    summary("(c) a plain SDK loop, the minimum calls", &plain);
    println!(
        "  all rows against the plain loop: new fleet {:.2}x, second refresh {:.2}x",
        median(cold.clone()) / median(plain.clone()),
        median(warm.clone()) / median(plain.clone())
    );
    calls_per_refresh(url, clusters_n, total).await;
    with_the_default_budget(url, total).await;
    let _ = clusters;
}

/// The SDK calls of one full refresh by operation, against the minimum.
async fn calls_per_refresh(url: &str, clusters_n: usize, total: usize) {
    let counter = CallCounter::default();
    let fleet = moto::fleet(url, &[], vec![counter.interceptor()]).await;
    fleet.services().await.expect("services");
    let cold_calls = counter.snapshot();
    counter.reset();
    fleet.services().await.expect("services again");
    let warm_calls = counter.snapshot();
    let describe_min = total.div_ceil(10);
    let minimum: BTreeMap<&str, (usize, usize)> = BTreeMap::from([
        ("ListClusters", (1, 1)),
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
async fn with_the_default_budget(url: &str, total: usize) {
    let budget = Arc::new(Budget::default());
    let (first, whole) = first_load(&console_fleet(url, budget.clone()).await, total).await;
    println!("with the default budget (first load, once):");
    println!("  first part's rows {first:>8.1} ms, the whole list {whole:>8.1} ms");
    for op in budget.report().iter().take(4) {
        println!(
            "  {:<32} {:>5} calls, {:>5} waited for a token",
            op.op, op.calls_last_minute, op.deferred
        );
    }
}
