//! What the last refreshes read, so the next one asks only what changed: each cluster's
//! service list as ListServices gave it last, and each service's row with when it was read.
//! A refresh reads the services that are new, named by an event, moving, or due in the
//! rotation (which reads every service again within `ServicesAsk::cover`); each
//! DescribeServices call is filled up to its 10 services with the longest unread ones, which
//! costs nothing more.

use crate::cloud::ServicesAsk;
use crate::cloud::aws::services::DESCRIBE_BATCH;
use crate::model::{Service, ServiceKey};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A service read before.
#[derive(Debug, Clone)]
pub struct Entry {
    pub row: Service,
    /// The images its task definitions name (what `images()` joins on).
    pub images: Vec<String>,
    pub read_at: Instant,
}

#[derive(Debug, Default)]
struct ClusterKnown {
    /// The service ARNs as listed last, in list order.
    arns: Vec<String>,
    entries: HashMap<String, Entry>,
    /// Services the rotation owes: grows with time, spent by reading.
    credit: f64,
    rotated_at: Option<Instant>,
}

/// What one cluster's refresh reads: the services to describe (ARNs, or names of services
/// events announced that were never listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub describe: Vec<String>,
}

/// Whether a service is on the move: a rollout, or tasks starting or stopping.
pub fn moves(s: &Service) -> bool {
    s.in_progress() || !s.is_stable()
}

#[derive(Debug, Default)]
pub struct Known {
    clusters: Mutex<HashMap<String, ClusterKnown>>,
    /// A whole refresh has been read: the first load is over (a cluster forgotten after a
    /// failure does not make the next refresh a first load again).
    loaded: std::sync::atomic::AtomicBool,
    /// When a focus service's target health was read last, by ARN; cleared when the focus
    /// changes, so a service coming into view is read at once.
    health: Mutex<(Vec<ServiceKey>, HashMap<String, Instant>)>,
}

impl Known {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ClusterKnown>> {
        self.clusters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Nothing read yet: the first load.
    pub fn first_load(&self) -> bool {
        !self.loaded.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The first load is over, whatever it brought.
    pub fn loaded(&self) {
        self.loaded
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the cluster's list was read before.
    pub fn has(&self, cluster: &str) -> bool {
        self.lock().contains_key(cluster)
    }

    /// What to read of `cluster` now. `listed` is its fresh service list, when it was read.
    pub fn plan(
        &self,
        cluster: &str,
        listed: Option<Vec<String>>,
        ask: &ServicesAsk,
        now: Instant,
    ) -> Plan {
        let mut all = self.lock();
        let k = all.entry(cluster.to_string()).or_default();
        if let Some(arns) = listed {
            let listed: HashSet<&String> = arns.iter().collect();
            k.entries.retain(|arn, _| listed.contains(arn));
            k.arns = arns;
        }
        let mut describe = Vec::new();
        let mut rest = Vec::new();
        for arn in &k.arns {
            match k.entries.get(arn) {
                Some(e) if !wanted_now(e, cluster, ask) => rest.push((e.read_at, arn.clone())),
                _ => describe.push(arn.clone()),
            }
        }
        describe.extend(announced(k, cluster, ask));
        rest.sort();
        let due = if ask.rotate {
            k.due(rest.len(), ask.cover, now)
        } else {
            0
        };
        let fill = (describe.len() + due).next_multiple_of(DESCRIBE_BATCH) - describe.len();
        let taken = fill.min(rest.len());
        if ask.rotate {
            k.credit -= taken as f64;
        }
        describe.extend(rest.into_iter().take(taken).map(|(_, arn)| arn));
        Plan { describe }
    }

    /// Keeps what was read of `cluster` (`read`, with the names or ARNs asked in `asked`) and
    /// returns the cluster's rows in list order.
    pub fn store(
        &self,
        cluster: &str,
        asked: &[String],
        read: Vec<Entry>,
        now: Instant,
    ) -> Vec<Service> {
        let mut all = self.lock();
        let k = all.entry(cluster.to_string()).or_default();
        let found: HashSet<&str> = read.iter().map(|e| e.row.name.as_str()).collect();
        // Asked for and not found: gone (an event named a deleted service).
        let gone: HashSet<&String> = asked
            .iter()
            .filter(|a| !found.contains(crate::cloud::aws::parse::last_segment(a)))
            .collect();
        k.arns.retain(|a| !gone.contains(a));
        k.entries.retain(|a, _| !gone.contains(a));
        let mut listed: HashSet<String> = k.arns.iter().cloned().collect();
        for mut e in read {
            e.read_at = now;
            let arn = e.row.arn.clone();
            // A service announced by name before it was listed joins the list's end.
            if listed.insert(arn.clone()) {
                k.arns.push(arn.clone());
            }
            k.entries.insert(arn, e);
        }
        k.arns
            .iter()
            .filter_map(|a| k.entries.get(a))
            .map(|e| e.row.clone())
            .collect()
    }

    /// The rows of a cluster as read last, without a call.
    pub fn rows(&self, cluster: &str) -> Vec<Service> {
        let all = self.lock();
        all.get(cluster).map_or_else(Vec::new, |k| {
            k.arns
                .iter()
                .filter_map(|a| k.entries.get(a))
                .map(|e| e.row.clone())
                .collect()
        })
    }

    /// The images of every service read, for `images()`.
    pub fn images(&self) -> Vec<crate::cloud::aws::images::ServiceImages> {
        let all = self.lock();
        all.values()
            .flat_map(|k| k.entries.values())
            .map(|e| crate::cloud::aws::images::ServiceImages {
                service: e.row.name.clone(),
                images: e.images.clone(),
            })
            .collect()
    }

    /// The previous entry of a service, by ARN.
    pub fn entry(&self, cluster: &str, arn: &str) -> Option<Entry> {
        self.lock().get(cluster)?.entries.get(arn).cloned()
    }

    /// Forgets a cluster (it could not be read, or is gone).
    pub fn forget(&self, cluster: &str) {
        self.lock().remove(cluster);
    }

    /// Whether the target health of focus service `arn` is due: never read for this focus,
    /// or read `every` ago while it moves. Marks it read when due.
    pub fn health_due(
        &self,
        focus: &[ServiceKey],
        s: &Service,
        every: Duration,
        now: Instant,
    ) -> bool {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        if h.0 != focus {
            *h = (focus.to_vec(), HashMap::new());
        }
        let due = match h.1.get(&s.arn) {
            None => true,
            Some(at) => moves(s) && now.saturating_duration_since(*at) >= every,
        };
        if due {
            h.1.insert(s.arn.clone(), now);
        }
        due
    }
}

impl ClusterKnown {
    /// How many of the `stable` services the rotation reads now: a share of them for the time
    /// since it last ran, so every one is read within `cover`.
    fn due(&mut self, stable: usize, cover: Duration, now: Instant) -> usize {
        let elapsed = self
            .rotated_at
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.rotated_at = Some(now);
        if cover.is_zero() {
            self.credit = 0.0;
            return stable;
        }
        let owed = stable as f64 * elapsed.as_secs_f64() / cover.as_secs_f64();
        // Never owe more than a whole round: a long pause does not make a storm.
        self.credit = (self.credit + owed).min(stable as f64);
        (self.credit.max(0.0).floor() as usize).min(stable)
    }
}

/// Read now whatever the rotation says: named by an event, moving, or on the screen's focus
/// while it moves.
fn wanted_now(e: &Entry, cluster: &str, ask: &ServicesAsk) -> bool {
    let key = ServiceKey {
        cluster: cluster.to_string(),
        name: e.row.name.clone(),
    };
    ask.changed.iter().any(|r| r.names(&key)) || (ask.moving && moves(&e.row))
}

/// Services events named in `cluster` that its list does not hold (created since it was
/// read): described by name.
fn announced(k: &ClusterKnown, cluster: &str, ask: &ServicesAsk) -> Vec<String> {
    let mut names: Vec<String> = ask
        .changed
        .iter()
        .filter(|r| r.cluster.as_deref() == Some(cluster))
        .filter(|r| !k.entries.values().any(|e| e.row.name == r.name))
        .map(|r| r.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests;
