//! ECS services: `list_services` in pages of 100, `describe_services` in batches of 10, mapped
//! into `model::Service` with their deployments, circuit breaker and recent events.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::cloud::aws::parse::{image_tag, last_segment, millis, task_def_ref};
use crate::cloud::aws::taskdefs::TaskDefInfo;
use crate::model::Op;
use crate::model::text::clean;
use crate::model::{
    ApiResult, CircuitBreaker, Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent,
    ServiceStatus, Strategy,
};
use aws_sdk_ecs::types::{DeploymentStrategy, ServiceField};
use futures::{StreamExt, TryStreamExt};

use std::collections::HashMap;
use std::sync::Arc;

/// `describe_services` takes at most 10 services.
pub const DESCRIBE_BATCH: usize = 10;
/// `list_services` returns at most 100 a page (10 when not asked).
const LIST_PAGE: i32 = 100;
/// Describe calls in flight at once per cluster, and clusters worked on at once: at most 32
/// calls in flight, below ECS's burst allowance.
const CONCURRENCY: usize = 8;
pub const CLUSTER_CONCURRENCY: usize = 4;
/// The tag that pairs a canary service with its primary: `deckwatch:canary-of = <primary>`.
pub const CANARY_TAG: &str = "deckwatch:canary-of";

/// Service events kept per service, newest first: all that ECS keeps.
pub const EVENTS_KEPT: usize = 100;

/// One described service and the cluster (by name) it was listed in.
#[derive(Debug, Clone)]
pub struct RawService {
    pub cluster: String,
    pub svc: aws_sdk_ecs::types::Service,
}

impl RawService {
    pub fn name(&self) -> &str {
        self.svc.service_name().unwrap_or_default()
    }

    /// The task definitions this service refers to: its own, its deployments' and its task
    /// sets'.
    pub fn task_def_arns(&self) -> impl Iterator<Item = &str> {
        let sets = self
            .svc
            .task_sets()
            .iter()
            .filter_map(|t| t.task_definition());
        self.svc
            .task_definition()
            .into_iter()
            .chain(
                self.svc
                    .deployments()
                    .iter()
                    .filter_map(|d| d.task_definition()),
            )
            .chain(sets)
    }

    /// The target groups of the service's load balancers, in the service's order.
    pub fn target_group_arns(&self) -> impl Iterator<Item = &str> {
        self.svc
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.target_group_arn())
            .filter(|a| !a.is_empty())
    }

    /// The alternate target groups of a native blue/green, canary or linear service.
    pub fn alternate_target_group_arns(&self) -> impl Iterator<Item = &str> {
        self.svc
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.advanced_configuration()?.alternate_target_group_arn())
            .filter(|a| !a.is_empty())
    }

    /// Who deploys the service: ECS unless it says otherwise.
    pub fn controller(&self) -> crate::model::DeploymentController {
        self.svc
            .deployment_controller()
            .map(|c| crate::model::DeploymentController::parse(c.r#type().as_str()))
            .unwrap_or_default()
    }

    pub fn strategy(&self) -> Strategy {
        strategy_of(
            self.svc
                .deployment_configuration()
                .and_then(|c| c.strategy()),
        )
    }
}

/// A service without a strategy rolls, as ECS's default says.
pub fn strategy_of(s: Option<&DeploymentStrategy>) -> Strategy {
    s.map_or(Strategy::Rolling, |s| Strategy::parse(s.as_str()))
}

/// Every service ARN of one cluster, all pages.
pub async fn list_arns(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
) -> ApiResult<Vec<String>> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ecs
            .list_services()
            .cluster(cluster)
            .max_results(LIST_PAGE)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::EcsListServices)
            .await?;
        arns.extend(out.service_arns().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(arns)
}

/// Describes services (ARNs or names) of one cluster, 10 per call, keeping their order.
pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    services: &[String],
) -> ApiResult<Vec<aws_sdk_ecs::types::Service>> {
    crate::cloud::aws::batch::in_batches(services, DESCRIBE_BATCH, CONCURRENCY, |chunk| {
        describe_batch(ecs, gate, cluster, chunk)
    })
    .await
}

async fn describe_batch(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
    chunk: Vec<String>,
) -> ApiResult<Vec<aws_sdk_ecs::types::Service>> {
    let out = ecs
        .describe_services()
        .cluster(cluster)
        .set_services(Some(chunk))
        .include(ServiceField::Tags)
        .send()
        .within(gate, Op::EcsDescribeServices)
        .await?;
    for f in out.failures() {
        tracing::warn!(
            cluster,
            arn = f.arn().unwrap_or_default(),
            reason = f.reason().unwrap_or_default(),
            "describe_services failure"
        );
    }
    Ok(out.services().to_vec())
}

/// Every service of the given clusters (by name), described, in cluster then list order.
pub async fn fetch_all(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    clusters: &[String],
) -> ApiResult<Vec<RawService>> {
    let calls: Vec<_> = clusters
        .iter()
        .map(|c| fetch_cluster(ecs, gate, c))
        .collect();
    let per_cluster: Vec<Vec<RawService>> = futures::stream::iter(calls)
        .buffered(CLUSTER_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(per_cluster.into_iter().flatten().collect())
}

/// Every service of one cluster (by name), described, in list order.
pub async fn fetch_cluster(
    ecs: &aws_sdk_ecs::Client,
    gate: &CallGate,
    cluster: &str,
) -> ApiResult<Vec<RawService>> {
    let arns = list_arns(ecs, gate, cluster).await?;
    let described = describe(ecs, gate, cluster, &arns).await?;
    Ok(described
        .into_iter()
        .map(|svc| RawService {
            cluster: cluster.to_string(),
            svc,
        })
        .collect())
}

/// The failed-task count that trips the circuit breaker: half the desired count, 3 to 200.
pub fn breaker_threshold(desired: u32) -> u32 {
    desired.div_ceil(2).clamp(3, 200)
}

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

fn map_deployment(d: &aws_sdk_ecs::types::Deployment) -> Deployment {
    let status = DeploymentStatus::parse(d.status().unwrap_or("INACTIVE"));
    let (desired, running, pending) = (
        count(d.desired_count()),
        count(d.running_count()),
        count(d.pending_count()),
    );
    let rollout_state = match d.rollout_state() {
        Some(s) => RolloutState::parse(s.as_str()),
        // Not reported (older deployments, or no circuit breaker): judge by the counts.
        None if running >= desired && pending == 0 => RolloutState::Completed,
        None => RolloutState::InProgress,
    };
    Deployment {
        id: d.id().unwrap_or_default().to_string(),
        status,
        rollout_state,
        rollout_reason: d.rollout_state_reason().unwrap_or_default().to_string(),
        task_def: task_def_ref(d.task_definition().unwrap_or_default()),
        desired,
        running,
        pending,
        failed_tasks: count(d.failed_tasks()),
        created_at: millis(d.created_at()),
        updated_at: millis(d.updated_at()),
    }
}

/// The service's task definition, else its primary deployment's.
fn current_task_def(s: &aws_sdk_ecs::types::Service) -> &str {
    s.task_definition()
        .or_else(|| {
            s.deployments()
                .iter()
                .find(|d| d.status() == Some("PRIMARY"))
                .and_then(|d| d.task_definition())
        })
        .unwrap_or_default()
}

/// The alarms the service's deployments watch, when deployment alarms are enabled.
fn watched_alarms(s: &aws_sdk_ecs::types::Service) -> Vec<String> {
    s.deployment_configuration()
        .and_then(|c| c.alarms())
        .filter(|a| a.enable())
        .map(|a| a.alarm_names().iter().map(|n| clean(n)).collect())
        .unwrap_or_default()
}

/// The alarm names (or `prefix-*`) of the tag `deckwatch:alarms`, comma-separated.
fn alarm_tags(s: &aws_sdk_ecs::types::Service) -> Vec<String> {
    s.tags()
        .iter()
        .filter(|t| t.key() == Some(crate::model::alarm_link::ALARMS_TAG))
        .filter_map(|t| t.value())
        .flat_map(|v| v.split(','))
        .map(|n| clean(n.trim()))
        .filter(|n| !n.is_empty())
        .collect()
}

/// The newest events first, as many as are kept.
fn events_of(s: &aws_sdk_ecs::types::Service) -> Vec<ServiceEvent> {
    let mut events: Vec<ServiceEvent> = s
        .events()
        .iter()
        .map(|e| ServiceEvent {
            at: millis(e.created_at()),
            message: e.message().unwrap_or_default().to_string(),
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events.truncate(EVENTS_KEPT);
    events
}

/// The deployment circuit breaker, when enabled; its threshold follows the desired count.
fn circuit_breaker_of(s: &aws_sdk_ecs::types::Service, desired: u32) -> Option<CircuitBreaker> {
    s.deployment_configuration()
        .and_then(|c| c.deployment_circuit_breaker())
        .filter(|cb| cb.enable())
        .map(|cb| CircuitBreaker {
            rollback: cb.rollback(),
            threshold: breaker_threshold(desired),
        })
}

/// Maps one described service. `taskdefs` gives the image tag; metrics and the native
/// deployment are filled in later.
pub fn map_service(raw: &RawService, taskdefs: &HashMap<String, Arc<TaskDefInfo>>) -> Service {
    let s = &raw.svc;
    let desired = count(s.desired_count());
    let mut deployments: Vec<Deployment> = s.deployments().iter().map(map_deployment).collect();
    deployments.sort_by_key(|d| match d.status {
        DeploymentStatus::Primary => 0,
        DeploymentStatus::Active => 1,
        DeploymentStatus::Inactive | DeploymentStatus::Other(_) => 2,
    });
    let td_arn = current_task_def(s);
    let image_tag = taskdefs
        .get(td_arn)
        .and_then(|td| td.first_image())
        .map(image_tag)
        .unwrap_or_default();
    let circuit_breaker = circuit_breaker_of(s, desired);
    let tags = || s.tags().iter().filter_map(|t| Some((t.key()?, t.value()?)));
    Service {
        cluster: raw.cluster.clone(),
        name: name_of(s),
        arn: s.service_arn().unwrap_or_default().to_string(),
        status: ServiceStatus::parse(s.status().unwrap_or_default()),
        desired,
        running: count(s.running_count()),
        pending: count(s.pending_count()),
        task_def: task_def_ref(td_arn),
        image_tag,
        created_at: millis(s.created_at()),
        strategy: raw.strategy(),
        circuit_breaker,
        deployments,
        native: None,
        events: events_of(s),
        previous_task_def: None,
        canary_of: tag(s, CANARY_TAG),
        cpu: Vec::new(),
        mem: Vec::new(),
        targets: Vec::new(),
        target_groups: raw.target_group_arns().map(str::to_string).collect(),
        routes: Vec::new(),
        routes_error: None,
        alternate_target_groups: raw
            .alternate_target_group_arns()
            .map(str::to_string)
            .collect(),
        watched_alarms: watched_alarms(s),
        alarm_tags: alarm_tags(s),
        history: Vec::new(),
        exec_enabled: s.enable_execute_command(),
        footprint: super::footprint::footprint_of(s, taskdefs.get(td_arn).map(|t| t.as_ref())),
        cost_per_hour: None,
        build: crate::model::BuildSource::from_tags(tags()),
        controller: raw.controller(),
        task_sets: super::task_sets::map(s, taskdefs),
        codedeploy: None,
        tags: tags_of(s),
    }
}

/// The service's tags, (key, value).
fn tags_of(s: &aws_sdk_ecs::types::Service) -> Vec<(String, String)> {
    s.tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// The value of the service's tag `key`.
fn tag(s: &aws_sdk_ecs::types::Service, key: &str) -> Option<String> {
    s.tags()
        .iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
        .map(str::to_string)
}

/// The service's name, else the tail of its ARN.
fn name_of(s: &aws_sdk_ecs::types::Service) -> String {
    s.service_name()
        .map(str::to_string)
        .unwrap_or_else(|| last_segment(s.service_arn().unwrap_or_default()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;
    use aws_sdk_ecs::types::DeploymentRolloutState;
    use aws_sdk_ecs::types::{
        Deployment as SdkDeployment, DeploymentCircuitBreaker, DeploymentConfiguration,
        Service as SdkService, ServiceEvent as SdkEvent,
    };
    use aws_smithy_types::DateTime;

    const TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
    const TD_OLD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:6";

    fn sdk_service() -> SdkService {
        let events = (0..130).map(|i| {
            SdkEvent::builder()
                .id(format!("e{i}"))
                .created_at(DateTime::from_secs(1_000 + i))
                .message(format!("event {i}"))
                .build()
        });
        SdkService::builder()
            .service_name("web")
            .service_arn("arn:aws:ecs:us-east-1:123456789012:service/prod/web")
            .status("ACTIVE")
            .desired_count(10)
            .running_count(8)
            .pending_count(2)
            .task_definition(TD)
            .created_at(DateTime::from_secs(500))
            .deployment_configuration(
                DeploymentConfiguration::builder()
                    .deployment_circuit_breaker(
                        DeploymentCircuitBreaker::builder()
                            .enable(true)
                            .rollback(true)
                            .build(),
                    )
                    .build(),
            )
            .deployments(
                SdkDeployment::builder()
                    .id("ecs-svc/old")
                    .status("ACTIVE")
                    .task_definition(TD_OLD)
                    .desired_count(10)
                    .running_count(4)
                    .rollout_state(DeploymentRolloutState::Completed)
                    .build(),
            )
            .deployments(
                SdkDeployment::builder()
                    .id("ecs-svc/new")
                    .status("PRIMARY")
                    .task_definition(TD)
                    .desired_count(10)
                    .running_count(4)
                    .pending_count(2)
                    .failed_tasks(1)
                    .rollout_state(DeploymentRolloutState::InProgress)
                    .rollout_state_reason("ECS deployment ecs-svc/new in progress.")
                    .created_at(DateTime::from_secs(900))
                    .build(),
            )
            .set_events(Some(events.collect()))
            .build()
    }

    #[test]
    fn maps_a_rolling_service() {
        let raw = RawService {
            cluster: "prod".into(),
            svc: sdk_service(),
        };
        let info = TaskDefInfo {
            arn: TD.into(),
            task_def: task_def_ref(TD),
            containers: vec![crate::cloud::aws::taskdefs::ContainerInfo {
                name: "app".into(),
                image: "1.dkr.ecr.us-east-1.amazonaws.com/web:v7".into(),
                awslogs: None,
            }],
            spec: Default::default(),
            arch: None,
        };
        let defs = HashMap::from([(TD.to_string(), Arc::new(info))]);
        let s = map_service(&raw, &defs);
        assert_eq!(s.key().to_string(), "prod/web");
        assert_eq!((s.desired, s.running, s.pending), (10, 8, 2));
        assert_eq!(s.task_def.to_string(), "web:7");
        assert_eq!(s.image_tag, "v7");
        assert_eq!(s.created_at, At(500_000));
        assert_eq!(s.strategy, Strategy::Rolling);
        assert_eq!(
            s.circuit_breaker,
            Some(CircuitBreaker {
                rollback: true,
                threshold: 5
            })
        );
        // PRIMARY first, whatever order ECS used.
        assert_eq!(s.deployments[0].id, "ecs-svc/new");
        assert_eq!(s.deployments[0].status, DeploymentStatus::Primary);
        assert_eq!(s.deployments[0].rollout_state, RolloutState::InProgress);
        assert_eq!(s.deployments[0].failed_tasks, 1);
        assert_eq!(s.deployments[0].created_at, At(900_000));
        assert_eq!(s.deployments[1].task_def.revision, 6);
        assert_eq!(s.deployments[1].status, DeploymentStatus::Active);
        assert!(s.in_progress());
        // The newest 100 events (all ECS keeps), newest first.
        assert_eq!(s.events.len(), EVENTS_KEPT);
        assert_eq!(s.events[0].message, "event 129");
        assert_eq!(s.events[99].message, "event 30");
    }

    #[test]
    fn strategy_comes_from_the_deployment_configuration() {
        let mut svc = sdk_service();
        svc.deployment_configuration = Some(
            DeploymentConfiguration::builder()
                .strategy(DeploymentStrategy::Canary)
                .build(),
        );
        let raw = RawService {
            cluster: "prod".into(),
            svc,
        };
        assert_eq!(raw.strategy(), Strategy::Canary);
        let s = map_service(&raw, &HashMap::new());
        assert_eq!(s.strategy, Strategy::Canary);
        assert_eq!(s.circuit_breaker, None);
        // Unknown task definition: no tag rather than a failure.
        assert_eq!(s.image_tag, "");
    }

    #[test]
    fn breaker_threshold_is_half_clamped() {
        assert_eq!(breaker_threshold(0), 3);
        assert_eq!(breaker_threshold(4), 3);
        assert_eq!(breaker_threshold(10), 5);
        assert_eq!(breaker_threshold(11), 6);
        assert_eq!(breaker_threshold(1000), 200);
    }
}
