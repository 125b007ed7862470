//! Data from the workers: fresh lists replace the old ones (keeping the selection), failures
//! keep the old data and say why.

use crate::model::{ActionResult, ContextInfo, Millis, Service, Task};
use crate::state::rollout::evidence;
use crate::state::table::Prepared;
use crate::state::table::items;
use crate::state::{Msg, Pane, PaneData, State};

pub(super) fn on_data(state: &mut State, msg: Msg) {
    match msg {
        Msg::LogFeed(..) | Msg::LogStatus(..) | Msg::LogBacklog(..) | Msg::LogSaved(..) => {
            crate::state::logs::commands::on_log_data(state, msg)
        }
        Msg::Context(c) => on_context(state, c),
        // Only until the first whole list: after that a part would hide rows.
        Msg::ServicesPart(mut v, done, total, at)
            if state.services.fetched_at.is_none() || state.services_loading.is_some() =>
        {
            items::sort_services(&mut v);
            state.services.replace(v, at);
            state.services_loading = Some((done, total));
            state.dirty = true;
        }
        Msg::Services(prepared, at) => on_services(state, prepared, at),
        Msg::Tasks(None, mut v, at) => {
            items::sort_tasks(&mut v);
            state.dirty |= state.tasks.replace(v, at);
        }
        Msg::Tasks(Some(key), v, _) if Some(&key) == state.rollout.as_ref() => {
            on_rollout_tasks(state, &key, v);
        }
        Msg::Images(mut v, at) => {
            items::sort_images(&mut v);
            state.dirty |= state.images.replace(v, at);
        }
        Msg::Alarms(mut v, at) => {
            items::sort_alarms(&mut v);
            // The tab's badge and the rows' alarms show on every pane.
            state.dirty |= state.alarms.replace(v, at);
        }
        Msg::Links(links) => {
            let old = std::mem::replace(&mut state.evidence.links, links);
            state.dirty |= old != state.evidence.links;
            state.discard(old);
        }
        Msg::Evidence(f) => evidence::on_fetched(state, *f),
        Msg::Logs(key, lines, at) if state.logs.service() == Some(&key) => {
            state
                .logs
                .take(&crate::model::LogChunk::from_lines(&lines), at);
            state.dirty |= state.pane == Pane::Logs
                || (state.in_rollout_view() && state.rollout.as_ref() == Some(&key));
        }
        Msg::Failed(pane, err, _at) => {
            if pane == Pane::Services {
                state.rollout_view.fail(err.clone());
            }
            state.dirty |= state.pane_data_mut(pane).fail(err);
        }
        m @ (Msg::Runs(..)
        | Msg::RunDetail(..)
        | Msg::RunDetailFailed(..)
        | Msg::BuildInputs(..)
        | Msg::Dispatched(..)
        | Msg::CiRate(..)) => crate::state::builds::on_msg(state, m),
        _ => {}
    }
}

fn on_context(state: &mut State, mut c: ContextInfo) {
    // Whether a context is production is the config's word, and so is its name.
    c.prod = state.context.prod;
    if !state.context.name.is_empty() {
        c.name = state.context.name.clone();
    }
    state.dirty |= c != state.context;
    state.context = c;
    crate::state::contexts::announce(state);
}

/// A prepared refresh: swapped in; what it replaced is freed off the loop.
fn on_services(state: &mut State, prepared: Prepared<Service>, at: Millis) {
    state.dirty |= state.services_loading.take().is_some();
    if let Some(p) = &mut state.progress {
        state.dirty |= p.observe(&prepared.items, at);
    }
    // The rollout view shows a service's row: its data is as old as the services'.
    state.rollout_view.fetched_at = Some(at);
    state.rollout_view.error = None;
    let (changed, old) = state.services.take(prepared, at);
    state.dirty |= changed && state.pane != Pane::Logs;
    // Freeing 10k services costs milliseconds: the loop hands them to a worker.
    if let Some(old) = old {
        state.discard(old);
    }
    crate::state::logs::commands::note_rollout(state);
}

/// The rollout view's tasks; a paired canary's other side's come with them.
fn on_rollout_tasks(state: &mut State, key: &crate::model::ServiceKey, mut v: Vec<Task>) {
    items::sort_tasks(&mut v);
    let (mine, partner): (Vec<_>, Vec<_>) = v
        .into_iter()
        .partition(|t| t.cluster == key.cluster && t.service == key.name);
    let view = &mut state.rollout_view;
    if mine != view.tasks || partner != view.partner_tasks {
        view.tasks = mine;
        view.partner_tasks = partner;
        state.dirty |= state.in_rollout_view();
    }
}

pub(super) fn on_action_done(state: &mut State, result: ActionResult) {
    match &mut state.progress {
        Some(p) => {
            p.done(&result, state.now);
            state.dirty = true;
        }
        None => state.flash(match result {
            Ok(m) => m,
            Err(e) => format!("✗ {e}"),
        }),
    }
}
