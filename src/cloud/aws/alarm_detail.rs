//! What an open alarm detail shows beyond `DescribeAlarms`: its metric's points
//! (`GetMetricData`, one query) and its state changes (`DescribeAlarmHistory`, state updates
//! only). Read only while the detail is open.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::millis;
use crate::model::Op;
use crate::model::text::clean;
use crate::model::{AlarmState, AlarmTransition, ApiResult, At, MetricSpec};
use aws_sdk_cloudwatch::types::{
    Dimension, HistoryItemType, Metric, MetricDataQuery, MetricStat, ScanBy,
};
use aws_smithy_types::DateTime;

/// Pages of history read at most: 100 records each.
const HISTORY_PAGES: usize = 5;

/// The points of `m` over [from, until), oldest first.
pub async fn points(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    m: &MetricSpec,
    from: At,
    until: At,
) -> ApiResult<Vec<(At, f64)>> {
    let mut metric = Metric::builder()
        .namespace(&m.namespace)
        .metric_name(&m.name);
    for (k, v) in &m.dimensions {
        metric = metric.dimensions(Dimension::builder().name(k).value(v).build());
    }
    let q = MetricDataQuery::builder()
        .id("m0")
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(m.period_secs.max(60) as i32)
                .stat(&m.statistic)
                .build(),
        )
        .return_data(true)
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cw
            .get_metric_data()
            .metric_data_queries(q.clone())
            .start_time(DateTime::from_millis(from.millis()))
            .end_time(DateTime::from_millis(until.millis()))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::CloudWatchGetMetricData)
            .await?;
        for r in page.metric_data_results() {
            let at = r
                .timestamps()
                .iter()
                .map(|t| At(t.to_millis().unwrap_or(0)));
            out.extend(at.zip(r.values().iter().copied()));
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out.dedup_by_key(|(t, _)| *t);
    Ok(out)
}

/// The old and new state of a `StateUpdate` record's `historyData`
/// (`{"oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM"}}`).
pub fn states_of(data: &str) -> Option<(AlarmState, AlarmState)> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    let state = |k: &str| Some(AlarmState::parse(v.get(k)?.get("stateValue")?.as_str()?));
    Some((state("oldState")?, state("newState")?))
}

/// The alarm's state changes since `since`, newest first.
pub async fn history(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    name: &str,
    since: At,
    now: At,
) -> ApiResult<Vec<AlarmTransition>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..HISTORY_PAGES {
        let page = cw
            .describe_alarm_history()
            .alarm_name(name)
            .history_item_type(HistoryItemType::StateUpdate)
            .start_date(DateTime::from_millis(since.millis()))
            .end_date(DateTime::from_millis(now.millis()))
            .scan_by(ScanBy::TimestampDescending)
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::CloudWatchDescribeAlarmHistory)
            .await?;
        for item in page.alarm_history_items() {
            let Some((from, to)) = item.history_data().and_then(states_of) else {
                continue;
            };
            out.push(AlarmTransition {
                at: millis(item.timestamp()),
                from,
                to,
                summary: clean(item.history_summary().unwrap_or_default()),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.at));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_data_gives_both_states() {
        let d = r#"{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"x"},"newState":{"stateValue":"ALARM","stateReason":"y"}}"#;
        assert_eq!(states_of(d), Some((AlarmState::Ok, AlarmState::Alarm)));
        assert_eq!(states_of("{}"), None);
        assert_eq!(states_of("not json"), None);
    }
}
