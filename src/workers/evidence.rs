//! Fetches the evidence the screen shows, and only while it shows it: the canary's and the
//! primary's load-balancer figures (while a rollout view or a promote or abort dialog is
//! open), the task definitions a diff compares, a native service's deployment history, and the
//! open alarm's metric and state history. A moving rollout's figures are read every
//! `ALB_EVERY` (the newest complete minute, so a new minute shows within 15 s of its end), and
//! afresh when a promote or abort dialog opens; the rest is fetched again after `EVERY`; task
//! definitions never change and are fetched once.
//!
//! A native history is not sent to the loop: it goes to the services poller (`Listed`), which
//! merges it into the services it sends, the one place deployment histories are merged.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::evidence::{AlbFigures, Sides};
use crate::model::{
    AlarmDetail, ApiError, ApiResult, At, ErrorKind, Ms, PastDeployment, ServiceKey, TaskDefRef,
    history,
};
use crate::state::Msg;
use crate::state::rollout::evidence::{AlbResult, Fetched, Request};
use crate::timing::now_ms;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

/// How often shown figures are fetched again.
pub const EVERY: Duration = Duration::from_secs(60);
/// How often a moving rollout's load-balancer figures are read while they are shown.
pub const ALB_EVERY: Duration = Duration::from_secs(15);
/// An alarm detail's sparkline and state history reach back this far.
pub const SPARK_MS: Ms = Ms::hours(3);
pub const HISTORY_MS: Ms = Ms::hours(24);
/// Task definitions remembered as fetched (or failed), at most.
const TASKDEFS_TRIED: usize = 256;

/// Native histories shared with the services poller, which merges them into the services and
/// is woken when one arrives.
#[derive(Clone, Default)]
pub struct Listed {
    map: Arc<Mutex<history::Listed>>,
    arrived: Arc<Notify>,
}

/// Services whose native history is kept, at most: the ones whose rollout view was opened.
const LISTED_KEPT: usize = 256;

impl Listed {
    pub fn get(&self) -> history::Listed {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps a service's history and wakes the services poller to merge it.
    pub fn put(&self, key: ServiceKey, listed: Vec<PastDeployment>) {
        {
            let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
            if map.len() >= LISTED_KEPT && !map.contains_key(&key) {
                map.clear();
            }
            map.insert(key, listed);
        }
        self.arrived.notify_one();
    }

    /// Until a history arrives (at once if one arrived since the last call).
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }
}

/// When each part was last fetched, and for what.
#[derive(Default)]
struct Fetches {
    /// The sides read, and the dialog they were read for (a dialog reads them afresh).
    alb: Option<((Sides, Option<ServiceKey>), Instant)>,
    history: Option<(ServiceKey, Instant)>,
    alarm: Option<(String, Instant)>,
    /// Fetched task definitions (None), or when one failed.
    taskdefs: HashMap<TaskDefRef, Option<Instant>>,
}

/// Due when it is for something else than last time, or `every` has passed.
fn due_every<K: PartialEq>(last: &Option<(K, Instant)>, now: &K, every: Duration) -> bool {
    last.as_ref()
        .is_none_or(|(k, at)| k != now || at.elapsed() >= every)
}

fn due<K: PartialEq>(last: &Option<(K, Instant)>, now: &K) -> bool {
    due_every(last, now, EVERY)
}

fn next_due<K>(last: &Option<(K, Instant)>, every: Duration) -> Option<Instant> {
    last.as_ref().map(|(_, at)| *at + every)
}

pub async fn run(
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    mut want: watch::Receiver<Request>,
    listed: Listed,
) {
    let mut done = Fetches::default();
    loop {
        let r = want.borrow_and_update().clone();
        let round = with_priority(
            Priority::Visible,
            fetch_due(fleet.as_ref(), &r, &mut done, now_ms()),
        )
        .await;
        match round.history {
            Some((service, Ok(h))) => listed.put(service, h),
            Some((service, Err(e))) => {
                tracing::warn!(%service, error = %e, "deployment history not read");
            }
            None => {}
        }
        for f in round.fetched {
            if tx.send(Msg::Evidence(Box::new(f))).await.is_err() {
                return; // the loop has ended
            }
        }
        let wake = [
            r.sides.as_ref().and(next_due(&done.alb, ALB_EVERY)),
            r.history_of.as_ref().and(next_due(&done.history, EVERY)),
            r.alarm.as_ref().and(next_due(&done.alarm, EVERY)),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = sleep_until(wake) => {}
            changed = want.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// What one round of the worker brought back: what goes to the loop, and a native history,
/// which goes to the services poller.
#[derive(Debug, Default)]
pub struct Round {
    pub fetched: Vec<Fetched>,
    pub history: Option<(ServiceKey, ApiResult<Vec<PastDeployment>>)>,
}

/// Everything `r` asks for, fetched at `now` (the fleet's time): what one round of the worker
/// brings back when nothing was fetched before.
pub async fn fetch_once(fleet: &dyn Fleet, r: &Request, now: At) -> Round {
    fetch_due(fleet, r, &mut Fetches::default(), now).await
}

/// Fetches what is due of `r`; returns what came back.
async fn fetch_due(fleet: &dyn Fleet, r: &Request, done: &mut Fetches, now: At) -> Round {
    let mut out = Vec::new();
    let mut history = None;
    let alb_key = r.sides.clone().map(|s| (s, r.dialog.clone()));
    if let Some((sides, _)) = alb_key
        .as_ref()
        .filter(|k| due_every(&done.alb, *k, ALB_EVERY))
    {
        done.alb = alb_key.clone().map(|k| (k, Instant::now()));
        if let Some(f) = alb(fleet, sides, now).await {
            out.push(f);
        }
    }
    for td in &r.taskdefs {
        let tried = done.taskdefs.get(td);
        if tried.is_some_and(|t| t.is_none_or(|at| at.elapsed() < EVERY)) {
            continue;
        }
        let result = fleet.task_definition(td).await;
        if done.taskdefs.len() >= TASKDEFS_TRIED {
            done.taskdefs.clear();
        }
        done.taskdefs
            .insert(td.clone(), result.is_err().then(Instant::now));
        out.push(Fetched::TaskDef {
            td: td.clone(),
            result,
        });
    }
    if let Some(key) = r.history_of.as_ref().filter(|k| due(&done.history, *k)) {
        done.history = Some((key.clone(), Instant::now()));
        let result = fleet.deployment_history(key).await;
        history = Some((key.clone(), result));
    }
    if let Some((name, metric)) = r.alarm.as_ref().filter(|(n, _)| due(&done.alarm, n)) {
        done.alarm = Some((name.clone(), Instant::now()));
        out.push(alarm(fleet, name, metric.as_ref(), now).await);
    }
    Round {
        fetched: out,
        history,
    }
}

/// Both sides' figures in one call; None when a side has no target group of its own.
async fn alb(fleet: &dyn Fleet, sides: &Sides, now: At) -> Option<Fetched> {
    let figures = alb_pair(fleet, sides, now).await?;
    Some(Fetched::Alb(Box::new(AlbResult {
        sides: sides.clone(),
        figures,
        at: now,
    })))
}

/// The canary's and the primary's figures of the newest complete minutes at `now`, in one
/// call (or why not); None when a side has no target group of its own. `status` and `wait`
/// read them so too.
pub async fn alb_pair(
    fleet: &dyn Fleet,
    sides: &Sides,
    now: At,
) -> Option<ApiResult<(AlbFigures, AlbFigures)>> {
    if sides.no_alb.is_some() {
        return None;
    }
    let queries = [sides.canary.query(now)?, sides.primary.query(now)?];
    Some(match fleet.alb_figures(&queries).await {
        Ok(mut f) if f.len() == 2 => {
            let p = f.remove(1);
            Ok((f.remove(0), p))
        }
        Ok(f) => Err(ApiError::new(
            ErrorKind::Other,
            format!("expected 2 answers, got {}", f.len()),
        )),
        Err(e) => Err(e),
    })
}

async fn alarm(
    fleet: &dyn Fleet,
    name: &str,
    metric: Option<&crate::model::MetricSpec>,
    now: At,
) -> Fetched {
    let mut errors = Vec::new();
    let points = match metric {
        Some(m) => fleet
            .metric_points(m, now - SPARK_MS, now)
            .await
            .unwrap_or_else(|e| {
                errors.push(format!("metric: {e}"));
                Vec::new()
            }),
        None => Vec::new(),
    };
    let history = fleet
        .alarm_history(name, now - HISTORY_MS)
        .await
        .unwrap_or_else(|e| {
            errors.push(format!("history: {e}"));
            Vec::new()
        });
    Fetched::AlarmDetail {
        detail: AlarmDetail {
            name: name.to_string(),
            points,
            history,
        },
        errors,
        at: now,
    }
}
