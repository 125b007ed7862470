//! How the console stands with what it watches, beyond each pane's data: a call that has gone
//! unanswered (the header says so after 10 s, rather than only letting the age grow), the
//! team's copy of the audit log, and a first credentials check that failed, which ends the
//! console with one line.

use crate::model::Millis;
use crate::state::{Msg, Pane, State};

/// After this long without an answer, the header says so.
pub const NO_ANSWER_MS: Millis = 10_000;

/// The team's copy of the audit log (`audit_log_group`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TeamAudit {
    /// No group configured (or a read-only console, which sends nothing).
    #[default]
    Off,
    /// The group exists and no record waits.
    Ok,
    /// The group is missing, or could not be checked: records are kept to send later.
    Missing(String),
    /// Records wait in the unsent file; why the last try failed.
    Unsent { count: usize, why: String },
}

impl TeamAudit {
    /// A short word for the header when something is wrong; None when all is well.
    pub fn warning(&self) -> Option<String> {
        match self {
            TeamAudit::Off | TeamAudit::Ok => None,
            TeamAudit::Missing(_) => Some("team audit log missing".into()),
            TeamAudit::Unsent { count, .. } => Some(format!("{count} audit unsent")),
        }
    }
}

/// What the workers report about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// The first check of the credentials failed: the console ends and says this line.
    CannotStart(String),
    /// A pane's call has had no answer since this time.
    NoAnswer(Pane, Millis),
    /// The caller's identity and account could not be read (and retrying will not help).
    NoContext(String),
    TeamAudit(TeamAudit),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// Set when the console must end; the loop prints it once the terminal is restored.
    pub fatal: Option<String>,
    /// Panes whose call has had no answer since the time given.
    pub waiting: Vec<(Pane, Millis)>,
    pub team_audit: TeamAudit,
    /// Why the account is not known, when the lookup was refused.
    pub context_error: Option<String>,
}

impl Connection {
    /// Since when the call of `pane` has had no answer, if it has been `NO_ANSWER_MS` or more.
    pub fn unanswered(&self, pane: Pane, now: Millis) -> Option<Millis> {
        self.waiting
            .iter()
            .find(|(p, since)| *p == pane && now - since >= NO_ANSWER_MS)
            .map(|(_, since)| *since)
    }
}

pub(crate) fn on_event(state: &mut State, e: ConnectionEvent) {
    match e {
        ConnectionEvent::CannotStart(line) => {
            state.connection.fatal = Some(line);
            state.quit = true;
        }
        ConnectionEvent::NoAnswer(pane, since) => {
            state.connection.waiting.retain(|(p, _)| *p != pane);
            state.connection.waiting.push((pane, since));
            state.dirty = true;
        }
        ConnectionEvent::NoContext(why) => {
            state.flash(format!("account unknown: {why}"));
            state.connection.context_error = Some(why);
        }
        ConnectionEvent::TeamAudit(t) => {
            state.dirty |= state.connection.team_audit != t;
            state.connection.team_audit = t;
        }
    }
}

/// An answer for a pane (its data, or its failure) ends its wait.
pub(crate) fn answered(state: &mut State, msg: &Msg) {
    let pane = match msg {
        Msg::Services(..) | Msg::ServicesPart(..) => Pane::Services,
        Msg::Tasks(..) => Pane::Tasks,
        Msg::Images(..) => Pane::Images,
        Msg::Alarms(..) => Pane::Alarms,
        Msg::Logs(..) => Pane::Logs,
        Msg::Failed(p, ..) => *p,
        _ => return,
    };
    let before = state.connection.waiting.len();
    state.connection.waiting.retain(|(p, _)| *p != pane);
    state.dirty |= state.connection.waiting.len() != before;
}
