//! Every request shape the GitHub client sends, through Prism mocking GitHub's own OpenAPI
//! description: Prism answers 422 to a request the description does not allow (a wrong path, a
//! bad query parameter, a body without `ref`), so each call passing here is one GitHub accepts.
//! The answers are GitHub's documented examples, and their mapping is asserted; each test
//! counts the operations it sent through the API budget, which every request asks first. Run with
//! `scripts/prism.sh cargo test --test live github_prism` (scripts/test.sh does).

use deckwatch::budget::Budget;
use deckwatch::ci::Ci;
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::model::Op;
use deckwatch::model::{At, Ms};
use deckwatch::model::{Conclusion, GitHubCall, RunStatus, Workflow};
use deckwatch::timing::now_ms;
use std::sync::Arc;

/// The client on Prism, and the budget it asks before each request.
fn prism() -> (GitHub, Arc<Budget>) {
    let url = std::env::var("DECKWATCH_PRISM_URL").expect(
        "DECKWATCH_PRISM_URL is not set. These tests need Prism: run them with \
         scripts/prism.sh cargo test --test live (scripts/test.sh does)",
    );
    let budget = Arc::new(Budget::new(Default::default()));
    let gh = GitHub::new(&url, Secret::new("ghp_prism"), budget.clone()).unwrap();
    (gh, budget)
}

/// Requests of `op` sent so far.
fn sent(budget: &Budget, op: Op) -> usize {
    budget
        .report()
        .iter()
        .find(|r| r.op == op)
        .map_or(0, |r| r.calls_last_minute)
}

fn wf() -> Workflow {
    Workflow {
        repo: "octo-org/octo-repo".into(),
        workflow: "build.yml".into(),
    }
}

#[tokio::test]
async fn the_run_list_request_is_valid_and_its_example_maps() {
    let (gh, budget) = prism();
    let runs = gh.runs(&wf()).await.unwrap();
    assert_eq!(sent(&budget, Op::GitHubListWorkflowRuns), 1);
    let r = &runs[0];
    assert_eq!(r.id, 30433642);
    assert_eq!(r.number, 562);
    assert_eq!(r.name, "Build");
    assert_eq!(r.status, RunStatus::Queued);
    assert_eq!(r.conclusion, None);
    assert_eq!(r.branch, "master");
    assert_eq!(r.head_sha, "acb5820ced9479c074f688cc328bf03f341a511d");
    assert_eq!((r.event.as_str(), r.actor.as_str()), ("push", "octocat"));
    assert_eq!(r.created_at, At(1_579_721_588_000));
    assert_eq!(r.workflow, wf());
}

#[tokio::test]
async fn one_run_and_its_jobs_map_from_the_examples() {
    let (gh, budget) = prism();
    let run = gh.run(&wf(), 30433642).await.unwrap();
    assert_eq!(run.id, 30433642);
    let jobs = gh.jobs("octo-org/octo-repo", 30433642).await.unwrap();
    assert_eq!(sent(&budget, Op::GitHubGetWorkflowRun), 1);
    assert_eq!(sent(&budget, Op::GitHubListJobsForWorkflowRun), 1);
    let j = &jobs[0];
    assert_eq!((j.id, j.name.as_str()), (399444496, "build"));
    assert_eq!(
        (j.status.clone(), j.conclusion.clone()),
        (RunStatus::Completed, Some(Conclusion::Success))
    );
    assert_eq!(j.completed_at.unwrap() - j.started_at.unwrap(), Ms(119_000));
    assert_eq!(j.steps.len(), 10);
    assert_eq!(j.steps[0].name, "Set up job");
    assert_eq!(j.steps[9].number, 17);
    assert!(j.failed_step().is_none());
}

#[tokio::test]
async fn a_dispatch_with_ref_and_inputs_returns_its_run() {
    let m = GitHubCall::Dispatch {
        workflow: wf(),
        git_ref: "main".into(),
        inputs: vec![
            ("environment".into(), "staging".into()),
            ("dry_run".into(), "true".into()),
        ],
    };
    let (gh, budget) = prism();
    let got = gh.act(&m, now_ms()).await.unwrap().unwrap();
    assert_eq!(sent(&budget, Op::GitHubCreateWorkflowDispatch), 1);
    assert_eq!(got.run_id, Some(1));
    assert_eq!(
        got.html_url.as_deref(),
        Some("https://github.com/octo-org/octo-repo/actions/runs/1")
    );
}

#[tokio::test]
async fn the_204_fallback_lists_runs_with_valid_query_parameters() {
    // event, branch and per_page must be what GitHub allows; the example run was created in
    // 2020, so it counts as the dispatched one only for a dispatch before then.
    let long_ago = 1_579_000_000_000;
    let (gh, budget) = prism();
    let found = gh
        .find_dispatched(&wf(), "refs/heads/main", At(long_ago))
        .await;
    assert_eq!(found.run_id, Some(30433642));
    assert_eq!(sent(&budget, Op::GitHubListWorkflowRuns), 1);
}

#[tokio::test]
async fn the_job_log_answers_with_a_redirect() {
    let (gh, budget) = prism();
    let to = gh
        .log_location("octo-org/octo-repo", 399444496)
        .await
        .unwrap();
    assert_eq!(sent(&budget, Op::GitHubDownloadJobLogs), 1);
    assert!(
        to.starts_with("https://pipelines.actions.githubusercontent.com/"),
        "{to}"
    );
}

#[tokio::test]
async fn cancel_and_rerun_failed_jobs_are_valid_posts() {
    let (gh, budget) = prism();
    let repo = "octo-org/octo-repo".to_string();
    let cancel = GitHubCall::CancelRun {
        repo: repo.clone(),
        run_id: 30433642,
    };
    assert_eq!(gh.act(&cancel, now_ms()).await.unwrap(), None);
    let rerun = GitHubCall::RerunFailed {
        repo,
        run_id: 30433642,
    };
    assert_eq!(gh.act(&rerun, now_ms()).await.unwrap(), None);
    assert_eq!(sent(&budget, Op::GitHubCancelWorkflowRun), 1);
    assert_eq!(sent(&budget, Op::GitHubRerunFailedJobs), 1);
}

#[tokio::test]
async fn the_login_request_is_valid() {
    // (The workflow file's request, `contents/.github/workflows/build.yml?ref=`, is checked
    // against the in-test server only: Prism routes `{path}` as one segment, while GitHub takes
    // the slashes as they are and answers 404 to them encoded.)
    let (gh, budget) = prism();
    assert_eq!(gh.login().await.unwrap(), "octocat");
    assert_eq!(sent(&budget, Op::GitHubGetAuthenticatedUser), 1);
}

#[tokio::test]
async fn prism_rejects_what_github_would() {
    // The check works: a dispatch without a ref is not a request GitHub allows.
    let url = std::env::var("DECKWATCH_PRISM_URL").unwrap();
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .args([
            "-H",
            "Content-Type: application/json",
            "-d",
            "{\"inputs\":{}}",
        ])
        .arg(format!(
            "{url}/repos/octo-org/octo-repo/actions/workflows/build.yml/dispatches"
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "422");
}

/// The commits behind a deploy: GitHub's compare between two commits, mapped from the
/// documented example (one commit, the base ahead: "behind").
#[tokio::test]
async fn a_compare_request_is_valid_and_its_commits_map() {
    use deckwatch::model::commits::{CompareQuery, lines};
    let q = CompareQuery {
        repo: "octo-org/octo-repo".into(),
        base: "49d71f6".into(),
        head: "4bb41d5".into(),
    };
    let (gh, budget) = prism();
    let c = gh.compare(&q).await.unwrap();
    assert_eq!(sent(&budget, Op::GitHubCompareCommits), 1);
    assert_eq!((c.status.as_str(), c.total), ("behind", 1));
    let k = &c.commits[0];
    assert_eq!(k.sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
    assert_eq!(
        (k.title.as_str(), k.author.as_str()),
        ("Fix all the bugs", "octocat")
    );
    assert_eq!(k.at, At(1_302_796_849_000));
    assert_eq!(
        lines(&c),
        [
            "1 commit(s) go away: 4bb41d5 is behind 49d71f6 in octo-org/octo-repo:",
            "  6dcb09b Fix all the bugs (octocat)",
        ]
    );
}

/// A deploy's GitHub record: the Deployment (its body valid for the description: ref,
/// environment, required_contexts) answered with its id, then a status naming that id.
#[tokio::test]
async fn a_deployment_and_its_status_are_valid_requests() {
    let (gh, budget) = prism();
    let create = GitHubCall::CreateDeployment {
        repo: "octo-org/octo-repo".into(),
        sha: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d".into(),
        environment: "prod".into(),
        description: "deckwatch: deploy to prod-core/payments".into(),
    };
    let created = gh.act(&create, now_ms()).await.unwrap().unwrap();
    assert_eq!(created.run_id, Some(1), "the example deployment's id");
    let status = GitHubCall::DeploymentStatus {
        repo: "octo-org/octo-repo".into(),
        deployment_id: created.run_id,
        state: "in_progress".into(),
        description: "deckwatch: deploy to prod-core/payments".into(),
    };
    assert_eq!(gh.act(&status, now_ms()).await.unwrap(), None);
    // A status that names no deployment is never sent.
    let orphan = GitHubCall::DeploymentStatus {
        repo: "octo-org/octo-repo".into(),
        deployment_id: None,
        state: "success".into(),
        description: String::new(),
    };
    assert!(gh.act(&orphan, now_ms()).await.is_err());
    assert_eq!(sent(&budget, Op::GitHubCreateDeployment), 1);
    assert_eq!(sent(&budget, Op::GitHubCreateDeploymentStatus), 1);
}
