//! Keys as an operator types them into the reducer.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::state::{Effect, Msg, State, update};

/// The key `c`, shifted when it is a capital (the action verbs).
pub fn key(s: &mut State, c: char) -> Vec<Effect> {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), m)))
}

/// Moves the services table's selection to `name` with `g` and `j`, as an operator would.
pub fn select(s: &mut State, name: &str) {
    key(s, 'g');
    for _ in 0..s.ctx.services.items.len() {
        if s.ctx.selected_service().is_some_and(|x| x.name == name) {
            return;
        }
        key(s, 'j');
    }
    panic!("no service {name}");
}
