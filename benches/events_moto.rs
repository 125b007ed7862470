//! ECS's events on a big fleet, on moto: 10,000 services in 100 clusters by default
//! (`DECKWATCH_BENCH_CLUSTERS` × `DECKWATCH_BENCH_PER_CLUSTER`), the console reading its events
//! from an SQS queue an EventBridge rule feeds.
//!
//! Run: scripts/moto.sh cargo bench --bench events_moto
//!
//! Under `cargo test --benches` (scripts/test.sh, on the moto it starts, which this resets) it
//! runs once, as a check: 2 clusters of 5 services, one round, a 2 s steady state.
//!
//! It needs a moto server of its own (it resets it); without one it says so and exits 0. The
//! console is the real pollers, workers and reducer in this process (no terminal), on the AWS
//! backend with the shipped intervals and API budget, its SDK calls counted. It measures:
//! - a change made on moto (a service's desired count) and announced by its `ECS Deployment
//!   State Change`: from the event's publication until the reducer holds the new count (the
//!   next frame draws it), `DECKWATCH_BENCH_ROUNDS` times (default 5) after a warm-up;
//! - the steady state: ECS calls a second over `DECKWATCH_BENCH_STEADY_SECS` (default 600)
//!   after the first load and the full refresh that follows the events' start.
//!
//! The services are seeded with a desired count of 0: moto never starts tasks, so a service
//! wanting tasks would roll out for ever there, and most of a real fleet is settled.

#![allow(clippy::unwrap_used)] // a bench that fails should panic where it fails

mod common;
#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/eventbus.rs"]
mod eventbus;
#[path = "../tests/support/headless.rs"]
mod headless;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/seed.rs"]
mod seed;
#[path = "../tests/support/testkit.rs"]
mod testkit;
/// The headless console's helpers, where it looks for them.
mod support {
    pub(crate) use super::testkit;
}

use counting::CallCounter;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::EventSource;
use deckwatch::state::{Pane, State};
use deckwatch::workers::poller::Intervals;
use eventbus::{Bus, Delivers};
use headless::Headless;
use quick::setting;
use seed::Seeder;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SHIPPED: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(10),
    logs: Duration::from_secs(2),
    alarms: Duration::from_secs(60),
    live_tail: true,
    reconcile: Duration::from_secs(300),
};

const ECS: [&str; 7] = [
    "ListClusters",
    "ListServices",
    "DescribeServices",
    "DescribeTaskDefinition",
    "ListTaskDefinitions",
    "ListTasks",
    "DescribeTasks",
];

fn main() {
    if let Some(url) = common::moto_url("events_moto") {
        common::runtime().block_on(run(&url));
    }
}

fn desired(st: &State, cluster: &str, name: &str) -> Option<u32> {
    st.ctx
        .services
        .items
        .iter()
        .find(|s| s.cluster == cluster && s.name == name)
        .map(|s| s.desired)
}

/// The console on the services pane, reading the queue `bus` feeds, its calls counted; once
/// every service is in and the events arrive.
async fn console(url: &str, bus: &Bus, counter: &CallCounter, total: usize) -> Headless {
    let queue = bus.queue().await;
    bus.rule(Delivers::Queue(queue.clone())).await;
    let opts = AwsOptions {
        events: Some(EventSource::Queue(queue)),
        ..moto::options(url, &[])
    };
    let overrides = Overrides {
        interceptors: vec![counter.interceptor()],
        credentials: Some(moto::credentials()),
        ..Overrides::default()
    };
    let fleet = AwsFleet::connect_with(opts, overrides).await.unwrap();
    let t = Instant::now();
    let console = Headless::start(Arc::new(fleet), Pane::Services, SHIPPED);
    console
        .wait_until("every service and the events", |st| {
            st.ctx.services.items.len() == total
                && st.ctx.services_loading.is_none()
                && st.ctx.feed.is_up()
        })
        .await;
    println!(
        "  first load with events up: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    console
}

/// Changes a service on moto and announces it, `rounds` times after a warm-up; the times from
/// the event's publication to the reducer holding the change, sorted.
async fn latencies(
    url: &str,
    bus: &Bus,
    console: &Headless,
    names: &[String],
    per: usize,
    rounds: usize,
) -> Vec<f64> {
    let seed = Seeder::new(url).await;
    let mut out = Vec::new();
    for round in 0..=rounds {
        let cluster = &names[(round * 37) % names.len()];
        let name = format!("svc-{:03}", (round * 53) % per);
        let to = 3 + round as i32;
        let update = seed.ecs.update_service().cluster(cluster).service(&name);
        update.desired_count(to).send().await.unwrap();
        let (resources, detail) =
            eventbus::deployment(cluster, &name, "SERVICE_DEPLOYMENT_IN_PROGRESS");
        let t = Instant::now();
        bus.publish("ECS Deployment State Change", &resources, detail)
            .await;
        console
            .wait_until("the change on screen", |st| {
                desired(st, cluster, &name) == Some(to as u32)
            })
            .await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let warm = if round == 0 { " (warm-up)" } else { "" };
        println!("  round {round}{warm}: {cluster}/{name} at {to} after {ms:.0} ms");
        if round > 0 {
            out.push(ms);
        }
    }
    out.sort_by(f64::total_cmp);
    out
}

/// The ECS calls made in `secs` seconds, by operation.
async fn steady(counter: &CallCounter, secs: u64) {
    let before = counter.snapshot();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let after = counter.snapshot();
    let by_op: Vec<(&str, usize)> = ECS
        .iter()
        .map(|op| {
            (
                *op,
                after.get(*op).copied().unwrap_or(0) - before.get(*op).copied().unwrap_or(0),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let calls: usize = by_op.iter().map(|(_, n)| n).sum();
    println!(
        "  steady state, {secs} s: {calls} ECS calls, {:.2} a second (goal <= 1)",
        calls as f64 / secs as f64
    );
    for (op, n) in by_op {
        println!("    {op:<24} {n}");
    }
}

async fn run(url: &str) {
    let (clusters, per) = (
        setting("DECKWATCH_BENCH_CLUSTERS", 100, 2),
        setting("DECKWATCH_BENCH_PER_CLUSTER", 100, 5),
    );
    let total = clusters * per;
    println!("events_moto: {total} services in {clusters} clusters on moto at {url}");
    let t = Instant::now();
    common::reset(url);
    let names = common::seed_fleet(url, "events", (clusters, per), 0).await;
    println!("  seeded in {:.1} s", t.elapsed().as_secs_f64());
    let bus = Bus::new(url).await;
    let counter = CallCounter::default();
    let console = console(url, &bus, &counter, total).await;
    // The full refresh that follows the events' start (a moment in the quick check).
    let settle = if quick::quick() { 1 } else { 15 };
    tokio::time::sleep(Duration::from_secs(settle)).await;
    let rounds = setting("DECKWATCH_BENCH_ROUNDS", 5, 1);
    let l = latencies(url, &bus, &console, &names, per, rounds).await;
    println!(
        "  event to the reducer: median {:.0} ms, max {:.0} ms (goal <= 5,000 ms)",
        l[l.len() / 2],
        l[l.len() - 1]
    );
    steady(
        &counter,
        setting("DECKWATCH_BENCH_STEADY_SECS", 600, 2) as u64,
    )
    .await;
}
