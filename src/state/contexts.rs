//! `:ctx NAME` and `:region NAME`: switching what the console points at without a restart.
//!
//! Acting on the wrong account is the worst mistake an on-call console can make, so a switch
//! is loud and total: the header changes at once (name, PROD colour, region), a flash names the
//! context, and later its account; a dialog is closed; nothing of the old context's data stays
//! on screen. Each context keeps its own panes (data, selection, filters, the rollout view) in a
//! bounded map, and gets them back when the user returns. The loop builds the new backend off
//! the loop (`Effect::SwitchContext`) and stops the old pollers at once, so no answer from the
//! old account can land in the new context's panes.

use crate::model::{Alarm, ApiError, ContextInfo, Image, Service, ServiceKey, Task};
use crate::state::actions::progress;
use crate::state::logs::LogView;
use crate::state::table::Table;
use crate::state::{Effect, Mode, Pane, State};
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

/// Where a switch goes: a context, in a region (None: the context's own), and the switch's
/// number, so the loop and the reducer drop the answers of a switch that was overtaken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub generation: u64,
    pub name: String,
    pub region: Option<String>,
}

impl Target {
    fn same_place(&self, other: &Target) -> bool {
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

/// What belongs to one context: everything on screen that came from its account.
#[derive(Debug)]
struct Parts {
    pane: Pane,
    services: Table<Service>,
    tasks: Table<Task>,
    images: Table<Image>,
    alarms: Table<Alarm>,
    logs: LogView,
    rollout: Option<ServiceKey>,
    rollout_view: crate::state::rollout::RolloutView,
    /// The back-stack: its places are this context's panes and rows.
    back_stack: Vec<crate::state::back_stack::Place>,
    services_loading: Option<(usize, usize)>,
    progress: Option<progress::Progress>,
    /// Alarm links, comparisons, task definitions: all read from this context's account.
    evidence: crate::state::rollout::evidence::Evidence,
    context: ContextInfo,
    accent: Option<Color>,
    read_only: bool,
    credentials_expiry: Option<crate::model::Millis>,
}

#[derive(Debug, Default)]
pub struct Contexts {
    /// The contexts `:ctx` can switch to, from the config (and the one started with).
    pub choices: Vec<ContextChoice>,
    /// `--read-only` or `read_only = true` at the top of the config: every context.
    pub read_only_everywhere: bool,
    /// Where the console points now, or is switching to.
    pub current: Target,
    /// The switch is under way: the new backend is being built.
    pub connecting: bool,
    /// The last switch failed; `r` tries again.
    pub failed: Option<ApiError>,
    /// Set by a switch: the next header context from the backend is announced.
    announce: bool,
    kept: VecDeque<(Target, Parts)>,
    log_lines: usize,
    log_bytes: usize,
}

impl Contexts {
    pub fn new(current: Target, log_lines: usize, log_bytes: usize) -> Self {
        Self {
            current,
            log_lines,
            log_bytes,
            ..Self::default()
        }
    }

    pub fn choice(&self, name: &str) -> Option<&ContextChoice> {
        self.choices.iter().find(|c| c.name == name)
    }

    /// Contexts whose panes are kept, oldest first.
    pub fn kept(&self) -> impl Iterator<Item = &Target> {
        self.kept.iter().map(|(t, _)| t)
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.choices.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            "none in the config".into()
        } else {
            names.join(", ")
        }
    }
}

/// `:ctx NAME`.
pub(super) fn switch_context(state: &mut State, name: Option<String>, fx: &mut Vec<Effect>) {
    let Some(name) = name else {
        let names = state.contexts.names();
        return state.flash(format!("usage: :ctx NAME (contexts: {names})"));
    };
    let Some(choice) = state.contexts.choice(&name) else {
        let names = state.contexts.names();
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
    let name = state.contexts.current.name.clone();
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

fn switch(state: &mut State, name: String, region: Option<String>, fx: &mut Vec<Effect>) {
    if let Some(p) = state
        .progress
        .as_ref()
        .filter(|p| p.phase == progress::Phase::Sending)
    {
        let why = format!(
            "{} {} is still being sent in {}: wait for it before switching context",
            p.verb,
            p.service,
            state.contexts.current.label()
        );
        return state.flash(why);
    }
    let target = Target {
        generation: state.contexts.current.generation + 1,
        name,
        region,
    };
    if target.same_place(&state.contexts.current) && state.contexts.failed.is_none() {
        return state.flash(format!("already on context {}", target.label()));
    }
    if !target.same_place(&state.contexts.current) {
        let old = std::mem::replace(&mut state.contexts.current, target.clone());
        let parts = take_parts(state, &target);
        keep(state, old, parts);
    }
    state.contexts.current = target.clone();
    // The next context's event worker says how its events come.
    state.feed = super::feed::Feed::default();
    state.contexts.connecting = true;
    state.contexts.failed = None;
    state.contexts.announce = true;
    // A dialog, the help or a prompt belonged to the old context's screen.
    state.mode = Mode::Normal;
    state.last_watch = None;
    let acct = match state.context.account.as_str() {
        "" => "account not read yet".to_string(),
        a => format!("account {a}"),
    };
    state.flash(format!(
        "switching to context {}{} · {acct} · {}…",
        target.name,
        if state.context.prod { " (PROD)" } else { "" },
        or_unknown(&state.context.region),
    ));
    fx.push(Effect::SwitchContext(target));
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() {
        "region not read yet"
    } else {
        s
    }
}

/// Puts the state's context parts away under `old`, bounded to `KEPT`.
fn keep(state: &mut State, old: Target, parts: Parts) {
    let kept = &mut state.contexts.kept;
    kept.retain(|(t, _)| !t.same_place(&old));
    kept.push_back((old, parts));
    while state.contexts.kept.len() > KEPT {
        if let Some(gone) = state.contexts.kept.pop_front() {
            // Freed off the loop, as replaced data is.
            state.discard(gone);
        }
    }
}

/// Swaps the state's context parts for `target`'s: the kept ones, or fresh ones. Returns the
/// parts that were on screen.
fn take_parts(state: &mut State, target: &Target) -> Parts {
    let kept = &mut state.contexts.kept;
    let restored = kept
        .iter()
        .position(|(t, _)| t.same_place(target))
        .and_then(|i| kept.remove(i))
        .map(|(_, p)| p);
    let incoming = restored.unwrap_or_else(|| fresh(state, target));
    swap(state, incoming)
}

fn fresh(state: &State, target: &Target) -> Parts {
    let c = &state.contexts;
    let choice = c.choice(&target.name).cloned().unwrap_or_default();
    Parts {
        pane: Pane::Services,
        services: Table::default(),
        tasks: Table::default(),
        images: Table::default(),
        alarms: Table::default(),
        logs: LogView::new(c.log_lines, c.log_bytes),
        rollout: None,
        rollout_view: Default::default(),
        back_stack: Vec::new(),
        services_loading: None,
        progress: None,
        evidence: Default::default(),
        context: ContextInfo {
            name: target.name.clone(),
            region: target.region.clone().unwrap_or_default(),
            prod: choice.prod,
            ..ContextInfo::default()
        },
        accent: choice.accent,
        read_only: c.read_only_everywhere || choice.read_only,
        credentials_expiry: None,
    }
}

fn swap(state: &mut State, mut p: Parts) -> Parts {
    use std::mem::swap;
    swap(&mut state.pane, &mut p.pane);
    swap(&mut state.services, &mut p.services);
    swap(&mut state.tasks, &mut p.tasks);
    swap(&mut state.images, &mut p.images);
    swap(&mut state.alarms, &mut p.alarms);
    swap(&mut state.logs, &mut p.logs);
    swap(&mut state.rollout, &mut p.rollout);
    swap(&mut state.rollout_view, &mut p.rollout_view);
    swap(&mut state.back_stack, &mut p.back_stack);
    swap(&mut state.services_loading, &mut p.services_loading);
    swap(&mut state.progress, &mut p.progress);
    swap(&mut state.evidence, &mut p.evidence);
    swap(&mut state.context, &mut p.context);
    swap(&mut state.accent, &mut p.accent);
    swap(&mut state.read_only, &mut p.read_only);
    swap(&mut state.credentials_expiry, &mut p.credentials_expiry);
    state.dirty = true;
    p
}

/// The loop built the backend of switch `generation` and started its pollers.
pub(super) fn on_ready(state: &mut State, generation: u64) {
    if generation == state.contexts.current.generation {
        state.contexts.connecting = false;
        state.dirty = true;
    }
}

/// The backend of switch `generation` could not be built (for example, the context's
/// credentials are missing): every pane keeps what it had and says why; `r` tries again.
pub(super) fn on_failed(state: &mut State, generation: u64, err: ApiError) {
    if generation != state.contexts.current.generation {
        return;
    }
    state.contexts.connecting = false;
    // The builds pane is GitHub's: an AWS context's failure is not its own.
    for pane in Pane::ALL.into_iter().filter(|p| *p != Pane::Builds) {
        state.pane_data_mut(pane).fail(err.clone());
    }
    let retry = state
        .keys
        .key_for(crate::keys::Layer::Normal, &crate::keys::Command::Refresh);
    state.flash(format!(
        "context {}: {err} ({retry} tries again)",
        state.contexts.current.label()
    ));
    state.contexts.failed = Some(err);
}

/// `r` after a failed switch builds the backend again. True when it did.
pub(super) fn retry(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    if state.contexts.failed.is_none() {
        return false;
    }
    let Target { name, region, .. } = state.contexts.current.clone();
    switch(state, name, region, fx);
    true
}

/// The backend told who it is after a switch: say so once, with the account.
pub(super) fn announce(state: &mut State) {
    if !std::mem::take(&mut state.contexts.announce) {
        return;
    }
    let c = &state.context;
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
