//! What the logs commands do: moving through the lines, the filter's matches, context, wrap,
//! time, copying and saving, and what is followed (`:logs GROUP`, `:pattern`, `:since`,
//! `:range`). Also the log worker's messages.

use crate::keys::{Command, LogsKey};
use crate::model::{At, LogChunk, LogTarget, Service, pair_of};
use crate::state::context::Context;
use crate::state::logs::{
    Backlog, BacklogEnd, LogSave, LogStart, SaveError, Saved, TailStatus, export_line, range,
};
use crate::state::{Effect, Mode, Pane, State};

/// Runs `command` if it is a logs command here; false leaves it to the general handler.
pub(crate) fn run(state: &mut State, command: &Command, effects: &mut Vec<Effect>) -> bool {
    let Some(key) = command.logs_key() else {
        return false;
    };
    if on_anywhere(state, &key, effects) {
        return true;
    }
    if state.ctx.pane != Pane::Logs {
        return false;
    }
    on_pane(state, key, effects)
}

/// The logs pane's own keys; false leaves a key to the general handler.
fn on_pane(state: &mut State, key: LogsKey, effects: &mut Vec<Effect>) -> bool {
    let rows = state.ctx.logs.rows.max(1);
    let logs = &mut state.ctx.logs;
    match key {
        LogsKey::Down => logs.step_by(1, rows),
        LogsKey::Up => logs.step_by(-1, rows),
        LogsKey::PageDown => logs.step_by(rows as isize, rows),
        LogsKey::PageUp => logs.step_by(-(rows as isize), rows),
        LogsKey::Top => logs.top(rows),
        LogsKey::Bottom => logs.resume(),
        LogsKey::ToggleFollow => toggle_follow(state),
        LogsKey::ToggleContext => toggle_context(state),
        LogsKey::NextMatch | LogsKey::PrevMatch => {
            if let Some(why) = logs.jump(key == LogsKey::NextMatch, rows) {
                state.flash(why);
            }
        }
        LogsKey::ToggleWrap => {
            logs.wrap = !logs.wrap;
            let on = if logs.wrap { "on" } else { "off" };
            state.flash(format!("wrap {on}"));
        }
        LogsKey::CycleStamps => {
            logs.stamps = logs.stamps.next();
            let name = logs.stamps.name();
            state.flash(format!("timestamps: {name}"));
        }
        LogsKey::CopyLine => copy(state, effects),
        LogsKey::Open => {
            if logs.selected().is_some() {
                state.mode = Mode::Detail;
            }
        }
        // Esc left over (nothing to stop, clear or resume) goes back where the pane came from.
        LogsKey::Back => return back(state),
        // The palette's words, done by `on_anywhere` already.
        LogsKey::FollowGroup(_) | LogsKey::Pattern(_) | LogsKey::Since(_) => return false,
        LogsKey::Range(_) | LogsKey::Save { .. } => return false,
    }
    true
}

/// The palette's logs words, from any pane: they switch to the logs pane.
fn on_anywhere(state: &mut State, key: &LogsKey, effects: &mut Vec<Effect>) -> bool {
    match key {
        LogsKey::FollowGroup(group) => {
            state.switch_pane(Pane::Logs);
            state
                .ctx
                .logs
                .follow_target(Some(LogTarget::Group(group.clone())));
            state.flash(format!("following log group {group}"));
        }
        LogsKey::Pattern(p) => {
            state.switch_pane(Pane::Logs);
            pattern(state, p.clone());
        }
        LogsKey::Since(arg) => {
            state.switch_pane(Pane::Logs);
            since(state, arg.as_deref());
        }
        LogsKey::Range(arg) => {
            state.switch_pane(Pane::Logs);
            window(state, arg.as_deref());
        }
        LogsKey::Save { path, replace } => save(state, path.as_deref(), *replace, effects),
        LogsKey::Down | LogsKey::Up | LogsKey::PageDown | LogsKey::PageUp => return false,
        LogsKey::Top | LogsKey::Bottom | LogsKey::Open | LogsKey::Back => return false,
        LogsKey::ToggleFollow | LogsKey::ToggleContext | LogsKey::NextMatch => return false,
        LogsKey::PrevMatch | LogsKey::ToggleWrap | LogsKey::CycleStamps => return false,
        LogsKey::CopyLine => return false,
    }
    true
}

fn toggle_follow(state: &mut State) {
    if let LogStart::Range(..) = state.ctx.logs.start {
        // A range is a window in the past: following means reading live again.
        state.ctx.logs.restart(LogStart::Recent);
        return state.flash("back to following: the range was left");
    }
    let logs = &mut state.ctx.logs;
    if logs.follow {
        logs.select(logs.cursor_pos(), logs.rows, false);
    } else {
        logs.resume();
    }
}

fn toggle_context(state: &mut State) {
    let logs = &mut state.ctx.logs;
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
    let logs = &mut state.ctx.logs;
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
    if !state.ctx.logs.osc52 {
        return state.flash("copying is off (logs.osc52 = false in the config)");
    }
    let Some(text) = state.ctx.logs.selected().map(|l| export_line(&l)) else {
        return state.flash("no line to copy");
    };
    effects.push(Effect::Clipboard(text));
    state.flash("line sent to the clipboard (OSC 52: the terminal must allow it)");
}

fn pattern(state: &mut State, p: Option<String>) {
    let logs = &mut state.ctx.logs;
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
    if state.ctx.logs.target.is_none() {
        return state.flash("nothing followed: select a service, or :logs GROUP");
    }
    match range::duration(arg) {
        Ok(ago) => state.ctx.logs.restart(LogStart::Since(state.now - ago)),
        Err(e) => state.flash(e.to_string()),
    }
}

fn window(state: &mut State, arg: Option<&str>) {
    if state.ctx.logs.target.is_none() {
        return state.flash("nothing followed: select a service, or :logs GROUP");
    }
    match range::window(arg.unwrap_or(""), state.now) {
        Ok((from, to)) => state.ctx.logs.restart(LogStart::Range(from, to)),
        Err(e) => state.flash(e.to_string()),
    }
}

/// `:save PATH`: the lines the filter keeps (every line without one), with their tags, to a
/// new file; `:save! PATH` may replace one.
fn save(state: &mut State, path: Option<&str>, replace: bool, effects: &mut Vec<Effect>) {
    let Some(path) = path else {
        return state.flash("usage: :save PATH (:save! PATH replaces a file)");
    };
    let logs = &state.ctx.logs;
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
        replace,
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
    let svc = match (&state.ctx.rollout, state.ctx.rollout_service()) {
        (Some(_), Some(s)) => s,
        (Some(key), None) => return Some(LogTarget::service(key.clone())),
        (None, _) => state.ctx.selected_service()?,
    };
    Some(match pair_of(svc, &state.ctx.services.items) {
        Some((p, c)) => LogTarget::Service {
            primary: p.key(),
            canary: Some(c.key()),
        },
        None => LogTarget::service(svc.key()),
    })
}

/// In the rollout view, remembers the revisions of its rollout for the log box.
pub(crate) fn note_rollout(ctx: &mut Context) {
    if !ctx.in_rollout_view() {
        return;
    }
    let Some(svc) = ctx.rollout_service() else {
        return;
    };
    let pair = pair_of(svc, &ctx.services.items);
    let (svc, canary): (Service, Option<Service>) = match pair {
        Some((p, c)) => (p.clone(), Some(c.clone())),
        None => (svc.clone(), None),
    };
    ctx.logs.note_rollout(&svc, canary.as_ref());
}

/// Whether the context's log lines are on its screen: the logs pane or the rollout view.
fn logs_shown(ctx: &Context) -> bool {
    ctx.pane == Pane::Logs || ctx.in_rollout_view()
}

/// A batch of the log worker's lines; those of an older follow are dropped.
pub(crate) fn on_feed(ctx: &mut Context, generation: u64, chunk: &LogChunk, at: At) -> bool {
    if generation != ctx.logs.generation {
        return false;
    }
    ctx.logs.take(chunk, at);
    logs_shown(ctx)
}

/// How the follow is read now (live, polling, disconnected, sampled).
pub(crate) fn on_status(ctx: &mut Context, generation: u64, status: TailStatus) -> bool {
    if generation != ctx.logs.generation {
        return false;
    }
    let changed = ctx.logs.status != status;
    ctx.logs.status = status;
    changed && logs_shown(ctx)
}

/// A backlog load's progress, then its end; a failure is said in the footer.
pub(crate) fn on_backlog(state: &mut State, generation: u64, b: Backlog) {
    let ctx = &mut state.ctx;
    if generation != ctx.logs.generation {
        return;
    }
    if b.end.is_some() {
        ctx.logs.cancel_backlog = false;
    }
    let failed = match &b.end {
        Some(BacklogEnd::Failed(e)) => Some(format!("loading {} failed: {e}", b.label)),
        Some(BacklogEnd::Done | BacklogEnd::Cancelled) | None => None,
    };
    ctx.logs.backlog = Some(b);
    state.dirty |= logs_shown(ctx);
    if let Some(why) = failed {
        state.flash(why);
    }
}

/// `:save` ended: what was written, or why not.
pub(crate) fn on_saved(state: &mut State, result: Result<Saved, SaveError>) {
    state.flash(match result {
        Ok(saved) => saved.to_string(),
        Err(e) => format!("✗ {e}"),
    });
}
