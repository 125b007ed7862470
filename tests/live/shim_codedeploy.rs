//! A CODE_DEPLOY service on the AWS path, through the fleet and the action runner: moto serves
//! the cluster, task definitions, target groups, the service with its task sets, and the
//! CodeDeploy application and deployment group; the shim in front of it serves what moto's
//! CodeDeploy lacks (the deployment target, ContinueDeployment, StopDeployment, a deployment
//! that moves on a clock the test controls). The fleet runs with the shipped defaults.

use crate::support::action::run_action;
use crate::support::counting::CallCounter;
use crate::support::moto;
use crate::support::shim::cd_seeded::{self, CodeDeployed};
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{
    ActionError, AwsCall, CdStatus, CdWait, ContextInfo, DeploymentController, Mutation,
    ReadyAction, Refusal, Service, ServiceKey, TaskSetStatus, Verb,
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

impl CodeDeployed {
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
            .expect("the CODE_DEPLOY service")
    }

    fn plan(&self, verb: Verb, s: &Service) -> Result<deckwatch::model::ActionPlan, Refusal> {
        for_verb(verb, s, std::slice::from_ref(s), None)
    }
}

fn audit() -> (tempfile::TempDir, Arc<Audit>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    (dir, audit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_reads_a_canary_waiting_for_reroute_with_its_task_sets_and_events() {
    let c = CodeDeployed::new(&moto::url(), "cd-show").await;
    let counter = CallCounter::default();
    let fleet = c.fleet(&counter).await;
    let s = c.service(&fleet).await;

    assert_eq!(s.controller, DeploymentController::CodeDeploy);
    assert_eq!(s.task_sets.len(), 2, "{:?}", s.task_sets);
    assert_eq!(s.task_sets[0].status, TaskSetStatus::Primary);
    assert_eq!(s.task_sets[0].task_def.to_string(), c.original);
    assert_eq!(s.task_sets[0].image_tag, "v41");
    assert_eq!(s.task_sets[1].task_def.to_string(), c.replacement);
    assert_eq!(s.task_sets[1].external_id, c.deployment);
    assert_eq!(
        (s.task_sets[1].desired, s.task_sets[1].running),
        (cd_seeded::TASKS, cd_seeded::TASKS)
    );

    let cd = s.codedeploy.as_ref().expect("the group that deploys it");
    assert_eq!(cd.group.application, c.application);
    assert_eq!(cd.group.name, c.group);
    assert_eq!(cd.group.config, cd_seeded::CANARY);
    assert_eq!((cd.group.container.as_str(), cd.group.port), ("app", 80));
    assert_eq!(
        cd.group.ready_wait,
        Some((cd_seeded::READY_WAIT_MINUTES as u32, ReadyAction::Stop))
    );
    assert_eq!(
        cd.group.termination_wait,
        Some(cd_seeded::TERMINATION_WAIT_MINUTES as u32)
    );
    let d = cd.deployment.as_ref().expect("the deployment in flight");
    assert_eq!(d.id, c.deployment);
    assert_eq!(d.status, CdStatus::Ready);
    assert_eq!(d.task_def.to_string(), c.replacement);
    assert_eq!(d.replacement_weight(), Some(0.0));
    assert_eq!(d.original().map(|o| o.weight), Some(100.0));
    assert_eq!(d.events.len(), 8);
    assert_eq!(d.waiting(), Some(CdWait::Reroute));
    assert!(
        s.in_progress(),
        "a deployment in flight is a rollout in progress"
    );
    assert_eq!(s.target_revision(), d.task_def.revision);

    // The groups were read once (moto: one GetDeploymentGroup per group, and other tests'
    // are in the shared moto too), the deployment and its target once (the shim).
    for op in [
        "ListApplications",
        "ListDeployments",
        "GetDeployment",
        "GetDeploymentTarget",
    ] {
        assert_eq!(counter.get(op), 1, "{op}");
    }
    let groups = counter.get("GetDeploymentGroup");
    assert!(groups >= 1);
    assert!(counter.get("ListDeploymentGroups") >= 1);
    let _ = c.service(&fleet).await;
    assert_eq!(counter.get("ListApplications"), 1, "the groups are kept");
    assert_eq!(counter.get("GetDeploymentGroup"), groups);
    assert_eq!(counter.get("GetDeploymentTarget"), 2);
    assert_eq!(
        c.shim.calls_of("GetDeploymentTarget")[0],
        json!({ "deploymentId": c.deployment, "targetId": format!("{}:{}", c.cluster, c.service) })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_reroutes_the_canary_then_ends_the_termination_wait() {
    let c = CodeDeployed::new(&moto::url(), "cd-promote").await;
    let fleet = c.fleet(&CallCounter::default()).await;
    let (_dir, audit) = audit();

    let s = c.service(&fleet).await;
    let plan = c.plan(Verb::Promote, &s).expect("a plan");
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueCodeDeploy {
            deployment_id: c.deployment.clone(),
            wait: CdWait::Reroute,
        })
    );
    // The dialog names the deployment and the configuration.
    let text = format!("{} {:?}", plan.mutation, plan.changes);
    assert!(
        text.contains(&c.deployment) && text.contains(cd_seeded::CANARY),
        "{text}"
    );
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("rerouted");
    assert_eq!(
        c.shim.calls_of("ContinueDeployment"),
        vec![json!({ "deploymentId": c.deployment, "deploymentWaitType": "READY_WAIT" })]
    );

    // The canary share, then the rest after its 5 minutes.
    let d = c
        .service(&fleet)
        .await
        .codedeploy
        .and_then(|c| c.deployment)
        .expect("d");
    assert_eq!(
        (d.status.clone(), d.replacement_weight()),
        (CdStatus::InProgress, Some(10.0))
    );
    assert_eq!(d.waiting(), None);
    let s = c.service(&fleet).await;
    assert!(
        matches!(
            c.plan(Verb::Promote, &s),
            Err(Refusal::CodeDeployWaitsForNothing { .. })
        ),
        "nothing waits while the traffic moves"
    );
    c.shim.skip(5.0 * 60.0);
    let d = c
        .service(&fleet)
        .await
        .codedeploy
        .and_then(|c| c.deployment)
        .expect("d");
    assert_eq!(d.replacement_weight(), Some(100.0));
    c.shim.skip(10.0);

    // All the traffic moved: the original waits for termination, and P ends the wait.
    let s = c.service(&fleet).await;
    let d = s.cd_in_flight().expect("in flight").clone();
    assert_eq!(d.waiting(), Some(CdWait::Termination));
    let plan = c.plan(Verb::Promote, &s).expect("a plan");
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::ContinueCodeDeploy {
            deployment_id: c.deployment.clone(),
            wait: CdWait::Termination,
        })
    );
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("terminated");
    let calls = c.shim.calls_of("ContinueDeployment");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["deploymentWaitType"], "TERMINATION_WAIT");
    let s = c.service(&fleet).await;
    let d = s
        .codedeploy
        .and_then(|c| c.deployment)
        .expect("the last deployment");
    assert_eq!(d.status, CdStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_stops_with_rollback_and_codedeploy_refuses_a_second_stop() {
    let c = CodeDeployed::new(&moto::url(), "cd-abort").await;
    let fleet = c.fleet(&CallCounter::default()).await;
    let (_dir, audit) = audit();
    let s = c.service(&fleet).await;
    let plan = c.plan(Verb::Abort, &s).expect("a plan");
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::StopCodeDeploy {
            deployment_id: c.deployment.clone()
        })
    );
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("stopped");
    assert_eq!(
        c.shim.calls_of("StopDeployment"),
        vec![json!({ "deploymentId": c.deployment, "autoRollbackEnabled": true })]
    );
    let s = c.service(&fleet).await;
    let d = s
        .codedeploy
        .as_ref()
        .and_then(|c| c.deployment.clone())
        .expect("d");
    assert_eq!(d.status, CdStatus::Stopped);
    assert_eq!(d.replacement_weight(), Some(0.0));
    assert!(d.rollback.is_some());
    assert!(matches!(
        c.plan(Verb::Abort, &s),
        Err(Refusal::NoRollout(_))
    ));

    // CodeDeploy's own answer to a stop of a finished deployment, as the SDK models it.
    let cd = aws_sdk_codedeploy::Client::new(&moto::sdk_config(&c.shim.url()).await);
    let e = cd
        .stop_deployment()
        .deployment_id(&c.deployment)
        .send()
        .await
        .expect_err("already completed");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_deployment_already_completed_exception()),
        "{e:?}"
    );
    let e = cd
        .continue_deployment()
        .deployment_id(&c.deployment)
        .send()
        .await
        .expect_err("already completed");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_deployment_already_completed_exception()),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_that_moved_on_since_the_dialog_opened_is_refused_and_nothing_is_sent() {
    let c = CodeDeployed::new(&moto::url(), "cd-moved").await;
    let fleet = c.fleet(&CallCounter::default()).await;
    let (_dir, audit) = audit();
    let s = c.service(&fleet).await;
    let plan = c.plan(Verb::Promote, &s).expect("a plan");
    // Nobody rerouted in time: the ready wait ends and CodeDeploy stops the deployment.
    c.shim
        .skip(f64::from(cd_seeded::READY_WAIT_MINUTES) * 60.0 + 1.0);
    let e = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused");
    match &e {
        ActionError::Changed { changes, .. } => {
            assert!(
                changes
                    .iter()
                    .any(|c| c.starts_with("CodeDeploy deployment")),
                "{changes:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        c.shim.calls_of("ContinueDeployment").is_empty(),
        "nothing was sent"
    );

    // The wrong wait type and a reroute of a deployment not ready, as CodeDeploy answers them.
    let cd = aws_sdk_codedeploy::Client::new(&moto::sdk_config(&c.shim.url()).await);
    let second = CodeDeployed::new(&moto::url(), "cd-wait").await;
    let cd2 = aws_sdk_codedeploy::Client::new(&moto::sdk_config(&second.shim.url()).await);
    let e = cd2
        .continue_deployment()
        .deployment_id(&second.deployment)
        .deployment_wait_type(aws_sdk_codedeploy::types::DeploymentWaitType::TerminationWait)
        .send()
        .await
        .expect_err("not in termination wait");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_invalid_deployment_wait_type_exception()),
        "{e:?}"
    );
    second.shim.cd(&second.deployment);
    cd2.continue_deployment()
        .deployment_id(&second.deployment)
        .deployment_wait_type(aws_sdk_codedeploy::types::DeploymentWaitType::ReadyWait)
        .send()
        .await
        .expect("rerouted");
    let e = cd2
        .continue_deployment()
        .deployment_id(&second.deployment)
        .deployment_wait_type(aws_sdk_codedeploy::types::DeploymentWaitType::ReadyWait)
        .send()
        .await
        .expect_err("no longer ready");
    assert!(
        e.as_service_error()
            .is_some_and(|e| e.is_deployment_is_not_in_ready_state_exception()),
        "{e:?}"
    );
    drop(cd);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_a_deployment_creates_one_of_the_last_stable_revision_from_an_appspec() {
    let c = CodeDeployed::new(&moto::url(), "cd-redeploy").await;
    let fleet = c.fleet(&CallCounter::default()).await;
    let (_dir, audit) = audit();
    let s = c.service(&fleet).await;
    run_action(
        &fleet,
        &audit,
        &c.plan(Verb::Abort, &s).expect("abort"),
        &context(),
    )
    .await
    .expect("stopped");

    // Nothing in flight: R deploys the revision below the current one through CodeDeploy.
    let s = c.service(&fleet).await;
    assert_eq!(s.task_def.to_string(), c.original);
    let plan = c.plan(Verb::Rollback, &s).expect("a plan");
    let Mutation::Aws(AwsCall::CreateCodeDeploy {
        application,
        group,
        appspec,
    }) = &plan.mutation
    else {
        panic!("{:?}", plan.mutation);
    };
    assert_eq!((application, group), (&c.application, &c.group));
    let spec: Value = serde_json::from_str(appspec).expect("the AppSpec is JSON");
    let props = &spec["Resources"][0]["TargetService"]["Properties"];
    assert_eq!(
        props["TaskDefinition"],
        json!(format!(
            "arn:aws:ecs:{}:{}:task-definition/{}",
            moto::REGION,
            moto::ACCOUNT,
            c.earlier
        ))
    );
    assert_eq!(
        props["LoadBalancerInfo"],
        json!({ "ContainerName": "app", "ContainerPort": 80 })
    );
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("created");
    let created = c.shim.calls_of("CreateDeployment");
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["revision"]["appSpecContent"]["content"],
        json!(appspec)
    );
    // The new deployment is the one in flight now; UpdateService was never called.
    let s = c.service(&fleet).await;
    let d = s.cd_in_flight().expect("the new deployment");
    assert_ne!(d.id, c.deployment);
    assert_eq!(d.task_def.to_string(), c.earlier);
    assert!(c.shim.calls_of("UpdateService").is_empty());
    // F cannot force a CodeDeploy service through UpdateService.
    assert!(matches!(
        c.plan(Verb::ForceDeploy, &s),
        Err(Refusal::ForceOnCodeDeploy(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_registers_the_image_then_deploys_it_through_codedeploy_not_update_service() {
    let c = CodeDeployed::new(&moto::url(), "cd-deploy").await;
    let fleet = c.fleet(&CallCounter::default()).await;
    let (_dir, audit) = audit();
    // The canary in flight stopped first: a group runs one deployment at a time.
    let s = c.service(&fleet).await;
    run_action(
        &fleet,
        &audit,
        &c.plan(Verb::Abort, &s).expect("abort"),
        &context(),
    )
    .await
    .expect("stopped");
    let s = c.service(&fleet).await;
    let family = s.task_def.family.clone();
    let digest = format!("sha256:{}", "9".repeat(64));
    let image = deckwatch::model::Image {
        repository: family.clone(),
        tags: vec!["v43".into()],
        digest: digest.clone(),
        pushed_at: At(0),
        size_bytes: 1,
        findings: None,
        used_by: vec![],
    };
    let plan = deckwatch::state::builds::plan::deploy(&s, &image, std::slice::from_ref(&image))
        .expect("a deploy plan");
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("deployed");
    // Registered as the next revision, then a CodeDeploy deployment of it: never UpdateService.
    let created = c.shim.calls_of("CreateDeployment");
    assert_eq!(created.len(), 1, "{created:?}");
    let content = created[0]["revision"]["appSpecContent"]["content"]
        .as_str()
        .expect("an AppSpec");
    let spec: Value = serde_json::from_str(content).expect("JSON");
    let td = spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
        .as_str()
        .expect("a task definition ARN");
    assert!(td.ends_with(&format!("task-definition/{family}:4")), "{td}");
    assert!(c.shim.calls_of("UpdateService").is_empty());
    assert_eq!(c.shim.calls_of("RegisterTaskDefinition").len(), 1);
    let s = c.service(&fleet).await;
    let d = s.cd_in_flight().expect("the deployment of the image");
    assert_eq!(d.task_def.to_string(), format!("{family}:4"));
}
