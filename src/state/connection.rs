//! How a context stands with its backend, beyond each pane's data: the backend being built (a
//! switch under way) or failed, a call that has gone unanswered (the header says so after
//! 10 s, rather than only letting the age grow), the team's copy of the audit log, an account
//! that could not be read. A first credentials check that failed ends the console with one
//! line (`State::fatal`).

use crate::model::{ApiError, At, Ms};
use crate::state::context::Context;
use crate::state::{Msg, Pane, State};

/// After this long without an answer, the header says so.
pub const NO_ANSWER_MS: Ms = Ms::secs(10);

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
    NoAnswer(Pane, At),
    /// The caller's identity and account could not be read (and retrying will not help).
    NoContext(String),
    TeamAudit(TeamAudit),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// Its backend is being built (a switch under way).
    pub connecting: bool,
    /// Its backend could not be built, and why; `r` tries again.
    pub failed: Option<ApiError>,
    /// Set by a switch: the next header context from the backend is announced.
    pub(crate) announce: bool,
    /// Panes whose call has had no answer since the time given.
    pub waiting: Vec<(Pane, At)>,
    pub team_audit: TeamAudit,
    /// Why the account is not known, when the lookup was refused.
    pub context_error: Option<String>,
}

impl Connection {
    /// A new backend is being built: what the last one said of its calls and its account no
    /// longer holds, and the account it finds is announced.
    pub(crate) fn reconnect(&mut self) {
        self.connecting = true;
        self.failed = None;
        self.announce = true;
        self.waiting.clear();
        self.context_error = None;
    }

    /// Since when the call of `pane` has had no answer, if it has been `NO_ANSWER_MS` or more.
    pub fn unanswered(&self, pane: Pane, now: At) -> Option<At> {
        self.waiting
            .iter()
            .find(|(p, since)| *p == pane && now - *since >= NO_ANSWER_MS)
            .map(|(_, since)| *since)
    }
}

pub(crate) fn on_event(state: &mut State, e: ConnectionEvent) {
    let c = &mut state.ctx.connection;
    match e {
        ConnectionEvent::CannotStart(line) => {
            state.fatal = Some(line);
            state.quit = true;
        }
        ConnectionEvent::NoAnswer(pane, since) => {
            c.waiting.retain(|(p, _)| *p != pane);
            c.waiting.push((pane, since));
            state.dirty = true;
        }
        ConnectionEvent::NoContext(why) => {
            c.context_error = Some(why.clone());
            state.flash(format!("account unknown: {why}"));
        }
        ConnectionEvent::TeamAudit(t) => {
            state.dirty |= c.team_audit != t;
            c.team_audit = t;
        }
    }
}

/// An answer for a pane (its data, or its failure) ends its wait; true when one ended.
pub(crate) fn answered(ctx: &mut Context, msg: &Msg) -> bool {
    let Some(pane) = answers(msg) else {
        return false;
    };
    let waiting = &mut ctx.connection.waiting;
    let before = waiting.len();
    waiting.retain(|(p, _)| *p != pane);
    waiting.len() != before
}

/// The pane whose call `msg` answers, if it answers one.
fn answers(msg: &Msg) -> Option<Pane> {
    Some(match msg {
        Msg::Services(..) | Msg::ServicesPart(..) => Pane::Services,
        Msg::Tasks(..) => Pane::Tasks,
        Msg::Images(..) => Pane::Images,
        Msg::Alarms(..) => Pane::Alarms,
        Msg::Logs(..) => Pane::Logs,
        Msg::Failed(p, ..) => *p,
        Msg::Key(_)
        | Msg::Mouse(_)
        | Msg::Resize(..)
        | Msg::Layout(_)
        | Msg::Tick(_)
        | Msg::Context(_)
        | Msg::Links(..)
        | Msg::LogFeed(..)
        | Msg::LogStatus(..)
        | Msg::LogBacklog(..)
        | Msg::LogSaved(_)
        | Msg::Runs(..)
        | Msg::RunDetail(..)
        | Msg::RunDetailFailed(..)
        | Msg::BuildInputs(..)
        | Msg::Dispatched(..)
        | Msg::CiRate(..)
        | Msg::CiReady(_)
        | Msg::ActionDone(_)
        | Msg::Budget(_)
        | Msg::Evidence(_)
        | Msg::Quit
        | Msg::ContextReady(_)
        | Msg::ContextFailed(..)
        | Msg::CredentialsExpiry(_)
        | Msg::Connection(_)
        | Msg::Exec(_)
        | Msg::Feed(_)
        | Msg::Fleet(_)
        | Msg::SsoListed(_)
        // A job's watch off screen: no pane of the context on screen asked for it.
        | Msg::JobWatched(_)
        | Msg::Described(..)
        | Msg::Timeline(..)
        | Msg::Owners(_)
        | Msg::Prices(_)
        | Msg::Billed(_)
        | Msg::Compared(..)
        | Msg::Exported(_)
        | Msg::OpenFailed(_)
        | Msg::WebhookFailed(_) => return None,
    })
}
