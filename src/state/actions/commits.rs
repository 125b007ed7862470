//! The commits behind a deploy, promote or rollback: GitHub's compare between the commit of
//! the image the service runs and the target's, asked when the dialog opens. A sha that is not
//! known is said, not guessed.

use crate::model::commits::{Compare, CompareQuery, lines, sha_of_tag};
use crate::model::{ActionPlan, ApiError, Image, ImageTarget, Service, TaskDefRef, Verb, pair_of};
use crate::state::{Effect, Mode, State};
use std::collections::{HashMap, VecDeque};

/// Compares kept, at most.
const KEPT: usize = 32;

#[derive(Debug, Default)]
pub struct Commits {
    found: HashMap<CompareQuery, Result<Compare, ApiError>>,
    order: VecDeque<CompareQuery>,
    asked: Vec<CompareQuery>,
}

impl Commits {
    fn keep(&mut self, q: CompareQuery, r: Result<Compare, ApiError>) {
        if self.found.insert(q.clone(), r).is_none() {
            self.order.push_back(q);
        }
        while self.order.len() > KEPT {
            if let Some(old) = self.order.pop_front() {
                self.found.remove(&old);
                self.asked.retain(|a| *a != old);
            }
        }
    }
}

/// Which compare a plan's dialog shows, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Query(CompareQuery),
    Unknown(String),
}

/// The commit an image names: its tag's, else another tag of the same image in ECR.
fn sha_of_image(images: &[Image], repo_hint: &str, tag: &str) -> Option<String> {
    if let Some(sha) = sha_of_tag(tag) {
        return Some(sha.to_string());
    }
    images
        .iter()
        .filter(|i| i.tags.iter().any(|t| t == tag))
        .filter(|i| repo_hint.is_empty() || i.repository == repo_hint)
        .find_map(|i| {
            i.tags
                .iter()
                .find_map(|t| sha_of_tag(t))
                .map(str::to_string)
        })
}

/// `(repository, tag)` of a task definition's image, when the evidence has read it; an image
/// named by digest takes its tag from ECR.
fn image_of_taskdef(state: &State, td: &crate::model::TaskDefRef) -> Option<(String, String)> {
    let def = state.ctx.evidence.taskdef(td)?.as_ref().ok()?;
    let image = def.containers.first()?.image.as_str();
    let (name, digest) = image
        .split_once('@')
        .map_or((image, None), |(n, d)| (n, Some(d)));
    let last = name.rsplit('/').next().unwrap_or(name);
    let (repo, tag) = last
        .split_once(':')
        .map_or((last, None), |(r, t)| (r, Some(t)));
    if let Some(t) = tag {
        return Some((repo.to_string(), t.to_string()));
    }
    let d = digest?;
    let img = state.ctx.images.items.iter().find(|i| i.digest == d)?;
    Some((repo.to_string(), img.tags.first()?.clone()))
}

/// Why the commit a plan moves to is not known; the dialog says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum NoTarget {
    #[error("the image {0} has no tag naming a commit")]
    NoCommitTag(String),
    #[error("the revision promoted is not known here")]
    PromotedUnknown,
    #[error("reading {0}…")]
    Reading(TaskDefRef),
    #[error("the target revision's image is not known here")]
    Unknown,
}

/// The target image's (repository, tag or sha) a plan moves to.
fn target_tag(state: &State, plan: &ActionPlan, s: &Service) -> Result<(String, String), NoTarget> {
    let target = plan.mutation.image_target();
    match plan.verb {
        Verb::Deploy => match target {
            Some(ImageTarget::Registered { repository, digest }) => {
                let repo = repository.rsplit('/').next().unwrap_or(repository);
                state
                    .ctx
                    .images
                    .items
                    .iter()
                    .find(|i| i.digest == digest)
                    .and_then(|i| i.tags.iter().find_map(|t| sha_of_tag(t)))
                    .map(|sha| (repo.to_string(), sha.to_string()))
                    .ok_or_else(|| NoTarget::NoCommitTag(digest.to_string()))
            }
            Some(ImageTarget::TaskDef(_)) | None => Err(NoTarget::Unknown),
        },
        Verb::Promote => {
            if let Some(n) = s.native_in_progress() {
                return Ok((String::new(), n.target.image_tag.clone()));
            }
            match pair_of(s, &state.ctx.services.items) {
                Some((_, canary)) => Ok((String::new(), canary.image_tag.clone())),
                None => Err(NoTarget::PromotedUnknown),
            }
        }
        Verb::Rollback => match target {
            Some(ImageTarget::TaskDef(td)) => {
                image_of_taskdef(state, td).ok_or_else(|| NoTarget::Reading(td.clone()))
            }
            Some(ImageTarget::Registered { .. }) | None => Err(NoTarget::Unknown),
        },
        Verb::Abort
        | Verb::ForceDeploy
        | Verb::Scale
        | Verb::Build
        | Verb::CancelRun
        | Verb::Rerun
        | Verb::StopTask => Err(NoTarget::Unknown),
    }
}

/// What the dialog of `plan` compares, for the verbs that move a service to another image.
pub fn wanted_of(state: &State, plan: &ActionPlan) -> Option<Wanted> {
    if !matches!(plan.verb, Verb::Deploy | Verb::Promote | Verb::Rollback) {
        return None;
    }
    let s = state.ctx.service(&plan.service)?;
    let Some(src) = state.builds.source_of(s) else {
        return Some(Wanted::Unknown(format!(
            "no repository is known for {} (a [[build]] entry or the deckwatch:repo tag names it)",
            s.name
        )));
    };
    let images = &state.ctx.images.items;
    let (repo_hint, head_tag) = match target_tag(state, plan, s) {
        Ok(t) => t,
        Err(why) => return Some(Wanted::Unknown(why.to_string())),
    };
    let Some(base) = sha_of_image(images, &repo_hint, &s.image_tag) else {
        return Some(Wanted::Unknown(format!(
            "the running image's tag {} names no commit",
            s.image_tag
        )));
    };
    let Some(head) = sha_of_image(images, &repo_hint, &head_tag) else {
        return Some(Wanted::Unknown(format!(
            "the target image's tag {head_tag} names no commit"
        )));
    };
    Some(Wanted::Query(CompareQuery {
        repo: src.workflow.repo,
        base,
        head,
    }))
}

/// The repository and the commit of the image `plan` moves its service to, when both are
/// known (whatever the running image names): what a GitHub deployment record names.
pub fn target_commit(state: &State, plan: &ActionPlan) -> Option<(String, String)> {
    let s = state.ctx.service(&plan.service)?;
    let src = state.builds.source_of(s)?;
    let (repo_hint, head_tag) = target_tag(state, plan, s).ok()?;
    let head = sha_of_image(&state.ctx.images.items, &repo_hint, &head_tag)?;
    Some((src.workflow.repo, head))
}

/// The dialog's lines about the commits of `plan`.
pub fn dialog_lines(state: &State, plan: &ActionPlan) -> Vec<String> {
    match wanted_of(state, plan) {
        None => Vec::new(),
        Some(Wanted::Unknown(why)) => vec![format!("commits: unknown, {why}")],
        Some(Wanted::Query(q)) => match state.commits.found.get(&q) {
            Some(Ok(c)) => lines(c),
            Some(Err(e)) => vec![format!("commits: GitHub's compare could not be read: {e}")],
            None => vec![format!("commits: asking GitHub for {}…", q.repo)],
        },
    }
}

/// Asks GitHub for the compare the open dialog shows, once.
pub(crate) fn wanted(state: &mut State, effects: &mut Vec<Effect>) {
    let Mode::Confirm(plan, _) = &state.mode else {
        return;
    };
    if let Some(Wanted::Query(q)) = wanted_of(state, plan)
        && !state.commits.asked.contains(&q)
    {
        state.commits.asked.push(q.clone());
        effects.push(Effect::Compare(q));
    }
}

pub(crate) fn on_compared(state: &mut State, q: CompareQuery, r: Result<Compare, ApiError>) {
    state.commits.keep(q, r);
    state.dirty |= matches!(state.mode, Mode::Confirm(..));
}
