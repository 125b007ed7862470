//! Which alarms belong to which service. An alarm is linked through what it watches: the
//! alarms a service's deployments watch, the metric's dimensions (`ServiceName`/`ClusterName`,
//! `TargetGroup`, `LoadBalancer`), a composite alarm's children; and only when none of these
//! links it, through its name (`payments-5xx-rate` belongs to `payments`) or the service's tag
//! `deckwatch:alarms`.

use crate::model::{Alarm, AlarmKind, Service, ServiceKey};
use std::collections::HashMap;

/// Why an alarm is shown with a service, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkReason {
    /// The service's deployments watch it (`deploymentConfiguration.alarms`).
    Watched,
    /// The service's tag `deckwatch:alarms` names it.
    Tagged,
    /// Its metric's `ServiceName` (and `ClusterName`) are the service's.
    Dimensions,
    /// Its metric is on one of the service's target groups.
    TargetGroup,
    /// Its metric is on a whole load balancer one of the service's target groups is behind.
    LoadBalancer,
    /// A composite alarm whose rule names an alarm of the service.
    Composite,
    /// Nothing else links it, but its name starts with the service's.
    Name,
}

impl LinkReason {
    pub fn text(self) -> &'static str {
        match self {
            LinkReason::Watched => "watched by the deployment",
            LinkReason::Tagged => "named by the service's tag",
            LinkReason::Dimensions => "service metric",
            LinkReason::TargetGroup => "target group metric",
            LinkReason::LoadBalancer => "load balancer metric",
            LinkReason::Composite => "composite of its alarms",
            LinkReason::Name => "by name",
        }
    }
}

/// One alarm of a service, by its name (an alarm's name is its identity in an account and
/// region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmLink {
    pub alarm: String,
    /// Where the alarm was in the list the links were made from: only a hint for finding it
    /// again quickly, always checked against the name (`find_linked`).
    pub at: usize,
    pub reason: LinkReason,
}

/// The alarm `link` names, in `alarms`: at the place the link remembers when the list is the
/// one the link was made from, else wherever it is now; None once it is gone.
pub fn find_linked<'a>(alarms: &'a [Alarm], link: &AlarmLink) -> Option<&'a Alarm> {
    match alarms.get(link.at) {
        Some(a) if a.name == link.alarm => Some(a),
        Some(_) | None => alarms.iter().find(|a| a.name == link.alarm),
    }
}

/// The tag naming a service's alarms: `deckwatch:alarms = name, other-name, prefix-*`.
pub const ALARMS_TAG: &str = "deckwatch:alarms";

/// `targetgroup/NAME/ID`: the `TargetGroup` dimension of a target group ARN.
pub fn target_group_dimension(arn: &str) -> &str {
    arn.find("targetgroup/").map_or(arn, |at| &arn[at..])
}

/// `app/NAME/ID`: the `LoadBalancer` dimension of a load balancer ARN.
pub fn load_balancer_dimension(arn: &str) -> &str {
    arn.split_once(":loadbalancer/")
        .map_or(arn, |(_, tail)| tail)
}

/// The services each alarm dimension value points at.
#[derive(Default)]
struct Index<'a> {
    by_key: HashMap<(&'a str, &'a str), usize>,
    by_name: HashMap<&'a str, Vec<usize>>,
    by_target_group: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(services: &'a [Service]) -> Self {
        let mut ix = Index::default();
        for (i, s) in services.iter().enumerate() {
            ix.by_key.insert((&s.cluster, &s.name), i);
            ix.by_name.entry(&s.name).or_default().push(i);
            for tg in s.target_groups.iter().chain(&s.alternate_target_groups) {
                let dim = target_group_dimension(tg);
                ix.by_target_group.entry(dim).or_default().push(i);
            }
        }
        ix
    }

    /// The services an alarm's metric dimensions point at, with why.
    fn by_dimensions(&self, a: &Alarm) -> Vec<(usize, LinkReason)> {
        let Some(m) = &a.spec.metric else {
            return Vec::new();
        };
        if let Some(name) = m.dimension("ServiceName") {
            let found: Vec<usize> = match m.dimension("ClusterName") {
                Some(c) => self.by_key.get(&(c, name)).copied().into_iter().collect(),
                None => self.by_name.get(name).cloned().unwrap_or_default(),
            };
            return tag(found, LinkReason::Dimensions);
        }
        if let Some(tg) = m.dimension("TargetGroup") {
            let found = self.by_target_group.get(tg).into_iter().flatten().copied();
            return tag(found.collect(), LinkReason::TargetGroup);
        }
        if m.dimension("LoadBalancer").is_some() {
            let mut found: Vec<usize> = a
                .spec
                .behind_load_balancer
                .iter()
                .flat_map(|tg| self.by_target_group.get(target_group_dimension(tg)))
                .flatten()
                .copied()
                .collect();
            found.sort_unstable();
            found.dedup();
            return tag(found, LinkReason::LoadBalancer);
        }
        Vec::new()
    }

    /// The services whose name an alarm's name starts with, at a separator; the longest such
    /// name wins, so `search-canary-5xx` is search-canary's and not search's.
    fn by_name(&self, alarm: &str) -> Vec<usize> {
        let cuts = alarm
            .char_indices()
            .filter(|(_, c)| matches!(c, '-' | '_' | '.' | ':' | '/' | ' '))
            .map(|(i, _)| i)
            .chain(std::iter::once(alarm.len()));
        let mut best: Option<&Vec<usize>> = None;
        for cut in cuts {
            if let Some(found) = self.by_name.get(&alarm[..cut]) {
                best = Some(found);
            }
        }
        best.cloned().unwrap_or_default()
    }
}

fn tag(found: Vec<usize>, reason: LinkReason) -> Vec<(usize, LinkReason)> {
    found.into_iter().map(|i| (i, reason)).collect()
}

/// Does a `deckwatch:alarms` entry name this alarm? `prefix-*` names every alarm starting so.
fn pattern_matches(pattern: &str, alarm: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => alarm.starts_with(prefix),
        None => pattern == alarm,
    }
}

/// The links made so far: per service the alarms (by index) with why, and which services
/// each alarm reached.
struct Linker {
    of_service: Vec<Vec<(usize, LinkReason)>>,
    reached: Vec<Vec<usize>>,
}

impl Linker {
    /// Links alarm `ai` to service `si`, keeping the strongest reason.
    fn add(&mut self, si: usize, ai: usize, reason: LinkReason) {
        let l = &mut self.of_service[si];
        match l.iter_mut().find(|(x, _)| *x == ai) {
            Some((_, r)) if reason < *r => *r = reason,
            Some(_) => {}
            None => {
                l.push((ai, reason));
                self.reached[ai].push(si);
            }
        }
    }
}

/// The alarms the services' deployments watch, and those their tag names.
fn by_service_config(
    links: &mut Linker,
    services: &[Service],
    alarms: &[Alarm],
    by_name: &HashMap<&str, usize>,
) {
    for (si, s) in services.iter().enumerate() {
        for name in &s.watched_alarms {
            if let Some(&ai) = by_name.get(name.as_str()) {
                links.add(si, ai, LinkReason::Watched);
            }
        }
        for pattern in &s.alarm_tags {
            for (ai, a) in alarms.iter().enumerate() {
                if pattern_matches(pattern, &a.name) {
                    links.add(si, ai, LinkReason::Tagged);
                }
            }
        }
    }
}

/// A composite alarm goes with the services its children reached.
fn by_children(links: &mut Linker, alarms: &[Alarm], by_name: &HashMap<&str, usize>) {
    let mut found = Vec::new();
    for (ai, a) in alarms.iter().enumerate() {
        if a.kind != AlarmKind::Composite {
            continue;
        }
        for child in a.children() {
            if let Some(&ci) = by_name.get(child.as_str()) {
                found.extend(links.reached[ci].iter().map(|&si| (si, ai)));
            }
        }
    }
    for (si, ai) in found {
        links.add(si, ai, LinkReason::Composite);
    }
}

/// Each service's alarms, with why each is linked.
pub type Links = HashMap<ServiceKey, Vec<AlarmLink>>;

/// The alarms of every service, strongest reason first, then by the alarms' order. One pass
/// over each list with indexes, so a fleet of thousands costs milliseconds, not a product.
pub fn link_alarms(services: &[Service], alarms: &[Alarm]) -> Links {
    let ix = Index::new(services);
    let mut links = Linker {
        of_service: vec![Vec::new(); services.len()],
        reached: vec![Vec::new(); alarms.len()],
    };
    let by_name: HashMap<&str, usize> = alarms
        .iter()
        .enumerate()
        .map(|(i, a)| (a.name.as_str(), i))
        .collect();
    by_service_config(&mut links, services, alarms, &by_name);
    for (ai, a) in alarms.iter().enumerate() {
        for (si, reason) in ix.by_dimensions(a) {
            links.add(si, ai, reason);
        }
    }
    by_children(&mut links, alarms, &by_name);
    // Only what nothing else linked goes by its name.
    for (ai, a) in alarms.iter().enumerate() {
        if links.reached[ai].is_empty() {
            for si in ix.by_name(&a.name) {
                links.add(si, ai, LinkReason::Name);
            }
        }
    }
    services
        .iter()
        .zip(links.of_service)
        .filter(|(_, l)| !l.is_empty())
        .map(|(s, mut l)| {
            l.sort_by_key(|&(at, reason)| (reason, at));
            let named = l.into_iter().map(|(at, reason)| AlarmLink {
                alarm: alarms[at].name.clone(),
                at,
                reason,
            });
            (s.key(), named.collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;
    use crate::model::{AlarmSpec, AlarmState, MetricSpec};

    fn alarm(name: &str, dims: &[(&str, &str)]) -> Alarm {
        Alarm {
            name: name.into(),
            kind: AlarmKind::Metric,
            state: AlarmState::Alarm,
            reason: String::new(),
            updated_at: At(0),
            spec: AlarmSpec {
                metric: (!dims.is_empty()).then(|| MetricSpec {
                    dimensions: dims
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        }
    }

    fn names(
        links: &HashMap<ServiceKey, Vec<AlarmLink>>,
        cluster: &str,
        name: &str,
    ) -> Vec<(String, LinkReason)> {
        let key = ServiceKey {
            cluster: cluster.into(),
            name: name.into(),
        };
        links
            .get(&key)
            .into_iter()
            .flatten()
            .map(|l| (l.alarm.clone(), l.reason))
            .collect()
    }

    #[test]
    fn alarms_link_by_dimensions_then_composites_then_names() {
        let mut services = crate::demo::seed::world(At(0)).services();
        let web = services.iter_mut().find(|s| s.name == "web").unwrap();
        web.watched_alarms = vec!["web-deploy-guard".into()];
        web.alarm_tags = vec!["edge-*".into()];
        let pay = services.iter().find(|s| s.name == "payments").unwrap();
        let pay_tg = target_group_dimension(&pay.target_groups[0]).to_string();
        let alarms = vec![
            alarm(
                "cpu",
                &[("ClusterName", "prod-core"), ("ServiceName", "api")],
            ),
            alarm(
                "errors",
                &[("TargetGroup", &pay_tg), ("LoadBalancer", "app/x/1")],
            ),
            alarm("api-anything", &[("ServiceName", "api")]),
            alarm("search-canary-latency", &[]),
            alarm("web-deploy-guard", &[("QueueName", "q")]),
            alarm("edge-5xx", &[]),
            alarm("orphan", &[("DBInstanceIdentifier", "db")]),
            Alarm {
                spec: AlarmSpec {
                    behind_load_balancer: vec![pay.target_groups[0].clone()],
                    ..alarm("lb", &[("LoadBalancer", "app/x/1")]).spec
                },
                ..alarm("lb-5xx", &[])
            },
            Alarm {
                kind: AlarmKind::Composite,
                spec: AlarmSpec {
                    rule: Some(r#"ALARM("errors") OR ALARM("nope")"#.into()),
                    ..Default::default()
                },
                ..alarm("payments-health", &[])
            },
        ];
        let links = link_alarms(&services, &alarms);
        use LinkReason::*;
        assert_eq!(
            names(&links, "prod-core", "api"),
            [
                ("cpu".into(), Dimensions),
                ("api-anything".into(), Dimensions)
            ]
        );
        // Without ClusterName, every api is meant.
        assert_eq!(
            names(&links, "staging", "api"),
            [("api-anything".into(), Dimensions)]
        );
        assert_eq!(
            names(&links, "prod-core", "payments"),
            [
                ("errors".into(), TargetGroup),
                ("lb-5xx".into(), LoadBalancer),
                ("payments-health".into(), Composite)
            ]
        );
        assert_eq!(
            names(&links, "prod-core", "search-canary"),
            [("search-canary-latency".into(), Name)]
        );
        assert!(names(&links, "prod-core", "search").is_empty());
        assert_eq!(
            names(&links, "prod-core", "web"),
            [
                ("web-deploy-guard".into(), Watched),
                ("edge-5xx".into(), Tagged)
            ]
        );
        assert!(links.values().flatten().all(|l| l.alarm != "orphan"));
    }

    #[test]
    fn dimensions_come_from_arns() {
        assert_eq!(
            target_group_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/0123abcd"
            ),
            "targetgroup/web/0123abcd"
        );
        assert_eq!(
            load_balancer_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/prod/99ff"
            ),
            "app/prod/99ff"
        );
    }
}
