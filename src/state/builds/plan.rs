//! Planning the builds pane's actions: start a build, cancel a run, rerun its failed jobs, and
//! deploy the image a run built. Each returns the exact calls and what changes, or why not.

use crate::model::{
    ActionPlan, AwsCall, Change, Expectation, FollowUp, GitHubCall, Image, Mutation, Refusal, Run,
    Service, Verb,
};
use crate::state::builds::BuildForm;

/// The dispatch the build dialog shows.
pub fn build(s: &Service, form: &BuildForm) -> Result<ActionPlan, Refusal> {
    let w = &form.source.workflow;
    let git_ref = form.git_ref.trim();
    if git_ref.is_empty() {
        return Err(Refusal::NoCi("start a build: type a ref to build".into()));
    }
    if let crate::state::builds::Inputs::Loaded(v) = &form.inputs
        && let Some((i, _)) = v
            .iter()
            .find(|(i, val)| i.required && val.trim().is_empty())
    {
        return Err(Refusal::NoCi(format!(
            "start a build: the input {} is required",
            i.name
        )));
    }
    let m = Mutation::GitHub(GitHubCall::Dispatch {
        workflow: w.clone(),
        git_ref: git_ref.to_string(),
        inputs: form.values(),
    });
    let changes = vec![Change::new(
        format!("{} {}", w.repo, w.workflow),
        "-",
        format!("a new run at {git_ref}"),
    )];
    Ok(ActionPlan::single(s, Verb::Build, m, changes))
}

/// Cancel an unfinished run.
pub fn cancel(s: &Service, run: &Run) -> Result<ActionPlan, Refusal> {
    if !run.status.is_open() {
        return Err(Refusal::RunFinished(run.number));
    }
    let m = Mutation::GitHub(GitHubCall::CancelRun {
        repo: run.workflow.repo.clone(),
        run_id: run.id,
    });
    let changes = vec![Change::new(
        format!("run #{} of {}", run.number, run.workflow),
        &run.status,
        "cancelled",
    )];
    Ok(ActionPlan::single(s, Verb::CancelRun, m, changes))
}

/// Rerun the failed jobs of a failed run.
pub fn rerun(s: &Service, run: &Run) -> Result<ActionPlan, Refusal> {
    let failed = !run.status.is_open()
        && run
            .conclusion
            .as_ref()
            .is_some_and(crate::model::Conclusion::is_failure);
    if !failed {
        let state = run
            .conclusion
            .as_ref()
            .map_or(run.status.to_string(), ToString::to_string);
        return Err(Refusal::RunNotFailed(run.number, state));
    }
    let m = Mutation::GitHub(GitHubCall::RerunFailed {
        repo: run.workflow.repo.clone(),
        run_id: run.id,
    });
    let changes = vec![Change::new(
        format!("run #{} of {}", run.number, run.workflow),
        format!(
            "attempt {}, {}",
            run.attempt,
            run.conclusion
                .as_ref()
                .map_or("-".into(), ToString::to_string)
        ),
        format!("attempt {}: its failed jobs again", run.attempt + 1),
    )];
    Ok(ActionPlan::single(s, Verb::Rerun, m, changes))
}

/// The image `s` runs now, when the images list knows it.
fn current_image<'a>(s: &Service, repository: &str, images: &'a [Image]) -> Option<&'a Image> {
    images
        .iter()
        .find(|i| i.repository == repository && i.tags.contains(&s.image_tag))
}

/// Deploy `image` to `s`: register a copy of its task definition with the image pinned to the
/// digest, then move the service to the revision that returns.
pub fn deploy(s: &Service, image: &Image, images: &[Image]) -> Result<ActionPlan, Refusal> {
    let current = current_image(s, &image.repository, images);
    if current.is_some_and(|c| c.digest == image.digest) {
        return Err(Refusal::AlreadyDeployed {
            service: s.name.clone(),
            digest: image.short_digest().to_string(),
        });
    }
    let register = Mutation::Aws(AwsCall::RegisterTaskDefinition {
        from: s.task_def.clone(),
        repository: image.repository.clone(),
        digest: image.digest.clone(),
    });
    let tag = image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| "<untagged>".into());
    let from_image = match current {
        Some(c) => format!("{} ({})", s.image_tag, c.short_digest()),
        None => format!("{} (digest not in the images list)", s.image_tag),
    };
    let changes = vec![
        Change::new(
            "image",
            from_image,
            format!("{tag} ({})", image.short_digest()),
        ),
        Change::new(
            "task definition",
            &s.task_def,
            format!(
                "registers a new revision of {} from {}",
                s.task_def.family, s.task_def
            ),
        ),
    ];
    // A CODE_DEPLOY service moves through a CodeDeploy deployment, never UpdateService.
    let (mutation, changes) = match crate::state::actions::codedeploy::of(s) {
        Some(cd) => crate::state::actions::codedeploy::deploy_registered(s, cd?, changes),
        None => (
            Mutation::Aws(AwsCall::UpdateServiceToRegistered {
                from: s.task_def.clone(),
            }),
            changes,
        ),
    };
    let mut out = ActionPlan::single(s, Verb::Deploy, register, changes);
    out.then.push(FollowUp {
        service: s.key(),
        mutation,
        expect: Expectation::of(s),
        after_stable: false,
    });
    Ok(out)
}

/// Where an image can be deployed: the services built by the run's workflow (or running the
/// image's repository), each followed by its paired canary.
pub fn deploy_targets<'a>(first: &[&'a Service], all: &'a [Service]) -> Vec<&'a Service> {
    let mut out: Vec<&Service> = Vec::new();
    for s in first {
        let canary = crate::model::pair_of(s, all)
            .filter(|(p, _)| p.key() == s.key())
            .map(|(_, c)| c);
        for t in std::iter::once(*s).chain(canary) {
            if !out.iter().any(|o| o.key() == t.key()) {
                out.push(t);
            }
        }
    }
    out
}
