//! CloudWatch alarms: `describe_alarms` for metric and composite alarms, all pages.

use super::errors::{ErrorMapper, Within};
use super::parse::millis;
use crate::cloud::CloudResult;
use crate::model::{Alarm, AlarmKind, AlarmState};
use aws_sdk_cloudwatch::types::{AlarmType, StateValue};

fn state(s: Option<&StateValue>) -> AlarmState {
    s.map_or(AlarmState::InsufficientData, |s| {
        AlarmState::parse(s.as_str())
    })
}

pub fn map_metric(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        kind: AlarmKind::Metric,
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        updated_at: millis(a.state_updated_timestamp()),
    }
}

pub fn map_composite(a: &aws_sdk_cloudwatch::types::CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        kind: AlarmKind::Composite,
        state: state(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        updated_at: millis(a.state_updated_timestamp()),
    }
}

/// Every metric and composite alarm, in the order CloudWatch lists them (by name), metric
/// alarms of a page before its composite alarms.
pub async fn fetch(
    cw: &aws_sdk_cloudwatch::Client,
    errors: &ErrorMapper,
) -> CloudResult<Vec<Alarm>> {
    let mut alarms = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cw
            .describe_alarms()
            // Without the alarm types only metric alarms come back.
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .set_next_token(token.take())
            .send()
            .within(errors, "cloudwatch:DescribeAlarms")
            .await?;
        alarms.extend(out.metric_alarms().iter().map(map_metric));
        alarms.extend(out.composite_alarms().iter().map(map_composite));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(alarms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatch::types::{CompositeAlarm, MetricAlarm};
    use aws_smithy_types::DateTime;

    #[test]
    fn maps_metric_and_composite_alarms() {
        let m = MetricAlarm::builder()
            .alarm_name("web-5xx")
            .state_value(StateValue::Alarm)
            .state_reason("Threshold Crossed")
            .state_updated_timestamp(DateTime::from_secs(100))
            .build();
        let a = map_metric(&m);
        assert_eq!(
            (a.name.as_str(), a.kind, a.state),
            ("web-5xx", AlarmKind::Metric, AlarmState::Alarm)
        );
        assert_eq!(a.updated_at, 100_000);
        let c = CompositeAlarm::builder()
            .alarm_name("web-health")
            .state_value(StateValue::InsufficientData)
            .build();
        let a = map_composite(&c);
        assert_eq!(
            (a.kind, a.state),
            (AlarmKind::Composite, AlarmState::InsufficientData)
        );
    }
}
