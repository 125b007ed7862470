//! The exec worker: opens interactive sessions and runs port forwards for the loop, each on
//! a task of its own, and carries keys and sizes to them. Sessions end when the console
//! quits (`shutdown`): each is told to terminate and closes its WebSocket.

mod api;
pub mod clean;
mod error;
mod forward;
mod hints;
mod plugin;
mod shell;

use crate::cloud::Fleet;
use crate::exec::channel::ToAgent;
use crate::exec::payloads::Size;
use crate::model::{ApiError, ErrorKind};
use crate::state::Msg;
use crate::state::exec::{ExecMsg, ForwardSpec, ForwardState, OpenSession};
use crate::workers::audit::Audit;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Keys and sizes queued for a session before it waits on the loop.
const INPUT_QUEUE: usize = 1024;
/// Forwards listed at most: the oldest stopped ones go first.
const FORWARDS_KEPT: usize = 32;
/// How often a forward checks that its task still runs.
pub const TASK_POLL: Duration = Duration::from_secs(5);

struct Running {
    input: mpsc::Sender<ToAgent>,
    task: JoinHandle<()>,
}

struct Forwarding {
    entry: Arc<forward::Entry>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

pub struct ExecWorker {
    tx: mpsc::Sender<Msg>,
    audit: Arc<Audit>,
    sessions: HashMap<u64, Running>,
    forwards: Arc<Mutex<Vec<Forwarding>>>,
    reporter: Option<JoinHandle<()>>,
    pub task_poll: Duration,
}

impl ExecWorker {
    pub fn new(tx: mpsc::Sender<Msg>, audit: Arc<Audit>) -> Self {
        Self {
            tx,
            audit,
            sessions: HashMap::new(),
            forwards: Arc::default(),
            reporter: None,
            task_poll: TASK_POLL,
        }
    }

    /// Opens a session on `fleet` (the context's backend).
    pub fn open(&mut self, fleet: Arc<dyn Fleet>, open: OpenSession) {
        self.sessions.retain(|_, s| !s.task.is_finished());
        let (input, rx) = mpsc::channel(INPUT_QUEUE);
        // The first thing the agent hears is the screen's size (queued until it is ready).
        let (cols, rows) = open.size;
        let _ = input.try_send(ToAgent::Size(Size {
            cols: cols.into(),
            rows: rows.into(),
        }));
        let id = open.id;
        let task = tokio::spawn(shell::run(
            fleet,
            self.audit.clone(),
            open,
            rx,
            self.tx.clone(),
        ));
        self.sessions.insert(id, Running { input, task });
    }

    pub fn input(&self, id: u64, bytes: Vec<u8>) {
        self.send(id, ToAgent::Data(bytes));
    }

    pub fn resize(&self, id: u64, cols: u16, rows: u16) {
        self.send(
            id,
            ToAgent::Size(Size {
                cols: cols.into(),
                rows: rows.into(),
            }),
        );
    }

    fn send(&self, id: u64, what: ToAgent) {
        if let Some(s) = self.sessions.get(&id)
            && s.input.try_send(what).is_err()
        {
            tracing::warn!(id, "session input full or closed: a key was dropped");
        }
    }

    /// Ends a session: dropping its input tells the channel to terminate and close.
    pub fn close(&mut self, id: u64) {
        self.sessions.remove(&id);
    }

    pub fn forward(&mut self, fleet: Arc<dyn Fleet>, spec: ForwardSpec) {
        let entry = Arc::new(forward::Entry::new(spec));
        let (stop, stopped) = watch::channel(false);
        let run = forward::run(
            fleet,
            self.audit.clone(),
            entry.clone(),
            stopped,
            self.task_poll,
        );
        let task = tokio::spawn(run);
        {
            let mut all = self.forwards.lock().unwrap_or_else(|e| e.into_inner());
            all.retain(|f| f.entry.spec.name != entry.spec.name);
            if all.len() >= FORWARDS_KEPT
                && let Some(i) = all
                    .iter()
                    .position(|f| f.entry.state() == ForwardState::Stopped)
            {
                all.remove(i);
            }
            all.push(Forwarding { entry, stop, task });
        }
        self.report();
    }

    pub fn stop_forward(&self, name: &str) {
        let all = self.forwards.lock().unwrap_or_else(|e| e.into_inner());
        for f in all.iter().filter(|f| f.entry.spec.name == name) {
            let _ = f.stop.send(true);
        }
    }

    /// Sends the forwards' rows once a second while there are any.
    fn report(&mut self) {
        if self.reporter.as_ref().is_some_and(|r| !r.is_finished()) {
            return;
        }
        let (forwards, tx) = (self.forwards.clone(), self.tx.clone());
        self.reporter = Some(tokio::spawn(async move {
            let mut last = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let rows: Vec<_> = {
                    let all = forwards.lock().unwrap_or_else(|e| e.into_inner());
                    all.iter().map(|f| f.entry.row()).collect()
                };
                if rows != last {
                    last = rows.clone();
                    if tx.send(Msg::Exec(ExecMsg::Forwards(rows))).await.is_err() {
                        return;
                    }
                }
            }
        }));
    }

    /// The console is quitting: every session is told to end, every forward stops, and each
    /// gets up to `grace` to close its WebSocket.
    pub async fn shutdown(&mut self, grace: Duration) {
        let mut tasks: Vec<JoinHandle<()>> = self.sessions.drain().map(|(_, s)| s.task).collect();
        let forwards: Vec<Forwarding> = {
            let mut all = self.forwards.lock().unwrap_or_else(|e| e.into_inner());
            all.drain(..).collect()
        };
        for f in forwards {
            let _ = f.stop.send(true);
            tasks.push(f.task);
        }
        if let Some(r) = self.reporter.take() {
            r.abort();
        }
        let all = futures::future::join_all(tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("sessions still closing when the console quit");
        }
    }
}

impl ExecWorker {
    /// Carries out one of the reducer's exec effects. The ones about the terminal itself
    /// (hand over, take back, write) go to `screen` for the loop, which owns the terminal.
    pub fn apply(
        &mut self,
        fleet: Option<Arc<dyn Fleet>>,
        effect: crate::state::exec::ExecEffect,
        screen: &mut Vec<crate::state::exec::ExecEffect>,
    ) {
        use crate::state::exec::ExecEffect as E;
        match effect {
            E::Input(id, bytes) => self.input(id, bytes),
            E::Resize(id, cols, rows) => self.resize(id, cols, rows),
            E::Close(id) => self.close(id),
            E::StopForward(name) => self.stop_forward(&name),
            e @ (E::HandOver(_) | E::TakeBack | E::Write(_)) => screen.push(e),
            other => match fleet {
                Some(fleet) => self.with_fleet(fleet, other),
                None => self.no_context(other),
            },
        }
    }

    fn with_fleet(&mut self, fleet: Arc<dyn Fleet>, effect: crate::state::exec::ExecEffect) {
        use crate::state::exec::ExecEffect as E;
        let tx = self.tx.clone();
        match effect {
            E::Open(open) => self.open(fleet, *open),
            E::Forward(spec) => self.forward(fleet, *spec),
            E::LoadTasks(key) => {
                tokio::spawn(async move {
                    let r = fleet.tasks(Some(&key)).await;
                    let _ = tx.send(Msg::Exec(ExecMsg::Tasks(key, r))).await;
                });
            }
            E::Inspect(generation, cluster) => {
                tokio::spawn(async move {
                    let r = fleet.cluster_exec(&cluster).await;
                    let _ = tx
                        .send(Msg::Exec(ExecMsg::Cluster(generation, cluster, r)))
                        .await;
                });
            }
            _ => {}
        }
    }

    /// While a context switch builds its backend there is nothing to call.
    fn no_context(&self, effect: crate::state::exec::ExecEffect) {
        use crate::state::exec::ExecEffect as E;
        let why = "no context (a switch is under way): try again in a moment";
        let no_context = || ApiError::new(ErrorKind::Other, why);
        let msg = match effect {
            E::Open(o) => ExecMsg::Failed {
                id: o.id,
                message: why.to_string(),
                fix: None,
            },
            E::LoadTasks(k) => ExecMsg::Tasks(k, Err(no_context())),
            E::Inspect(g, c) => ExecMsg::Cluster(g, c, Err(no_context())),
            _ => return,
        };
        let tx = self.tx.clone();
        tokio::spawn(async move { tx.send(Msg::Exec(msg)).await });
    }
}
