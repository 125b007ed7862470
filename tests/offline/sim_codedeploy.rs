//! The demo's CODE_DEPLOY service and its native LINEAR one over simulated time (tokio's paused
//! clock): the runner re-reads, checks, audits and calls, and the demo moves as CodeDeploy and
//! ECS would.

use crate::support::testkit::EPOCH;
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::Ms;
use deckwatch::model::{
    AwsCall, CdStatus, CdWait, ContextInfo, DeploymentController, Mutation, Service, Strategy, Verb,
};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner::execute;
use std::time::Duration;
use tokio::time::advance;

async fn service(f: &dyn Fleet, name: &str) -> Service {
    f.services()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
}

async fn run_for(secs: u64) {
    advance(Duration::from_secs(secs)).await;
}

fn ctx() -> ContextInfo {
    ContextInfo {
        name: "demo".into(),
        ..Default::default()
    }
}

fn audit() -> (tempfile::TempDir, Audit) {
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    (dir, audit)
}

#[tokio::test(start_paused = true)]
async fn the_demos_codedeploy_canary_is_rerouted_shifted_and_ends_its_termination_wait() {
    let fleet = SimFleet::new(EPOCH);
    let (_dir, audit) = audit();
    run_for(5).await;
    let s = service(&fleet, "cart").await;
    assert_eq!(s.controller, DeploymentController::CodeDeploy);
    assert_eq!(s.task_sets.len(), 2);
    assert!(s.deployments.is_empty(), "task sets, not deployments");
    assert_eq!((s.running, s.desired), (6, 3), "both task sets run");
    let d = s.cd_in_flight().unwrap().clone();
    assert_eq!(d.status, CdStatus::Ready);
    assert_eq!(d.waiting(), Some(CdWait::Reroute));
    let cd = s.codedeploy.clone().unwrap();
    assert!(d.wait_ends_at(&cd.group).unwrap() > EPOCH + Ms(5_000));

    let plan = for_verb(Verb::Promote, &s, &[], None).unwrap();
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueCodeDeploy {
            deployment_id: d.id.clone(),
            wait: CdWait::Reroute
        })
    );
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    let d = service(&fleet, "cart")
        .await
        .cd_in_flight()
        .unwrap()
        .clone();
    assert_eq!(
        (d.status.clone(), d.replacement_weight()),
        (CdStatus::InProgress, Some(10.0))
    );

    run_for(5 * 60 + 10).await; // the canary's five minutes, then AfterAllowTraffic
    let s = service(&fleet, "cart").await;
    let d = s.cd_in_flight().unwrap().clone();
    assert_eq!(d.replacement_weight(), Some(100.0));
    assert_eq!(d.waiting(), Some(CdWait::Termination));
    let plan = for_verb(Verb::Promote, &s, &[], None).unwrap();
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();

    run_for(2).await;
    let s = service(&fleet, "cart").await;
    let last = s.codedeploy.as_ref().unwrap().deployment.as_ref().unwrap();
    assert_eq!(last.status, CdStatus::Succeeded);
    assert_eq!(s.task_sets.len(), 1, "the original task set is gone");
    assert_eq!(s.task_def, d.task_def);
    assert!(s.is_stable());
    // Its history says so, and the next deployment comes by itself.
    let past = fleet.deployment_history(&s.key()).await.unwrap();
    assert_eq!(past[0].id, d.id);
    run_for(95).await;
    let s = service(&fleet, "cart").await;
    assert_eq!(
        s.cd_in_flight().map(|d| d.status.clone()),
        Some(CdStatus::Ready)
    );
}

#[tokio::test(start_paused = true)]
async fn aborting_the_demos_codedeploy_canary_stops_it_and_keeps_the_original() {
    let fleet = SimFleet::new(EPOCH);
    let (_dir, audit) = audit();
    run_for(5).await;
    let s = service(&fleet, "cart").await;
    let original = s.task_def.clone();
    let plan = for_verb(Verb::Abort, &s, &[], None).unwrap();
    assert!(matches!(
        plan.mutation,
        Mutation::Aws(AwsCall::StopCodeDeploy { .. })
    ));
    execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    run_for(2).await;
    let s = service(&fleet, "cart").await;
    let d = s.codedeploy.as_ref().unwrap().deployment.clone().unwrap();
    assert_eq!(d.status, CdStatus::Stopped);
    assert_eq!(d.replacement_weight(), Some(0.0));
    assert_eq!(s.task_def, original);
    assert_eq!(s.task_sets.len(), 1);
    // Pressed again, CodeDeploy's answer: the deployment is finished.
    let again = fleet
        .act(
            &s.key(),
            &AwsCall::StopCodeDeploy {
                deployment_id: d.id.clone(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        again
            .message
            .contains("DeploymentAlreadyCompletedException"),
        "{again}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_demos_linear_deployment_pauses_before_each_step_and_promotes_step_by_step() {
    let fleet = SimFleet::new(EPOCH);
    let (_dir, audit) = audit();
    run_for(5).await;
    for want in [25.0, 50.0, 75.0, 100.0] {
        let s = service(&fleet, "inventory").await;
        let n = s.native.clone().unwrap();
        assert_eq!(n.strategy, Strategy::Linear);
        assert!(
            n.waiting_hook().is_some(),
            "a pause before the {want}% step"
        );
        let plan = for_verb(Verb::Promote, &s, &[], None).unwrap();
        execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
        let n = service(&fleet, "inventory").await.native.unwrap();
        assert_eq!(n.target.requested_production_weight, want);
        run_for(65).await; // the step's bake
    }
    run_for(120).await;
    let n = service(&fleet, "inventory").await.native.unwrap();
    assert_eq!(n.status.to_string(), "SUCCESSFUL");
}

#[tokio::test(start_paused = true)]
async fn d_on_the_codedeploy_service_registers_the_image_then_creates_a_deployment_of_it() {
    let fleet = SimFleet::new(EPOCH);
    let (_dir, audit) = audit();
    run_for(5).await;
    // The waiting canary out of the way first: one deployment at a time per group.
    let s = service(&fleet, "cart").await;
    let stop = for_verb(Verb::Abort, &s, &[], None).unwrap();
    execute(&fleet, &audit, &stop, &ctx()).await.unwrap();
    let s = service(&fleet, "cart").await;
    let images = fleet.images().await.unwrap();
    let image = images
        .iter()
        .find(|i| i.repository == "cart" && !i.tags.contains(&s.image_tag))
        .unwrap();
    let plan = deckwatch::state::builds::plan::deploy(&s, image, &images).unwrap();
    assert!(matches!(
        plan.mutation,
        Mutation::Aws(AwsCall::RegisterTaskDefinition { .. })
    ));
    let then = &plan.then[0].mutation;
    assert!(
        matches!(
            then,
            Mutation::Aws(AwsCall::CreateCodeDeployToRegistered { .. })
        ),
        "{then:?}"
    );
    // The dialog shows the AppSpec and says which revision it expects.
    assert!(
        then.to_string().contains("\"ContainerName\":\"app\""),
        "{then}"
    );
    let done = execute(&fleet, &audit, &plan, &ctx()).await.unwrap();
    assert!(done.contains("registered"), "{done}");
    let s = service(&fleet, "cart").await;
    let d = s.cd_in_flight().unwrap();
    assert_eq!(d.task_def.family, "cart");
    assert!(d.task_def.revision > s.task_def.revision);
    assert_eq!(
        d.status,
        CdStatus::Ready,
        "the new deployment waits for reroute"
    );
}
