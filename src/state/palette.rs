//! The `:` command palette.

use super::{Pane, State};

/// Commands the palette knows, with what they do, for its suggestion list.
pub const COMMANDS: &[(&str, &str)] = &[
    ("svc", "services pane"),
    ("tasks", "tasks pane"),
    ("images", "images pane"),
    ("alarms", "alarms pane"),
    ("logs", "logs pane"),
    ("rollout", "rollout view of the selected service"),
    ("theme NAME", "switch theme"),
    ("help", "key help"),
    ("q", "quit"),
];

/// Commands whose name starts with what was typed.
pub fn suggestions(typed: &str) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let word = typed.split_whitespace().next().unwrap_or("").to_string();
    COMMANDS
        .iter()
        .filter(move |(c, _)| c.starts_with(word.as_str()))
}

pub fn run(state: &mut State, line: &str) {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else { return };
    let arg = words.next();
    let pane = match cmd {
        "svc" | "services" | "service" => Some(Pane::Services),
        "tasks" | "task" => Some(Pane::Tasks),
        "images" | "image" | "img" => Some(Pane::Images),
        "alarms" | "alarm" => Some(Pane::Alarms),
        "logs" | "log" => Some(Pane::Logs),
        _ => None,
    };
    if let Some(p) = pane {
        state.switch_pane(p);
        return;
    }
    match (cmd, arg) {
        ("q" | "quit" | "q!", _) => state.quit = true,
        ("help", _) => state.mode = super::Mode::Help,
        ("rollout", _) => super::input::drill_into_selected(state),
        ("theme", Some(name)) if state.themes.iter().any(|t| t == name) => {
            state.theme_name = name.to_string();
            state.flash(format!("theme: {name}"));
        }
        ("theme", Some(name)) => {
            let known = state.themes.join(", ");
            state.flash(format!("no theme named {name:?} (known: {known})"));
        }
        ("theme", None) => {
            let known = state.themes.join(", ");
            state.flash(format!("usage: :theme NAME (known: {known})"));
        }
        _ => state.flash(format!("unknown command :{cmd} (try :help)")),
    }
}
