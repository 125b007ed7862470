//! Which action a key may take on a service right now, and exactly what it would change. An
//! action that is not valid now says why instead, as the footer shows.

use crate::keymap::Action;
use crate::model::{
    ActionPlan, DeploymentStatus, Expectation, HookStatus, Mutation, RolloutState, Service,
    TaskDefRef,
};

fn plan(
    s: &Service,
    verb: &str,
    mutation: Mutation,
    changes: Vec<(String, String, String)>,
) -> ActionPlan {
    ActionPlan {
        verb: verb.into(),
        service: s.key(),
        mutation,
        changes,
        expect: Expectation::of(s),
    }
}

fn change(what: &str, from: impl ToString, to: impl ToString) -> (String, String, String) {
    (what.into(), from.to_string(), to.to_string())
}

/// The last stable task definition a rolling deployment in progress would go back to.
fn stable_before(s: &Service) -> Option<TaskDefRef> {
    s.deployments
        .iter()
        .find(|d| {
            d.status == DeploymentStatus::Active && d.rollout_state == RolloutState::Completed
        })
        .map(|d| d.task_def.clone())
}

fn rolling_back_to(s: &Service, verb: &str, to: TaskDefRef) -> ActionPlan {
    let changes = vec![
        change("task definition", &s.task_def, &to),
        change("image", &s.image_tag, format!("the image of {to}")),
    ];
    let m = Mutation::UpdateService {
        task_def: Some(to),
        desired: None,
        force: false,
    };
    plan(s, verb, m, changes)
}

/// The plan for `action` on `s`, or why it cannot act now. `desired` is the count typed for
/// a scale.
pub fn plan_for(s: &Service, action: Action, desired: Option<u32>) -> Result<ActionPlan, String> {
    let name = &s.name;
    let native = s.native.as_ref().filter(|n| n.status == "IN_PROGRESS");
    let waiting_hook = native.and_then(|n| {
        n.hook
            .as_ref()
            .filter(|h| h.status == HookStatus::AwaitingAction)
            .map(|h| (n, h))
    });
    let rolling = s
        .primary()
        .filter(|d| d.rollout_state == RolloutState::InProgress && s.native.is_none());
    match action {
        Action::Promote => {
            let (n, h) = waiting_hook.ok_or_else(|| {
                format!(
                    "promote: nothing on {name} waits for a promote (no PAUSE hook awaiting action)"
                )
            })?;
            let source = n.sources.first();
            let m = Mutation::ContinueHook {
                deployment_arn: n.arn.clone(),
                hook_id: h.id.clone(),
                proceed: true,
            };
            let changes = vec![
                change(
                    "production traffic on target",
                    format!("{:.0}%", n.target.requested_production_weight),
                    format!(
                        "{:.0}% (canary), then 100% after the bake",
                        n.canary_percent
                    ),
                ),
                change(
                    "task definition",
                    source.map_or("-".into(), |r| r.task_def.to_string()),
                    &n.target.task_def,
                ),
                change(
                    "image digest",
                    source.map_or("-".into(), |r| r.image_digest.clone()),
                    &n.target.image_digest,
                ),
            ];
            Ok(plan(s, "promote", m, changes))
        }
        Action::Abort => {
            if let Some((n, h)) = waiting_hook {
                let m = Mutation::ContinueHook {
                    deployment_arn: n.arn.clone(),
                    hook_id: h.id.clone(),
                    proceed: false,
                };
                let to = n
                    .sources
                    .first()
                    .map_or("-".into(), |r| r.task_def.to_string());
                let changes = vec![
                    change("deployment", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS"),
                    change("task definition", &n.target.task_def, to),
                    change(
                        "production traffic on target",
                        format!("{:.0}%", n.target.requested_production_weight),
                        "0%",
                    ),
                ];
                return Ok(plan(s, "abort", m, changes));
            }
            if let Some(n) = native {
                return Ok(stop_native(s, "abort", n));
            }
            match (rolling, stable_before(s)) {
                (Some(_), Some(to)) => Ok(rolling_back_to(s, "abort", to)),
                _ => Err(format!("abort: no rollout in progress on {name}")),
            }
        }
        Action::Rollback => {
            if let Some(n) = native {
                return Ok(stop_native(s, "roll back", n));
            }
            if rolling.is_some() {
                return stable_before(s)
                    .map(|to| rolling_back_to(s, "roll back", to))
                    .ok_or_else(|| {
                        format!("roll back: {name} has no earlier stable deployment to return to")
                    });
            }
            match s.primary() {
                Some(d)
                    if d.rollout_state == RolloutState::Completed && s.task_def.revision > 1 =>
                {
                    let to = TaskDefRef {
                        family: s.task_def.family.clone(),
                        revision: s.task_def.revision - 1,
                    };
                    Ok(rolling_back_to(s, "roll back", to))
                }
                _ => Err(format!(
                    "roll back: {name} has no finished deployment to roll back from"
                )),
            }
        }
        Action::ForceDeploy => {
            let m = Mutation::UpdateService {
                task_def: None,
                desired: None,
                force: true,
            };
            let changes = vec![change(
                "tasks",
                format!("{} running on {}", s.running, s.task_def),
                format!("replaced by {} new tasks of {}", s.desired, s.task_def),
            )];
            Ok(plan(s, "force a new deployment", m, changes))
        }
        Action::Scale => {
            let n = desired.ok_or_else(|| "scale: type the new desired count".to_string())?;
            if n == s.desired {
                return Err(format!("scale: {name} already wants {n} tasks"));
            }
            let m = Mutation::UpdateService {
                task_def: None,
                desired: Some(n),
                force: false,
            };
            Ok(plan(
                s,
                "scale",
                m,
                vec![change("desired count", s.desired, n)],
            ))
        }
        _ => Err("not an action".into()),
    }
}

fn stop_native(s: &Service, verb: &str, n: &crate::model::NativeDeployment) -> ActionPlan {
    let to = n
        .sources
        .first()
        .map_or("-".into(), |r| r.task_def.to_string());
    let m = Mutation::StopDeployment {
        deployment_arn: n.arn.clone(),
    };
    let changes = vec![
        change("deployment", &n.status, "ROLLBACK_IN_PROGRESS"),
        change("task definition", &n.target.task_def, to),
        change(
            "production traffic on target",
            format!("{:.0}%", n.target.requested_production_weight),
            "0%",
        ),
    ];
    plan(s, verb, m, changes)
}
