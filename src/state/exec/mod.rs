//! ECS Exec and port forwarding in the console: the exec dialog (task, container, command,
//! pane or full screen, with the readiness said before the call), the one interactive session
//! (its screen, kept by a vt100 parser with scrollback), and the port forwards the forward
//! worker reports. Pure, like every reducer: sessions run in `workers::exec`.

mod dialog;
mod events;
mod forwards;
pub mod screen;
mod terminal;

pub use crate::model::exec::{ForwardState, Phase};
pub use dialog::{ExecDialog, Field};
pub use events::on_msg;
pub use forwards::ForwardRow;
pub use screen::Screen;

use crate::exec::settings::{ExecConfig, ForwardConfig};
use crate::model::{ApiResult, ClusterExec, ContextInfo, ExecTarget, RemotePort, ServiceKey, Task};
use std::collections::HashMap;

pub(in crate::state) use dialog::on_dialog;
pub use terminal::{beside, is_escape};
pub(in crate::state) use terminal::{on_layout, on_resize, on_terminal_key};

/// The normal mode's exec commands; false for any other command.
pub(in crate::state) fn command(
    state: &mut crate::state::State,
    c: &crate::keys::Command,
    fx: &mut Vec<crate::state::Effect>,
) -> bool {
    use crate::keys::ExecKey;
    let Some(key) = c.exec_key() else {
        return false;
    };
    match key {
        ExecKey::Exec(cmd) => dialog::open_dialog(state, cmd, fx),
        ExecKey::FocusTerminal => terminal::focus(state),
        ExecKey::FullScreen => terminal::full_screen(state, fx),
        ExecKey::PortForward(arg) => forwards::port_forward(state, arg, fx),
        ExecKey::Forwards => forwards::open_forwards(state),
    }
    true
}

/// Where a session shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// A pane beside the current view.
    Pane,
    /// The whole terminal, handed over; the console comes back when it ends.
    FullScreen,
}

#[derive(Debug)]
pub struct Session {
    pub id: u64,
    pub target: ExecTarget,
    pub command: String,
    pub hold: Hold,
    pub phase: Phase,
    /// SSM's session id, once ExecuteCommand answered.
    pub session_id: String,
    pub screen: Screen,
    /// The agent encrypts the session (KMS).
    pub encrypted: bool,
    /// The agent's version, from the handshake.
    pub agent: String,
    /// Handed to session-manager-plugin: no screen of ours, full screen only.
    pub plugin: bool,
}

#[derive(Debug, Default)]
pub struct ExecState {
    pub next_id: u64,
    pub session: Option<Session>,
    /// The terminal is handed to the session (full screen): nothing is drawn.
    pub handed_over: bool,
    pub forwards: Vec<ForwardRow>,
    /// Each cluster's exec configuration, or why it could not be read.
    pub clusters: HashMap<String, ApiResult<ClusterExec>>,
    pub config: ExecConfig,
    pub named: Vec<ForwardConfig>,
}

impl ExecState {
    pub fn new(config: ExecConfig, named: Vec<ForwardConfig>) -> Self {
        Self {
            config,
            named,
            ..Self::default()
        }
    }

    /// The session shown in a pane, if there is one.
    pub fn pane(&self) -> Option<&Session> {
        self.session.as_ref().filter(|s| s.hold == Hold::Pane)
    }
}

/// A session to open, as the dialog confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    pub id: u64,
    pub target: ExecTarget,
    pub command: String,
    /// (cols, rows) of the screen it opens on.
    pub size: (u16, u16),
    pub plugin: bool,
    pub ctx: ContextInfo,
}

/// A port forward to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardSpec {
    pub name: String,
    pub service: ServiceKey,
    /// None: the first container with a running exec agent.
    pub container: Option<String>,
    pub remote: RemotePort,
    pub local_port: u16,
    pub ctx: ContextInfo,
}

/// What the exec and forward workers tell the reducer.
#[derive(Debug)]
pub enum ExecMsg {
    /// A service's tasks, for the dialog's task choice.
    Tasks(ServiceKey, ApiResult<Vec<Task>>),
    /// A cluster's exec configuration, read for the context of switch number `.0`: a cluster's
    /// name means nothing in another account, so the answer is kept by that context only.
    Cluster(u64, String, ApiResult<ClusterExec>),
    /// ExecuteCommand answered with this SSM session id.
    Started(u64, String),
    Ready {
        id: u64,
        encrypted: bool,
        agent: String,
    },
    /// Output for the screen, cleaned of bidi and invisible characters.
    Output(u64, Vec<u8>),
    /// The agent's message for the user.
    Notice(u64, String),
    Exit(u64, i32),
    Reconnecting(u64),
    Resumed(u64),
    Ended(u64, String),
    Failed {
        id: u64,
        message: String,
        fix: Option<String>,
    },
    /// Every forward as it stands.
    Forwards(Vec<ForwardRow>),
}

/// What the reducer asks of the exec and forward workers, and of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEffect {
    LoadTasks(ServiceKey),
    /// Read a cluster's exec configuration, for the context of switch number `.0`.
    Inspect(u64, String),
    Open(Box<OpenSession>),
    Input(u64, Vec<u8>),
    Resize(u64, u16, u16),
    Close(u64),
    /// The loop hands the terminal to the session (leaves the alternate screen) and writes
    /// this to it first.
    HandOver(Vec<u8>),
    /// The loop takes the terminal back and redraws.
    TakeBack,
    /// Output of a full-screen session, for the terminal as it is.
    Write(Vec<u8>),
    Forward(Box<ForwardSpec>),
    StopForward(String),
}
