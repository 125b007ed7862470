//! An SSO session's accounts and roles join the fleet once the portal has listed them
//! (`[fleet] sso_session`, read off the loop at start-up): each (account, role) becomes a
//! context `:ctx` offers and a row per region of the fleet view, and the fleet's workers start
//! reading them. A listing that failed is the fleet view's note; the rest of the fleet works.

use crate::state::contexts::ContextChoice;
use crate::state::{Effect, State, Target};

/// What the listing found, ready for the state: the new contexts, their rows, and what the
/// fleet view's note says now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SsoListed {
    pub choices: Vec<ContextChoice>,
    /// One per context and region watched.
    pub members: Vec<Target>,
    /// The view's note once the listing answered (None: nothing to say).
    pub note: Option<String>,
}

/// The listing answered: its contexts join `:ctx` and the fleet (never over a name the
/// console already has), and the fleet's workers are told to read them.
pub fn on_listed(state: &mut State, listed: SsoListed, fx: &mut Vec<Effect>) {
    let SsoListed {
        choices,
        members,
        note,
    } = listed;
    let known: Vec<String> = state
        .contexts
        .choices
        .list
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let fresh = |name: &str| !known.iter().any(|k| k == name);
    let members: Vec<Target> = members.into_iter().filter(|t| fresh(&t.name)).collect();
    state
        .contexts
        .choices
        .list
        .extend(choices.into_iter().filter(|c| fresh(&c.name)));
    state.fleet.members.extend(
        members
            .iter()
            .cloned()
            .map(|target| crate::state::fleet::Member {
                target,
                ..Default::default()
            }),
    );
    state.fleet.note = note;
    state.dirty = true;
    if !members.is_empty() {
        fx.push(Effect::JoinFleet(members, state.ctx.target.clone()));
    }
}
