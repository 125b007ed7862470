//! Keys to state changes, by mode.

use super::{Effect, Mode, Pane, State, actions, palette, progress};
use crate::keymap::{self, Action};
use crate::model::ActionPlan;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

pub fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    state.dirty = true;
    if keymap::is_interrupt(&key) {
        state.quit = true;
        return;
    }
    match state.mode.clone() {
        Mode::Filter => on_filter_key(state, key),
        Mode::Palette(text) => on_palette_key(state, key, text),
        Mode::Confirm(plan, typed) => on_confirm_key(state, key, *plan, typed, effects),
        Mode::Scale(typed) => on_scale_key(state, key, typed),
        Mode::Help | Mode::Detail => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter
            ) {
                state.mode = Mode::Normal;
            }
        }
        Mode::Normal => {
            if let Some(action) = keymap::lookup(&key, state.pane) {
                on_action(state, action, effects);
            }
        }
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent) {
    let mut text = current_filter(state).to_string();
    match key.code {
        KeyCode::Esc => {
            text.clear();
            state.mode = Mode::Normal;
        }
        KeyCode::Enter => state.mode = Mode::Normal,
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) => text.push(c),
        _ => return,
    }
    set_filter(state, text);
}

fn on_palette_key(state: &mut State, key: KeyEvent, mut text: String) {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            palette::run(state, &text);
        }
        KeyCode::Backspace => {
            if text.pop().is_none() {
                state.mode = Mode::Normal;
            } else {
                state.mode = Mode::Palette(text);
            }
        }
        KeyCode::Tab => {
            // Complete to the only command that fits.
            let fits: Vec<_> = palette::suggestions(&text).collect();
            if let [(cmd, _)] = fits.as_slice() {
                let word = cmd.split_whitespace().next().unwrap_or(cmd);
                text = format!("{word} ");
            }
            state.mode = Mode::Palette(text);
        }
        KeyCode::Char(c) => {
            text.push(c);
            state.mode = Mode::Palette(text);
        }
        _ => {}
    }
}

pub fn current_filter(state: &State) -> &str {
    match state.pane {
        Pane::Services => &state.services.filter,
        Pane::Tasks => &state.tasks.filter,
        Pane::Images => &state.images.filter,
        Pane::Alarms => &state.alarms.filter,
        Pane::Logs => &state.logs.filter,
    }
}

fn set_filter(state: &mut State, text: String) {
    match state.pane {
        Pane::Services => state.services.set_filter(text),
        Pane::Tasks => state.tasks.set_filter(text),
        Pane::Images => state.images.set_filter(text),
        Pane::Alarms => state.alarms.set_filter(text),
        Pane::Logs => {
            state.logs.filter = text;
            state.logs.scroll = 0;
        }
    }
}

/// Rows a page key moves: the body's height less the table's header and borders.
fn page(state: &State) -> isize {
    (state.size.1 as isize - 8).max(1)
}

fn step(state: &mut State, delta: isize) {
    match state.pane {
        Pane::Services => state.services.step(delta),
        Pane::Tasks => state.tasks.step(delta),
        Pane::Images => state.images.step(delta),
        Pane::Alarms => state.alarms.step(delta),
        Pane::Logs => {
            // Up scrolls back in time and pauses the tail; back at the bottom it follows again.
            let max = state.logs.buf.len().saturating_sub(1) as isize;
            let scroll = (state.logs.scroll as isize - delta).clamp(0, max.max(0));
            state.logs.scroll = scroll as usize;
            state.logs.follow = scroll == 0;
        }
    }
}

fn on_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Pane(p) => state.switch_pane(p),
        Action::NextPane => state.switch_pane(state.pane.cycle(true)),
        Action::PrevPane => state.switch_pane(state.pane.cycle(false)),
        Action::Down => step(state, 1),
        Action::Up => step(state, -1),
        Action::PageDown => step(state, page(state)),
        Action::PageUp => step(state, -page(state)),
        Action::Top => step(state, isize::MIN / 2),
        Action::Bottom => step(state, isize::MAX / 2),
        Action::Enter => on_enter(state),
        Action::Back => on_back(state),
        Action::Filter => state.mode = Mode::Filter,
        Action::Palette => state.mode = Mode::Palette(String::new()),
        Action::Help => state.mode = Mode::Help,
        Action::Refresh => {
            effects.push(Effect::Refresh);
            state.flash("refreshing…");
        }
        Action::ToggleFollow => {
            state.logs.follow = !state.logs.follow;
            if state.logs.follow {
                state.logs.scroll = 0;
            }
        }
        Action::RolloutAlarms => rollout_alarms(state),
        Action::Quit => quit_unless_acting(state),
        Action::Build => state
            .flash("start a build: not in this version (no CI backend yet); nothing was changed"),
        Action::Promote
        | Action::Abort
        | Action::Rollback
        | Action::ForceDeploy
        | Action::Scale => {
            if state.read_only {
                state.flash("refused: the console is read-only; nothing was changed");
                return;
            }
            if let Some(p) = state.progress.as_ref().filter(|p| p.active()) {
                let why = format!(
                    "{} {} is still at work; one action at a time, so wait for it",
                    p.verb, p.service
                );
                return state.flash(why);
            }
            let Some(service) = state.action_target() else {
                state.flash("select a service first (services pane, or drill into one)");
                return;
            };
            // A scale asks for the count first; the plan is made when it is typed.
            let plan = (action != Action::Scale)
                .then(|| actions::plan_for(service, &state.services.items, action, None));
            match plan {
                None => state.mode = Mode::Scale(String::new()),
                Some(Ok(plan)) => state.mode = Mode::Confirm(Box::new(plan), String::new()),
                Some(Err(why)) => state.flash(why),
            }
        }
    }
}

/// `q` while an action is at work would cut it off between calls: the first `q` says so, a
/// second one within the flash's few seconds quits. (`Ctrl-C` always quits at once.)
fn quit_unless_acting(state: &mut State) {
    let Some(p) = state
        .progress
        .as_ref()
        .filter(|p| p.phase == progress::Phase::Sending)
    else {
        state.quit = true;
        return;
    };
    let warning = format!(
        "{} {} is still at work: quitting now may leave it half done. q again to quit anyway",
        p.verb, p.service
    );
    if state.flash.as_ref().is_some_and(|(m, _)| *m == warning) {
        state.quit = true;
    } else {
        state.flash(warning);
    }
}

/// The alarms pane, filtered to the alarms the drilled-into rollout tripped, or to alarms
/// named after the service when it tripped none.
fn rollout_alarms(state: &mut State) {
    let Some(svc) = state.scoped_service() else {
        return state.flash("drill into a service first (Enter on the services pane)");
    };
    let tripped = svc
        .native
        .as_ref()
        .map(|n| n.triggered_alarms.join("|"))
        .unwrap_or_default();
    let filter = if tripped.is_empty() {
        svc.name.clone()
    } else {
        tripped
    };
    state.switch_pane(Pane::Alarms);
    state.alarms.set_filter(filter.clone());
    state.flash(format!("alarms matching {filter} · Esc clears the filter"));
}

fn on_enter(state: &mut State) {
    match state.pane {
        Pane::Services => drill_into_selected(state),
        Pane::Logs => {}
        _ => {
            let has_item = match state.pane {
                Pane::Tasks => !state.tasks.is_empty(),
                Pane::Images => !state.images.is_empty(),
                Pane::Alarms => !state.alarms.is_empty(),
                _ => false,
            };
            if has_item {
                state.mode = Mode::Detail;
            }
        }
    }
}

fn on_back(state: &mut State) {
    if !current_filter(state).is_empty() {
        set_filter(state, String::new());
    } else if state.pane == Pane::Tasks && state.scope.is_some() {
        state.scope = None;
        state.tasks = Default::default();
        state.pane = Pane::Services;
    } else if state.pane == Pane::Logs && !state.logs.follow {
        state.logs.follow = true;
        state.logs.scroll = 0;
    }
}

/// `y` confirms; in a prod context the service's name must be typed and Enter pressed.
/// Anything else leaves the dialog without acting.
fn on_confirm_key(
    state: &mut State,
    key: KeyEvent,
    plan: ActionPlan,
    mut typed: String,
    effects: &mut Vec<Effect>,
) {
    let confirmed = if state.context.prod {
        match key.code {
            KeyCode::Enter if typed == plan.service.name => true,
            KeyCode::Enter => {
                state.flash(format!(
                    "type {} exactly to confirm; nothing was changed",
                    plan.service.name
                ));
                state.mode = Mode::Confirm(Box::new(plan), String::new());
                return;
            }
            KeyCode::Esc => false,
            KeyCode::Backspace => {
                typed.pop();
                state.mode = Mode::Confirm(Box::new(plan), typed);
                return;
            }
            KeyCode::Char(c) => {
                typed.push(c);
                state.mode = Mode::Confirm(Box::new(plan), typed);
                return;
            }
            _ => return state.mode = Mode::Confirm(Box::new(plan), typed),
        }
    } else {
        key.code == KeyCode::Char('y')
    };
    state.mode = Mode::Normal;
    if confirmed {
        state.progress = Some(progress::Progress::start(&plan, state.now));
        effects.push(Effect::Act(Box::new(plan), state.context.clone()));
    } else {
        state.flash(format!(
            "{} {}: cancelled; nothing was changed",
            plan.verb, plan.service
        ));
    }
}

fn on_scale_key(state: &mut State, key: KeyEvent, mut typed: String) {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Backspace => {
            typed.pop();
            state.mode = Mode::Scale(typed);
        }
        KeyCode::Char(c) if c.is_ascii_digit() && typed.len() < 5 => {
            typed.push(c);
            state.mode = Mode::Scale(typed);
        }
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            let Ok(n) = typed.parse::<u32>() else {
                return state.flash("scale: type a number of tasks, then Enter");
            };
            let all = &state.services.items;
            let plan = state
                .action_target()
                .map(|s| actions::plan_for(s, all, Action::Scale, Some(n)));
            match plan {
                Some(Ok(p)) => state.mode = Mode::Confirm(Box::new(p), String::new()),
                Some(Err(why)) => state.flash(why),
                None => state.flash("select a service first"),
            }
        }
        _ => {}
    }
}

/// Opens the rollout view (the tasks pane drilled into a service) of the selected service.
pub(super) fn drill_into_selected(state: &mut State) {
    if let Some(key) = state.selected_service().map(|s| s.key()) {
        state.scope = Some(key);
        state.tasks = Default::default();
        state.pane = Pane::Tasks;
        // The rollout view shows the target revision's log lines too.
        state.follow_logs_of_selection();
    } else {
        state.flash("select a service first");
    }
}
