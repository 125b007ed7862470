//! How each kind of item is identified and filtered, and the order panes show them in.

use super::table::{TableItem, contains};
use crate::model::{Alarm, Image, Run, Service, Task};

impl TableItem for Service {
    fn id(&self) -> String {
        self.arn.clone()
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.name, n)
            || contains(&self.cluster, n)
            || contains(&self.image_tag, n)
            || contains(self.status.as_str(), n)
            || self
                .rollout_state()
                .is_some_and(|r| contains(r.as_str(), n))
    }
}

impl TableItem for Task {
    fn id(&self) -> String {
        self.arn.clone()
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.id, n)
            || contains(&self.service, n)
            || contains(self.last_status.as_str(), n)
            || contains(self.health.as_str(), n)
            || contains(&self.stop_reason, n)
            || contains(&self.private_ip, n)
    }
}

impl TableItem for Image {
    fn id(&self) -> String {
        format!("{}@{}", self.repository, self.digest)
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.repository, n)
            || self.tags.iter().any(|t| contains(t, n))
            || contains(&self.digest, n)
            || self.used_by.iter().any(|s| contains(s, n))
    }
}

impl TableItem for Alarm {
    fn id(&self) -> String {
        self.name.clone()
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.name, n) || contains(self.state.as_str(), n) || contains(&self.reason, n)
    }
}

impl TableItem for Run {
    fn id(&self) -> String {
        format!("{}#{}", self.workflow.repo, self.id)
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.workflow.repo, n)
            || contains(&self.workflow.workflow, n)
            || contains(&self.branch, n)
            || contains(&self.head_sha, n)
            || contains(&self.actor, n)
            || contains(&self.event, n)
            || contains(self.status.as_str(), n)
            || self
                .conclusion
                .as_ref()
                .is_some_and(|c| contains(c.as_str(), n))
            || contains(&self.number.to_string(), n)
    }
}

pub fn sort_services(v: &mut [Service]) {
    v.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
}

/// Running tasks first, newest first; then stopped ones, most recently stopped first.
pub fn sort_tasks(v: &mut [Task]) {
    v.sort_by_key(|t| {
        (
            t.last_status.is_stopped(),
            std::cmp::Reverse(t.stopped_at.or(t.started_at).unwrap_or(i64::MAX)),
            t.id.clone(),
        )
    });
}

/// By repository, newest push first.
pub fn sort_images(v: &mut [Image]) {
    v.sort_by(|a, b| {
        a.repository
            .cmp(&b.repository)
            .then(b.pushed_at.cmp(&a.pushed_at))
    });
}

/// Firing alarms first, then unknown, then OK; by name within each.
pub fn sort_alarms(v: &mut [Alarm]) {
    v.sort_by(|a, b| (a.state.urgency().cmp(&b.state.urgency())).then(a.name.cmp(&b.name)));
}
