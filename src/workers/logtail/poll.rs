//! Following by polling FilterLogEvents, until Live Tail may be tried again.

use crate::model::Ms;
use crate::state::Watch;
use crate::state::logs::TailMode;
use crate::workers::logtail::{Flow, Tail};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

/// The longest wait between polls after failures.
const MAX_WAIT: Duration = Duration::from_secs(60);

impl Tail {
    pub(super) async fn poll_until_live(
        &mut self,
        watch: &mut watch::Receiver<Watch>,
        refresh: &mut watch::Receiver<u64>,
    ) -> Flow {
        self.status.mode = TailMode::Polling {
            every: Ms::from_std(self.cfg.poll),
            why: self.why_polling.clone(),
        };
        self.publish().await;
        let mut wait = self.cfg.poll;
        loop {
            self.sources_if_due().await;
            match self.poll_once().await {
                Ok(()) => wait = self.cfg.poll,
                Err(e) => {
                    wait = (wait * 2).min(MAX_WAIT);
                    self.fail(e).await;
                }
            }
            tokio::select! {
                _ = sleep_until(Instant::now() + wait) => {},
                r = refresh.changed() => {
                    if r.is_err() {
                        return Flow::Ended;
                    }
                    self.sources_at = None;
                },
                r = watch.changed() => {
                    if r.is_err() {
                        return Flow::Ended;
                    }
                    if let Some(flow) = self.check(watch) {
                        return flow;
                    }
                },
            }
            if self.cfg.live && Instant::now() >= self.live_at {
                return Flow::Go;
            }
        }
    }
}
