//! The demo's CloudWatch alarms as they are defined (metric, statistic, dimensions, threshold),
//! their state history, and the metric points an alarm's detail draws.

use crate::demo::traffic;
use crate::demo::world::World;
use crate::model::{
    Alarm, AlarmKind, AlarmSpec, AlarmState, AlarmTransition, At, Comparison, MetricSpec, Ms,
};

fn metric(namespace: &str, name: &str, statistic: &str, dims: &[(&str, String)]) -> MetricSpec {
    MetricSpec {
        namespace: namespace.into(),
        name: name.into(),
        statistic: statistic.into(),
        dimensions: dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        period_secs: 60,
    }
}

/// The `TargetGroup` and `LoadBalancer` dimensions of a service's target group.
fn alb_dims(w: &World, cluster: &str, tg_of: &str) -> [(&'static str, String); 2] {
    let tg = w.target_group_arn(cluster, tg_of);
    let lb = w.load_balancer_arn(cluster);
    [
        (
            "TargetGroup",
            crate::model::alarm_link::target_group_dimension(&tg).to_string(),
        ),
        (
            "LoadBalancer",
            crate::model::alarm_link::load_balancer_dimension(&lb).to_string(),
        ),
    ]
}

struct Def {
    name: &'static str,
    metric: Option<MetricSpec>,
    threshold: f64,
    periods: u32,
    rule: Option<&'static str>,
}

/// A metric alarm of the demo.
fn def(name: &'static str, metric: MetricSpec, threshold: f64, periods: u32) -> Def {
    Def {
        name,
        metric: Some(metric),
        threshold,
        periods,
        rule: None,
    }
}

/// The 5xx count of a service's target group (`tg_of` names it within the cluster).
fn target_5xx(w: &World, cluster: &str, tg_of: &str) -> MetricSpec {
    let dims = alb_dims(w, cluster, tg_of);
    metric(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "Sum",
        &dims,
    )
}

fn defs(w: &World) -> Vec<Def> {
    let p99 = metric(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "p99",
        &alb_dims(w, "prod-core", "payments"),
    );
    let cpu_dims = [
        ("ClusterName", "prod-core".to_string()),
        ("ServiceName", "web".to_string()),
    ];
    let queue = [("QueueName", "search-indexing".to_string())];
    vec![
        def(
            "payments-5xx-rate",
            target_5xx(w, "prod-core", "payments"),
            10.0,
            1,
        ),
        def("payments-p99-latency", p99, 1.0, 1),
        Def {
            name: "payments-health",
            metric: None,
            threshold: 0.0,
            periods: 1,
            rule: Some(r#"ALARM("payments-5xx-rate") OR ALARM("payments-p99-latency")"#),
        },
        def("api-5xx-rate", target_5xx(w, "prod-core", "api"), 10.0, 1),
        def(
            "checkout-canary-5xx",
            target_5xx(w, "prod-edge", "checkout-green"),
            5.0,
            1,
        ),
        def(
            "web-cpu-high",
            metric("AWS/ECS", "CPUUtilization", "Average", &cpu_dims),
            85.0,
            3,
        ),
        def(
            "search-queue-depth",
            metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "Maximum",
                &queue,
            ),
            1000.0,
            5,
        ),
    ]
}

/// The alarms as the demo opens: quiet for two days, but for the queue without data.
pub fn seed(w: &World, now: At) -> Vec<Alarm> {
    defs(w)
        .into_iter()
        .map(|d| {
            let quiet = d.name != "search-queue-depth";
            Alarm {
                name: d.name.into(),
                kind: if d.rule.is_some() {
                    AlarmKind::Composite
                } else {
                    AlarmKind::Metric
                },
                state: if quiet {
                    AlarmState::Ok
                } else {
                    AlarmState::InsufficientData
                },
                // A composite alarm has a rule over its children, not a threshold.
                reason: match (quiet, d.rule.is_some()) {
                    (false, _) => "Insufficient Data: 1 datapoint was unknown.".into(),
                    (true, true) => "No child alarm is in ALARM".into(),
                    (true, false) => {
                        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (10.0)."
                            .into()
                    }
                },
                updated_at: now - if quiet { Ms::days(2) } else { Ms::hours(5) },
                spec: AlarmSpec {
                    arn: format!("arn:aws:cloudwatch:{}:{}:alarm:{}", w.region, w.account, d.name),
                    comparison: d.metric.as_ref().map(|_| Comparison::Greater),
                    threshold: d.metric.as_ref().map(|_| d.threshold),
                    metric: d.metric,
                    evaluation_periods: d.periods,
                    datapoints_to_alarm: Some(d.periods),
                    rule: d.rule.map(str::to_string),
                    behind_load_balancer: Vec::new(),
                },
            }
        })
        .collect()
}

/// Records a state change, as `DescribeAlarmHistory` would list it.
pub fn record(w: &mut World, name: &str, t: AlarmTransition) {
    w.alarm_history.push_back((name.to_string(), t));
    while w.alarm_history.len() > crate::demo::world::ALARM_HISTORY_KEPT {
        w.alarm_history.pop_front();
    }
}

/// State changes of `name` since `since`, newest first.
pub fn history(w: &World, name: &str, since: At) -> Vec<AlarmTransition> {
    w.alarm_history
        .iter()
        .rev()
        .filter(|(n, t)| n == name && t.at >= since)
        .map(|(_, t)| t.clone())
        .collect()
}

/// The points of an alarm's metric over [from, until), one a minute, from what the demo
/// knows: the load balancer's minutes and the services' CPU and memory.
pub fn points(w: &World, m: &MetricSpec, from: At, until: At) -> Vec<(At, f64)> {
    if m.namespace == "AWS/ApplicationELB" {
        let Some(tg) = m.dimension("TargetGroup") else {
            return Vec::new();
        };
        let series = w
            .alb
            .iter()
            .find(|(arn, _)| arn.ends_with(tg))
            .map(|(_, s)| s);
        return series
            .into_iter()
            .flatten()
            .filter(|x| x.at >= from && x.at < until && x.requests > 0.0)
            .map(|x| (x.at, elb_value(&m.name, &m.statistic, x)))
            .collect();
    }
    let svc = w.services.iter().find(|s| {
        Some(s.svc.name.as_str()) == m.dimension("ServiceName")
            && Some(s.svc.cluster.as_str()) == m.dimension("ClusterName")
    });
    let Some(s) = svc else {
        return Vec::new();
    };
    let series = match m.name.as_str() {
        "CPUUtilization" => &s.svc.cpu,
        "MemoryUtilization" => &s.svc.mem,
        _ => return Vec::new(),
    };
    let last = w.now.floor(Ms::MINUTE);
    let n = series.len() as i64;
    series
        .iter()
        .enumerate()
        .map(|(k, v)| (last - Ms::mins(n - 1 - k as i64), *v))
        .filter(|(at, _)| *at >= from && *at < until)
        .collect()
}

fn elb_value(name: &str, statistic: &str, m: &traffic::Minute) -> f64 {
    match (name, statistic) {
        ("RequestCount", _) => m.requests.round(),
        ("HTTPCode_Target_5XX_Count", _) => m.errors.round(),
        ("TargetResponseTime", "p50") => m.p50_weighted / m.requests,
        ("TargetResponseTime", _) => m.p99_weighted / m.requests,
        _ => 0.0,
    }
}
