//! Mutating actions: what will be called, what it changes, and what the service looked like
//! when the user agreed, so the runner can refuse if it changed since.

use super::{HookStatus, Service, ServiceKey, TaskDefRef, target_group_name};
use std::fmt;

/// One mutating API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// `ecs:ContinueServiceDeployment` at a PAUSE hook: CONTINUE (promote) or ROLLBACK (abort).
    ContinueHook {
        deployment_arn: String,
        hook_id: String,
        proceed: bool,
    },
    /// `ecs:StopServiceDeployment` with stop type ROLLBACK.
    StopDeployment { deployment_arn: String },
    /// `ecs:UpdateService`: a task definition, a desired count, or a forced new deployment.
    UpdateService {
        task_def: Option<TaskDefRef>,
        desired: Option<u32>,
        force: bool,
    },
    /// `elasticloadbalancing:ModifyRule` (or `ModifyListener` for a default rule): new weights
    /// for the rule's forward action. Refused by the backend unless the weights are still
    /// `from`, so a split someone else changed is never overwritten.
    SetWeights {
        listener_arn: String,
        rule_arn: String,
        is_default: bool,
        from: Vec<(String, u32)>,
        to: Vec<(String, u32)>,
    },
}

/// `name weight, ...` of a rule's weights, with target groups by short name.
pub fn weights_text(w: &[(String, u32)]) -> String {
    w.iter()
        .map(|(tg, n)| format!("{} {n}", target_group_name(tg)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mutation::ContinueHook {
                deployment_arn,
                hook_id,
                proceed,
            } => write!(
                f,
                "ecs:ContinueServiceDeployment(serviceDeploymentArn={deployment_arn}, hookId={hook_id}, action={})",
                if *proceed { "CONTINUE" } else { "ROLLBACK" }
            ),
            Mutation::StopDeployment { deployment_arn } => write!(
                f,
                "ecs:StopServiceDeployment(serviceDeploymentArn={deployment_arn}, stopType=ROLLBACK)"
            ),
            Mutation::UpdateService {
                task_def,
                desired,
                force,
            } => {
                let mut parts = Vec::new();
                if let Some(td) = task_def {
                    parts.push(format!("taskDefinition={td}"));
                }
                if let Some(n) = desired {
                    parts.push(format!("desiredCount={n}"));
                }
                if *force {
                    parts.push("forceNewDeployment=true".into());
                }
                write!(f, "ecs:UpdateService({})", parts.join(", "))
            }
            Mutation::SetWeights {
                listener_arn,
                rule_arn,
                is_default,
                to,
                ..
            } => {
                let weights = weights_text(to);
                if *is_default {
                    write!(
                        f,
                        "elasticloadbalancing:ModifyListener(ListenerArn={listener_arn}, default forward weights: {weights})"
                    )
                } else {
                    write!(
                        f,
                        "elasticloadbalancing:ModifyRule(RuleArn={rule_arn}, forward weights: {weights})"
                    )
                }
            }
        }
    }
}

/// The facts an action was planned on. If any differs when the runner re-reads the service,
/// the action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub primary_deployment: Option<String>,
    pub task_def: TaskDefRef,
    pub desired: u32,
    pub native_deployment: Option<String>,
    pub native_status: Option<String>,
    pub hook: Option<(String, HookStatus)>,
}

impl Expectation {
    pub fn of(s: &Service) -> Self {
        Self {
            primary_deployment: s.primary().map(|d| d.id.clone()),
            task_def: s.task_def.clone(),
            desired: s.desired,
            native_deployment: s.native.as_ref().map(|n| n.arn.clone()),
            native_status: s.native.as_ref().map(|n| n.status.clone()),
            hook: s
                .native
                .as_ref()
                .and_then(|n| n.hook.as_ref())
                .map(|h| (h.id.clone(), h.status)),
        }
    }

    /// What changed between `self` (when the dialog opened) and `now`, in words.
    pub fn changes_since(&self, now: &Expectation) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what}: {a} → {b}"));
            }
        };
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".into());
        check(
            "primary deployment",
            opt(&self.primary_deployment),
            opt(&now.primary_deployment),
        );
        check(
            "task definition",
            self.task_def.to_string(),
            now.task_def.to_string(),
        );
        check(
            "desired count",
            self.desired.to_string(),
            now.desired.to_string(),
        );
        check(
            "deployment",
            opt(&self.native_deployment),
            opt(&now.native_deployment),
        );
        check(
            "deployment status",
            opt(&self.native_status),
            opt(&now.native_status),
        );
        let hook = |h: &Option<(String, HookStatus)>| {
            h.as_ref()
                .map_or("none".into(), |(id, st)| format!("{id} {st:?}"))
        };
        check("hook", hook(&self.hook), hook(&now.hook));
        out
    }
}

/// An action the user is asked to confirm: exactly what will be called and what changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPlan {
    /// `promote`, `abort`, `roll back`, `force a new deployment`, `scale`.
    pub verb: String,
    pub service: ServiceKey,
    pub mutation: Mutation,
    /// (what, from, to)
    pub changes: Vec<(String, String, String)>,
    pub expect: Expectation,
    /// Calls made after the first, in order (a paired canary's promote and abort).
    pub then: Vec<FollowUp>,
}

/// A further call of an action, on the same or another service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub service: ServiceKey,
    pub mutation: Mutation,
    /// The facts about `service` the plan was made on; checked before the first call too.
    pub expect: Expectation,
    /// Wait until the action's first service is stable (its one deployment COMPLETED) before
    /// this call, as a promote must before the canary goes away.
    pub after_stable: bool,
}
