//! What the logs commands do: moving through the lines, the filter's matches, context, wrap,
//! time, copying and saving, and what is followed (`:logs GROUP`, `:pattern`, `:since`,
//! `:range`). Also the log worker's messages.

use crate::keys::Command;
use crate::model::{At, LogTarget, Service, pair_of};
use crate::state::logs::{BacklogEnd, LogSave, LogStart, export_line, range};
use crate::state::{Effect, Mode, Msg, Pane, State};

/// Runs `command` if it is a logs command here; false leaves it to the general handler.
pub(crate) fn run(state: &mut State, command: &Command, effects: &mut Vec<Effect>) -> bool {
    if on_anywhere(state, command, effects) {
        return true;
    }
    if state.pane != Pane::Logs {
        return false;
    }
    let rows = state.logs.rows.max(1);
    let logs = &mut state.logs;
    match command {
        Command::Down => logs.step_by(1, rows),
        Command::Up => logs.step_by(-1, rows),
        Command::PageDown => logs.step_by(rows as isize, rows),
        Command::PageUp => logs.step_by(-(rows as isize), rows),
        Command::Top => logs.top(rows),
        Command::Bottom => logs.resume(),
        Command::ToggleFollow => toggle_follow(state),
        Command::ToggleContext => toggle_context(state),
        Command::NextMatch | Command::PrevMatch => {
            if let Some(why) = logs.jump(*command == Command::NextMatch, rows) {
                state.flash(why);
            }
        }
        Command::ToggleWrap => {
            logs.wrap = !logs.wrap;
            let on = if logs.wrap { "on" } else { "off" };
            state.flash(format!("wrap {on}"));
        }
        Command::CycleStamps => {
            logs.stamps = logs.stamps.next();
            let name = logs.stamps.name();
            state.flash(format!("timestamps: {name}"));
        }
        Command::CopyLine => copy(state, effects),
        Command::Open => {
            if logs.selected().is_some() {
                state.mode = Mode::Detail;
            }
        }
        // Esc left over (nothing to stop, clear or resume) goes back where the pane came from.
        Command::Back => return back(state),
        _ => return false,
    }
    true
}

/// The palette's logs words, from any pane: they switch to the logs pane.
fn on_anywhere(state: &mut State, command: &Command, effects: &mut Vec<Effect>) -> bool {
    match command {
        Command::FollowGroup(group) => {
            state.switch_pane(Pane::Logs);
            state
                .logs
                .follow_target(Some(LogTarget::Group(group.clone())));
            state.flash(format!("following log group {group}"));
        }
        Command::Pattern(p) => {
            state.switch_pane(Pane::Logs);
            pattern(state, p.clone());
        }
        Command::Since(arg) => {
            state.switch_pane(Pane::Logs);
            since(state, arg.as_deref());
        }
        Command::Range(arg) => {
            state.switch_pane(Pane::Logs);
            window(state, arg.as_deref());
        }
        Command::Save(path) => save(state, path.as_deref(), effects),
        _ => return false,
    }
    true
}

fn toggle_follow(state: &mut State) {
    if let LogStart::Range(..) = state.logs.start {
        // A range is a window in the past: following means reading live again.
        state.logs.restart(LogStart::Recent);
        return state.flash("back to following: the range was left");
    }
    let logs = &mut state.logs;
    if logs.follow {
        logs.select(logs.cursor_pos(), logs.rows, false);
    } else {
        logs.resume();
    }
}

fn toggle_context(state: &mut State) {
    let logs = &mut state.logs;
    let keep = (!logs.follow)
        .then(|| logs.seq_at(logs.cursor_pos()))
        .flatten();
    logs.context = !logs.context;
    if let Some(seq) = keep {
        let pos = logs.pos_of(seq);
        logs.bottom = logs.seq_at(pos).unwrap_or(0);
        logs.select(pos, logs.rows, false);
    }
    let msg = match (logs.context, logs.search.is_active()) {
        (true, true) => "context: every line, matches highlighted (n / N jump)",
        (true, false) => "context on: / to search, then n / N jump between matches",
        (false, _) => "context off: only the matching lines",
    };
    state.flash(msg);
}

/// `Esc`: stops a backlog load, else clears the filter, else follows again.
/// `Esc` on the logs pane: stops a backlog load, else clears the filter, else resumes the
/// tail. False when it did none of these.
fn back(state: &mut State) -> bool {
    let logs = &mut state.logs;
    if logs.backlog.as_ref().is_some_and(|b| b.end.is_none()) {
        logs.cancel_backlog = true;
        state.flash("stopping the load: the lines read so far stay");
    } else if logs.search.is_active() {
        logs.set_filter("", logs.rows);
    } else if !logs.follow {
        logs.resume();
    } else {
        return false;
    }
    true
}

fn copy(state: &mut State, effects: &mut Vec<Effect>) {
    if !state.logs.osc52 {
        return state.flash("copying is off (logs.osc52 = false in the config)");
    }
    let Some(text) = state.logs.selected().map(|l| export_line(&l)) else {
        return state.flash("no line to copy");
    };
    effects.push(Effect::Clipboard(text));
    state.flash("line sent to the clipboard (OSC 52: the terminal must allow it)");
}

fn pattern(state: &mut State, p: Option<String>) {
    let logs = &mut state.logs;
    if logs.target.is_none() {
        return state.flash("nothing followed: select a service, or :logs GROUP");
    }
    logs.pattern = p.clone();
    logs.restart(LogStart::Recent);
    state.flash(match p {
        Some(p) => format!("AWS filters with {p}; reading again"),
        None => "no pattern: every line, reading again".to_string(),
    });
}

fn since(state: &mut State, arg: Option<&str>) {
    let Some(arg) = arg else {
        return state.flash("usage: :since 5m|15m|1h|6h|24h");
    };
    if state.logs.target.is_none() {
        return state.flash("nothing followed: select a service, or :logs GROUP");
    }
    match range::duration(arg) {
        Ok(ago) => state
            .logs
            .restart(LogStart::Since((At(state.now) - ago).millis())),
        Err(e) => state.flash(e.to_string()),
    }
}

fn window(state: &mut State, arg: Option<&str>) {
    if state.logs.target.is_none() {
        return state.flash("nothing followed: select a service, or :logs GROUP");
    }
    match range::window(arg.unwrap_or(""), At(state.now)) {
        Ok((from, to)) => state
            .logs
            .restart(LogStart::Range(from.millis(), to.millis())),
        Err(e) => state.flash(e.to_string()),
    }
}

/// `:save PATH`: the lines the filter keeps (every line without one), with their tags.
fn save(state: &mut State, path: Option<&str>, effects: &mut Vec<Effect>) {
    let Some(path) = path else {
        return state.flash("usage: :save PATH");
    };
    let logs = &state.logs;
    if logs.buf.is_empty() {
        return state.flash("no log lines to save");
    }
    let only = logs
        .search
        .is_active()
        .then(|| logs.search.matches.iter().copied().collect());
    let target = logs
        .target
        .as_ref()
        .map_or(String::new(), |t| t.to_string());
    let filter = logs.search.filter.text();
    let header = if filter.is_empty() {
        format!("# deckwatch: logs of {target}")
    } else {
        format!("# deckwatch: logs of {target}, lines matching /{filter}")
    };
    let save = LogSave {
        path: expand_home(path),
        buf: logs.buf.clone(),
        only,
        header,
    };
    let n = save.lines();
    effects.push(Effect::SaveLogs(Box::new(save)));
    state.flash(format!("saving {n} lines to {path}…"));
}

/// `~/x` in a path typed into the palette.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => path.into(),
    }
}

/// The logs pane's target for the selection: the drilled-into service, else the one selected,
/// with its paired canary merged in.
pub(crate) fn target_of_selection(state: &State) -> Option<LogTarget> {
    let svc = match (&state.rollout, state.rollout_service()) {
        (Some(_), Some(s)) => s,
        (Some(key), None) => return Some(LogTarget::service(key.clone())),
        (None, _) => state.selected_service()?,
    };
    Some(match pair_of(svc, &state.services.items) {
        Some((p, c)) => LogTarget::Service {
            primary: p.key(),
            canary: Some(c.key()),
        },
        None => LogTarget::service(svc.key()),
    })
}

/// In the rollout view, remembers the revisions of its rollout for the log box.
pub(crate) fn note_rollout(state: &mut State) {
    if !state.in_rollout_view() {
        return;
    }
    let Some(svc) = state.rollout_service() else {
        return;
    };
    let pair = pair_of(svc, &state.services.items);
    let (svc, canary): (Service, Option<Service>) = match pair {
        Some((p, c)) => (p.clone(), Some(c.clone())),
        None => (svc.clone(), None),
    };
    state.logs.note_rollout(&svc, canary.as_ref());
}

/// The log worker's messages; those of an older follow are dropped.
pub(crate) fn on_log_data(state: &mut State, msg: Msg) {
    let current = state.logs.generation;
    let shown = state.pane == Pane::Logs || state.in_rollout_view();
    match msg {
        Msg::LogFeed(generation, chunk, at) if generation == current => {
            state.logs.take(&chunk, at);
            state.dirty |= shown;
        }
        Msg::LogStatus(generation, status) if generation == current => {
            state.dirty |= shown && state.logs.status != status;
            state.logs.status = status;
        }
        Msg::LogBacklog(generation, b) if generation == current => {
            if b.end.is_some() {
                state.logs.cancel_backlog = false;
            }
            if let Some(BacklogEnd::Failed(e)) = &b.end {
                state.flash(format!("loading {} failed: {e}", b.label));
            }
            state.logs.backlog = Some(b);
            state.dirty |= shown;
        }
        Msg::LogSaved(result) => state.flash(match result {
            Ok(saved) => saved.to_string(),
            Err(e) => format!("✗ {e}"),
        }),
        _ => {}
    }
}
