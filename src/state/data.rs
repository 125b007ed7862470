//! Data from the workers: fresh lists replace the old ones (keeping the selection), failures
//! keep the old data and say why.

use super::{Msg, Pane, State, items};
use crate::model::ActionResult;

pub(super) fn on_data(state: &mut State, msg: Msg) {
    match msg {
        Msg::LogFeed(..) | Msg::LogStatus(..) | Msg::LogBacklog(..) | Msg::LogSaved(..) => {
            super::logs_commands::on_log_data(state, msg)
        }
        Msg::Context(mut c) => {
            // Whether a context is production is the config's word, and so is its name.
            c.prod = state.context.prod;
            if !state.context.name.is_empty() {
                c.name = state.context.name.clone();
            }
            state.dirty |= c != state.context;
            state.context = c;
        }
        // Only until the first whole list: after that a part would hide rows.
        Msg::ServicesPart(mut v, done, total, at)
            if state.services.fetched_at.is_none() || state.services_loading.is_some() =>
        {
            items::sort_services(&mut v);
            state.services.replace(v, at);
            state.services_loading = Some((done, total));
            state.dirty = true;
        }
        Msg::Services(mut v, at) => {
            state.dirty |= state.services_loading.take().is_some();
            items::sort_services(&mut v);
            if let Some(p) = &mut state.progress {
                state.dirty |= p.observe(&v, at);
            }
            state.dirty |= state.services.replace(v, at) && state.pane != Pane::Logs;
            super::logs_commands::note_rollout(state);
        }
        Msg::Tasks(service, mut v, at) if service == state.rollout => {
            items::sort_tasks(&mut v);
            state.dirty |= state.tasks.replace(v, at);
        }
        Msg::Images(mut v, at) => {
            items::sort_images(&mut v);
            state.dirty |= state.images.replace(v, at);
        }
        Msg::Alarms(mut v, at) => {
            items::sort_alarms(&mut v);
            state.dirty |= state.alarms.replace(v, at);
        }
        Msg::Logs(key, lines, at) if state.logs.service() == Some(&key) => {
            state
                .logs
                .take(&crate::model::LogChunk::from_lines(&lines), at);
            state.dirty |= state.pane == Pane::Logs
                || (state.in_rollout_view() && state.rollout.as_ref() == Some(&key));
        }
        Msg::Failed(pane, err, _at) => {
            state.dirty |= state.pane_data_mut(pane).fail(err);
        }
        _ => {}
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
