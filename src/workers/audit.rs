//! The audit log: one JSON line before every mutating call and one after, so what was done to
//! production, by whom and from what state, is on record even if the process dies mid-call.
//!
//! It fails closed: when no place for the log can be found (no HOME, no passwd entry) or the
//! file cannot be written, `record` fails and the runner sends nothing. The file is 0600 in a
//! 0700 directory. With a team group configured (`audit_log_group`), every record is also kept
//! in `audit-unsent.jsonl` beside it until CloudWatch Logs has taken it, so a group that is
//! missing or unreachable loses nothing: the records go when it answers again. Each record
//! names the context it was made in (`RecordContext`), and goes to that context's group,
//! through that context's backend, whatever context is on screen when it is sent.

use crate::files::owner_only;
use crate::model::{ActionPlan, ContextInfo};
use crate::workers::os_user::OsUser;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why there is no audit log when no place for it could be found.
pub const NO_LOCATION: &str = "no place for the audit log: HOME is not set and the user has no \
     home directory (set HOME or XDG_DATA_HOME)";

/// The file of records not yet shipped to the team's group, beside the audit log.
pub const UNSENT_FILE: &str = "audit-unsent.jsonl";

/// Records sent to CloudWatch Logs in one call, at most (PutLogEvents takes 10,000).
pub const SHIP_BATCH: usize = 500;

pub struct Audit {
    path: Option<PathBuf>,
    /// A CloudWatch Logs group that also receives every record (config `audit_log_group`).
    pub remote_group: Option<String>,
    user: OsUser,
    /// Serialises writers so lines never interleave.
    lock: Mutex<()>,
    /// One shipment at a time, so no record is sent twice.
    shipping: tokio::sync::Mutex<()>,
}

/// The context a record was made in, as the record names it (`context`, `region`): its team
/// copy goes to that context's group, through that context's backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordContext {
    pub name: String,
    pub region: String,
}

/// The fields of a record that say whose it is.
#[derive(serde::Deserialize)]
struct Whose {
    context: String,
    region: String,
}

impl RecordContext {
    pub fn of(ctx: &ContextInfo) -> Self {
        Self {
            name: ctx.name.clone(),
            region: ctx.region.clone(),
        }
    }

    /// Whether `line` is a record of this context: its name, and its region (or none, when
    /// the action was planned before the region was read). A line that does not parse is
    /// nobody's: it stays in the file, never sent to the wrong account.
    pub fn owns(&self, line: &str) -> bool {
        serde_json::from_str::<Whose>(line).is_ok_and(|w| {
            w.context == self.name && (w.region == self.region || w.region.is_empty())
        })
    }
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
    /// `audit.jsonl` in the XDG data dir. `None` means no place could be found: every record
    /// then fails, and with it every action.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            remote_group: None,
            user: OsUser::current(),
            lock: Mutex::new(()),
            shipping: tokio::sync::Mutex::new(()),
        }
    }

    /// Also send every record to this CloudWatch Logs group.
    pub fn with_remote_group(mut self, group: Option<String>) -> Self {
        self.remote_group = group;
        self
    }

    /// `$XDG_DATA_HOME/deckwatch/audit.jsonl` (`~/.local/share/...`); None when neither a home
    /// directory nor an absolute `XDG_DATA_HOME` can be found.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(d) = directories::ProjectDirs::from("", "", "deckwatch") {
            return Some(d.data_dir().join("audit.jsonl"));
        }
        let data = PathBuf::from(std::env::var_os("XDG_DATA_HOME")?);
        data.is_absolute()
            .then(|| data.join("deckwatch").join("audit.jsonl"))
    }

    /// Who is at the keyboard, as the records name them.
    pub fn user_label(&self) -> String {
        self.user.label()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where records wait for the team's group.
    pub fn unsent_path(&self) -> Option<PathBuf> {
        self.path.as_ref().map(|p| p.with_file_name(UNSENT_FILE))
    }

    pub fn record(
        &self,
        phase: Phase,
        ctx: &ContextInfo,
        plan: &ActionPlan,
        outcome: Value,
    ) -> io::Result<String> {
        let line = self.line(phase, ctx, plan, outcome);
        self.append(line)
    }

    /// Writes a record of an exec session or a port forward: who (the OS user and the AWS
    /// caller), where (context, account, region), and `what` (action, cluster, service, task,
    /// container, command or ports, session id, outcome).
    pub fn record_session(
        &self,
        phase: &str,
        ctx: &ContextInfo,
        what: Value,
    ) -> io::Result<String> {
        let mut record = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "phase": phase,
            "user": self.user.label(),
            "os_user": self.user,
            "aws_caller": ctx.caller_arn,
            "context": ctx.name,
            "profile": ctx.profile,
            "region": ctx.region,
            "account": ctx.account,
        });
        if let (Some(r), Value::Object(w)) = (record.as_object_mut(), what) {
            r.extend(w);
        }
        self.append(record.to_string())
    }

    fn append(&self, line: String) -> io::Result<String> {
        let Some(path) = &self.path else {
            return Err(io::Error::other(NO_LOCATION));
        };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut f = owner_only::open_append(path)?;
        writeln!(f, "{line}")?;
        if self.remote_group.is_some()
            && let Some(unsent) = self.unsent_path()
        {
            // The local record is written: a failure here only delays the team's copy.
            if let Err(e) = owner_only::open_append(&unsent).and_then(|mut f| writeln!(f, "{line}"))
            {
                tracing::error!(error = %e, "audit record not kept for the team's group");
            }
        }
        Ok(line)
    }

    fn line(&self, phase: Phase, ctx: &ContextInfo, plan: &ActionPlan, outcome: Value) -> String {
        let mut record = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "phase": format!("{phase:?}").to_lowercase(),
            "user": self.user.label(),
            "os_user": self.user,
            "aws_caller": ctx.caller_arn,
            "context": ctx.name,
            "profile": ctx.profile,
            "region": ctx.region,
            "account": ctx.account,
            "cluster": plan.service.cluster,
            "service": plan.service.name,
            "action": plan.verb.to_string(),
            "call": plan.mutation.to_string(),
            "changes": plan.changes.iter().map(|c| json!({"what": c.what, "from": c.from, "to": c.to})).collect::<Vec<_>>(),
            // Why the plan chose what it did, what the owner does to it, the commits behind it.
            "notes": plan.notes,
            "state_before": {
                "primary_deployment": plan.expect.primary_deployment,
                "task_definition": plan.expect.task_def.to_string(),
                "desired": plan.expect.desired,
                "deployment": plan.expect.native_deployment,
                "deployment_status": plan.expect.native_status.as_ref().map(ToString::to_string),
                "hook": plan.expect.hook.as_ref().map(|(id, st)| format!("{id} {st}")),
            },
            "outcome": outcome,
        });
        // Said only when they are: who acted for the user, a promote before its soak.
        if let Some(r) = record.as_object_mut() {
            if let Some(actor) = &plan.actor {
                let by = format!("{actor} armed by {}", self.user.label());
                r.insert("actor".into(), json!(by));
            }
            if let Some(early) = &plan.early {
                r.insert("early".into(), json!(early));
            }
        }
        record.to_string()
    }

    /// The records of context `of` not yet shipped to the team's group, oldest first, at most
    /// `max`.
    pub fn unsent(&self, of: &RecordContext, max: usize) -> Vec<String> {
        let Some(path) = self.unsent_path() else {
            return Vec::new();
        };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(f) = std::fs::File::open(path) else {
            return Vec::new();
        };
        io::BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter(|l| !l.trim().is_empty() && of.owns(l))
            .take(max)
            .collect()
    }

    /// How many records of context `of` wait for the team's group.
    pub fn unsent_count(&self, of: &RecordContext) -> usize {
        self.unsent(of, usize::MAX).len()
    }

    /// Crosses the records `sent` off the unsent file: they have been shipped. Other
    /// contexts' records, and those written since, stay.
    pub fn drop_sent(&self, sent: &[String]) -> io::Result<()> {
        let Some(path) = self.unsent_path() else {
            return Ok(());
        };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut shipped: HashMap<&str, usize> = HashMap::new();
        for l in sent {
            *shipped.entry(l.as_str()).or_default() += 1;
        }
        let rest: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter(|l| match shipped.get_mut(l) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                Some(_) | None => true,
            })
            .collect();
        let mut f = owner_only::open_truncate(&path)?;
        for l in rest {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }

    /// Held while records are shipped, so two shipments never send the same record.
    pub async fn shipping(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.shipping.lock().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(context: &str, region: &str, n: u32) -> String {
        json!({"context": context, "region": region, "n": n}).to_string()
    }

    #[test]
    fn a_record_is_its_context_s_in_its_region_or_when_its_region_was_not_read() {
        let prod = RecordContext {
            name: "prod".into(),
            region: "eu-west-1".into(),
        };
        assert!(prod.owns(&line("prod", "eu-west-1", 1)));
        assert!(prod.owns(&line("prod", "", 1)));
        assert!(!prod.owns(&line("prod", "us-east-1", 1)));
        assert!(!prod.owns(&line("staging", "eu-west-1", 1)));
        assert!(!prod.owns("not json"));
    }

    #[test]
    fn crossing_off_what_was_sent_keeps_the_other_contexts_records() {
        let dir = tempfile::tempdir().unwrap();
        let audit = Audit::new(Some(dir.path().join("audit.jsonl")))
            .with_remote_group(Some("/team".into()));
        let unsent = audit.unsent_path().unwrap();
        let lines = [
            line("prod", "eu-west-1", 1),
            line("staging", "eu-west-1", 2),
            line("prod", "eu-west-1", 3),
        ];
        std::fs::write(&unsent, lines.join("\n") + "\n").unwrap();
        let prod = RecordContext {
            name: "prod".into(),
            region: "eu-west-1".into(),
        };
        let sent = audit.unsent(&prod, 10);
        assert_eq!(sent, [lines[0].clone(), lines[2].clone()]);
        audit.drop_sent(&sent).unwrap();
        assert_eq!(audit.unsent_count(&prod), 0);
        let left = std::fs::read_to_string(&unsent).unwrap();
        assert_eq!(left, format!("{}\n", lines[1]));
    }
}
