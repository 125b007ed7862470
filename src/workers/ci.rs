//! The CI worker: polls GitHub Actions only while the builds pane is on screen, a run's detail
//! is open, or a run started from this console is unfinished. Idle workflows are asked once a
//! minute (and GitHub answers 304 to the ETag, which costs no quota); while a run moves, every
//! few seconds. After a rate limit it waits until GitHub said it may call again.

use crate::budget::{self, Priority};
use crate::ci::Ci;
use crate::model::{ApiError, Job, Run, RunDetail, Workflow, build::Progress};
use crate::state::builds::CiWatch;
use crate::state::{Msg, Pane};
use crate::timing::now_ms;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

/// Polls while a run moves.
pub const FAST: Duration = Duration::from_secs(5);
/// Polls while every run shown has finished.
pub const IDLE: Duration = Duration::from_secs(60);
/// Runs per workflow whose jobs are read for the pane's bar (open runs always are).
const JOBS_FOR_NEWEST: usize = 3;
/// Lines of a failed job's log the detail shows.
pub const LOG_LINES: usize = 40;

/// Jobs of finished runs never change: kept by (run, attempt).
type JobCache = HashMap<(u64, u32), Vec<Job>>;

pub struct Handles {
    pub watch: watch::Sender<CiWatch>,
    pub refresh: watch::Sender<u64>,
}

pub fn spawn(ci: Arc<dyn Ci>, tx: mpsc::Sender<Msg>) -> Handles {
    let (watch_tx, watch_rx) = watch::channel(CiWatch::default());
    let (refresh_tx, refresh_rx) = watch::channel(0u64);
    // The client may still be reading its token (the token command runs once the screen is
    // open): the pane says so until it is ready, then why not if it cannot be.
    let (ready_ci, ready_tx) = (ci.clone(), tx.clone());
    tokio::spawn(async move {
        let why = ready_ci.ready().await;
        let _ = ready_tx.send(Msg::CiReady(why)).await;
    });
    tokio::spawn(run(ci, tx, watch_rx, refresh_rx));
    Handles {
        watch: watch_tx,
        refresh: refresh_tx,
    }
}

/// Reads a workflow's dispatch inputs for the build dialog.
pub fn load_inputs(ci: Arc<dyn Ci>, tx: mpsc::Sender<Msg>, w: Workflow, git_ref: String) {
    tokio::spawn(async move {
        let r = budget::with_priority(Priority::Visible, ci.inputs(&w, &git_ref)).await;
        let _ = tx.send(Msg::BuildInputs(w, git_ref, r)).await;
    });
}

async fn run(
    ci: Arc<dyn Ci>,
    tx: mpsc::Sender<Msg>,
    mut watch: watch::Receiver<CiWatch>,
    mut refresh: watch::Receiver<u64>,
) {
    let mut cache = JobCache::new();
    let mut logs: HashMap<u64, Vec<String>> = HashMap::new();
    loop {
        let w = watch.borrow_and_update().clone();
        refresh.borrow_and_update();
        let wanted = w.visible || w.detail.is_some() || !w.mine.is_empty();
        let delay = if wanted {
            let poll = poll_once(ci.as_ref(), &tx, &w, &mut cache, &mut logs);
            match budget::with_priority(Priority::Visible, poll).await {
                Some(d) => d,
                None => return,
            }
        } else {
            Duration::from_secs(3600)
        };
        let _ = tx.send(Msg::CiRate(ci.rate(), ci.waiting_until())).await;
        // After a rate limit, nothing is sent before GitHub's time.
        let delay = match ci.waiting_until() {
            Some(until) => delay.max((until - now_ms()).to_std()),
            None => delay,
        };
        let deadline = Instant::now() + delay;
        tokio::select! {
            _ = sleep_until(deadline) => {}
            r = refresh.changed() => if r.is_err() { return },
            r = watch.changed() => if r.is_err() { return },
        }
    }
}

/// One round; the delay before the next, or None when the loop has ended.
async fn poll_once(
    ci: &dyn Ci,
    tx: &mpsc::Sender<Msg>,
    w: &CiWatch,
    cache: &mut JobCache,
    logs: &mut HashMap<u64, Vec<String>>,
) -> Option<Duration> {
    let polled: Vec<Workflow> = if w.visible {
        w.workflows.clone()
    } else {
        let mut v: Vec<Workflow> = w
            .mine
            .iter()
            .chain(&w.detail)
            .map(|(wf, _)| wf.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let read = runs_of(ci, &polled, cache).await;
    let mut moving = read.runs.iter().any(|r| r.status.is_open());
    let failure = workflows_failed(&read, polled.len());
    // The workflows read replace their runs; one that failed keeps its last ones, named below.
    if !read.read.is_empty() || failure.is_none() {
        tx.send(Msg::Runs(read.read, read.runs, now_ms()))
            .await
            .ok()?;
    }
    if let Some(e) = failure {
        tracing::warn!(error = %e, "builds poll failed");
        tx.send(Msg::Failed(Pane::Builds, e, now_ms())).await.ok()?;
    }
    if let Some((wf, id)) = &w.detail {
        let msg = match detail(ci, wf, *id, logs).await {
            Ok((d, open)) => {
                moving |= open;
                Msg::RunDetail(d, now_ms())
            }
            Err(e) => Msg::RunDetailFailed(
                crate::model::RunRef {
                    repo: wf.repo.clone(),
                    id: *id,
                },
                e,
                now_ms(),
            ),
        };
        tx.send(msg).await.ok()?;
    }
    Some(if moving { FAST } else { IDLE })
}

/// What one poll of the workflows read.
struct Read {
    runs: Vec<Run>,
    /// The workflows whose runs were read: theirs replace the pane's.
    read: Vec<Workflow>,
    /// What could not be read, by workflow: a whole workflow, or a run of one.
    failed: Vec<(Workflow, ApiError)>,
}

/// The runs of `workflows`, with jobs read for the open ones and the newest few. One workflow
/// that cannot be read (404, a rate limit) costs only itself.
async fn runs_of(ci: &dyn Ci, workflows: &[Workflow], cache: &mut JobCache) -> Read {
    let mut out = Read {
        runs: Vec::new(),
        read: Vec::new(),
        failed: Vec::new(),
    };
    for wf in workflows {
        let listing = match ci.runs_listing(wf).await {
            Ok(l) => l,
            Err(e) => {
                out.failed.push((wf.clone(), e));
                continue;
            }
        };
        if let Some(e) = listing.failed {
            out.failed.push((wf.clone(), e));
        }
        let mut runs = listing.items;
        add_progress(ci, wf, &mut runs, cache).await;
        out.read.push(wf.clone());
        out.runs.extend(runs);
    }
    if cache.len() > 1_000 {
        cache.clear();
    }
    out
}

/// The jobs bar of the open runs and the newest few.
async fn add_progress(ci: &dyn Ci, wf: &Workflow, runs: &mut [Run], cache: &mut JobCache) {
    for (i, r) in runs.iter_mut().enumerate() {
        if r.progress.is_some() || (i >= JOBS_FOR_NEWEST && !r.status.is_open()) {
            continue;
        }
        let key = (r.id, r.attempt);
        let jobs = match cache.get(&key) {
            Some(j) if !r.status.is_open() => j.clone(),
            _ => match ci.jobs(&wf.repo, r.id).await {
                Ok(j) => j,
                Err(e) => {
                    tracing::warn!(error = %e, run = r.id, "jobs not read");
                    continue;
                }
            },
        };
        r.progress = Some(Progress::of(&jobs));
        if !r.status.is_open() {
            cache.insert(key, jobs);
        }
    }
}

/// What the pane says of a poll's failures: the one error of a lone workflow, every workflow
/// named when nothing was read, else partial (the rest are shown).
fn workflows_failed(read: &Read, total: usize) -> Option<ApiError> {
    let (_, first) = read.failed.first()?;
    if read.read.is_empty() && total == 1 {
        return Some(first.clone().whole());
    }
    let what = read
        .failed
        .iter()
        .map(|(w, e)| format!("{w}: {}", e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let unread = total - read.read.len();
    let message = if unread > 0 && !read.read.is_empty() {
        format!("{unread} of {total} workflows not read: {what}")
    } else {
        what
    };
    let e = ApiError::new(first.kind.clone(), message);
    Some(if read.read.is_empty() { e } else { e.partial() })
}

/// The open run's jobs and the tail of its first failed job's log (read once per job).
async fn detail(
    ci: &dyn Ci,
    wf: &Workflow,
    id: u64,
    logs: &mut HashMap<u64, Vec<String>>,
) -> Result<(RunDetail, bool), ApiError> {
    let jobs = ci.jobs(&wf.repo, id).await?;
    let open = jobs.iter().any(|j| j.status.is_open());
    let mut log = None;
    if let Some(j) = jobs.iter().find(|j| j.failed()) {
        let lines = match logs.get(&j.id) {
            Some(l) => Some(l.clone()),
            None => match ci.log_tail(&wf.repo, j.id, LOG_LINES).await {
                Ok(l) => {
                    if logs.len() > 64 {
                        logs.clear();
                    }
                    logs.insert(j.id, l.clone());
                    Some(l)
                }
                Err(e) => Some(vec![format!("the log could not be read: {e}")]),
            },
        };
        log = lines.map(|lines| crate::model::LogTail {
            job_id: j.id,
            job: j.name.clone(),
            lines,
        });
    }
    let run = crate::model::RunRef {
        repo: wf.repo.clone(),
        id,
    };
    Ok((RunDetail { run, jobs, log }, open))
}
