//! Target health of the services' load-balancer target groups: elbv2 `describe_target_health`,
//! once per distinct target group, a few at a time.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::Op;
use crate::model::{ApiResult, TargetGroupHealth};
use aws_sdk_elasticloadbalancingv2::types::{TargetHealthDescription, TargetHealthStateEnum};
use futures::StreamExt;
use std::collections::HashMap;

/// `describe_target_health` calls in flight at once.
pub const CONCURRENCY: usize = 8;
/// Distinct reasons kept per target group.
pub const REASONS_KEPT: usize = 3;

/// The health of each of `arns` (distinct target group ARNs), by ARN. A target group that
/// cannot be read is left out and logged; the first error is returned alongside so the
/// caller can tell "no data" from "nothing to show".
pub async fn fetch(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    gate: &CallGate,
    arns: &[String],
) -> (
    HashMap<String, TargetGroupHealth>,
    Option<crate::model::ApiError>,
) {
    let calls: Vec<_> = arns.iter().map(|arn| one(elb, gate, arn)).collect();
    let results: Vec<(String, ApiResult<TargetGroupHealth>)> = futures::stream::iter(calls)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut out = HashMap::new();
    let mut first_error = None;
    for (arn, r) in results {
        match r {
            Ok(h) => {
                out.insert(arn, h);
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    (out, first_error)
}

async fn one(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    gate: &CallGate,
    arn: &str,
) -> (String, ApiResult<TargetGroupHealth>) {
    let r = elb
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .within(gate, Op::ElbDescribeTargetHealth)
        .await
        .map(|out| summarise(arn, out.target_health_descriptions()));
    (arn.to_string(), r)
}

/// Counts the targets by state. `unhealthy.draining` counts as unhealthy (the target failed
/// its checks); initial, draining, unused and unavailable count as other.
pub fn summarise(arn: &str, targets: &[TargetHealthDescription]) -> TargetGroupHealth {
    let mut h = TargetGroupHealth {
        target_group_arn: arn.to_string(),
        healthy: 0,
        unhealthy: 0,
        other: 0,
        reasons: Vec::new(),
        target_ids: Vec::new(),
    };
    for t in targets {
        if let Some(id) = t.target().and_then(|t| t.id())
            && h.target_ids.len() < crate::model::TARGET_IDS_KEPT
        {
            h.target_ids.push(id.to_string());
        }
        let th = t.target_health();
        match th.and_then(|th| th.state()) {
            Some(TargetHealthStateEnum::Healthy) => h.healthy += 1,
            Some(TargetHealthStateEnum::Unhealthy | TargetHealthStateEnum::UnhealthyDraining) => {
                h.unhealthy += 1;
                let reason = th
                    .and_then(|th| th.reason().map(|r| r.as_str().to_string()))
                    .or_else(|| th.and_then(|th| th.description()).map(str::to_string));
                if let Some(r) = reason.filter(|r| !r.is_empty())
                    && h.reasons.len() < REASONS_KEPT
                    && !h.reasons.contains(&r)
                {
                    h.reasons.push(r);
                }
            }
            _ => h.other += 1,
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_elasticloadbalancingv2::types::{TargetHealth, TargetHealthReasonEnum};

    fn target(
        state: TargetHealthStateEnum,
        reason: Option<TargetHealthReasonEnum>,
    ) -> TargetHealthDescription {
        TargetHealthDescription::builder()
            .target_health(
                TargetHealth::builder()
                    .state(state)
                    .set_reason(reason)
                    .build(),
            )
            .build()
    }

    #[test]
    fn counts_states_and_keeps_three_distinct_reasons() {
        use TargetHealthReasonEnum as R;
        use TargetHealthStateEnum as S;
        let targets = [
            target(S::Healthy, None),
            target(S::Healthy, None),
            target(S::Unhealthy, Some(R::FailedHealthChecks)),
            target(S::Unhealthy, Some(R::FailedHealthChecks)),
            target(S::Unhealthy, Some(R::Timeout)),
            target(S::UnhealthyDraining, Some(R::ResponseCodeMismatch)),
            target(S::Unhealthy, Some(R::InternalError)),
            target(S::Initial, Some(R::RegistrationInProgress)),
            target(S::Draining, Some(R::DeregistrationInProgress)),
            target(S::Unused, Some(R::NotRegistered)),
        ];
        let h = summarise("arn:tg", &targets);
        assert_eq!((h.healthy, h.unhealthy, h.other), (2, 5, 3));
        assert_eq!(
            h.reasons,
            [
                "Target.FailedHealthChecks",
                "Target.Timeout",
                "Target.ResponseCodeMismatch"
            ]
        );
    }
}
