//! What one context's row on the fleet view says, read from its services and alarms: the rules
//! are here, so the fleet worker (for the contexts off screen) and the fleet view (for the one
//! on screen) count the same way. Only what free calls read goes in: ListServices,
//! DescribeServices, the deployments and DescribeAlarms; never a metric.

use crate::model::{Alarm, AlarmState, At, Ms, NativeStatus, RolloutState, Service, ServiceKey};
use std::cmp::Reverse;

/// Failed or rolled-back deployments are counted over this long.
pub const RECENT_MS: Ms = Ms::HOUR;

/// Services of one context kept for the fleet's search, at most: its memory stays bounded
/// however big the account is.
pub const FINDABLE: usize = 20_000;

/// One context's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub services: usize,
    /// Rollouts in flight.
    pub rolling: usize,
    /// Of those, the ones going badly: tasks failing, a rollback under way, an alarm tripped.
    pub failing: usize,
    /// PAUSE hooks waiting for a promote or an abort.
    pub hooks: usize,
    /// When the soonest waiting hook times out.
    pub hook_expires: Option<At>,
    /// Deployments failed or rolled back in the last hour.
    pub failed_recently: usize,
    /// Alarms in ALARM.
    pub firing: usize,
    /// The one service that makes the row urgent: the only hook waiting, or (with none) the
    /// only failing rollout. None when none does, or several do.
    pub focus: Option<ServiceKey>,
}

impl Figures {
    /// Where the row sorts: a hook about to time out first (the soonest first), then a
    /// failing rollout, then firing alarms, then recent failures, then rollouts; quiet last.
    pub fn urgency(&self) -> (u8, At, Reverse<usize>) {
        if let Some(at) = self.hook_expires {
            return (0, at, Reverse(self.hooks));
        }
        if self.failing > 0 {
            return (1, At(0), Reverse(self.failing));
        }
        if self.firing > 0 {
            return (2, At(0), Reverse(self.firing));
        }
        if self.failed_recently > 0 {
            return (3, At(0), Reverse(self.failed_recently));
        }
        if self.rolling > 0 {
            return (4, At(0), Reverse(self.rolling));
        }
        (5, At(0), Reverse(0))
    }

    /// Something here wants an on-call engineer: a hook waiting, a failing rollout, an alarm.
    pub fn needs_attention(&self) -> bool {
        self.hooks > 0 || self.failing > 0 || self.firing > 0
    }
}

/// The counts of one context at `now`.
pub fn figures(services: &[Service], alarms: &[Alarm], now: At) -> Figures {
    let mut f = Figures {
        services: services.len(),
        firing: alarms
            .iter()
            .filter(|a| a.state == AlarmState::Alarm)
            .count(),
        ..Figures::default()
    };
    let (mut hooked, mut failed) = (None, None);
    for s in services {
        if s.in_progress() && failing(s) {
            f.failing += 1;
            failed.get_or_insert(s);
        }
        f.rolling += usize::from(s.in_progress());
        if let Some(h) = s.native.as_ref().and_then(|n| n.waiting_hook()) {
            f.hooks += 1;
            hooked.get_or_insert(s);
            f.hook_expires = Some(f.hook_expires.map_or(h.expires_at, |e| e.min(h.expires_at)));
        }
        f.failed_recently += failed_since(s, now - RECENT_MS);
    }
    f.focus = match (f.hooks, f.failing) {
        (1, _) => hooked.map(Service::key),
        (0, 1) => failed.map(Service::key),
        _ => None,
    };
    f
}

/// A rollout in flight going badly.
fn failing(s: &Service) -> bool {
    let tasks_failing = s
        .deployments
        .iter()
        .any(|d| d.rollout_state == RolloutState::InProgress && d.failed_tasks > 0);
    let native_bad = s.native.as_ref().is_some_and(|n| {
        matches!(
            n.status,
            NativeStatus::RollbackRequested | NativeStatus::RollbackInProgress
        ) || !n.triggered_alarms.is_empty()
    });
    tasks_failing || native_bad
}

/// The service's deployments that failed or rolled back since `since`, each counted once:
/// ECS's rolling deployments by their last update, a native deployment by its start, and the
/// history the console kept by its end.
fn failed_since(s: &Service, since: At) -> usize {
    let rolling = s
        .deployments
        .iter()
        .filter(|d| d.rollout_state == RolloutState::Failed && d.updated_at >= since)
        .map(|d| d.id.as_str());
    let native = s
        .native
        .as_ref()
        .filter(|n| {
            matches!(
                n.status,
                NativeStatus::RollbackSuccessful | NativeStatus::RollbackFailed
            ) && n.started_at >= since
        })
        .map(|n| n.arn.as_str());
    let kept = s
        .history
        .iter()
        .filter(|h| h.outcome.is_bad() && h.ended_at.unwrap_or(h.started_at) >= since)
        .map(|h| h.id.as_str());
    let mut ids: Vec<&str> = rolling.chain(native).chain(kept).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// One service as the fleet's search knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Findable {
    pub cluster: String,
    pub service: String,
    /// The image tags it runs, and the one a rollout in flight brings (a commit sha, often).
    pub tags: Vec<String>,
    /// `family:revision`.
    pub revision: String,
}

impl Findable {
    pub fn of(s: &Service) -> Self {
        let mut tags = vec![s.image_tag.clone()];
        if let Some(n) = &s.native {
            tags.push(n.target.image_tag.clone());
        }
        tags.retain(|t| !t.is_empty());
        tags.dedup();
        Self {
            cluster: s.cluster.clone(),
            service: s.name.clone(),
            tags,
            revision: format!("{}:{}", s.task_def.family, s.task_def.revision),
        }
    }

    /// Whether `query` (ASCII case ignored) is in its name or revision, or in one of its image
    /// tags (so a short sha finds `sha-3e1bbd7…` and `3e1bbd7f…`).
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_ascii_lowercase();
        if q.is_empty() {
            return false;
        }
        let has = |text: &str| text.to_ascii_lowercase().contains(&q);
        has(&self.service) || has(&self.revision) || self.tags.iter().any(|t| has(t))
    }
}

/// What the search keeps of a context's services, bounded to `FINDABLE`.
pub fn findable(services: &[Service]) -> Vec<Findable> {
    services.iter().take(FINDABLE).map(Findable::of).collect()
}
