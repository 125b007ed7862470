//! The action runner's GitHub side: re-reads the run a cancel or rerun acts on, writes the
//! audit records (with the GitHub login, never the token) before and after, and reports the
//! run a dispatch started.

use crate::ci::{Ci, Dispatched};
use crate::model::{
    ActionError, ActionPlan, ActionResult, ApiError, ApiResult, Conclusion, ContextInfo, ErrorKind,
    GitHubCall, Mutation, StepError, Workflow,
};
use crate::state::Msg;
use crate::timing::now_ms;
use crate::workers::audit::{Audit, Phase};
use serde_json::json;
use tokio::sync::mpsc;

fn record(audit: &Audit, phase: Phase, ctx: &ContextInfo, plan: &ActionPlan, v: serde_json::Value) {
    if let Err(e) = audit.record(phase, ctx, plan, v) {
        tracing::error!(error = %e, ?phase, "audit record not written");
    }
}

/// The plan's call, sent to GitHub; an AWS call never reaches this runner.
async fn send(ci: &dyn Ci, plan: &ActionPlan) -> ApiResult<Option<Dispatched>> {
    match &plan.mutation {
        Mutation::GitHub(call) => ci.act(call, now_ms()).await,
        Mutation::Aws(call) => Err(ApiError::new(
            ErrorKind::Other,
            format!("{call} is not a GitHub call"),
        )),
    }
}

/// Why a cancel or rerun no longer applies to the run as it is now, if it does not.
async fn changed(ci: &dyn Ci, plan: &ActionPlan) -> ApiResult<Vec<String>> {
    let (repo, id, cancel) = match &plan.mutation {
        Mutation::GitHub(GitHubCall::CancelRun { repo, run_id }) => (repo, *run_id, true),
        Mutation::GitHub(GitHubCall::RerunFailed { repo, run_id }) => (repo, *run_id, false),
        _ => return Ok(Vec::new()),
    };
    let w = Workflow {
        repo: repo.clone(),
        workflow: String::new(),
    };
    let run = ci.run(&w, id).await?;
    let now = run
        .conclusion
        .as_ref()
        .map_or(run.status.to_string(), ToString::to_string);
    let ok = if cancel {
        run.status.is_open()
    } else {
        !run.status.is_open() && run.conclusion.as_ref().is_some_and(Conclusion::is_failure)
    };
    Ok(if ok {
        Vec::new()
    } else {
        vec![format!("run #{} is now {now}", run.number)]
    })
}

/// Refused, and audited so, in read-only or when the run changed since the dialog opened.
async fn refuse_if_changed(
    ci: &dyn Ci,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
    what: &str,
) -> Result<(), ActionError> {
    if ci.read_only() {
        record(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": ["read-only"]}),
        );
        return Err(ActionError::ReadOnly { what: what.into() });
    }
    let changes = changed(ci, plan).await.map_err(|e| ActionError::Reread {
        what: what.into(),
        cause: e.to_string(),
    })?;
    if !changes.is_empty() {
        record(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": changes}),
        );
        return Err(ActionError::Changed {
            what: what.into(),
            changes,
        });
    }
    Ok(())
}

pub async fn execute(
    ci: &dyn Ci,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
    tx: &mpsc::Sender<Msg>,
) -> ActionResult {
    let what = format!("{} {}", plan.verb, plan.service);
    refuse_if_changed(ci, audit, plan, ctx, &what).await?;
    let login = ci.login().await.map_err(|e| ActionError::FirstCall {
        what: what.clone(),
        cause: StepError::Call {
            call: "GET /user (the login the audit record names)".into(),
            cause: e.to_string(),
        },
    })?;
    audit
        .record(Phase::Before, ctx, plan, json!({"github_login": login}))
        .map_err(|e| ActionError::FirstCall {
            what: what.clone(),
            cause: StepError::Audit(e.to_string()),
        })?;
    let result = send(ci, plan).await;
    let run_id = result.as_ref().ok().and_then(|d| d.as_ref()?.run_id);
    let outcome = match &result {
        Ok(_) => json!({"result": "ok", "github_login": login, "run_id": run_id}),
        Err(e) => json!({"error": e.to_string(), "github_login": login}),
    };
    record(audit, Phase::After, ctx, plan, outcome);
    let dispatched = result.map_err(|e| ActionError::FirstCall {
        what: what.clone(),
        cause: StepError::Call {
            call: plan.mutation.to_string(),
            cause: e.to_string(),
        },
    })?;
    Ok(report(tx, &what, plan, dispatched).await)
}

/// What was done; a dispatch also tells the loop which run to follow.
async fn report(
    tx: &mpsc::Sender<Msg>,
    what: &str,
    plan: &ActionPlan,
    dispatched: Option<crate::ci::Dispatched>,
) -> String {
    let Mutation::GitHub(GitHubCall::Dispatch { workflow, .. }) = &plan.mutation else {
        return format!("{what}: sent {}", plan.mutation);
    };
    let run_id = dispatched.as_ref().and_then(|d| d.run_id);
    let _ = tx.send(Msg::Dispatched(workflow.clone(), run_id)).await;
    match (run_id, dispatched.and_then(|d| d.html_url)) {
        (Some(id), Some(url)) => format!("{what}: run {id} started ({url}); 6 shows it"),
        (Some(id), None) => format!("{what}: run {id} started; 6 shows it"),
        (None, _) => format!("{what}: dispatched; GitHub named no run and none was found yet"),
    }
}
