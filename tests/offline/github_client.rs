//! The GitHub client's behaviour over time, against a stateful in-test HTTP server: a run
//! moving from queued to completed, ETags answered with 304, a missing or bad token, rate
//! limits (primary and secondary) obeyed without a call storm, the 204 dispatch fallback, the
//! log redirect, and read-only sending no POST.

use crate::support::gh_server::{Req, Resp, Server};
use deckwatch::budget::Budget;
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::ci::{Ci, ReadOnlyCi};
use deckwatch::model::Op;
use deckwatch::model::{At, Ms};
use deckwatch::model::{Conclusion, ErrorKind, GitHubCall, Mutation, RunStatus, Workflow};
use deckwatch::timing::now_ms;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "ghp_test_token_never_shown";

fn wf() -> Workflow {
    Workflow {
        repo: "acme/checkout".into(),
        workflow: "build.yml".into(),
    }
}

fn client(url: &str) -> GitHub {
    GitHub::new(url, Secret::new(TOKEN), Arc::default()).unwrap()
}

/// A client whose budget is kept, to count the operations sent.
fn counted(url: &str) -> (GitHub, Arc<Budget>) {
    let budget = Arc::new(Budget::new(Default::default()));
    let gh = GitHub::new(url, Secret::new(TOKEN), budget.clone()).unwrap();
    (gh, budget)
}

/// Requests of `op` sent so far (each asks the budget first).
fn sent(budget: &Budget, op: Op) -> usize {
    budget
        .report()
        .iter()
        .find(|r| r.op == op)
        .map_or(0, |r| r.calls_last_minute)
}

fn run_json(id: u64, status: &str, conclusion: Option<&str>) -> serde_json::Value {
    json!({
        "id": id, "name": "build", "run_number": 1001, "run_attempt": 1,
        "status": status, "conclusion": conclusion, "head_branch": "main",
        "head_sha": "0123456789abcdef0123456789abcdef01234567", "event": "workflow_dispatch",
        "actor": {"login": "octocat"}, "created_at": "2026-11-26T10:00:00Z",
        "run_started_at": "2026-11-26T10:00:05Z", "updated_at": "2026-11-26T10:03:00Z",
        "html_url": "https://github.com/acme/checkout/actions/runs/1"
    })
}

#[tokio::test]
async fn a_run_moves_from_queued_to_completed_and_an_unchanged_list_answers_304() {
    let state = Arc::new(Mutex::new(("queued", None::<&str>, 1u32)));
    let s2 = state.clone();
    let server = Server::start(move |r: &Req| {
        let (status, conclusion, version) = *s2.lock().unwrap();
        let etag = format!("\"v{version}\"");
        if r.header("if-none-match") == Some(etag.as_str()) {
            return Resp::json(304, json!(null)).with("etag", &etag);
        }
        Resp::json(
            200,
            json!({"total_count": 1, "workflow_runs": [run_json(7, status, conclusion)]}),
        )
        .with("etag", &etag)
        .with("x-ratelimit-limit", 5000)
        .with("x-ratelimit-remaining", 4999)
        .with("x-ratelimit-reset", 2_000_000_000)
    })
    .await;
    let gh = client(&server.url);
    let first = gh.runs(&wf()).await.unwrap();
    assert_eq!(first[0].status, RunStatus::Queued);
    assert_eq!(first[0].actor, "octocat");
    let again = gh.runs(&wf()).await.unwrap();
    assert_eq!(again, first, "a 304 answers with the list it had");
    assert_eq!(gh.counters().not_modified.load(Ordering::Relaxed), 1);
    *state.lock().unwrap() = ("completed", Some("success"), 2);
    let done = gh.runs(&wf()).await.unwrap();
    assert_eq!(
        (done[0].status.clone(), done[0].conclusion.clone()),
        (RunStatus::Completed, Some(Conclusion::Success))
    );
    let reqs = server.requests();
    assert_eq!(
        reqs[0].path,
        "/repos/acme/checkout/actions/workflows/build.yml/runs?per_page=10"
    );
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(gh.rate().unwrap().remaining, 4999);
}

#[tokio::test]
async fn a_bad_token_says_how_to_set_one_and_never_shows_it() {
    let server = Server::start(|_| Resp::json(401, json!({"message": "Bad credentials"}))).await;
    let gh = client(&server.url);
    let e = gh.runs(&wf()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Credentials);
    assert!(
        e.message.contains("GH_TOKEN") && e.message.contains("Bad credentials"),
        "{e}"
    );
    assert!(!e.to_string().contains(TOKEN));
    let e = gh.login().await.unwrap_err();
    assert!(!format!("{e:?}").contains(TOKEN));
}

#[tokio::test]
async fn an_exhausted_quota_waits_for_the_reset_without_calling() {
    let reset = now_ms().secs() + 1800;
    let server = Server::start(move |_| {
        Resp::json(403, json!({"message": "API rate limit exceeded"}))
            .with("x-ratelimit-limit", 5000)
            .with("x-ratelimit-remaining", 0)
            .with("x-ratelimit-reset", reset)
    })
    .await;
    let gh = client(&server.url);
    let e = gh.runs(&wf()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("waiting until"), "{e}");
    assert_eq!(gh.waiting_until(), Some(At(reset * 1000)));
    assert!(gh.rate().unwrap().is_low());
    for _ in 0..20 {
        assert!(gh.runs(&wf()).await.is_err());
        assert!(gh.jobs("acme/checkout", 7).await.is_err());
    }
    assert_eq!(server.requests().len(), 1, "no call before the reset");
}

#[tokio::test]
async fn a_secondary_limit_obeys_retry_after() {
    let server = Server::start(|_| {
        Resp::json(
            429,
            json!({"message": "You have exceeded a secondary rate limit"}),
        )
        .with("retry-after", 90)
    })
    .await;
    let gh = client(&server.url);
    let before = now_ms();
    let e = gh.runs(&wf()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    let until = gh.waiting_until().unwrap();
    assert!(
        until >= before + Ms(90_000) && until <= now_ms() + Ms(90_000),
        "{until:?}"
    );
    let _ = gh
        .act(
            &GitHubCall::CancelRun {
                repo: "acme/checkout".into(),
                run_id: 7,
            },
            now_ms(),
        )
        .await;
    assert_eq!(
        server.requests().len(),
        1,
        "neither polls nor actions call while waiting"
    );
}

#[tokio::test]
async fn a_204_dispatch_finds_its_run_by_listing_runs_created_since() {
    let listed = Arc::new(AtomicU32::new(0));
    let l2 = listed.clone();
    let server = Server::start(move |r: &Req| {
        if r.method == "POST" {
            return Resp::json(204, json!(null));
        }
        // The run shows up on the second look.
        let runs = if l2.fetch_add(1, Ordering::Relaxed) == 0 {
            json!([])
        } else {
            let mut r = run_json(4242, "queued", None);
            r["created_at"] = json!(chrono::Utc::now().to_rfc3339());
            json!([run_json(4241, "completed", Some("success")), r])
        };
        Resp::json(200, json!({"total_count": 1, "workflow_runs": runs}))
    })
    .await;
    let (gh, budget) = counted(&server.url);
    let m = GitHubCall::Dispatch {
        workflow: wf(),
        git_ref: "main".into(),
        inputs: vec![("environment".into(), "staging".into())],
    };
    let got = gh.act(&m, now_ms()).await.unwrap().unwrap();
    assert_eq!(got.run_id, Some(4242));
    let reqs = server.requests();
    assert_eq!(
        reqs[0].path,
        "/repos/acme/checkout/actions/workflows/build.yml/dispatches"
    );
    let body: serde_json::Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!({"ref": "main", "inputs": {"environment": "staging"}, "return_run_details": true})
    );
    assert!(
        reqs[1].path.contains("event=workflow_dispatch"),
        "{}",
        reqs[1].path
    );
    assert!(reqs[1].path.contains("branch=main"));
    assert!(reqs[1].path.ends_with("per_page=5"), "{}", reqs[1].path);
    // One CreateWorkflowDispatch, then ListWorkflowRuns until the run shows.
    assert_eq!(sent(&budget, Op::GitHubCreateWorkflowDispatch), 1);
    assert_eq!(sent(&budget, Op::GitHubListWorkflowRuns), 2);
}

#[tokio::test]
async fn a_200_dispatch_names_its_run() {
    let server = Server::start(|_| {
        Resp::json(
            200,
            json!({"workflow_run_id": 99, "run_url": "u", "html_url": "https://x/99"}),
        )
    })
    .await;
    let gh = client(&server.url);
    let m = GitHubCall::Dispatch {
        workflow: wf(),
        git_ref: "main".into(),
        inputs: vec![],
    };
    let got = gh.act(&m, now_ms()).await.unwrap().unwrap();
    assert_eq!(
        (got.run_id, got.html_url.as_deref()),
        (Some(99), Some("https://x/99"))
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_log_follows_its_redirect_without_the_token() {
    let url = Arc::new(Mutex::new(String::new()));
    let u2 = url.clone();
    let server = Server::start(move |r: &Req| {
        if r.path.ends_with("/logs") {
            let to = format!("{}/signed/log.txt", u2.lock().unwrap());
            return Resp::json(302, json!(null)).with("location", to);
        }
        let mut log: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        log.push("##[error]Process completed with exit code 1.".into());
        Resp {
            status: 200,
            headers: vec![],
            body: log.join("\n"),
        }
    })
    .await;
    *url.lock().unwrap() = server.url.clone();
    let (gh, budget) = counted(&server.url);
    let tail = gh.log_tail("acme/checkout", 5, 3).await.unwrap();
    // DownloadJobLogs answers with the redirect; DownloadJobLog reads where it points.
    assert_eq!(sent(&budget, Op::GitHubDownloadJobLogs), 1);
    assert_eq!(sent(&budget, Op::GitHubDownloadJobLog), 1);
    assert_eq!(
        tail,
        [
            "line 98",
            "line 99",
            "##[error]Process completed with exit code 1."
        ]
    );
    let reqs = server.requests();
    assert_eq!(reqs[0].path, "/repos/acme/checkout/actions/jobs/5/logs");
    assert!(
        reqs[1].header("authorization").is_none(),
        "the signed URL gets no token"
    );
}

#[tokio::test]
async fn read_only_sends_no_post() {
    let server = Server::start(|_| Resp::json(200, json!({"workflow_runs": []}))).await;
    let ro = ReadOnlyCi(Arc::new(client(&server.url)));
    for m in [
        GitHubCall::Dispatch {
            workflow: wf(),
            git_ref: "main".into(),
            inputs: vec![],
        },
        GitHubCall::CancelRun {
            repo: "acme/checkout".into(),
            run_id: 1,
        },
        GitHubCall::RerunFailed {
            repo: "acme/checkout".into(),
            run_id: 1,
        },
    ] {
        assert!(
            ro.act(&m, now_ms())
                .await
                .unwrap_err()
                .message
                .contains("read-only")
        );
    }
    ro.runs(&wf()).await.unwrap();
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET"]);
}

#[tokio::test]
async fn the_dialog_reads_the_inputs_from_the_workflow_file() {
    use base64::Engine;
    let yaml = "on:\n  workflow_dispatch:\n    inputs:\n      level:\n        type: choice\n        options: [info, debug]\n";
    let content = base64::engine::general_purpose::STANDARD.encode(yaml);
    let server =
        Server::start(move |_| Resp::json(200, json!({"content": content, "encoding": "base64"})))
            .await;
    let (gh, budget) = counted(&server.url);
    let inputs = gh.inputs(&wf(), "feature/x").await.unwrap();
    assert_eq!(inputs[0].name, "level");
    assert_eq!(
        server.requests()[0].path,
        "/repos/acme/checkout/contents/.github/workflows/build.yml?ref=feature%2Fx"
    );
    assert_eq!(sent(&budget, Op::GitHubGetContent), 1);
    assert_eq!(
        sent(&budget, Op::GitHubGetWorkflow),
        0,
        "a file name needs no look-up"
    );
}

#[tokio::test]
async fn a_workflow_given_by_id_is_looked_up_for_its_file() {
    use base64::Engine;
    let yaml = "on:\n  workflow_dispatch:\n    inputs:\n      dry_run:\n        type: boolean\n";
    let content = base64::engine::general_purpose::STANDARD.encode(yaml);
    let server = Server::start(move |r: &Req| {
        if r.path.ends_with("/actions/workflows/161335") {
            return Resp::json(
                200,
                json!({"id": 161335, "path": ".github/workflows/ship it.yml"}),
            );
        }
        Resp::json(200, json!({"content": content, "encoding": "base64"}))
    })
    .await;
    let (gh, budget) = counted(&server.url);
    let by_id = Workflow {
        repo: "acme/checkout".into(),
        workflow: "161335".into(),
    };
    let inputs = gh.inputs(&by_id, "main").await.unwrap();
    assert_eq!(inputs[0].name, "dry_run");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/checkout/actions/workflows/161335",
            "/repos/acme/checkout/contents/.github/workflows/ship%20it.yml?ref=main",
        ]
    );
    // GetWorkflow names the file; GetContent reads it.
    assert_eq!(sent(&budget, Op::GitHubGetWorkflow), 1);
    assert_eq!(sent(&budget, Op::GitHubGetContent), 1);
}

#[tokio::test]
async fn the_audit_names_the_login_and_never_the_token() {
    use deckwatch::model::{ActionPlan, Expectation, Verb};
    let server = Server::start(|r: &Req| {
        if r.path == "/user" {
            return Resp::json(200, json!({"login": "octocat"}));
        }
        Resp::json(200, json!({"workflow_run_id": 5, "html_url": "h"}))
    })
    .await;
    let (gh, budget) = counted(&server.url);
    let dir = tempfile::tempdir().unwrap();
    let audit = deckwatch::workers::audit::Audit::new(Some(dir.path().join("audit.jsonl")));
    let plan = ActionPlan {
        verb: Verb::Build,
        service: deckwatch::model::ServiceKey {
            cluster: "c".into(),
            name: "checkout".into(),
        },
        mutation: Mutation::GitHub(GitHubCall::Dispatch {
            workflow: wf(),
            git_ref: "main".into(),
            inputs: vec![],
        }),
        changes: vec![],
        expect: Expectation {
            primary_deployment: None,
            task_def: Default::default(),
            desired: 1,
            native_deployment: None,
            native_status: None,
            hook: None,
            codedeploy: None,
        },
        then: vec![],
        notes: vec![],
        early: None,
        actor: None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let done =
        deckwatch::workers::ci_runner::execute(&gh, &audit, &plan, &Default::default(), &tx).await;
    assert!(done.unwrap().contains("run 5 started"));
    assert!(matches!(
        rx.recv().await,
        Some(deckwatch::state::Msg::Dispatched(_, Some(5)))
    ));
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 2, "before and after");
    assert!(text.contains("\"github_login\":\"octocat\""), "{text}");
    assert!(!text.contains(TOKEN));
    // GetAuthenticatedUser (once: the login is kept), then CreateWorkflowDispatch.
    assert_eq!(sent(&budget, Op::GitHubGetAuthenticatedUser), 1);
    assert_eq!(sent(&budget, Op::GitHubCreateWorkflowDispatch), 1);
}

fn commit_json(i: usize) -> serde_json::Value {
    json!({
        "sha": format!("{i:07x}{}", "0".repeat(33)),
        "commit": {"message": format!("Change {i}\n\nIts body."),
                   "author": {"name": "A Person", "date": "2026-11-26T10:00:00Z"}},
        "author": if i.is_multiple_of(2) { json!({"login": "octocat"}) } else { json!(null) }
    })
}

/// The commits behind a deploy: GitHub's compare, asked again with its ETag (a 304 answers
/// with what was read before), at most 20 titles then a count, and an unknown commit said.
#[tokio::test]
async fn a_compare_is_asked_again_with_its_etag_and_an_unknown_commit_is_an_error() {
    let server = Server::start(|r: &Req| {
        if r.path.contains("/compare/aaaaaaa...bbbbbbb") {
            if r.header("if-none-match") == Some("\"c1\"") {
                return Resp::json(304, json!(null)).with("etag", "\"c1\"");
            }
            let commits: Vec<_> = (1..=25).map(commit_json).collect();
            return Resp::json(
                200,
                json!({"status": "ahead", "total_commits": 30, "commits": commits,
                       "html_url": "https://github.com/acme/checkout/compare/aaaaaaa...bbbbbbb"}),
            )
            .with("etag", "\"c1\"");
        }
        Resp::json(
            404,
            json!({"message": "No commit found for SHA: ccccccc", "status": "404"}),
        )
    })
    .await;
    let (gh, budget) = counted(&server.url);
    let q = deckwatch::model::commits::CompareQuery {
        repo: "acme/checkout".into(),
        base: "aaaaaaa".into(),
        head: "bbbbbbb".into(),
    };
    let first = gh.compare(&q).await.unwrap();
    let again = gh.compare(&q).await.unwrap();
    assert_eq!(first, again, "the 304 answers with the commits read before");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].path,
        "/repos/acme/checkout/compare/aaaaaaa...bbbbbbb"
    );
    assert_eq!(reqs[1].header("if-none-match"), Some("\"c1\""));
    assert_eq!(gh.counters().not_modified.load(Ordering::Relaxed), 1);
    let lines = deckwatch::model::commits::lines(&first);
    assert_eq!(lines.len(), 22, "{lines:#?}");
    assert_eq!(lines[0], "30 commit(s) aaaaaaa → bbbbbbb in acme/checkout:");
    // Newest first: the compare lists the oldest first.
    assert_eq!(lines[1], "  0000019 Change 25 (A Person)");
    assert_eq!(lines[2], "  0000018 Change 24 (octocat)");
    assert_eq!(lines[21], "  … and 10 more");

    let unknown = deckwatch::model::commits::CompareQuery {
        head: "ccccccc".into(),
        ..q
    };
    let err = gh.compare(&unknown).await.unwrap_err();
    assert!(err.to_string().contains("No commit found"), "{err}");
    assert_eq!(sent(&budget, Op::GitHubCompareCommits), 3);
}

/// A deploy's GitHub record: the Deployment created (201 with its id), then statuses that
/// name it; a 202 (GitHub merged the default branch and made no deployment) is an error, so
/// no status follows it.
#[tokio::test]
async fn a_deployment_is_created_and_its_statuses_name_it_and_a_202_is_no_deployment() {
    let merged = Arc::new(AtomicU32::new(0));
    let m2 = merged.clone();
    let server = Server::start(move |r: &Req| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/repos/acme/checkout/deployments") if m2.load(Ordering::SeqCst) == 1 => {
            Resp::json(
                202,
                json!({"message": "Auto-merged main into topic-branch on deployment."}),
            )
        }
        ("POST", "/repos/acme/checkout/deployments") => Resp::json(
            201,
            json!({"id": 4242, "sha": "0123456789abcdef0123456789abcdef01234567",
                   "environment": "prod"}),
        ),
        ("POST", "/repos/acme/checkout/deployments/4242/statuses") => {
            Resp::json(201, json!({"id": 1, "state": "in_progress"}))
        }
        _ => Resp::json(404, json!({"message": "Not Found"})),
    })
    .await;
    let (gh, budget) = counted(&server.url);
    let create = GitHubCall::CreateDeployment {
        repo: "acme/checkout".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        environment: "prod".into(),
        description: "deckwatch: deploy prod/checkout".into(),
    };
    let made = gh.act(&create, now_ms()).await.unwrap().unwrap();
    assert_eq!(made.run_id, Some(4242));
    for state in ["in_progress", "success"] {
        let status = GitHubCall::DeploymentStatus {
            repo: "acme/checkout".into(),
            deployment_id: made.run_id,
            state: state.into(),
            description: "deckwatch: deploy prod/checkout".into(),
        };
        assert_eq!(gh.act(&status, now_ms()).await.unwrap(), None);
    }
    let reqs = server.requests();
    let paths: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("POST", "/repos/acme/checkout/deployments"),
            ("POST", "/repos/acme/checkout/deployments/4242/statuses"),
            ("POST", "/repos/acme/checkout/deployments/4242/statuses"),
        ]
    );
    let body: serde_json::Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(body["ref"], "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(body["environment"], "prod");
    assert_eq!(body["auto_merge"], false);
    let states: Vec<serde_json::Value> = reqs[1..]
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["state"].clone())
        .collect();
    assert_eq!(states, [json!("in_progress"), json!("success")]);
    assert_eq!(sent(&budget, Op::GitHubCreateDeployment), 1);
    assert_eq!(sent(&budget, Op::GitHubCreateDeploymentStatus), 2);

    merged.store(1, Ordering::SeqCst);
    let err = gh.act(&create, now_ms()).await.unwrap_err();
    assert!(err.to_string().contains("made no deployment"), "{err}");
    assert!(err.to_string().contains("Auto-merged"), "{err}");
}

#[tokio::test]
async fn describe_shows_the_run_as_github_returned_it() {
    let mut run = run_json(42, "completed", Some("failure"));
    // A value carrying an escape: the screen gets the text without it.
    run["display_title"] = json!("fix \u{1b}[31mred\u{1b}[0m build");
    let body = run.clone();
    let server = Server::start(move |r: &Req| {
        if r.path == "/repos/acme/checkout/actions/runs/42" {
            Resp::json(200, body.clone())
        } else {
            Resp::json(404, json!({"message": "Not Found"}))
        }
    })
    .await;
    let gh = client(&server.url);
    let target = deckwatch::model::RunRef {
        repo: "acme/checkout".into(),
        id: 42,
    };
    let doc = gh.run_raw(&target).await.unwrap();
    assert_eq!(doc.operation, Op::GitHubGetWorkflowRun.name());
    assert!(doc.lines.iter().all(|l| !l.contains('\u{1b}')));
    let shown: serde_json::Value = serde_json::from_str(&doc.lines.join("\n")).unwrap();
    for field in [
        "id",
        "status",
        "conclusion",
        "head_sha",
        "html_url",
        "actor",
    ] {
        assert_eq!(shown[field], run[field], "{field}");
    }
    // JSON carries the escape as the six characters `\u001b`: shown as written, harmless.
    assert_eq!(shown["display_title"], run["display_title"]);
    assert!(doc.lines.iter().any(|l| l.contains("fix \\u001b[31mred")));
    // One request, to the run named.
    assert_eq!(server.requests().len(), 1);
    let missing = deckwatch::model::RunRef { id: 43, ..target };
    assert!(gh.run_raw(&missing).await.is_err());
}
