//! The loop's side of jobs whose context is off screen: the backend each job at work ran on
//! (kept while the reducer says the job is at work), and a small poll of the job's service
//! (`workers::job_watch`) for each watch the reducer says is off screen, stopped when the
//! watch ends or its context is back on screen (its own pollers feed it there).

use crate::cloud::Fleet;
use crate::state::Msg;
use crate::state::jobs::{JobId, JobWatches, OffScreenWatch};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

pub struct JobWatchers {
    /// The backend each job at work ran on.
    backends: Vec<(JobId, Arc<dyn Fleet>)>,
    /// The polls running, one per off-screen watch.
    polls: Vec<(OffScreenWatch, AbortHandle)>,
    /// The watch's cadence: the services poll's while something moves.
    every: Duration,
    tx: mpsc::Sender<Msg>,
}

impl Drop for JobWatchers {
    fn drop(&mut self) {
        for (_, poll) in &self.polls {
            poll.abort();
        }
    }
}

impl JobWatchers {
    /// Polls send on `tx` (the loop's channel that outlives a switch) every `every`.
    pub fn new(every: Duration, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            backends: Vec::new(),
            polls: Vec::new(),
            every,
            tx,
        }
    }

    /// Job `job` runs on `fleet`: kept until the reducer no longer counts it at work.
    pub fn ran(&mut self, job: JobId, fleet: Arc<dyn Fleet>) {
        self.backends.push((job, fleet));
    }

    /// The reducer's word: backends of jobs no longer at work go; polls start for new
    /// off-screen watches and stop for those that ended or came back on screen.
    pub fn apply(&mut self, w: JobWatches) {
        self.backends.retain(|(job, _)| w.at_work.contains(job));
        self.polls.retain(|(watch, poll)| {
            let keep = w.off_screen.contains(watch);
            if !keep {
                poll.abort();
            }
            keep
        });
        for watch in w.off_screen {
            if self.polls.iter().any(|(p, _)| *p == watch) {
                continue;
            }
            let Some((_, fleet)) = self.backends.iter().find(|(j, _)| *j == watch.job) else {
                // Not run by this loop (a test's state): nothing to read it with.
                continue;
            };
            let run = crate::workers::job_watch::run(
                fleet.clone(),
                watch.clone(),
                self.every,
                self.tx.clone(),
            );
            self.polls.push((watch, tokio::spawn(run).abort_handle()));
        }
    }

    /// The watches being read now.
    pub fn polled(&self) -> impl Iterator<Item = &OffScreenWatch> {
        self.polls.iter().map(|(w, _)| w)
    }
}
