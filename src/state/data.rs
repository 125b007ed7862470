//! Data from the workers: fresh lists replace the old ones (keeping the selection), failures
//! keep the old data and say why.

use super::{Msg, Pane, State, items};
use crate::model::ActionResult;

pub(super) fn on_data(state: &mut State, msg: Msg) {
    match msg {
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
        Msg::Logs(key, lines, at) if state.logs.service.as_ref() == Some(&key) => {
            state.logs.take(&lines, at);
            state.dirty |= state.pane == Pane::Logs
                || (state.in_rollout_view() && state.rollout.as_ref() == Some(&key));
        }
        Msg::Failed(pane, err, _at) => {
            state.dirty |= state.pane_data_mut(pane).fail(err);
        }
        Msg::Runs(polled, runs, at) => {
            let changed = state.builds.take_runs(&polled, runs, at);
            state.dirty |= changed && state.pane == Pane::Builds;
        }
        Msg::RunDetail(d, at) => {
            if let Some(v) = state.builds.detail.as_mut().filter(|v| v.run == d.run) {
                state.dirty |= v.data.as_ref() != Some(&d) || v.error.is_some();
                v.data = Some(d);
                v.error = None;
                v.fetched_at = Some(at);
            }
        }
        Msg::RunDetailFailed(run, e, _) => {
            if let Some(v) = state.builds.detail.as_mut().filter(|v| v.run == run) {
                state.dirty |= v.error.as_ref() != Some(&e);
                v.error = Some(e);
            }
        }
        Msg::BuildInputs(w, git_ref, r) => super::builds::on_inputs(state, w, git_ref, r),
        Msg::Dispatched(w, run) => super::builds::on_dispatched(state, w, run),
        Msg::CiRate(rate, until) => {
            let b = &mut state.builds;
            state.dirty |=
                (b.rate != rate || b.waiting_until != until) && state.pane == Pane::Builds;
            b.rate = rate;
            b.waiting_until = until;
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
