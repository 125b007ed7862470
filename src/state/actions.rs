//! Which action a key may take on a service right now, and exactly what it would change. An
//! action that is not valid now says why instead, as the footer shows.

use crate::keymap::Action;
use crate::model::{
    ActionPlan, DeploymentStatus, Expectation, FollowUp, HookStatus, Mutation, RolloutState,
    Service, Split, TaskDefRef, pair_of, split, weights_text,
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
        then: Vec::new(),
    }
}

fn scale_canary_to_zero(canary: &Service, after_stable: bool) -> FollowUp {
    FollowUp {
        service: canary.key(),
        mutation: Mutation::UpdateService {
            task_def: None,
            desired: Some(0),
            force: false,
        },
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
        mutation: Mutation::SetWeights {
            listener_arn: w.route.listener_arn.clone(),
            rule_arn: w.route.rule_arn.clone(),
            is_default: w.route.is_default,
            from: w.route.weights.clone(),
            to: w.all_on_primary(p, c),
        },
        expect: Expectation::of(c),
        after_stable,
    })
}

/// The traffic row of a paired plan: rule weights when a rule splits it, else the task ratio,
/// else why it is unknown and left alone.
fn traffic_change(p: &Service, c: &Service, to: &str) -> (String, String, String) {
    match split(p, c) {
        Split::Weights(w) => change(
            "traffic (listener rule weights)",
            format!(
                "{:.0}% on the canary ({})",
                w.canary_percent(),
                weights_text(&w.route.weights)
            ),
            format!("{to} ({})", weights_text(&w.all_on_primary(p, c))),
        ),
        Split::Tasks(share) => change(
            "traffic (one target group, by tasks)",
            format!("{share:.0}% of tasks on the canary"),
            to,
        ),
        Split::Unknown(why) => change("traffic (⚠ unknown)", why, "not changed by this action"),
    }
}

/// Promote a paired canary: the primary takes the canary's task definition and waits until
/// stable; then the weights return to the primary and the canary scales to 0. Abort: the
/// weights return to the primary, then the canary scales to 0. Traffic moves before the
/// canary's tasks go, so no request is routed to a target group being emptied.
fn paired_plan(p: &Service, c: &Service, action: Action) -> Result<ActionPlan, String> {
    let verb = if action == Action::Promote {
        "promote"
    } else {
        "abort"
    };
    if c.desired == 0 && c.running == 0 {
        return Err(format!("{verb}: the canary {} runs no tasks", c.name));
    }
    if action == Action::Promote {
        if c.task_def == p.task_def {
            return Err(format!(
                "promote: {} already runs the canary's {}",
                p.name, c.task_def
            ));
        }
        let m = Mutation::UpdateService {
            task_def: Some(c.task_def.clone()),
            desired: None,
            force: false,
        };
        let changes = vec![
            change(
                &format!("{} task definition", p.name),
                &p.task_def,
                &c.task_def,
            ),
            change(&format!("{} image", p.name), &p.image_tag, &c.image_tag),
            traffic_change(p, c, "100% on the primary, once it is stable"),
            change(
                &format!("{} desired count", c.name),
                c.desired,
                "0, once the primary is stable",
            ),
        ];
        let mut out = plan(p, verb, m, changes);
        out.then.extend(weights_to_primary(p, c, true));
        out.then.push(scale_canary_to_zero(c, true));
        return Ok(out);
    }
    let changes = vec![
        traffic_change(p, c, "100% on the primary"),
        change(&format!("{} desired count", c.name), c.desired, 0),
    ];
    let scale = scale_canary_to_zero(c, false);
    Ok(match weights_to_primary(p, c, false) {
        Some(first) => {
            let mut out = plan(c, verb, first.mutation, changes);
            out.then.push(scale);
            out
        }
        None => plan(c, verb, scale.mutation, changes),
    })
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
pub fn plan_for(
    s: &Service,
    all: &[Service],
    action: Action,
    desired: Option<u32>,
) -> Result<ActionPlan, String> {
    let name = &s.name;
    if matches!(action, Action::Promote | Action::Abort)
        && s.native.as_ref().is_none_or(|n| n.status != "IN_PROGRESS")
        && let Some((p, c)) = pair_of(s, all)
    {
        return paired_plan(p, c, action);
    }
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
            match (s.primary(), &s.previous_task_def) {
                (Some(d), Some(to)) if d.rollout_state == RolloutState::Completed => {
                    Ok(rolling_back_to(s, "roll back", to.clone()))
                }
                (Some(d), None) if d.rollout_state == RolloutState::Completed => Err(format!(
                    "roll back: {} has no earlier ACTIVE revision to return to",
                    s.task_def.family
                )),
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
