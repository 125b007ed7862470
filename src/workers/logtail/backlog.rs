//! A follow's backlog: the last few minutes, or what `:since` / `:range` asked for, read page by
//! page from every group in turn, with progress on the pane and `Esc` to stop.

use crate::model::{ApiError, ErrorKind, LogQuery};
use crate::state::logs::{BacklogEnd, LogStart};
use crate::state::{Msg, Watch};
use crate::timing::now_ms;
use crate::workers::logtail::{Flow, RECENT_MS, Tail, label, progress};
use tokio::sync::watch;
use tokio::time::Instant;

impl Tail {
    pub(super) async fn backlog(&mut self, watch: &mut watch::Receiver<Watch>) -> Flow {
        let now = now_ms();
        let (from, to) = match self.follow.start {
            LogStart::Recent => (now - RECENT_MS, None),
            LogStart::Since(f) => (f, None),
            LogStart::Range(f, t) => (f, Some(t)),
        };
        self.cursor = from;
        self.window_from = from;
        let groups = self.who.sources.groups.clone();
        if groups.is_empty() {
            self.ingest(Vec::new()).await;
            let why = format!(
                "no awslogs log group with a stream prefix in {}'s task definitions",
                self.follow.target
            );
            self.fail(ApiError::new(ErrorKind::Other, why)).await;
        }
        let label = label(self.follow.start);
        let since = Instant::now();
        let (mut lines, mut pages) = (0u64, 0u64);
        let mut tokens: Vec<Option<Option<String>>> = vec![Some(None); groups.len()];
        while tokens.iter().any(Option::is_some) {
            for (g, slot) in groups.iter().zip(tokens.iter_mut()) {
                let Some(token) = slot.take() else { continue };
                let q = LogQuery {
                    group: g.clone(),
                    from,
                    to,
                    pattern: self.follow.pattern.clone(),
                };
                let page = match self.fleet.log_page(&q, token).await {
                    Ok(p) => p,
                    Err(e) => {
                        let end = Some(BacklogEnd::Failed(e.message.clone()));
                        self.report(&label, lines, pages, since, end).await;
                        self.fail(e).await;
                        return Flow::Go;
                    }
                };
                pages += 1;
                self.count_undecodable(&page.undecodable);
                lines += self.ingest(page.events).await as u64;
                *slot = page.next.map(Some);
                self.report(&label, lines, pages, since, None).await;
                if let Some(flow) = self.check(watch) {
                    return flow;
                }
                if self.follow.cancel_backlog {
                    let end = Some(BacklogEnd::Cancelled);
                    self.report(&label, lines, pages, since, end).await;
                    return Flow::Go;
                }
            }
        }
        self.report(&label, lines, pages, since, Some(BacklogEnd::Done))
            .await;
        self.publish().await;
        Flow::Go
    }

    /// Progress for a load the user asked for (the first few minutes go without).
    async fn report(
        &self,
        label: &Option<String>,
        lines: u64,
        pages: u64,
        since: Instant,
        end: Option<BacklogEnd>,
    ) {
        if let Some(l) = label {
            let b = progress(l, lines, pages, since, end);
            self.send(Msg::LogBacklog(self.follow.generation, b)).await;
        }
    }
}
