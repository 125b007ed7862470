//! The mouse: a click selects a row or a tab, the wheel scrolls the list (or the logs), and a
//! click on a dialog's button acts like its key. Where things are comes from the last frame
//! (`Viewport::hits`), so the reducer never guesses the layout; what a click does goes through
//! the same commands as the keys.

use crate::keys::Command;
use crate::state::input::commands;
use crate::state::{Effect, Mode, Pane, State};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// What the last frame drew that a click can reach.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hits {
    /// Each pane's tab.
    pub tabs: Vec<(Rect, Pane)>,
    /// The current pane's list.
    pub list: Option<ListArea>,
    /// The open dialog's buttons, each acting like its key.
    pub buttons: Vec<(Rect, Command)>,
}

/// Where a list's rows were drawn: one row per line of `rows`, the first showing item `first`
/// of the pane's (filtered) view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListArea {
    pub rows: Rect,
    pub first: usize,
    /// The width of the first column (the row's name), where its console link goes.
    pub name_width: u16,
}

/// Lines the wheel moves the logs by; a list moves by one row, so the selection stays exact.
const LOG_LINES_PER_NOTCH: isize = 3;

pub(crate) fn on_mouse(state: &mut State, ev: MouseEvent, effects: &mut Vec<Effect>) {
    let at = Position::new(ev.column, ev.row);
    match ev.kind {
        MouseEventKind::Down(MouseButton::Left) => click(state, at, effects),
        MouseEventKind::ScrollDown => wheel(state, 1, effects),
        MouseEventKind::ScrollUp => wheel(state, -1, effects),
        // Moves, drags and the other buttons mean nothing here (and draw nothing).
        _ => {}
    }
}

fn click(state: &mut State, at: Position, effects: &mut Vec<Effect>) {
    let hits = &state.viewport.hits;
    match state.mode {
        Mode::Confirm(..) => {
            let button = hits.buttons.iter().find(|(r, _)| r.contains(at));
            if let Some((_, command)) = button.cloned() {
                commands::run(state, command, effects);
            }
        }
        Mode::Normal | Mode::Filter => {
            if let Some(&(_, pane)) = hits.tabs.iter().find(|(r, _)| r.contains(at)) {
                commands::run(state, Command::Pane(pane), effects);
            } else if let Some(list) = hits.list.filter(|l| l.rows.contains(at)) {
                let row = list.first + usize::from(at.y - list.rows.y);
                select_row(state, row);
            }
        }
        // Help, detail, palette and the typed prompts close or take keys only.
        Mode::Palette(_) | Mode::Help | Mode::Detail | Mode::Scale(_) | Mode::Budget => {}
        Mode::Diff(_) | Mode::Events(_) | Mode::Build(_) => {}
        Mode::Exec(_) | Mode::Terminal | Mode::Forwards => {}
        Mode::Describe | Mode::DescribeSearch => {}
        Mode::Arm(_) | Mode::Fleet | Mode::FleetSearch => {}
        Mode::Jobs | Mode::StopWatching(_) => {}
    }
}

/// Selects item `row` of the current pane's view, if there is one.
fn select_row(state: &mut State, row: usize) {
    let (len, selected) = match state.ctx.pane {
        Pane::Services => (state.ctx.services.len(), &mut state.ctx.services.selected),
        Pane::Tasks => (state.ctx.tasks.len(), &mut state.ctx.tasks.selected),
        Pane::Images => (state.ctx.images.len(), &mut state.ctx.images.selected),
        Pane::Alarms => (state.ctx.alarms.len(), &mut state.ctx.alarms.selected),
        Pane::Builds => (state.builds.runs.len(), &mut state.builds.runs.selected),
        Pane::Timeline => (
            state.ctx.timeline.table.len(),
            &mut state.ctx.timeline.table.selected,
        ),
        // Log lines are not selected; the rollout view is a document that scrolls.
        Pane::Logs | Pane::Rollout => return,
    };
    if row < len {
        *selected = row;
        state.dirty = true;
    }
}

fn wheel(state: &mut State, notches: isize, effects: &mut Vec<Effect>) {
    match state.mode {
        Mode::Normal | Mode::Filter => {}
        // The help and other popups scroll as their keys do.
        Mode::Help | Mode::Detail | Mode::Budget => {
            let command = if notches > 0 {
                Command::Down
            } else {
                Command::Up
            };
            return commands::run(state, command, effects);
        }
        // The other dialogs and prompts take keys only.
        Mode::Palette(_) | Mode::Confirm(..) | Mode::Scale(_) => return,
        Mode::Diff(_) | Mode::Events(_) | Mode::Build(_) => return,
        Mode::Exec(_) | Mode::Terminal | Mode::Forwards => return,
        Mode::Describe | Mode::DescribeSearch => return,
        Mode::Arm(_) | Mode::Fleet | Mode::FleetSearch => return,
        Mode::Jobs | Mode::StopWatching(_) => return,
    }
    let delta = match state.ctx.pane {
        Pane::Logs => notches * LOG_LINES_PER_NOTCH,
        Pane::Services | Pane::Tasks | Pane::Images | Pane::Alarms => notches,
        Pane::Builds | Pane::Rollout | Pane::Timeline => notches,
    };
    state.current_mut().step(delta);
    state.dirty = true;
}
