//! What Cost Explorer billed each service (`ce:GetCostAndUsage`), only when `[cost] explorer`
//! is on: each request costs $0.01, and the figures exist only with split cost allocation
//! data for ECS turned on and the AWS-generated tags `aws:ecs:clusterName` and
//! `aws:ecs:serviceName` activated. One day's unblended cost of ECS in the context's region
//! (and account, once known), grouped by those two tags.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::cost::BilledDay;
use crate::model::{ApiError, ApiResult, ErrorKind, Op, ServiceKey};
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType,
};

const CLUSTER_TAG: &str = "aws:ecs:clusterName";
const SERVICE_TAG: &str = "aws:ecs:serviceName";
/// Every page costs $0.01: a day of one region's services fits in a few.
const MAX_PAGES: usize = 3;

fn dimension(key: Dimension, value: &str) -> Expression {
    Expression::builder()
        .dimensions(DimensionValues::builder().key(key).values(value).build())
        .build()
}

fn filter(region: &str, account: Option<&str>) -> Expression {
    let mut all = vec![
        dimension(Dimension::Service, "Amazon Elastic Container Service"),
        dimension(Dimension::Region, region),
    ];
    if let Some(a) = account {
        all.push(dimension(Dimension::LinkedAccount, a));
    }
    Expression::builder().set_and(Some(all)).build()
}

/// The unblended cost of each service on `day` (`2026-12-05`, until `next`, the day after).
pub async fn billed_day(
    client: &aws_sdk_costexplorer::Client,
    gate: &CallGate,
    (region, account): (&str, Option<&str>),
    (day, next): (&str, &str),
) -> ApiResult<BilledDay> {
    let period = DateInterval::builder()
        .start(day)
        .end(next)
        .build()
        .map_err(|e| ApiError::new(ErrorKind::Other, format!("Cost Explorer dates: {e}")))?;
    let group = |key: &str| {
        GroupDefinition::builder()
            .r#type(GroupDefinitionType::Tag)
            .key(key)
            .build()
    };
    let mut billed = BilledDay {
        day: day.to_string(),
        by_service: Vec::new(),
    };
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(Granularity::Daily)
            .metrics("UnblendedCost")
            .filter(filter(region, account))
            .group_by(group(CLUSTER_TAG))
            .group_by(group(SERVICE_TAG))
            .set_next_page_token(token.take())
            .send()
            .within(gate, Op::CeGetCostAndUsage)
            .await?;
        for result in out.results_by_time() {
            for g in result.groups() {
                if let Some(row) = row_of(g) {
                    billed.by_service.push(row);
                }
            }
        }
        match out.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(billed)
}

/// A group's service and cost: keys `aws:ecs:clusterName$prod` and `aws:ecs:serviceName$api`;
/// None for the untagged bucket (`aws:ecs:serviceName$`), which names no service.
fn row_of(g: &aws_sdk_costexplorer::types::Group) -> Option<(ServiceKey, f64)> {
    let value = |tag: &str| {
        g.keys()
            .iter()
            .find_map(|k| k.strip_prefix(tag)?.strip_prefix('$'))
            .filter(|v| !v.is_empty())
            .map(crate::model::text::clean)
    };
    let key = ServiceKey {
        cluster: value(CLUSTER_TAG)?,
        name: value(SERVICE_TAG)?,
    };
    let usd = g
        .metrics()?
        .get("UnblendedCost")?
        .amount()?
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())?;
    Some((key, usd))
}
