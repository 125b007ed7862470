//! `:jobs` and `x`: the view of this context's jobs (newest first, the selection in
//! `help_scroll`), and the dialog that stops watching one. Stopping a watch never undoes a
//! call: the calls were sent, ECS goes on, and only the console stops looking.

use crate::keys::{Command, ModeKey};
use crate::state::jobs::{JobId, pair_keys};
use crate::state::{Mode, State};

/// `:jobs`: the view, its newest job selected.
pub(crate) fn open(state: &mut State) {
    state.help_scroll = 0;
    state.mode = Mode::Jobs;
}

/// The job the view's selection is on (the list is newest first).
pub fn selected(state: &State) -> Option<JobId> {
    let all = state.ctx.jobs.all();
    all.iter().rev().nth(state.help_scroll).map(|j| j.id)
}

/// `x`: in `:jobs`, the selected job; elsewhere, the running job on the service at hand.
/// Asks first; refused, saying why, when the job is not being watched.
pub(crate) fn stop_key(state: &mut State) {
    let id = if state.mode == Mode::Jobs {
        selected(state)
    } else {
        state.ctx.action_target().and_then(|s| {
            let keys = pair_keys(&s.key(), &state.ctx.services.items);
            state.ctx.jobs.conflict(&keys).map(|j| j.id)
        })
    };
    let Some(job) = id.and_then(|id| state.ctx.jobs.get(id)) else {
        return state.flash("x: no job here to stop watching (:jobs lists them)");
    };
    use crate::state::actions::progress::Phase;
    let why = match job.progress.phase {
        Phase::Waiting { .. } => None,
        Phase::Sending => Some("is sending its calls; x stops only a watch, once they are sent"),
        Phase::Sent { .. }
        | Phase::Stable { .. }
        | Phase::TimedOut { .. }
        | Phase::Unwatched { .. }
        | Phase::Failed { .. } => Some("has ended; nothing is watched"),
    };
    match why {
        Some(why) => state.flash(format!("{} {why}", job.title())),
        None => state.mode = Mode::StopWatching(job.id),
    }
}

/// The stop-watching dialog's keys: `y` stops the watch, anything else keeps it.
pub(crate) fn on_dialog(state: &mut State, command: Command, id: JobId) {
    let Some(key) = command.mode_key() else {
        return;
    };
    let confirmed = match key {
        ModeKey::Confirm => true,
        ModeKey::Cancel => false,
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => return,
        ModeKey::Top | ModeKey::Bottom | ModeKey::Accept | ModeKey::DeleteChar => return,
        ModeKey::Complete | ModeKey::Insert(_) | ModeKey::Toggle | ModeKey::OtherTarget => return,
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => return,
    };
    state.mode = Mode::Normal;
    let title = state
        .ctx
        .jobs
        .get(id)
        .map_or(format!("job {id}"), |j| j.title());
    if !confirmed {
        return state.flash(format!("{title}: still watched"));
    }
    let now = state.now;
    if state.ctx.jobs.stop_watching(id, now) {
        state.flash(format!(
            "{title}: no longer watched; its calls were sent and stay (nothing was undone)"
        ));
    } else {
        state.flash(format!("{title}: it had ended already; nothing to stop"));
    }
}
