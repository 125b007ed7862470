//! What the console is doing about the action the user confirmed: the runner at work, then,
//! after an `UpdateService`, the wait until the service shows the change and is stable, with
//! a live clock and a time limit, and finally the outcome.

use crate::model::{
    ActionPlan, ActionResult, AwsCall, Millis, Mutation, Service, ServiceKey, TaskDefRef, Verb,
};

use crate::timing::STABLE_TIMEOUT_MS;
/// How long a success stays on screen; a failure or a timeout stays this long times ten.
pub const SHOWN_MS: Millis = 60_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The runner is re-reading, checking and calling. A paired promote also waits here until
    /// the primary is stable, before it moves traffic and retires the canary.
    Sending,
    /// Sent; waiting until the service shows the change and is stable.
    Waiting {
        sent_at: Millis,
    },
    /// Sent, with nothing to wait for here (a native deployment moves on in the rollout view).
    Sent {
        at: Millis,
    },
    Stable {
        at: Millis,
        took: Millis,
    },
    TimedOut {
        at: Millis,
    },
    /// The user stopped watching (`x`): the calls were sent and stay; nothing more is
    /// watched here.
    Unwatched {
        at: Millis,
    },
    /// Refused or failed: why.
    Failed {
        at: Millis,
        why: String,
    },
}

/// What the wait looks for on the service an action changed.
#[derive(Debug, Clone, PartialEq)]
struct Want {
    service: ServiceKey,
    task_def: Option<TaskDefRef>,
    desired: Option<u32>,
    /// A forced deployment is seen when the primary deployment is no longer this one.
    replaced_deployment: Option<String>,
    /// The revision is the one RegisterTaskDefinition returns: unknown until the runner says.
    registered: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub verb: Verb,
    pub service: ServiceKey,
    pub since: Millis,
    pub phase: Phase,
    /// The runner waits until stable between calls (a paired promote).
    waits_between_calls: bool,
    want: Option<Want>,
}

impl Progress {
    /// Tracks `plan` from the moment it was confirmed. The wait follows the last
    /// `UpdateService` of the plan: the call whose effect takes ECS a while to settle.
    pub fn start(plan: &ActionPlan, now: Millis) -> Self {
        let steps = std::iter::once((&plan.service, &plan.mutation, &plan.expect)).chain(
            plan.then
                .iter()
                .map(|f| (&f.service, &f.mutation, &f.expect)),
        );
        let mut want = steps.filter_map(|(service, m, expect)| match m {
            Mutation::Aws(AwsCall::UpdateService {
                task_def,
                desired,
                force,
            }) => Some(Want {
                service: service.clone(),
                task_def: task_def.clone(),
                desired: *desired,
                replaced_deployment: if *force {
                    expect.primary_deployment.clone()
                } else {
                    None
                },
                registered: false,
            }),
            // A deploy follows the revision RegisterTaskDefinition returns, once it has.
            Mutation::Aws(AwsCall::UpdateServiceToRegistered { .. }) => Some(Want {
                service: service.clone(),
                task_def: None,
                desired: None,
                replaced_deployment: None,
                registered: true,
            }),
            // Calls whose effect is not a service settling: nothing to wait for here.
            Mutation::Aws(
                AwsCall::ContinueHook { .. }
                | AwsCall::StopDeployment { .. }
                | AwsCall::SetWeights { .. }
                | AwsCall::RegisterTaskDefinition { .. }
                // ECS replaces a stopped task on its own; the tasks pane shows it.
                | AwsCall::StopTask { .. }
                // CodeDeploy moves the traffic; its deployment is followed in the rollout view.
                | AwsCall::ContinueCodeDeploy { .. }
                | AwsCall::StopCodeDeploy { .. }
                | AwsCall::CreateCodeDeploy { .. }
                | AwsCall::CreateCodeDeployToRegistered { .. },
            )
            | Mutation::GitHub(_) => None,
        });
        Self {
            verb: plan.verb,
            service: plan.service.clone(),
            since: now,
            phase: Phase::Sending,
            waits_between_calls: plan.then.iter().any(|f| f.after_stable),
            want: want.next_back(),
        }
    }

    /// The runner's answer arrived, with the revision it registered, if it did.
    pub fn done(&mut self, result: &ActionResult, registered: Option<&TaskDefRef>, now: Millis) {
        if let Some(want) = self.want.as_mut().filter(|w| w.registered) {
            want.task_def = registered.cloned();
        }
        self.phase = match (result, &self.want) {
            (Err(why), _) => Phase::Failed {
                at: now,
                why: why.to_string(),
            },
            (Ok(_), Some(_)) => Phase::Waiting { sent_at: now },
            (Ok(_), None) => Phase::Sent { at: now },
        };
    }

    /// Sending or waiting: worth polling fast for, and a second action must wait.
    pub fn active(&self) -> bool {
        matches!(self.phase, Phase::Sending | Phase::Waiting { .. })
    }

    /// Looks at fresh services; returns whether anything shown changed.
    pub fn observe(&mut self, services: &[Service], now: Millis) -> bool {
        let (Phase::Waiting { .. }, Some(want)) = (&self.phase, &self.want) else {
            return false;
        };
        let settled = services
            .iter()
            .find(|s| s.key() == want.service)
            .is_some_and(|s| shows(want, s) && s.is_stable());
        if settled {
            self.phase = Phase::Stable {
                at: now,
                took: now - self.since,
            };
        }
        true
    }

    /// The clock moved; returns whether the wait gave up (its limit passed).
    pub fn tick(&mut self, now: Millis) -> bool {
        match self.phase {
            Phase::Waiting { sent_at } if now - sent_at >= STABLE_TIMEOUT_MS => {
                self.phase = Phase::TimedOut { at: now };
                true
            }
            Phase::Waiting { .. } | Phase::Sending | Phase::Sent { .. } => false,
            Phase::Stable { .. } | Phase::TimedOut { .. } => false,
            Phase::Unwatched { .. } | Phase::Failed { .. } => false,
        }
    }

    /// Whether the activity line still shows it: while at work, and its outcome for a while.
    pub fn shown(&self, now: Millis) -> bool {
        match self.phase {
            Phase::Sent { at } | Phase::Stable { at, .. } | Phase::Unwatched { at } => {
                now - at < SHOWN_MS
            }
            Phase::TimedOut { at } | Phase::Failed { at, .. } => now - at < SHOWN_MS * 10,
            Phase::Sending | Phase::Waiting { .. } => true,
        }
    }

    /// `x`: stops watching; the calls already sent stay. False when nothing is watched.
    pub fn stop_watching(&mut self, now: Millis) -> bool {
        if !matches!(self.phase, Phase::Waiting { .. }) {
            return false;
        }
        self.phase = Phase::Unwatched { at: now };
        true
    }

    /// When it ended (stable, sent, failed, timed out, unwatched); None while at work.
    pub fn ended_at(&self) -> Option<Millis> {
        match self.phase {
            Phase::Sending | Phase::Waiting { .. } => None,
            Phase::Sent { at }
            | Phase::Stable { at, .. }
            | Phase::TimedOut { at }
            | Phase::Unwatched { at }
            | Phase::Failed { at, .. } => Some(at),
        }
    }

    /// Whether the wait follows the revision RegisterTaskDefinition returns.
    pub fn follows_registered(&self) -> bool {
        self.want.as_ref().is_some_and(|w| w.registered)
    }

    /// The service the wait watches, once there is one.
    pub fn waits_for(&self) -> Option<&ServiceKey> {
        self.want.as_ref().map(|w| &w.service)
    }

    /// The task definition the wait expects the service to run, when the action sets one.
    pub fn waits_for_task_def(&self) -> Option<&TaskDefRef> {
        self.want.as_ref()?.task_def.as_ref()
    }

    pub fn waits_between_calls(&self) -> bool {
        self.waits_between_calls
    }
}

/// The service shows what the action asked for.
fn shows(want: &Want, s: &Service) -> bool {
    // A registered revision not yet known is not shown by any service.
    if want.registered && want.task_def.is_none() {
        return false;
    }
    want.task_def.as_ref().is_none_or(|td| &s.task_def == td)
        && want.desired.is_none_or(|n| s.desired == n)
        && want
            .replaced_deployment
            .as_ref()
            .is_none_or(|old| s.primary().is_some_and(|d| &d.id != old))
}
