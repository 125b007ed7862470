//! The first contact with the backend, made inside the console so the screen opens at once
//! ("connecting…" in the header) however slow or hung the endpoint is: the caller's identity
//! and the account for the header (which checks the credentials). The context it finds is
//! the one the team audit then follows (`team_audit::follow`).
//!
//! Missing or expired credentials at the console's first check end it with one line saying
//! what to run, printed once the terminal is restored, and exit status 2: nothing can be shown
//! without them, the fix is a command in another terminal, and the line stays in the shell's
//! scrollback to copy. After a `:ctx` switch they fail the switch instead, and the console
//! stays. Any other failure is retried with backoff while the panes say theirs.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::{ContextInfo, ErrorKind};
use crate::state::{ConnectionEvent, Msg};
use crate::timing::now_ms;
use crate::workers::backoff::Backoff;
use std::sync::Arc;
use tokio::sync::mpsc;

/// `generation` is the context switch this contact is for; 0 is the console's start. Returns
/// the context the backend said it is, once the loop has it; None when it could not be read
/// or the loop has ended.
pub async fn run(
    fleet: Arc<dyn Fleet>,
    tx: mpsc::Sender<Msg>,
    generation: u64,
) -> Option<ContextInfo> {
    let mut backoff = Backoff::new(now_ms().millis() as u64);
    loop {
        let msg = match with_priority(Priority::Visible, fleet.context()).await {
            Ok(c) => {
                tx.send(Msg::Context(c.clone())).await.ok()?;
                return Some(c);
            }
            Err(e) if e.kind == ErrorKind::Credentials => match generation {
                0 => Msg::Connection(ConnectionEvent::CannotStart(e.message)),
                g => Msg::ContextFailed(g, e),
            },
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "connecting: no answer yet; trying again");
                tokio::time::sleep(backoff.next_delay()).await;
                continue;
            }
            // A refusal (say sts:GetCallerIdentity denied) will not pass by retrying.
            Err(e) => Msg::Connection(ConnectionEvent::NoContext(e.to_string())),
        };
        let _ = tx.send(msg).await;
        return None;
    }
}
