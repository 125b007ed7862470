//! 100,000 lines of one service from moto into the logs pane, against the floor of a plain SDK
//! loop over FilterLogEvents on the same data, and the `awslogs` tool, in the same run.
//!
//! Run: scripts/moto.sh cargo bench --bench log_moto
//! With awslogs: python3 -m venv .venv-awslogs && .venv-awslogs/bin/pip install awslogs, then
//! AWSLOGS=.venv-awslogs/bin/awslogs scripts/moto.sh cargo bench --bench log_moto
//!
//! Without a moto server (`DECKWATCH_MOTO_URL`) it says so and exits 0. Under `cargo test
//! --bench log_moto` (scripts/test.sh runs every bench so) it runs once on 2,000 lines, as a
//! check. After one warm-up round that is not counted, each figure is the median of
//! `DECKWATCH_BENCH_ROUNDS` rounds (default 5; of an even count, the mean of the middle two):
//! - floor: `filter_log_events` pages (stream prefix, start time) until the last, counting
//!   events, on the console's own CloudWatch Logs client (a console fleet's: the same retries,
//!   timeouts and credentials);
//! - pane: the log worker following the service with `:since` before the first line (sources
//!   from ECS, then the backlog page by page), every message through the reducer into a
//!   `State` whose buffer holds them all, until the backlog says done;
//! - awslogs: `awslogs get GROUP ALL -s 2h`, output to a pipe that is counted.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../tests/support/testkit.rs"]
mod testkit;

#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/seed.rs"]
mod seed;

use crate::testkit::StateBuilder;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{LogTarget, ServiceKey};
use deckwatch::state::logs::{BacklogEnd, LogStart};
use deckwatch::state::{Msg, Pane, update};
use deckwatch::workers::logtail::{self, TailConfig};
use seed::{Seeder, TaskDefSpec};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TASKS: usize = 2;

/// The lines seeded: 100,000, or 2,000 in quick mode.
fn lines() -> usize {
    quick::setting("DECKWATCH_BENCH_LINES", 100_000, 2_000)
}
/// Events per put_log_events call (under its 10,000-event and 1 MB limits).
const BATCH: usize = 5_000;

fn main() {
    let url = match std::env::var("DECKWATCH_MOTO_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            println!(
                "log_moto: skipped, DECKWATCH_MOTO_URL is not set. Run `scripts/moto.sh cargo \
                 bench --bench log_moto`."
            );
            return;
        }
    };
    let rounds = quick::setting("DECKWATCH_BENCH_ROUNDS", 5, 1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(&url, rounds));
}

struct Seeded {
    cluster: String,
    group: String,
    since: i64,
}

async fn seed_fleet(url: &str) -> Seeded {
    moto::freeze_tasks(url);
    let seed = Seeder::new(url).await;
    let cluster = moto::unique("bench-logs");
    let family = moto::unique("bench-web");
    let group = format!("/ecs/{family}");
    seed.cluster(&cluster).await;
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "web", &td, TASKS as i32).await;
    let arns = seed.run_tasks(&cluster, &td, "web", TASKS as i32).await;
    seed.log_group(&group).await;
    let now = seed::now_ms();
    let since = now - 3_600_000;
    let per_task = lines() / TASKS;
    for arn in &arns {
        let stream = format!("ecs/app/{}", seed::task_id(arn));
        seed.log_stream(&group, &stream).await;
        let lines: Vec<(i64, String)> = (0..per_task)
            .map(|i| {
                let at = since + 1_000 + (i as i64 * 3_000_000 / per_task as i64);
                let msg = format!(
                    "INFO GET /api/orders/{i} 200 {}ms user=u{} region=eu-west-1 trace={i:08x}",
                    i % 90,
                    i % 1000
                );
                (at, msg)
            })
            .collect();
        for batch in lines.chunks(BATCH) {
            let events: Vec<(i64, &str)> = batch.iter().map(|(a, m)| (*a, m.as_str())).collect();
            seed.log_events(&group, &stream, &events).await;
        }
    }
    Seeded {
        cluster,
        group,
        since,
    }
}

/// A plain SDK loop: every page of the group's events since `since`, on a new client with the
/// console's settings.
async fn floor(url: &str, s: &Seeded) -> (usize, Duration) {
    let fleet = moto::fleet(url, &[&s.cluster], Vec::new()).await;
    let logs = fleet.logs();
    let started = Instant::now();
    let (mut n, mut token) = (0, None);
    loop {
        let out = logs
            .filter_log_events()
            .log_group_name(&s.group)
            .log_stream_name_prefix("ecs/app/")
            .start_time(s.since)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        n += out.events().len();
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    (n, started.elapsed())
}

/// The console's path: the log worker into a state through the reducer.
async fn pane(url: &str, s: &Seeded) -> (usize, Duration) {
    let fleet: Arc<dyn Fleet> = Arc::new(moto::fleet(url, &[&s.cluster], Vec::new()).await);
    let mut state = StateBuilder::demo(At(seed::now_ms()))
        .log_capacity(lines() * 2, 256 << 20)
        .build();
    let key = ServiceKey {
        cluster: s.cluster.clone(),
        name: "web".into(),
    };
    state.ctx.logs.follow_target(Some(LogTarget::service(key)));
    state.ctx.logs.restart(LogStart::Since(At(s.since)));
    state.ctx.pane = Pane::Logs;
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let (_w, watch_rx) = tokio::sync::watch::channel(state.ctx.watch());
    let (_r, refresh_rx) = tokio::sync::watch::channel(0u64);
    let cfg = TailConfig {
        poll: Duration::from_secs(2),
        live: false,
    };
    let started = Instant::now();
    let worker = tokio::spawn(logtail::run(fleet, tx, watch_rx, refresh_rx, cfg));
    while let Some(m) = rx.recv().await {
        let done = matches!(&m, Msg::LogBacklog(_, b) if b.end == Some(BacklogEnd::Done));
        let _ = update(&mut state, m);
        if done {
            break;
        }
    }
    let took = started.elapsed();
    worker.abort();
    (state.ctx.logs.buf.len(), took)
}

/// The awslogs tool on the same data, if `AWSLOGS` names it.
fn awslogs(url: &str, s: &Seeded) -> Option<(usize, Duration)> {
    let tool = std::env::var("AWSLOGS").ok().filter(|t| !t.is_empty())?;
    let started = Instant::now();
    let out = std::process::Command::new(tool)
        .args(["get", &s.group, "ALL", "-s", "2h", "--color", "never"])
        .args(["--aws-endpoint-url", url, "--aws-region", moto::REGION])
        .args([
            "--aws-access-key-id",
            "testing",
            "--aws-secret-access-key",
            "testing",
        ])
        .output()
        .ok()?;
    let took = started.elapsed();
    let n = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    Some((n, took))
}

fn median(v: &[Duration]) -> Duration {
    Duration::from_secs_f64(quick::median(v.iter().map(Duration::as_secs_f64).collect()))
}

async fn run(url: &str, rounds: usize) {
    let seeding = Instant::now();
    let s = seed_fleet(url).await;
    let lines = lines();
    println!(
        "log_moto: seeded {lines} lines in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );
    let (mut f, mut p, mut a) = (Vec::new(), Vec::new(), Vec::new());
    // Round 0 warms moto and this process up and is not counted.
    for round in 0..=rounds {
        let (n, floor_took) = floor(url, &s).await;
        assert_eq!(n, lines, "the floor read {n} lines");
        let (n, pane_took) = pane(url, &s).await;
        assert_eq!(n, lines, "the pane holds {n} lines");
        let tool = awslogs(url, &s);
        println!(
            "log_moto: round {round}{}: floor {:.2}s, pane {:.2}s{}",
            if round == 0 { " (warm-up)" } else { "" },
            floor_took.as_secs_f64(),
            pane_took.as_secs_f64(),
            tool.map_or(String::new(), |(n, t)| format!(
                ", awslogs {:.2}s ({n} lines)",
                t.as_secs_f64()
            ))
        );
        if round > 0 {
            f.push(floor_took);
            p.push(pane_took);
            a.extend(tool.map(|(_, t)| t));
        }
    }
    let (f, p) = (median(&f), median(&p));
    println!(
        "log_moto: {lines} lines, median of {rounds}: SDK loop {:.2}s, pane {:.2}s ({:.2}x the loop)",
        f.as_secs_f64(),
        p.as_secs_f64(),
        p.as_secs_f64() / f.as_secs_f64()
    );
    if !a.is_empty() {
        let a = median(&a);
        println!(
            "log_moto: awslogs {:.2}s ({:.2}x the loop)",
            a.as_secs_f64(),
            a.as_secs_f64() / f.as_secs_f64()
        );
    } else {
        println!("log_moto: awslogs not run (set AWSLOGS to its path)");
    }
}
