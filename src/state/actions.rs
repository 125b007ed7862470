//! Which action a key may take on a service right now, and exactly what it would change. An
//! action that is not valid now says why instead, as the footer shows.

use crate::keymap::Action;
use crate::model::{
    ActionPlan, DeploymentStatus, Expectation, FollowUp, HookStatus, Mutation, RolloutState,
    Service, TaskDefRef,
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

/// The (primary, canary) pair `s` belongs to: the canary names its primary by the tag
/// `deckwatch:canary-of`, or is called `X-canary` beside `X` in the same cluster.
pub fn pair_of<'a>(s: &'a Service, all: &'a [Service]) -> Option<(&'a Service, &'a Service)> {
    let primary_name = |c: &Service| -> Option<String> {
        c.canary_of
            .clone()
            .or_else(|| c.name.strip_suffix("-canary").map(str::to_string))
    };
    let find = |name: &str| {
        all.iter()
            .find(|o| o.cluster == s.cluster && o.name == name)
    };
    if let Some(p) = primary_name(s).and_then(|n| find(&n)) {
        return Some((p, s));
    }
    all.iter()
        .find(|c| {
            c.cluster == s.cluster
                && c.name != s.name
                && primary_name(c).as_deref() == Some(s.name.as_str())
        })
        .map(|c| (s, c))
}

/// The share of a pair's running tasks on the canary, in percent: the traffic split when both
/// serve one target group.
pub fn canary_share(primary: &Service, canary: &Service) -> f64 {
    let total = primary.running + canary.running;
    if total == 0 {
        0.0
    } else {
        canary.running as f64 * 100.0 / total as f64
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

/// Promote a paired canary: the primary takes the canary's task definition, waits until
/// stable, then the canary scales to 0. Abort: the canary scales to 0.
fn paired_plan(p: &Service, c: &Service, action: Action) -> Result<ActionPlan, String> {
    let verb = if action == Action::Promote {
        "promote"
    } else {
        "abort"
    };
    if c.desired == 0 && c.running == 0 {
        return Err(format!("{verb}: the canary {} runs no tasks", c.name));
    }
    let share = format!("{:.0}% of tasks on the canary", canary_share(p, c));
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
            change(
                &format!("{} desired count", c.name),
                c.desired,
                "0, once the primary is stable",
            ),
            change("traffic", share, "100% on the primary (new revision)"),
        ];
        let mut out = plan(p, verb, m, changes);
        out.then.push(scale_canary_to_zero(c, true));
        return Ok(out);
    }
    let m = Mutation::UpdateService {
        task_def: None,
        desired: Some(0),
        force: false,
    };
    let changes = vec![
        change(&format!("{} desired count", c.name), c.desired, 0),
        change("traffic", share, "100% on the primary"),
    ];
    Ok(plan(c, verb, m, changes))
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
