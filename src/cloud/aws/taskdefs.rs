//! Task definitions, described once per ARN and kept forever: a task definition ARN names one
//! immutable revision, so its containers, images and log settings never change.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::task_def_ref;
use crate::model::Op;
use crate::model::{ApiResult, TaskDefRef, TaskDefinition};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Describe calls in flight at once when many task definitions are new.
const CONCURRENCY: usize = 8;

/// Where a container's awslogs driver writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsLogs {
    pub group: String,
    pub stream_prefix: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub name: String,
    pub image: String,
    pub awslogs: Option<AwsLogs>,
}

/// What deckwatch needs of one task definition revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefInfo {
    pub arn: String,
    pub task_def: TaskDefRef,
    pub containers: Vec<ContainerInfo>,
    /// The whole definition, for the diff between revisions.
    pub spec: TaskDefinition,
    /// The architecture it runs on, for the cost estimate; None: not a Linux one.
    pub arch: Option<crate::model::cost::Arch>,
}

impl TaskDefInfo {
    pub fn from_sdk(arn: &str, td: &aws_sdk_ecs::types::TaskDefinition) -> Self {
        let containers = td
            .container_definitions()
            .iter()
            .map(|c| ContainerInfo {
                name: c.name().unwrap_or_default().to_string(),
                image: c.image().unwrap_or_default().to_string(),
                awslogs: c.log_configuration().and_then(|lc| {
                    if lc.log_driver().as_str() != "awslogs" {
                        return None;
                    }
                    let opts = lc.options()?;
                    Some(AwsLogs {
                        group: opts.get("awslogs-group")?.clone(),
                        stream_prefix: opts.get("awslogs-stream-prefix").cloned(),
                        region: opts.get("awslogs-region").cloned(),
                    })
                }),
            })
            .collect();
        let spec = crate::cloud::aws::taskdef_spec::spec_of(arn, td);
        let arn = td.task_definition_arn().unwrap_or(arn);
        Self {
            arn: arn.to_string(),
            task_def: task_def_ref(arn),
            containers,
            spec,
            arch: crate::cloud::aws::footprint::arch_of(td),
        }
    }

    /// The image of the first container, which deckwatch shows as the service's image.
    pub fn first_image(&self) -> Option<&str> {
        self.containers.first().map(|c| c.image.as_str())
    }
}

type Slot = Arc<OnceCell<Arc<TaskDefInfo>>>;

/// ARN -> task definition. Concurrent requests for one ARN share a single describe call.
#[derive(Default)]
pub struct TaskDefCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl TaskDefCache {
    fn slot(&self, arn: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(arn.to_string()).or_default().clone()
    }

    /// The definition of `td`: the one cached under any ARN of that revision, else described
    /// by `family:revision` (which DescribeTaskDefinition takes as well as an ARN).
    pub async fn by_ref(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        td: &TaskDefRef,
    ) -> ApiResult<Arc<TaskDefInfo>> {
        let hit = {
            let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .values()
                .filter_map(|s| s.get())
                .find(|info| info.task_def == *td)
                .cloned()
        };
        match hit {
            Some(info) => Ok(info),
            None => self.get(ecs, gate, &td.to_string()).await,
        }
    }

    /// The cached definition, or `None` before it was described.
    pub fn cached(&self, arn: &str) -> Option<Arc<TaskDefInfo>> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.get(arn).and_then(|s| s.get().cloned())
    }

    pub async fn get(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        arn: &str,
    ) -> ApiResult<Arc<TaskDefInfo>> {
        let slot = self.slot(arn);
        slot.get_or_try_init(|| async {
            let out = ecs
                .describe_task_definition()
                .task_definition(arn)
                .send()
                .within(gate, Op::EcsDescribeTaskDefinition)
                .await?;
            let info = match out.task_definition() {
                Some(td) => TaskDefInfo::from_sdk(arn, td),
                None => TaskDefInfo {
                    arn: arn.to_string(),
                    task_def: task_def_ref(arn),
                    containers: Vec::new(),
                    spec: TaskDefinition {
                        task_def: task_def_ref(arn),
                        ..TaskDefinition::default()
                    },
                    arch: None,
                },
            };
            Ok(Arc::new(info))
        })
        .await
        .cloned()
    }

    /// Every one of `arns`, describing only the ones not yet cached. A failure for one ARN
    /// fails the whole call; the ones described so far stay cached.
    pub async fn get_many<'a>(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        arns: impl IntoIterator<Item = &'a str>,
    ) -> ApiResult<HashMap<String, Arc<TaskDefInfo>>> {
        let mut unique: Vec<&str> = arns.into_iter().filter(|a| !a.is_empty()).collect();
        unique.sort_unstable();
        unique.dedup();
        let calls: Vec<_> = unique
            .into_iter()
            .map(|arn| self.get_pair(ecs, gate, arn.to_string()))
            .collect();
        let pairs: Vec<(String, ApiResult<Arc<TaskDefInfo>>)> = futures::stream::iter(calls)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        pairs
            .into_iter()
            .map(|(arn, r)| r.map(|i| (arn, i)))
            .collect()
    }

    async fn get_pair(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        arn: String,
    ) -> (String, ApiResult<Arc<TaskDefInfo>>) {
        let r = self.get(ecs, gate, &arn).await;
        (arn, r)
    }

    /// Like `get_many`, but a definition that cannot be described is left out (and logged)
    /// rather than failing the caller.
    pub async fn get_many_lenient<'a>(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        arns: impl IntoIterator<Item = &'a str>,
    ) -> HashMap<String, Arc<TaskDefInfo>> {
        let mut unique: Vec<&str> = arns.into_iter().filter(|a| !a.is_empty()).collect();
        unique.sort_unstable();
        unique.dedup();
        let calls: Vec<_> = unique
            .into_iter()
            .map(|arn| self.get_pair(ecs, gate, arn.to_string()))
            .collect();
        let pairs: Vec<(String, ApiResult<Arc<TaskDefInfo>>)> = futures::stream::iter(calls)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        pairs
            .into_iter()
            .filter_map(|(arn, r)| match r {
                Ok(info) => Some((arn, info)),
                Err(e) => {
                    tracing::warn!(task_definition = arn, error = %e, "cannot describe task definition");
                    None
                }
            })
            .collect()
    }
}

/// The newest ACTIVE revision of each family below the revision in use, the way a rollback
/// picks its target. Cached per (family, revision): registering newer revisions does not change
/// the answer; deregistering that one would, and UpdateService then reports it.
#[derive(Default)]
pub struct PreviousRevisions {
    known: Mutex<HashMap<TaskDefRef, Option<TaskDefRef>>>,
}

impl PreviousRevisions {
    pub async fn lookup(
        &self,
        ecs: &aws_sdk_ecs::Client,
        gate: &CallGate,
        current: &TaskDefRef,
    ) -> ApiResult<Option<TaskDefRef>> {
        if let Some(hit) = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(current)
        {
            return Ok(hit.clone());
        }
        let mut best: Option<TaskDefRef> = None;
        let mut token: Option<String> = None;
        loop {
            let out = ecs
                .list_task_definitions()
                .family_prefix(&current.family)
                .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
                .sort(aws_sdk_ecs::types::SortOrder::Desc)
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .within(gate, Op::EcsListTaskDefinitions)
                .await?;
            // The prefix also matches longer family names; keep this family only.
            for td in out.task_definition_arns().iter().map(|a| task_def_ref(a)) {
                if td.family == current.family
                    && td.revision < current.revision
                    && best.as_ref().is_none_or(|b| td.revision > b.revision)
                {
                    best = Some(td);
                }
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(current.clone(), best.clone());
        Ok(best)
    }
}
