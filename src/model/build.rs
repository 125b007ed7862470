//! Builds: GitHub Actions workflow runs, their jobs and steps, the workflow's dispatch inputs,
//! which workflow builds which service, and how a run joins the image it pushed.

use crate::model::wire::wire_enum;
use crate::model::{At, Image, Ms, ServiceKey};
use std::fmt;

wire_enum!(
    /// `workflow_run.status` (and a job's or step's).
    RunStatus {
        Queued = "queued",
        InProgress = "in_progress",
        Completed = "completed",
        Waiting = "waiting",
        Requested = "requested",
        Pending = "pending",
    }
);

impl RunStatus {
    /// Not finished: worth polling for.
    pub fn is_open(&self) -> bool {
        *self != RunStatus::Completed
    }
}

wire_enum!(
    /// `workflow_run.conclusion`, once completed.
    Conclusion {
        Success = "success",
        Failure = "failure",
        Cancelled = "cancelled",
        Skipped = "skipped",
        TimedOut = "timed_out",
        ActionRequired = "action_required",
        Neutral = "neutral",
        Stale = "stale",
        StartupFailure = "startup_failure",
    }
);

impl Conclusion {
    /// A run or job that ended badly: its failed jobs can be rerun.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Conclusion::Failure | Conclusion::TimedOut | Conclusion::StartupFailure
        )
    }
}

/// One workflow of one repository, as the mapping names it: a file name (`build.yml`) or a
/// numeric id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Workflow {
    /// `owner/name`.
    pub repo: String,
    pub workflow: String,
}

impl fmt::Display for Workflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.repo, self.workflow)
    }
}

/// Which workflow builds a service: the config's `[[build]]` or the service's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSource {
    pub workflow: Workflow,
    /// The ref the dialog starts with.
    pub git_ref: String,
}

/// The tags a service may carry instead of a `[[build]]` entry.
pub const TAG_REPO: &str = "deckwatch:repo";
pub const TAG_WORKFLOW: &str = "deckwatch:workflow";
pub const TAG_REF: &str = "deckwatch:ref";

/// A service's build tags that name no workflow GitHub could have: the service says which tag
/// and why, and nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tag {tag} = {value:?}: {why}")]
pub struct BadBuildTag {
    pub tag: &'static str,
    pub value: String,
    pub why: super::github_names::NameError,
}

impl BuildSource {
    /// From a service's tags: repo and workflow are needed (None without either); the ref
    /// defaults to `main`. Err names the tag whose value GitHub could not have given.
    pub fn from_tags<'a>(
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<Result<Self, BadBuildTag>> {
        let (mut repo, mut workflow, mut git_ref) = (None, None, None);
        for (k, v) in tags {
            match k {
                TAG_REPO => repo = Some(v.trim().to_string()),
                TAG_WORKFLOW => workflow = Some(v.trim().to_string()),
                TAG_REF => git_ref = Some(v.trim().to_string()),
                _ => {}
            }
        }
        let (repo, workflow) = (repo?, workflow?);
        let bad = |tag, value: &str, why| BadBuildTag {
            tag,
            value: super::text::clean(value),
            why,
        };
        if let Err(why) = super::github_names::split_repo(&repo) {
            return Some(Err(bad(TAG_REPO, &repo, why)));
        }
        if let Err(why) = super::github_names::check_workflow(&workflow) {
            return Some(Err(bad(TAG_WORKFLOW, &workflow, why)));
        }
        Some(Ok(Self {
            workflow: Workflow { repo, workflow },
            git_ref: git_ref
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "main".into()),
        }))
    }
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub number: u32,
    pub name: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub started_at: Option<At>,
    pub completed_at: Option<At>,
}

/// One job of a run, with its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub name: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub started_at: Option<At>,
    pub completed_at: Option<At>,
    pub steps: Vec<Step>,
}

impl Job {
    /// The first step that failed, if one did.
    pub fn failed_step(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.conclusion.as_ref().is_some_and(Conclusion::is_failure))
    }

    pub fn failed(&self) -> bool {
        self.conclusion.as_ref().is_some_and(Conclusion::is_failure)
    }
}

/// How a job or step ended, for the bar: it ran to its end, or it never ran (skipped or
/// cancelled), or it has not ended.
fn ran(status: &RunStatus, conclusion: Option<&Conclusion>) -> Option<bool> {
    if status.is_open() {
        return None;
    }
    Some(!matches!(
        conclusion,
        Some(Conclusion::Skipped | Conclusion::Cancelled)
    ))
}

/// Jobs and steps that ran to their end, and those skipped or cancelled, of how many: the
/// builds pane's bar. A skipped job is not done: a failed run whose later jobs were skipped
/// shows how little of it ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub jobs_done: u32,
    pub jobs_skipped: u32,
    pub jobs: u32,
    pub steps_done: u32,
    pub steps_skipped: u32,
    pub steps: u32,
}

impl Progress {
    pub fn of(jobs: &[Job]) -> Self {
        let mut p = Progress::default();
        for j in jobs {
            p.jobs += 1;
            match ran(&j.status, j.conclusion.as_ref()) {
                Some(true) => p.jobs_done += 1,
                Some(false) => p.jobs_skipped += 1,
                None => {}
            }
            for s in &j.steps {
                p.steps += 1;
                match ran(&s.status, s.conclusion.as_ref()) {
                    Some(true) => p.steps_done += 1,
                    Some(false) => p.steps_skipped += 1,
                    None => {}
                }
            }
        }
        p
    }

    /// Steps done over steps, else jobs done over jobs; 0 when nothing is known.
    pub fn fraction(&self) -> f64 {
        self.share(self.steps_done, self.jobs_done)
    }

    /// Steps (else jobs) skipped or cancelled, as a share of all.
    pub fn skipped_fraction(&self) -> f64 {
        self.share(self.steps_skipped, self.jobs_skipped)
    }

    fn share(&self, steps: u32, jobs: u32) -> f64 {
        match (self.steps, self.jobs) {
            (s @ 1.., _) => f64::from(steps) / f64::from(s),
            (0, j @ 1..) => f64::from(jobs) / f64::from(j),
            _ => 0.0,
        }
    }
}

/// One workflow run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: u64,
    /// The mapped workflow it belongs to.
    pub workflow: Workflow,
    /// The workflow's display name.
    pub name: String,
    pub number: u64,
    pub attempt: u32,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub branch: String,
    pub head_sha: String,
    pub event: String,
    pub actor: String,
    pub created_at: At,
    /// `run_started_at`: when this attempt started.
    pub started_at: Option<At>,
    pub updated_at: At,
    pub html_url: String,
    /// Jobs and steps done, when the jobs were read.
    pub progress: Option<Progress>,
}

/// Identifies a run across refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunRef {
    pub repo: String,
    pub id: u64,
}

impl Run {
    pub fn key(&self) -> RunRef {
        RunRef {
            repo: self.workflow.repo.clone(),
            id: self.id,
        }
    }

    /// The commit's first 7 characters: GitHub's short sha.
    pub fn short_sha(&self) -> &str {
        crate::model::text::first_chars(&self.head_sha, 7)
    }

    /// How long it ran (to `now` while it runs); None before it started.
    pub fn duration(&self, now: At) -> Option<Ms> {
        let start = self.started_at?;
        let end = if self.status.is_open() {
            now
        } else {
            self.updated_at
        };
        Some(end.since(start))
    }

    pub fn succeeded(&self) -> bool {
        self.conclusion == Some(Conclusion::Success)
    }

    /// The images of `images` this run pushed: tagged with its commit (see [`tag_names_sha`]).
    pub fn images<'a>(&self, images: &'a [Image]) -> impl Iterator<Item = &'a Image> {
        let sha = self.head_sha.clone();
        images
            .iter()
            .filter(move |i| i.tags.iter().any(|t| tag_names_sha(t, &sha)))
    }
}

/// A tag names commit `sha` when it is the full sha or a prefix of it of at least 7 hex digits,
/// alone or after the `sha-` or `git-` that common tagging actions put in front.
pub fn tag_names_sha(tag: &str, sha: &str) -> bool {
    let hex = tag
        .strip_prefix("sha-")
        .or_else(|| tag.strip_prefix("git-"))
        .unwrap_or(tag);
    hex.len() >= 7
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        // `get`, not an index: a sha from outside may hold a character that `hex.len()` cuts.
        && sha
            .get(..hex.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(hex))
}

/// The tail of a failed job's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTail {
    pub job_id: u64,
    pub job: String,
    pub lines: Vec<String>,
}

/// What the run detail shows: the jobs with their steps, and the failing job's log tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDetail {
    pub run: RunRef,
    pub jobs: Vec<Job>,
    pub log: Option<LogTail>,
}

/// A `workflow_dispatch` input's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    String,
    Choice(Vec<String>),
    Boolean,
    Number,
    Environment,
}

impl InputKind {
    pub fn label(&self) -> &'static str {
        match self {
            InputKind::String => "string",
            InputKind::Choice(_) => "choice",
            InputKind::Boolean => "boolean",
            InputKind::Number => "number",
            InputKind::Environment => "environment",
        }
    }
}

/// One input of a workflow's `workflow_dispatch`, with the value the dialog will send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowInput {
    pub name: String,
    pub description: String,
    pub kind: InputKind,
    pub default: String,
    pub required: bool,
}

/// The last rate-limit headers GitHub sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// When the window resets (unix ms).
    pub reset_at: At,
}

impl RateInfo {
    /// Low enough to show: under a tenth of the limit.
    pub fn is_low(&self) -> bool {
        self.remaining.saturating_mul(10) < self.limit
    }
}

/// The builds a service maps to, paired with the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildTarget {
    pub service: ServiceKey,
    pub source: BuildSource,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_a_commit_by_full_sha_or_a_long_enough_prefix() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert!(tag_names_sha(sha, sha));
        assert!(tag_names_sha("0123456", sha));
        assert!(tag_names_sha("sha-0123456789", sha));
        assert!(tag_names_sha("git-0123456", sha));
        assert!(!tag_names_sha("012345", sha), "six digits are too few");
        assert!(!tag_names_sha("v1.2.0", sha));
        assert!(!tag_names_sha("1123456", sha));
    }

    #[test]
    fn a_sha_with_a_character_that_is_not_ascii_names_no_image_and_does_not_panic() {
        // The seventh byte falls inside `é`: cutting the sha by bytes would panic.
        let sha = "abcdefé0123456789";
        assert!(!tag_names_sha("abcdef0", sha));
        assert!(!tag_names_sha("sha-abcdef01", "ééééééééé"));
        assert!(tag_names_sha("abcdef0", "abcdef0é"));
        assert_eq!(crate::model::text::first_chars("ééééééééé", 7), "ééééééé");
        assert_eq!(crate::model::text::first_chars("abc", 7), "abc");
    }

    #[test]
    fn skipped_and_cancelled_jobs_and_steps_are_not_done() {
        let step = |n, c: &str| Step {
            number: n,
            name: format!("s{n}"),
            status: RunStatus::Completed,
            conclusion: Some(Conclusion::parse(c)),
            started_at: None,
            completed_at: None,
        };
        let job = |c: &str, steps: Vec<Step>| Job {
            id: 1,
            name: "j".into(),
            status: RunStatus::Completed,
            conclusion: Some(Conclusion::parse(c)),
            started_at: None,
            completed_at: None,
            steps,
        };
        let jobs = [
            job(
                "failure",
                vec![step(1, "success"), step(2, "failure"), step(3, "skipped")],
            ),
            job("skipped", vec![step(1, "skipped")]),
            job("cancelled", vec![]),
        ];
        let p = Progress::of(&jobs);
        assert_eq!((p.jobs_done, p.jobs_skipped, p.jobs), (1, 2, 3));
        assert_eq!((p.steps_done, p.steps_skipped, p.steps), (2, 2, 4));
        assert!((p.fraction() - 0.5).abs() < 1e-9);
        assert!((p.skipped_fraction() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_source_needs_repo_and_workflow_tags() {
        let s = BuildSource::from_tags([(TAG_REPO, "acme/api"), (TAG_WORKFLOW, "build.yml")]);
        assert_eq!(s.map(|s| s.unwrap().git_ref), Some("main".to_string()));
        assert!(BuildSource::from_tags([(TAG_REPO, "acme/api")]).is_none());
        let e = BuildSource::from_tags([(TAG_REPO, "api"), (TAG_WORKFLOW, "b.yml")]);
        assert_eq!(e.unwrap().unwrap_err().tag, TAG_REPO);
    }

    #[test]
    fn a_repo_tag_that_is_a_path_is_named_not_used() {
        let injected = "acme/checkout/actions/runs/8001/cancel?x=";
        let e = BuildSource::from_tags([(TAG_REPO, injected), (TAG_WORKFLOW, "build.yml")])
            .unwrap()
            .unwrap_err();
        assert_eq!((e.tag, e.value.as_str()), (TAG_REPO, injected));
        assert_eq!(
            e.to_string(),
            format!("tag deckwatch:repo = {injected:?}: {injected:?} is not owner/name")
        );
        let e = BuildSource::from_tags([(TAG_REPO, "acme/api"), (TAG_WORKFLOW, "../../x")])
            .unwrap()
            .unwrap_err();
        assert_eq!(e.tag, TAG_WORKFLOW);
    }
}
