//! The GitHub client's behaviour over time, against a stateful in-test HTTP server: a run
//! moving from queued to completed, ETags answered with 304, a missing or bad token, rate
//! limits (primary and secondary) obeyed without a call storm, the 204 dispatch fallback, the
//! log redirect, and read-only sending no POST.

use crate::support::gh_server::{Req, Resp, Server};
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::ci::{Ci, ReadOnlyCi};
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
    let reset = now_ms() / 1000 + 1800;
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
    assert_eq!(gh.waiting_until(), Some(reset * 1000));
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
        until >= before + 90_000 && until <= now_ms() + 90_000,
        "{until}"
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
    let gh = client(&server.url);
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
    let gh = client(&server.url);
    let tail = gh.log_tail("acme/checkout", 5, 3).await.unwrap();
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
    let gh = client(&server.url);
    let inputs = gh.inputs(&wf(), "feature/x").await.unwrap();
    assert_eq!(inputs[0].name, "level");
    assert_eq!(
        server.requests()[0].path,
        "/repos/acme/checkout/contents/.github/workflows/build.yml?ref=feature%2Fx"
    );
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
    let gh = client(&server.url);
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
    assert_eq!(doc.operation, "github:GetWorkflowRun");
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
