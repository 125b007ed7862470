//! Fetches the evidence the screen shows, and only while it shows it: the canary's and the
//! primary's load-balancer figures (while a rollout view or a promote or abort dialog is
//! open), the task definitions a diff compares, a native service's deployment history, and the
//! open alarm's metric and state history. CloudWatch's points are a minute apart, so nothing is
//! fetched again within `EVERY`; task definitions never change and are fetched once.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::evidence::Sides;
use crate::model::{
    AlarmDetail, ApiError, ErrorKind, Millis, PastDeployment, ServiceKey, TaskDefRef, history,
};
use crate::state::Msg;
use crate::state::rollout::evidence::{AlbResult, Fetched, Request};
use crate::timing::now_ms;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

/// How often shown figures are fetched again.
pub const EVERY: Duration = Duration::from_secs(60);
/// An alarm detail's sparkline and state history reach back this far.
pub const SPARK_MS: Millis = 3 * 3_600_000;
pub const HISTORY_MS: Millis = 24 * 3_600_000;
/// Task definitions remembered as fetched (or failed), at most.
const TASKDEFS_TRIED: usize = 256;

/// Native histories shared with the services poller, which keeps them with the services.
#[derive(Clone, Default)]
pub struct Listed(Arc<Mutex<history::Listed>>);

/// Services whose native history is kept, at most: the ones whose rollout view was opened.
const LISTED_KEPT: usize = 256;

impl Listed {
    pub fn get(&self) -> history::Listed {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn put(&self, key: ServiceKey, listed: Vec<PastDeployment>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= LISTED_KEPT && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(key, listed);
    }
}

/// When each part was last fetched, and for what.
#[derive(Default)]
struct Fetches {
    alb: Option<(Sides, Instant)>,
    history: Option<(ServiceKey, Instant)>,
    alarm: Option<(String, Instant)>,
    /// Fetched task definitions (None), or when one failed.
    taskdefs: HashMap<TaskDefRef, Option<Instant>>,
}

/// Due when it is for something else than last time, or `EVERY` has passed.
fn due<K: PartialEq>(last: &Option<(K, Instant)>, now: &K) -> bool {
    last.as_ref()
        .is_none_or(|(k, at)| k != now || at.elapsed() >= EVERY)
}

fn next_due<K>(last: &Option<(K, Instant)>) -> Option<Instant> {
    last.as_ref().map(|(_, at)| *at + EVERY)
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
        let fetched = with_priority(
            Priority::Visible,
            fetch_due(fleet.as_ref(), &r, &mut done, now_ms()),
        )
        .await;
        for f in fetched {
            if let Fetched::History {
                service,
                result: Ok(l),
            } = &f
            {
                listed.put(service.clone(), l.clone());
            }
            if tx.send(Msg::Evidence(Box::new(f))).await.is_err() {
                return; // the loop has ended
            }
        }
        let wake = [
            r.sides.as_ref().and(next_due(&done.alb)),
            r.history_of.as_ref().and(next_due(&done.history)),
            r.alarm.as_ref().and(next_due(&done.alarm)),
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

/// Everything `r` asks for, fetched at `now` (the fleet's time): what one round of the worker
/// brings back when nothing was fetched before.
pub async fn fetch_once(fleet: &dyn Fleet, r: &Request, now: Millis) -> Vec<Fetched> {
    fetch_due(fleet, r, &mut Fetches::default(), now).await
}

/// Fetches what is due of `r`; returns what came back.
async fn fetch_due(
    fleet: &dyn Fleet,
    r: &Request,
    done: &mut Fetches,
    now: Millis,
) -> Vec<Fetched> {
    let mut out = Vec::new();
    if let Some(sides) = r.sides.as_ref().filter(|s| due(&done.alb, *s)) {
        done.alb = Some((sides.clone(), Instant::now()));
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
        out.push(Fetched::History {
            service: key.clone(),
            result,
        });
    }
    if let Some((name, metric)) = r.alarm.as_ref().filter(|(n, _)| due(&done.alarm, n)) {
        done.alarm = Some((name.clone(), Instant::now()));
        out.push(alarm(fleet, name, metric.as_ref(), now).await);
    }
    out
}

/// Both sides' figures in one call; None when a side has no target group of its own.
async fn alb(fleet: &dyn Fleet, sides: &Sides, now: Millis) -> Option<Fetched> {
    if sides.no_alb.is_some() {
        return None;
    }
    let queries = [sides.canary.query(now)?, sides.primary.query(now)?];
    let figures = match fleet.alb_figures(&queries).await {
        Ok(mut f) if f.len() == 2 => {
            let p = f.remove(1);
            Ok((f.remove(0), p))
        }
        Ok(f) => Err(ApiError::new(
            ErrorKind::Other,
            format!("expected 2 answers, got {}", f.len()),
        )),
        Err(e) => Err(e),
    };
    Some(Fetched::Alb(Box::new(AlbResult {
        sides: sides.clone(),
        figures,
        at: now,
    })))
}

async fn alarm(
    fleet: &dyn Fleet,
    name: &str,
    metric: Option<&crate::model::MetricSpec>,
    now: Millis,
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
