//! GitHub's JSON answers into the model, once, at the edge: states into wire enums, every
//! string cleaned.

use crate::model::text::clean;
use crate::model::{ApiError, ApiResult, ErrorKind, Listing};
use crate::model::{At, Conclusion, Job, Run, RunStatus, Step, Workflow};
use serde_json::Value;

fn bad(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Other, format!("GitHub: unreadable {what}: {e}"))
}

pub fn json(what: &str, body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| bad(what, e))
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .map(clean)
        .unwrap_or_default()
}

fn time(v: &Value, k: &str) -> Option<At> {
    let s = v.get(k)?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| At(t.timestamp_millis()))
}

fn status(v: &Value) -> RunStatus {
    RunStatus::parse(&text(v, "status"))
}

fn conclusion(v: &Value) -> Option<Conclusion> {
    v.get("conclusion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| Conclusion::parse(&clean(s)))
}

/// One `workflow_run` object, as a run of `workflow`.
pub fn run(v: &Value, workflow: &Workflow) -> ApiResult<Run> {
    let id = v
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("workflow run", "no id"))?;
    let created_at = time(v, "created_at").unwrap_or(At::EPOCH);
    Ok(Run {
        id,
        workflow: workflow.clone(),
        name: text(v, "name"),
        number: v.get("run_number").and_then(Value::as_u64).unwrap_or(0),
        attempt: v.get("run_attempt").and_then(Value::as_u64).unwrap_or(1) as u32,
        status: status(v),
        conclusion: conclusion(v),
        branch: text(v, "head_branch"),
        head_sha: text(v, "head_sha"),
        event: text(v, "event"),
        actor: v
            .get("triggering_actor")
            .or_else(|| v.get("actor"))
            .map(|a| text(a, "login"))
            .unwrap_or_default(),
        created_at,
        started_at: time(v, "run_started_at").or(Some(created_at)),
        updated_at: time(v, "updated_at").unwrap_or(created_at),
        html_url: text(v, "html_url"),
        progress: None,
    })
}

/// The `workflow_runs` of a run list, newest first. A run that cannot be read (no `id`) is left
/// out and counted in `failed`, so one odd record never empties its workflow's list.
pub fn runs(body: &[u8], workflow: &Workflow) -> ApiResult<Listing<Run>> {
    let v = json("run list", body)?;
    let list = v
        .get("workflow_runs")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("run list", "no workflow_runs"))?;
    let mut out = Vec::with_capacity(list.len());
    let mut skipped = 0;
    for r in list {
        match run(r, workflow) {
            Ok(r) => out.push(r),
            Err(_) => skipped += 1,
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
    let failed = (skipped > 0).then(|| {
        let runs = if skipped == 1 { "run" } else { "runs" };
        ApiError::new(
            ErrorKind::Unreadable,
            format!("{skipped} {runs} without an id left out"),
        )
    });
    Ok(Listing::partial(out, failed))
}

fn step(v: &Value) -> Step {
    Step {
        number: v.get("number").and_then(Value::as_u64).unwrap_or(0) as u32,
        name: text(v, "name"),
        status: status(v),
        conclusion: conclusion(v),
        started_at: time(v, "started_at"),
        completed_at: time(v, "completed_at"),
    }
}

/// The `jobs` of a run's job list, with their steps.
pub fn jobs(body: &[u8]) -> ApiResult<Vec<Job>> {
    let v = json("job list", body)?;
    let list = v
        .get("jobs")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("job list", "no jobs"))?;
    Ok(list
        .iter()
        .map(|j| Job {
            id: j.get("id").and_then(Value::as_u64).unwrap_or(0),
            name: text(j, "name"),
            status: status(j),
            conclusion: conclusion(j),
            started_at: time(j, "started_at"),
            completed_at: time(j, "completed_at"),
            steps: j
                .get("steps")
                .and_then(Value::as_array)
                .map(|s| s.iter().map(step).collect())
                .unwrap_or_default(),
        })
        .collect())
}

/// The last `n` lines of a log, cleaned; the runner's timestamps stay.
pub fn tail(text: &[u8], n: usize) -> Vec<String> {
    let s = String::from_utf8_lossy(text);
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| clean(l))
        .collect()
}

/// `GET /repos/{repo}/compare/{base}...{head}`: the commits (oldest first), how many there
/// are in all, and how the two relate.
pub fn compare(
    body: &[u8],
    q: &crate::model::commits::CompareQuery,
) -> ApiResult<crate::model::commits::Compare> {
    use crate::model::commits::{Commit, Compare};
    let v = json("compare", body)?;
    let list = v
        .get("commits")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("compare", "no commits"))?;
    let commits = list
        .iter()
        .map(|c| {
            let commit = c.get("commit").unwrap_or(&Value::Null);
            let author = commit.get("author").unwrap_or(&Value::Null);
            let login = c
                .get("author")
                .map(|a| text(a, "login"))
                .unwrap_or_default();
            // The title is the message's first line, taken before cleaning drops the breaks.
            let message = commit.get("message").and_then(Value::as_str);
            let title = message.and_then(|m| m.lines().next()).unwrap_or_default();
            Commit {
                sha: text(c, "sha"),
                title: clean(title),
                author: if login.is_empty() {
                    text(author, "name")
                } else {
                    login
                },
                at: time(author, "date").unwrap_or(At::EPOCH),
            }
        })
        .collect::<Vec<_>>();
    let total = v
        .get("total_commits")
        .and_then(Value::as_u64)
        .map_or(commits.len() as u32, |n| n as u32);
    Ok(Compare {
        repo: q.repo.clone(),
        base: q.base.clone(),
        head: q.head.clone(),
        status: text(&v, "status"),
        commits,
        total,
        html_url: text(&v, "html_url"),
    })
}
