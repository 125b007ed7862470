//! The demo's GitHub Actions, inside the simulated world so a build that finishes pushes its
//! image into the simulated ECR on the same clock. Every demo service is built by a workflow
//! of `acme/<service>`; a run goes queued → in_progress (test, build, scan, push) → completed.

use crate::demo::rng::hex_of;
use crate::demo::world::World;
use crate::model::{
    At, BuildSource, Conclusion, Image, InputKind, Job, Ms, Run, RunStatus, Step, Workflow,
    WorkflowInput,
};

/// Seconds a new run waits for a runner.
const QUEUED_S: i64 = 4;
/// The jobs of every demo workflow, in order, each step with its seconds.
const JOBS: &[(&str, &[(&str, i64)])] = &[
    (
        "test",
        &[
            ("Set up job", 1),
            ("Check out", 1),
            ("Run tests", 10),
            ("Complete job", 1),
        ],
    ),
    (
        "build",
        &[("Set up job", 1), ("Build image", 14), ("Complete job", 1)],
    ),
    (
        "scan",
        &[("Set up job", 1), ("Scan image", 7), ("Complete job", 1)],
    ),
    (
        "push",
        &[("Set up job", 1), ("Push to ECR", 4), ("Complete job", 1)],
    ),
];
/// Runs kept per workflow, as the list shows them.
const RUNS_KEPT: usize = 10;

/// The workflow that builds a demo service.
pub fn source_of(cluster: &str, name: &str) -> BuildSource {
    let base = name.strip_suffix("-canary").unwrap_or(name);
    let staging = cluster == "staging";
    BuildSource {
        workflow: Workflow {
            repo: format!("acme/{base}"),
            workflow: if staging {
                "build-staging.yml"
            } else {
                "build.yml"
            }
            .into(),
        },
        git_ref: if staging { "staging" } else { "main" }.into(),
    }
}

/// How a simulated run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Success,
    /// Fails at (job, step).
    FailsAt(usize, usize),
}

#[derive(Debug, Clone)]
pub struct SimRun {
    pub id: u64,
    pub workflow: Workflow,
    /// The service whose ECR repository it pushes to.
    pub svc: usize,
    pub number: u64,
    pub attempt: u32,
    pub branch: String,
    pub sha: String,
    pub event: String,
    pub actor: String,
    pub created_at: At,
    /// When the current attempt was queued.
    pub attempt_at: At,
    pub ending: Ending,
    pub cancelled_at: Option<At>,
    pub pushed: bool,
}

/// A task definition revision a deploy registered, with the image it runs.
#[derive(Debug, Clone)]
pub struct Registered {
    pub svc: usize,
    pub revision: u32,
    pub tag: String,
    pub digest: String,
}

/// A GitHub deployment record the console created: (repo, sha, environment) and its
/// statuses, oldest first.
#[derive(Debug, Clone)]
pub struct SimDeployment {
    pub id: u64,
    pub repo: String,
    pub sha: String,
    pub environment: String,
    pub statuses: Vec<String>,
}

/// The simulated GitHub's runs, and the revisions deploys registered.
#[derive(Debug, Clone, Default)]
pub struct Builds {
    /// Deployment records, oldest first.
    pub deployments: Vec<SimDeployment>,
    pub runs: Vec<SimRun>,
    pub next_id: u64,
    pub registered: Vec<Registered>,
}

/// When each step of an attempt starts and ends (after the attempt was queued).
fn schedule() -> Vec<Vec<(Ms, Ms)>> {
    let mut t = Ms::secs(QUEUED_S);
    JOBS.iter()
        .map(|(_, steps)| {
            steps
                .iter()
                .map(|(_, secs)| {
                    let span = (t, t + Ms::secs(*secs));
                    t = span.1;
                    span
                })
                .collect()
        })
        .collect()
}

impl SimRun {
    /// When the attempt ends: after its last step, its failing step, or its cancel.
    fn ends_at(&self) -> At {
        let s = schedule();
        let end = match self.ending {
            Ending::Success => s.last().and_then(|j| j.last()).map_or(Ms::ZERO, |x| x.1),
            Ending::FailsAt(j, k) => s[j][k].1,
        };
        let natural = self.attempt_at + end;
        self.cancelled_at.map_or(natural, |c| c.min(natural))
    }

    fn step(&self, j: usize, k: usize, (from, to): (Ms, Ms), now: At) -> Step {
        let (start, end) = (self.attempt_at + from, self.attempt_at + to);
        let stop = self.ends_at();
        let fails_here = self.ending == Ending::FailsAt(j, k);
        let (status, conclusion) = if start >= stop {
            let why = if self.cancelled_at.is_some_and(|c| c <= start) {
                Conclusion::Cancelled
            } else {
                Conclusion::Skipped
            };
            (RunStatus::Completed, Some(why))
        } else if now >= end.min(stop) {
            let c = match (fails_here, self.cancelled_at.is_some_and(|c| c < end)) {
                (true, false) => Conclusion::Failure,
                (_, true) => Conclusion::Cancelled,
                _ => Conclusion::Success,
            };
            (RunStatus::Completed, Some(c))
        } else if now >= start {
            (RunStatus::InProgress, None)
        } else {
            (RunStatus::Queued, None)
        };
        let done = (status == RunStatus::Completed && start < stop).then_some(end.min(stop));
        Step {
            number: k as u32 + 1,
            name: JOBS[j].1[k].0.to_string(),
            status,
            conclusion,
            started_at: (now >= start && start < stop).then_some(start),
            completed_at: done,
        }
    }

    pub fn jobs(&self, now: At) -> Vec<Job> {
        schedule()
            .iter()
            .enumerate()
            .map(|(j, spans)| {
                let steps: Vec<Step> = spans
                    .iter()
                    .enumerate()
                    .map(|(k, span)| self.step(j, k, *span, now))
                    .collect();
                job_of(self.id * 10 + j as u64, JOBS[j].0, steps)
            })
            .collect()
    }

    pub fn to_run(&self, now: At) -> Run {
        let jobs = self.jobs(now);
        let progress = crate::model::build::Progress::of(&jobs);
        let (status, conclusion) = if now >= self.ends_at() {
            let c = if jobs.iter().any(Job::failed) {
                Conclusion::Failure
            } else if self.cancelled_at.is_some() && !natural_success(self) {
                Conclusion::Cancelled
            } else {
                Conclusion::Success
            };
            (RunStatus::Completed, Some(c))
        } else if now >= self.attempt_at + Ms::secs(QUEUED_S) {
            (RunStatus::InProgress, None)
        } else {
            (RunStatus::Queued, None)
        };
        Run {
            id: self.id,
            workflow: self.workflow.clone(),
            name: "build".into(),
            number: self.number,
            attempt: self.attempt,
            status,
            conclusion,
            branch: self.branch.clone(),
            head_sha: self.sha.clone(),
            event: self.event.clone(),
            actor: self.actor.clone(),
            created_at: self.created_at,
            started_at: Some(self.attempt_at),
            updated_at: now.min(self.ends_at()),
            html_url: format!(
                "https://github.com/{}/actions/runs/{}",
                self.workflow.repo, self.id
            ),
            progress: Some(progress),
        }
    }

    /// The job's log: what a runner prints, with the failure's `##[error]` lines.
    pub fn log(&self, job: usize) -> Vec<String> {
        let mut out = vec![
            format!("Current runner version: '2.321.0'"),
            format!("##[group]Run {}", JOBS[job].0),
        ];
        if matches!(self.ending, Ending::FailsAt(j, _) if j == job) {
            out.extend([
                "running 212 tests".to_string(),
                "test ledger::settles_in_order ... ok".to_string(),
                "test ledger::refund_rounds_half_even ... FAILED".to_string(),
                "failures:".to_string(),
                "---- ledger::refund_rounds_half_even stdout ----".to_string(),
                "assertion `left == right` failed: left: 1005, right: 1004".to_string(),
                "test result: FAILED. 211 passed; 1 failed".to_string(),
                "##[error]Process completed with exit code 101.".to_string(),
            ]);
        } else {
            out.push(format!("{} finished", JOBS[job].0));
        }
        out
    }
}

/// The attempt ran every step before any cancel arrived.
fn natural_success(r: &SimRun) -> bool {
    let end = schedule()
        .last()
        .and_then(|j| j.last())
        .map_or(Ms::ZERO, |x| x.1);
    r.ending == Ending::Success && r.cancelled_at.is_none_or(|c| c >= r.attempt_at + end)
}

fn job_of(id: u64, name: &str, steps: Vec<Step>) -> Job {
    let open = steps.iter().any(|s| s.status.is_open());
    let started = steps.iter().any(|s| s.started_at.is_some());
    let status = match (open, started) {
        (false, _) => RunStatus::Completed,
        (true, true) => RunStatus::InProgress,
        (true, false) => RunStatus::Queued,
    };
    let conclusion = (!open).then(|| {
        let worst = |c: Conclusion| steps.iter().any(|s| s.conclusion == Some(c.clone()));
        if worst(Conclusion::Failure) {
            Conclusion::Failure
        } else if worst(Conclusion::Cancelled) {
            Conclusion::Cancelled
        } else if steps
            .iter()
            .all(|s| s.conclusion == Some(Conclusion::Skipped))
        {
            Conclusion::Skipped
        } else {
            Conclusion::Success
        }
    });
    Job {
        id,
        name: name.to_string(),
        status,
        conclusion,
        started_at: steps.iter().find_map(|s| s.started_at),
        completed_at: if open {
            None
        } else {
            steps.iter().filter_map(|s| s.completed_at).max()
        },
        steps,
    }
}

/// The inputs every demo workflow declares.
pub fn inputs() -> Vec<WorkflowInput> {
    let input = |name: &str, description: &str, kind, default: &str, required| WorkflowInput {
        name: name.into(),
        description: description.into(),
        kind,
        default: default.into(),
        required,
    };
    vec![
        input(
            "environment",
            "where the image is meant for",
            InputKind::Environment,
            "production",
            true,
        ),
        input(
            "log_level",
            "log level of the test run",
            InputKind::Choice(vec!["info".into(), "debug".into()]),
            "info",
            false,
        ),
        input(
            "run_tests",
            "run the test job",
            InputKind::Boolean,
            "true",
            false,
        ),
    ]
}

/// The sha of a seeded image: its `git-` tag's seven digits, then more.
fn sha_of(img: &Image) -> Option<String> {
    let short = img.tags.iter().find_map(|t| t.strip_prefix("git-"))?;
    Some(format!("{short}{}", hex_of(&img.digest, 33)))
}

/// A few past runs of every workflow: one per seeded image (so they join), and a failed one for
/// the service whose deployment goes bad.
pub fn seed(w: &mut World) {
    let mut seen: Vec<Workflow> = Vec::new();
    for i in 0..w.services.len() {
        let Some(Ok(src)) = w.services[i].svc.build.clone() else {
            continue;
        };
        if seen.contains(&src.workflow) {
            continue;
        }
        seen.push(src.workflow.clone());
        let repo = w.services[i].repo.clone();
        let mut images: Vec<Image> = w
            .images
            .iter()
            .filter(|img| img.repository == repo)
            .cloned()
            .collect();
        images.sort_by_key(|img| img.pushed_at);
        for img in images.iter().rev().take(3).rev() {
            let Some(sha) = sha_of(img) else { continue };
            let at = img.pushed_at - Ms::MINUTE;
            add(w, i, &src, sha, at, Ending::Success, true);
        }
        if w.services[i].role == crate::demo::world::Role::BadRolling {
            let sha = hex_of(&format!("{repo} failing"), 40);
            add(
                w,
                i,
                &src,
                sha,
                w.start - Ms::mins(40),
                Ending::FailsAt(0, 2),
                true,
            );
        }
    }
}

/// The pipeline's run that built the image of service `svc`'s newest revision (the scenario's
/// deploys), so its commit joins the runs and the compare.
pub fn pipeline_run(w: &mut World, svc: usize, revision: u32) {
    let Some(Ok(src)) = w.services[svc].svc.build.clone() else {
        return;
    };
    let repo = w.services[svc].repo.clone();
    let tag = World::image_tag(revision);
    let img = w
        .images
        .iter()
        .find(|i| i.repository == repo && i.tags.contains(&tag))
        .cloned();
    let Some(img) = img else { return };
    let Some(sha) = sha_of(&img) else { return };
    if w.builds.runs.iter().any(|r| r.sha == sha) {
        return;
    }
    add(
        w,
        svc,
        &src,
        sha,
        img.pushed_at - Ms::MINUTE,
        Ending::Success,
        true,
    );
}

fn add(
    w: &mut World,
    svc: usize,
    src: &BuildSource,
    sha: String,
    at: At,
    ending: Ending,
    pushed: bool,
) -> u64 {
    w.builds.next_id += 1;
    let id = 9_000_000_000 + w.builds.next_id;
    let number = 1000
        + w.builds
            .runs
            .iter()
            .filter(|r| r.workflow == src.workflow)
            .count() as u64;
    w.builds.runs.push(SimRun {
        id,
        workflow: src.workflow.clone(),
        svc,
        number,
        attempt: 1,
        branch: src.git_ref.clone(),
        sha,
        event: if pushed { "push" } else { "workflow_dispatch" }.into(),
        actor: if pushed { "dev-bot" } else { "demo" }.into(),
        created_at: at,
        attempt_at: at,
        ending,
        cancelled_at: None,
        pushed,
    });
    let workflow = src.workflow.clone();
    let mut of_workflow: Vec<usize> = (0..w.builds.runs.len())
        .filter(|&k| w.builds.runs[k].workflow == workflow)
        .collect();
    if of_workflow.len() > RUNS_KEPT {
        of_workflow.truncate(of_workflow.len() - RUNS_KEPT);
        let drop: Vec<u64> = of_workflow.iter().map(|&k| w.builds.runs[k].id).collect();
        w.builds.runs.retain(|r| !drop.contains(&r.id));
    }
    id
}

/// A dispatch: a new run of `workflow` at `git_ref`, on a new commit.
pub fn dispatch(w: &mut World, workflow: &Workflow, git_ref: &str) -> Option<u64> {
    let svc = w.services.iter().position(|s| {
        s.svc
            .build
            .as_ref()
            .is_some_and(|b| b.as_ref().is_ok_and(|b| &b.workflow == workflow))
    })?;
    let src = BuildSource {
        workflow: workflow.clone(),
        git_ref: git_ref.to_string(),
    };
    let sha = hex_of(
        &format!("{workflow} {} {}", w.now.millis(), w.builds.next_id),
        40,
    );
    let now = w.now;
    Some(add(w, svc, &src, sha, now, Ending::Success, false))
}

/// Every second: a run whose push step finished puts its image into the simulated ECR.
pub fn step(w: &mut World) {
    let now = w.now;
    let done: Vec<usize> = (0..w.builds.runs.len())
        .filter(|&k| {
            let r = &w.builds.runs[k];
            !r.pushed && r.to_run(now).succeeded()
        })
        .collect();
    for k in done {
        w.builds.runs[k].pushed = true;
        let (svc, sha) = (w.builds.runs[k].svc, w.builds.runs[k].sha.clone());
        w.push_built_image(svc, &sha, now);
    }
}

fn conflict(msg: String) -> crate::model::ApiError {
    crate::model::ApiError::new(crate::model::ErrorKind::Other, msg)
}

/// Cancels an unfinished run, as GitHub does (409 when it has finished).
pub fn cancel(w: &mut World, run_id: u64) -> crate::model::ApiResult<()> {
    let now = w.now;
    let r = w
        .builds
        .runs
        .iter_mut()
        .find(|r| r.id == run_id)
        .ok_or_else(|| conflict(format!("not found (404): run {run_id}")))?;
    if !r.to_run(now).status.is_open() {
        return Err(conflict(format!(
            "HTTP 409: run {run_id} has already finished"
        )));
    }
    r.cancelled_at = Some(now);
    Ok(())
}

/// Reruns a failed run's failed jobs: a new attempt that, this time, passes.
pub fn rerun_failed(w: &mut World, run_id: u64) -> crate::model::ApiResult<()> {
    let now = w.now;
    let r = w
        .builds
        .runs
        .iter_mut()
        .find(|r| r.id == run_id)
        .ok_or_else(|| conflict(format!("not found (404): run {run_id}")))?;
    let run = r.to_run(now);
    if run.status.is_open() || !run.conclusion.as_ref().is_some_and(Conclusion::is_failure) {
        return Err(conflict(format!(
            "HTTP 403: run {run_id} has no failed jobs to rerun"
        )));
    }
    r.attempt += 1;
    r.attempt_at = now;
    r.ending = Ending::Success;
    r.cancelled_at = None;
    r.pushed = false;
    r.event = "workflow_dispatch".into();
    Ok(())
}
