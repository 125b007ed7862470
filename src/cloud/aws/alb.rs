//! Load-balancer figures of target groups for the canary comparison: `AWS/ApplicationELB`
//! `RequestCount` and `HTTPCode_Target_5XX_Count` (Sum) and `TargetResponseTime` (p50, p99),
//! with the dimensions `TargetGroup` and `LoadBalancer`, one datapoint covering each window.
//! Queries sharing a window go in one `GetMetricData` call, up to 500 queries each; the
//! percentiles in a call of their own, so counts still show where percentiles cannot be had.

use crate::cloud::aws::balancers::Balancers;
use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::metrics::MAX_QUERIES;
use crate::model::Op;
use crate::model::alarm_link::{load_balancer_dimension, target_group_dimension};
use crate::model::evidence::{AlbFigures, AlbQuery};
use crate::model::{ApiResult, At, Ms};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_smithy_types::DateTime;
use std::collections::BTreeMap;

/// The four figures of one target group, with the letter their query ids start with.
const FIGURES: [(char, &str, &str); 4] = [
    ('r', "RequestCount", "Sum"),
    ('e', "HTTPCode_Target_5XX_Count", "Sum"),
    ('a', "TargetResponseTime", "p50"),
    ('b', "TargetResponseTime", "p99"),
];

fn query(id: String, metric: &str, stat: &str, tg: &str, lb: &str, period: i32) -> MetricDataQuery {
    let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/ApplicationELB")
                        .metric_name(metric)
                        .dimensions(dim("TargetGroup", target_group_dimension(tg)))
                        .dimensions(dim("LoadBalancer", load_balancer_dimension(lb)))
                        .build(),
                )
                .period(period)
                .stat(stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// The window a query covers, in whole minutes: CloudWatch rounds the start down.
fn window(q: &AlbQuery) -> (At, At) {
    let from = q.from.floor(Ms::MINUTE);
    let until = q.until.max(from + Ms::MINUTE);
    (from, until)
}

/// One period the length of the window, a multiple of 60 seconds.
fn period_of(from: At, until: At) -> i32 {
    let secs = ((until - from).as_secs_f64() / 60.0).ceil() as i32 * 60;
    secs.max(60)
}

/// `r12` → ('r', 12).
fn parse_id(id: &str) -> Option<(char, usize)> {
    let mut chars = id.chars();
    let kind = chars.next()?;
    Some((kind, chars.as_str().parse().ok()?))
}

/// The figures of each query, in order. A target group behind no load balancer has no
/// figures: it is answered with no traffic.
pub async fn figures(
    cw: &aws_sdk_cloudwatch::Client,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    gate: &CallGate,
    balancers: &Balancers,
    queries: &[AlbQuery],
) -> ApiResult<Vec<AlbFigures>> {
    let groups: Vec<String> = queries.iter().map(|q| q.target_group.clone()).collect();
    let lbs = balancers.of_groups(elb, gate, &groups).await?;
    let mut out = vec![AlbFigures::default(); queries.len()];
    let mut by_window: BTreeMap<(At, At), Vec<usize>> = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        by_window.entry(window(q)).or_default().push(i);
    }
    for ((from, until), members) in by_window {
        let period = period_of(from, until);
        let of = |kinds: &[(char, &str, &str)]| -> Vec<MetricDataQuery> {
            let mut v = Vec::new();
            for &i in &members {
                let q = &queries[i];
                let Some(lb) = lbs.get(&q.target_group).and_then(|l| l.first()) else {
                    continue;
                };
                for (k, metric, stat) in kinds {
                    v.push(query(
                        format!("{k}{i}"),
                        metric,
                        stat,
                        &q.target_group,
                        lb,
                        period,
                    ));
                }
            }
            v
        };
        for batch in of(&FIGURES[..2]).chunks(MAX_QUERIES) {
            fetch_batch(cw, gate, batch, (from, until), &mut out).await?;
        }
        // Percentiles in calls of their own: where they cannot be had, the counts still show.
        for batch in of(&FIGURES[2..]).chunks(MAX_QUERIES) {
            if let Err(e) = fetch_batch(cw, gate, batch, (from, until), &mut out).await {
                tracing::warn!(error = %e, "response time percentiles unavailable");
                for &i in &members {
                    out[i].percentiles_error = Some(e.to_string());
                }
            }
        }
    }
    Ok(out)
}

async fn fetch_batch(
    cw: &aws_sdk_cloudwatch::Client,
    gate: &CallGate,
    batch: &[MetricDataQuery],
    (from, until): (At, At),
    out: &mut [AlbFigures],
) -> ApiResult<()> {
    let mut token: Option<String> = None;
    loop {
        let page = cw
            .get_metric_data()
            .set_metric_data_queries(Some(batch.to_vec()))
            .start_time(DateTime::from_millis(from.millis()))
            .end_time(DateTime::from_millis(until.millis()))
            .set_next_token(token.take())
            .send()
            .within(gate, Op::CloudWatchGetMetricData)
            .await?;
        for r in page.metric_data_results() {
            let Some((kind, i)) = r.id().and_then(parse_id) else {
                continue;
            };
            let Some(f) = out.get_mut(i) else { continue };
            take(f, kind, r.values());
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(()),
        }
    }
}

/// Sums add up; a percentile over more than one datapoint (the window crossed a period
/// boundary) is their mean. Response times arrive in seconds.
fn take(f: &mut AlbFigures, kind: char, values: &[f64]) {
    let mean_ms =
        || (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64 * 1000.0);
    match kind {
        'r' => f.requests += values.iter().sum::<f64>(),
        'e' => f.errors_5xx += values.iter().sum::<f64>(),
        'a' => f.p50_ms = mean_ms().or(f.p50_ms),
        'b' => f.p99_ms = mean_ms().or(f.p99_ms),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_period_covers_the_window_in_whole_minutes() {
        let q = AlbQuery {
            target_group: "tg".into(),
            from: At(90_000),
            until: At(200_000),
        };
        let (from, until) = window(&q);
        assert_eq!((from, until), (At(60_000), At(200_000)));
        assert_eq!(period_of(from, until), 180);
        assert_eq!(period_of(At(0), At(1)), 60);
        assert_eq!(parse_id("b12"), Some(('b', 12)));
        assert_eq!(parse_id("x"), None);
    }

    #[test]
    fn sums_add_and_percentiles_average_in_milliseconds() {
        let mut f = AlbFigures::default();
        take(&mut f, 'r', &[100.0, 50.0]);
        take(&mut f, 'e', &[3.0]);
        take(&mut f, 'b', &[0.8, 1.0]);
        take(&mut f, 'a', &[]);
        assert_eq!((f.requests, f.errors_5xx), (150.0, 3.0));
        assert_eq!(f.p99_ms, Some(900.0));
        assert_eq!(f.p50_ms, None);
    }
}
