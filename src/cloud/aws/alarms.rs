//! CloudWatch alarms: `describe_alarms` for metric and composite alarms, all pages.

use super::errors::{ErrorMapper, Within};
use super::parse::millis;
use crate::cloud::CloudResult;
use crate::model::text::clean;
use crate::model::{Alarm, AlarmKind, AlarmSpec, AlarmState, Comparison, MetricSpec};
use aws_sdk_cloudwatch::types::{AlarmType, CompositeAlarm, MetricAlarm, StateValue};

fn state(s: Option<&StateValue>) -> AlarmState {
    s.map_or(AlarmState::InsufficientData, |s| {
        AlarmState::parse(s.as_str())
    })
}

fn text(s: Option<&str>) -> String {
    clean(s.unwrap_or_default())
}

/// The one metric a metric alarm watches; None for an alarm on metric math.
fn metric_of(a: &MetricAlarm) -> Option<MetricSpec> {
    let name = a.metric_name().filter(|n| !n.is_empty())?;
    let statistic = a
        .extended_statistic()
        .map(str::to_string)
        .or_else(|| a.statistic().map(|s| s.as_str().to_string()))
        .unwrap_or_default();
    Some(MetricSpec {
        namespace: text(a.namespace()),
        name: clean(name),
        statistic,
        dimensions: a
            .dimensions()
            .iter()
            .map(|d| (text(d.name()), text(d.value())))
            .collect(),
        period_secs: a.period().unwrap_or(60).max(1) as u32,
    })
}

pub fn map_metric(a: &MetricAlarm) -> Alarm {
    let count = |n: Option<i32>| n.map(|n| n.max(0) as u32);
    Alarm {
        name: text(a.alarm_name()),
        kind: AlarmKind::Metric,
        state: state(a.state_value()),
        reason: text(a.state_reason()),
        updated_at: millis(a.state_updated_timestamp()),
        spec: AlarmSpec {
            arn: text(a.alarm_arn()),
            metric: metric_of(a),
            threshold: a.threshold(),
            comparison: a
                .comparison_operator()
                .map(|c| Comparison::parse(c.as_str())),
            evaluation_periods: count(a.evaluation_periods()).unwrap_or(1),
            datapoints_to_alarm: count(a.datapoints_to_alarm()),
            rule: None,
            behind_load_balancer: Vec::new(),
        },
    }
}

pub fn map_composite(a: &CompositeAlarm) -> Alarm {
    Alarm {
        name: text(a.alarm_name()),
        kind: AlarmKind::Composite,
        state: state(a.state_value()),
        reason: text(a.state_reason()),
        updated_at: millis(a.state_updated_timestamp()),
        spec: AlarmSpec {
            arn: text(a.alarm_arn()),
            rule: a.alarm_rule().map(clean),
            ..AlarmSpec::default()
        },
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
