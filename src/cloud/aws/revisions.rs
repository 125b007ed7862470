//! The task definition revisions of a family registered in a span, newest first, with who
//! registered them: `ListTaskDefinitions` (newest first) and `DescribeTaskDefinition` of each
//! until one is older than the span. A revision never changes, so each is described once.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::{millis, task_def_ref};
use crate::model::timeline::build::Registered;
use crate::model::{ApiResult, At, Op};
use aws_sdk_ecs::types::SortOrder;
use std::collections::HashMap;
use std::sync::Mutex;

/// Revisions described per timeline, at most.
pub const MAX_REVISIONS: usize = 25;
/// Revisions remembered, at most.
const KEPT: usize = 2_000;

#[derive(Default)]
pub struct RevisionCache(Mutex<HashMap<String, Registered>>);

impl RevisionCache {
    fn get(&self, arn: &str) -> Option<Registered> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(arn).cloned()
    }

    fn put(&self, arn: &str, r: &Registered) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= KEPT {
            map.clear();
        }
        map.insert(arn.to_string(), r.clone());
    }
}

pub async fn registered(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cache: &RevisionCache,
    family: &str,
    since: At,
) -> ApiResult<Vec<Registered>> {
    let listed = ecs
        .list_task_definitions()
        .family_prefix(family)
        .sort(SortOrder::Desc)
        .max_results(MAX_REVISIONS as i32)
        .send()
        .within(gate, Op::EcsListTaskDefinitions)
        .await?;
    let mut out = Vec::new();
    for arn in listed.task_definition_arns() {
        // The prefix matches longer families too (`pay` lists `payments`).
        if task_def_ref(arn).family != family {
            continue;
        }
        let r = match cache.get(arn) {
            Some(r) => r,
            None => {
                let r = describe(ecs, gate, arn).await?;
                cache.put(arn, &r);
                r
            }
        };
        let older = r.at < since;
        out.push(r);
        if older {
            break;
        }
    }
    Ok(out)
}

async fn describe(ecs: &aws_sdk_ecs::Client, gate: &CallGate, arn: &str) -> ApiResult<Registered> {
    let out = ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .within(gate, Op::EcsDescribeTaskDefinition)
        .await?;
    let td = out.task_definition();
    Ok(Registered {
        task_def: task_def_ref(arn),
        at: millis(td.and_then(|t| t.registered_at())),
        by: td
            .and_then(|t| t.registered_by())
            .unwrap_or_default()
            .to_string(),
        images: td
            .map(|t| {
                t.container_definitions()
                    .iter()
                    .filter_map(|c| c.image().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}
