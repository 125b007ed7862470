//! CPU and memory utilisation of services: `get_metric_data`, up to 500 queries a call, one
//! point a minute over the last hour.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::Op;
use crate::model::{ApiResult, At, Ms, ServiceKey, Utilisation};
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
};
use aws_smithy_types::DateTime;

/// `get_metric_data` takes at most 500 queries.
pub const MAX_QUERIES: usize = 500;
pub const PERIOD_SECS: i32 = 60;
pub const WINDOW_MS: Ms = Ms::HOUR;

fn query(id: String, metric: &str, key: &ServiceKey) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/ECS")
                        .metric_name(metric)
                        .dimensions(
                            Dimension::builder()
                                .name("ClusterName")
                                .value(&key.cluster)
                                .build(),
                        )
                        .dimensions(
                            Dimension::builder()
                                .name("ServiceName")
                                .value(&key.name)
                                .build(),
                        )
                        .build(),
                )
                .period(PERIOD_SECS)
                .stat("Average")
                .build(),
        )
        .return_data(true)
        .build()
}

/// Query ids must start with a lower-case letter: `c<i>` for CPU and `m<i>` for memory of
/// the i-th service.
fn parse_id(id: &str) -> Option<(bool, usize)> {
    let (kind, n) = id.split_at_checked(1)?;
    let n = n.parse().ok()?;
    match kind {
        "c" => Some((true, n)),
        "m" => Some((false, n)),
        _ => None,
    }
}

/// Utilisation of each of `keys`, in the same order, for the hour before `now`.
pub async fn utilisation(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    keys: &[ServiceKey],
    now: At,
) -> ApiResult<Vec<Utilisation>> {
    let end = now.floor(Ms::MINUTE);
    let start = end - WINDOW_MS;
    let mut points: Vec<[Vec<(At, f64)>; 2]> = vec![Default::default(); keys.len()];
    let queries: Vec<MetricDataQuery> = keys
        .iter()
        .enumerate()
        .flat_map(|(i, k)| {
            [
                query(format!("c{i}"), "CPUUtilization", k),
                query(format!("m{i}"), "MemoryUtilization", k),
            ]
        })
        .collect();
    for batch in queries.chunks(MAX_QUERIES) {
        let mut token: Option<String> = None;
        loop {
            let out = cw
                .get_metric_data()
                .set_metric_data_queries(Some(batch.to_vec()))
                .start_time(DateTime::from_millis(start.millis()))
                .end_time(DateTime::from_millis(end.millis()))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .within(gate, Op::CloudWatchGetMetricData)
                .await?;
            take_results(out.metric_data_results(), &mut points);
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(points
        .into_iter()
        .map(|[cpu, mem]| Utilisation {
            cpu: series(cpu),
            mem: series(mem),
        })
        .collect())
}

/// Each result's points into its service's CPU or memory series, by the query's id.
fn take_results(results: &[MetricDataResult], points: &mut [[Vec<(At, f64)>; 2]]) {
    for r in results {
        let Some((is_cpu, i)) = r.id().and_then(parse_id) else {
            continue;
        };
        let Some(slot) = points.get_mut(i) else {
            continue;
        };
        let series = &mut slot[if is_cpu { 0 } else { 1 }];
        series.extend(
            r.timestamps()
                .iter()
                .map(|t| At(t.to_millis().unwrap_or(0)))
                .zip(r.values().iter().copied()),
        );
    }
}

/// Values oldest first, one per timestamp.
fn series(mut points: Vec<(At, f64)>) -> Vec<f64> {
    points.sort_by_key(|(t, _)| *t);
    points.dedup_by_key(|(t, _)| *t);
    points.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(parse_id("c12"), Some((true, 12)));
        assert_eq!(parse_id("m0"), Some((false, 0)));
        assert_eq!(parse_id("x1"), None);
        assert_eq!(parse_id(""), None);
    }

    #[test]
    fn series_is_sorted_and_unique() {
        assert_eq!(
            series(vec![(At(120), 2.0), (At(60), 1.0), (At(120), 2.0)]),
            vec![1.0, 2.0]
        );
    }

    #[test]
    fn ids_are_valid_for_500_queries() {
        let k = ServiceKey {
            cluster: "c".into(),
            name: "s".into(),
        };
        let q = query("c249".into(), "CPUUtilization", &k);
        assert_eq!(q.id(), Some("c249"));
        assert_eq!(q.metric_stat().and_then(|m| m.period()), Some(60));
    }
}
