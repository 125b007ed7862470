//! A confirmed action as the console carries it out: `runner::run`, so the tests go through
//! the action's priority with the API budget, the same-account check (STS, against the context
//! the action was planned in), the audit records before and after, and the shipping of the
//! records to the team's log group, not only the calls.

use deckwatch::ci::{Ci, NoCi};
use deckwatch::cloud::Fleet;
use deckwatch::model::{ActionPlan, ActionResult, ContextInfo};
use deckwatch::state::Msg;
use deckwatch::state::jobs::JobId;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Runs `plan` as the loop's effect would, and returns what the runner reported.
pub async fn run_action(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> ActionResult {
    run_action_with(fleet, audit, plan, ctx).await.0
}

/// The same, with every message the runner sent besides its outcome.
pub async fn run_action_with(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> (ActionResult, Vec<Msg>) {
    let mut outcome = None;
    let mut others = Vec::new();
    for m in runner_says(fleet, audit, (plan.clone(), ctx.clone(), 0)).await {
        match m {
            Msg::ActionDone(r) => outcome = Some(r.result),
            m => others.push(m),
        }
    }
    (outcome.expect("the runner reports its outcome"), others)
}

/// Every message the runner sent the loop for the started job `(plan, ctx, job)`, in order.
pub async fn runner_says(
    fleet: &Arc<dyn Fleet>,
    audit: &Arc<Audit>,
    (plan, ctx, job): (ActionPlan, ContextInfo, JobId),
) -> Vec<Msg> {
    let ci: Arc<dyn Ci> = Arc::new(NoCi {
        why: "no GitHub in this test".into(),
    });
    let (tx, mut rx) = mpsc::channel(64);
    runner::run(fleet.clone(), ci, audit.clone(), plan, ctx, job, tx).await;
    let mut out = Vec::new();
    while let Some(m) = rx.recv().await {
        out.push(m);
    }
    out
}
