//! Weighted listener rules: how a paired canary with a target group of its own gets its share
//! of traffic. Read for paired services only (DescribeTargetGroups → DescribeListeners →
//! DescribeRules), and changed by ModifyRule or, for a default rule, ModifyListener.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::Op;
use crate::model::{ApiError, ApiResult, ErrorKind};
use crate::model::{WeightedRoute, weights_text};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ForwardActionConfig, Rule, TargetGroupTuple,
};

/// DescribeTargetGroups takes at most 20 ARNs.
const TG_BATCH: usize = 20;

/// Every rule forwarding by weight to one of `target_groups` and at least one other target
/// group, found through the load balancers those target groups are attached to.
pub async fn fetch(
    elb: &Client,
    gate: &CallGate,
    target_groups: &[String],
) -> ApiResult<Vec<WeightedRoute>> {
    let mut balancers = Vec::new();
    for chunk in target_groups.chunks(TG_BATCH) {
        let out = elb
            .describe_target_groups()
            .set_target_group_arns(Some(chunk.to_vec()))
            .send()
            .within(gate, Op::ElbDescribeTargetGroups)
            .await?;
        for tg in out.target_groups() {
            balancers.extend(tg.load_balancer_arns().iter().cloned());
        }
    }
    balancers.sort_unstable();
    balancers.dedup();
    let mut routes = Vec::new();
    for lb in &balancers {
        for listener in listeners(elb, gate, lb).await? {
            for rule in rules(elb, gate, &listener).await? {
                if let Some(route) = weighted(&listener, &rule)
                    && route
                        .weights
                        .iter()
                        .any(|(tg, _)| target_groups.contains(tg))
                {
                    routes.push(route);
                }
            }
        }
    }
    Ok(routes)
}

async fn listeners(elb: &Client, gate: &CallGate, lb: &str) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = elb
            .describe_listeners()
            .load_balancer_arn(lb)
            .set_marker(marker.take())
            .send()
            .within(gate, Op::ElbDescribeListeners)
            .await?;
        out.extend(
            page.listeners()
                .iter()
                .filter_map(|l| l.listener_arn().map(str::to_string)),
        );
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
}

async fn rules(elb: &Client, gate: &CallGate, listener: &str) -> ApiResult<Vec<Rule>> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = elb
            .describe_rules()
            .listener_arn(listener)
            .set_marker(marker.take())
            .send()
            .within(gate, Op::ElbDescribeRules)
            .await?;
        out.extend(page.rules().iter().cloned());
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
}

fn forward(actions: &[Action]) -> Option<&ForwardActionConfig> {
    actions
        .iter()
        .find(|a| a.r#type() == Some(&ActionTypeEnum::Forward))
        .and_then(Action::forward_config)
}

fn weights_of(f: &ForwardActionConfig) -> Vec<(String, u32)> {
    f.target_groups()
        .iter()
        .filter_map(|t| {
            let w = t.weight().unwrap_or(1).max(0) as u32;
            t.target_group_arn().map(|a| (a.to_string(), w))
        })
        .collect()
}

/// The rule as a route, when its forward action spreads over two or more target groups.
fn weighted(listener: &str, rule: &Rule) -> Option<WeightedRoute> {
    let weights = weights_of(forward(rule.actions())?);
    (weights.len() >= 2).then(|| WeightedRoute {
        listener_arn: listener.to_string(),
        rule_arn: rule.rule_arn().unwrap_or_default().to_string(),
        is_default: rule.is_default().unwrap_or(false),
        weights,
    })
}

fn refused(msg: String) -> ApiError {
    ApiError::new(ErrorKind::Other, msg)
}

/// `a` with `to` as its weights if it is the forward action; any other action as it is.
fn reweighted(a: &Action, to: &[(String, u32)]) -> Action {
    let Some(f) = a
        .forward_config()
        .filter(|_| a.r#type() == Some(&ActionTypeEnum::Forward))
    else {
        return a.clone();
    };
    let tuples = to
        .iter()
        .map(|(tg, w)| {
            TargetGroupTuple::builder()
                .target_group_arn(tg)
                .weight(*w as i32)
                .build()
        })
        .collect();
    let mut a = a.clone();
    // With several target groups only ForwardConfig may name them.
    a.target_group_arn = None;
    a.forward_config = Some(
        ForwardActionConfig::builder()
            .set_target_groups(Some(tuples))
            .set_target_group_stickiness_config(f.target_group_stickiness_config().cloned())
            .build(),
    );
    a
}

/// Sets the weights of the rule's forward action, only if they are still `from`. The rule is
/// re-read first and its other actions and settings are sent back as they are, because
/// ModifyRule and ModifyListener replace the whole action list.
pub async fn set_weights(
    elb: &Client,
    gate: &CallGate,
    route: (&str, &str, bool),
    from: &[(String, u32)],
    to: &[(String, u32)],
) -> ApiResult<()> {
    let (listener_arn, rule_arn, is_default) = route;
    let out = elb
        .describe_rules()
        .rule_arns(rule_arn)
        .send()
        .within(gate, Op::ElbDescribeRules)
        .await?;
    let rule = out
        .rules()
        .first()
        .ok_or_else(|| refused(format!("rule {rule_arn} is gone; nothing was modified")))?;
    let now = forward(rule.actions()).map(weights_of).unwrap_or_default();
    if now != from {
        return Err(refused(format!(
            "the weights changed ({} → {}); nothing was modified",
            weights_text(from),
            weights_text(&now)
        )));
    }
    let actions: Vec<Action> = rule.actions().iter().map(|a| reweighted(a, to)).collect();
    if is_default {
        elb.modify_listener()
            .listener_arn(listener_arn)
            .set_default_actions(Some(actions))
            .send()
            .within(gate, Op::ElbModifyListener)
            .await?;
    } else {
        elb.modify_rule()
            .rule_arn(rule_arn)
            .set_actions(Some(actions))
            .send()
            .within(gate, Op::ElbModifyRule)
            .await?;
    }
    Ok(())
}
