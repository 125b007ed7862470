//! The demo's CI: the simulated GitHub Actions of the demo fleet's world (`demo::builds`),
//! on the same clock, so a finished build's image appears in the simulated ECR.

use crate::ci::{Ci, Dispatched};
use crate::demo::{SimFleet, builds};
use crate::model::{ApiError, ApiResult, ErrorKind, GitHubCall};
use crate::model::{At, Job, Run, Workflow, WorkflowInput};
use async_trait::async_trait;
use std::sync::Arc;

pub struct SimCi {
    fleet: Arc<SimFleet>,
}

impl SimCi {
    pub fn new(fleet: Arc<SimFleet>) -> Self {
        Self { fleet }
    }
}

fn not_found(what: String) -> ApiError {
    ApiError::new(ErrorKind::Other, format!("not found (404): {what}"))
}

#[async_trait]
impl Ci for SimCi {
    async fn runs(&self, workflow: &Workflow) -> ApiResult<Vec<Run>> {
        Ok(self.fleet.with_world(|w| {
            let mut runs: Vec<Run> = w
                .builds
                .runs
                .iter()
                .filter(|r| &r.workflow == workflow)
                .map(|r| r.to_run(w.now))
                .collect();
            runs.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
            runs
        }))
    }

    async fn run_raw(&self, run: &crate::model::RunRef) -> ApiResult<crate::model::RawDoc> {
        let target = crate::model::DescribeTarget::Run(run.clone());
        self.fleet
            .with_world(|w| crate::demo::describe::describe(w, &target))
    }

    async fn run(&self, workflow: &Workflow, id: u64) -> ApiResult<Run> {
        self.fleet.with_world(|w| {
            w.builds
                .runs
                .iter()
                .find(|r| r.id == id && r.workflow.repo == workflow.repo)
                .map(|r| r.to_run(w.now))
                .ok_or_else(|| not_found(format!("run {id} of {workflow}")))
        })
    }

    async fn jobs(&self, _repo: &str, run_id: u64) -> ApiResult<Vec<Job>> {
        self.fleet.with_world(|w| {
            w.builds
                .runs
                .iter()
                .find(|r| r.id == run_id)
                .map(|r| r.jobs(w.now))
                .ok_or_else(|| not_found(format!("run {run_id}")))
        })
    }

    async fn log_tail(&self, _repo: &str, job_id: u64, lines: usize) -> ApiResult<Vec<String>> {
        self.fleet.with_world(|w| {
            let run = w
                .builds
                .runs
                .iter()
                .find(|r| r.id == job_id / 10)
                .ok_or_else(|| not_found(format!("job {job_id}")))?;
            let log = run.log((job_id % 10) as usize);
            Ok(log[log.len().saturating_sub(lines)..].to_vec())
        })
    }

    async fn inputs(&self, _: &Workflow, _: &str) -> ApiResult<Vec<WorkflowInput>> {
        Ok(builds::inputs())
    }

    async fn login(&self) -> ApiResult<String> {
        Ok("demo".into())
    }

    async fn compare(
        &self,
        q: &crate::model::commits::CompareQuery,
    ) -> ApiResult<crate::model::commits::Compare> {
        self.fleet
            .with_world(|w| crate::demo::commits::compare(w, q))
    }

    async fn act(&self, m: &GitHubCall, _now: At) -> ApiResult<Option<Dispatched>> {
        self.fleet.with_world(|w| match m {
            GitHubCall::Dispatch {
                workflow, git_ref, ..
            } => {
                let id = builds::dispatch(w, workflow, git_ref)
                    .ok_or_else(|| not_found(format!("workflow {workflow}")))?;
                Ok(Some(Dispatched {
                    run_id: Some(id),
                    html_url: Some(format!(
                        "https://github.com/{}/actions/runs/{id}",
                        workflow.repo
                    )),
                }))
            }
            GitHubCall::CreateDeployment {
                repo,
                sha,
                environment,
                ..
            } => Ok(Some(Dispatched {
                run_id: Some(crate::demo::commits::create(w, repo, sha, environment)),
                html_url: None,
            })),
            GitHubCall::DeploymentStatus {
                deployment_id,
                state,
                ..
            } => crate::demo::commits::status(w, deployment_id.unwrap_or_default(), state)
                .map(|_| None),
            GitHubCall::CancelRun { run_id, .. } => builds::cancel(w, *run_id).map(|_| None),
            GitHubCall::RerunFailed { run_id, .. } => {
                builds::rerun_failed(w, *run_id).map(|_| None)
            }
        })
    }
}
