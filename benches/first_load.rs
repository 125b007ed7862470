//! The first load from process start, in the shipped configuration, side by side with a plain
//! SDK loop: 2,000 services in 20 clusters by default (`DECKWATCH_BENCH_CLUSTERS` ×
//! `DECKWATCH_BENCH_PER_CLUSTER`), on one moto.
//!
//! Run: scripts/moto.sh cargo bench --bench first_load
//!
//! Under `cargo test --benches` (scripts/test.sh, on the moto it starts, which this resets) it
//! runs once, as a check, on 2 clusters of 5 services with the debug binary.
//!
//! It needs a moto server of its own (it resets it: `DECKWATCH_MOTO_URL`, which scripts/moto.sh
//! sets); without one it says so and exits 0. It seeds the fleet, then, after a warm-up round of
//! each, runs `DECKWATCH_BENCH_ROUNDS` rounds (default 5) of:
//! - the plain SDK loop: ListClusters, then per cluster ListServices (pages of 100) and
//!   DescribeServices (tens), four clusters at a time, on an SDK configuration built exactly as
//!   the console builds its own (standard retries, the same timeouts);
//! - the release binary in a pseudo-terminal with a fresh home (so the shipped config and the
//!   default API budget), pointed at moto: the times its log gives, from the start of the
//!   process, of the first service rows drawn and of every row drawn.
//!
//! and prints the medians against the goals: every row within 1.1× of the quota's own limit
//! (DescribeServices' burst of 100, then 20 a second) or of the plain loop where that is
//! slower, and the first rows within 300 ms.

#![allow(clippy::unwrap_used)] // a bench that fails should panic where it fails

mod common;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/support/pty.rs"]
mod pty;
#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/seed.rs"]
mod seed;

use deckwatch::cloud::aws::{AwsOptions, Overrides};
use futures::StreamExt;
use quick::{median, setting};
use std::time::{Duration, Instant};

fn main() {
    if let Some(url) = common::moto_url("first_load") {
        common::runtime().block_on(run(&url));
    }
}

fn range(v: &[f64]) -> String {
    let min = v.iter().copied().fold(f64::MAX, f64::min);
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    format!("{min:.0} – {max:.0}")
}

/// The plain loop's client: the console's SDK configuration on moto.
async fn plain_client(url: &str) -> aws_sdk_ecs::Client {
    let opts = AwsOptions {
        region: Some(moto::REGION.into()),
        endpoint_url: Some(url.into()),
        ..AwsOptions::default()
    };
    let overrides = Overrides {
        credentials: Some(moto::credentials()),
        ..Overrides::default()
    };
    aws_sdk_ecs::Client::new(&deckwatch::cloud::aws::sdk_config(&opts, &overrides).await)
}

/// ListClusters, then per cluster ListServices and DescribeServices in tens, four clusters at
/// a time. Returns the services described.
async fn plain_loop(ecs: &aws_sdk_ecs::Client) -> usize {
    let out = ecs.list_clusters().max_results(100).send().await.unwrap();
    let per_cluster = out.cluster_arns().iter().map(|c| async move {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            let page = ecs
                .list_services()
                .cluster(c)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            arns.extend(page.service_arns().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let mut n = 0;
        for chunk in arns.chunks(10) {
            let d = ecs
                .describe_services()
                .cluster(c)
                .set_services(Some(chunk.to_vec()))
                .include(aws_sdk_ecs::types::ServiceField::Tags)
                .send()
                .await
                .unwrap();
            n += d.services().len();
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

/// A number after `key=` in a log line.
fn figure(log: &str, what: &str) -> Option<f64> {
    let line = log.lines().find(|l| l.contains(what))?;
    let at = line.find("ms=")? + 3;
    line[at..]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()?
        .parse()
        .ok()
}

/// The binary's first load: (first rows, every row) in ms from the start of its process.
fn binary_round(url: &str, total: usize) -> (f64, f64) {
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", moto::REGION),
    ];
    let mut c = pty::Console::spawn_sized(&["--endpoint-url", url], &env, 120, 40);
    let log_path = c.home().join("state/deckwatch/deckwatch.log");
    let start = Instant::now();
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("every service row drawn") {
            break log;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no full load: {log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    c.send("q");
    c.wait_exit();
    let rows = log
        .lines()
        .find(|l| l.contains("every service row drawn"))
        .and_then(|l| l.split("rows=").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(0);
    assert_eq!(rows, total, "{log}");
    (
        figure(&log, "first service rows drawn").unwrap(),
        figure(&log, "every service row drawn").unwrap(),
    )
}

async fn run(url: &str) {
    let (clusters, per) = (
        setting("DECKWATCH_BENCH_CLUSTERS", 20, 2),
        setting("DECKWATCH_BENCH_PER_CLUSTER", 100, 5),
    );
    let rounds = setting("DECKWATCH_BENCH_ROUNDS", 5, 1);
    let total = clusters * per;
    println!("first_load: {total} services in {clusters} clusters on moto at {url}");
    let t = Instant::now();
    common::reset(url);
    common::seed_fleet(url, "first-load", (clusters, per), 1).await;
    println!("  seeded in {:.1} s", t.elapsed().as_secs_f64());
    let ecs = plain_client(url).await;
    let (mut plain, mut first, mut all) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        let t = Instant::now();
        assert_eq!(plain_loop(&ecs).await, total);
        let p = t.elapsed().as_secs_f64() * 1000.0;
        let u = url.to_string();
        let (f, a) = tokio::task::spawn_blocking(move || binary_round(&u, total))
            .await
            .unwrap();
        println!(
            "  round {round}{}: plain loop {p:.0} ms, binary first rows {f:.0} ms, every row {a:.0} ms",
            if round == 0 { " (warm-up)" } else { "" }
        );
        if round > 0 {
            plain.push(p);
            first.push(f);
            all.push(a);
        }
    }
    let describes = total.div_ceil(10) as f64;
    let quota_ms = ((describes - 100.0).max(0.0) / 20.0) * 1000.0;
    let bar = quota_ms.max(median(plain.clone())) * 1.1;
    println!("medians of {rounds} rounds (min – max):");
    println!(
        "  plain SDK loop, every service   {:>8.0} ms  ({})",
        median(plain.clone()),
        range(&plain)
    );
    println!(
        "  deckwatch, first rows drawn     {:>8.0} ms  ({})   goal <= 300 ms",
        median(first.clone()),
        range(&first)
    );
    println!(
        "  deckwatch, every row drawn      {:>8.0} ms  ({})",
        median(all.clone()),
        range(&all)
    );
    println!(
        "  the quota's own limit           {quota_ms:>8.0} ms  ({describes:.0} DescribeServices: 100 at once, then 20/s)"
    );
    println!(
        "  goal for every row: 1.1 x max(quota, plain) = {bar:.0} ms; deckwatch / that = {:.2}",
        median(all.clone()) / bar * 1.1
    );
}
