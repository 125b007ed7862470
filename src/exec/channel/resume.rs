//! After the connection breaks: a new token from `ssm:ResumeSession`, the WebSocket opened
//! again with it, and every message the agent has not acknowledged sent again. The agent does
//! the same on its side, and both inboxes drop what they already had.

use super::{Channel, ChannelEnd, FromAgent, RESUME_ATTEMPTS};
use crate::exec::ExecError;
use std::time::Duration;

const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

impl Channel {
    /// None once resumed; how the session ended otherwise.
    pub(super) async fn reconnect(&mut self) -> Option<ChannelEnd> {
        self.emit(FromAgent::Reconnecting).await;
        let mut delay = FIRST_DELAY;
        let mut last = String::new();
        for _ in 0..RESUME_ATTEMPTS {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(MAX_DELAY);
            match self.api.resume(&self.setup.session_id).await {
                Ok(None) => return Some(ChannelEnd::Closed("the session timed out".into())),
                Ok(Some(token)) => self.setup.token = token,
                Err(e) => {
                    last = e.0;
                    continue;
                }
            }
            match super::open(&self.setup).await {
                Ok(ws) => {
                    self.ws = ws;
                    self.broken = false;
                    for bytes in self.outbox.all() {
                        self.send_raw(bytes).await;
                    }
                    self.emit(FromAgent::Resumed).await;
                    return None;
                }
                Err(e) => last = e.to_string(),
            }
        }
        Some(ChannelEnd::Failed(ExecError::Resume(last)))
    }
}
