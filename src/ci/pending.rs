//! GitHub's client while its token is still being read. The token command runs once the screen
//! is open (the CI worker asks first), so a command that hangs never leaves a blank terminal:
//! the builds pane says the token is being read, and every call waits for the client (at most
//! the command's timeout), then goes to it, or to `NoCi`, which says why there is none.

use super::{Ci, Dispatched, NoCi};
use crate::model::{ApiResult, GitHubCall, Listing};
use crate::model::{At, Job, RateInfo, Run, Workflow, WorkflowInput};
use async_trait::async_trait;
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::future::Future;
use std::sync::Arc;

/// The client, and why it is `NoCi` when it is.
pub type Made = (Arc<dyn Ci>, Option<String>);

/// What the builds pane says until the token is read.
pub const READING: &str = "reading the GitHub token (GH_TOKEN, GITHUB_TOKEN or the token \
     command)…";

pub struct PendingCi {
    made: Shared<BoxFuture<'static, Made>>,
}

impl PendingCi {
    /// `make` runs when the first call waits for it (and once only, whoever stops waiting).
    pub fn new(make: impl Future<Output = Made> + Send + 'static) -> Self {
        Self {
            made: make.boxed().shared(),
        }
    }

    async fn ci(&self) -> Arc<dyn Ci> {
        self.made.clone().await.0
    }

    /// The client, if it is made already.
    fn now(&self) -> Option<Arc<dyn Ci>> {
        self.made.peek().map(|m| m.0.clone())
    }
}

/// A client that is never made: for a console whose GitHub side could not even start.
pub fn unavailable(why: String) -> Made {
    (Arc::new(NoCi { why: why.clone() }), Some(why))
}

#[async_trait]
impl Ci for PendingCi {
    async fn runs(&self, w: &Workflow) -> ApiResult<Vec<Run>> {
        self.ci().await.runs(w).await
    }
    async fn runs_listing(&self, w: &Workflow) -> ApiResult<Listing<Run>> {
        self.ci().await.runs_listing(w).await
    }
    async fn run(&self, w: &Workflow, id: u64) -> ApiResult<Run> {
        self.ci().await.run(w, id).await
    }
    async fn jobs(&self, repo: &str, run_id: u64) -> ApiResult<Vec<Job>> {
        self.ci().await.jobs(repo, run_id).await
    }
    async fn log_tail(&self, repo: &str, job_id: u64, lines: usize) -> ApiResult<Vec<String>> {
        self.ci().await.log_tail(repo, job_id, lines).await
    }
    async fn inputs(&self, w: &Workflow, git_ref: &str) -> ApiResult<Vec<WorkflowInput>> {
        self.ci().await.inputs(w, git_ref).await
    }
    async fn login(&self) -> ApiResult<String> {
        self.ci().await.login().await
    }
    async fn act(&self, m: &GitHubCall, now: At) -> ApiResult<Option<Dispatched>> {
        self.ci().await.act(m, now).await
    }
    async fn ready(&self) -> Option<String> {
        self.made.clone().await.1
    }
    fn rate(&self) -> Option<RateInfo> {
        self.now().and_then(|c| c.rate())
    }
    fn waiting_until(&self) -> Option<At> {
        self.now().and_then(|c| c.waiting_until())
    }
}
