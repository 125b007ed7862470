//! Why an exec session or a port forward could not open or ended badly: the text the dialog,
//! the pane and the audit log show.

use crate::exec::ExecError;
use crate::exec::plugin::PROGRAM;
use crate::model::{ApiError, ServiceKey};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(
        "[exec] use_plugin is on, but {PROGRAM} is not on PATH: install it, or set use_plugin = \
         false to use the console's own data channel"
    )]
    NoPlugin,
    #[error("{PROGRAM} could not start: {0}")]
    PluginStart(std::io::Error),
    /// Waiting for the plugin's exit failed.
    #[error("{0}")]
    PluginWait(std::io::Error),
    #[error("the audit log could not be written ({0}); no session was opened")]
    Audit(std::io::Error),
    #[error(transparent)]
    Channel(#[from] ExecError),
    #[error("the session's task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Why a forward has no task to go through.
#[derive(Debug, thiserror::Error)]
pub enum NoTarget {
    #[error(transparent)]
    Call(#[from] ApiError),
    #[error(
        "no running task of {service} with exec on and its agent running{}",
        container.as_deref().map_or(String::new(), |c| format!(" in container {c}"))
    )]
    NoTask {
        service: ServiceKey,
        container: Option<String>,
    },
}
