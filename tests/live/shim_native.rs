//! A native CANARY deployment on the AWS path, through the fleet: moto serves the cluster,
//! the task definitions and the service; the ECS-deployments shim in front of it serves the
//! service-deployment APIs moto lacks and the `deploymentConfiguration` moto drops. The fleet
//! runs with the shipped defaults (standard retries on).
//!
//! What is proven here: the merge in `enrich` (the service turns CANARY with its deployment,
//! revisions, weights and hook), plan → re-read → hook check → ContinueServiceDeployment or
//! StopServiceDeployment through the runner, the hook's timeout, and ECS's error answers for a
//! wrong or an expired hook.

use crate::support::action::run_action;
use crate::support::shim::seeded::{self, Canary};
use crate::support::{counting, moto};
use aws_sdk_ecs::types::DeploymentLifecycleHookAction;
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{
    AwsCall, ContextInfo, HookStatus, LifecycleStage, Mutation, NativeStatus, Service, ServiceKey,
    Strategy, TimeoutAction, Verb,
};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use serde_json::{Value, json};
use std::sync::Arc;

fn context() -> ContextInfo {
    ContextInfo {
        name: "moto".into(),
        profile: "moto-tests".into(),
        account: moto::ACCOUNT.into(),
        region: moto::REGION.into(),
        clusters: Vec::new(),
        prod: false,
        caller_arn: String::new(),
    }
}

impl Canary {
    async fn fleet(&self, counter: &CallCounter) -> Arc<dyn Fleet> {
        let fleet = moto::fleet(
            &self.shim.url(),
            &[&self.cluster],
            vec![counter.interceptor()],
        )
        .await;
        Arc::new(fleet)
    }

    fn key(&self) -> ServiceKey {
        ServiceKey {
            cluster: self.cluster.clone(),
            name: self.service.clone(),
        }
    }

    async fn service(&self, fleet: &Arc<dyn Fleet>) -> Service {
        let key = self.key();
        fleet
            .services()
            .await
            .expect("services through the shim")
            .into_iter()
            .find(|s| s.key() == key)
            .expect("the canary's service")
    }

    /// An ECS client on the shim, to read its error answers as the SDK models them.
    async fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&moto::sdk_config(&self.shim.url()).await)
    }
}

fn audit_phases(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("the audit file exists")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("audit json");
            v["phase"].as_str().expect("phase").to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_shows_the_canary_waiting_at_its_hook_from_aws_data() {
    let c = Canary::new(&moto::url(), "nat-show", true).await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    let s = c.service(&fleet).await;

    assert_eq!(s.strategy, Strategy::Canary, "from deploymentConfiguration");
    let cb = s.circuit_breaker.expect("the breaker the shim added back");
    assert!(cb.rollback);
    let n = s.native.as_ref().expect("the native deployment merged in");
    assert_eq!(n.arn, c.deployment);
    assert_eq!(n.status, NativeStatus::InProgress);
    assert_eq!(n.lifecycle_stage, LifecycleStage::PreProductionTrafficShift);
    assert_eq!(n.canary_percent, seeded::CANARY_PERCENT);
    assert_eq!(
        n.target.task_def.to_string(),
        Canary::revision_of(&c.target_task_def)
    );
    assert_eq!(n.target.image_tag, "v8");
    assert_eq!(n.target.requested_production_weight, 0.0);
    assert_eq!(
        n.sources[0].task_def.to_string(),
        Canary::revision_of(&c.source_task_def)
    );
    assert_eq!(n.sources[0].requested_production_weight, 100.0);
    let hook = n.waiting_hook().expect("a hook awaiting action");
    assert_eq!(hook.id, c.waiting_hook());
    assert_eq!(hook.timeout_action, TimeoutAction::Rollback);
    let expires = c.shim.deployment(&c.deployment).hooks[0].expires_at;
    assert_eq!(hook.expires_at, At((expires * 1000.0) as i64));

    // moto answered DescribeServices; the shim added the deploymentConfiguration back.
    assert_eq!(counter.get("DescribeServices"), 1);
    assert_eq!(c.shim.calls_of("DescribeServices").len(), 1);
    // ECS names the current deployment on the service: no ListServiceDeployments needed.
    assert_eq!(counter.get("ListServiceDeployments"), 0);
    assert_eq!(counter.get("DescribeServiceDeployments"), 1);
    assert_eq!(counter.get("DescribeServiceRevisions"), 1);
    let asked = c.shim.calls_of("DescribeServiceRevisions");
    let mut arns: Vec<&str> = asked[0]["serviceRevisionArns"]
        .as_array()
        .expect("revision ARNs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    arns.sort();
    assert_eq!(arns.len(), 2, "target and source: {arns:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_current_service_deployment_the_fleet_lists_the_newest() {
    let c = Canary::new(&moto::url(), "nat-list", false).await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    let s = c.service(&fleet).await;
    let n = s.native.expect("found through ListServiceDeployments");
    // The list holds an older SUCCESSFUL deployment too; the newest is the one in flight.
    assert_eq!(n.arn, c.deployment);
    assert_eq!(counter.get("ListServiceDeployments"), 1);
    let listed = c.shim.calls_of("ListServiceDeployments");
    assert_eq!(listed[0]["service"], json!(c.service_arn));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_sends_continue_with_the_hook_and_the_canary_goes_through_to_successful() {
    let c = Canary::new(&moto::url(), "nat-promote", true).await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));

    let first_hook = c.waiting_hook();
    let s = c.service(&fleet).await;
    let plan = for_verb(Verb::Promote, &s, std::slice::from_ref(&s), None).expect("a plan");
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueHook {
            deployment_arn: c.deployment.clone(),
            hook_id: first_hook.clone(),
            proceed: true,
        })
    );
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("promote done");
    assert_eq!(
        c.shim.calls_of("ContinueServiceDeployment"),
        vec![json!({
            "serviceDeploymentArn": c.deployment,
            "hookId": first_hook,
            "action": "CONTINUE"
        })]
    );
    assert_eq!(audit_phases(&path), vec!["before", "after"]);

    // The canary share of production traffic, baking.
    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.lifecycle_stage, LifecycleStage::ProductionTrafficShift);
    assert_eq!(n.target.requested_production_weight, seeded::CANARY_PERCENT);
    assert_eq!(
        n.hook.as_ref().map(|h| h.status.clone()),
        Some(HookStatus::Succeeded)
    );
    let bake_end = n.bake_ends_at.expect("the canary bake's end");
    let updated = c.shim.deployment(&c.deployment).updated_at;
    assert_eq!(
        bake_end,
        At((updated * 1000.0) as i64 + seeded::CANARY_BAKE_MINUTES * 60_000)
    );

    // After the bake ECS pauses again before the rest of the traffic, with a new hook.
    c.shim.skip((seeded::CANARY_BAKE_MINUTES * 60) as f64);
    let s = c.service(&fleet).await;
    let second_hook = c.waiting_hook();
    assert_ne!(second_hook, first_hook);
    let plan = for_verb(Verb::Promote, &s, std::slice::from_ref(&s), None).expect("a plan");
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("second promote done");
    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.target.requested_production_weight, 100.0);

    // The final bake, then clean-up, then done.
    c.shim.skip((seeded::BAKE_MINUTES * 60) as f64 + 60.0);
    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.status, NativeStatus::Successful);
    assert!(c.service(&fleet).await.native_in_progress().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_at_the_hook_rolls_back_and_rollback_stops_the_deployment() {
    let c = Canary::new(&moto::url(), "nat-abort", true).await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    // A place for the audit log: without one every action is refused.
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let hook = c.waiting_hook();

    let s = c.service(&fleet).await;
    let plan = for_verb(Verb::Abort, &s, std::slice::from_ref(&s), None).expect("a plan");
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("abort done");
    assert_eq!(
        c.shim.calls_of("ContinueServiceDeployment"),
        vec![json!({
            "serviceDeploymentArn": c.deployment,
            "hookId": hook,
            "action": "ROLLBACK"
        })]
    );
    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.status, NativeStatus::RollbackInProgress);
    assert!(n.rollback_reason.is_some_and(|r| r.contains(&hook)));
    assert_eq!(n.target.requested_production_weight, 0.0);
    c.shim.skip(60.0);
    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.status, NativeStatus::RollbackSuccessful);

    // R on a deployment in flight is StopServiceDeployment(ROLLBACK).
    let other = Canary::new(&moto::url(), "nat-stop", true).await;
    let fleet = other.fleet(&counter).await;
    let s = other.service(&fleet).await;
    let plan = for_verb(Verb::Rollback, &s, std::slice::from_ref(&s), None).expect("a plan");
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("rollback done");
    assert_eq!(
        other.shim.calls_of("StopServiceDeployment"),
        vec![json!({"serviceDeploymentArn": other.deployment, "stopType": "ROLLBACK"})]
    );
    assert_eq!(
        other.shim.deployment(&other.deployment).status,
        "ROLLBACK_IN_PROGRESS"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_timing_out_rolls_back_and_the_runner_refuses_the_stale_plan() {
    let c = Canary::new(&moto::url(), "nat-timeout", true).await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));
    let s = c.service(&fleet).await;
    let plan = for_verb(Verb::Promote, &s, std::slice::from_ref(&s), None).expect("a plan");

    // The dialog stays open past the hook's expiry: ECS takes the timeout action.
    c.shim.skip((seeded::HOOK_MINUTES * 60) as f64 + 1.0);
    let why = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(why.contains("changed since the dialog opened"), "{why}");
    // The hook named once, its status in words.
    let hook = plan.expect.hook.clone().expect("planned at the hook").0;
    assert!(
        why.contains(&format!("hook {hook}: awaiting action → timed out")),
        "{why}"
    );
    assert_eq!(why.matches(hook.as_str()).count(), 1, "{why}");
    assert!(why.contains("ROLLBACK_IN_PROGRESS"), "{why}");
    assert!(c.shim.calls_of("ContinueServiceDeployment").is_empty());
    assert_eq!(counter.get("ContinueServiceDeployment"), 0);
    assert_eq!(audit_phases(&path), vec!["refused"]);

    let n = c.service(&fleet).await.native.expect("native");
    assert_eq!(n.status, NativeStatus::RollbackInProgress);
    assert_eq!(n.hook.map(|h| h.status), Some(HookStatus::TimedOut));
    assert!(n.rollback_reason.is_some_and(|r| r.contains("timed out")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_expired_hook_is_answered_with_ecs_errors() {
    let c = Canary::new(&moto::url(), "nat-errors", true).await;
    let ecs = c.ecs().await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;

    let wrong = ecs
        .continue_service_deployment()
        .service_deployment_arn(&c.deployment)
        .hook_id("no-such-hook")
        .action(DeploymentLifecycleHookAction::Continue)
        .send()
        .await
        .expect_err("a wrong hook id");
    assert!(
        wrong
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{wrong:?}"
    );
    // Through the fleet it names the call.
    let key = c.key();
    let e = fleet
        .act(
            &key,
            &AwsCall::ContinueHook {
                deployment_arn: c.deployment.clone(),
                hook_id: "no-such-hook".into(),
                proceed: true,
            },
        )
        .await
        .expect_err("a wrong hook id");
    assert!(
        e.message
            .starts_with("ecs:ContinueServiceDeployment: InvalidParameterException"),
        "{e}"
    );

    let missing = ecs
        .continue_service_deployment()
        .service_deployment_arn(format!("{}-gone", c.deployment))
        .hook_id(c.waiting_hook())
        .send()
        .await
        .expect_err("an unknown deployment");
    assert!(
        missing
            .as_service_error()
            .is_some_and(|e| e.is_service_deployment_not_found_exception()),
        "{missing:?}"
    );

    let hook = c.waiting_hook();
    c.shim.skip((seeded::HOOK_MINUTES * 60) as f64 + 1.0);
    let expired = ecs
        .continue_service_deployment()
        .service_deployment_arn(&c.deployment)
        .hook_id(&hook)
        .action(DeploymentLifecycleHookAction::Continue)
        .send()
        .await
        .expect_err("an expired hook");
    let err = expired.as_service_error().expect("a service error");
    assert!(err.is_client_exception(), "{expired:?}");
    assert!(
        aws_smithy_types::error::metadata::ProvideErrorMetadata::message(err)
            .is_some_and(|m| m.contains("TIMED_OUT")),
        "{expired:?}"
    );

    // Stopping a deployment that is no longer in flight is a conflict.
    c.shim.skip(60.0);
    let stop = ecs
        .stop_service_deployment()
        .service_deployment_arn(&c.deployment)
        .stop_type(aws_sdk_ecs::types::StopServiceDeploymentStopType::Rollback)
        .send()
        .await
        .expect_err("a finished deployment");
    assert!(
        stop.as_service_error()
            .is_some_and(|e| e.is_conflict_exception()),
        "{stop:?}"
    );
}
