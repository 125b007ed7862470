//! What each command does, by mode. Keys and palette words both end here, so a command behaves
//! the same whichever way it was asked for.

use crate::keys::{Command, ModeKey};
use crate::model::{ActionPlan, Verb};
use crate::state::actions::plan;
use crate::state::builds::commands as build_commands;
use crate::state::{Effect, Mode, Pane, QuitAsked, State, contexts, describe, timeline};

pub(crate) fn run(state: &mut State, command: Command, effects: &mut Vec<Effect>) {
    if command == Command::ForceQuit {
        state.quit = true;
        return;
    }
    match state.mode.clone() {
        Mode::Normal => on_normal(state, command, effects),
        Mode::Filter => on_filter(state, command),
        Mode::Palette(text) => on_palette(state, command, text, effects),
        Mode::Help | Mode::Detail | Mode::Budget => on_overlay(state, command),
        Mode::Diff(_) | Mode::Events(_) => {
            crate::state::rollout::overlay::on_scroll(state, command)
        }
        Mode::Confirm(plan, typed) => on_confirm(state, command, *plan, typed, effects),
        Mode::Scale(typed) => on_scale(state, command, typed),
        Mode::Build(form) => build_commands::on_form(state, command, *form, effects),
        Mode::Exec(dialog) => crate::state::exec::on_dialog(state, command, *dialog, effects),
        Mode::Forwards => on_overlay(state, command),
        Mode::Jobs if command == Command::StopWatching => crate::state::jobs_view::stop_key(state),
        Mode::Jobs => on_overlay(state, command),
        Mode::StopWatching(id) => crate::state::jobs_view::on_dialog(state, command, id),
        Mode::Arm(d) => crate::state::rollout::policy::on_dialog(state, command, *d),
        Mode::Describe => crate::state::describe::on_view(state, command),
        Mode::DescribeSearch => crate::state::describe::on_search(state, command),
        Mode::Fleet => crate::state::fleet::on_view(state, command, effects),
        Mode::FleetSearch => crate::state::fleet::on_search(state, command),
        // Keys reach the session before the key table; only its way out gets here.
        Mode::Terminal => {
            if command == Command::Back {
                state.mode = Mode::Normal;
            }
        }
    }
}

fn on_normal(state: &mut State, command: Command, effects: &mut Vec<Effect>) {
    if timeline_since(state, &command, effects)
        || crate::state::logs::commands::run(state, &command, effects)
        || crate::state::exec::command(state, &command, effects)
        || jobs_command(state, &command)
    {
        return;
    }
    match command {
        Command::Pane(p) => state.switch_pane(p),
        Command::NextPane => state.switch_pane(state.ctx.pane.cycle(true)),
        Command::PrevPane => state.switch_pane(state.ctx.pane.cycle(false)),
        Command::Down => state.current_mut().step(1),
        Command::Up => state.current_mut().step(-1),
        Command::PageDown => step_pages(state, 1),
        Command::PageUp => step_pages(state, -1),
        Command::Top => state.current_mut().step(isize::MIN / 2),
        Command::Bottom => state.current_mut().step(isize::MAX / 2),
        Command::Open => open(state),
        Command::Back => back(state),
        Command::Filter => open_filter(state),
        Command::Palette => state.mode = Mode::Palette(String::new()),
        Command::Help => open_help(state),
        Command::Refresh => refresh(state, effects),
        Command::RolloutAlarms => rollout_alarms(state),
        Command::Rollout => state.open_rollout_view(),
        Command::Diff => crate::state::rollout::overlay::open_diff(state),
        Command::Events => crate::state::rollout::overlay::open_events(state),
        Command::Timeline => timeline::open(state, effects),
        Command::Export(arg) => timeline::export::export(state, arg.as_deref(), effects),
        Command::Arm => crate::state::rollout::policy::open(state),
        Command::Describe(arg) => describe::open(state, arg.as_deref(), effects),
        Command::OpenLink => crate::state::links::open(state, effects),
        Command::Theme(name) => theme(state, name),
        Command::Context(name) => contexts::switch_context(state, name, effects),
        Command::Region(name) => contexts::switch_region(state, name, effects),
        Command::Sort(column) => sort(state, column),
        Command::Budget => open_budget(state, effects),
        Command::Fleet => crate::state::fleet::open(state),
        Command::Quit => quit_unless_acting(state),
        Command::Build => build_commands::open_build(state, effects),
        Command::CancelRun => build_commands::on_run(state, crate::state::builds::plan::cancel),
        Command::Rerun => build_commands::on_run(state, crate::state::builds::plan::rerun),
        Command::Deploy => build_commands::deploy(state),
        Command::Promote | Command::Abort | Command::Rollback => act_on(state, &command),
        Command::ForceDeploy | Command::Scale => act_on(state, &command),
        Command::Unknown(word) => state.flash(format!("unknown command :{word} (try :help)")),
        // Taken before this match: ForceQuit before everything, then by the exec handler,
        // `jobs_command` and the logs pane's `logs::commands::run`.
        Command::Exec(_) | Command::FocusTerminal | Command::FullScreen | Command::StopTask => {}
        Command::PortForward(_) | Command::Forwards | Command::Jobs | Command::StopWatching => {}
        Command::ForceQuit | Command::ToggleFollow | Command::ToggleContext => {}
        Command::NextMatch | Command::PrevMatch | Command::ToggleWrap => {}
        Command::CycleStamps | Command::CopyLine | Command::FollowGroup(_) => {}
        Command::Pattern(_) | Command::Since(_) | Command::Range(_) | Command::Save { .. } => {}
        // The prompts' and dialogs' keys: nothing to do on a pane.
        Command::Accept | Command::Cancel | Command::Confirm | Command::DeleteChar => {}
        Command::Complete | Command::Insert(_) | Command::Toggle | Command::OtherTarget => {}
    }
}

/// The timeline's `:since` reaches further back; on any other pane it is the logs'.
fn timeline_since(state: &mut State, command: &Command, effects: &mut Vec<Effect>) -> bool {
    let (Pane::Timeline, Command::Since(arg)) = (state.ctx.pane, command) else {
        return false;
    };
    timeline::since(state, arg.as_deref(), effects);
    true
}

/// `r`: the timeline reads its service again; a context whose switch failed is tried again;
/// otherwise every pane is read again.
fn refresh(state: &mut State, effects: &mut Vec<Effect>) {
    if state.ctx.pane == Pane::Timeline {
        timeline::ask(state, effects);
        effects.push(Effect::Refresh);
    } else if !contexts::retry(state, effects) {
        effects.push(Effect::Refresh);
        state.flash("refreshing…");
    }
}

/// `:budget`: the report, asked of the budget.
fn open_budget(state: &mut State, effects: &mut Vec<Effect>) {
    state.mode = Mode::Budget;
    effects.push(Effect::ReportBudget);
}

/// `:jobs`, `x` and `K`; false for any other command.
fn jobs_command(state: &mut State, command: &Command) -> bool {
    if *command == Command::Jobs {
        crate::state::jobs_view::open(state);
    } else if *command == Command::StopWatching {
        crate::state::jobs_view::stop_key(state);
    } else if *command == Command::StopTask {
        crate::state::actions::stop_task::open(state);
    } else {
        return false;
    }
    true
}

/// A page of the current pane's rows down (1) or up (-1).
fn step_pages(state: &mut State, direction: isize) {
    let rows = page(state);
    state.current_mut().step(direction * rows);
}

/// A fresh filter each time; the one it replaces can be recalled with Up.
fn open_filter(state: &mut State) {
    let old = state.current().filter().to_string();
    state.remember_filter(old);
    state.current_mut().set_filter(String::new());
    state.filter_recall = None;
    state.mode = Mode::Filter;
}

/// The help, from its top.
fn open_help(state: &mut State) {
    state.help_scroll = 0;
    state.mode = Mode::Help;
}

/// A service action's key.
fn act_on(state: &mut State, command: &Command) {
    if let Some(verb) = command.verb() {
        act(state, verb);
    }
}

/// Help and detail: scroll (the help, when it does not fit) or close.
fn on_overlay(state: &mut State, command: Command) {
    let Some(key) = command.mode_key() else {
        return;
    };
    let limit = state.viewport.overlay_limit;
    let page = page(state) as usize;
    let s = &mut state.help_scroll;
    match key {
        ModeKey::Cancel => state.mode = Mode::Normal,
        ModeKey::Down => *s = (*s + 1).min(limit),
        ModeKey::Up => *s = s.saturating_sub(1),
        ModeKey::PageDown => *s = (*s + page).min(limit),
        ModeKey::PageUp => *s = s.saturating_sub(page),
        ModeKey::Top | ModeKey::Bottom | ModeKey::Accept | ModeKey::Confirm => {}
        ModeKey::DeleteChar | ModeKey::Complete | ModeKey::Insert(_) => {}
        ModeKey::Toggle | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}

/// Rows a page key moves: what the last frame's list showed.
fn page(state: &State) -> isize {
    (state.viewport.list_rows as isize).max(1)
}

/// An action key: refused when read-only or while another action is at work; otherwise the
/// plan's dialog, or why there is nothing to do.
fn act(state: &mut State, verb: Verb) {
    if state.ctx.read_only {
        return state.flash("refused: the console is read-only; nothing was changed");
    }
    let Some(service) = state.ctx.action_target() else {
        return state.flash("select a service first (services pane, or drill into one)");
    };
    if let Some(why) = crate::state::actions::start::refusal(state, &[service.key()]) {
        return state.flash(format!("{verb} {}: refused; {why}", service.key()));
    }
    // A scale asks for the count first; the plan is made when it is typed.
    if verb == Verb::Scale {
        state.mode = Mode::Scale(String::new());
        return;
    }
    match plan::for_verb(verb, service, &state.ctx.services.items, None) {
        Ok(plan) => state.open_confirm(plan),
        Err(why) => state.flash(why.to_string()),
    }
}

/// `q` while an action is at work would cut it off between calls: the first `q` says so, a
/// second one while that warning shows quits. (`Ctrl-C` always quits at once.)
fn quit_unless_acting(state: &mut State) {
    let Some(p) = state.ctx.jobs.sending().map(|j| &j.progress) else {
        state.quit = true;
        return;
    };
    let asked = QuitAsked {
        verb: p.verb,
        service: p.service.clone(),
    };
    if state.quit_asked.as_ref() == Some(&asked) {
        state.quit = true;
        return;
    }
    let warning = format!(
        "{} {} is still at work: quitting now may leave it half done. {} again to quit anyway",
        p.verb,
        p.service,
        state
            .keys
            .key_for(crate::keys::Layer::Normal, &Command::Quit)
    );
    state.flash(warning);
    state.quit_asked = Some(asked);
}

/// Sorts the pane by the next column, or by the one named (by its header, any case).
fn sort(state: &mut State, column: Option<(String, bool)>) {
    if !state.current().sortable() {
        return state.flash(format!(
            "the {} pane keeps its own order",
            state.ctx.pane.title()
        ));
    }
    let choice = column.as_ref().map(|(word, desc)| (word.as_str(), *desc));
    match state.current_mut().sort(choice) {
        Ok(now) => state.flash(now),
        Err(unknown) => state.flash(unknown.to_string()),
    }
}

fn theme(state: &mut State, name: Option<String>) {
    let known = state.themes.join(", ");
    match name {
        Some(name) if state.themes.contains(&name) => {
            state.flash(format!("theme: {name}"));
            state.theme_name = name;
        }
        Some(name) => state.flash(format!("no theme named {name:?} (known: {known})")),
        None => state.flash(format!("usage: :theme NAME (known: {known})")),
    }
}

/// The alarms pane, filtered to the alarms the drilled-into rollout tripped, or to alarms
/// named after the service when it tripped none.
fn rollout_alarms(state: &mut State) {
    let Some(svc) = state.ctx.rollout_service() else {
        let open = state
            .keys
            .key_for(crate::keys::Layer::Normal, &Command::Open);
        return state.flash(format!(
            "drill into a service first ({open} on the services pane)"
        ));
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
    state.ctx.alarms.set_filter(filter.clone());
    let back = state
        .keys
        .key_for(crate::keys::Layer::Normal, &Command::Back);
    state.flash(format!(
        "alarms matching {filter} · {back} clears the filter"
    ));
}

fn open(state: &mut State) {
    match state.ctx.pane {
        Pane::Services => state.open_rollout_view(),
        Pane::Builds => crate::state::builds::open_detail(state),
        Pane::Logs => {}
        Pane::Tasks | Pane::Images | Pane::Alarms | Pane::Rollout | Pane::Timeline => {
            if state.current().has_items() {
                state.mode = Mode::Detail;
            }
        }
    }
}

/// `Esc`: clears the filter, then resumes a paused tail, then goes back where you came from.
fn back(state: &mut State) {
    if state.ctx.pane == Pane::Builds && crate::state::builds::close_detail(state) {
        return;
    }
    if !state.current().filter().is_empty() {
        state.current_mut().set_filter(String::new());
    } else if state.ctx.pane == Pane::Logs && !state.ctx.logs.follow {
        state.ctx.logs.resume();
    } else if !state.go_back() && state.ctx.in_rollout_view() {
        state.switch_pane(Pane::Services);
    }
}

fn on_filter(state: &mut State, command: Command) {
    let Some(key) = command.mode_key() else {
        return;
    };
    let mut text = state.current().filter().to_string();
    match key {
        ModeKey::Cancel => {
            text.clear();
            state.mode = Mode::Normal;
        }
        ModeKey::Accept => {
            state.remember_filter(text.clone());
            state.mode = Mode::Normal;
        }
        ModeKey::Up | ModeKey::Down => match state.recall_filter(key == ModeKey::Up) {
            Some(earlier) => text = earlier,
            None => return,
        },
        ModeKey::DeleteChar => {
            text.pop();
        }
        ModeKey::Insert(c) => text.push(c),
        ModeKey::PageDown | ModeKey::PageUp | ModeKey::Top | ModeKey::Bottom => return,
        ModeKey::Confirm | ModeKey::Complete | ModeKey::Toggle | ModeKey::OtherTarget => return,
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => return,
    }
    state.current_mut().set_filter(text);
}

fn on_palette(state: &mut State, command: Command, mut text: String, fx: &mut Vec<Effect>) {
    let Some(key) = command.mode_key() else {
        return;
    };
    match key {
        ModeKey::Cancel => state.mode = Mode::Normal,
        ModeKey::Accept => {
            state.mode = Mode::Normal;
            if let Some(command) = crate::keys::palette_command(&text) {
                on_normal(state, command, fx);
            }
        }
        ModeKey::DeleteChar => {
            state.mode = match text.pop() {
                None => Mode::Normal,
                Some(_) => Mode::Palette(text),
            }
        }
        ModeKey::Complete => {
            // Complete a context's name, or the only word that fits.
            let fits: Vec<_> = crate::keys::suggestions(&text).collect();
            if let Some(done) = contexts::complete(state, &text) {
                text = done;
            } else if let [word] = fits.as_slice() {
                text = format!("{} ", word.names[0]);
            }
            state.mode = Mode::Palette(text);
        }
        ModeKey::Insert(c) => {
            text.push(c);
            state.mode = Mode::Palette(text);
        }
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => {}
        ModeKey::Top | ModeKey::Bottom | ModeKey::Confirm => {}
        ModeKey::Toggle | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}

/// A promote or abort dialog on figures older than a minute is not confirmed: it stays open
/// with why, and asks again once fresh figures come. Whether it refused.
fn asks_again(state: &mut State, plan: &ActionPlan, typed: &str) -> bool {
    let Some(why) = crate::state::rollout::verdict::stale_figures(state, plan) else {
        return false;
    };
    state.mode = Mode::Confirm(Box::new(plan.clone()), typed.to_string());
    state.flash(format!(
        "{why}: confirm again once fresh figures are read (Esc cancels); nothing was changed"
    ));
    true
}

/// `y` confirms; in a prod context the service's name must be typed and Enter pressed.
/// Anything else leaves the dialog without acting.
fn on_confirm(
    state: &mut State,
    command: Command,
    plan: ActionPlan,
    mut typed: String,
    effects: &mut Vec<Effect>,
) {
    let word = crate::state::rollout::verdict::confirm_word(&plan, state.ctx.info.prod);
    let Some(key) = command.mode_key() else {
        return;
    };
    let confirmed = match key {
        ModeKey::Confirm if asks_again(state, &plan, &typed) => return,
        ModeKey::Confirm if word.as_ref().is_some_and(|w| typed != *w) => {
            let why = format!(
                "type {} exactly to confirm; nothing was changed",
                word.unwrap_or_default()
            );
            state.open_confirm(plan);
            return state.flash(why);
        }
        ModeKey::Confirm => true,
        ModeKey::Cancel => false,
        ModeKey::OtherTarget => return build_commands::other_target(state, plan, typed),
        ModeKey::Insert(c) => {
            typed.push(c);
            return retype(state, plan, typed);
        }
        ModeKey::DeleteChar => {
            typed.pop();
            return retype(state, plan, typed);
        }
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => return,
        ModeKey::Top | ModeKey::Bottom | ModeKey::Accept => return,
        ModeKey::Complete | ModeKey::Toggle => return,
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => return,
    };
    state.mode = Mode::Normal;
    state.builds.deploy = None;
    let mut plan = plan;
    if confirmed {
        // What the dialog said of the owners and the commits goes on record with the action.
        plan.notes
            .extend(crate::state::owners::consequences(state, &plan));
        plan.notes
            .extend(crate::state::actions::commits::dialog_lines(state, &plan));
        if let Err(why) = crate::state::actions::start::start(state, plan, effects) {
            state.flash(why.to_string());
        }
    } else {
        state.flash(format!(
            "{} {}: cancelled; nothing was changed",
            plan.verb, plan.service
        ));
    }
}

/// Typing again: the refusal of the last name goes, the dialog's keys come back.
fn retype(state: &mut State, plan: ActionPlan, typed: String) {
    state.flash = None;
    state.mode = Mode::Confirm(Box::new(plan), typed);
}

fn on_scale(state: &mut State, command: Command, mut typed: String) {
    let Some(key) = command.mode_key() else {
        return;
    };
    match key {
        ModeKey::Cancel => state.mode = Mode::Normal,
        ModeKey::DeleteChar => {
            typed.pop();
            state.mode = Mode::Scale(typed);
        }
        ModeKey::Insert(c) if c.is_ascii_digit() && typed.len() < 5 => {
            typed.push(c);
            state.mode = Mode::Scale(typed);
        }
        // Only digits, and five at most.
        ModeKey::Insert(_) => {}
        ModeKey::Accept => {
            state.mode = Mode::Normal;
            let Ok(n) = typed.parse::<u32>() else {
                return state.flash("scale: type a number of tasks, then Enter");
            };
            let planned = state.ctx.action_target().map(|s| plan::scale(s, n));
            match planned {
                Some(Ok(p)) => state.open_confirm(p),
                Some(Err(why)) => state.flash(why.to_string()),
                None => state.flash("select a service first"),
            }
        }
        ModeKey::Down | ModeKey::Up | ModeKey::PageDown | ModeKey::PageUp => {}
        ModeKey::Top | ModeKey::Bottom | ModeKey::Confirm | ModeKey::Complete => {}
        ModeKey::Toggle | ModeKey::OtherTarget => {}
        ModeKey::Search | ModeKey::NextMatch | ModeKey::PrevMatch => {}
    }
}
