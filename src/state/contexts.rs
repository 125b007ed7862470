//! `:ctx NAME` and `:region NAME`: switching what the console points at without a restart.
//!
//! Acting on the wrong account is the worst mistake an on-call console can make, so a switch
//! is loud and total: the header changes at once (name, PROD colour, region), a flash names the
//! context, and later its account; a dialog is closed; nothing of the old context's data stays
//! on screen. Everything a context owns is one `Context` (`state::context`): the switch puts the
//! one on screen away in a bounded list and takes the target's back (or a fresh one) in one
//! assignment, so nothing of one account can stay behind in the next. The loop builds the new
//! backend off the loop (`Effect::SwitchContext`) and stops the old pollers at once, so no
//! answer from the old account can land in the new context's panes.

use crate::model::{ApiError, ContextInfo};
use crate::state::context::Context;
use crate::state::{Effect, Mode, State};
use ratatui::style::Color;
use std::collections::VecDeque;

/// Contexts whose panes are kept while another is on screen; the oldest goes first.
pub const KEPT: usize = 4;

/// A context the config names, as the reducer needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextChoice {
    pub name: String,
    /// The region the config gives it, if any.
    pub region: Option<String>,
    pub prod: bool,
    pub read_only: bool,
    pub accent: Option<Color>,
}

/// The contexts the console may point at, and the one rule of which are read-only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextChoices {
    /// The contexts `:ctx` can switch to, from the config (and the one started with).
    pub list: Vec<ContextChoice>,
    /// `--read-only` or `read_only = true` at the top of the config: every context.
    pub read_only_everywhere: bool,
}

impl ContextChoices {
    pub fn get(&self, name: &str) -> Option<&ContextChoice> {
        self.list.iter().find(|c| c.name == name)
    }

    /// Whether every action in context `name` is refused: `--read-only`, the config's top
    /// `read_only`, or the context's own. Every place that needs to know asks this (the
    /// state when it makes a context, the connector when it builds a backend).
    pub fn read_only(&self, name: &str) -> bool {
        self.read_only_everywhere || self.get(name).is_some_and(|c| c.read_only)
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.list.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            "none in the config".into()
        } else {
            names.join(", ")
        }
    }
}

/// Where a switch goes: a context, in a region (None: the context's own), and the switch's
/// number, so the loop and the reducer drop the answers of a switch that was overtaken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub generation: u64,
    pub name: String,
    pub region: Option<String>,
}

impl Target {
    /// The same context in the same region, whatever the switch's number.
    pub fn same_place(&self, other: &Target) -> bool {
        self.name == other.name && self.region == other.region
    }

    /// `prod` or `prod (us-east-1)`.
    pub fn label(&self) -> String {
        match &self.region {
            Some(r) => format!("{} ({r})", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Contexts {
    pub choices: ContextChoices,
    /// The contexts put away by a switch, oldest first, each with all it owns.
    kept: VecDeque<Context>,
    log_lines: usize,
    log_bytes: usize,
}

impl Contexts {
    pub fn new(choices: ContextChoices, log_lines: usize, log_bytes: usize) -> Self {
        Self {
            choices,
            kept: VecDeque::new(),
            log_lines,
            log_bytes,
        }
    }

    /// Contexts whose panes are kept, oldest first.
    pub fn kept(&self) -> impl Iterator<Item = &Target> {
        self.kept.iter().map(|c| &c.target)
    }

    /// The contexts put away, oldest first.
    pub fn kept_contexts(&self) -> impl Iterator<Item = &Context> {
        self.kept.iter()
    }

    /// The contexts put away, to give a job's outcome to the one it ran in.
    pub(crate) fn kept_mut(&mut self) -> impl Iterator<Item = &mut Context> {
        self.kept.iter_mut()
    }

    /// The kept context of `target`'s place, taken out of the list.
    fn take_kept(&mut self, target: &Target) -> Option<Context> {
        let i = self.kept.iter().position(|c| c.target.same_place(target))?;
        self.kept.remove(i)
    }

    /// A context nothing has been read from, as the config describes it.
    fn fresh(&self, target: &Target) -> Context {
        let choice = self.choices.get(&target.name).cloned().unwrap_or_default();
        let info = ContextInfo {
            name: target.name.clone(),
            region: target.region.clone().unwrap_or_default(),
            prod: choice.prod,
            ..ContextInfo::default()
        };
        let mut ctx = Context::new(target.clone(), info, self.log_lines, self.log_bytes);
        ctx.accent = choice.accent;
        ctx.read_only = self.choices.read_only(&target.name);
        ctx
    }

    /// Puts `ctx` away, bounded to `KEPT`; returns the one that had to go. (The list never
    /// holds the place on screen: a switch takes its target out.)
    fn keep(&mut self, ctx: Context) -> Option<Context> {
        self.kept.push_back(ctx);
        (self.kept.len() > KEPT)
            .then(|| self.kept.pop_front())
            .flatten()
    }
}

/// `:ctx NAME`.
pub(super) fn switch_context(state: &mut State, name: Option<String>, fx: &mut Vec<Effect>) {
    let Some(name) = name else {
        let names = state.contexts.choices.names();
        return state.flash(format!("usage: :ctx NAME (contexts: {names})"));
    };
    let Some(choice) = state.contexts.choices.get(&name) else {
        let names = state.contexts.choices.names();
        return state.flash(format!("no context named {name:?} (contexts: {names})"));
    };
    let region = choice.region.clone();
    switch(state, name, region, fx);
}

/// `:region NAME`: the current context, in another region.
pub(super) fn switch_region(state: &mut State, region: Option<String>, fx: &mut Vec<Effect>) {
    let Some(region) = region else {
        return state.flash("usage: :region NAME (e.g. :region us-east-1)");
    };
    if !looks_like_region(&region) {
        return state.flash(format!(
            "{region:?} is not an AWS region name (e.g. us-east-1, eu-west-2)"
        ));
    }
    let name = state.ctx.target.name.clone();
    switch(state, name, Some(region), fx);
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`.
fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

/// The fleet view's `Enter`: the switch `:ctx` makes, to a context (and region) of the fleet.
pub(super) fn switch_to(
    state: &mut State,
    name: String,
    region: Option<String>,
    fx: &mut Vec<Effect>,
) {
    switch(state, name, region, fx);
}

fn switch(state: &mut State, name: String, region: Option<String>, fx: &mut Vec<Effect>) {
    // A job at work goes on: the runner holds its context's backend, and its outcome comes
    // back to the context it ran in (`data::on_action_done`).
    let target = Target {
        generation: state.ctx.target.generation + 1,
        name,
        region,
    };
    let here = &state.ctx.target;
    if target.same_place(here) && state.ctx.connection.failed.is_none() {
        return state.flash(format!("already on context {}", target.label()));
    }
    if !target.same_place(here) {
        let contexts = &mut state.contexts;
        let incoming = contexts
            .take_kept(&target)
            .unwrap_or_else(|| contexts.fresh(&target));
        // The switch: everything the old context owns goes away with it, in one move.
        let outgoing = std::mem::replace(&mut state.ctx, incoming);
        if let Some(gone) = state.contexts.keep(outgoing) {
            // Freed off the loop, as replaced data is.
            state.discard(gone);
        }
    }
    state.ctx.reconnect(target.clone());
    // A dialog, the help or a prompt belonged to the old context's screen; so did what
    // `:describe` read of its account.
    state.mode = Mode::Normal;
    state.describe = None;
    state.dirty = true;
    let c = &state.ctx.info;
    let acct = match c.account.as_str() {
        "" => "account not read yet".to_string(),
        a => format!("account {a}"),
    };
    let msg = format!(
        "switching to context {}{} · {acct} · {}…",
        target.name,
        if c.prod { " (PROD)" } else { "" },
        or_unknown(&c.region),
    );
    state.flash(msg);
    fx.push(Effect::SwitchContext(target));
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() {
        "region not read yet"
    } else {
        s
    }
}

/// The loop built the backend of switch `generation` and started its pollers.
pub(super) fn on_ready(state: &mut State, generation: u64, fx: &mut Vec<Effect>) {
    if generation == state.ctx.target.generation {
        state.ctx.connection.connecting = false;
        state.dirty = true;
        crate::state::timeline::on_ready(state, fx);
    }
}

/// The backend of switch `generation` could not be built (for example, the context's
/// credentials are missing): every pane keeps what it had and says why; `r` tries again.
pub(super) fn on_failed(state: &mut State, generation: u64, err: ApiError) {
    if generation != state.ctx.target.generation {
        return;
    }
    // The builds pane is GitHub's: an AWS context's failure is not its own.
    state.ctx.fail_every_pane(&err);
    let retry = state
        .keys
        .key_for(crate::keys::Layer::Normal, &crate::keys::Command::Refresh);
    state.flash(format!(
        "context {}: {err} ({retry} tries again)",
        state.ctx.target.label()
    ));
    let c = &mut state.ctx.connection;
    c.connecting = false;
    c.failed = Some(err);
}

/// `r` after a failed switch builds the backend again. True when it did.
pub(super) fn retry(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    if state.ctx.connection.failed.is_none() {
        return false;
    }
    let Target { name, region, .. } = state.ctx.target.clone();
    switch(state, name, region, fx);
    true
}

/// The backend told who it is after a switch: say so once, with the account.
pub(super) fn announce(state: &mut State) {
    if !std::mem::take(&mut state.ctx.connection.announce) {
        return;
    }
    let c = &state.ctx.info;
    let msg = format!(
        "now on context {}{} · account {} · {}",
        c.name,
        if c.prod { " (PROD)" } else { "" },
        if c.account.is_empty() {
            "?"
        } else {
            &c.account
        },
        or_unknown(&c.region),
    );
    state.flash(msg);
}

/// `Tab` in the palette after `ctx `: the context name that fits what was typed (or as much of
/// it as all the fitting names share).
pub(super) fn complete(state: &State, text: &str) -> Option<String> {
    let (word, typed) = text.split_once(' ')?;
    if !matches!(word, "ctx" | "context") || typed.contains(' ') {
        return None;
    }
    let fits: Vec<&str> = state
        .contexts
        .choices
        .list
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| n.starts_with(typed))
        .collect();
    let done = match fits.as_slice() {
        [] => return None,
        [one] => format!("{one} "),
        many => common_prefix(many),
    };
    Some(format!("{word} {done}"))
}

fn common_prefix(names: &[&str]) -> String {
    let first = names[0];
    let mut end = first.len();
    for n in &names[1..] {
        end = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_checked_for_shape() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in [
            "useast1",
            "us-east",
            "US-EAST-1",
            "us--1",
            "eu-west-x",
            "prod",
        ] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }

    #[test]
    fn the_common_prefix_of_names() {
        assert_eq!(common_prefix(&["prod-eu", "prod-us"]), "prod-");
        assert_eq!(common_prefix(&["a", "b"]), "");
        assert_eq!(common_prefix(&["same", "same"]), "same");
    }
}
