//! `deckwatch audit [--since 24h] [--json]`: the local audit log (`workers::audit`), one line
//! per action: when, who, what, where and how it ended. The runner writes a record before each
//! call and one after it (or one `refused` record); here each "before" is joined to its
//! "after", so an action whose outcome was never written (the process ended mid-call) shows
//! as such. A line that is not a record is reported with its line number and skipped.

use super::{CommandError, output};
use crate::model::text::clean;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

/// One action as the log tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub at: DateTime<Utc>,
    pub record: Value,
    /// The "after" or "refused" record's outcome; None while none was written.
    pub outcome: Option<Value>,
    pub refused: bool,
}

/// Prints the actions of the last `since` from the log at `path`.
pub fn run(path: Option<&Path>, since: Duration, json: bool) -> Result<(), CommandError> {
    let Some(path) = path else {
        return Err(CommandError::Failed(
            crate::workers::audit::NO_LOCATION.into(),
        ));
    };
    let from = chrono::Duration::from_std(since)
        .ok()
        .and_then(|d| Utc::now().checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let actions = read(path, from)?;
    let text = if json {
        render_json(path, from, &actions)
    } else {
        render_text(path, from, &actions)
    };
    output::print(&text)
}

/// The actions begun at or after `from`, oldest first. A missing log has none.
pub fn read(path: &Path, from: DateTime<Utc>) -> Result<Vec<Action>, CommandError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(CommandError::Failed(format!(
                "{}: {e}",
                clean(&path.display().to_string())
            )));
        }
    };
    let origin = clean(&path.display().to_string());
    let mut actions: Vec<Action> = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let Ok(line) = line else {
            eprintln!(
                "deckwatch: warning: {origin}:{}: not UTF-8 text; skipped",
                n + 1
            );
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse(&line) {
            Some((at, record)) if at >= from => take(&mut actions, at, record),
            Some(_) => {}
            None => eprintln!(
                "deckwatch: warning: {origin}:{}: not an audit record (a JSON object with a time \
                 and a phase); skipped",
                n + 1
            ),
        }
    }
    Ok(actions)
}

fn parse(line: &str) -> Option<(DateTime<Utc>, Value)> {
    let record: Value = serde_json::from_str(line).ok()?;
    let at = DateTime::parse_from_rfc3339(record["time"].as_str()?).ok()?;
    record["phase"].as_str()?;
    Some((at.with_timezone(&Utc), record))
}

/// The same action: one place, one service, one call.
fn same_call(a: &Value, b: &Value) -> bool {
    ["context", "account", "region", "cluster", "service", "call"]
        .iter()
        .all(|k| a[k] == b[k])
}

/// Adds a record: a "before" opens an action, an "after" closes the newest open one of the
/// same call, a "refused" is an action of its own.
fn take(actions: &mut Vec<Action>, at: DateTime<Utc>, record: Value) {
    let phase = record["phase"].as_str().unwrap_or_default().to_string();
    if phase == "after"
        && let Some(open) = actions
            .iter_mut()
            .rev()
            .find(|a| a.outcome.is_none() && !a.refused && same_call(&a.record, &record))
    {
        open.outcome = Some(record["outcome"].clone());
        return;
    }
    let refused = phase == "refused";
    actions.push(Action {
        at,
        outcome: (phase != "before").then(|| record["outcome"].clone()),
        refused,
        record,
    });
}

/// A record's text field, cleaned: the file is outside text like any other.
fn field(v: &Value, key: &str) -> String {
    clean(v[key].as_str().unwrap_or_default())
}

impl Action {
    /// `ok`, `error`, `refused` or `unknown` (no outcome written).
    pub fn result(&self) -> &'static str {
        match &self.outcome {
            _ if self.refused => "refused",
            None => "unknown",
            Some(o) if o.get("error").is_some() => "error",
            Some(_) => "ok",
        }
    }

    /// What the outcome adds: the error, why it was refused, what was registered.
    pub fn detail(&self) -> String {
        let Some(o) = &self.outcome else {
            return "no outcome recorded (the call may have been cut off)".into();
        };
        let text = |v: &Value| match v {
            Value::String(s) => clean(s),
            Value::Array(items) => items
                .iter()
                .map(|i| clean(i.as_str().unwrap_or(&i.to_string())))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
            other => clean(&other.to_string()),
        };
        ["error", "refused", "registered", "run_id", "github_login"]
            .iter()
            .filter(|k| o.get(**k).is_some_and(|v| !v.is_null()))
            .map(|k| format!("{}: {}", k.replace('_', " "), text(&o[*k])))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `alice`, or `alice as arn:aws:iam::…` when the AWS caller is known.
    pub fn who(&self) -> String {
        let (user, caller) = (
            field(&self.record, "user"),
            field(&self.record, "aws_caller"),
        );
        if caller.is_empty() {
            user
        } else {
            format!("{user} as {caller}")
        }
    }

    /// `prod 123456789012 eu-west-1 prod-core/checkout`.
    pub fn place(&self) -> String {
        let r = &self.record;
        let parts = [
            field(r, "context"),
            field(r, "account"),
            field(r, "region"),
            format!("{}/{}", field(r, "cluster"), field(r, "service")),
        ];
        parts
            .into_iter()
            .filter(|p| !p.is_empty() && p != "/")
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn render_text(path: &Path, from: DateTime<Utc>, actions: &[Action]) -> String {
    let origin = clean(&path.display().to_string());
    if actions.is_empty() {
        return format!(
            "no actions in {origin} since {}\n",
            from.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    let mut rows = vec![
        ["TIME (UTC)", "WHO", "ACTION", "WHERE", "OUTCOME", "CALL"]
            .map(String::from)
            .to_vec(),
    ];
    for a in actions {
        let outcome = match a.detail() {
            d if d.is_empty() => a.result().to_string(),
            d => format!("{} ({d})", a.result()),
        };
        rows.push(vec![
            a.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            a.who(),
            field(&a.record, "action"),
            a.place(),
            outcome,
            field(&a.record, "call"),
        ]);
    }
    output::align(&rows)
}

fn render_json(path: &Path, from: DateTime<Utc>, actions: &[Action]) -> String {
    let items: Vec<Value> = actions
        .iter()
        .map(|a| {
            let r = &a.record;
            let text = |k: &str| json!(field(r, k));
            json!({
                "time": a.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "user": text("user"),
                "aws_caller": text("aws_caller"),
                "context": text("context"),
                "profile": text("profile"),
                "account": text("account"),
                "region": text("region"),
                "cluster": text("cluster"),
                "service": text("service"),
                "action": text("action"),
                "call": text("call"),
                "changes": clean_value(&r["changes"]),
                "outcome": a.result(),
                "detail": a.detail(),
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "file": clean(&path.display().to_string()),
        "since": from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "actions": items,
    });
    format!("{doc:#}\n")
}

/// A JSON value with every string in it cleaned.
fn clean_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(s)),
        Value::Array(a) => Value::Array(a.iter().map(clean_value).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (clean(k), clean_value(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: &str, phase: &str, call: &str, outcome: Value) -> String {
        json!({
            "time": time, "phase": phase, "user": "alice", "aws_caller": "arn:aws:iam::1:user/alice",
            "context": "prod", "account": "1", "region": "eu-west-1", "cluster": "core",
            "service": "web", "action": "roll back", "call": call, "changes": [], "outcome": outcome,
        })
        .to_string()
    }

    #[test]
    fn before_and_after_make_one_action_and_a_lone_before_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let lines = [
            record(
                "2026-12-01T10:00:00Z",
                "before",
                "ecs:UpdateService(a)",
                Value::Null,
            ),
            record(
                "2026-12-01T10:00:01Z",
                "after",
                "ecs:UpdateService(a)",
                json!({"result": "ok"}),
            ),
            "not json".to_string(),
            record(
                "2026-12-01T11:00:00Z",
                "refused",
                "ecs:UpdateService(b)",
                json!({"refused": ["desired 2 → 3"]}),
            ),
            record(
                "2026-12-01T12:00:00Z",
                "before",
                "ecs:UpdateService(c)",
                Value::Null,
            ),
            record(
                "2026-11-01T12:00:00Z",
                "before",
                "ecs:UpdateService(old)",
                Value::Null,
            ),
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let from = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let actions = read(&path, from).unwrap();
        let results: Vec<&str> = actions.iter().map(Action::result).collect();
        assert_eq!(results, ["ok", "refused", "unknown"]);
        assert_eq!(actions[1].detail(), "refused: desired 2 → 3");
        assert!(actions[2].detail().contains("no outcome"));
        assert_eq!(actions[0].who(), "alice as arn:aws:iam::1:user/alice");
        assert_eq!(actions[0].place(), "prod 1 eu-west-1 core/web");
        let text = render_text(&path, from, &actions);
        assert!(text.starts_with("TIME (UTC)"), "{text}");
        assert!(text.contains("2026-12-01 10:00:00  alice as"), "{text}");
        let doc: Value = serde_json::from_str(&render_json(&path, from, &actions)).unwrap();
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["actions"][0]["outcome"], "ok");
        assert_eq!(doc["actions"].as_array().unwrap().len(), 3);
    }
}
