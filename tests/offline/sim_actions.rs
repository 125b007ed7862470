//! Actions on the demo fleet over simulated time: the runner re-reads, checks, audits and calls,
//! and the fleet moves as ECS would.

use deckwatch::cloud::{Fleet, ReadOnly};

use deckwatch::demo::SimFleet;
use deckwatch::model::{
    AlarmState, AwsCall, ContextInfo, HookStatus, RolloutState, Service, TaskDefRef, Verb,
};
use deckwatch::model::{ApiError, ApiResult, ErrorKind};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner::execute;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::advance;

use crate::support::testkit::EPOCH;

async fn service(f: &dyn Fleet, name: &str) -> Service {
    f.services()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name && s.cluster.starts_with("prod"))
        .unwrap()
}

async fn run_for(secs: u64) {
    advance(Duration::from_secs(secs)).await;
}

fn audit_lines(dir: &tempfile::TempDir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ctx() -> ContextInfo {
    ContextInfo {
        name: "demo".into(),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn promote_moves_the_waiting_canary_on_to_full_traffic() {
    let fleet = SimFleet::new(EPOCH);
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    run_for(5).await;
    let before = service(&fleet, "checkout").await;
    let n = before.native.clone().unwrap();
    assert_eq!(n.hook.as_ref().unwrap().status, HookStatus::AwaitingAction);
    let plan = for_verb(Verb::Promote, &before, &[], None).unwrap();

    let done = execute(&fleet, &audit, &plan, &ctx()).await;
    assert!(done.is_ok(), "{done:?}");
    let n = service(&fleet, "checkout").await.native.unwrap();
    assert_eq!(n.hook.unwrap().status, HookStatus::Succeeded);
    assert_eq!(n.lifecycle_stage.to_string(), "PRODUCTION_TRAFFIC_SHIFT");
    assert_eq!(
        n.target.requested_production_weight, 10.0,
        "the canary step first"
    );

    run_for(70).await; // past the canary bake
    let n = service(&fleet, "checkout").await.native.unwrap();
    assert_eq!(n.target.requested_production_weight, 100.0);
    run_for(120).await; // final bake and clean-up
    let after = service(&fleet, "checkout").await;
    assert_eq!(
        after.native.as_ref().unwrap().status.to_string(),
        "SUCCESSFUL"
    );
    assert_eq!(
        after.task_def,
        TaskDefRef {
            family: "checkout".into(),
            revision: 58
        }
    );
    assert_eq!(
        after.running, after.desired,
        "the source revision's tasks are gone"
    );

    let lines = audit_lines(&dir);
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["before", "after"]);
    assert_eq!(lines[1]["outcome"]["result"], "ok");
    assert!(
        lines[0]["call"]
            .as_str()
            .unwrap()
            .contains("action=CONTINUE")
    );
}

#[tokio::test(start_paused = true)]
async fn abort_during_the_bad_deployment_rolls_back_and_the_alarms_recover() {
    let fleet = SimFleet::new(EPOCH);
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
    run_for(56).await; // the bad payments deployment started at 45 s
    let alarms = fleet.alarms().await.unwrap();
    assert!(
        alarms
            .iter()
            .any(|a| a.name == "payments-5xx-rate" && a.state == AlarmState::Alarm)
    );
    let svc = service(&fleet, "payments").await;
    assert_eq!(svc.task_def.revision, 43);
    let plan = for_verb(Verb::Abort, &svc, &[], None).unwrap();
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();

    run_for(40).await;
    let svc = service(&fleet, "payments").await;
    assert_eq!(svc.task_def.revision, 42);
    let primary = svc.primary().unwrap();
    assert_eq!(primary.rollout_state, RolloutState::Completed, "{svc:#?}");
    assert_eq!(svc.deployments.len(), 1, "the bad deployment drained");
    run_for(120).await;
    let alarms = fleet.alarms().await.unwrap();
    for name in [
        "payments-5xx-rate",
        "payments-p99-latency",
        "payments-health",
    ] {
        let a = alarms.iter().find(|a| a.name == name).unwrap();
        assert_eq!(a.state, AlarmState::Ok, "{name} did not recover");
    }
}

#[tokio::test(start_paused = true)]
async fn a_plan_made_before_the_hook_timed_out_is_refused_and_nothing_is_sent() {
    let fleet = SimFleet::new(EPOCH);
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let plan = for_verb(Verb::Promote, &service(&fleet, "checkout").await, &[], None).unwrap();
    run_for(13 * 60).await; // the hook times out and ECS rolls back
    let err = execute(&fleet, &audit, &plan, &ctx())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("refused") && err.contains("changed"), "{err}");
    assert!(err.contains("hook"), "the refusal says what changed: {err}");
    let n = service(&fleet, "checkout").await.native.unwrap();
    assert_ne!(n.status.to_string(), "IN_PROGRESS");
    let lines = audit_lines(&dir);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["phase"], "refused");
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_in_the_backend_and_the_fleet_does_not_move() {
    let inner: Arc<dyn Fleet> = Arc::new(SimFleet::new(EPOCH));
    let fleet = ReadOnly(inner.clone());
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let svc = service(&fleet, "checkout").await;
    let plan = for_verb(Verb::Promote, &svc, &[], None).unwrap();
    let err = execute(&fleet, &audit, &plan, &ctx())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("read-only"), "{err}");
    let lines = audit_lines(&dir);
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        ["refused"],
        "no 'before' for a call that cannot be sent"
    );
    let n = service(inner.as_ref(), "checkout").await.native.unwrap();
    assert_eq!(n.hook.unwrap().status, HookStatus::AwaitingAction);
}

#[tokio::test(start_paused = true)]
async fn scale_and_force_reach_the_service() {
    let fleet = SimFleet::new(EPOCH);
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
    let api = service(&fleet, "api").await;
    let plan = for_verb(Verb::Scale, &api, &[], Some(8)).unwrap();
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    run_for(30).await;
    let api = service(&fleet, "api").await;
    assert_eq!((api.desired, api.running), (8, 8));
    let plan = for_verb(Verb::ForceDeploy, &api, &[], None).unwrap();
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    let api2 = service(&fleet, "api").await;
    assert_ne!(
        api2.primary().unwrap().id,
        api.primary().unwrap().id,
        "a new deployment"
    );
    run_for(60).await;
    let api3 = service(&fleet, "api").await;
    assert_eq!(
        api3.primary().unwrap().rollout_state,
        RolloutState::Completed,
        "{api3:#?}"
    );
    assert_eq!(api3.running, 8);
}

async fn all(f: &dyn Fleet) -> Vec<Service> {
    f.services().await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn promoting_a_paired_canary_moves_the_primary_then_retires_the_canary() {
    let fleet = SimFleet::new(EPOCH);
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    run_for(5).await;
    let services = all(&fleet).await;
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    // From the canary's row, as from the primary's, the plan acts on the pair.
    let plan = for_verb(Verb::Promote, canary, &services, None).unwrap();
    assert_eq!(plan.service.name, "search");
    assert_eq!(plan.then.len(), 2, "weights, then the canary's scale-down");
    assert!(plan.then.iter().all(|f| f.after_stable));

    let done = execute(&fleet, &audit, &plan, &ctx()).await;
    assert!(done.is_ok(), "{done:?}");
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    assert_eq!(
        search.task_def.revision, 16,
        "the primary took the canary's revision"
    );
    assert_eq!(
        search.primary().unwrap().rollout_state,
        RolloutState::Completed,
        "it waited until stable"
    );
    assert_eq!(
        weights(search),
        [100, 0],
        "then the traffic went back to the primary"
    );
    assert_eq!(canary.desired, 0, "then the canary scaled to 0");
    run_for(10).await;
    let canary = service(&fleet, "search-canary").await;
    assert_eq!(canary.running, 0);
    let phases: Vec<String> = audit_lines(&dir)
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["phase"].as_str().unwrap(),
                l["service"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        phases,
        [
            "before search",
            "after search",
            "before search-canary",
            "after search-canary",
            "before search-canary",
            "after search-canary"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn aborting_a_paired_canary_scales_it_to_zero_and_leaves_the_primary() {
    let fleet = SimFleet::new(EPOCH);
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let plan = for_verb(Verb::Abort, search, &services, None).unwrap();
    assert_eq!(plan.service.name, "search-canary");
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    run_for(10).await;
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    assert_eq!((canary.desired, canary.running), (0, 0));
    assert_eq!(search.task_def.revision, 15);
    assert_eq!(search.running, 2);
    assert_eq!(weights(canary), [100, 0]);
}

#[tokio::test(start_paused = true)]
async fn an_abort_is_refused_when_someone_changed_the_weights_since_the_dialog() {
    let fleet = SimFleet::new(EPOCH);
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let plan = for_verb(Verb::Abort, search, &services, None).unwrap();
    // Someone else moves half the traffic to the canary while the dialog is open.
    let route = search.routes[0].clone();
    let half: Vec<(String, u32)> = route
        .weights
        .iter()
        .map(|(tg, _)| (tg.clone(), 50))
        .collect();
    fleet
        .act(
            &search.key(),
            &AwsCall::SetWeights {
                listener_arn: route.listener_arn.clone(),
                rule_arn: route.rule_arn.clone(),
                is_default: false,
                from: route.weights.clone(),
                to: half.clone(),
            },
        )
        .await
        .unwrap();
    let err = execute(&fleet, &audit, &plan, &ctx())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("listener rule weights"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    let services = all(&fleet).await;
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    assert_eq!(
        canary.routes[0].weights, half,
        "the weights were left as found"
    );
    assert_eq!(canary.desired, 1, "the canary was left running");
    let phases: Vec<String> = audit_lines(&dir)
        .iter()
        .map(|l| l["phase"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(phases, ["refused"]);
}

#[tokio::test(start_paused = true)]
async fn a_retired_paired_canary_comes_back_with_the_next_revision_at_the_next_cycle() {
    use deckwatch::demo::scenario::PAIR_AT_S;
    let fleet = SimFleet::new(EPOCH);
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let plan = for_verb(Verb::Abort, search, &services, None).unwrap();
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    run_for(10).await;
    assert_eq!(service(&fleet, "search-canary").await.desired, 0);

    // Not before its time in the cycle...
    run_for(PAIR_AT_S as u64 - 20).await;
    assert_eq!(service(&fleet, "search-canary").await.desired, 0);
    // ...then one task of the next revision, and a tenth of the traffic again.
    run_for(40).await;
    let canary = service(&fleet, "search-canary").await;
    assert_eq!((canary.desired, canary.running), (1, 1), "{canary:#?}");
    assert_eq!(canary.task_def.revision, 17);
    assert_eq!(weights(&canary), [90, 10]);
    let services = all(&fleet).await;
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    assert!(for_verb(Verb::Promote, canary, &services, None).is_ok());
}

/// The demo fleet, except that the load balancer's API cannot be reached.
struct ElbDown(SimFleet);

#[async_trait::async_trait]
impl Fleet for ElbDown {
    async fn context(&self) -> ApiResult<deckwatch::model::ContextInfo> {
        self.0.context().await
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.0.services().await
    }
    async fn tasks(
        &self,
        s: Option<&deckwatch::model::ServiceKey>,
    ) -> ApiResult<Vec<deckwatch::model::Task>> {
        self.0.tasks(s).await
    }
    async fn images(&self) -> ApiResult<Vec<deckwatch::model::Image>> {
        self.0.images().await
    }
    async fn alarms(&self) -> ApiResult<Vec<deckwatch::model::Alarm>> {
        self.0.alarms().await
    }
    async fn log_sources(
        &self,
        t: &deckwatch::model::LogTarget,
    ) -> ApiResult<deckwatch::model::LogSources> {
        self.0.log_sources(t).await
    }
    async fn log_page(
        &self,
        q: &deckwatch::model::LogQuery,
        token: Option<String>,
    ) -> ApiResult<deckwatch::model::LogPage> {
        self.0.log_page(q, token).await
    }
    async fn act(&self, s: &deckwatch::model::ServiceKey, m: &AwsCall) -> ApiResult<()> {
        if matches!(m, AwsCall::SetWeights { .. }) {
            return Err(ApiError::new(
                ErrorKind::Unreachable,
                "elasticloadbalancing.eu-west-1.amazonaws.com: connection refused",
            ));
        }
        self.0.act(s, m).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_promote_that_stops_half_way_says_exactly_what_was_done_and_what_was_not() {
    let fleet = ElbDown(SimFleet::new(EPOCH));
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let services = all(&fleet).await;
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    let plan = for_verb(Verb::Promote, canary, &services, None).unwrap();
    let err = execute(&fleet, &audit, &plan, &ctx())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("PARTLY DONE"), "{err}");
    assert!(err.contains("Step 2 stopped"), "{err}");
    assert!(
        err.contains("Done: 1. ecs:UpdateService(taskDefinition=search:16) on prod-core/search."),
        "{err}"
    );
    assert!(
        err.contains("Not sent: 2. elasticloadbalancing:ModifyRule")
            && err.contains("3. ecs:UpdateService(desiredCount=0) on prod-core/search-canary"),
        "{err}"
    );
    // And that is the truth: the primary moved, the canary still runs with its traffic.
    let services = all(&fleet).await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    let canary = services.iter().find(|s| s.name == "search-canary").unwrap();
    assert_eq!(search.task_def.revision, 16);
    assert_eq!(canary.desired, 1);
    assert_eq!(weights(canary), [90, 10]);
    // The failed call is in the audit log with its error.
    let last = audit_lines(&dir).pop().unwrap();
    assert_eq!(last["phase"], "after");
    assert!(last.to_string().contains("connection refused"), "{last}");
}

/// The weights of the first rule splitting `s`'s traffic, in the rule's order.
fn weights(s: &Service) -> Vec<u32> {
    s.routes[0].weights.iter().map(|w| w.1).collect()
}
