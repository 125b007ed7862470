//! The first contact with the backend, made inside the console so the screen opens at once
//! ("connecting…" in the header) however slow or hung the endpoint is: the caller's identity
//! and the account for the header (which checks the credentials), then the team's audit group.
//!
//! Missing or expired credentials at the console's first check end it with one line saying
//! what to run, printed once the terminal is restored, and exit status 2: nothing can be shown
//! without them, the fix is a command in another terminal, and the line stays in the shell's
//! scrollback to copy. After a `:ctx` switch they fail the switch instead, and the console
//! stays. Any other failure is retried with backoff while the panes say theirs.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::ErrorKind;
use crate::state::{ConnectionEvent, Msg};
use crate::timing::now_ms;
use crate::workers::audit::Audit;
use crate::workers::backoff::Backoff;
use crate::workers::team_audit;
use std::sync::Arc;
use tokio::sync::mpsc;

/// `generation` is the context switch this contact is for; 0 is the console's start.
pub async fn run(fleet: Arc<dyn Fleet>, audit: Arc<Audit>, tx: mpsc::Sender<Msg>, generation: u64) {
    let mut backoff = Backoff::new(now_ms() as u64);
    loop {
        let msg = match with_priority(Priority::Visible, fleet.context()).await {
            Ok(c) => Msg::Context(c),
            Err(e) if e.kind == ErrorKind::Credentials => {
                let msg = match generation {
                    0 => Msg::Connection(ConnectionEvent::CannotStart(e.message)),
                    g => Msg::ContextFailed(g, e),
                };
                let _ = tx.send(msg).await;
                return;
            }
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "connecting: no answer yet; trying again");
                tokio::time::sleep(backoff.next_delay()).await;
                continue;
            }
            // A refusal (say sts:GetCallerIdentity denied) will not pass by retrying.
            Err(e) => Msg::Connection(ConnectionEvent::NoContext(e.to_string())),
        };
        let connected = matches!(msg, Msg::Context(_));
        if tx.send(msg).await.is_err() || !connected {
            return;
        }
        break;
    }
    let checked = with_priority(
        Priority::Background,
        team_audit::check_group(fleet.as_ref(), &audit),
    )
    .await;
    if let Some(status) = checked {
        let _ = tx
            .send(Msg::Connection(ConnectionEvent::TeamAudit(status)))
            .await;
    }
}
