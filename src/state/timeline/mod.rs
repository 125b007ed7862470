//! The timeline view (`:timeline`, or its key in the rollout view): one service's history
//! merged in time order. The reducer asks for it (`Effect::Timeline`), the timeline worker
//! reads every source off the loop and answers with the merged `Timeline`, and the view keeps
//! it in a table, so `/` filters and `Enter` opens an entry's detail. `:since 7d` reaches
//! further back; `:export timeline [PATH]` writes it as a post-mortem draft.

pub mod export;

use crate::model::timeline::{DEFAULT_SPAN_MS, Entry, Timeline, parse_span, span_text};
use crate::model::{At, Ms, Service, ServiceKey, Workflow};
use crate::state::table::Table;
use crate::state::{Effect, Pane, State};

/// What the timeline worker should read.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Answers carry it back, so an answer to an older request is dropped.
    pub generation: u64,
    /// The service as the console knows it: its deployments, history, events and tags.
    pub service: Service,
    /// The alarms that belong to it.
    pub alarms: Vec<String>,
    /// The workflow that builds it, when one is known.
    pub workflow: Option<Workflow>,
    pub from: At,
    pub until: At,
    /// The context's name, for its audit records.
    pub context: String,
}

// The service's CPU and memory points are floats; a request is compared only to see whether it
// is the same one again, where a NaN point makes two requests differ, which is harmless.
impl Eq for Request {}

#[derive(Debug, Default)]
pub struct TimelineView {
    pub service: Option<ServiceKey>,
    /// How far back it reaches; `DEFAULT_SPAN_MS` until `:since` says otherwise.
    pub span: Option<Ms>,
    /// The entries, newest first, filtered by `/`.
    pub table: Table<Entry>,
    /// The timeline read last, without its entries (they are in `table`).
    pub read: Option<Timeline>,
    /// The request in flight, if one is.
    pub loading: Option<u64>,
    /// A read was cut by a switch: asked again when the context's backend is ready.
    ask_again: bool,
    generation: u64,
}

impl TimelineView {
    /// The context's workers start anew: a read asked of the old ones is never answered, so
    /// it is asked again once the new backend is ready.
    pub(crate) fn workers_restarted(&mut self) {
        if self.loading.take().is_some() {
            self.ask_again = true;
        }
    }

    pub fn span(&self) -> Ms {
        self.span.unwrap_or(DEFAULT_SPAN_MS)
    }
}

/// Opens the timeline of the rollout view's service, or of the one selected.
pub(crate) fn open(state: &mut State, effects: &mut Vec<Effect>) {
    let service = match state.ctx.pane {
        Pane::Rollout => state.ctx.rollout_service(),
        Pane::Timeline => state
            .ctx
            .timeline
            .service
            .as_ref()
            .and_then(|k| state.ctx.services.items.iter().find(|s| &s.key() == k)),
        Pane::Services | Pane::Tasks | Pane::Images | Pane::Alarms | Pane::Logs | Pane::Builds => {
            state.ctx.selected_service()
        }
    };
    let Some(service) = service.map(Service::key) else {
        return state.flash("select a service first (services pane, or drill into one)");
    };
    if state.ctx.timeline.service.as_ref() != Some(&service) {
        state.ctx.timeline.table = Table::default();
        state.ctx.timeline.read = None;
    }
    state.ctx.timeline.service = Some(service);
    if state.ctx.pane != Pane::Timeline {
        state.remember_here();
    }
    state.ctx.pane = Pane::Timeline;
    state.mode = crate::state::Mode::Normal;
    state.dirty = true;
    ask(state, effects);
}

/// The context's backend is ready: a read a switch cut is asked again.
pub(crate) fn on_ready(state: &mut State, effects: &mut Vec<Effect>) {
    if state.ctx.timeline.ask_again {
        ask(state, effects);
    }
}

/// Asks the worker to read the timeline again (opening it, `r`, `:since`).
pub(crate) fn ask(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(key) = state.ctx.timeline.service.clone() else {
        return;
    };
    let Some(service) = state.ctx.service(&key).cloned() else {
        return state.flash(format!("{key} is no longer listed"));
    };
    let alarms = state
        .ctx
        .alarms_of(&key)
        .map(|(a, _)| a.name.clone())
        .collect();
    let workflow = state.builds.source_of(&service).map(|b| b.workflow.clone());
    state.ctx.timeline.ask_again = false;
    state.ctx.timeline.generation += 1;
    let generation = state.ctx.timeline.generation;
    state.ctx.timeline.loading = Some(generation);
    effects.push(Effect::Timeline(Box::new(Request {
        generation,
        from: state.now - state.ctx.timeline.span(),
        until: state.now,
        service,
        alarms,
        workflow,
        context: state.ctx.info.name.clone(),
    })));
    state.dirty = true;
}

/// `:since 7d` on the timeline: how far back it reaches.
pub(crate) fn since(state: &mut State, arg: Option<&str>, effects: &mut Vec<Effect>) {
    match arg.and_then(parse_span) {
        Some(ms) => {
            state.ctx.timeline.span = Some(ms);
            state.flash(format!("timeline: the last {}", span_text(ms)));
            ask(state, effects);
        }
        None => state.flash("usage on the timeline: :since 24h|7d|30d (up to 90d)"),
    }
}

/// The worker's answer: swapped in when it is the one asked for last.
pub(crate) fn on_read(state: &mut State, generation: u64, mut t: Timeline) {
    let v = &mut state.ctx.timeline;
    if v.loading != Some(generation) || t.service != v.service {
        return;
    }
    v.loading = None;
    let entries = std::mem::take(&mut t.entries);
    let at = t.until;
    v.table.replace(entries, at);
    if let Some(old) = v.read.replace(t) {
        state.discard(old);
    }
    state.dirty = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_span_is_a_day() {
        assert_eq!(TimelineView::default().span(), DEFAULT_SPAN_MS);
    }
}
