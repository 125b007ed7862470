//! The scrollable overlays of a service: its task-definition diff and all of its events.

use crate::keys::{Command, ModeKey};
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
    let Some(key) = command.mode_key() else {
        return;
    };
    let page = state.viewport.list_rows.max(1);
    let s = &mut state.ctx.evidence.scroll;
    match key {
        ModeKey::Cancel => state.mode = Mode::Normal,
        ModeKey::Down => *s = s.saturating_add(1),
        ModeKey::Up => *s = s.saturating_sub(1),
        ModeKey::PageDown => *s = s.saturating_add(page),
        ModeKey::PageUp => *s = s.saturating_sub(page),
        ModeKey::Top => *s = 0,
        ModeKey::Bottom | ModeKey::Accept | ModeKey::Confirm | ModeKey::DeleteChar => {}
        ModeKey::Complete | ModeKey::Insert(_) | ModeKey::Toggle | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}
