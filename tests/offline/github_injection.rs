//! A service tag cannot rewrite the path of a GitHub call. The tag
//! `acme/checkout/actions/runs/8001/cancel?x=` once made `B` `y` send
//! `POST /repos/acme/checkout/actions/runs/8001/cancel?x=/actions/…/dispatches`, cancelling run
//! 8001, and the builds poller send GETs to injected paths. Here the real GitHub client, the
//! reducer, the runner and the CI worker meet that tag and an in-test server that records
//! every request: nothing reaches it, and the console says which tag of which service is why.

use crate::support::gh_server::{Req, Resp, Server};
use crate::support::testkit::EPOCH;
use crate::support::testkit::{Feed, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::ci::Ci;
use deckwatch::ci::github::{GitHub, Secret};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{BuildSource, GitHubCall, Workflow};
use deckwatch::state::builds::CiWatch;
use deckwatch::state::{Effect, Msg, State, update};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::{ci, runner};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const INJECTED: &str = "acme/checkout/actions/runs/8001/cancel?x=";

/// GitHub as far as a dispatch, a cancel or a run list goes: it answers every request.
async fn server() -> Server {
    Server::start(|r: &Req| {
        if r.path == "/user" {
            return Resp::json(200, json!({"login": "octocat"}));
        }
        if r.method == "POST" {
            return Resp::json(202, json!({}));
        }
        if r.path.contains("/contents/") {
            return Resp::json(200, json!({"content": "b246IHdvcmtmbG93X2Rpc3BhdGNo"}));
        }
        Resp::json(
            200,
            json!({"total_count": 0, "workflow_runs": [], "jobs": []}),
        )
    })
    .await
}

fn client(url: &str) -> Arc<dyn Ci> {
    Arc::new(GitHub::new(url, Secret::new("ghp_t"), Arc::default()).unwrap())
}

fn injected() -> Workflow {
    Workflow {
        repo: INJECTED.into(),
        workflow: "build.yml".into(),
    }
}

#[tokio::test]
async fn no_call_of_the_client_sends_a_repo_that_is_not_owner_and_name() {
    let server = server().await;
    let gh = client(&server.url);
    let w = injected();
    let mut errors = vec![
        gh.runs(&w).await.map(drop),
        gh.run(&w, 1).await.map(drop),
        gh.jobs(INJECTED, 1).await.map(drop),
        gh.log_tail(INJECTED, 1, 10).await.map(drop),
        gh.inputs(&w, "main").await.map(drop),
        // `:describe` of a run.
        gh.run_raw(&deckwatch::model::RunRef {
            repo: INJECTED.into(),
            id: 1,
        })
        .await
        .map(drop),
    ];
    for m in [
        GitHubCall::Dispatch {
            workflow: w.clone(),
            git_ref: "main".into(),
            inputs: Vec::new(),
        },
        GitHubCall::CancelRun {
            repo: INJECTED.into(),
            run_id: 1,
        },
        GitHubCall::RerunFailed {
            repo: INJECTED.into(),
            run_id: 1,
        },
    ] {
        errors.push(gh.act(&m, EPOCH).await.map(drop));
    }
    // A workflow that climbs out of .github/workflows is refused the same way.
    let climbing = Workflow {
        repo: "acme/checkout".into(),
        workflow: "../../actions/runs/8001/cancel".into(),
    };
    errors.push(gh.runs(&climbing).await.map(drop));
    errors.push(gh.inputs(&climbing, "main").await.map(drop));
    for e in errors {
        let e = e.expect_err("refused");
        assert!(e.message.contains("nothing was sent"), "{e}");
    }
    let sent: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(sent.is_empty(), "sent: {sent:?}");
}

#[tokio::test]
async fn every_path_segment_and_query_value_is_encoded() {
    let server = server().await;
    let gh = client(&server.url);
    let w = Workflow {
        repo: "acme/checkout".into(),
        workflow: "build prod?.yml".into(),
    };
    gh.runs(&w).await.unwrap();
    let _ = gh.inputs(&w, "feature/a&b=c#d").await;
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/checkout/actions/workflows/build%20prod%3F.yml/runs?per_page=10",
            "/repos/acme/checkout/contents/.github/workflows/build%20prod%3F.yml?ref=feature%2Fa%26b%3Dc%23d",
        ]
    );
}

fn key(s: &mut State, c: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

/// Carries out effects as the loop would: the inputs read, a confirmed action run.
async fn apply(state: &mut State, fleet: &Arc<SimFleet>, gh: &Arc<dyn Ci>, fx: Vec<Effect>) {
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    for e in fx {
        match e {
            Effect::LoadInputs(w, r) => {
                let got = gh.inputs(&w, &r).await;
                let _ = update(state, Msg::BuildInputs(w, r, got));
            }
            Effect::Run(plan, ctx, job) => {
                let (tx, mut rx) = mpsc::channel(8);
                let f: Arc<dyn Fleet> = fleet.clone();
                runner::run(f, gh.clone(), audit.clone(), *plan, ctx, job, tx).await;
                while let Ok(m) = rx.try_recv() {
                    let _ = update(state, m);
                }
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn b_then_y_on_a_service_tagged_with_a_path_sends_nothing_and_names_the_tag() {
    let server = server().await;
    let gh = client(&server.url);
    let fleet = Arc::new(SimFleet::new(EPOCH));
    let mut state = StateBuilder::demo(EPOCH).with_services().build();
    let mut services = fleet.services().await.unwrap();
    let target = state.ctx.selected_service().unwrap().key();
    let svc = services.iter_mut().find(|s| s.key() == target).unwrap();
    svc.build = BuildSource::from_tags([
        ("deckwatch:repo", INJECTED),
        ("deckwatch:workflow", "build.yml"),
    ]);
    Feed::following(&state).services(&mut state, services, EPOCH);
    let fx = key(&mut state, KeyCode::Char('B'));
    apply(&mut state, &fleet, &gh, fx).await;
    let fx = key(&mut state, KeyCode::Char('y'));
    apply(&mut state, &fleet, &gh, fx).await;
    let sent: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(sent.is_empty(), "sent: {sent:?}");
    let said = state
        .flash
        .as_ref()
        .map(|f| f.0.clone())
        .unwrap_or_default();
    assert!(said.contains(&target.to_string()), "{said}");
    assert!(
        said.contains(&format!("tag deckwatch:repo = {INJECTED:?}")),
        "{said}"
    );
    assert!(said.contains("nothing was sent"), "{said}");
}

#[tokio::test]
async fn the_builds_poller_sends_no_get_to_an_injected_path() {
    let server = server().await;
    let gh = client(&server.url);
    let (tx, mut rx) = mpsc::channel(64);
    let handles = ci::spawn(gh, tx);
    let good = Workflow {
        repo: "acme/payments".into(),
        workflow: "build.yml".into(),
    };
    handles
        .watch
        .send(CiWatch {
            workflows: vec![injected(), good],
            visible: true,
            detail: None,
            mine: Vec::new(),
        })
        .unwrap();
    // One poll: its runs, or what failed, come back.
    let mut msgs = Vec::new();
    while msgs.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(m)) => msgs.push(m),
            _ => break,
        }
    }
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().all(|p| p.starts_with("/repos/acme/payments/")),
        "{paths:?}"
    );
}
