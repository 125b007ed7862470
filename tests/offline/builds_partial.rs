//! One bad part must not cost the builds pane the whole: a run without an `id` is left out and
//! counted (its workflow's other runs stay), and a mapped workflow answering 404 is named while
//! the others stay fresh. The real GitHub client and CI worker, against an in-test server, into
//! the reducer.

use crate::support::gh_server::{Req, Resp, Server};
use crate::support::testkit::StateBuilder;
use deckwatch::ci::Ci;
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::model::At;
use deckwatch::model::Workflow;
use deckwatch::state::builds::CiWatch;
use deckwatch::state::{Msg, update};
use deckwatch::workers::ci;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const EPOCH: i64 = 1_790_000_000_000;

fn run_json(id: Option<u64>, repo: &str) -> serde_json::Value {
    let mut v = json!({
        "name": "build", "run_number": 7, "run_attempt": 1, "status": "completed",
        "conclusion": "success", "head_branch": "main",
        "head_sha": "0123456789abcdef0123456789abcdef01234567", "event": "push",
        "actor": {"login": "octocat"}, "created_at": "2026-11-26T10:00:00Z",
        "updated_at": "2026-11-26T10:03:00Z", "html_url": format!("https://github.com/{repo}")
    });
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

fn workflow(repo: &str) -> Workflow {
    Workflow {
        repo: repo.into(),
        workflow: "build.yml".into(),
    }
}

#[tokio::test]
async fn a_run_without_an_id_and_a_workflow_answering_404_cost_only_themselves() {
    let server = Server::start(|r: &Req| {
        if r.path.starts_with("/repos/acme/gone/") {
            return Resp::json(404, json!({"message": "Not Found"}));
        }
        if r.path.contains("/jobs") {
            return Resp::json(200, json!({"total_count": 0, "jobs": []}));
        }
        let runs = if r.path.starts_with("/repos/acme/odd/") {
            vec![
                run_json(Some(11), "acme/odd"),
                run_json(None, "acme/odd"),
                run_json(Some(12), "acme/odd"),
            ]
        } else {
            vec![run_json(Some(21), "acme/fine")]
        };
        Resp::json(
            200,
            json!({"total_count": runs.len(), "workflow_runs": runs}),
        )
    })
    .await;
    let gh: Arc<dyn Ci> =
        Arc::new(GitHub::new(&server.url, Secret::new("t"), Arc::default()).unwrap());
    let (tx, mut rx) = mpsc::channel(64);
    let handles = ci::spawn(gh, tx);
    let watch = CiWatch {
        workflows: vec![
            workflow("acme/fine"),
            workflow("acme/gone"),
            workflow("acme/odd"),
        ],
        visible: true,
        detail: None,
        mine: Vec::new(),
    };
    handles.watch.send(watch).unwrap();
    let mut state = StateBuilder::demo(At(EPOCH)).build();
    // One poll, up to the rate report that ends it.
    loop {
        let m = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("the poll ends")
            .expect("the worker runs");
        let last = matches!(m, Msg::CiRate(..));
        let _ = update(&mut state, m);
        if last {
            break;
        }
    }
    let mut ids: Vec<u64> = state.builds.runs.items.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, [11, 12, 21], "the runs that could be read are shown");
    assert!(state.builds.runs.fetched_at.is_some());
    let e = state
        .builds
        .runs
        .error
        .clone()
        .expect("what failed is said");
    assert!(e.partial, "{e:?}");
    let text = e.to_string();
    assert!(text.contains("acme/gone build.yml"), "{text}");
    assert!(text.contains("404"), "{text}");
    assert!(
        text.contains("acme/odd build.yml: 1 run without an id left out"),
        "{text}"
    );
}
