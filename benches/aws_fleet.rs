//! A big fleet through the real AWS backend, against moto: 2,000 services across 20 clusters.
//!
//! Run: scripts/moto.sh cargo bench --bench aws_fleet
//!
//! It needs a moto server (`DECKWATCH_MOTO_URL`, which scripts/moto.sh sets); without one it says
//! so and exits 0, so a plain `cargo bench` still works. It seeds the fleet (one task definition,
//! services created concurrently, no tasks), then over `DECKWATCH_BENCH_ROUNDS` rounds (default 5)
//! measures with `AwsFleet` (retries off, every cluster of the region):
//!
//! - first rows: a new fleet's `services_in_parts` (the console's first load), and the time
//!   until its first part arrives;
//! - all rows: a new fleet's `services()` (cold: task definition not cached, new connections),
//!   then the same fleet's `services()` again (warm);
//!
//! and counts the SDK calls of one full refresh by operation against the minimum.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/support/seed.rs"]
mod seed;

use counting::CallCounter;
use deckwatch::cloud::Fleet;
use futures::StreamExt;
use seed::{Seeder, TaskDefSpec};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLUSTERS: usize = 20;
const PER_CLUSTER: usize = 100;
const SEED_CONCURRENCY: usize = 16;

fn main() {
    let url = match std::env::var("DECKWATCH_MOTO_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            println!(
                "aws_fleet: skipped, DECKWATCH_MOTO_URL is not set. This benchmark needs a moto \
                 server: run `scripts/moto.sh cargo bench --bench aws_fleet`."
            );
            return;
        }
    };
    let rounds: usize = std::env::var("DECKWATCH_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(run(&url, rounds));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
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

/// This process's CPU time (user + system), from /proc; `None` where there is no /proc.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// A fleet as the console builds it (CPU and memory come from a worker of their own, so the
/// rows never wait for GetMetricData).
async fn console_fleet(url: &str) -> deckwatch::cloud::aws::AwsFleet {
    let opts = moto::options(url, &[]);
    let overrides = deckwatch::cloud::aws::Overrides {
        credentials: Some(moto::credentials()),
        ..Default::default()
    };
    deckwatch::cloud::aws::AwsFleet::connect_with(opts, overrides)
        .await
        .expect("connect to moto")
}

async fn seed_fleet(url: &str) -> Vec<String> {
    let seed = Seeder::new(url).await;
    let prefix = moto::unique("fleet");
    let clusters: Vec<String> = (0..CLUSTERS).map(|c| format!("{prefix}-{c:02}")).collect();
    for c in &clusters {
        seed.cluster(c).await;
    }
    let td = seed
        .task_def(TaskDefSpec {
            family: &format!("{prefix}-app"),
            container: "app",
            image: "example/app:1",
            log_group: &format!("/ecs/{prefix}-app"),
            stream_prefix: "ecs",
        })
        .await;
    let jobs: Vec<(String, String)> = clusters
        .iter()
        .flat_map(|c| (0..PER_CLUSTER).map(move |i| (c.clone(), format!("svc-{i:03}"))))
        .collect();
    let seed = &seed;
    let td = &td;
    futures::stream::iter(jobs)
        .map(|(c, s)| async move {
            seed.service(&c, &s, td, 1).await;
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    clusters
}

/// Time for a background metrics fetch to drain before the next figure is taken.
const SETTLE: Duration = Duration::from_secs(25);

async fn run(url: &str, rounds: usize) {
    println!(
        "aws_fleet: {} services in {CLUSTERS} clusters on moto at {url}",
        CLUSTERS * PER_CLUSTER
    );
    let t = Instant::now();
    let clusters = seed_fleet(url).await;
    let seeding = t.elapsed();
    println!(
        "  seeding ({CLUSTERS} clusters, 1 task definition, {} services, {SEED_CONCURRENCY} at a time): {:.1} s",
        CLUSTERS * PER_CLUSTER,
        seeding.as_secs_f64()
    );

    // Every cluster of the region, as a user without --cluster sees it.
    let probe = moto::fleet(url, &[], Vec::new()).await;
    let listed = probe.clusters().await.expect("list clusters");
    if listed.len() != CLUSTERS {
        println!(
            "  note: the region holds {} clusters, not {CLUSTERS}: use a fresh moto server",
            listed.len()
        );
    }
    for c in &clusters {
        assert!(listed.contains(c), "cluster {c} not listed");
    }

    let (mut first, mut streamed_all, mut cold, mut warm) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut cold_cpu, mut warm_cpu) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        // (a) First rows: what the console's first load does, services_in_parts; the time
        // until its first part, and until the whole list.
        let fleet = console_fleet(url).await;
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
        first.push(ms(first_at.into_inner().unwrap().unwrap_or(whole)));
        streamed_all.push(ms(whole));
        assert!(all.len() >= CLUSTERS * PER_CLUSTER);

        // The first load started the background CPU/memory fetch, which keeps moto busy for
        // about 17 s; let it finish so (b) is not timed against it.
        tokio::time::sleep(SETTLE).await;

        // (b) All rows: services() of a new fleet, then again on the same fleet.
        let fleet = console_fleet(url).await;
        let (t, c) = (Instant::now(), cpu_time());
        let all = fleet.services().await.expect("services");
        cold.push(ms(t.elapsed()));
        if let (Some(c0), Some(c1)) = (c, cpu_time()) {
            cold_cpu.push(ms(c1 - c0));
        }
        assert!(all.len() >= CLUSTERS * PER_CLUSTER);
        let (t, c) = (Instant::now(), cpu_time());
        let all = fleet.services().await.expect("services again");
        warm.push(ms(t.elapsed()));
        if let (Some(c0), Some(c1)) = (c, cpu_time()) {
            warm_cpu.push(ms(c1 - c0));
        }
        assert!(all.len() >= CLUSTERS * PER_CLUSTER);
        tokio::time::sleep(SETTLE).await;
    }
    println!("timings:");
    summary("(a) first part's rows (services_in_parts)", &first);
    summary("    the whole list the same way", &streamed_all);
    summary("(b) all rows, services(), new fleet", &cold);
    summary("    all rows, services(), second refresh", &warm);
    if !cold_cpu.is_empty() {
        summary("    our CPU time in services(), new fleet", &cold_cpu);
        summary("    our CPU time in services(), second", &warm_cpu);
    }

    // (c) Calls per full refresh.
    let counter = CallCounter::default();
    let fleet = moto::fleet(url, &[], vec![counter.interceptor()]).await;
    fleet.services().await.expect("services");
    let cold_calls = counter.snapshot();
    counter.reset();
    fleet.services().await.expect("services again");
    let warm_calls = counter.snapshot();
    let describe_min = (CLUSTERS * PER_CLUSTER).div_ceil(10);
    let metric_min = (CLUSTERS * PER_CLUSTER * 2).div_ceil(500);
    let minimum: BTreeMap<&str, (usize, usize)> = BTreeMap::from([
        ("ListClusters", (1, 1)),
        ("ListServices", (CLUSTERS, CLUSTERS)),
        ("DescribeServices", (describe_min, describe_min)),
        ("DescribeTaskDefinition", (1, 0)),
        // Where a rollback would go: one list per family and revision in use, then cached.
        ("ListTaskDefinitions", (1, 0)),
        ("GetMetricData", (metric_min, metric_min)),
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
    let (mut total_cold, mut total_warm, mut total_min_cold, mut total_min_warm) = (0, 0, 0, 0);
    for op in ops {
        let c = cold_calls.get(op).copied().unwrap_or(0);
        let w = warm_calls.get(op).copied().unwrap_or(0);
        let (mc, mw) = minimum.get(op).copied().unwrap_or((0, 0));
        total_cold += c;
        total_warm += w;
        total_min_cold += mc;
        total_min_warm += mw;
        let verdict = if c == mc && w == mw {
            ""
        } else {
            "  <- above the minimum"
        };
        println!("  {op:<24} {c:>4} / {w:>4}   minimum {mc:>4} / {mw:>4}{verdict}");
    }
    println!(
        "  {:<24} {total_cold:>4} / {total_warm:>4}   minimum {total_min_cold:>4} / {total_min_warm:>4}",
        "total"
    );

    // Where the time of one services() goes: per operation, the first start and last end of its
    // calls (from the start of the refresh) and their summed latency.
    let timeline = timeline::Timeline::default();
    let fleet = moto::fleet(url, &[], vec![timeline.interceptor()]).await;
    fleet.services().await.expect("services");
    timeline.reset();
    let t0 = Instant::now();
    fleet.services().await.expect("services");
    let wall = t0.elapsed();
    println!(
        "timeline of one services() (second refresh, {:.0} ms): first start .. last end, summed latency",
        ms(wall)
    );
    for (op, (first, last, sum, n)) in timeline.spans(t0) {
        println!(
            "  {op:<24} {:>8.0} .. {:>8.0} ms   {n:>4} calls, {:>8.0} ms summed, {:>6.1} ms each",
            ms(first),
            ms(last),
            ms(sum),
            ms(sum) / n as f64
        );
    }

    // What one call costs moto, for scale.
    let sdk = moto::sdk_config(url).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let mut list = Vec::new();
    let mut describe = Vec::new();
    let arns = ecs
        .list_services()
        .cluster(&clusters[0])
        .max_results(100)
        .send()
        .await
        .expect("list_services")
        .service_arns()
        .to_vec();
    for _ in 0..20 {
        let t = Instant::now();
        ecs.list_services()
            .cluster(&clusters[0])
            .max_results(100)
            .send()
            .await
            .expect("list_services");
        list.push(ms(t.elapsed()));
        let t = Instant::now();
        ecs.describe_services()
            .cluster(&clusters[0])
            .set_services(Some(arns[..10].to_vec()))
            .include(aws_sdk_ecs::types::ServiceField::Tags)
            .send()
            .await
            .expect("describe_services");
        describe.push(ms(t.elapsed()));
    }
    println!("one call, sequential, for scale:");
    summary("ListServices (100 services)", &list);
    summary("DescribeServices (10 services)", &describe);
}

/// An interceptor recording when each operation's calls start and end.
mod timeline {
    use super::*;
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::context::{
        BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
    };
    use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
    use aws_smithy_runtime_api::client::orchestrator::Metadata;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

    #[derive(Debug, Clone)]
    struct Started(Instant);
    impl Storable for Started {
        type Storer = StoreReplace<Self>;
    }

    type Calls = Vec<(String, Instant, Instant)>;

    #[derive(Debug, Clone, Default)]
    pub struct Timeline {
        calls: Arc<Mutex<Calls>>,
    }

    impl Timeline {
        pub fn interceptor(&self) -> SharedInterceptor {
            SharedInterceptor::new(self.clone())
        }

        pub fn reset(&self) {
            self.calls.lock().unwrap().clear();
        }

        /// Per operation: first start, last end (both after `t0`), summed latency, calls.
        pub fn spans(
            &self,
            t0: Instant,
        ) -> BTreeMap<String, (Duration, Duration, Duration, usize)> {
            let mut out: BTreeMap<String, (Duration, Duration, Duration, usize)> = BTreeMap::new();
            for (op, start, end) in self.calls.lock().unwrap().iter() {
                let e = out.entry(op.clone()).or_insert((
                    Duration::MAX,
                    Duration::ZERO,
                    Duration::ZERO,
                    0,
                ));
                e.0 = e.0.min(start.saturating_duration_since(t0));
                e.1 = e.1.max(end.saturating_duration_since(t0));
                e.2 += end.saturating_duration_since(*start);
                e.3 += 1;
            }
            out
        }
    }

    impl Intercept for Timeline {
        fn name(&self) -> &'static str {
            "Timeline"
        }

        fn read_before_serialization(
            &self,
            _context: &BeforeSerializationInterceptorContextRef<'_>,
            _runtime_components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            cfg.interceptor_state().store_put(Started(Instant::now()));
            Ok(())
        }

        fn read_after_execution(
            &self,
            _context: &FinalizerInterceptorContextRef<'_>,
            _runtime_components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            if let (Some(meta), Some(Started(start))) =
                (cfg.load::<Metadata>(), cfg.load::<Started>())
            {
                self.calls
                    .lock()
                    .unwrap()
                    .push((meta.name().to_string(), *start, Instant::now()));
            }
            Ok(())
        }
    }
}
