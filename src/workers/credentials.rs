//! When the credentials in use expire (SSO sessions, assumed roles): the header counts down
//! the last minutes and says when they have expired. The backend records the expiry of the
//! credentials it last resolved, so this makes no call: it reads that every few seconds and
//! tells the loop when it changed. Renewed credentials (`aws sso login`) show up the same way.

use crate::cloud::Fleet;
use crate::state::Msg;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the recorded expiry is read; the countdown itself moves with the clock.
const EVERY: Duration = Duration::from_secs(5);

pub async fn run(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>) {
    let mut told = None;
    loop {
        let expiry = fleet.credentials_expiry();
        if told != Some(expiry) {
            if tx.send(Msg::CredentialsExpiry(expiry)).await.is_err() {
                return; // the loop has ended, or moved to another context
            }
            told = Some(expiry);
        }
        tokio::time::sleep(EVERY).await;
    }
}
