//! The CI side: GitHub Actions behind the `Ci` trait, as AWS is behind `Fleet`. `github` is the
//! real client (the demo's is `demo::ci`); `ReadOnlyCi` wraps either and refuses every POST, and `NoCi`
//! stands in when there is no token, saying how to set one.

pub mod github;
pub mod pending;

use crate::model::commits::{Compare, CompareQuery};
use crate::model::{ApiError, ApiResult, ErrorKind, GitHubCall, Listing};
use crate::model::{At, Job, RateInfo, RawDoc, Run, RunRef, Workflow, WorkflowInput};
use async_trait::async_trait;
use std::sync::Arc;

/// What a dispatch answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatched {
    /// The run a dispatch started (None when the server answered 204 and no run created since
    /// the dispatch could be found), or the deployment a CreateDeployment created.
    pub run_id: Option<u64>,
    pub html_url: Option<String>,
}

#[async_trait]
pub trait Ci: Send + Sync + 'static {
    /// The newest runs of a workflow, newest first.
    async fn runs(&self, workflow: &Workflow) -> ApiResult<Vec<Run>>;
    /// The same, but a run that cannot be read leaves out only itself: the rest come with what
    /// was left out.
    async fn runs_listing(&self, workflow: &Workflow) -> ApiResult<Listing<Run>> {
        self.runs(workflow).await.map(Listing::whole)
    }
    /// One run, as it is now.
    async fn run(&self, workflow: &Workflow, id: u64) -> ApiResult<Run>;
    /// A run's jobs (of its latest attempt) with their steps.
    async fn jobs(&self, repo: &str, run_id: u64) -> ApiResult<Vec<Job>>;
    /// The last `lines` lines of a job's log.
    async fn log_tail(&self, repo: &str, job_id: u64, lines: usize) -> ApiResult<Vec<String>>;
    /// The `workflow_dispatch` inputs of the workflow file at `git_ref`.
    async fn inputs(&self, workflow: &Workflow, git_ref: &str) -> ApiResult<Vec<WorkflowInput>>;
    /// The login of the token's user, for the audit record.
    async fn login(&self) -> ApiResult<String>;
    /// The commits between two commits of a repository (GitHub's compare).
    async fn compare(&self, q: &CompareQuery) -> ApiResult<Compare> {
        let _ = q;
        Err(ApiError::new(
            ErrorKind::Other,
            "compare: not available from this CI",
        ))
    }
    /// Makes one mutating call (dispatch, cancel, rerun). Only the action runner calls this.
    async fn act(&self, call: &GitHubCall, now: At) -> ApiResult<Option<Dispatched>>;
    /// `:describe`: the run as GitHub returned it.
    async fn run_raw(&self, run: &RunRef) -> ApiResult<RawDoc> {
        Err(ApiError::new(
            ErrorKind::Other,
            format!(
                "run {} of {}: not available from this backend",
                run.id, run.repo
            ),
        ))
    }
    /// The last rate-limit headers seen.
    fn rate(&self) -> Option<RateInfo> {
        None
    }
    /// When the client stopped calling until, after a rate limit; None when it calls.
    fn waiting_until(&self) -> Option<At> {
        None
    }
    fn read_only(&self) -> bool {
        false
    }
    /// Waits until the client can be used (a token being read); says why it cannot, if so.
    async fn ready(&self) -> Option<String> {
        None
    }
}

/// No token: every call says how to set one, and the rest of the console works as before.
pub struct NoCi {
    pub why: String,
}

impl NoCi {
    fn err<T>(&self) -> ApiResult<T> {
        Err(ApiError::new(ErrorKind::Credentials, self.why.clone()))
    }
}

#[async_trait]
impl Ci for NoCi {
    async fn runs(&self, _: &Workflow) -> ApiResult<Vec<Run>> {
        self.err()
    }
    async fn run(&self, _: &Workflow, _: u64) -> ApiResult<Run> {
        self.err()
    }
    async fn jobs(&self, _: &str, _: u64) -> ApiResult<Vec<Job>> {
        self.err()
    }
    async fn log_tail(&self, _: &str, _: u64, _: usize) -> ApiResult<Vec<String>> {
        self.err()
    }
    async fn inputs(&self, _: &Workflow, _: &str) -> ApiResult<Vec<WorkflowInput>> {
        self.err()
    }
    async fn login(&self) -> ApiResult<String> {
        self.err()
    }
    async fn compare(&self, _: &CompareQuery) -> ApiResult<Compare> {
        self.err()
    }
    async fn act(&self, _: &GitHubCall, _: At) -> ApiResult<Option<Dispatched>> {
        self.err()
    }
    async fn ready(&self) -> Option<String> {
        Some(self.why.clone())
    }
    async fn run_raw(&self, _: &RunRef) -> ApiResult<RawDoc> {
        self.err()
    }
}

/// Refuses every mutating call: `--read-only` wraps the CI in this, so no POST can leave the
/// process whatever the layers above do.
pub struct ReadOnlyCi(pub Arc<dyn Ci>);

#[async_trait]
impl Ci for ReadOnlyCi {
    async fn runs(&self, w: &Workflow) -> ApiResult<Vec<Run>> {
        self.0.runs(w).await
    }
    async fn runs_listing(&self, w: &Workflow) -> ApiResult<Listing<Run>> {
        self.0.runs_listing(w).await
    }
    async fn run(&self, w: &Workflow, id: u64) -> ApiResult<Run> {
        self.0.run(w, id).await
    }
    async fn jobs(&self, repo: &str, run_id: u64) -> ApiResult<Vec<Job>> {
        self.0.jobs(repo, run_id).await
    }
    async fn log_tail(&self, repo: &str, job_id: u64, lines: usize) -> ApiResult<Vec<String>> {
        self.0.log_tail(repo, job_id, lines).await
    }
    async fn inputs(&self, w: &Workflow, git_ref: &str) -> ApiResult<Vec<WorkflowInput>> {
        self.0.inputs(w, git_ref).await
    }
    async fn login(&self) -> ApiResult<String> {
        self.0.login().await
    }
    async fn compare(&self, q: &CompareQuery) -> ApiResult<Compare> {
        self.0.compare(q).await
    }
    async fn run_raw(&self, run: &RunRef) -> ApiResult<RawDoc> {
        self.0.run_raw(run).await
    }
    async fn act(&self, call: &GitHubCall, _: At) -> ApiResult<Option<Dispatched>> {
        tracing::warn!(mutation = %call, "refused: read-only");
        Err(ApiError::new(
            ErrorKind::Other,
            format!("refused: read-only, {call} was not sent"),
        ))
    }
    fn rate(&self) -> Option<RateInfo> {
        self.0.rate()
    }
    fn waiting_until(&self) -> Option<At> {
        self.0.waiting_until()
    }
    fn read_only(&self) -> bool {
        true
    }
    async fn ready(&self) -> Option<String> {
        self.0.ready().await
    }
}
