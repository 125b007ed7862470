//! Paired-service canaries: service `X` beside a canary service, and how traffic is split
//! between them, by listener-rule weights or, on one shared target group, by task ratio.

use crate::model::{Service, TargetGroupHealth, WeightedRoute};
use std::collections::HashMap;

/// The name of the primary a canary names: by the tag `deckwatch:canary-of`, or `X` of
/// `X-canary`.
fn primary_name(c: &Service) -> Option<&str> {
    c.canary_of
        .as_deref()
        .or_else(|| c.name.strip_suffix("-canary"))
}

/// Every (primary, canary) pair of `all`, in one pass over an index by cluster and name.
pub fn pairs(all: &[Service]) -> Vec<(&Service, &Service)> {
    let by_name: HashMap<(&str, &str), &Service> = all
        .iter()
        .map(|s| ((s.cluster.as_str(), s.name.as_str()), s))
        .collect();
    all.iter()
        .filter_map(|c| {
            let p = by_name.get(&(c.cluster.as_str(), primary_name(c)?))?;
            Some((*p, c))
        })
        .collect()
}

/// The (primary, canary) pair `s` belongs to: the canary names its primary by the tag
/// `deckwatch:canary-of`, or is called `X-canary` beside `X` in the same cluster.
pub fn pair_of<'a>(s: &'a Service, all: &'a [Service]) -> Option<(&'a Service, &'a Service)> {
    let find = |name: &str| {
        all.iter()
            .find(|o| o.cluster == s.cluster && o.name == name)
    };
    if let Some(p) = primary_name(s).and_then(find) {
        return Some((p, s));
    }
    all.iter()
        .find(|c| {
            c.cluster == s.cluster && c.name != s.name && primary_name(c) == Some(s.name.as_str())
        })
        .map(|c| (s, c))
}

/// The share of a pair's running tasks on the canary, in percent: the traffic split when both
/// serve one target group.
fn canary_share(primary: &Service, canary: &Service) -> f64 {
    let total = primary.running + canary.running;
    if total == 0 {
        0.0
    } else {
        canary.running as f64 * 100.0 / total as f64
    }
}

/// A pair's traffic split by a weighted listener rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairWeights<'a> {
    pub route: &'a WeightedRoute,
    /// The summed weights of the primary's and of the canary's target groups in the rule.
    pub primary: u32,
    pub canary: u32,
}

impl PairWeights<'_> {
    /// The canary's share of the pair's traffic, in percent.
    pub fn canary_percent(&self) -> f64 {
        let total = self.primary + self.canary;
        if total == 0 {
            0.0
        } else {
            self.canary as f64 * 100.0 / total as f64
        }
    }

    /// The rule's weights with all of the pair's traffic back on the primary: the canary's
    /// target groups at 0, the primary's at 100; other target groups keep theirs.
    pub fn all_on_primary(&self, p: &Service, c: &Service) -> Vec<(String, u32)> {
        self.route
            .weights
            .iter()
            .map(|(tg, w)| {
                let w = if c.target_groups.contains(tg) {
                    0
                } else if p.target_groups.contains(tg) {
                    100
                } else {
                    *w
                };
                (tg.clone(), w)
            })
            .collect()
    }
}

/// How a pair's traffic is split between primary and canary.
#[derive(Debug, Clone, PartialEq)]
pub enum Split<'a> {
    /// A listener rule forwards to both target groups by weight.
    Weights(PairWeights<'a>),
    /// Both serve one target group (or none): the split is the task ratio, in percent.
    Tasks(f64),
    /// Separate target groups, but no weighted rule is known: why.
    Unknown(String),
}

pub fn split<'a>(p: &'a Service, c: &Service) -> Split<'a> {
    let shared = p
        .target_groups
        .iter()
        .any(|tg| c.target_groups.contains(tg));
    if shared || (p.target_groups.is_empty() && c.target_groups.is_empty()) {
        return Split::Tasks(canary_share(p, c));
    }
    if let Some(e) = p.routes_error.as_ref().or(c.routes_error.as_ref()) {
        return Split::Unknown(format!("listener rules could not be read: {e}"));
    }
    let sum = |route: &WeightedRoute, s: &Service| -> Option<u32> {
        let mine: Vec<u32> = route
            .weights
            .iter()
            .filter(|(tg, _)| s.target_groups.contains(tg))
            .map(|(_, w)| *w)
            .collect();
        (!mine.is_empty()).then(|| mine.iter().sum())
    };
    p.routes
        .iter()
        .find_map(|route| {
            Some(Split::Weights(PairWeights {
                route,
                primary: sum(route, p)?,
                canary: sum(route, c)?,
            }))
        })
        .unwrap_or_else(|| {
            Split::Unknown(
                "separate target groups, and no weighted listener rule forwards to both".into(),
            )
        })
}

impl Service {
    /// The target groups whose health the rollout view shows: the service's own and, in a
    /// pair, the other service's too, since the canary's health is the point of a canary.
    pub fn targets_with_pair<'a>(
        &'a self,
        pair: Option<(&'a Service, &'a Service)>,
    ) -> impl Iterator<Item = &'a TargetGroupHealth> {
        let other = pair.map(|(p, c)| if p.key() == self.key() { c } else { p });
        let others = other.into_iter().flat_map(move |o| {
            o.targets.iter().filter(move |t| {
                !self
                    .targets
                    .iter()
                    .any(|x| x.target_group_arn == t.target_group_arn)
            })
        });
        self.targets.iter().chain(others)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;

    #[test]
    fn pairs_match_by_tag_or_name_within_one_cluster_and_agree_with_pair_of() {
        let mut all = crate::demo::seed::world(At(0)).services();
        let find = |all: &[Service], cluster: &str, name: &str| {
            all.iter()
                .find(|s| s.cluster == cluster && s.name == name)
                .cloned()
                .unwrap()
        };
        let mut tagged = find(&all, "prod-core", "worker");
        tagged.name = "worker-next".into();
        tagged.canary_of = Some("worker".into());
        // `web` lives in prod-core only: a staging web-canary has no primary.
        let mut stray = find(&all, "staging", "api");
        stray.name = "web-canary".into();
        stray.canary_of = None;
        all.extend([tagged, stray]);

        let found: Vec<String> = pairs(&all)
            .iter()
            .map(|(p, c)| format!("{}/{} > {}", p.cluster, p.name, c.name))
            .collect();
        assert_eq!(
            found,
            [
                "prod-core/search > search-canary",
                "prod-core/worker > worker-next"
            ]
        );
        for s in &all {
            let via_pairs = pairs(&all)
                .into_iter()
                .find(|(p, c)| p.key() == s.key() || c.key() == s.key())
                .map(|(p, c)| (p.key(), c.key()));
            let via_pair_of = pair_of(s, &all).map(|(p, c)| (p.key(), c.key()));
            assert_eq!(via_pairs, via_pair_of, "{}", s.key());
        }
    }
}
