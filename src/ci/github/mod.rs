//! The real CI: GitHub's REST API (api.github.com, or a GitHub Enterprise Server's
//! `https://HOST/api/v3`) on a thin HTTP layer. Every call asks the API budget first, as
//! `github:Operation`; lists are polled with ETags.

pub mod http;
pub mod inputs;
pub mod parse;
pub mod token;

use crate::budget::Budget;
use crate::ci::{Ci, Dispatched};
use crate::model::github_names::{check_workflow, split_repo};
use crate::model::{ApiError, ApiResult, ErrorKind, GitHubCall, Listing, Op};
use crate::model::{
    At, Job, Ms, RateInfo, RawDoc, RawFormat, Run, RunRef, Workflow, WorkflowInput, dispatch_body,
};
use async_trait::async_trait;
use base64::Engine;
use http::{Http, encode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
pub use token::Secret;

/// The default API, unless `GITHUB_API_URL` or `[github] api_url` say otherwise.
pub const DEFAULT_API: &str = "https://api.github.com";
/// Runs listed per workflow.
pub const RUNS_PER_WORKFLOW: u32 = 10;
/// After a 204 dispatch, how often and how many times the new run is looked for.
const FIND_EVERY: Duration = Duration::from_secs(2);
const FIND_TRIES: u32 = 5;
/// A run created this long before the dispatch still counts as its run (clocks differ).
const CLOCK_SLACK_MS: Ms = Ms::secs(10);

pub struct GitHub {
    http: Http,
    login: Mutex<Option<String>>,
}

fn other(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Other, msg)
}

/// `/repos/OWNER/NAME`, each part encoded, when `repo` is an `owner/name` GitHub allows; else
/// the call is refused before anything is sent, so a value can never rewrite the path.
fn repo_path(repo: &str) -> ApiResult<String> {
    let (owner, name) =
        split_repo(repo).map_err(|why| other(format!("GitHub: {why}; nothing was sent")))?;
    Ok(format!("/repos/{}/{}", encode(owner), encode(name)))
}

/// `/repos/OWNER/NAME/actions/workflows/WORKFLOW`, every part encoded.
fn workflow_base(w: &Workflow) -> ApiResult<String> {
    check_workflow(&w.workflow).map_err(|why| other(format!("GitHub: {why}; nothing was sent")))?;
    Ok(format!(
        "{}/actions/workflows/{}",
        repo_path(&w.repo)?,
        encode(&w.workflow)
    ))
}

/// A file's path in a repository, each segment encoded; a `.` or `..` segment is refused.
fn file_path(file: &str) -> ApiResult<String> {
    let segments: Vec<&str> = file.split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == "..")
    {
        return Err(other(format!(
            "GitHub: {file:?} is not a file's path in a repository; nothing was sent"
        )));
    }
    Ok(segments
        .iter()
        .map(|s| encode(s))
        .collect::<Vec<_>>()
        .join("/"))
}

/// The API base: `GITHUB_API_URL`, else the config's `api_url`, else api.github.com.
pub fn api_url(env: Option<String>, config: Option<&str>) -> String {
    env.filter(|u| !u.trim().is_empty())
        .or(config.map(str::to_string))
        .unwrap_or_else(|| DEFAULT_API.to_string())
}

impl GitHub {
    pub fn new(base: &str, token: Secret, budget: Arc<Budget>) -> ApiResult<Self> {
        Ok(Self {
            http: Http::new(base, token, budget)?,
            login: Mutex::new(None),
        })
    }

    /// Requests sent and 304s received so far.
    pub fn counters(&self) -> &http::Counters {
        &self.http.counters
    }

    fn runs_path(w: &Workflow, query: &str) -> ApiResult<String> {
        Ok(format!("{}/runs?{query}", workflow_base(w)?))
    }

    async fn list_runs(&self, w: &Workflow, query: &str) -> ApiResult<http::Answer> {
        let path = Self::runs_path(w, query)?;
        self.http.get(Op::GitHubListWorkflowRuns, &path).await
    }

    /// Where a job's log is: GitHub answers 302 with a short-lived URL.
    pub async fn log_location(&self, repo: &str, job_id: u64) -> ApiResult<String> {
        let a = self
            .http
            .get(
                Op::GitHubDownloadJobLogs,
                &format!("{}/actions/jobs/{job_id}/logs", repo_path(repo)?),
            )
            .await?;
        a.headers
            .get(::http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| other(format!("job log: HTTP {} without a redirect", a.status)))
    }

    /// The workflow file's path in the repository.
    async fn workflow_path(&self, w: &Workflow) -> ApiResult<String> {
        if !w.workflow.chars().all(|c| c.is_ascii_digit()) {
            return Ok(format!(".github/workflows/{}", w.workflow));
        }
        let a = self
            .http
            .get(Op::GitHubGetWorkflow, &workflow_base(w)?)
            .await?;
        let v = parse::json("workflow", &a.body)?;
        v.get("path")
            .and_then(|p| p.as_str())
            .map(str::to_string)
            .ok_or_else(|| other("GitHub: the workflow has no path"))
    }

    async fn dispatch(
        &self,
        w: &Workflow,
        git_ref: &str,
        inputs: &[(String, String)],
        now: At,
    ) -> ApiResult<Dispatched> {
        let path = format!("{}/dispatches", workflow_base(w)?);
        let a = self
            .http
            .post(
                Op::GitHubCreateWorkflowDispatch,
                &path,
                Some(dispatch_body(git_ref, inputs)),
            )
            .await?;
        if a.status == ::http::StatusCode::NO_CONTENT || a.body.is_empty() {
            return Ok(self.find_dispatched(w, git_ref, now).await);
        }
        let v = parse::json("dispatch answer", &a.body)?;
        Ok(Dispatched {
            run_id: v.get("workflow_run_id").and_then(|i| i.as_u64()),
            html_url: v
                .get("html_url")
                .and_then(|u| u.as_str())
                .map(crate::model::text::clean),
        })
    }

    /// A 204 (older GitHub Enterprise Server) names no run: the newest dispatched run of the
    /// ref created since the dispatch is taken as it, looked for a few times. (The `created`
    /// filter is left out: GitHub reads it as a search range, its API description as one
    /// date-time; the runs are filtered by their `created_at` here instead.)
    pub async fn find_dispatched(&self, w: &Workflow, git_ref: &str, since: At) -> Dispatched {
        let branch = git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref);
        let query = format!(
            "event=workflow_dispatch&branch={}&per_page=5",
            encode(branch)
        );
        for i in 0..FIND_TRIES {
            if i > 0 {
                tokio::time::sleep(FIND_EVERY).await;
            }
            let found = match self.list_runs(w, &query).await {
                Ok(a) => parse::runs(&a.body, w).ok().and_then(|runs| {
                    runs.items
                        .into_iter()
                        .find(|r| r.created_at >= since - CLOCK_SLACK_MS)
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "looking for the dispatched run");
                    None
                }
            };
            if let Some(run) = found {
                return Dispatched {
                    run_id: Some(run.id),
                    html_url: Some(run.html_url),
                };
            }
        }
        Dispatched {
            run_id: None,
            html_url: None,
        }
    }
}

#[async_trait]
impl Ci for GitHub {
    async fn runs(&self, w: &Workflow) -> ApiResult<Vec<Run>> {
        self.runs_listing(w).await?.lenient()
    }

    async fn runs_listing(&self, w: &Workflow) -> ApiResult<Listing<Run>> {
        let a = self
            .list_runs(w, &format!("per_page={RUNS_PER_WORKFLOW}"))
            .await?;
        parse::runs(&a.body, w)
    }

    async fn run(&self, w: &Workflow, id: u64) -> ApiResult<Run> {
        let path = format!("{}/actions/runs/{id}", repo_path(&w.repo)?);
        let a = self.http.get(Op::GitHubGetWorkflowRun, &path).await?;
        parse::run(&parse::json("workflow run", &a.body)?, w)
    }

    async fn run_raw(&self, run: &RunRef) -> ApiResult<RawDoc> {
        let path = format!("{}/actions/runs/{}", repo_path(&run.repo)?, run.id);
        let op = Op::GitHubGetWorkflowRun;
        let a = self.http.get(op, &path).await?;
        Ok(RawDoc::from_body(op, RawFormat::Json, &a.body))
    }

    async fn jobs(&self, repo: &str, run_id: u64) -> ApiResult<Vec<Job>> {
        let path = format!(
            "{}/actions/runs/{run_id}/jobs?per_page=100",
            repo_path(repo)?
        );
        let a = self
            .http
            .get(Op::GitHubListJobsForWorkflowRun, &path)
            .await?;
        parse::jobs(&a.body)
    }

    async fn log_tail(&self, repo: &str, job_id: u64, lines: usize) -> ApiResult<Vec<String>> {
        let url = self.log_location(repo, job_id).await?;
        let text = self.http.fetch_tail(&url).await?;
        Ok(parse::tail(&text, lines))
    }

    async fn inputs(&self, w: &Workflow, git_ref: &str) -> ApiResult<Vec<WorkflowInput>> {
        let file = self.workflow_path(w).await?;
        let path = format!(
            "{}/contents/{}?ref={}",
            repo_path(&w.repo)?,
            file_path(&file)?,
            encode(git_ref)
        );
        let a = self.http.get(Op::GitHubGetContent, &path).await?;
        let v = parse::json("workflow file", &a.body)?;
        let b64: String = v
            .get("content")
            .and_then(|c| c.as_str())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| other(format!("{file}: not base64: {e}")))?;
        inputs::parse(&String::from_utf8_lossy(&bytes)).map_err(|e| other(format!("{file}: {e}")))
    }

    async fn login(&self) -> ApiResult<String> {
        if let Some(l) = self.login.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(l);
        }
        let a = self
            .http
            .get(Op::GitHubGetAuthenticatedUser, "/user")
            .await?;
        let v = parse::json("user", &a.body)?;
        let login = v
            .get("login")
            .and_then(|l| l.as_str())
            .map(crate::model::text::clean)
            .ok_or_else(|| other("GitHub: /user has no login"))?;
        *self.login.lock().unwrap_or_else(|e| e.into_inner()) = Some(login.clone());
        Ok(login)
    }

    async fn act(&self, m: &GitHubCall, now: At) -> ApiResult<Option<Dispatched>> {
        match m {
            GitHubCall::Dispatch {
                workflow,
                git_ref,
                inputs,
            } => Ok(Some(self.dispatch(workflow, git_ref, inputs, now).await?)),
            GitHubCall::CancelRun { repo, run_id } => {
                let path = format!("{}/actions/runs/{run_id}/cancel", repo_path(repo)?);
                self.http
                    .post(Op::GitHubCancelWorkflowRun, &path, None)
                    .await?;
                Ok(None)
            }
            GitHubCall::RerunFailed { repo, run_id } => {
                let path = format!(
                    "{}/actions/runs/{run_id}/rerun-failed-jobs",
                    repo_path(repo)?
                );
                self.http
                    .post(Op::GitHubRerunFailedJobs, &path, None)
                    .await?;
                Ok(None)
            }
            GitHubCall::CreateDeployment { repo, .. } => {
                let path = format!("/repos/{repo}/deployments");
                let a = self
                    .http
                    .post(Op::GitHubCreateDeployment, &path, Some(m.body()))
                    .await?;
                let v = parse::json("deployment", &a.body)?;
                let id = v.get("id").and_then(|i| i.as_u64());
                if id.is_none() {
                    // 202: GitHub merged the default branch instead, and made no deployment.
                    let why = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
                    return Err(other(format!("GitHub made no deployment: {why}")));
                }
                Ok(Some(Dispatched {
                    run_id: id,
                    html_url: None,
                }))
            }
            GitHubCall::DeploymentStatus {
                repo,
                deployment_id,
                ..
            } => {
                let Some(id) = deployment_id else {
                    return Err(other("a deployment status names no deployment"));
                };
                let path = format!("/repos/{repo}/deployments/{id}/statuses");
                self.http
                    .post(Op::GitHubCreateDeploymentStatus, &path, Some(m.body()))
                    .await?;
                Ok(None)
            }
        }
    }

    async fn compare(
        &self,
        q: &crate::model::commits::CompareQuery,
    ) -> ApiResult<crate::model::commits::Compare> {
        let path = format!(
            "/repos/{}/compare/{}...{}",
            q.repo,
            encode(&q.base),
            encode(&q.head)
        );
        let a = self.http.get(Op::GitHubCompareCommits, &path).await?;
        parse::compare(&a.body, q)
    }

    fn rate(&self) -> Option<RateInfo> {
        self.http.rate()
    }

    fn waiting_until(&self) -> Option<At> {
        self.http.waiting_until()
    }
}
