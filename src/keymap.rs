//! The one key table. The reducer looks keys up here and the help overlay and footer are drawn
//! from it, so what the help says is what the keys do.

use crate::state::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pane(Pane),
    NextPane,
    PrevPane,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Enter,
    Back,
    Filter,
    Palette,
    Help,
    Refresh,
    ToggleFollow,
    /// From the rollout view: the alarms pane, filtered to the rollout's alarms.
    RolloutAlarms,
    Quit,
    Promote,
    Abort,
    Rollback,
    ForceDeploy,
    Scale,
    Build,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Only(Pane),
}

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in help and footer.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub scope: Scope,
    /// The footer's short hint for this binding, if it has one.
    pub hint: Option<&'static str>,
}

const fn b(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    scope: Scope,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        help,
        scope,
        hint,
    }
}

use KeyCode::*;
use Scope::*;

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    b(&[Char('1')], "1", Action::Pane(Pane::Services), "services pane", Global, None),
    b(&[Char('2')], "2", Action::Pane(Pane::Tasks), "tasks pane", Global, None),
    b(&[Char('3')], "3", Action::Pane(Pane::Images), "images pane", Global, None),
    b(&[Char('4')], "4", Action::Pane(Pane::Alarms), "alarms pane", Global, None),
    b(&[Char('5')], "5", Action::Pane(Pane::Logs), "logs pane", Global, None),
    b(&[Tab], "Tab", Action::NextPane, "next pane", Global, None),
    b(&[BackTab], "S-Tab", Action::PrevPane, "previous pane", Global, None),
    b(&[Char('j'), Down], "j/↓", Action::Down, "move down", Global, Some("down")),
    b(&[Char('k'), Up], "k/↑", Action::Up, "move up", Global, Some("up")),
    b(&[PageDown, Char('d')], "PgDn/d", Action::PageDown, "page down", Global, None),
    b(&[PageUp, Char('u')], "PgUp/u", Action::PageUp, "page up", Global, None),
    b(&[Char('g'), Home], "g", Action::Top, "go to top", Global, None),
    b(&[Char('G'), End], "G", Action::Bottom, "go to bottom (logs: follow)", Global, None),
    b(&[Enter], "Enter", Action::Enter, "open detail / drill down", Global, Some("open")),
    b(&[Esc], "Esc", Action::Back, "back, close, clear filter", Global, Some("back")),
    b(&[Char('/')], "/", Action::Filter, "filter this pane", Global, Some("filter")),
    b(&[Char(':')], ":", Action::Palette, "command palette", Global, Some("command")),
    b(&[Char('?')], "?", Action::Help, "help", Global, Some("help")),
    b(&[Char('r')], "r", Action::Refresh, "refresh now", Global, Some("refresh")),
    b(&[Char('f')], "f", Action::ToggleFollow, "follow / pause the tail", Only(Pane::Logs), Some("follow")),
    b(&[Char('a')], "a", Action::RolloutAlarms, "alarms of this rollout", Only(Pane::Tasks), None),
    b(&[Char('P')], "P", Action::Promote, "promote the canary of the service", Global, None),
    b(&[Char('A')], "A", Action::Abort, "abort the rollout of the service", Global, None),
    b(&[Char('R')], "R", Action::Rollback, "roll back the service", Global, None),
    b(&[Char('F')], "F", Action::ForceDeploy, "force a new deployment", Global, None),
    b(&[Char('S')], "S", Action::Scale, "scale (type the desired count)", Global, None),
    b(&[Char('B')], "B", Action::Build, "start a build", Global, None),
    b(&[Char('q')], "q", Action::Quit, "quit", Global, Some("quit")),
];

/// Ctrl-C always quits, whatever mode the console is in.
pub fn is_interrupt(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == Char('c')
}

pub fn lookup(key: &KeyEvent, pane: Pane) -> Option<Action> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    BINDINGS
        .iter()
        .filter(|b| b.scope == Global || b.scope == Only(pane))
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// The footer's hints for a pane: the bindings marked as hints that apply there.
pub fn hints(pane: Pane) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| b.hint.is_some() && (b.scope == Global || b.scope == Only(pane)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for pane in Pane::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS
                .iter()
                .filter(|b| b.scope == Global || b.scope == Only(pane))
            {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice on {pane:?}");
                    seen.push(*k);
                }
            }
        }
    }
}
