//! The task sets of a CODE_DEPLOY (or EXTERNAL) service, as DescribeServices gives them
//! (`Service.taskSets[]`), mapped into `model::TaskSet`, PRIMARY first.

use super::parse::{image_tag, millis, task_def_ref};
use super::taskdefs::TaskDefInfo;
use crate::model::{Stability, TaskSet, TaskSetStatus};
use std::collections::HashMap;
use std::sync::Arc;

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

/// The service's task sets, PRIMARY first, then the newest.
pub fn map(
    s: &aws_sdk_ecs::types::Service,
    taskdefs: &HashMap<String, Arc<TaskDefInfo>>,
) -> Vec<TaskSet> {
    let mut out: Vec<TaskSet> = s.task_sets().iter().map(|t| one(t, taskdefs)).collect();
    out.sort_by_key(|t| {
        (
            t.status != TaskSetStatus::Primary,
            std::cmp::Reverse(t.created_at),
        )
    });
    out
}

fn one(t: &aws_sdk_ecs::types::TaskSet, taskdefs: &HashMap<String, Arc<TaskDefInfo>>) -> TaskSet {
    let td = t.task_definition().unwrap_or_default();
    TaskSet {
        id: t.id().unwrap_or_default().to_string(),
        arn: t.task_set_arn().unwrap_or_default().to_string(),
        status: TaskSetStatus::parse(t.status().unwrap_or_default()),
        task_def: task_def_ref(td),
        image_tag: taskdefs
            .get(td)
            .and_then(|d| d.first_image())
            .map(image_tag)
            .unwrap_or_default(),
        desired: count(t.computed_desired_count()),
        running: count(t.running_count()),
        pending: count(t.pending_count()),
        scale_percent: t.scale().map_or(0.0, |s| s.value()),
        stability: Stability::parse(t.stability_status().map_or("", |s| s.as_str())),
        target_groups: t
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.target_group_arn())
            .map(str::to_string)
            .collect(),
        external_id: t.external_id().unwrap_or_default().to_string(),
        created_at: millis(t.created_at()),
    }
}
