//! GitHub deployment records (`[github] deployments = true`): a deploy or promote of an image
//! built by a known run gets three more calls in its dialog, sent by the same runner with the
//! same audit: a Deployment of the run's commit to the context's environment, its status
//! `in_progress`, then `success` once the service is stable.

use crate::model::{ActionPlan, FollowUp, GitHubCall, Mutation, Verb};
use crate::state::actions::commits::target_commit;
use crate::state::{Mode, State};

fn is_record(f: &FollowUp) -> bool {
    matches!(
        f.mutation,
        Mutation::GitHub(GitHubCall::CreateDeployment { .. })
    )
}

/// The calls that record `plan` on GitHub, when it moves a service to an image a known run
/// built; none otherwise.
pub fn follow_ups(state: &State, plan: &ActionPlan) -> Vec<FollowUp> {
    if !state.github_deployments || !matches!(plan.verb, Verb::Deploy | Verb::Promote) {
        return Vec::new();
    }
    // Only the target's commit matters: the running image may name none.
    let Some((repo, head)) = target_commit(state, plan) else {
        return Vec::new();
    };
    let run = state
        .builds
        .runs
        .items
        .iter()
        .find(|r| r.workflow.repo == repo && r.head_sha.starts_with(&head));
    let Some(run) = run else {
        return Vec::new();
    };
    let description = format!("deckwatch: {} {}", plan.verb, plan.service);
    let call = |m: GitHubCall, after_stable: bool| FollowUp {
        service: plan.service.clone(),
        mutation: Mutation::GitHub(m),
        expect: plan.expect.clone(),
        after_stable,
    };
    let status = |state: &str| GitHubCall::DeploymentStatus {
        repo: repo.clone(),
        deployment_id: None,
        state: state.into(),
        description: description.clone(),
    };
    vec![
        call(
            GitHubCall::CreateDeployment {
                repo: repo.clone(),
                sha: run.head_sha.clone(),
                environment: state.ctx.info.name.clone(),
                description: description.clone(),
            },
            false,
        ),
        call(status("in_progress"), false),
        call(status("success"), true),
    ]
}

/// Adds the record's calls to the open dialog's plan, once, so the dialog shows them.
pub(crate) fn attach(state: &mut State) {
    let Mode::Confirm(plan, _) = &state.mode else {
        return;
    };
    if plan.then.iter().any(is_record) {
        return;
    }
    let more = follow_ups(state, plan);
    if more.is_empty() {
        return;
    }
    if let Mode::Confirm(plan, _) = &mut state.mode {
        plan.then.extend(more);
        state.dirty = true;
    }
}
