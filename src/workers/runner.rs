//! The action runner: re-reads the service just before the call, refuses if anything the user
//! saw has changed, writes the audit record before and after, and reports back by message.

use crate::budget::{Priority, with_priority};
use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::model::{
    ActionError, ActionPlan, ActionResult, ApiError, AwsCall, ContextInfo, ErrorKind, Expectation,
    FollowUp, Mutation, Service, ServiceKey, StepError, TaskDefRef, weights_text,
};
use crate::state::jobs::{JobDone, JobId};
use crate::state::{ConnectionEvent, Msg, TeamAudit};
use crate::workers::audit::{Audit, Phase, RecordContext};
use crate::workers::team_audit;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub async fn run(
    fleet: Arc<dyn Fleet>,
    ci: Arc<dyn Ci>,
    audit: Arc<Audit>,
    plan: ActionPlan,
    ctx: ContextInfo,
    job: JobId,
    tx: mpsc::Sender<Msg>,
) {
    // A confirmed action never waits behind polls for the API budget.
    let (mut result, registered) = if plan.mutation.is_ci() {
        let call = crate::workers::ci_runner::execute(ci.as_ref(), &audit, &plan, &ctx, &tx);
        (with_priority(Priority::Action, call).await, None)
    } else {
        let call = async {
            match same_account(fleet.as_ref(), &audit, &plan, &ctx).await {
                Err(e) => (Err(e), None),
                Ok(()) => execute_job(fleet.as_ref(), Some(ci.as_ref()), &audit, &plan, &ctx).await,
            }
        };
        with_priority(Priority::Action, call).await
    };
    let team = with_priority(Priority::Action, ship_pending(fleet.as_ref(), &audit, &ctx)).await;
    if let (Ok(done), Some(TeamAudit::Unsent { count, why })) = (&mut result, &team) {
        let group = audit.remote_group.as_deref().unwrap_or_default();
        done.push_str(&format!(
            " · {count} audit record(s) not yet in {group} ({why}); kept to send again"
        ));
    }
    if let Some(t) = team {
        let _ = tx
            .send(Msg::Connection(ConnectionEvent::TeamAudit(t)))
            .await;
    }
    let done = JobDone {
        job,
        result,
        registered,
    };
    let _ = tx.send(Msg::ActionDone(Box::new(done))).await;
}

/// Refuses unless the backend still calls the account and region the action was planned in
/// (as far as the console knew them): an action planned in one context never runs in another.
async fn same_account(
    fleet: &dyn Fleet,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> Result<(), ActionError> {
    let cause = match fleet.identity().await {
        Err(e) => format!("the account could not be confirmed ({e})"),
        Ok((account, region)) => {
            let account_differs = !ctx.account.is_empty() && account != ctx.account;
            let region_differs = !ctx.region.is_empty() && region != ctx.region;
            if !account_differs && !region_differs {
                return Ok(());
            }
            format!(
                "it was planned in account {} ({}) but the console now calls account {account} \
                 ({region})",
                ctx.account, ctx.region
            )
        }
    };
    audit_or_log(
        audit,
        Phase::Refused,
        ctx,
        plan,
        json!({"refused": [cause]}),
    );
    Err(ActionError::Context {
        what: format!("{} {}", plan.verb, plan.service),
        cause,
    })
}

/// Does the action; Ok carries what was done, Err why nothing (or not all) was.
pub async fn execute(
    fleet: &dyn Fleet,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> ActionResult {
    execute_with(fleet, None, audit, plan, ctx).await
}

/// `execute`, with the CI that later GitHub calls of the plan go to (its deployment record).
pub async fn execute_with(
    fleet: &dyn Fleet,
    ci: Option<&dyn Ci>,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> ActionResult {
    execute_job(fleet, ci, audit, plan, ctx).await.0
}

/// `execute_with`, with the revision RegisterTaskDefinition returned when the plan registered
/// one: the job's watch follows that revision, not one guessed when the plan was made.
pub async fn execute_job(
    fleet: &dyn Fleet,
    ci: Option<&dyn Ci>,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> (ActionResult, Option<TaskDefRef>) {
    let result = calls(fleet, ci, audit, plan, ctx).await;
    match result {
        Ok((done, registered)) => (Ok(done), registered),
        Err(e) => (Err(e), None),
    }
}

/// The plan's calls, re-checked and audited; Ok says what was done and what was registered.
async fn calls(
    fleet: &dyn Fleet,
    ci: Option<&dyn Ci>,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
) -> Result<(String, Option<TaskDefRef>), ActionError> {
    let what = format!("{} {}", plan.verb, plan.service);
    let known;
    let ctx = if ctx.caller_arn.is_empty() {
        known = with_caller(fleet, ctx).await;
        &known
    } else {
        ctx
    };
    if fleet.read_only() {
        audit_or_log(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": ["read-only"]}),
        );
        return Err(ActionError::ReadOnly { what });
    }
    let services = match fleet.services().await {
        Ok(s) => s,
        Err(e) => {
            let cause = e.to_string();
            return Err(ActionError::Reread { what, cause });
        }
    };
    let changed = plan_changes(&services, plan);
    if !changed.is_empty() {
        audit_or_log(
            audit,
            Phase::Refused,
            ctx,
            plan,
            json!({"refused": changed}),
        );
        return Err(ActionError::Changed {
            what,
            changes: changed,
        });
    }
    let registered = match call_audited(fleet, audit, ctx, plan).await {
        Ok(r) => r,
        Err(cause) => return Err(ActionError::FirstCall { what, cause }),
    };
    if let Err((i, e)) = follow_ups(fleet, ci, audit, plan, ctx, registered.as_ref()).await {
        return Err(partly_done(what, plan, i, e));
    }
    let done = match &registered {
        Some(td) => format!("{what}: registered {td} and moved the service to it"),
        None => format!("{what}: sent {}", plan.mutation),
    };
    Ok((done, registered))
}

/// The plan's later calls in order: AWS ones re-checked against the services, GitHub ones (a
/// deployment record) sent to the CI. Err names the call that stopped, and why.
async fn follow_ups(
    fleet: &dyn Fleet,
    ci: Option<&dyn Ci>,
    audit: &Audit,
    plan: &ActionPlan,
    ctx: &ContextInfo,
    registered: Option<&TaskDefRef>,
) -> Result<(), (usize, StepError)> {
    let mut created = None;
    for (i, f) in plan.then.iter().enumerate() {
        let step = if f.mutation.is_ci() {
            crate::workers::gh_record::follow_up(fleet, ci, audit, plan, f, ctx, &mut created).await
        } else {
            follow_up(fleet, audit, plan, f, ctx, registered).await
        };
        step.map_err(|e| (i, e))?;
    }
    Ok(())
}

/// The context with the caller's identity asked of the backend when the header has not got it
/// yet, so the audit record always says who acted (or why that is not known).
async fn with_caller(fleet: &dyn Fleet, ctx: &ContextInfo) -> ContextInfo {
    let caller_arn = match fleet.context().await {
        Ok(c) if !c.caller_arn.is_empty() => c.caller_arn,
        Ok(_) => "unknown: the backend did not say".into(),
        Err(e) => format!("unknown: {e}"),
    };
    ContextInfo {
        caller_arn,
        ..ctx.clone()
    }
}

/// Everything the re-read shows has changed since the plan was made, for every call of it.
fn plan_changes(services: &[Service], plan: &ActionPlan) -> Vec<String> {
    let mut changed = changes(services, &plan.service, &plan.expect);
    changed.extend(weight_changes(services, &plan.mutation));
    for f in &plan.then {
        changed.extend(
            changes(services, &f.service, &f.expect)
                .into_iter()
                .map(|c| format!("{}: {c}", f.service)),
        );
        changed.extend(weight_changes(services, &f.mutation));
    }
    changed
}

/// Why a later call of a plan failed, and exactly which calls were made before it and which
/// were not: production is now between the two states, and the user must know where.
fn partly_done(what: String, plan: &ActionPlan, failed: usize, cause: StepError) -> ActionError {
    let step = |n: usize, service: &ServiceKey, m: &Mutation| format!("{n}. {m} on {service}");
    let done = std::iter::once(step(1, &plan.service, &plan.mutation))
        .chain(
            plan.then[..failed]
                .iter()
                .enumerate()
                .map(|(i, f)| step(i + 2, &f.service, &f.mutation)),
        )
        .collect();
    let not_sent = plan.then[failed..]
        .iter()
        .enumerate()
        .map(|(i, f)| step(failed + i + 2, &f.service, &f.mutation))
        .collect();
    ActionError::PartlyDone {
        what,
        step: failed + 2,
        cause,
        done,
        not_sent,
    }
}

/// What differs between the facts a plan was made on and the service now.
fn changes(services: &[Service], key: &ServiceKey, expect: &Expectation) -> Vec<String> {
    match services.iter().find(|s| &s.key() == key) {
        Some(now) => expect.changes_since(&Expectation::of(now)),
        None => vec![format!("{key} is gone")],
    }
}

/// Whether a weights change would still start from the weights the user saw.
fn weight_changes(services: &[Service], m: &Mutation) -> Vec<String> {
    let Mutation::Aws(AwsCall::SetWeights { rule_arn, from, .. }) = m else {
        return Vec::new();
    };
    let now = services
        .iter()
        .flat_map(|s| &s.routes)
        .find(|r| &r.rule_arn == rule_arn);
    match now {
        Some(r) if &r.weights == from => Vec::new(),
        Some(r) => vec![format!(
            "listener rule weights: {} → {}",
            weights_text(from),
            weights_text(&r.weights)
        )],
        None => match services.iter().find_map(|s| s.routes_error.as_ref()) {
            Some(e) => vec![format!("listener rule weights could not be re-read: {e}")],
            None => vec![format!(
                "listener rule {rule_arn} no longer splits the pair"
            )],
        },
    }
}

/// How long a promote waits for the primary to be stable before it leaves the canary alone.
const STABLE_WAIT: Duration = crate::timing::RUNNER_STABLE_WAIT_MS.to_std();
const STABLE_POLL: Duration = Duration::from_secs(5);

/// One further call: wait until the first service is stable if asked, re-check, audit, call.
async fn follow_up(
    fleet: &dyn Fleet,
    audit: &Audit,
    plan: &ActionPlan,
    f: &FollowUp,
    ctx: &ContextInfo,
    registered: Option<&TaskDefRef>,
) -> Result<(), StepError> {
    let step = ActionPlan {
        service: f.service.clone(),
        mutation: resolve(&f.mutation, registered)?,
        expect: f.expect.clone(),
        then: Vec::new(),
        ..plan.clone()
    };
    let services = match wait_until_ready(fleet, plan, f).await? {
        Some(services) => services,
        None => {
            let refused = json!({"refused": ["not stable in time"]});
            audit_or_log(audit, Phase::Refused, ctx, &step, refused);
            return Err(StepError::NotStable {
                service: plan.service.clone(),
                minutes: STABLE_WAIT.as_secs() / 60,
                call: f.mutation.to_string(),
            });
        }
    };
    let mut changed = changes(&services, &f.service, &f.expect);
    changed.extend(weight_changes(&services, &f.mutation));
    if !changed.is_empty() {
        let refused = json!({"refused": changed});
        audit_or_log(audit, Phase::Refused, ctx, &step, refused);
        return Err(StepError::Changed {
            service: f.service.clone(),
            changes: changed,
            call: f.mutation.to_string(),
        });
    }
    call_audited(fleet, audit, ctx, &step).await.map(|_| ())
}

/// A later call that names the revision an earlier RegisterTaskDefinition returned gets it.
fn resolve(m: &Mutation, registered: Option<&TaskDefRef>) -> Result<Mutation, StepError> {
    match (m, registered) {
        (Mutation::Aws(AwsCall::UpdateServiceToRegistered { .. }), Some(td)) => {
            Ok(Mutation::Aws(AwsCall::UpdateService {
                task_def: Some(td.clone()),
                desired: None,
                force: false,
            }))
        }
        (
            Mutation::Aws(AwsCall::CreateCodeDeployToRegistered {
                application,
                group,
                service_arn,
                container,
                port,
                ..
            }),
            Some(td),
        ) => {
            let arn = crate::model::codedeploy::task_def_arn(service_arn, td);
            Ok(Mutation::Aws(AwsCall::CreateCodeDeploy {
                application: application.clone(),
                group: group.clone(),
                appspec: crate::model::codedeploy::appspec(&arn, container, *port),
            }))
        }
        (
            Mutation::Aws(
                AwsCall::UpdateServiceToRegistered { .. }
                | AwsCall::CreateCodeDeployToRegistered { .. },
            ),
            None,
        ) => Err(StepError::Call {
            call: m.to_string(),
            cause: "no revision was registered before it".into(),
        }),
        (m, _) => Ok(m.clone()),
    }
}

/// The services re-read once the plan's first service is stable (at once when `f` need not
/// wait); None when it was not stable within `STABLE_WAIT`.
pub(crate) async fn wait_until_ready(
    fleet: &dyn Fleet,
    plan: &ActionPlan,
    f: &FollowUp,
) -> Result<Option<Vec<Service>>, StepError> {
    let mut waited = Duration::ZERO;
    loop {
        let services = fleet
            .services()
            .await
            .map_err(|e| StepError::Reread(e.to_string()))?;
        let ready = !f.after_stable
            || services
                .iter()
                .find(|s| s.key() == plan.service)
                .is_some_and(Service::is_stable);
        if ready {
            return Ok(Some(services));
        }
        if waited >= STABLE_WAIT {
            return Ok(None);
        }
        tokio::time::sleep(STABLE_POLL).await;
        waited += STABLE_POLL;
    }
}

/// One mutating call between its two audit records. The first is written before the call, so
/// a record exists even if the process dies while the call is in flight; if it cannot be
/// written, nothing is sent.
async fn call_audited(
    fleet: &dyn Fleet,
    audit: &Audit,
    ctx: &ContextInfo,
    step: &ActionPlan,
) -> Result<Option<TaskDefRef>, StepError> {
    audit
        .record(Phase::Before, ctx, step, json!(null))
        .map_err(|e| StepError::Audit(e.to_string()))?;
    // The team's copy of "before" goes ahead of the call too (for a few seconds at most).
    team_audit::ship_before_call(fleet, audit, &RecordContext::of(ctx)).await;
    let result = match &step.mutation {
        Mutation::Aws(AwsCall::RegisterTaskDefinition {
            from,
            repository,
            digest,
        }) => fleet
            .register_task_def(&step.service, from, repository, digest)
            .await
            .map(Some),
        Mutation::Aws(call) => fleet.act(&step.service, call).await.map(|()| None),
        Mutation::GitHub(call) => Err(ApiError::new(
            ErrorKind::Other,
            format!("{call} is not a call this backend makes"),
        )),
    };
    let outcome = match &result {
        Ok(Some(td)) => json!({"result": "ok", "registered": td.to_string()}),
        Ok(None) => json!({"result": "ok"}),
        Err(e) => json!({"error": e.to_string()}),
    };
    audit_or_log(audit, Phase::After, ctx, step, outcome);
    result.map_err(|e| StepError::Call {
        call: step.mutation.to_string(),
        cause: e.to_string(),
    })
}

pub(crate) fn audit_or_log(
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

/// Sends the records of context `ctx` waiting for the configured CloudWatch Logs group,
/// through `fleet`, that context's backend. Best effort: the local file holds them, and those
/// that cannot go now stay in the unsent file for the retry. None when there was nothing to
/// send.
pub async fn ship_pending(
    fleet: &dyn Fleet,
    audit: &Audit,
    ctx: &ContextInfo,
) -> Option<TeamAudit> {
    if fleet.read_only() {
        return None;
    }
    team_audit::ship(fleet, audit, &RecordContext::of(ctx)).await
}
