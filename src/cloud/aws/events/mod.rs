//! ECS's own events, delivered by an EventBridge rule to an SQS queue (`queue.rs`) or to a
//! CloudWatch Logs group (followed by the event worker through Live Tail or FilterLogEvents,
//! the same calls the logs pane makes), read into `model::EcsEvent` (`parse.rs`).

pub mod parse;
pub mod queue;

use crate::cloud::aws::{AwsFleet, Overrides};
use crate::model::ApiResult;
use crate::model::{Delivery, EcsEvent, EventAck, EventSource, Skipped};
use aws_config::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use std::time::Duration;

/// The SQS client: the shared settings, but a read timeout longer than a long poll's wait.
pub(super) fn sqs_client(sdk: &SdkConfig, overrides: &Overrides) -> aws_sdk_sqs::Client {
    let mut b = aws_sdk_sqs::config::Builder::from(sdk);
    for i in &overrides.interceptors {
        b.push_interceptor(i.clone());
    }
    let timeouts = sdk
        .timeout_config()
        .cloned()
        .unwrap_or_else(|| TimeoutConfig::builder().build());
    b.set_timeout_config(Some(long_poll(&timeouts)));
    aws_sdk_sqs::Client::from_conf(b.build())
}

/// `base` with room for a long poll: the answer may take the wait plus the way back.
fn long_poll(base: &TimeoutConfig) -> TimeoutConfig {
    let at_least = |d: Option<Duration>, min: Duration| Some(d.map_or(min, |d| d.max(min)));
    let mut b = base.to_builder();
    b.set_read_timeout(at_least(base.read_timeout(), queue::READ_TIMEOUT));
    b.set_operation_attempt_timeout(at_least(
        base.operation_attempt_timeout(),
        queue::READ_TIMEOUT + Duration::from_secs(5),
    ));
    b.set_operation_timeout(at_least(base.operation_timeout(), queue::READ_TIMEOUT * 2));
    b.build()
}

impl AwsFleet {
    pub(super) fn event_source(&self) -> Option<EventSource> {
        self.events.clone()
    }

    /// What this context's events must carry: its account (once known) and region.
    fn expect(&self) -> parse::Expect {
        parse::Expect {
            account: self.account.get().cloned(),
            region: Some(self.region.clone()),
        }
    }

    pub(super) async fn receive_events(&self) -> ApiResult<Vec<Delivery>> {
        match &self.events {
            Some(EventSource::Queue(url)) => {
                queue::receive(&self.sqs, &self.gate, url, &self.expect()).await
            }
            _ => Err(crate::model::ApiError::new(
                crate::model::ErrorKind::Other,
                "no events queue is configured",
            )),
        }
    }

    pub(super) async fn events_applied(&self, acks: &[EventAck]) -> ApiResult<usize> {
        match &self.events {
            Some(EventSource::Queue(url)) if !acks.is_empty() => {
                queue::delete(&self.sqs, &self.gate, url, acks).await
            }
            _ => Ok(0),
        }
    }

    pub(super) fn read_event(&self, message: &str) -> Result<EcsEvent, Skipped> {
        parse::parse(message, &self.expect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_poll_gets_more_time_than_the_shared_clients() {
        let base = TimeoutConfig::builder()
            .read_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(20))
            .operation_timeout(Duration::from_secs(45))
            .build();
        let t = long_poll(&base);
        assert_eq!(t.read_timeout(), Some(Duration::from_secs(30)));
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(35)));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(60)));
    }
}
