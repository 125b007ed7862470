//! One port forward, kept alive: its local port is opened once, and sessions come and go
//! under it. It finds a running task of the service whose container's exec agent runs, starts
//! `ssm:StartSession` with the port-forwarding document (with a reason, audited), carries
//! connections through it, and moves to another task when its task stops or drains, or when
//! the session breaks for good (a network blip alone is resumed by the data channel).

use super::api::FleetApi;
use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::exec::channel::Setup;
use crate::exec::forward::{self as fwd, Counters, ForwardEnd};
use crate::exec::message_id::MessageId;
use crate::model::{AgentStatus, ExecTarget, Op, SessionGrant, Task, TaskStatus};
use crate::state::exec::{ForwardRow, ForwardSpec, ForwardState};
use crate::workers::audit::Audit;
use crate::workers::exec::error::NoTarget;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct Status {
    state: ForwardState,
    task: String,
    detail: String,
}

/// A forward as the worker and the reporter share it.
pub struct Entry {
    pub spec: ForwardSpec,
    pub counters: Arc<Counters>,
    status: Mutex<Status>,
}

impl Entry {
    pub fn new(spec: ForwardSpec) -> Self {
        Self {
            spec,
            counters: Arc::default(),
            status: Mutex::new(Status {
                state: ForwardState::Starting,
                task: String::new(),
                detail: String::new(),
            }),
        }
    }

    fn set(&self, state: ForwardState, task: Option<&str>, detail: impl Into<String>) {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        s.state = state;
        if let Some(t) = task {
            s.task = t.to_string();
        }
        s.detail = crate::model::text::clean(&detail.into());
    }

    pub fn state(&self) -> ForwardState {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).state
    }

    pub fn row(&self) -> ForwardRow {
        let s = self
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let c = &self.counters;
        ForwardRow {
            name: self.spec.name.clone(),
            service: self.spec.service.to_string(),
            state: s.state,
            task: s.task,
            local_port: self.spec.local_port,
            remote: self.spec.remote.to_string(),
            open: c.open.load(Ordering::Relaxed),
            total: c.total.load(Ordering::Relaxed),
            bytes_in: c.bytes_in.load(Ordering::Relaxed),
            bytes_out: c.bytes_out.load(Ordering::Relaxed),
            detail: s.detail,
        }
    }
}

/// Runs a forward until `stop` turns true. `poll` is how often its task is checked.
pub async fn run(
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    entry: Arc<Entry>,
    mut stop: watch::Receiver<bool>,
    poll: Duration,
) {
    let port = entry.spec.local_port;
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            let why = format!("localhost:{port} cannot be opened ({e}): choose another local port");
            return entry.set(ForwardState::Failed, None, why);
        }
    };
    let mut backoff = FIRST_BACKOFF;
    while !*stop.borrow() {
        match once(&fleet, &audit, &entry, &listener, &mut stop, poll).await {
            Step::Stopped => break,
            Step::Retarget(why) => {
                entry.set(ForwardState::Retargeting, Some(""), why);
                backoff = FIRST_BACKOFF;
            }
            Step::Failed(why) => {
                entry.set(ForwardState::Failed, Some(""), why);
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    entry.set(ForwardState::Stopped, Some(""), "stopped from the console");
    let what = json!({"action": "port-forward", "name": entry.spec.name, "outcome": "stopped"});
    let _ = audit.record_session("end", &entry.spec.ctx, what);
}

enum Step {
    Stopped,
    /// The task went or the session ended: try again at once.
    Retarget(String),
    /// Something to wait out before trying again.
    Failed(String),
}

/// One session under the forward: find a task, start the session, serve until it ends.
async fn once(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    entry: &Arc<Entry>,
    listener: &TcpListener,
    stop: &mut watch::Receiver<bool>,
    poll: Duration,
) -> Step {
    let target = match find_target(fleet, &entry.spec).await {
        Ok(t) => t,
        Err(why) => return Step::Failed(why.to_string()),
    };
    let grant = match start(fleet, audit, &entry.spec, &target).await {
        Ok(g) => g,
        Err(step) => return step,
    };
    entry.set(ForwardState::Active, Some(&target.task_id), "");
    let setup = Setup {
        session_id: grant.session_id.clone(),
        stream_url: grant.stream_url.clone(),
        token: grant.token.clone(),
        target: target.ssm_target(),
        policy: fleet.session_place().policy,
        client_id: MessageId::random().to_string(),
    };
    let (session_stop, session_stopped) = watch::channel(false);
    let api = Arc::new(FleetApi(fleet.clone()));
    let serving = fwd::serve(
        listener,
        setup,
        api,
        entry.counters.clone(),
        session_stopped,
    );
    tokio::pin!(serving);
    let step = tokio::select! {
        end = &mut serving => return ended(end),
        why = task_gone(fleet, &target, poll) => Step::Retarget(why),
        _ = stop.changed() => Step::Stopped,
    };
    let _ = session_stop.send(true);
    let _ = serving.await;
    step
}

/// `ssm:StartSession` on `target`, with a reason, audited before and after.
async fn start(
    fleet: &Arc<dyn Fleet>,
    audit: &Audit,
    spec: &ForwardSpec,
    target: &ExecTarget,
) -> Result<SessionGrant, Step> {
    let reason = format!("deckwatch :pf {} by {}", spec.name, audit.user_label());
    let what = |sid: &str, outcome: serde_json::Value| {
        json!({
            "action": "port-forward", "call": Op::SsmStartSession.name(), "name": spec.name,
            "cluster": target.cluster, "service": target.service, "task": target.task_arn,
            "container": target.container, "remote": spec.remote.to_string(),
            "local_port": spec.local_port, "reason": reason, "session_id": sid, "outcome": outcome,
        })
    };
    if let Err(e) = audit.record_session("before", &spec.ctx, what("", json!(null))) {
        let why = format!("the audit log could not be written ({e}); no session was started");
        return Err(Step::Failed(why));
    }
    let started = fleet.start_port_session(target, &spec.remote, spec.local_port, &reason);
    match with_priority(Priority::Action, started).await {
        Ok(g) => {
            let _ = audit.record_session(
                "after",
                &spec.ctx,
                what(&g.session_id, json!("session started")),
            );
            Ok(g)
        }
        Err(e) => {
            let _ = audit.record_session(
                "refused",
                &spec.ctx,
                what("", json!({"error": e.to_string()})),
            );
            let fix =
                super::hints::fix_for_cloud(&e, target).map_or(String::new(), |f| format!("; {f}"));
            Err(Step::Failed(format!("{e}{fix}")))
        }
    }
}

fn ended(end: ForwardEnd) -> Step {
    match end {
        ForwardEnd::Stopped => Step::Stopped,
        ForwardEnd::Session(e) => {
            Step::Retarget(format!("the session ended ({e:?}): starting another"))
        }
        ForwardEnd::NotReady(why) => Step::Failed(why),
    }
}

/// A running task of the service whose container (the named one, else the first) runs the
/// exec agent.
async fn find_target(fleet: &Arc<dyn Fleet>, spec: &ForwardSpec) -> Result<ExecTarget, NoTarget> {
    let tasks = with_priority(Priority::Action, fleet.tasks(Some(&spec.service))).await?;
    tasks
        .iter()
        .filter(|t| usable(t))
        .find_map(|t| {
            let c = t.containers.iter().find(|c| {
                spec.container.as_deref().is_none_or(|n| n == c.name)
                    && c.exec_agent == Some(AgentStatus::Running)
                    && !c.runtime_id.is_empty()
            })?;
            ExecTarget::of(t, &c.name)
        })
        .ok_or_else(|| NoTarget::NoTask {
            service: spec.service.clone(),
            container: spec.container.clone(),
        })
}

fn usable(t: &Task) -> bool {
    t.last_status == TaskStatus::Running
        && t.desired_status == TaskStatus::Running
        && t.exec_enabled
}

/// Returns once the forward's task stopped, started draining, or is gone.
async fn task_gone(fleet: &Arc<dyn Fleet>, target: &ExecTarget, poll: Duration) -> String {
    let key = crate::model::ServiceKey {
        cluster: target.cluster.clone(),
        name: target.service.clone(),
    };
    loop {
        tokio::time::sleep(poll).await;
        let Ok(tasks) = with_priority(Priority::Background, fleet.tasks(Some(&key))).await else {
            continue; // a failed read says nothing about the task
        };
        let short: String = target.task_id.chars().take(8).collect();
        match tasks.iter().find(|t| t.id == target.task_id) {
            None => return format!("task {short} is gone: moving to another task"),
            Some(t) if !usable(t) => {
                return format!(
                    "task {short} is {} (desired {}): moving to another task",
                    t.last_status, t.desired_status
                );
            }
            Some(_) => {}
        }
    }
}
