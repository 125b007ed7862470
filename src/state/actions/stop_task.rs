//! `K` / `:stop`: stop the selected task with ECS StopTask. The dialog names the task, its
//! service and revision, and what ECS does next: the service's scheduler starts a replacement
//! when the service still wants the count. Prod guard, re-check, read-only and audit as for
//! every action (the plan goes through the same dialog and runner).

use crate::model::{ActionPlan, AwsCall, Change, Mutation, Service, Task, Verb};
use crate::state::{Pane, State};

/// ECS keeps at most this many characters of a reason.
const REASON_MAX: usize = 255;

/// The task `K` would stop: the selected row of the tasks pane or the rollout view.
fn selected_task(state: &State) -> Option<&Task> {
    match state.ctx.pane {
        Pane::Tasks | Pane::Rollout => state.ctx.tasks.selected_item(),
        Pane::Services
        | Pane::Images
        | Pane::Alarms
        | Pane::Logs
        | Pane::Builds
        | Pane::Timeline => None,
    }
}

/// `K`: the dialog, or why not.
pub(crate) fn open(state: &mut State) {
    if state.ctx.read_only {
        return state.flash("refused: the console is read-only; nothing was changed");
    }
    let Some(task) = selected_task(state) else {
        return state.flash("K: select a task first (tasks pane, or a service's rollout view)");
    };
    if task.last_status.is_stopped() {
        return state.flash(format!("task {} has stopped already", short(&task.id)));
    }
    let found = state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.cluster == task.cluster && s.name == task.service);
    let Some(service) = found else {
        return state.flash(format!(
            "task {} belongs to no service listed here: K stops a service's task",
            short(&task.id)
        ));
    };
    if let Some(why) = crate::state::actions::start::refusal(state, &[service.key()]) {
        return state.flash(format!("stop a task of {}: refused; {why}", service.key()));
    }
    let who = crate::state::jobs::who(&state.ctx.info, state.os_user.as_deref(), None);
    let plan = plan(task, service, &who);
    state.open_confirm(plan);
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The plan: one StopTask with a reason naming deckwatch and the user, and what follows.
pub fn plan(task: &Task, s: &Service, who: &str) -> ActionPlan {
    let reason: String = format!("deckwatch: stopped by {who}")
        .chars()
        .take(REASON_MAX)
        .collect();
    let next = if s.desired > 0 {
        format!(
            "ECS starts a replacement, as {} wants {} task(s)",
            s.name, s.desired
        )
    } else {
        format!("no replacement: {} wants 0 tasks", s.name)
    };
    let changes = vec![
        Change::new(
            format!("task {}", short(&task.id)),
            format!("{} on {}", task.last_status, task.task_def),
            format!("STOPPED (reason \"{reason}\")"),
        ),
        Change::new(
            s.name.clone(),
            format!("{} running of {} wanted", s.running, s.desired),
            next,
        ),
    ];
    let call = AwsCall::StopTask {
        task_arn: task.arn.clone(),
        reason,
    };
    ActionPlan::single(s, Verb::StopTask, Mutation::Aws(call), changes)
}
