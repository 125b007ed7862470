//! The console's own actions, read back from its audit records (the local file and the
//! team's CloudWatch Logs group): who did what, why, and the state it was decided on.

use crate::model::At;
use serde_json::Value;

/// One audit record of an action's outcome (an `after` or `refused` record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: At,
    /// after or refused (before-records only say an action was about to be sent).
    pub phase: String,
    /// The OS user, then the AWS caller.
    pub user: String,
    pub caller: String,
    pub context: String,
    pub cluster: String,
    pub service: String,
    pub action: String,
    pub call: String,
    /// `what: from → to`.
    pub changes: Vec<String>,
    /// The dialog's notes: why the plan chose what it did, the owner's consequence, the commits.
    pub notes: Vec<String>,
    /// The service as it stood when the user agreed.
    pub state_before: Vec<String>,
    /// `ok`, the error, or why it was refused.
    pub result: String,
}

impl AuditRecord {
    /// A record of an action's outcome, read from one JSON line; None for a before-record or a
    /// line that is not an audit record.
    pub fn parse(line: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(line.trim()).ok()?;
        let phase = text(&v["phase"]);
        if phase != "after" && phase != "refused" {
            return None;
        }
        let at = At(chrono::DateTime::parse_from_rfc3339(v["time"].as_str()?)
            .ok()?
            .timestamp_millis());
        Some(Self {
            at,
            phase,
            user: text(&v["user"]),
            caller: text(&v["aws_caller"]),
            context: text(&v["context"]),
            cluster: text(&v["cluster"]),
            service: text(&v["service"]),
            action: text(&v["action"]),
            call: text(&v["call"]),
            changes: list(&v["changes"], |c| {
                format!(
                    "{}: {} → {}",
                    text(&c["what"]),
                    text(&c["from"]),
                    text(&c["to"])
                )
            }),
            notes: list(&v["notes"], text),
            state_before: state_before(&v["state_before"]),
            result: result(&v["outcome"]),
        })
    }

    /// The same record read twice (the local file and the team's group): same time, service,
    /// call and phase.
    pub fn same_as(&self, other: &AuditRecord) -> bool {
        self.at == other.at
            && self.service == other.service
            && self.call == other.call
            && self.phase == other.phase
    }

    pub fn ok(&self) -> bool {
        self.result == "ok"
    }

    /// Every string cleaned: a record read back is text from a file, as anything from outside.
    pub fn clean_strings(&mut self) {
        use crate::model::Clean;
        for s in [
            &mut self.phase,
            &mut self.user,
            &mut self.caller,
            &mut self.context,
            &mut self.cluster,
            &mut self.service,
            &mut self.action,
            &mut self.call,
            &mut self.result,
        ] {
            s.clean();
        }
        self.changes.clean();
        self.notes.clean();
        self.state_before.clean();
    }

    /// `alice (arn:aws:iam::1:user/alice)`.
    pub fn who(&self) -> String {
        match (self.user.is_empty(), self.caller.is_empty()) {
            (false, false) => format!("{} ({})", self.user, self.caller),
            (false, true) => self.user.clone(),
            (true, _) => self.caller.clone(),
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(v: &Value, f: impl Fn(&Value) -> String) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(f).collect())
        .unwrap_or_default()
}

fn state_before(v: &Value) -> Vec<String> {
    let Some(o) = v.as_object() else {
        return Vec::new();
    };
    o.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{}: {}", k.replace('_', " "), text(v)))
        .collect()
}

fn result(outcome: &Value) -> String {
    if let Some(r) = outcome.get("result") {
        return text(r);
    }
    if let Some(e) = outcome.get("error") {
        return format!("failed: {}", text(e));
    }
    if let Some(r) = outcome.get("refused") {
        return format!("refused: {}", list(r, text).join("; "));
    }
    text(outcome)
}

/// Records are kept and compared at most this many per timeline.
pub const RECORDS_KEPT: usize = 2_000;

/// The records of `cluster/service` between `from` and `until`, the team's merged in without
/// repeating the local ones, oldest first.
pub fn merge(
    local: Vec<AuditRecord>,
    team: Vec<AuditRecord>,
    key: (&str, &str),
    span: (At, At),
) -> Vec<AuditRecord> {
    let mine = |r: &AuditRecord| {
        r.cluster == key.0 && r.service == key.1 && r.at >= span.0 && r.at <= span.1
    };
    let mut out: Vec<AuditRecord> = local.into_iter().filter(mine).collect();
    for r in team.into_iter().filter(mine) {
        if !out.iter().any(|o| o.same_as(&r)) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.at);
    if out.len() > RECORDS_KEPT {
        out.drain(..out.len() - RECORDS_KEPT);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{At, Ms};

    const LINE: &str = r#"{"time":"2026-03-01T12:00:05.000Z","phase":"after","user":"alice","aws_caller":"arn:aws:iam::1:user/alice","context":"prod","cluster":"prod-core","service":"payments","action":"scale","call":"ecs:UpdateService(desiredCount=6)","changes":[{"what":"desired count","from":"4","to":"6"}],"notes":["stack payments-prod owns this service"],"state_before":{"desired":4,"hook":null},"outcome":{"result":"ok"}}"#;

    #[test]
    fn an_after_record_reads_back_with_who_and_why() {
        let r = AuditRecord::parse(LINE).unwrap();
        assert_eq!(r.at, At(1_772_366_405_000));
        assert_eq!(r.who(), "alice (arn:aws:iam::1:user/alice)");
        assert_eq!(r.changes, ["desired count: 4 → 6"]);
        assert_eq!(r.notes, ["stack payments-prod owns this service"]);
        assert_eq!(r.state_before, ["desired: 4"]);
        assert!(r.ok());
        assert!(AuditRecord::parse(&LINE.replace("\"after\"", "\"before\"")).is_none());
        assert!(AuditRecord::parse("not json").is_none());
    }

    #[test]
    fn the_teams_copy_of_a_local_record_is_not_repeated() {
        let r = AuditRecord::parse(LINE).unwrap();
        let mut other = r.clone();
        other.at += Ms(1000);
        let merged = merge(
            vec![r.clone()],
            vec![r.clone(), other],
            ("prod-core", "payments"),
            (At(0), At(i64::MAX)),
        );
        assert_eq!(merged.len(), 2);
        let none = merge(vec![r], vec![], ("prod-core", "api"), (At(0), At(i64::MAX)));
        assert!(none.is_empty());
    }
}
