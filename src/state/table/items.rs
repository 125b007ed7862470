//! How each kind of item is identified and filtered, and the order panes show them in.

use crate::model::At;
use crate::model::timeline::Entry;
use crate::model::{Alarm, Image, Run, Service, Task};
use crate::state::table::columns::{AlarmColumn, ImageColumn, NoColumn, ServiceColumn, TaskColumn};
use crate::state::table::{TableItem, contains};
use std::cmp::Ordering;

/// Compares two floats, unknown (NaN) last.
fn by_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

impl TableItem for Service {
    fn sort_default(items: &mut [Self]) {
        sort_services(items);
    }
    fn id(&self) -> String {
        self.arn.clone()
    }
    fn is(&self, id: &str) -> bool {
        self.arn == id
    }
    type Column = ServiceColumn;
    fn cmp_by(&self, o: &Self, column: ServiceColumn) -> Ordering {
        let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
        match column {
            ServiceColumn::Name => (&self.name, &self.cluster).cmp(&(&o.name, &o.cluster)),
            ServiceColumn::Cluster => self.cluster.cmp(&o.cluster),
            ServiceColumn::Status => self.status.as_str().cmp(o.status.as_str()),
            // Short of tasks first: the ones that need a look.
            ServiceColumn::Drp => (self.running as i64 - self.desired as i64)
                .cmp(&(o.running as i64 - o.desired as i64)),
            // Moving rollouts first, then by progress.
            ServiceColumn::Rollout => (!self.in_progress(), self.max_failed_tasks() == 0)
                .cmp(&(!o.in_progress(), o.max_failed_tasks() == 0))
                .then(by_f64(self.rollout_progress(), o.rollout_progress())),
            ServiceColumn::TaskDef => (&self.task_def.family, self.task_def.revision)
                .cmp(&(&o.task_def.family, o.task_def.revision)),
            ServiceColumn::Image => self.image_tag.cmp(&o.image_tag),
            // Youngest first.
            ServiceColumn::Age => o.created_at.cmp(&self.created_at),
            ServiceColumn::Cpu => by_f64(last(&self.cpu), last(&o.cpu)),
            ServiceColumn::Mem => by_f64(last(&self.mem), last(&o.mem)),
            ServiceColumn::Cost => by_f64(
                self.cost_per_hour.unwrap_or(f64::NAN),
                o.cost_per_hour.unwrap_or(f64::NAN),
            ),
        }
    }
    fn unknown_in(&self, column: ServiceColumn) -> bool {
        column == ServiceColumn::Cost && self.cost_per_hour.is_none()
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.name, n)
            || contains(&self.cluster, n)
            || contains(&self.image_tag, n)
            || contains(self.status.as_str(), n)
            || contains(&self.task_def.to_string(), n)
            || self
                .rollout_state()
                .is_some_and(|r| contains(r.as_str(), n))
    }
}

impl TableItem for Task {
    fn sort_default(items: &mut [Self]) {
        sort_tasks(items);
    }
    fn id(&self) -> String {
        self.arn.clone()
    }
    type Column = TaskColumn;
    fn cmp_by(&self, o: &Self, column: TaskColumn) -> Ordering {
        match column {
            TaskColumn::Service => self.service.cmp(&o.service),
            TaskColumn::Cluster => self.cluster.cmp(&o.cluster),
            TaskColumn::Rev => self.task_def.revision.cmp(&o.task_def.revision),
            TaskColumn::Status => self.last_status.as_str().cmp(o.last_status.as_str()),
            TaskColumn::Health => self.health.as_str().cmp(o.health.as_str()),
            // Newest first.
            TaskColumn::Started => o.started_at.cmp(&self.started_at),
            TaskColumn::Stopped => o.stopped_at.cmp(&self.stopped_at),
            TaskColumn::Task => self.id.cmp(&o.id),
        }
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.id, n)
            || contains(&self.service, n)
            || contains(&self.cluster, n)
            || contains(&format!("r{}", self.task_def.revision), n)
            || contains(self.last_status.as_str(), n)
            || contains(self.health.as_str(), n)
            || contains(&self.stop_reason, n)
            || contains(&self.private_ip, n)
    }
}

impl TableItem for Image {
    fn sort_default(items: &mut [Self]) {
        sort_images(items);
    }
    fn id(&self) -> String {
        format!("{}@{}", self.repository, self.digest)
    }
    type Column = ImageColumn;
    fn cmp_by(&self, o: &Self, column: ImageColumn) -> Ordering {
        let worst = |i: &Image| i.findings.map(|f| (f.critical, f.high, f.medium, f.low));
        match column {
            ImageColumn::Repository => self.repository.cmp(&o.repository),
            ImageColumn::Pushed => o.pushed_at.cmp(&self.pushed_at),
            ImageColumn::Size => o.size_bytes.cmp(&self.size_bytes),
            // The most serious findings first.
            ImageColumn::Findings => worst(o).cmp(&worst(self)),
            ImageColumn::Tag => self.tags.first().cmp(&o.tags.first()),
            ImageColumn::UsedBy => o.used_by.len().cmp(&self.used_by.len()),
        }
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.repository, n)
            || self.tags.iter().any(|t| contains(t, n))
            || contains(&self.digest, n)
            || self.used_by.iter().any(|s| contains(s, n))
    }
}

impl TableItem for Alarm {
    fn sort_default(items: &mut [Self]) {
        sort_alarms(items);
    }
    fn id(&self) -> String {
        self.name.clone()
    }
    type Column = AlarmColumn;
    fn cmp_by(&self, o: &Self, column: AlarmColumn) -> Ordering {
        match column {
            AlarmColumn::State => self.state.urgency().cmp(&o.state.urgency()),
            AlarmColumn::Name => self.name.cmp(&o.name),
            AlarmColumn::Updated => o.updated_at.cmp(&self.updated_at),
            AlarmColumn::Type => (self.kind as u8).cmp(&(o.kind as u8)),
        }
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
            || contains(&self.status.words(), n)
            || self
                .conclusion
                .as_ref()
                .is_some_and(|c| contains(c.as_str(), n) || contains(&c.words(), n))
            || contains(&self.number.to_string(), n)
    }
    /// The CI worker sends runs newest first, the order the pane keeps.
    fn sort_default(_: &mut [Self]) {}
    type Column = NoColumn;
    fn cmp_by(&self, _: &Self, column: NoColumn) -> Ordering {
        match column {}
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
            std::cmp::Reverse(t.stopped_at.or(t.started_at).unwrap_or(At::MAX)),
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

/// Timeline entries keep the order the worker merged them in: newest first.
impl TableItem for Entry {
    fn sort_default(_: &mut [Self]) {}
    fn id(&self) -> String {
        format!("{}|{}|{}", self.at.millis(), self.kind.word(), self.text)
    }
    type Column = NoColumn;
    fn cmp_by(&self, _: &Self, column: NoColumn) -> Ordering {
        match column {}
    }
    fn matches(&self, n: &str) -> bool {
        contains(&self.text, n)
            || contains(&self.who, n)
            || contains(self.kind.word(), n)
            || self.detail.iter().any(|d| contains(d, n))
    }
}
