//! CodeDeploy's answers mapped into `model::codedeploy`: a deployment group, a deployment with
//! its ECS target (task sets, weights, lifecycle events), and a group's past deployments.

use super::super::parse::{millis, opt_millis, task_def_ref};
use super::GroupInfo;
use crate::model::codedeploy::appspec_task_def;
use crate::model::history::{DeploymentBrief, from_briefs};
use crate::model::{
    CdDeployment, CdEvent, CdEventStatus, CdGroup, CdStatus, CdTaskSet, NativeStatus,
    PastDeployment, ReadyAction, TaskDefRef, TaskSet, TaskSetLabel,
};
use aws_sdk_codedeploy::types::{DeploymentInfo, EcsTarget, EcsTaskSet, RevisionLocation};

/// The group as the console shows and drives it; `container` and `port` come from the service.
pub fn group(g: &GroupInfo, container: &str, port: u16) -> CdGroup {
    let info = &g.info;
    let bg = info.blue_green_deployment_configuration();
    let ready = bg.and_then(|b| b.deployment_ready_option());
    let ready_wait = ready
        .and_then(|r| Some((r.action_on_timeout()?, r.wait_time_in_minutes())))
        .and_then(|(action, mins)| {
            let action = ReadyAction::parse(action.as_str());
            // CONTINUE_DEPLOYMENT reroutes at once: nothing waits for a person.
            (action != ReadyAction::Continue).then_some((mins.max(0) as u32, action))
        });
    let pair = info
        .load_balancer_info()
        .map(|l| l.target_group_pair_info_list())
        .and_then(|p| p.first());
    CdGroup {
        application: g.application.clone(),
        name: g.name.clone(),
        config: info
            .deployment_config_name()
            .unwrap_or_default()
            .to_string(),
        container: container.to_string(),
        port,
        target_groups: pair
            .map(|p| {
                p.target_groups()
                    .iter()
                    .filter_map(|t| t.name())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        ready_wait,
        termination_wait: bg
            .and_then(|b| b.terminate_blue_instances_on_deployment_success())
            .map(|t| t.termination_wait_time_in_minutes().max(0) as u32),
        auto_rollback: info
            .auto_rollback_configuration()
            .is_some_and(|a| a.enabled()),
    }
}

/// The AppSpec's task definition of a revision, as AppSpecContent or a raw string.
fn revision_task_def(r: Option<&RevisionLocation>) -> Option<TaskDefRef> {
    let r = r?;
    let content = r
        .app_spec_content()
        .and_then(|c| c.content())
        .or_else(|| r.string().and_then(|s| s.content()))?;
    appspec_task_def(content).map(|arn| task_def_ref(&arn))
}

fn task_set(t: &EcsTaskSet) -> CdTaskSet {
    let count = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    CdTaskSet {
        id: t.identifer().unwrap_or_default().to_string(),
        label: TaskSetLabel::parse(t.task_set_label().map_or("", |l| l.as_str())),
        target_group: t
            .target_group()
            .and_then(|g| g.name())
            .unwrap_or_default()
            .to_string(),
        weight: t.traffic_weight(),
        desired: count(t.desired_count()),
        running: count(t.running_count()),
        pending: count(t.pending_count()),
    }
}

fn events(t: Option<&EcsTarget>) -> Vec<CdEvent> {
    t.map(|t| t.lifecycle_events())
        .unwrap_or_default()
        .iter()
        .map(|e| CdEvent {
            name: e.lifecycle_event_name().unwrap_or_default().to_string(),
            status: CdEventStatus::parse(e.status().map_or("", |s| s.as_str())),
            started_at: opt_millis(e.start_time()),
            ended_at: opt_millis(e.end_time()),
        })
        .collect()
}

/// A deployment with its ECS target; `sets` (the service's task sets) give the replacement's
/// revision when the AppSpec cannot be read.
pub fn deployment(
    d: &DeploymentInfo,
    target: Option<&EcsTarget>,
    sets: &[TaskSet],
) -> CdDeployment {
    let cd_sets: Vec<CdTaskSet> = target
        .map(|t| t.task_sets_info().iter().map(task_set).collect())
        .unwrap_or_default();
    let green = cd_sets
        .iter()
        .find(|s| s.label == TaskSetLabel::Green)
        .and_then(|g| sets.iter().find(|t| t.id == g.id || t.arn.ends_with(&g.id)));
    let task_def = revision_task_def(d.revision())
        .or_else(|| green.map(|t| t.task_def.clone()))
        .unwrap_or_default();
    CdDeployment {
        id: d.deployment_id().unwrap_or_default().to_string(),
        status: CdStatus::parse(d.status().map_or("", |s| s.as_str())),
        config: d.deployment_config_name().unwrap_or_default().to_string(),
        task_def,
        sets: cd_sets,
        events: events(target),
        termination_wait_started: d.instance_termination_wait_time_started(),
        created_at: millis(d.create_time()),
        completed_at: opt_millis(d.complete_time()),
        error: d
            .error_information()
            .and_then(|e| e.message())
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        rollback: d
            .rollback_info()
            .and_then(|r| r.rollback_message())
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        creator: d.creator().map_or("", |c| c.as_str()).to_string(),
    }
}

/// How a finished deployment reads in the history, in the words the native history uses.
fn status_of(d: &DeploymentInfo) -> NativeStatus {
    let rolled_back = d
        .rollback_info()
        .is_some_and(|r| r.rollback_deployment_id().is_some_and(|id| !id.is_empty()));
    match CdStatus::parse(d.status().map_or("", |s| s.as_str())) {
        CdStatus::Succeeded => NativeStatus::Successful,
        CdStatus::Failed | CdStatus::Stopped if rolled_back => NativeStatus::RollbackSuccessful,
        CdStatus::Failed => NativeStatus::RollbackFailed,
        CdStatus::Stopped => NativeStatus::Stopped,
        _ => NativeStatus::InProgress,
    }
}

/// A group's deployments as history entries, newest first; those CodeDeploy made to roll
/// another back are marked as rollbacks.
pub fn history(infos: &[DeploymentInfo]) -> Vec<PastDeployment> {
    let briefs = infos
        .iter()
        .filter_map(|d| {
            let reason = [
                d.error_information().and_then(|e| e.message()),
                d.rollback_info().and_then(|r| r.rollback_message()),
            ]
            .into_iter()
            .flatten()
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
            Some(DeploymentBrief {
                arn: d.deployment_id()?.to_string(),
                revision: revision_task_def(d.revision())?,
                status: status_of(d),
                reason,
                started_at: millis(d.start_time().or(d.create_time())),
                finished_at: opt_millis(d.complete_time()),
            })
        })
        .collect();
    let rollbacks: Vec<&str> = infos
        .iter()
        .filter(|d| {
            d.creator()
                .is_some_and(|c| c.as_str() == "codeDeployRollback")
        })
        .filter_map(|d| d.deployment_id())
        .collect();
    let mut out = from_briefs(briefs);
    for e in &mut out {
        e.is_rollback = rollbacks.contains(&e.id.as_str());
    }
    out
}
