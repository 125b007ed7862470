//! The builds pane's GitHub traffic and its speed, through the real GitHub client against the
//! in-test HTTP server (tests/support/gh_server.rs), which answers like GitHub: ETags on lists,
//! 304 to an unchanged one, 200 with the run's id to a dispatch.
//!
//! Run: cargo bench --bench github (`cargo test --bench github` runs it once, small, as
//! scripts/test.sh does for every bench).
//!
//! 1. Requests for one poll of 5 idle workflows (the first, then each later one), sent and
//!    answered 304, with the worker's pace (once a minute while idle, see tests/offline/
//!    ci_worker.rs) giving the figure per hour.
//! 2. The time from `y` in the build dialog to the new run in the builds list and drawn:
//!    the reducer, the runner (GET /user, POST …/dispatches), the CI worker's poll of the run's
//!    workflow (GET …/runs, GET …/jobs), the reducer again and one draw, over
//!    `DECKWATCH_BENCH_ROUNDS` rounds (default 30; 2 in quick mode). The audit log is a file in
//!    a temporary directory: without one every action is refused, as in the console.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../tests/support/testkit.rs"]
mod testkit;

#[path = "../tests/support/gh_server.rs"]
#[allow(dead_code)]
mod gh_server;
#[path = "support/quick.rs"]
mod quick;

use crate::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::ci::Ci;
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::demo::SimFleet;
use deckwatch::model::Workflow;
use deckwatch::state::{Effect, Mode, Msg, update};
use deckwatch::workers::{audit::Audit, ci, runner};
use gh_server::{Req, Resp, Server};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use crate::testkit::EPOCH;

/// GitHub, as far as the builds pane asks it: runs dispatched so far, per workflow path.
fn github(runs: Arc<Mutex<Vec<(String, u64)>>>) -> impl Fn(&Req) -> Resp + Send + Sync {
    move |r: &Req| {
        if r.path == "/user" {
            return Resp::json(200, json!({"login": "bench"}));
        }
        if r.method == "POST" {
            let mut v = runs.lock().unwrap();
            let id = 1000 + v.len() as u64;
            v.push((r.path.replace("/dispatches", "/runs"), id));
            return Resp::json(200, json!({"workflow_run_id": id, "html_url": "h"}));
        }
        if r.path.contains("/jobs") {
            return Resp::json(200, json!({"total_count": 0, "jobs": []}));
        }
        if r.path.contains("/contents/") {
            return Resp::json(200, json!({"content": "b246IHdvcmtmbG93X2Rpc3BhdGNo"}));
        }
        let path = r.path.split('?').next().unwrap_or_default().to_string();
        let all = runs.lock().unwrap();
        let newest = all
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, id)| *id)
            .max();
        // The newest run is queued; the ones before it have finished.
        let list: Vec<serde_json::Value> = all
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, id)| run(*id, Some(*id) == newest))
            .collect();
        let etag = format!("\"{}-{}\"", path.len(), list.len());
        if r.header("if-none-match") == Some(etag.as_str()) {
            return Resp::json(304, json!(null)).with("etag", etag);
        }
        Resp::json(
            200,
            json!({"total_count": list.len(), "workflow_runs": list}),
        )
        .with("etag", etag)
    }
}

fn run(id: u64, open: bool) -> serde_json::Value {
    let (status, conclusion) = if open {
        ("queued", None)
    } else {
        ("completed", Some("success"))
    };
    json!({"id": id, "name": "build", "run_number": id, "run_attempt": 1, "status": status,
        "conclusion": conclusion, "head_branch": "main", "head_sha": "0123456789abcdef0123456789abcdef01234567",
        "event": "workflow_dispatch", "actor": {"login": "bench"},
        "created_at": "2026-11-26T10:00:00Z", "updated_at": "2026-11-26T10:00:00Z", "html_url": "h"})
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        requests_per_poll().await;
        y_to_screen().await;
    });
}

async fn requests_per_poll() {
    let runs = Arc::new(Mutex::new(Vec::new()));
    for i in 0..5 {
        let p = format!("/repos/acme/s{i}/actions/workflows/build.yml/runs");
        for k in 0..10 {
            runs.lock().unwrap().push((p.clone(), 100 * i + k));
        }
    }
    let server = Server::start(github(runs)).await;
    let gh = GitHub::new(&server.url, Secret::new("t"), Arc::default()).unwrap();
    let wfs: Vec<Workflow> = (0..5)
        .map(|i| Workflow {
            repo: format!("acme/s{i}"),
            workflow: "build.yml".into(),
        })
        .collect();
    for round in 0..3 {
        let (sent, cached) = (
            gh.counters().sent.load(Ordering::Relaxed),
            gh.counters().not_modified.load(Ordering::Relaxed),
        );
        for w in &wfs {
            gh.runs(w).await.unwrap();
        }
        let sent = gh.counters().sent.load(Ordering::Relaxed) - sent;
        let cached = gh.counters().not_modified.load(Ordering::Relaxed) - cached;
        println!(
            "poll {round} of 5 idle workflows: {sent} list requests sent, {cached} answered 304"
        );
    }
}

async fn y_to_screen() {
    let rounds = quick::setting("DECKWATCH_BENCH_ROUNDS", 30, 2);
    let server = Server::start(github(Arc::default())).await;
    // The API budget is set out of the way: this measures the path, not the budget's pace
    // (which would space 30 dispatches in a few seconds out, as it should).
    use deckwatch::model::Op;
    let rates = [
        Op::GitHubListWorkflowRuns,
        Op::GitHubListJobsForWorkflowRun,
        Op::GitHubCreateWorkflowDispatch,
        Op::GitHubGetContent,
    ]
    .map(|op| (op, 1000.0));
    let budget = Arc::new(deckwatch::budget::Budget::new(rates.into_iter().collect()));
    let gh: Arc<dyn Ci> = Arc::new(GitHub::new(&server.url, Secret::new("t"), budget).unwrap());
    let fleet = Arc::new(SimFleet::new(EPOCH));
    // An audit log the runner can write: without one it refuses the dispatch (fails closed).
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(audit_dir.path().join("audit.jsonl"))));
    let (tx, mut rx) = mpsc::channel(256);
    let worker = ci::spawn(gh.clone(), tx.clone());
    let mut state = StateBuilder::demo(EPOCH).with_services().build();
    let theme = deckwatch::theme::Themes::load(None)
        .unwrap()
        .get("dark")
        .unwrap();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let key = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        for e in update(&mut state, key('B')) {
            if let Effect::LoadInputs(w, r) = e {
                let got = gh.inputs(&w, &r).await;
                let _ = update(&mut state, Msg::BuildInputs(w, r, got));
            }
        }
        assert!(matches!(state.mode, Mode::Build(_)));
        let start = Instant::now();
        let mut pending = update(&mut state, key('y'));
        let mut want = None;
        loop {
            for e in std::mem::take(&mut pending) {
                match e {
                    Effect::Run(plan, ctx, job) => {
                        let (f, c, a, t) = (fleet.clone(), gh.clone(), audit.clone(), tx.clone());
                        tokio::spawn(runner::run(f, c, a, *plan, ctx, job, t));
                    }
                    Effect::WatchBuilds(w) => {
                        let _ = worker.watch.send(w);
                    }
                    _ => {}
                }
            }
            if let Some(id) = want
                && state.builds.runs.items.iter().any(|r| r.id == id)
            {
                break;
            }
            let m = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .unwrap()
                .unwrap();
            match &m {
                Msg::Dispatched(_, id) => want = *id,
                // A refused or failed dispatch ends the bench with its reason, not a timeout.
                Msg::ActionDone(d) if d.result.is_err() => {
                    panic!("the dispatch did not go: {:?}", d.result)
                }
                _ => {}
            }
            pending = update(&mut state, m);
        }
        term.draw(|f| {
            deckwatch::ui::draw(f, &state, &theme);
        })
        .unwrap();
        times.push(start.elapsed());
        // Let the action's line settle so the next B is not refused as "still at work".
        state.ctx.jobs = Default::default();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = quick::median(times.iter().map(|t| ms(*t)).collect());
    println!(
        "y to the run on screen, {rounds} rounds: median {median:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(times[rounds * 9 / 10]),
        ms(times[rounds - 1])
    );
}
