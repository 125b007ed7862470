//! The SQS queue an EventBridge rule feeds: `ReceiveMessage` with long polling (up to 10
//! messages, waiting up to 20 s for the first), and `DeleteMessageBatch` once the console
//! applied what the messages said. A message not deleted comes back after the queue's
//! visibility timeout, so nothing is lost when the console stops halfway.

use crate::cloud::aws::events::parse::{Expect, parse};
use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::{ApiResult, Op};
use crate::model::{Delivery, EventAck};
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use std::time::Duration;

/// Seconds a receive waits for a message before it answers with none (SQS's longest).
pub const WAIT_SECS: i32 = 20;
/// Messages one receive and one delete take at most.
pub const BATCH: usize = 10;

/// How long a receive may take: its wait and the answer. The shared clients give up on an
/// answer after 10 s, which a long poll always exceeds.
pub const READ_TIMEOUT: Duration = Duration::from_secs(WAIT_SECS as u64 + 10);

/// The next messages of the queue, each parsed; empty after a long poll with none.
pub async fn receive(
    sqs: &aws_sdk_sqs::Client,
    gate: &CallGate,
    url: &str,
    expect: &Expect,
) -> ApiResult<Vec<Delivery>> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(BATCH as i32)
        .wait_time_seconds(WAIT_SECS)
        .send()
        .within(gate, Op::SqsReceiveMessage)
        .await?;
    Ok(out
        .messages()
        .iter()
        .map(|m| Delivery {
            id: m.message_id().unwrap_or_default().to_string(),
            event: parse(m.body().unwrap_or_default(), expect),
            ack: m.receipt_handle().map(|r| EventAck(r.to_string())),
        })
        .collect())
}

/// Deletes applied messages, ten a call. Returns how many the queue refused to delete (they
/// come back later and are applied again, which re-reads a service once more).
pub async fn delete(
    sqs: &aws_sdk_sqs::Client,
    gate: &CallGate,
    url: &str,
    acks: &[EventAck],
) -> ApiResult<usize> {
    let mut refused = 0;
    for chunk in acks.chunks(BATCH) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, a)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(&a.0)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                crate::model::ApiError::new(crate::model::ErrorKind::Other, e.to_string())
            })?;
        // DeleteMessageBatch is allowed by the IAM action sqs:DeleteMessage.
        let out = sqs
            .delete_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .within(gate, Op::SqsDeleteMessage)
            .await?;
        for f in out.failed() {
            tracing::warn!(
                code = f.code(),
                message = f.message(),
                "message not deleted"
            );
        }
        refused += out.failed().len();
    }
    Ok(refused)
}
