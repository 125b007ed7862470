//! Which load balancer a target group is behind, and which target groups a load balancer
//! serves: what the `LoadBalancer` dimension of the ALB metrics and alarms needs. Both change
//! rarely, so answers are kept for ten minutes, and only asked for when a comparison or an
//! alarm needs them (never on a services refresh).

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::ApiResult;
use crate::model::Op;
use aws_sdk_elasticloadbalancingv2::Client;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// DescribeTargetGroups takes at most 20 ARNs.
const TG_BATCH: usize = 20;
/// How long an answer is kept.
pub const KEPT: Duration = Duration::from_secs(600);

type Known = HashMap<String, (Vec<String>, Instant)>;

#[derive(Default)]
pub struct Balancers {
    /// Target group ARN → its load balancers' ARNs.
    of_group: Mutex<Known>,
    /// `LoadBalancer` dimension (`app/NAME/ID`) → its target groups' ARNs.
    groups_of: Mutex<Known>,
}

fn fresh(known: &Mutex<Known>, key: &str) -> Option<Vec<String>> {
    let k = known.lock().unwrap_or_else(|e| e.into_inner());
    k.get(key)
        .filter(|(_, at)| at.elapsed() < KEPT)
        .map(|(v, _)| v.clone())
}

fn keep(known: &Mutex<Known>, key: String, value: Vec<String>) {
    let mut k = known.lock().unwrap_or_else(|e| e.into_inner());
    k.insert(key, (value, Instant::now()));
}

impl Balancers {
    /// The load balancers of each of `groups`, describing those not known.
    pub async fn of_groups(
        &self,
        elb: &Client,
        gate: &CallGate,
        groups: &[String],
    ) -> ApiResult<HashMap<String, Vec<String>>> {
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for g in groups {
            match fresh(&self.of_group, g) {
                Some(lbs) => {
                    out.insert(g.clone(), lbs);
                }
                None => missing.push(g.clone()),
            }
        }
        missing.sort_unstable();
        missing.dedup();
        for chunk in missing.chunks(TG_BATCH) {
            let page = elb
                .describe_target_groups()
                .set_target_group_arns(Some(chunk.to_vec()))
                .send()
                .within(gate, Op::ElbDescribeTargetGroups)
                .await?;
            for tg in page.target_groups() {
                let Some(arn) = tg.target_group_arn() else {
                    continue;
                };
                let lbs = tg.load_balancer_arns().to_vec();
                keep(&self.of_group, arn.to_string(), lbs.clone());
                out.insert(arn.to_string(), lbs);
            }
        }
        Ok(out)
    }

    /// The target groups behind the load balancer of a `LoadBalancer` dimension
    /// (`app/NAME/ID`): found by its name, then its target groups.
    pub async fn groups_behind(
        &self,
        elb: &Client,
        gate: &CallGate,
        dimension: &str,
    ) -> ApiResult<Vec<String>> {
        if let Some(v) = fresh(&self.groups_of, dimension) {
            return Ok(v);
        }
        let name = dimension.split('/').nth(1).unwrap_or(dimension);
        let lbs = elb
            .describe_load_balancers()
            .names(name)
            .send()
            .within(gate, Op::ElbDescribeLoadBalancers)
            .await?;
        let arn = lbs
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.load_balancer_arn())
            .find(|arn| arn.ends_with(dimension));
        let mut groups = Vec::new();
        if let Some(arn) = arn {
            let page = elb
                .describe_target_groups()
                .load_balancer_arn(arn)
                .send()
                .within(gate, Op::ElbDescribeTargetGroups)
                .await?;
            groups.extend(
                page.target_groups()
                    .iter()
                    .filter_map(|tg| tg.target_group_arn().map(str::to_string)),
            );
        }
        keep(&self.groups_of, dimension.to_string(), groups.clone());
        Ok(groups)
    }
}
