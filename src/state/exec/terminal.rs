//! The session's terminal: keys typed into it (the pane with focus, or the whole terminal
//! handed over), its size kept in step with the space it is drawn in, scrolling back, and the
//! hand-over to full screen and back. `Ctrl-]` always returns to the console's keys.

use super::{ExecEffect, Hold};
use crate::state::{Effect, Mode, State, Viewport};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The key that leaves the terminal for the console's keys: `Ctrl-]`, as telnet's escape.
pub fn is_escape(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char(']') | KeyCode::Char('5'))
}

/// Side by side from this width; above and below under it.
pub const SIDE_BY_SIDE: u16 = 140;

/// Where the pane's terminal goes in a body of `width`×`height`: true when beside the view.
pub fn beside(width: u16) -> bool {
    width >= SIDE_BY_SIDE
}

/// The terminal's inside (cols, rows) before the first frame gave it: as the layout will.
pub fn pane_guess(state: &State) -> (u16, u16) {
    let (w, h) = state.size;
    let body = h.saturating_sub(3);
    if beside(w) {
        ((w / 2).saturating_sub(2), body.saturating_sub(2))
    } else {
        (w.saturating_sub(2), (body / 2).saturating_sub(2))
    }
}

/// `I`: type into the pane's session.
pub(in crate::state) fn focus(state: &mut State) {
    match &state.exec.session {
        Some(s) if s.hold == Hold::Pane && !s.phase.is_over() => {
            state.mode = Mode::Terminal;
            state.dirty = true;
        }
        Some(_) => state.flash("the session has ended; E opens another"),
        None => state.flash("no session: E opens one in the selected task"),
    }
}

/// `Z`: the pane's session takes the whole terminal.
pub(in crate::state) fn full_screen(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(s) = state.exec.session.as_mut().filter(|s| !s.phase.is_over()) else {
        return state.flash("no session to show full screen: x opens one");
    };
    s.hold = Hold::FullScreen;
    hand_over(state, fx);
}

/// The terminal goes to the session: the loop leaves the alternate screen, draws the
/// session's screen as it stands, and sends it the terminal's size.
pub(super) fn hand_over(state: &mut State, fx: &mut Vec<Effect>) {
    let (w, h) = state.size;
    let Some(s) = state.exec.session.as_mut() else {
        return;
    };
    state.exec.handed_over = true;
    let mut first = b"\x1b[H\x1b[2J".to_vec();
    if !s.plugin {
        s.screen.resize(w, h);
        first.extend(s.screen.formatted());
        fx.push(Effect::Exec(ExecEffect::Resize(s.id, w, h)));
    }
    fx.push(Effect::Exec(ExecEffect::HandOver(first)));
}

/// The console takes the terminal back; a session still running goes on in the pane.
pub(super) fn take_back(state: &mut State, fx: &mut Vec<Effect>) {
    if !state.exec.handed_over {
        return;
    }
    state.exec.handed_over = false;
    state.mode = Mode::Normal;
    let guess = pane_guess(state);
    if let Some(s) = state.exec.session.as_mut() {
        s.hold = Hold::Pane;
        if !s.phase.is_over() && !s.plugin && s.screen.resize(guess.0, guess.1) {
            fx.push(Effect::Exec(ExecEffect::Resize(s.id, guess.0, guess.1)));
        }
    }
    fx.push(Effect::Exec(ExecEffect::TakeBack));
    state.dirty = true;
}

/// A key while the terminal has it. True when the key was the session's.
pub(in crate::state) fn on_terminal_key(
    state: &mut State,
    key: &KeyEvent,
    fx: &mut Vec<Effect>,
) -> bool {
    let typing = state.mode == Mode::Terminal || state.exec.handed_over;
    if !typing {
        return false;
    }
    let Some(s) = state.exec.session.as_mut() else {
        state.mode = Mode::Normal;
        return false;
    };
    if is_escape(key) || s.phase.is_over() {
        state.mode = Mode::Normal;
        take_back(state, fx);
        state.dirty = true;
        return true;
    }
    if key.modifiers.contains(KeyModifiers::SHIFT) && !state.exec.handed_over {
        let page = s.screen.size().1 as isize;
        match key.code {
            KeyCode::PageUp => return scroll(state, page),
            KeyCode::PageDown => return scroll(state, -page),
            _ => {}
        }
    }
    if let Some(bytes) = crate::exec::input::key_bytes(key, s.screen.application_cursor()) {
        fx.push(Effect::Exec(ExecEffect::Input(s.id, bytes)));
    }
    true
}

fn scroll(state: &mut State, rows: isize) -> bool {
    if let Some(s) = state.exec.session.as_mut() {
        s.screen.scroll(rows);
        state.dirty = true;
    }
    true
}

/// The frame gave the pane's terminal this inside: the session gets the size when it changed.
pub(in crate::state) fn on_layout(state: &mut State, v: &Viewport, fx: &mut Vec<Effect>) {
    let (Some((cols, rows)), Some(s)) = (v.terminal, state.exec.session.as_mut()) else {
        return;
    };
    if s.hold == Hold::Pane && !s.plugin && s.screen.resize(cols, rows) && !s.phase.is_over() {
        fx.push(Effect::Exec(ExecEffect::Resize(s.id, cols, rows)));
    }
}

/// The real terminal was resized: a full-screen session takes the new size.
pub(in crate::state) fn on_resize(state: &mut State, fx: &mut Vec<Effect>) {
    let (w, h) = state.size;
    if !state.exec.handed_over {
        return;
    }
    if let Some(s) = state.exec.session.as_mut().filter(|s| !s.plugin) {
        s.screen.resize(w, h);
        fx.push(Effect::Exec(ExecEffect::Resize(s.id, w, h)));
    }
}
