//! The opt-in policy: `:arm` arms a `[[policy]]` for one rollout of one service, after a dialog
//! that shows the rule. While the console runs and the policy is armed, it promotes once PASS
//! has held long enough and the soak is over, or aborts after enough FAIL reads in a row,
//! through the same plan, re-check and audit a keypress would (`Effect::Run` with the plan
//! `P` or `A` makes; the audit names the actor). Any key pressed on that service disarms it;
//! nothing acts in read-only; it acts once, then disarms.

use crate::model::verdict::{Policy, Rule, Verdict};
use crate::model::{Service, ServiceKey, Verb};
use crate::state::actions::plan;
use crate::state::rollout::verdict::{kept_for, soak_of};
use crate::state::{Effect, Mode, State};

/// The one rollout the policy is armed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Armed {
    pub service: ServiceKey,
    /// Which rollout: the canary's revision and since when (a new rollout is not armed).
    pub rollout: String,
    pub policy: Policy,
}

/// The arm dialog: what would be armed, and what was typed (a prod context asks for the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmDialog {
    pub armed: Armed,
    pub typed: String,
}

/// Which rollout `s` is in, if one: its canary's revision and start.
pub fn rollout_of(state: &State, s: &Service) -> Option<String> {
    let sides = state.ctx.sides_of(s)?;
    Some(format!(
        "{}@{}",
        sides.canary.revision,
        sides.canary.from.millis()
    ))
}

/// `:arm`: the dialog for the selected service's rollout, or why not.
pub(crate) fn open(state: &mut State) {
    let Some(s) = state.ctx.action_target() else {
        return state.flash("arm: select a service first");
    };
    let key = s.key();
    if state.ctx.read_only {
        return state.flash("arm: read-only: nothing acts, the policy cannot be armed");
    }
    let Some(policy) = state.analysis.policies.iter().find(|p| p.is_for(&key)) else {
        return state.flash(format!(
            "arm: no [[policy]] for {} in the config; nothing acts unless one is set and armed",
            key.name
        ));
    };
    let Some(rollout) = rollout_of(state, s) else {
        return state.flash(format!("arm: no rollout in flight on {key}"));
    };
    let armed = Armed {
        service: key,
        rollout,
        policy: policy.clone(),
    };
    state.mode = Mode::Arm(Box::new(ArmDialog {
        armed,
        typed: String::new(),
    }));
    state.flash = None;
}

/// The dialog's keys: `y` arms (in prod, the service's name and Enter), anything else cancels.
pub(crate) fn on_dialog(state: &mut State, command: crate::keys::Command, mut d: ArmDialog) {
    use crate::keys::ModeKey as K;
    let prod = state.ctx.info.prod;
    match command.mode_key() {
        Some(K::Confirm) if prod && d.typed != d.armed.service.name => {
            state.mode = Mode::Arm(Box::new(ArmDialog {
                typed: String::new(),
                ..d.clone()
            }));
            let name = d.armed.service.name;
            state.flash(format!("type {name} exactly to arm; nothing was armed"));
        }
        Some(K::Confirm) => {
            state.mode = Mode::Normal;
            let who = d.armed.service.clone();
            state.ctx.evidence.armed = Some(d.armed);
            state.flash(format!(
                "AUTO: the policy is armed for {who}'s rollout; any key on it disarms it"
            ));
        }
        Some(K::Insert(c)) => {
            d.typed.push(c);
            state.mode = Mode::Arm(Box::new(d));
        }
        Some(K::DeleteChar) => {
            d.typed.pop();
            state.mode = Mode::Arm(Box::new(d));
        }
        // Any other key cancels, a normal-mode key (None) too.
        Some(
            K::Cancel
            | K::Accept
            | K::Down
            | K::Up
            | K::PageDown
            | K::PageUp
            | K::Top
            | K::Bottom
            | K::Complete
            | K::Toggle
            | K::OtherTarget
            | K::Search
            | K::NextMatch
            | K::PrevMatch,
        )
        | None => {
            state.mode = Mode::Normal;
            state.flash("arm: cancelled; nothing was armed");
        }
    }
}

/// A key pressed on the armed service disarms the policy for its rollout.
pub(crate) fn on_key(state: &mut State) {
    let Some(a) = &state.ctx.evidence.armed else {
        return;
    };
    if state.mode == Mode::Normal
        && state
            .ctx
            .action_target()
            .is_some_and(|s| s.key() == a.service)
    {
        let who = a.service.clone();
        state.ctx.evidence.armed = None;
        state.flash(format!(
            "AUTO off: a key was pressed on {who}; the policy is disarmed"
        ));
    }
}

/// What the armed policy would do now, and why; None while it waits.
fn due(state: &State, a: &Armed, s: &Service, rule: &Rule) -> Option<(Verb, String)> {
    let k = kept_for(state, s)?;
    let streak = k.streak;
    match streak.verdict {
        Verdict::Fail if a.policy.on_fail_abort && streak.reads >= rule.fails_to_abort => {
            Some((Verb::Abort, format!("{} FAIL reads in a row", streak.reads)))
        }
        Verdict::Pass if a.policy.on_pass_continue => {
            let held = streak.held_minutes(state.now);
            let soak = soak_of(state, s);
            let soaked = soak.is_none_or(|k| k.is_over());
            (held >= i64::from(rule.pass_minutes) && soaked).then(|| {
                let soak = soak.map_or(String::new(), |k| format!(", {}", k.text()));
                (Verb::Promote, format!("PASS held {held} min{soak}"))
            })
        }
        Verdict::Fail | Verdict::Pass | Verdict::Inconclusive => None,
    }
}

/// Each tick: disarms what can no longer act, and acts once when the verdict says so.
pub(crate) fn step(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(a) = state.ctx.evidence.armed.clone() else {
        return;
    };
    let found = state.ctx.service(&a.service).cloned();
    let same = found
        .as_ref()
        .is_some_and(|s| rollout_of(state, s).as_ref() == Some(&a.rollout));
    if state.ctx.read_only || !same {
        state.ctx.evidence.armed = None;
        let why = if state.ctx.read_only {
            "read-only"
        } else {
            "its rollout ended"
        };
        return state.flash(format!("AUTO off for {}: {why}", a.service));
    }
    let Some(s) = found else { return };
    if crate::state::actions::start::refusal(state, &[s.key()]).is_some() {
        return; // a job acts on this service or its pair: the policy waits for it
    }
    let rule = *state.analysis.rule_for(&s.name);
    let Some((verb, why)) = due(state, &a, &s, &rule) else {
        return;
    };
    let Ok(mut plan) = plan::for_verb(verb, &s, &state.ctx.services.items, None) else {
        return; // not possible yet (no hook waits): the policy waits with it
    };
    plan.actor = Some("policy".into());
    state.ctx.evidence.armed = None;
    match crate::state::actions::start::start(state, plan, effects) {
        Ok(_) => state.flash(format!("AUTO: {verb} {} ({why})", a.service)),
        Err(refused) => state.flash(format!("AUTO: {refused}")),
    }
}
