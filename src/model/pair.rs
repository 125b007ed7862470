//! Paired-service canaries: service `X` beside a canary service, and how traffic is split
//! between them, by listener-rule weights or, on one shared target group, by task ratio.

use super::{Service, WeightedRoute};

/// The (primary, canary) pair `s` belongs to: the canary names its primary by the tag
/// `deckwatch:canary-of`, or is called `X-canary` beside `X` in the same cluster.
pub fn pair_of<'a>(s: &'a Service, all: &'a [Service]) -> Option<(&'a Service, &'a Service)> {
    let primary_name = |c: &Service| -> Option<String> {
        c.canary_of
            .clone()
            .or_else(|| c.name.strip_suffix("-canary").map(str::to_string))
    };
    let find = |name: &str| {
        all.iter()
            .find(|o| o.cluster == s.cluster && o.name == name)
    };
    if let Some(p) = primary_name(s).and_then(|n| find(&n)) {
        return Some((p, s));
    }
    all.iter()
        .find(|c| {
            c.cluster == s.cluster
                && c.name != s.name
                && primary_name(c).as_deref() == Some(s.name.as_str())
        })
        .map(|c| (s, c))
}

/// The share of a pair's running tasks on the canary, in percent: the traffic split when both
/// serve one target group.
pub fn canary_share(primary: &Service, canary: &Service) -> f64 {
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
