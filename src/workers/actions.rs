//! The action runner: re-reads the service just before the call, refuses if anything the user
//! saw has changed, writes the audit record before and after, and reports back by message.

use super::audit::{Audit, Phase};
use crate::cloud::Fleet;
use crate::model::{ActionPlan, ContextInfo, Expectation};
use crate::state::Msg;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::mpsc;

pub async fn run(
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    plan: ActionPlan,
    ctx: ContextInfo,
    tx: mpsc::Sender<Msg>,
) {
    let result = execute(fleet.as_ref(), &audit, &plan, &ctx).await;
    let _ = tx.send(Msg::ActionDone(result)).await;
}

/// Does the action; Ok carries what was done, Err why nothing (or not all) was.
pub async fn execute(
    fleet: &dyn Fleet,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> Result<String, String> {
    let what = format!("{} {}", plan.verb, plan.service);
    if fleet.read_only() {
        audit_or_log(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": ["read-only"]}),
        );
        return Err(format!(
            "{what}: refused, the console is read-only; nothing was sent"
        ));
    }
    let services = fleet
        .services()
        .await
        .map_err(|e| format!("{what}: could not re-read the service, nothing was sent: {e}"))?;
    let now = services
        .iter()
        .find(|s| s.key() == plan.service)
        .map(Expectation::of);
    let changed = match &now {
        Some(now) => plan.expect.changes_since(now),
        None => vec!["the service is gone".to_string()],
    };
    if !changed.is_empty() {
        let why = format!(
            "{what}: refused, the service changed since the dialog opened ({}); nothing was sent",
            changed.join("; ")
        );
        audit_or_log(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": changed}),
        );
        return Err(why);
    }
    // Written before the call: a record exists even if the process dies while it is in flight.
    if let Err(e) = audit.record(Phase::Before, ctx, plan, json!(null)) {
        return Err(format!(
            "{what}: refused, the audit log cannot be written ({e}); nothing was sent"
        ));
    }
    let result = fleet.act(&plan.service, &plan.mutation).await;
    let outcome = match &result {
        Ok(()) => json!({"result": "ok"}),
        Err(e) => json!({"error": e.to_string()}),
    };
    audit_or_log(audit, Phase::After, ctx, plan, outcome);
    match result {
        Ok(()) => Ok(format!("{what}: sent {}", plan.mutation)),
        Err(e) => Err(format!("{what}: failed: {e}")),
    }
}

fn audit_or_log(
    audit: &Audit,
    phase: Phase,
    ctx: &ContextInfo,
    plan: &ActionPlan,
    outcome: serde_json::Value,
) {
    if let Err(e) = audit.record(phase, ctx, plan, outcome) {
        tracing::error!(error = %e, ?phase, "audit record not written");
    }
}
