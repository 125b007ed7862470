//! Data from the workers: fresh lists replace the old ones (keeping the selection), failures
//! keep the old data and say why.

use crate::model::{ActionResult, ContextInfo, Millis, Service};
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
            if state.ctx.services.fetched_at.is_none() || state.ctx.services_loading.is_some() =>
        {
            items::sort_services(&mut v);
            state.ctx.services.replace(v, at);
            state.ctx.services_loading = Some((done, total));
            state.dirty = true;
        }
        Msg::Services(prepared, at) => on_services(state, prepared, at),
        Msg::Tasks(None, mut v, at) => {
            items::sort_tasks(&mut v);
            state.dirty |= state.ctx.tasks.replace(v, at);
        }
        Msg::Tasks(Some(key), mut v, _) if Some(&key) == state.ctx.rollout.as_ref() => {
            items::sort_tasks(&mut v);
            if v != state.ctx.rollout_view.tasks {
                state.ctx.rollout_view.tasks = v;
                state.dirty |= state.ctx.in_rollout_view();
            }
        }
        Msg::Images(mut v, at) => {
            items::sort_images(&mut v);
            state.dirty |= state.ctx.images.replace(v, at);
        }
        Msg::Alarms(mut v, at) => {
            items::sort_alarms(&mut v);
            // The tab's badge and the rows' alarms show on every pane.
            state.dirty |= state.ctx.alarms.replace(v, at);
        }
        Msg::Links(links) => {
            let old = std::mem::replace(&mut state.ctx.evidence.links, links);
            state.dirty |= old != state.ctx.evidence.links;
            state.discard(old);
        }
        Msg::Evidence(f) => evidence::on_fetched(state, *f),
        Msg::Logs(key, lines, at) if state.ctx.logs.service() == Some(&key) => {
            state
                .ctx
                .logs
                .take(&crate::model::LogChunk::from_lines(&lines), at);
            state.dirty |= state.ctx.pane == Pane::Logs
                || (state.ctx.in_rollout_view() && state.ctx.rollout.as_ref() == Some(&key));
        }
        Msg::Failed(pane, err, _at) => {
            if pane == Pane::Services {
                state.ctx.rollout_view.fail(err.clone());
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
    c.prod = state.ctx.info.prod;
    if !state.ctx.info.name.is_empty() {
        c.name = state.ctx.info.name.clone();
    }
    state.dirty |= c != state.ctx.info;
    state.ctx.info = c;
    // The account is known now, whatever an earlier lookup said.
    state.ctx.connection.context_error = None;
    crate::state::contexts::announce(state);
}

/// A prepared refresh: swapped in; what it replaced is freed off the loop.
fn on_services(state: &mut State, prepared: Prepared<Service>, at: Millis) {
    state.dirty |= state.ctx.services_loading.take().is_some();
    if let Some(p) = &mut state.ctx.progress {
        state.dirty |= p.observe(&prepared.items, at);
    }
    // The rollout view shows a service's row: its data is as old as the services'.
    state.ctx.rollout_view.fetched_at = Some(at);
    state.ctx.rollout_view.error = None;
    let (changed, old) = state.ctx.services.take(prepared, at);
    state.dirty |= changed && state.ctx.pane != Pane::Logs;
    // Freeing 10k services costs milliseconds: the loop hands them to a worker.
    if let Some(old) = old {
        state.discard(old);
    }
    crate::state::logs::commands::note_rollout(state);
}

pub(super) fn on_action_done(state: &mut State, result: ActionResult) {
    match &mut state.ctx.progress {
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
