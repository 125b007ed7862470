//! CloudWatch alarms: `describe_alarms` for metric and composite alarms, all pages.
//!
//! One alarm whose answer cannot be read (a body that does not parse) must not blank the pane
//! nor hide a real ALARM behind it. When a page cannot be read, the alarms are read again by
//! state (ALARM first) and kind, and a slice that still fails is read in smaller pages (100,
//! then 10, then 1) so that everything before the bad alarm shows. What could not be read is
//! named, with the parser's words.

use crate::cloud::Listing;
use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::millis;
use crate::model::Op;
use crate::model::text::clean;
use crate::model::{Alarm, AlarmKind, AlarmSpec, AlarmState, Comparison, MetricSpec};
use crate::model::{ApiError, ApiResult, ErrorKind};
use aws_sdk_cloudwatch::types::{AlarmType, CompositeAlarm, MetricAlarm, StateValue};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The largest page DescribeAlarms gives, and the smaller ones tried around a bad answer.
const PAGE_SIZES: [i32; 3] = [100, 10, 1];
/// Calls one slice may make while reading around a bad answer, at most.
const SALVAGE_CALLS: usize = 200;

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
pub async fn fetch(cw: &aws_sdk_cloudwatch::Client, gate: &CallGate) -> ApiResult<Vec<Alarm>> {
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
            .within(gate, Op::CloudWatchDescribeAlarms)
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

/// How long the plain read is skipped after it failed to parse, at first and at most: the
/// alarm that broke it is likely still there, and reading around it costs a call per state and
/// kind already.
const SKIP_FIRST: Duration = Duration::from_secs(5 * 60);
const SKIP_MAX: Duration = Duration::from_secs(60 * 60);

/// Remembers that the plain read of the alarms failed to parse, so the next polls go straight
/// to the read by state (one call fewer, and no answer known to fail), trying it again after a
/// wait that doubles while it keeps failing.
#[derive(Debug, Default)]
pub struct Remembered(Mutex<Option<(Instant, Duration)>>);

impl Remembered {
    /// The plain read is worth trying now.
    fn try_plain(&self) -> bool {
        let skip = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        skip.is_none_or(|(until, _)| Instant::now() >= until)
    }

    fn failed(&self) {
        let mut skip = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let wait = skip.map_or(SKIP_FIRST, |(_, w)| (w * 2).min(SKIP_MAX));
        *skip = Some((Instant::now() + wait, wait));
    }

    fn read(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Every alarm, or when an answer cannot be read, every alarm that can be, with what could
/// not.
pub async fn listing(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    remembered: &Remembered,
) -> ApiResult<Listing<Alarm>> {
    if !remembered.try_plain() {
        let known = ApiError::new(ErrorKind::Unreadable, "read by state, as last time");
        return salvage(cw, gate, known, remembered).await;
    }
    match fetch(cw, gate).await {
        Ok(alarms) => {
            remembered.read();
            Ok(Listing::whole(alarms))
        }
        Err(e) if e.kind == ErrorKind::Unreadable => {
            remembered.failed();
            salvage(cw, gate, e, remembered).await
        }
        Err(e) => Err(e),
    }
}

/// Reads the alarms again by state and kind, firing ones first, around the answer that could
/// not be read.
async fn salvage(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    first: ApiError,
    remembered: &Remembered,
) -> ApiResult<Listing<Alarm>> {
    let mut alarms = Vec::new();
    let mut lost = Vec::new();
    for state in [
        StateValue::Alarm,
        StateValue::InsufficientData,
        StateValue::Ok,
    ] {
        for kind in [AlarmType::MetricAlarm, AlarmType::CompositeAlarm] {
            let slice = Slice {
                state: state.clone(),
                kind,
            };
            let (read, failure) = slice.read(cw, gate).await;
            alarms.extend(read);
            lost.extend(failure);
        }
    }
    if lost.is_empty() {
        // Read whole the second time: the bad answer was passing.
        tracing::warn!(error = %first, "an alarms answer could not be read; read again by state");
        remembered.read();
        return Ok(Listing::whole(alarms));
    }
    let what: Vec<&str> = lost.iter().map(|(w, _)| w.as_str()).collect();
    let mut causes: Vec<&str> = lost.iter().map(|(_, c)| c.as_str()).collect();
    causes.dedup();
    let message = format!("not shown: {}: {}", what.join(", "), causes.join("; "));
    Listing::or_failure(alarms, Some(ApiError::new(first.kind, message)))
}

/// The alarms of one state and kind.
struct Slice {
    state: StateValue,
    kind: AlarmType,
}

impl Slice {
    /// The alarms of the slice that could be read, and what stopped the reading if anything.
    async fn read(
        &self,
        cw: &aws_sdk_cloudwatch::Client,
        gate: &CallGate,
    ) -> (Vec<Alarm>, Option<(String, String)>) {
        let mut alarms: Vec<Alarm> = Vec::new();
        let mut token: Option<String> = None;
        let mut size = 0; // index into PAGE_SIZES
        for _ in 0..SALVAGE_CALLS {
            match self.page(cw, gate, token.clone(), PAGE_SIZES[size]).await {
                Ok((page, next)) => {
                    alarms.extend(page);
                    size = 0;
                    match next {
                        Some(t) => token = Some(t),
                        None => return (alarms, None),
                    }
                }
                Err(e) if e.kind == ErrorKind::Unreadable && size + 1 < PAGE_SIZES.len() => {
                    size += 1;
                }
                Err(e) => {
                    let after = alarms
                        .last()
                        .map_or(String::new(), |a| format!(" after {}", a.name));
                    return (alarms, Some((format!("{}{after}", self.what()), e.message)));
                }
            }
        }
        (alarms, Some((self.what(), "too many pages".into())))
    }

    fn what(&self) -> String {
        let kind = match self.kind {
            AlarmType::CompositeAlarm => "composite",
            _ => "metric",
        };
        format!("{kind} alarms in {}", self.state.as_str())
    }

    async fn page(
        &self,
        cw: &aws_sdk_cloudwatch::Client,
        gate: &CallGate,
        token: Option<String>,
        size: i32,
    ) -> ApiResult<(Vec<Alarm>, Option<String>)> {
        let out = cw
            .describe_alarms()
            .alarm_types(self.kind.clone())
            .state_value(self.state.clone())
            .max_records(size)
            .set_next_token(token)
            .send()
            .within(gate, Op::CloudWatchDescribeAlarms)
            .await?;
        // Only the kind asked for: an endpoint that ignores the filter sends both.
        let page = match self.kind {
            AlarmType::CompositeAlarm => out.composite_alarms().iter().map(map_composite).collect(),
            _ => out.metric_alarms().iter().map(map_metric).collect(),
        };
        let next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Ok((page, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;
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
        assert_eq!(a.updated_at, At(100_000));
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
