//! Key to frame under the worst load: the real loop (`app::run_loop`) on a 200×60 test backend,
//! taking a refresh of 10,000 services every 2 s and 50,000 log lines a second while a key is
//! pressed every 20–80 ms. Each key is timestamped when it is sent and matched with the first
//! frame drawn after the reducer took it in; the figures are p50, p99 and max of that.
//!
//! A third scenario has 8 jobs watching (each a rollback sent and waiting until stable), so
//! every refresh also runs each watch over the 10,000 services.
//!
//! Run: cargo bench --bench loop_latency [FILTER] (FILTER: a word of the scenario's name, such
//! as `jobs`)
//! (`DECKWATCH_BENCH_SECS` sets how long each scenario runs; 30 by default, 2 under `cargo test
//! --bench loop_latency`, which scripts/test.sh runs as a check.)

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "support/quick.rs"]
mod quick;

#[path = "../tests/support/testkit.rs"]
mod testkit;

use crate::testkit::StateBuilder;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use deckwatch::app::{self, Effects, Runtime};
use deckwatch::budget::Budget;
use deckwatch::demo::{SimFleet, seed};
use deckwatch::model::Ms;
use deckwatch::model::{LogChunk, LogLine, LogTarget, Service, ServiceKey};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Msg, State};
use deckwatch::theme::Themes;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::poller::Intervals;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use crate::testkit::EPOCH;
const SERVICES: usize = 10_000;
const LINES_PER_SEC: usize = 50_000;
/// Log lines arrive in batches this often, as a live tail delivers them.
const LOG_BATCH_MS: u64 = 20;

fn fleet(bump: u32) -> Vec<Service> {
    let base = seed::world(EPOCH).services();
    (0..SERVICES)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.name = format!("{}-{i:05}", s.name);
            s.cluster = format!("cluster-{:03}", i % 100);
            s.arn = format!("{}-{i}", s.arn);
            s.running += bump;
            s
        })
        .collect()
}

fn followed() -> ServiceKey {
    ServiceKey {
        cluster: "cluster-000".into(),
        name: "api-00000".into(),
    }
}

fn log_batch(n: usize, seq: &mut u64) -> Vec<LogLine> {
    (0..n)
        .map(|_| {
            *seq += 1;
            LogLine {
                at: EPOCH + Ms(*seq as i64),
                task_id: format!("{:032x}", *seq % 40),
                revision: 118,
                message: format!(
                    "INFO GET /api/orders/{seq} 200 {}ms user=u{} region=eu-west-1",
                    *seq % 90,
                    *seq % 1000
                ),
            }
        })
        .collect()
}

/// Refreshes and log lines, as the workers would send them, until `stop`; the lines for log
/// follow `generation`.
fn load(tx: mpsc::Sender<Msg>, stop: Arc<Mutex<bool>>, generation: u64) {
    let (t1, s1) = (tx.clone(), stop.clone());
    tokio::spawn(async move {
        let mut bump = 0;
        let mut last = fleet(0);
        while !*s1.lock().unwrap() {
            tokio::time::sleep(Duration::from_secs(2)).await;
            bump += 1;
            // Prepared as the poller does, off the loop.
            let p = Prepared::new(fleet(bump), None, Some(&last));
            last = p.items.clone();
            let _ = t1.send(Msg::Services(p, EPOCH)).await;
        }
    });
    tokio::spawn(async move {
        let per_batch = LINES_PER_SEC * LOG_BATCH_MS as usize / 1000;
        let mut seq = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(LOG_BATCH_MS));
        while !*stop.lock().unwrap() {
            tick.tick().await;
            // Prepared into one block as the log worker does, off the loop.
            let chunk = LogChunk::from_lines(&log_batch(per_batch, &mut seq));
            let _ = tx
                .send(Msg::LogFeed(generation, Box::new(chunk), EPOCH))
                .await;
        }
    });
}

/// Puts `n` jobs on the state, each a rollback of its own service, sent and waiting until
/// stable: the fleet never shows the change, so they watch through the whole run. They start
/// on the loop's clock (the wall clock), or the first tick would end them as not stable in
/// time. Their notifications are off, so no OSC bytes reach the bench's output; the reducer
/// still looks at every job for them.
fn watching_jobs(st: &mut State, n: usize) {
    use deckwatch::state::actions::plan::rollback;
    use deckwatch::state::jobs::Job;
    let now = deckwatch::timing::now_ms();
    st.notify.settings.jobs = false;
    st.notify.settings.deployments = false;
    let all = st.ctx.services.items.clone();
    let plans: Vec<_> = all
        .iter()
        .filter_map(|s| rollback(s).ok())
        .take(n)
        .collect();
    assert_eq!(plans.len(), n, "the fleet has {n} services to roll back");
    for (i, plan) in plans.iter().enumerate() {
        let id = i as u64 + 1;
        st.ctx
            .jobs
            .push(Job::new(id, plan, "bench".into(), &all, now));
        st.ctx.jobs.done(id, &Ok("sent".into()), None, now);
    }
    assert_eq!(st.ctx.jobs.running_count(), n);
}

/// Runs one scenario for `secs` with the pane `pane_key` shown and `jobs` jobs watching;
/// returns key-to-frame latencies in milliseconds, and the frames drawn.
async fn scenario(pane_key: char, jobs: usize, secs: u64) -> (Vec<f64>, u64) {
    let themes = Themes::load(None).unwrap();
    let mut st: State = StateBuilder::demo(EPOCH)
        .log_capacity(200_000, 64 << 20)
        .build();
    let _ = deckwatch::state::update(&mut st, Msg::Services(fleet(0).into(), EPOCH));
    st.take_discarded();
    watching_jobs(&mut st, jobs);
    st.ctx
        .logs
        .follow_selection(Some(LogTarget::service(followed())));
    let st_generation = st.ctx.logs.generation;
    let sim = Arc::new(SimFleet::new(EPOCH));
    let rt = Runtime {
        themes,
        no_color: false,
        fleet: sim.clone(),
        ci: Arc::new(deckwatch::demo::ci::SimCi::new(sim)),
        intervals: Intervals {
            fast: Duration::from_secs(2),
            normal: Duration::from_secs(10),
            logs: Duration::from_secs(1),
            alarms: Duration::from_secs(60),
            live_tail: true,
            reconcile: Duration::from_secs(300),
        },
        audit: Arc::new(Audit::new(None)),
        budget: Arc::new(Budget::default()),
        connector: Arc::new(deckwatch::app::connector::DemoContexts::new(
            deckwatch::app::connector::ConfiguredContexts {
                startup: "demo".into(),
                configured: Vec::new(),
                choices: Default::default(),
            },
        )),
        fleet_polling: None,
        webhook: None,
        sso: None,
    };
    let (tx, rx) = mpsc::channel(256);
    let effects = Effects::detached(&rt, tx.clone());
    let stop = Arc::new(Mutex::new(false));
    load(tx, stop.clone(), st_generation);

    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let frames: Arc<Mutex<Vec<(Instant, u64)>>> = Arc::default();
    let (keys_tx, keys_rx) = futures::channel::mpsc::unbounded::<std::io::Result<Event>>();
    let key = |c| {
        Ok(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    };
    keys_tx.unbounded_send(key(pane_key)).unwrap();
    sent.lock().unwrap().push(Instant::now());
    let (s2, stop2) = (sent.clone(), stop.clone());
    tokio::spawn(async move {
        let end = Instant::now() + Duration::from_secs(secs);
        let mut i: u64 = 0;
        while Instant::now() < end {
            i += 1;
            // 20 to 80 ms apart, a fixed sequence so runs compare.
            tokio::time::sleep(Duration::from_millis(20 + (i * 37) % 61)).await;
            s2.lock().unwrap().push(Instant::now());
            keys_tx
                .unbounded_send(key(if i.is_multiple_of(2) { 'j' } else { 'k' }))
                .unwrap();
        }
        *stop2.lock().unwrap() = true;
        s2.lock().unwrap().push(Instant::now());
        keys_tx.unbounded_send(key('q')).unwrap();
    });
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let f2 = frames.clone();
    let quits = futures::stream::pending::<i32>();
    let drawn = app::run_loop(
        &mut terminal,
        keys_rx.boxed(),
        quits,
        st,
        &rt,
        effects,
        rx,
        |keys| f2.lock().unwrap().push((Instant::now(), keys)),
    )
    .await
    .unwrap()
    .frames;
    let sent = sent.lock().unwrap();
    let frames = frames.lock().unwrap();
    // Key i (1-based) shows in the first frame drawn once i keys were taken in.
    let lat = (1..sent.len() as u64)
        .filter_map(|i| {
            let at = sent[(i - 1) as usize];
            frames
                .iter()
                .find(|(_, k)| *k >= i)
                .map(|(t, _)| t.duration_since(at).as_secs_f64() * 1000.0)
        })
        .collect();
    (lat, drawn)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let secs = quick::setting("DECKWATCH_BENCH_SECS", 30, 2) as u64;
    let rt = tokio::runtime::Runtime::new().unwrap();
    // `cargo bench` passes `--bench`; a word that is not a flag chooses scenarios.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (pane, jobs, name) in [
        ('1', 0, "services pane (10k rows)"),
        ('5', 0, "logs pane (following)"),
        ('1', 8, "services pane (10k rows), 8 jobs watching"),
    ] {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let (mut lat, frames) = rt.block_on(scenario(pane, jobs, secs));
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "key to frame, {name}, 10k-service refresh every 2 s + {LINES_PER_SEC} lines/s, \
             {} keys, {frames} frames in {secs} s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            lat.len(),
            percentile(&lat, 0.50),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0),
        );
    }
}
