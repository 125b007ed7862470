use crate::model::At;
use crate::model::wire::wire_enum;

wire_enum!(
    /// `StateValue` of a metric or composite alarm.
    AlarmState {
        Ok = "OK",
        Alarm = "ALARM",
        InsufficientData = "INSUFFICIENT_DATA",
    }
);

impl AlarmState {
    /// Where a state sorts in the alarms pane: firing first, then unknown, then OK.
    pub fn urgency(&self) -> u8 {
        match self {
            AlarmState::Alarm => 0,
            AlarmState::InsufficientData | AlarmState::Other(_) => 1,
            AlarmState::Ok => 2,
        }
    }
}

wire_enum!(
    /// `ComparisonOperator` of a metric alarm.
    Comparison {
        GreaterOrEqual = "GreaterThanOrEqualToThreshold",
        Greater = "GreaterThanThreshold",
        Less = "LessThanThreshold",
        LessOrEqual = "LessThanOrEqualToThreshold",
        OutsideBand = "LessThanLowerOrGreaterThanUpperThreshold",
        BelowBand = "LessThanLowerThreshold",
        AboveBand = "GreaterThanUpperThreshold",
    }
);

impl Comparison {
    /// How the comparison reads before the threshold: `>`, `<=`, `outside the band`.
    pub fn symbol(&self) -> &str {
        match self {
            Comparison::GreaterOrEqual => ">=",
            Comparison::Greater => ">",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::OutsideBand => "outside the band",
            Comparison::BelowBand => "below the band",
            Comparison::AboveBand => "above the band",
            Comparison::Other(s) => s,
        }
    }

    /// Whether `value` is on the alarming side of `threshold` (anomaly bands are not
    /// judged here: their band is not a number the console has).
    pub fn breaches(&self, value: f64, threshold: f64) -> Option<bool> {
        match self {
            Comparison::GreaterOrEqual => Some(value >= threshold),
            Comparison::Greater => Some(value > threshold),
            Comparison::Less => Some(value < threshold),
            Comparison::LessOrEqual => Some(value <= threshold),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmKind {
    Metric,
    Composite,
}

/// The one metric a metric alarm watches (alarms on metric math have none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricSpec {
    pub namespace: String,
    pub name: String,
    /// `Sum`, `Average`, ... or an extended statistic such as `p99`.
    pub statistic: String,
    /// (name, value), in the alarm's order.
    pub dimensions: Vec<(String, String)>,
    pub period_secs: u32,
}

impl MetricSpec {
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What an alarm watches and when it fires. Empty for what the backend did not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmSpec {
    pub arn: String,
    pub metric: Option<MetricSpec>,
    pub threshold: Option<f64>,
    pub comparison: Option<Comparison>,
    pub evaluation_periods: u32,
    /// M of "M out of N" (N is `evaluation_periods`); ECS sets it equal to N when absent.
    pub datapoints_to_alarm: Option<u32>,
    /// A composite alarm's rule, as written.
    pub rule: Option<String>,
    /// For a metric on a whole load balancer (a `LoadBalancer` dimension without a
    /// `TargetGroup`): the target groups behind it, when the backend looked them up.
    pub behind_load_balancer: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub kind: AlarmKind,
    pub state: AlarmState,
    pub reason: String,
    pub updated_at: At,
    pub spec: AlarmSpec,
}

impl Alarm {
    /// The alarms a composite alarm's rule names, by name, in the rule's order, once each.
    /// A rule names them as `ALARM("name")`, `OK(name)` or by ARN (`...:alarm:name`).
    pub fn children(&self) -> Vec<String> {
        self.spec
            .rule
            .as_deref()
            .map_or_else(Vec::new, rule_children)
    }

    /// "M of N" datapoints that make the alarm fire.
    pub fn datapoints_text(&self) -> String {
        let n = self.spec.evaluation_periods;
        let m = self.spec.datapoints_to_alarm.unwrap_or(n);
        format!("{m} of {n}")
    }
}

/// The alarm names a composite rule refers to.
pub fn rule_children(rule: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for func in ["ALARM(", "OK(", "INSUFFICIENT_DATA("] {
        let mut rest = rule;
        while let Some(at) = rest.find(func) {
            // `INSUFFICIENT_DATA(` contains no other function name, but `OK(` must not match
            // inside a longer word.
            let before = rest[..at].chars().next_back();
            rest = &rest[at + func.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(end) = rest.find(')') else { break };
            let arg = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'');
            let name = arg
                .rsplit_once(":alarm:")
                .map_or(arg, |(_, n)| n)
                .to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// One change of an alarm's state, from `DescribeAlarmHistory`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmTransition {
    pub at: At,
    pub from: AlarmState,
    pub to: AlarmState,
    pub summary: String,
}

/// What the alarm detail shows beyond the alarm itself: its metric over the last hours and its
/// state changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmDetail {
    pub name: String,
    /// (time, value), oldest first, one point a period.
    pub points: Vec<(At, f64)>,
    /// Newest first.
    pub history: Vec<AlarmTransition>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_names_its_children_by_name_or_arn_once_each() {
        let rule = r#"ALARM("payments-5xx-rate") OR ALARM(payments-p99-latency) AND NOT OK("arn:aws:cloudwatch:eu-west-1:1:alarm:db-cpu") OR ALARM("payments-5xx-rate")"#;
        assert_eq!(
            rule_children(rule),
            ["payments-5xx-rate", "payments-p99-latency", "db-cpu"]
        );
        assert_eq!(rule_children("TRUE"), Vec::<String>::new());
        assert_eq!(rule_children(r#"LOOK(x) OR INSUFFICIENT_DATA("y")"#), ["y"]);
    }

    #[test]
    fn comparisons_read_and_judge() {
        let c = Comparison::parse("GreaterThanThreshold");
        assert_eq!(c.symbol(), ">");
        assert_eq!(c.breaches(11.0, 10.0), Some(true));
        assert_eq!(c.breaches(10.0, 10.0), Some(false));
        assert_eq!(
            Comparison::parse("LessThanLowerOrGreaterThanUpperThreshold").breaches(1.0, 2.0),
            None
        );
        assert_eq!(Comparison::parse("Odd").symbol(), "Odd");
    }
}
