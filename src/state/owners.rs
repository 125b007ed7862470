//! Who owns each service (`model::owner`): the stacks CloudFormation named, asked in the
//! background for the services listed, and the `[iac]` rules over their tags. The OWNER
//! column, the rollout view and every mutating dialog read it.

use crate::model::owner::{Change, Owner, Stack, changes_of, consequence, owner_of};
use crate::model::{ActionPlan, ApiError, Service, ServiceKey};
use crate::state::{Effect, State};
use std::collections::{HashMap, HashSet};

/// Services asked about in one go, at most.
pub const ASK_BATCH: usize = 100;

/// What CloudFormation said of this context's services.
#[derive(Debug, Default)]
pub struct Found {
    pub stacks: HashMap<ServiceKey, Result<Option<Stack>, ApiError>>,
    asked: HashSet<ServiceKey>,
    in_flight: bool,
}

impl Found {
    /// The context's workers start anew: a batch asked of the old ones is never answered, so
    /// its services are asked again.
    pub(crate) fn workers_restarted(&mut self) {
        let stacks = &self.stacks;
        self.asked.retain(|k| stacks.contains_key(k));
        self.in_flight = false;
    }
}

impl State {
    /// Who owns a service of the context on screen: its stack, or `[iac]`'s rules over its tags.
    pub fn owner_of(&self, s: &Service) -> Owner {
        owner_of(&s.tags, &self.iac, self.ctx.owners.stacks.get(&s.key()))
    }
}

/// Asks about the listed services nobody asked about yet, a batch at a time.
pub(crate) fn wanted(state: &mut State, effects: &mut Vec<Effect>) {
    let found = &mut state.ctx.owners;
    if found.in_flight {
        return;
    }
    let batch: Vec<(ServiceKey, String)> = state
        .ctx
        .services
        .items
        .iter()
        .filter(|s| !found.asked.contains(&s.key()))
        .take(ASK_BATCH)
        .map(|s| (s.key(), s.arn.clone()))
        .collect();
    if batch.is_empty() {
        return;
    }
    found.asked.extend(batch.iter().map(|(k, _)| k.clone()));
    found.in_flight = true;
    effects.push(Effect::Owners(batch));
}

pub(crate) fn on_found(
    state: &mut State,
    answers: Vec<(ServiceKey, Result<Option<Stack>, ApiError>)>,
    effects: &mut Vec<Effect>,
) {
    state.ctx.owners.in_flight = false;
    state.ctx.owners.stacks.extend(answers);
    state.dirty = true;
    wanted(state, effects);
}

/// What each owner of a service a plan changes does to that change, in words: what the
/// dialog says and the audit record keeps.
pub fn consequences(state: &State, plan: &ActionPlan) -> Vec<String> {
    let calls = std::iter::once((&plan.service, &plan.mutation))
        .chain(plan.then.iter().map(|f| (&f.service, &f.mutation)));
    let mut out: Vec<String> = Vec::new();
    for (key, m) in calls {
        let changes = changes_of(m);
        if changes.is_empty() {
            continue;
        }
        let Some(s) = state.ctx.services.items.iter().find(|s| &s.key() == key) else {
            continue;
        };
        for line in lines_for(&state.owner_of(s), &s.name, &changes) {
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

fn lines_for(owner: &Owner, name: &str, changes: &[Change]) -> Vec<String> {
    match owner {
        Owner::NotRead => vec![format!("owner of {name}: not read yet")],
        Owner::Unknown(e) => vec![format!("owner of {name} unknown: {e}")],
        Owner::None => vec![format!(
            "owner of {name}: none found (no CloudFormation stack lists it, no Copilot or [iac] tag)"
        )],
        o => changes.iter().filter_map(|c| consequence(o, c)).collect(),
    }
}
