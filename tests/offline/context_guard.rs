//! The action runner re-checks the context before anything is sent: an action planned in one
//! account or region never runs in another, whatever the layers above did.

use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{ActionError, ContextInfo, HookStatus, Verb};
use deckwatch::state::Msg;
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner;
use std::sync::Arc;
use tokio::sync::mpsc;

use crate::support::testkit::EPOCH;

async fn promote_checkout(fleet: Arc<SimFleet>, ctx: ContextInfo) -> (Msg, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));
    let services = fleet.services().await.unwrap();
    let checkout = services.iter().find(|s| s.name == "checkout").unwrap();
    let plan = for_verb(Verb::Promote, checkout, &services, None).unwrap();
    let (tx, mut rx) = mpsc::channel(4);
    let ci = Arc::new(deckwatch::ci::NoCi {
        why: "no CI in this test".into(),
    });
    runner::run(fleet, ci, audit, plan, ctx, 1, tx).await;
    let records = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rx.recv().await.unwrap(), records)
}

async fn hook_status(fleet: &SimFleet) -> HookStatus {
    let services = fleet.services().await.unwrap();
    let checkout = services.iter().find(|s| s.name == "checkout").unwrap();
    checkout
        .native
        .as_ref()
        .unwrap()
        .hook
        .as_ref()
        .unwrap()
        .status
        .clone()
}

/// The demo's context as the header knew it when the plan was made.
async fn planned_in(fleet: &SimFleet) -> ContextInfo {
    ContextInfo {
        name: "demo".into(),
        ..fleet.context().await.unwrap()
    }
}

#[tokio::test(start_paused = true)]
async fn an_action_planned_in_another_account_is_refused_and_nothing_is_sent() {
    let fleet = Arc::new(SimFleet::new(EPOCH));
    let ctx = planned_in(&fleet).await;
    // The backend now calls another account (the context changed under the plan).
    fleet.with_world(|w| w.account = "222233334444".into());
    let (msg, audit) = promote_checkout(fleet.clone(), ctx.clone()).await;
    let Msg::ActionDone(done) = &msg else {
        panic!("no outcome: {msg:?}");
    };
    let Err(ActionError::Context { cause, .. }) = &done.result else {
        panic!("not refused for its context: {msg:?}");
    };
    assert!(cause.contains(&ctx.account), "{cause}");
    assert!(cause.contains("222233334444"), "{cause}");
    assert_eq!(
        hook_status(&fleet).await,
        HookStatus::AwaitingAction,
        "nothing was sent"
    );
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["phase"], "refused", "{}", audit[0]);
}

#[tokio::test(start_paused = true)]
async fn an_action_planned_in_another_region_is_refused() {
    let fleet = Arc::new(SimFleet::new(EPOCH));
    let ctx = ContextInfo {
        region: "us-east-1".into(),
        ..planned_in(&fleet).await
    };
    let (msg, _) = promote_checkout(fleet.clone(), ctx).await;
    assert!(
        matches!(&msg, Msg::ActionDone(d) if matches!(d.result, Err(ActionError::Context { .. }))),
        "{msg:?}"
    );
    assert_eq!(hook_status(&fleet).await, HookStatus::AwaitingAction);
}

#[tokio::test(start_paused = true)]
async fn an_action_in_the_context_it_was_planned_in_runs() {
    let fleet = Arc::new(SimFleet::new(EPOCH));
    let ctx = planned_in(&fleet).await;
    let (msg, _) = promote_checkout(fleet.clone(), ctx).await;
    assert!(
        matches!(&msg, Msg::ActionDone(d) if d.result.is_ok()),
        "{msg:?}"
    );
    assert_eq!(hook_status(&fleet).await, HookStatus::Succeeded);
}
