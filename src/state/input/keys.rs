//! Keys: every key goes through the key table's layer for the current mode, and what it means
//! there is run as a command.

use crate::state::input::commands;
use crate::state::{Effect, State};
use crossterm::event::{KeyEvent, KeyEventKind};

pub(crate) fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    state.dirty = true;
    // The terminal pane with focus, or a session holding the whole terminal, takes every key
    // (Ctrl-C included) but the one that leaves it.
    if crate::state::exec::on_terminal_key(state, &key, effects) {
        return;
    }
    crate::state::rollout::policy::on_key(state);
    if let Some(command) = state.keys.lookup(state.layer(), &key, state.ctx.pane) {
        commands::run(state, command, effects);
    }
}
