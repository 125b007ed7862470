//! The session-manager-plugin fallback: the plugin gets the session as the AWS CLI hands it
//! over, the terminal's output directly, and the keys through a pipe (the console keeps
//! reading the keyboard, so `Ctrl-]` still comes back).

use crate::cloud::Fleet;
use crate::exec::channel::ToAgent;
use crate::exec::plugin::{self, PluginSession};
use crate::model::SessionGrant;
use crate::state::Msg;
use crate::state::exec::OpenSession;
use crate::workers::exec::error::SessionError;
use std::process::Stdio;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

/// Where the plugin is, or what to do about it.
pub fn locate() -> Result<std::path::PathBuf, SessionError> {
    plugin::find(&std::env::var("PATH").unwrap_or_default()).ok_or(SessionError::NoPlugin)
}

pub async fn run(
    fleet: &Arc<dyn Fleet>,
    open: &OpenSession,
    grant: &SessionGrant,
    mut input: mpsc::Receiver<ToAgent>,
    _tx: &mpsc::Sender<Msg>,
) -> Result<(String, Option<i32>), SessionError> {
    let path = locate()?;
    let place = fleet.session_place();
    let session = PluginSession {
        session_id: grant.session_id.clone(),
        stream_url: grant.stream_url.clone(),
        token: grant.token.clone(),
        region: place.policy.region.clone(),
        profile: place.profile.clone(),
        target: open.target.ssm_target(),
        ssm_endpoint: place.ssm_endpoint.clone(),
    };
    let (args, (var, value)) = plugin::invocation(&session);
    let mut child = tokio::process::Command::new(path)
        .args(args)
        .env(var, value)
        .stdin(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(SessionError::PluginStart)?;
    let mut stdin = child.stdin.take();
    loop {
        tokio::select! {
            status = child.wait() => {
                let status = status.map_err(SessionError::PluginWait)?;
                return Ok((format!("{} exited ({status})", plugin::PROGRAM), None));
            }
            key = input.recv() => match (key, stdin.as_mut()) {
                (Some(ToAgent::Data(bytes)), Some(pipe)) => {
                    let _ = pipe.write_all(&bytes).await;
                }
                (Some(_), _) => {}
                (None, _) => {
                    // The console ends the session: the plugin goes with it.
                    let _ = child.kill().await;
                    return Ok(("ended from the console".into(), None));
                }
            },
        }
    }
}
