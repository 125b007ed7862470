//! What the exec and forward workers report: the dialog's tasks and cluster configuration,
//! the session's output and how it ends, and the forwards' state.

use super::{ExecEffect, ExecMsg, Hold, Phase};
use crate::state::{Effect, Mode, State};

pub fn on_msg(state: &mut State, msg: ExecMsg, fx: &mut Vec<Effect>) {
    match msg {
        ExecMsg::Tasks(key, result) => {
            if let Mode::Exec(d) = &mut state.mode
                && d.service.as_ref() == Some(&key)
            {
                match result {
                    Ok(tasks) => d.take_tasks(tasks),
                    Err(e) => {
                        d.loading = false;
                        d.load_error = Some(e.to_string());
                    }
                }
                state.dirty = true;
            }
        }
        // An answer for the context on screen; one asked before a switch is dropped.
        ExecMsg::Cluster(generation, cluster, result) => {
            if generation == state.ctx.target.generation {
                state.ctx.exec_clusters.insert(cluster, result);
                state.dirty = true;
            }
        }
        ExecMsg::Forwards(rows) => {
            state.dirty |= rows != state.exec.forwards;
            state.exec.forwards = rows;
        }
        other => on_session(state, other, fx),
    }
}

/// A session's messages; the dialog's and the forwards' were taken by `on_msg`.
fn on_session(state: &mut State, msg: ExecMsg, fx: &mut Vec<Effect>) {
    let id = match &msg {
        ExecMsg::Started(id, _)
        | ExecMsg::Ready { id, .. }
        | ExecMsg::Output(id, _)
        | ExecMsg::Notice(id, _)
        | ExecMsg::Exit(id, _)
        | ExecMsg::Reconnecting(id)
        | ExecMsg::Resumed(id)
        | ExecMsg::Ended(id, _)
        | ExecMsg::Failed { id, .. } => *id,
        ExecMsg::Tasks(..) | ExecMsg::Cluster(..) | ExecMsg::Forwards(_) => return,
    };
    let handed_over = state.exec.handed_over;
    let Some(s) = state.exec.session.as_mut().filter(|s| s.id == id) else {
        return; // a session replaced since
    };
    state.dirty = true;
    match msg {
        ExecMsg::Started(_, sid) => s.session_id = sid,
        ExecMsg::Ready {
            encrypted, agent, ..
        } => {
            s.phase = Phase::Open;
            s.encrypted = encrypted;
            s.agent = agent;
        }
        ExecMsg::Output(_, bytes) => {
            if handed_over && s.hold == Hold::FullScreen {
                fx.push(Effect::Exec(ExecEffect::Write(bytes.clone())));
            }
            s.screen.feed(&bytes);
        }
        ExecMsg::Notice(_, text) => state.flash(text),
        ExecMsg::Exit(_, code) => exited(&mut s.phase, code),
        ExecMsg::Reconnecting(_) => s.phase = Phase::Reconnecting,
        ExecMsg::Resumed(_) => s.phase = Phase::Open,
        ExecMsg::Ended(_, reason) => {
            let code = match &s.phase {
                Phase::Ended { code, .. } => *code,
                Phase::Opening | Phase::Open | Phase::Reconnecting | Phase::Failed { .. } => None,
            };
            s.phase = Phase::Ended { code, reason };
            ended(state, fx);
        }
        ExecMsg::Failed { message, fix, .. } => {
            s.phase = Phase::Failed { message, fix };
            ended(state, fx);
        }
        ExecMsg::Tasks(..) | ExecMsg::Cluster(..) | ExecMsg::Forwards(_) => {}
    }
}

/// The command's exit code, which may come before or after the session's end.
fn exited(phase: &mut Phase, code: i32) {
    if let Phase::Ended { code: c, .. } = phase {
        *c = Some(code);
    } else {
        *phase = Phase::Ended {
            code: Some(code),
            reason: String::new(),
        };
    }
}

/// The session is over: the console takes the terminal back, and says how it ended.
fn ended(state: &mut State, fx: &mut Vec<Effect>) {
    super::terminal::take_back(state, fx);
    if state.mode == Mode::Terminal {
        state.mode = Mode::Normal;
    }
    let Some(s) = &state.exec.session else {
        return;
    };
    let text = match &s.phase {
        Phase::Ended { code: Some(c), .. } => {
            format!("session in {} ended: exit code {c}", s.target.container)
        }
        Phase::Ended { code: None, reason } if reason.is_empty() => {
            format!(
                "session in {} ended (the agent gave no exit code)",
                s.target.container
            )
        }
        Phase::Ended { code: None, reason } => {
            format!("session in {} ended: {reason}", s.target.container)
        }
        Phase::Failed {
            message,
            fix: Some(fix),
        } => format!("exec failed: {message}; {fix}"),
        Phase::Failed { message, fix: None } => format!("exec failed: {message}"),
        Phase::Opening | Phase::Open | Phase::Reconnecting => return,
    };
    state.flash(text);
}
