//! `deckwatch status`: the services read once, through the same backend, API budget and
//! cleaning as the console (`cloud::Fleet`), with their deployment history and the alarms
//! that belong to them (`model::history`, `model::link_alarms`). `status_view` writes it.

use super::verdict::{self, Judgement, Known};
use super::{CommandError, StatusArgs, output, status_view};
use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::ErrorKind;
use crate::model::verdict::Analysis;
use crate::model::{Alarm, AlarmLink, At, ContextInfo, Service, ServiceKey, history, link_alarms};
use crate::timing::now_ms;
use std::collections::HashMap;

/// What one read of the fleet found.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub context: ContextInfo,
    pub read_at: At,
    /// In the order the backend listed them, each with its deployment history.
    pub services: Vec<Service>,
    pub alarms: Vec<Alarm>,
    pub links: HashMap<ServiceKey, Vec<AlarmLink>>,
    /// What could not be read (a cluster, the alarms), said beside what could.
    pub problems: Vec<String>,
    /// The verdict on each service with a rollout in flight (`judge`).
    pub verdicts: HashMap<ServiceKey, Judgement>,
}

impl Snapshot {
    /// The alarms of `s` that fire now, by name.
    pub fn firing(&self, s: &Service) -> Vec<&Alarm> {
        self.links
            .get(&s.key())
            .into_iter()
            .flatten()
            .filter_map(|l| crate::model::find_linked(&self.alarms, l))
            .filter(|a| a.state == crate::model::AlarmState::Alarm)
            .collect()
    }
}

/// Reads the fleet once, judges the rollouts in flight by `analysis`, and prints it.
pub async fn run(
    fleet: &dyn Fleet,
    args: &StatusArgs,
    analysis: &Analysis,
) -> Result<(), CommandError> {
    let mut snap = read(fleet, args.service.as_deref()).await?;
    let now = snap.read_at;
    judge(fleet, &mut snap, analysis, now).await;
    for p in &snap.problems {
        eprintln!("deckwatch: warning: {}", crate::model::text::clean(p));
    }
    let text = if args.json {
        status_view::json(&snap)
    } else {
        status_view::text(&snap)
    };
    output::print(&text)
}

/// The context, the services (only `service` when given) and the alarms, at the priority of
/// a pane on screen.
pub async fn read(fleet: &dyn Fleet, service: Option<&str>) -> Result<Snapshot, CommandError> {
    with_priority(Priority::Visible, read_now(fleet, service)).await
}

async fn read_now(fleet: &dyn Fleet, service: Option<&str>) -> Result<Snapshot, CommandError> {
    let context = fleet.context().await?;
    let listing = fleet.services_listing(&|_, _, _| {}).await?;
    let mut problems: Vec<String> = listing.failed.iter().map(ToString::to_string).collect();
    let mut services = listing.items;
    if let Some(name) = service {
        let key = find(&services, name)?.key();
        services.retain(|s| s.key() == key);
    }
    let alarms = match fleet.alarms_listing().await {
        Ok(l) => {
            problems.extend(l.failed.iter().map(|e| format!("alarms: {e}")));
            l.items
        }
        Err(e) if e.kind == ErrorKind::Credentials => return Err(e.into()),
        Err(e) => {
            problems.push(format!("alarms not read: {e}"));
            Vec::new()
        }
    };
    let read_at = now_ms();
    let listed = native_histories(fleet, &services, service.is_some(), &mut problems).await;
    history::carry(&[], &mut services, &listed, read_at);
    let links = link_alarms(&services, &alarms);
    Ok(Snapshot {
        context,
        read_at,
        services,
        alarms,
        links,
        problems,
        verdicts: HashMap::new(),
    })
}

/// The verdict on each service of `snap` with a rollout in flight, read at `now` (each
/// service's own rule), at the priority of a pane on screen.
pub async fn judge(fleet: &dyn Fleet, snap: &mut Snapshot, analysis: &Analysis, now: At) {
    let known = Known {
        services: &snap.services,
        alarms: &snap.alarms,
        links: &snap.links,
    };
    let mut verdicts = HashMap::new();
    for s in &snap.services {
        let rule = analysis.rule_for(&s.name);
        let read = verdict::read(fleet, s, known, rule, now);
        if let Some(j) = with_priority(Priority::Visible, read).await {
            verdicts.insert(s.key(), j);
        }
    }
    snap.verdicts = verdicts;
}

/// The earlier native deployments of one service asked for by name (`ListServiceDeployments`):
/// the console reads them only for the rollout on screen, and so does status, for one service.
async fn native_histories(
    fleet: &dyn Fleet,
    services: &[Service],
    one: bool,
    problems: &mut Vec<String>,
) -> history::Listed {
    let mut listed = history::Listed::new();
    for s in services.iter().filter(|s| one && s.strategy.is_native()) {
        match fleet.deployment_history(&s.key()).await {
            Ok(h) => {
                listed.insert(s.key(), h);
            }
            Err(e) => problems.push(format!("{}: earlier deployments not read: {e}", s.key())),
        }
    }
    listed
}

/// The service `name` names: `NAME`, or `CLUSTER/NAME` when several clusters have one.
pub fn find<'a>(services: &'a [Service], name: &str) -> Result<&'a Service, CommandError> {
    let (cluster, short) = match name.split_once('/') {
        Some((c, n)) => (Some(c), n),
        None => (None, name),
    };
    let matches: Vec<&Service> = services
        .iter()
        .filter(|s| s.name == short && cluster.is_none_or(|c| s.cluster == c))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            let clusters: Vec<&str> = {
                let mut c: Vec<&str> = services.iter().map(|s| s.cluster.as_str()).collect();
                c.sort_unstable();
                c.dedup();
                c
            };
            Err(CommandError::BadArgument(format!(
                "no service named {:?} in {} (clusters read: {})",
                crate::model::text::clean(name),
                if clusters.len() == 1 {
                    "the cluster"
                } else {
                    "the clusters"
                },
                if clusters.is_empty() {
                    "none".into()
                } else {
                    clusters.join(", ")
                }
            )))
        }
        many => {
            let which: Vec<String> = many.iter().map(|s| s.key().to_string()).collect();
            Err(CommandError::BadArgument(format!(
                "{short:?} is in several clusters: name one of {}",
                which.join(", ")
            )))
        }
    }
}
