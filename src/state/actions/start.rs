//! A confirmed plan becomes a job: refused only when a running job acts on the same service
//! or its pair (the refusal names that job), or when `MAX_RUNNING` jobs run already.

use crate::model::{ActionPlan, ServiceKey, Verb};
use crate::state::jobs::{self, Job, JobId, MAX_RUNNING};
use crate::state::{Effect, State};

/// Why an action on `keys` (a plan's services) cannot start now, if it cannot.
pub(crate) fn refusal(state: &State, keys: &[ServiceKey]) -> Option<String> {
    let all = &state.ctx.services.items;
    let mut touched: Vec<ServiceKey> = keys.iter().flat_map(|k| jobs::pair_keys(k, all)).collect();
    touched.dedup();
    if let Some(j) = state.ctx.jobs.conflict(&touched) {
        let phase = if j.progress.phase == crate::state::actions::progress::Phase::Sending {
            "is sending its calls"
        } else {
            "is watching it"
        };
        return Some(format!(
            "{} {phase} (it acts on {}): wait for it, or stop watching it (x in :jobs)",
            j.title(),
            j.touches
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let running = state.ctx.jobs.running_count();
    (running >= MAX_RUNNING).then(|| {
        format!(
            "{running} jobs run already, the most at once: wait for one to end, or stop \
             watching one (x in :jobs)"
        )
    })
}

/// Why a plan did not start (nothing was sent): the verb, the service and `refusal`'s reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{verb} {service}: refused; {why}")]
pub struct Refused {
    pub verb: Verb,
    pub service: ServiceKey,
    pub why: String,
}

/// Starts `plan` as a job of the context on screen, or says why not (nothing is sent then).
pub(crate) fn start(
    state: &mut State,
    plan: ActionPlan,
    effects: &mut Vec<Effect>,
) -> Result<JobId, Refused> {
    let keys: Vec<ServiceKey> = std::iter::once(plan.service.clone())
        .chain(plan.then.iter().map(|f| f.service.clone()))
        .collect();
    if let Some(why) = refusal(state, &keys) {
        return Err(Refused {
            verb: plan.verb,
            service: plan.service,
            why,
        });
    }
    let id = state.next_job;
    state.next_job += 1;
    let who = jobs::who(
        &state.ctx.info,
        state.os_user.as_deref(),
        plan.actor.as_deref(),
    );
    let job = Job::new(id, &plan, who, &state.ctx.services.items, state.now);
    state.ctx.jobs.push(job);
    state.dirty = true;
    effects.push(Effect::Run(Box::new(plan), state.ctx.info.clone(), id));
    Ok(id)
}
