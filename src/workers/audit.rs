//! The audit log: one JSON line before every mutating call and one after, so what was done to
//! production, by whom and from what state, is on record even if the process dies mid-call.

use crate::model::{ActionPlan, ContextInfo};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Audit {
    path: Option<PathBuf>,
    /// A CloudWatch Logs group that also receives every record (config `audit_log_group`).
    pub remote_group: Option<String>,
    /// Records not yet shipped to `remote_group`.
    pending: Mutex<Vec<String>>,
    /// Serialises writers so lines never interleave.
    lock: Mutex<()>,
}

/// Where a record stands in an action's life.
#[derive(Debug, Clone, Copy)]
pub enum Phase {
    /// Written before the call leaves the process.
    Before,
    /// The call's outcome.
    After,
    /// Not called: the service changed since the dialog opened, or the console is read-only.
    Refused,
}

impl Audit {
    /// `audit.jsonl` in the XDG data dir; `None` keeps no file (tests of other things).
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            remote_group: None,
            pending: Mutex::new(Vec::new()),
            lock: Mutex::new(()),
        }
    }

    /// Also send every record to this CloudWatch Logs group.
    pub fn with_remote_group(mut self, group: Option<String>) -> Self {
        self.remote_group = group;
        self
    }

    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "deckwatch")
            .map(|d| d.data_dir().join("audit.jsonl"))
    }

    /// The records written since the last call, for shipping to `remote_group`.
    pub fn take_pending(&self) -> Vec<String> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn record(
        &self,
        phase: Phase,
        ctx: &ContextInfo,
        plan: &ActionPlan,
        outcome: Value,
    ) -> std::io::Result<String> {
        let line = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "phase": format!("{phase:?}").to_lowercase(),
            "user": std::env::var("USER").unwrap_or_default(),
            "context": ctx.name,
            "profile": ctx.profile,
            "region": ctx.region,
            "account": ctx.account,
            "cluster": plan.service.cluster,
            "service": plan.service.name,
            "action": plan.verb.to_string(),
            "call": plan.mutation.to_string(),
            "changes": plan.changes.iter().map(|(what, from, to)| json!({"what": what, "from": from, "to": to})).collect::<Vec<_>>(),
            "state_before": {
                "primary_deployment": plan.expect.primary_deployment,
                "task_definition": plan.expect.task_def.to_string(),
                "desired": plan.expect.desired,
                "deployment": plan.expect.native_deployment,
                "deployment_status": plan.expect.native_status.as_ref().map(ToString::to_string),
                "hook": plan.expect.hook.as_ref().map(|(id, st)| format!("{id} {st:?}")),
            },
            "outcome": outcome,
        })
        .to_string();
        if self.remote_group.is_some() {
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line.clone());
        }
        let Some(path) = &self.path else {
            return Ok(line);
        };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(f, "{line}")?;
        Ok(line)
    }
}
