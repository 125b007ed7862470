//! The fleet on moto: 20 contexts (accounts, each a role assumed as a `[fleet]` profile would)
//! of 500 services each by default (`DECKWATCH_BENCH_CONTEXTS` × `DECKWATCH_BENCH_PER_CONTEXT`),
//! read by the fleet worker as the console runs it (one `AwsFleet` per context on one API
//! budget, at most 50 at once, background priority).
//!
//! Run: scripts/moto.sh cargo bench --bench fleet_moto
//!
//! It measures:
//! - the fleet view's first complete figures: from the start until every context's first
//!   report is in;
//! - the calls of one read per context in steady state (the second and third reads, after the
//!   backend's first load), and so the calls a minute at the default rate (one read a minute);
//! - the memory per context: the process's resident memory grown over the whole run, per
//!   context, and what a row keeps (its figures and the search's index);
//! - key to frame on the fleet view while the 20 contexts' reports keep arriving: the reducer
//!   and a 120x40 draw per key, with a report taken in every other key; p50 and p99.
//!
//! Under `cargo test --benches` it runs once, small (2 contexts of 5 services), as a check. It
//! resets its moto (it lists every cluster of each account).

#![allow(clippy::unwrap_used)] // a bench that fails should panic where it fails

mod common;
#[path = "../tests/support/counting.rs"]
mod counting;
#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/seed.rs"]
mod seed;
#[path = "../tests/support/testkit.rs"]
mod testkit;

use counting::CallCounter;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, Overrides};
use deckwatch::state::fleet::{FleetReport, FleetView};
use deckwatch::state::{Msg, State, Target, update};
use deckwatch::workers::fleet::Member;
use futures::StreamExt;
use quick::{median, setting};
use seed::{Seeder, TaskDefSpec};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc, watch};

fn main() {
    if let Some(url) = common::moto_url("fleet_moto") {
        common::runtime().block_on(run(&url));
    }
}

/// Credentials of the role `deckwatch` in `account`, as a profile's `role_arn` gives them.
async fn assumed(url: &str, account: &str) -> (aws_credential_types::Credentials, String) {
    let sts = aws_sdk_sts::Client::new(&moto::sdk_config(url).await);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/deckwatch"))
        .role_session_name("bench")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    let key = c.access_key_id().to_string();
    let creds = aws_credential_types::Credentials::new(
        &key,
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "assumed",
    );
    (creds, key)
}

/// `per` services in one cluster of `account`.
async fn seed_account(url: &str, creds: &aws_credential_types::Credentials, key: &str, per: usize) {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(moto::REGION))
        .endpoint_url(url)
        .credentials_provider(creds.clone())
        .load()
        .await;
    let seed = Seeder::with_sdk(url, &sdk, key).await;
    seed.cluster("fleet").await;
    let td = seed
        .task_def(TaskDefSpec {
            family: "app",
            container: "app",
            image: "example/app:3e1bbd7",
            log_group: "/ecs/app",
            stream_prefix: "ecs",
        })
        .await;
    let (seed, td) = (&seed, &td);
    futures::stream::iter(0..per)
        .map(|i| async move {
            seed.service("fleet", &format!("svc-{i:03}"), td, 1).await;
        })
        .buffer_unordered(common::SEED_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
}

/// Resident memory of the process, in bytes (Linux).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

struct Context {
    target: Target,
    fleet: Arc<dyn Fleet>,
    calls: CallCounter,
}

async fn contexts(url: &str, n: usize, per: usize) -> Vec<Context> {
    let budget = Arc::new(deckwatch::budget::Budget::default());
    let mut out = Vec::new();
    for i in 0..n {
        let account = format!("2000000{i:05}");
        let (creds, key) = assumed(url, &account).await;
        seed_account(url, &creds, &key, per).await;
        let calls = CallCounter::default();
        let overrides = Overrides {
            interceptors: vec![calls.interceptor()],
            credentials: Some(
                aws_credential_types::provider::SharedCredentialsProvider::new(creds),
            ),
            budget: budget.clone(),
            ..Overrides::default()
        };
        let fleet = AwsFleet::connect_with(moto::options(url, &[]), overrides)
            .await
            .unwrap();
        let target = Target {
            generation: 0,
            name: format!("acct-{i:02}"),
            region: Some(moto::REGION.into()),
        };
        out.push(Context {
            target,
            fleet: Arc::new(fleet),
            calls,
        });
    }
    out
}

async fn run(url: &str) {
    common::reset(url);
    let n = setting("DECKWATCH_BENCH_CONTEXTS", 20, 2);
    let per = setting("DECKWATCH_BENCH_PER_CONTEXT", 500, 5);
    let every = Duration::from_secs(setting("DECKWATCH_BENCH_EVERY_SECS", 20, 1) as u64);
    let seeding = Instant::now();
    let ctxs = contexts(url, n, per).await;
    println!(
        "fleet_moto: {n} contexts × {per} services seeded in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );
    let before = rss();
    let (tx, mut rx) = mpsc::channel(256);
    let (_on_screen, watching) = watch::channel(Target::default());
    let permits = Arc::new(Semaphore::new(50));
    let start = Instant::now();
    for c in &ctxs {
        let m = Member {
            target: c.target.clone(),
            fleet: c.fleet.clone(),
            tx: tx.clone(),
            permits: permits.clone(),
            on_screen: watching.clone(),
            every,
            prices: None,
        };
        tokio::spawn(m.run());
    }
    let reports = first_reports(&mut rx, n, per).await;
    let first = start.elapsed().as_secs_f64();
    // Steady state: the calls of the next two reads of each context.
    let after_first: Vec<usize> = ctxs.iter().map(|c| total(&c.calls)).collect();
    let mut seen = vec![0usize; n];
    while seen.iter().any(|s| *s < 2) {
        if let Some(Msg::Fleet(r)) = rx.recv().await {
            let i = ctxs.iter().position(|c| c.target == r.target).unwrap();
            seen[i] += 1;
        }
    }
    let per_read: Vec<f64> = ctxs
        .iter()
        .zip(&after_first)
        .map(|(c, a)| (total(&c.calls) - a) as f64 / 2.0)
        .collect();
    let grown = rss().saturating_sub(before);
    println!("fleet_moto: the first complete figures of {n} contexts in {first:.2} s");
    println!(
        "fleet_moto: steady state, calls per read per context: median {:.1} (max {:.1}); at one read a minute that is the calls a minute; by operation (context 0, its first three reads): {:?}",
        median(per_read.clone()),
        per_read.iter().copied().fold(0.0, f64::max),
        ctxs[0].calls.snapshot()
    );
    println!(
        "fleet_moto: memory: {:.1} MiB resident grown over the run, {:.0} KiB per context; a row keeps {:.1} KiB",
        grown as f64 / (1 << 20) as f64,
        grown as f64 / n as f64 / 1024.0,
        row_bytes(&reports[0]) as f64 / 1024.0
    );
    key_to_frame(&ctxs, reports);
}

fn total(c: &CallCounter) -> usize {
    c.snapshot().values().sum()
}

/// Every context's first report with all its services.
async fn first_reports(rx: &mut mpsc::Receiver<Msg>, n: usize, per: usize) -> Vec<FleetReport> {
    let mut firsts: Vec<FleetReport> = Vec::new();
    while firsts.len() < n {
        let Some(Msg::Fleet(r)) = rx.recv().await else {
            panic!("the fleet worker stopped");
        };
        let read = r.read.as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.figures.services, per, "{:?}", r.target);
        if !firsts.iter().any(|f| f.target == r.target) {
            firsts.push(*r);
        }
    }
    firsts
}

/// What one row keeps: its figures and the search's index.
fn row_bytes(r: &FleetReport) -> usize {
    let Ok(read) = &r.read else { return 0 };
    let strings: usize = read
        .found
        .iter()
        .map(|f| {
            f.cluster.capacity()
                + f.service.capacity()
                + f.revision.capacity()
                + f.tags.iter().map(String::capacity).sum::<usize>()
        })
        .sum();
    std::mem::size_of_val(read) + read.found.capacity() * 120 + strings
}

/// Keys on the fleet view with the contexts' reports arriving between them, and the same on
/// the services pane (the view closed) for comparison in the same build.
fn key_to_frame(ctxs: &[Context], reports: Vec<FleetReport>) {
    let mut s: State = testkit::StateBuilder::demo(testkit::EPOCH)
        .with_services()
        .build();
    s.fleet = FleetView::new(ctxs.iter().map(|c| c.target.clone()).collect(), true);
    for r in &reports {
        let _ = update(&mut s, Msg::Fleet(Box::new(r.clone())));
    }
    let _ = update(&mut s, Msg::Resize(120, 40));
    let pane = keys(&mut s, &reports);
    let _ = update(&mut s, key('0'));
    let fleet = keys(&mut s, &reports);
    let n = ctxs.len();
    for (what, (p50, p99)) in [("the services pane", pane), ("the fleet view", fleet)] {
        println!(
            "fleet_moto: key to frame on {what}, {n} contexts reporting: p50 {p50:.2} ms, p99 {p99:.2} ms (goal ≤ 16 ms)"
        );
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// p50 and p99 of `j`/`k` to a drawn 120x40 frame, a report taken in every other key.
fn keys(s: &mut State, reports: &[FleetReport]) -> (f64, f64) {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let theme = deckwatch::theme::Themes::load(None)
        .unwrap()
        .get("dark")
        .unwrap();
    let rounds = setting("DECKWATCH_BENCH_KEYS", 2_000, 20);
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        if i % 2 == 0 {
            let r = reports[i / 2 % reports.len()].clone();
            let _ = update(s, Msg::Fleet(Box::new(r)));
        }
        let t = Instant::now();
        let _ = update(s, key(if i % 40 < 20 { 'j' } else { 'k' }));
        term.draw(|f| {
            deckwatch::ui::draw(f, s, &theme);
        })
        .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    (median(times), p99)
}
