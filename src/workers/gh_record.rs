//! The action runner's GitHub calls that follow AWS ones: a deploy's GitHub Deployment and its
//! statuses. Each waits as the plan says (the `success` status until the service is stable),
//! is audited before and after like every call, and names the deployment the first created.

use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::model::Ms;
use crate::model::{ActionPlan, ContextInfo, FollowUp, GitHubCall, Mutation, StepError};
use crate::workers::audit::{Audit, Phase};
use crate::workers::runner::{audit_or_log, wait_until_ready};
use serde_json::json;

/// One GitHub call of a plan; `created` carries the deployment CreateDeployment made to the
/// status calls after it.
pub async fn follow_up(
    fleet: &dyn Fleet,
    ci: Option<&dyn Ci>,
    audit: &Audit,
    plan: &ActionPlan,
    f: &FollowUp,
    ctx: &ContextInfo,
    created: &mut Option<u64>,
) -> Result<(), StepError> {
    let call_text = f.mutation.to_string();
    let ci = ci.ok_or_else(|| StepError::Call {
        call: call_text.clone(),
        cause: "no GitHub client to send it".into(),
    })?;
    let mutation = resolve(&f.mutation, *created).ok_or_else(|| StepError::Call {
        call: call_text.clone(),
        cause: "no deployment was created before it".into(),
    })?;
    let step = ActionPlan {
        service: f.service.clone(),
        mutation,
        then: Vec::new(),
        ..plan.clone()
    };
    if wait_until_ready(fleet, plan, f).await?.is_none() {
        audit_or_log(
            audit,
            Phase::Refused,
            ctx,
            &step,
            json!({"refused": ["not stable in time"]}),
        );
        return Err(StepError::NotStable {
            service: plan.service.clone(),
            minutes: (crate::timing::RUNNER_STABLE_WAIT_MS / Ms::MINUTE) as u64,
            call: call_text,
        });
    }
    audit
        .record(Phase::Before, ctx, &step, json!(null))
        .map_err(|e| StepError::Audit(e.to_string()))?;
    let Mutation::GitHub(call) = &step.mutation else {
        return Ok(());
    };
    let result = ci.act(call, crate::timing::now_ms()).await;
    let outcome = match &result {
        Ok(d) => json!({"result": "ok", "github_deployment": d.as_ref().and_then(|d| d.run_id)}),
        Err(e) => json!({"error": e.to_string()}),
    };
    audit_or_log(audit, Phase::After, ctx, &step, outcome);
    let answer = result.map_err(|e| StepError::Call {
        call: step.mutation.to_string(),
        cause: e.to_string(),
    })?;
    if matches!(call, GitHubCall::CreateDeployment { .. }) {
        *created = answer.and_then(|d| d.run_id);
    }
    Ok(())
}

/// A status call names the deployment created before it.
fn resolve(m: &Mutation, created: Option<u64>) -> Option<Mutation> {
    match m {
        Mutation::GitHub(GitHubCall::DeploymentStatus {
            repo,
            deployment_id: None,
            state,
            description,
        }) => Some(Mutation::GitHub(GitHubCall::DeploymentStatus {
            repo: repo.clone(),
            deployment_id: Some(created?),
            state: state.clone(),
            description: description.clone(),
        })),
        other => Some(other.clone()),
    }
}
