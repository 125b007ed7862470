//! The demo's GitHub compare and deployment records: the commits between two built commits
//! of a repository are the runs' commits between them, each with a change or two before it.

use crate::demo::builds::SimDeployment;
use crate::demo::world::World;
use crate::model::commits::{Commit, Compare, CompareQuery};
use crate::model::{ApiError, ApiResult, At, ErrorKind, Ms};

const TITLES: [&str; 6] = [
    "Tighten the retry budget of the payment client",
    "Bump the base image",
    "Log the request id on every error",
    "Read the API key from the secret store",
    "Drop an unused feature flag",
    "Cache the exchange rates for a minute",
];
const AUTHORS: [&str; 3] = ["mara", "devi", "olek"];

fn not_found(what: String) -> ApiError {
    ApiError::new(ErrorKind::Other, format!("not found (404): {what}"))
}

/// When the run of `repo` whose commit starts with `sha` was created.
fn built_at(w: &World, repo: &str, sha: &str) -> Option<(At, String)> {
    w.builds
        .runs
        .iter()
        .find(|r| r.workflow.repo == repo && r.sha.starts_with(sha))
        .map(|r| (r.created_at, r.sha.clone()))
}

pub fn compare(w: &World, q: &CompareQuery) -> ApiResult<Compare> {
    let (base_at, _) =
        built_at(w, &q.repo, &q.base).ok_or_else(|| not_found(format!("commit {}", q.base)))?;
    let (head_at, _) =
        built_at(w, &q.repo, &q.head).ok_or_else(|| not_found(format!("commit {}", q.head)))?;
    let (lo, hi) = (base_at.min(head_at), base_at.max(head_at));
    let mut runs: Vec<_> = w
        .builds
        .runs
        .iter()
        .filter(|r| r.workflow.repo == q.repo && r.created_at > lo && r.created_at <= hi)
        .collect();
    runs.sort_by_key(|r| r.created_at);
    runs.dedup_by(|a, b| a.sha == b.sha);
    let mut commits = Vec::new();
    for r in runs {
        let n = (r.id as usize) % TITLES.len();
        commits.push(Commit {
            sha: crate::demo::rng::hex_of(&format!("{} before", r.sha), 40),
            title: TITLES[(n + 3) % TITLES.len()].into(),
            author: AUTHORS[(n + 1) % AUTHORS.len()].into(),
            at: r.created_at - Ms::mins(20),
        });
        commits.push(Commit {
            sha: r.sha.clone(),
            title: TITLES[n].into(),
            author: AUTHORS[n % AUTHORS.len()].into(),
            at: r.created_at - Ms::MINUTE,
        });
    }
    let status = if base_at == head_at {
        "identical"
    } else if head_at > base_at {
        "ahead"
    } else {
        "behind"
    };
    Ok(Compare {
        repo: q.repo.clone(),
        base: q.base.clone(),
        head: q.head.clone(),
        status: status.into(),
        total: commits.len() as u32,
        html_url: format!(
            "https://github.com/{}/compare/{}...{}",
            q.repo, q.base, q.head
        ),
        commits,
    })
}

/// A deployment record; its id.
pub fn create(w: &mut World, repo: &str, sha: &str, environment: &str) -> u64 {
    let id = 9_000 + w.builds.deployments.len() as u64;
    w.builds.deployments.push(SimDeployment {
        id,
        repo: repo.into(),
        sha: sha.into(),
        environment: environment.into(),
        statuses: Vec::new(),
    });
    id
}

pub fn status(w: &mut World, id: u64, state: &str) -> ApiResult<()> {
    let d = w
        .builds
        .deployments
        .iter_mut()
        .find(|d| d.id == id)
        .ok_or_else(|| not_found(format!("deployment {id}")))?;
    d.statuses.push(state.into());
    Ok(())
}
