//! The console without a terminal: the real pollers feeding the real reducer, with one pane on
//! screen, for tests that watch what a pane shows while the backend misbehaves.

#![allow(dead_code)]

use crate::support::testkit::StateBuilder;
use deckwatch::cloud::Fleet;
use deckwatch::state::{Msg, Pane, State, Watch, update};
use deckwatch::workers::poller::{Handles, Intervals};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long a pane may take to show what a test waits for: a bound against hanging.
const PATIENCE: Duration = Duration::from_secs(120);

pub struct Headless {
    state: Arc<Mutex<State>>,
    /// Messages the pane has had, by kind: data, failures.
    polls: Arc<Mutex<Vec<&'static str>>>,
    _handles: Handles,
    task: tokio::task::JoinHandle<()>,
}

impl Headless {
    /// Starts the pollers with `pane` on screen.
    pub fn start(fleet: Arc<dyn Fleet>, pane: Pane, iv: Intervals) -> Self {
        let mut s = StateBuilder::demo(deckwatch::timing::now_ms()).build();
        s.ctx.pane = pane;
        let (tx, mut rx) = mpsc::channel::<Msg>(256);
        let watch = Watch {
            pane,
            service: None,
            partner: None,
            fast: false,
            acting: false,
            sort: None,
            logs: None,
        };
        // Every worker of a context, as the loop starts them; no audit log, no team group.
        let audit = Arc::new(deckwatch::workers::audit::Audit::new(None));
        let handles = deckwatch::app::context_workers::start(&fleet, &audit, &tx, watch, 0, iv);
        let state = Arc::new(Mutex::new(s));
        let polls = Arc::new(Mutex::new(Vec::new()));
        let (st, pl) = (state.clone(), polls.clone());
        let task = tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                let kind = match &m {
                    Msg::Failed(p, ..) if *p == pane => Some("failed"),
                    Msg::Services(..) if pane == Pane::Services => Some("data"),
                    Msg::Alarms(..) if pane == Pane::Alarms => Some("data"),
                    Msg::Tasks(..) if pane == Pane::Tasks => Some("data"),
                    _ => None,
                };
                if let Some(k) = kind {
                    pl.lock().unwrap().push(k);
                }
                let _ = update(&mut st.lock().unwrap(), m);
            }
        });
        Self {
            state,
            polls,
            _handles: handles,
            task,
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.lock().unwrap())
    }

    /// Waits until `ok` holds of the state.
    pub async fn wait_until(&self, what: &str, ok: impl Fn(&State) -> bool) {
        let start = Instant::now();
        loop {
            if self.with(&ok) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "gave up waiting for {what}; the pane's error: {:?}",
                self.with(|s| s.current().error().cloned())
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The messages the pane has had so far, oldest first: "data" or "failed".
    pub fn polls(&self) -> Vec<&'static str> {
        self.polls.lock().unwrap().clone()
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        self.task.abort();
    }
}
