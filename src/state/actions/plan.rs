//! Planning: which action a key may take on a service right now, and exactly what it would
//! change. One function per verb. An action that is not valid now says why instead, as the
//! footer shows.

use crate::model::{
    ActionPlan, AwsCall, Change, Expectation, FollowUp, Mutation, NativeDeployment, NativeStatus,
    Refusal, Service, Split, TaskDefRef, Verb, pair_of, split, weights_text,
};

/// The plan; a change that changes nothing (traffic 0% → 0%) is left out of what it lists.
fn plan(s: &Service, verb: Verb, mutation: Mutation, mut changes: Vec<Change>) -> ActionPlan {
    changes.retain(|c| c.from != c.to);
    ActionPlan::single(s, verb, mutation, changes)
}

/// The plan for `verb` on `s`; `all` is the fleet (a paired canary's partner is in it) and
/// `desired` the count typed for a scale.
pub fn for_verb(
    verb: Verb,
    s: &Service,
    all: &[Service],
    desired: Option<u32>,
) -> Result<ActionPlan, Refusal> {
    match verb {
        Verb::Promote => promote(s, all),
        Verb::Abort => abort(s, all),
        Verb::Rollback => rollback(s),
        Verb::ForceDeploy if super::codedeploy::of(s).is_some() => {
            Err(Refusal::ForceOnCodeDeploy(s.name.clone()))
        }
        Verb::ForceDeploy => Ok(force(s)),
        Verb::Scale => scale(s, desired.ok_or(Refusal::NoCount)?),
        // Planned from what the builds pane shows (state::builds::plan), not from a service alone.
        // Planned from the selected task (`stop_task::plan`), not from a service alone.
        Verb::StopTask => Err(Refusal::NoCi(format!(
            "{verb} {} is planned from a selected task",
            s.name
        ))),
        Verb::Build | Verb::CancelRun | Verb::Rerun | Verb::Deploy => Err(Refusal::NoCi(format!(
            "{verb} {} is planned from a run or an image",
            s.name
        ))),
    }
}

/// The pair a promote or abort acts on, unless a native deployment of `s` is in flight.
fn pair_to_act_on<'a>(s: &'a Service, all: &'a [Service]) -> Option<(&'a Service, &'a Service)> {
    s.native_in_progress().is_none().then(|| pair_of(s, all))?
}

/// Promote: answer the waiting PAUSE hook with CONTINUE, or promote a paired canary.
pub fn promote(s: &Service, all: &[Service]) -> Result<ActionPlan, Refusal> {
    if let Some(cd) = super::codedeploy::of(s) {
        return super::codedeploy::promote(s, cd?);
    }
    if let Some((p, c)) = pair_to_act_on(s, all) {
        return promote_pair(p, c);
    }
    let (n, hook) = s
        .native_in_progress()
        .and_then(|n| Some((n, n.waiting_hook()?)))
        .ok_or_else(|| Refusal::NothingWaits(s.name.clone()))?;
    let source = n.source();
    let m = Mutation::Aws(AwsCall::ContinueHook {
        deployment_arn: n.arn.clone(),
        hook_id: hook.id.clone(),
        proceed: true,
    });
    let changes = vec![
        Change::new(
            "production traffic on target",
            format!("{:.0}%", n.target.requested_production_weight),
            next_traffic(n),
        ),
        Change::new(
            "task definition",
            source.map_or("-".into(), |r| r.task_def.to_string()),
            &n.target.task_def,
        ),
        Change::new(
            "image digest",
            source.map_or("-".into(), |r| r.image_digest.clone()),
            &n.target.image_digest,
        ),
    ];
    Ok(plan(s, Verb::Promote, m, changes))
}

/// Abort: answer the hook with ROLLBACK, stop a native deployment, put a rolling deployment
/// back on the last stable revision, or retire a paired canary.
pub fn abort(s: &Service, all: &[Service]) -> Result<ActionPlan, Refusal> {
    if let Some(cd) = super::codedeploy::of(s) {
        return super::codedeploy::stop(s, cd?, Verb::Abort);
    }
    if let Some((p, c)) = pair_to_act_on(s, all) {
        return abort_pair(p, c);
    }
    if let Some(n) = s.native_in_progress() {
        let Some(hook) = n.waiting_hook() else {
            return Ok(stop_native(s, Verb::Abort, n));
        };
        let m = Mutation::Aws(AwsCall::ContinueHook {
            deployment_arn: n.arn.clone(),
            hook_id: hook.id.clone(),
            proceed: false,
        });
        let changes = vec![
            Change::new(
                "deployment",
                NativeStatus::InProgress,
                NativeStatus::RollbackInProgress,
            ),
            Change::new("task definition", &n.target.task_def, source_text(n)),
            Change::new(
                "production traffic on target",
                format!("{:.0}%", n.target.requested_production_weight),
                "0%",
            ),
        ];
        return Ok(plan(s, Verb::Abort, m, changes));
    }
    match (s.rolling_in_progress(), s.stable_before()) {
        (Some(_), Some(to)) => Ok(rolling_back_to(s, Verb::Abort, to.clone())),
        (None, _) | (Some(_), None) => Err(Refusal::NoRollout(s.name.clone())),
    }
}

/// Roll back: stop a native deployment in flight, return a rolling one to its last stable
/// revision, or move a finished one to the last revision that completed and stayed stable (see
/// `Service::last_stable`); refused when the current revision is itself a rollback's result.
pub fn rollback(s: &Service) -> Result<ActionPlan, Refusal> {
    if let Some(cd) = super::codedeploy::of(s) {
        let cd = cd?;
        return match cd.in_flight() {
            Some(_) => super::codedeploy::stop(s, cd, Verb::Rollback),
            None => super::codedeploy::redeploy_stable(s, cd),
        };
    }
    if let Some(n) = s.native_in_progress() {
        return Ok(stop_native(s, Verb::Rollback, n));
    }
    if s.rolling_in_progress().is_some() {
        return s
            .stable_before()
            .map(|to| rolling_back_to(s, Verb::Rollback, to.clone()))
            .ok_or_else(|| Refusal::NoStableDeployment(s.name.clone()));
    }
    let finished = s
        .primary()
        .is_some_and(|d| d.rollout_state == crate::model::RolloutState::Completed);
    if !finished {
        return Err(Refusal::NothingFinished(s.name.clone()));
    }
    if let Some(here) = s.rolled_back_here() {
        return Err(Refusal::AlreadyRolledBack {
            current: s.task_def.clone(),
            from: here.failed.revision_text(),
            how: here.by.text().to_string(),
        });
    }
    match (s.last_stable(), &s.previous_task_def) {
        (Some(target), _) => {
            let mut plan = rolling_back_to(s, Verb::Rollback, target.revision);
            plan.notes = target.why;
            Ok(plan)
        }
        (None, None) => Err(Refusal::NoEarlierRevision(s.task_def.family.clone())),
        (None, Some(_)) => Err(Refusal::NoStableRevision(s.task_def.family.clone())),
    }
}

/// Force a new deployment of the same task definition.
pub fn force(s: &Service) -> ActionPlan {
    let m = Mutation::Aws(AwsCall::UpdateService {
        task_def: None,
        desired: None,
        force: true,
    });
    let changes = vec![Change::new(
        "tasks",
        format!("{} running on {}", s.running, s.task_def),
        format!("replaced by {} new tasks of {}", s.desired, s.task_def),
    )];
    plan(s, Verb::ForceDeploy, m, changes)
}

/// Scale to `n` tasks.
pub fn scale(s: &Service, n: u32) -> Result<ActionPlan, Refusal> {
    if n == s.desired {
        return Err(Refusal::SameCount(s.name.clone(), n));
    }
    let m = Mutation::Aws(AwsCall::UpdateService {
        task_def: None,
        desired: Some(n),
        force: false,
    });
    Ok(plan(
        s,
        Verb::Scale,
        m,
        vec![Change::new("desired count", s.desired, n)],
    ))
}

/// Where a promote at the hook sends the production traffic, by the deployment's strategy.
fn next_traffic(n: &NativeDeployment) -> String {
    let (now, step) = (n.target.requested_production_weight, n.canary_percent);
    match n.strategy {
        crate::model::Strategy::Canary => format!("{step:.0}% (canary), then 100% after the bake"),
        crate::model::Strategy::Linear => format!(
            "{:.0}% (a step of {step:.0}%), then {step:.0}% more after each bake",
            (now + step).min(100.0)
        ),
        crate::model::Strategy::BlueGreen => {
            "100% (the production switch from test traffic), then the bake time".into()
        }
        crate::model::Strategy::Rolling | crate::model::Strategy::Other(_) => {
            "moved by the deployment's strategy".into()
        }
    }
}

fn source_text(n: &NativeDeployment) -> String {
    n.source().map_or("-".into(), |r| r.task_def.to_string())
}

fn stop_native(s: &Service, verb: Verb, n: &NativeDeployment) -> ActionPlan {
    let m = Mutation::Aws(AwsCall::StopDeployment {
        deployment_arn: n.arn.clone(),
    });
    let changes = vec![
        Change::new("deployment", &n.status, NativeStatus::RollbackInProgress),
        Change::new("task definition", &n.target.task_def, source_text(n)),
        Change::new(
            "production traffic on target",
            format!("{:.0}%", n.target.requested_production_weight),
            "0%",
        ),
    ];
    plan(s, verb, m, changes)
}

fn rolling_back_to(s: &Service, verb: Verb, to: TaskDefRef) -> ActionPlan {
    let changes = vec![
        Change::new("task definition", &s.task_def, &to),
        Change::new("image", &s.image_tag, format!("the image of {to}")),
    ];
    let m = Mutation::Aws(AwsCall::UpdateService {
        task_def: Some(to),
        desired: None,
        force: false,
    });
    plan(s, verb, m, changes)
}

// Paired-service canaries: promote gives the primary the canary's task definition and, once
// it is stable, moves the traffic back and retires the canary; abort moves the traffic back
// and retires the canary. Traffic always moves before the canary's tasks go, so no request is
// routed to a target group being emptied.

fn scale_canary_to_zero(canary: &Service, after_stable: bool) -> FollowUp {
    FollowUp {
        service: canary.key(),
        mutation: Mutation::Aws(AwsCall::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false,
        }),
        expect: Expectation::of(canary),
        after_stable,
    }
}

/// Moves a pair's traffic back to the primary when a weighted rule splits it. Keyed on the
/// canary: the call takes traffic away from it, and the primary may change before this runs.
fn weights_to_primary(p: &Service, c: &Service, after_stable: bool) -> Option<FollowUp> {
    let Split::Weights(w) = split(p, c) else {
        return None;
    };
    Some(FollowUp {
        service: c.key(),
        mutation: Mutation::Aws(AwsCall::SetWeights {
            listener_arn: w.route.listener_arn.clone(),
            rule_arn: w.route.rule_arn.clone(),
            is_default: w.route.is_default,
            from: w.route.weights.clone(),
            to: w.all_on_primary(p, c),
        }),
        expect: Expectation::of(c),
        after_stable,
    })
}

/// The traffic row of a paired plan: rule weights when a rule splits it, else the task ratio,
/// else why it is unknown and left alone.
fn traffic_change(p: &Service, c: &Service, to: &str) -> Change {
    match split(p, c) {
        Split::Weights(w) => Change::new(
            "traffic (listener rule weights)",
            format!(
                "{:.0}% on the canary ({})",
                w.canary_percent(),
                weights_text(&w.route.weights)
            ),
            format!("{to} ({})", weights_text(&w.all_on_primary(p, c))),
        ),
        Split::Tasks(share) => Change::new(
            "traffic (one target group, by tasks)",
            format!("{share:.0}% of tasks on the canary"),
            to,
        ),
        Split::Unknown(why) => {
            Change::new("traffic (⚠ unknown)", why, "not changed by this action")
        }
    }
}

fn check_canary_runs(verb: Verb, c: &Service) -> Result<(), Refusal> {
    if c.desired == 0 && c.running == 0 {
        return Err(Refusal::IdleCanary {
            verb,
            canary: c.name.clone(),
        });
    }
    Ok(())
}

fn promote_pair(p: &Service, c: &Service) -> Result<ActionPlan, Refusal> {
    check_canary_runs(Verb::Promote, c)?;
    if c.task_def == p.task_def {
        return Err(Refusal::AlreadyPromoted {
            primary: p.name.clone(),
            task_def: c.task_def.clone(),
        });
    }
    let m = Mutation::Aws(AwsCall::UpdateService {
        task_def: Some(c.task_def.clone()),
        desired: None,
        force: false,
    });
    let changes = vec![
        Change::new(
            format!("{} task definition", p.name),
            &p.task_def,
            &c.task_def,
        ),
        Change::new(format!("{} image", p.name), &p.image_tag, &c.image_tag),
        traffic_change(p, c, "100% on the primary, once it is stable"),
        Change::new(
            format!("{} desired count", c.name),
            c.desired,
            "0, once the primary is stable",
        ),
    ];
    let mut out = plan(p, Verb::Promote, m, changes);
    out.then.extend(weights_to_primary(p, c, true));
    out.then.push(scale_canary_to_zero(c, true));
    Ok(out)
}

fn abort_pair(p: &Service, c: &Service) -> Result<ActionPlan, Refusal> {
    check_canary_runs(Verb::Abort, c)?;
    let changes = vec![
        traffic_change(p, c, "100% on the primary"),
        Change::new(format!("{} desired count", c.name), c.desired, 0),
    ];
    let scale = scale_canary_to_zero(c, false);
    Ok(match weights_to_primary(p, c, false) {
        Some(first) => {
            let mut out = plan(c, Verb::Abort, first.mutation, changes);
            out.then.push(scale);
            out
        }
        None => plan(c, Verb::Abort, scale.mutation, changes),
    })
}
