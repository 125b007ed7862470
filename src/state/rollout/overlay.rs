//! The scrollable overlays of a service: its task-definition diff and all of its events.

use crate::keys::Command;
use crate::state::{Mode, State};

/// The service `:diff` and `:events` are about: the one drilled into or selected.
fn target(state: &mut State) -> Option<crate::model::ServiceKey> {
    let key = state.ctx.action_target().map(crate::model::Service::key);
    if key.is_none() {
        state.flash("select a service first (services pane, or drill into one)");
    }
    key
}

pub(crate) fn open_diff(state: &mut State) {
    if let Some(key) = target(state) {
        state.ctx.evidence.scroll = 0;
        state.mode = Mode::Diff(key);
    }
}

pub(crate) fn open_events(state: &mut State) {
    if let Some(key) = target(state) {
        state.ctx.evidence.scroll = 0;
        state.mode = Mode::Events(key);
    }
}

/// Scrolls by a line or a page (the last frame's list rows); Esc closes. The drawing clamps
/// the scroll to what there is.
pub(crate) fn on_scroll(state: &mut State, command: Command) {
    let page = state.viewport.list_rows.max(1);
    let s = &mut state.ctx.evidence.scroll;
    match command {
        Command::Cancel => state.mode = Mode::Normal,
        Command::Down => *s = s.saturating_add(1),
        Command::Up => *s = s.saturating_sub(1),
        Command::PageDown => *s = s.saturating_add(page),
        Command::PageUp => *s = s.saturating_sub(page),
        Command::Top => *s = 0,
        _ => {}
    }
}
