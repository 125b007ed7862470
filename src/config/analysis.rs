//! `[analysis]`: the thresholds of the canary verdict, with `[analysis.service.NAME]` over
//! them for one service. Every key is optional: what is not set keeps the documented default
//! (`model::verdict::Rule::default`).

use crate::model::verdict::{Analysis, Policy, Rule};
use serde::Deserialize;
use std::collections::HashMap;

/// What `on_pass` may say.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnPass {
    /// Promote (ContinueServiceDeployment, or CodeDeploy's ContinueDeployment).
    Continue,
}

/// What `on_fail` may say.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnFail {
    /// Abort (answer the hook with a rollback, or stop the deployment).
    Abort,
}

/// `[[policy]]`: what the console may do for one service's rollout once `:arm` armed it.
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The service: its name, or `cluster/name`.
    pub service: String,
    /// `"continue"`: promote once PASS has held `pass_minutes` and the soak is over.
    pub on_pass: Option<OnPass>,
    /// `"abort"`: abort after `fails_to_abort` FAIL reads in a row.
    pub on_fail: Option<OnFail>,
}

impl PolicyConfig {
    pub fn policy(&self) -> Policy {
        Policy {
            service: self.service.trim().to_string(),
            on_pass_continue: self.on_pass == Some(OnPass::Continue),
            on_fail_abort: self.on_fail == Some(OnFail::Abort),
        }
    }
}

/// The thresholds one table sets.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Requests each side needs in the window before a verdict (default 100).
    pub min_requests: Option<u32>,
    /// The canary fails when its 5xx rate is over primary × error_ratio + error_points
    /// (default 2).
    pub error_ratio: Option<f64>,
    /// Percentage points added to the primary's 5xx rate × error_ratio (default 0.5).
    pub error_points: Option<f64>,
    /// The canary fails when its p99 is over primary × p99_ratio + p99_slack_ms (default 1.5).
    pub p99_ratio: Option<f64>,
    /// Milliseconds added to the primary's p99 × p99_ratio (default 50).
    pub p99_slack_ms: Option<f64>,
    /// FAIL reads of distinct minutes in a row before an armed policy aborts (default 3).
    pub fails_to_abort: Option<u32>,
    /// Minutes PASS must hold before an armed policy continues (default 5).
    pub pass_minutes: Option<u32>,
    /// Minutes a canary soaks before a promote is on time (default: the deployment's bake).
    pub soak_minutes: Option<u32>,
}

/// `[analysis]`: the thresholds for every service, and per service over them.
#[derive(Debug, Clone, Deserialize, PartialEq, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Requests each side needs in the window before a verdict (default 100).
    pub min_requests: Option<u32>,
    /// The canary fails when its 5xx rate is over primary × error_ratio + error_points
    /// (default 2).
    pub error_ratio: Option<f64>,
    /// Percentage points added to the primary's 5xx rate × error_ratio (default 0.5).
    pub error_points: Option<f64>,
    /// The canary fails when its p99 is over primary × p99_ratio + p99_slack_ms (default 1.5).
    pub p99_ratio: Option<f64>,
    /// Milliseconds added to the primary's p99 × p99_ratio (default 50).
    pub p99_slack_ms: Option<f64>,
    /// FAIL reads of distinct minutes in a row before an armed policy aborts (default 3).
    pub fails_to_abort: Option<u32>,
    /// Minutes PASS must hold before an armed policy continues (default 5).
    pub pass_minutes: Option<u32>,
    /// Minutes a canary soaks before a promote is on time (default: the deployment's bake).
    pub soak_minutes: Option<u32>,
    /// `[analysis.service.NAME]`: one service's thresholds, over the ones above.
    #[serde(default)]
    pub service: HashMap<String, RuleConfig>,
}

impl RuleConfig {
    /// `base` with what this table sets.
    pub fn over(&self, base: Rule) -> Rule {
        Rule {
            min_requests: self.min_requests.unwrap_or(base.min_requests),
            error_ratio: self.error_ratio.unwrap_or(base.error_ratio),
            error_points: self.error_points.unwrap_or(base.error_points),
            p99_ratio: self.p99_ratio.unwrap_or(base.p99_ratio),
            p99_slack_ms: self.p99_slack_ms.unwrap_or(base.p99_slack_ms),
            fails_to_abort: self.fails_to_abort.unwrap_or(base.fails_to_abort),
            pass_minutes: self.pass_minutes.unwrap_or(base.pass_minutes),
            soak_minutes: self.soak_minutes.or(base.soak_minutes),
        }
    }

    /// What is wrong with a value, naming its key.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let ratios = [
            ("error_ratio", self.error_ratio),
            ("p99_ratio", self.p99_ratio),
        ];
        for (key, v) in ratios {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 1.0)) {
                return Some((key, format!("{key} = {v}: a ratio must be at least 1")));
            }
        }
        let slacks = [
            ("error_points", self.error_points),
            ("p99_slack_ms", self.p99_slack_ms),
        ];
        for (key, v) in slacks {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Some((key, format!("{key} = {v}: must be 0 or more")));
            }
        }
        let counts = [
            ("min_requests", self.min_requests),
            ("fails_to_abort", self.fails_to_abort),
        ];
        counts
            .into_iter()
            .find(|(_, v)| *v == Some(0))
            .map(|(key, _)| (key, format!("{key} = 0: must be at least 1")))
    }
}

impl AnalysisConfig {
    /// The top table's thresholds as a `RuleConfig`.
    pub fn top(&self) -> RuleConfig {
        RuleConfig {
            min_requests: self.min_requests,
            error_ratio: self.error_ratio,
            error_points: self.error_points,
            p99_ratio: self.p99_ratio,
            p99_slack_ms: self.p99_slack_ms,
            fails_to_abort: self.fails_to_abort,
            pass_minutes: self.pass_minutes,
            soak_minutes: self.soak_minutes,
        }
    }

    /// The rules the reducer judges by, with the policies it may arm.
    pub fn analysis(&self, policies: &[PolicyConfig]) -> Analysis {
        let rule = self.top().over(Rule::default());
        let services = self
            .service
            .iter()
            .map(|(name, r)| (name.trim().to_string(), r.over(rule)))
            .collect();
        Analysis {
            rule,
            services,
            policies: policies.iter().map(PolicyConfig::policy).collect(),
        }
    }
}
