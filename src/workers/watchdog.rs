//! Says when a call has had no answer for a while, so a hung endpoint shows as "no answer for
//! 14s" in the header instead of only as data that grows older.

use crate::state::connection::NO_ANSWER_MS;
use crate::state::{ConnectionEvent, Msg, Pane};
use crate::timing::now_ms;
use std::future::Future;
use tokio::sync::mpsc;

/// Awaits `call`; if it has not answered within `NO_ANSWER_MS`, tells the loop once, then
/// keeps waiting for it.
pub async fn answer_within<T>(
    pane: Pane,
    tx: &mpsc::Sender<Msg>,
    call: impl Future<Output = T>,
) -> T {
    let since = now_ms();
    let mut call = std::pin::pin!(call);
    tokio::select! {
        out = &mut call => return out,
        _ = tokio::time::sleep(NO_ANSWER_MS.to_std()) => {
            let _ = tx.send(Msg::Connection(ConnectionEvent::NoAnswer(pane, since))).await;
        }
    }
    call.await
}
