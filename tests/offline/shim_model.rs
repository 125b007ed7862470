//! The ECS-deployments shim's state machine (tests/support/shim), on its own clock: the paths
//! the live tests through it do not take (a hook timing out with CONTINUE, a STOP of type
//! ABORT), the whole canary, LINEAR and BLUE_GREEN deployments in one run each, and the
//! CodeDeploy deployments it keeps, so what the shim claims to model is checked.

use crate::support::shim::deployments::{
    CLEAN_UP_SECS, CanarySpec, Deployment, ROLLBACK_SECS, SHIFT_SECS,
};

const T0: f64 = 1_800_000_000.0;

fn canary(timeout_action: &str) -> Deployment {
    native("CANARY", timeout_action)
}

fn native(strategy: &'static str, timeout_action: &str) -> Deployment {
    let spec = CanarySpec {
        cluster: "prod".into(),
        service: "web".into(),
        service_arn: "arn:aws:ecs:us-east-1:123456789012:service/prod/web".into(),
        source_task_def: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7".into(),
        source_image: "web:v7".into(),
        source_digest: "sha256:77".into(),
        target_task_def: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:8".into(),
        target_image: "web:v8".into(),
        target_digest: "sha256:88".into(),
        tasks: 4,
        canary_percent: 10.0,
        canary_bake_minutes: 15,
        bake_minutes: 10,
        hook_timeout_minutes: 30,
        timeout_action: timeout_action.into(),
        name_current: true,
        strategy,
        step_percent: 25.0,
        step_bake_minutes: 3,
    };
    let arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/ABC".to_string();
    Deployment::paused(arn, spec, ("rev-8".into(), "rev-7".into()), T0)
}

fn stage(d: &Deployment) -> (&'static str, &'static str, f64) {
    (d.status, d.stage, d.target_weight)
}

#[test]
fn a_canary_pauses_before_each_shift_and_ends_successful() {
    let mut d = canary("ROLLBACK");
    assert_eq!(
        stage(&d),
        ("IN_PROGRESS", "PRE_PRODUCTION_TRAFFIC_SHIFT", 0.0)
    );
    let first = d.waiting_hook().expect("the first pause").clone();
    assert_eq!(first.expires_at, T0 + 30.0 * 60.0);

    d.answer(&first.id, "CONTINUE", T0 + 60.0)
        .expect("continue");
    assert_eq!(stage(&d), ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 10.0));
    // The canary bakes for 15 minutes from the shift, then ECS pauses again.
    d.settle(T0 + 60.0 + 15.0 * 60.0 - 1.0);
    assert_eq!(d.stage, "PRODUCTION_TRAFFIC_SHIFT");
    d.settle(T0 + 60.0 + 15.0 * 60.0);
    let second = d.waiting_hook().expect("the second pause").clone();
    assert_ne!(second.id, first.id);
    assert_eq!(
        stage(&d),
        ("IN_PROGRESS", "PRE_PRODUCTION_TRAFFIC_SHIFT", 10.0)
    );

    let at = T0 + 2_000.0;
    d.answer(&second.id, "CONTINUE", at).expect("continue");
    assert_eq!(d.target_weight, 100.0);
    d.settle(at + SHIFT_SECS);
    assert_eq!(d.stage, "BAKE_TIME");
    d.settle(at + SHIFT_SECS + 10.0 * 60.0);
    assert_eq!(d.stage, "CLEAN_UP");
    d.settle(at + SHIFT_SECS + 10.0 * 60.0 + CLEAN_UP_SECS);
    assert_eq!(d.status, "SUCCESSFUL");
    let body = d.describe();
    assert_eq!(body["targetServiceRevision"]["runningTaskCount"], 4);
    assert_eq!(body["sourceServiceRevisions"][0]["runningTaskCount"], 0);
    assert_eq!(
        body["finishedAt"],
        at + SHIFT_SECS + 10.0 * 60.0 + CLEAN_UP_SECS
    );
}

#[test]
fn a_hook_timing_out_takes_its_timeout_action() {
    let mut d = canary("CONTINUE");
    d.settle(T0 + 30.0 * 60.0);
    assert_eq!(d.hooks[0].status, "TIMED_OUT");
    assert_eq!(stage(&d), ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 10.0));

    let mut d = canary("ROLLBACK");
    d.settle(T0 + 30.0 * 60.0 + ROLLBACK_SECS - 1.0);
    assert_eq!(d.hooks[0].status, "TIMED_OUT");
    assert_eq!(d.status, "ROLLBACK_IN_PROGRESS");
    assert_eq!(d.target_weight, 0.0);
    d.settle(T0 + 30.0 * 60.0 + ROLLBACK_SECS);
    assert_eq!(d.status, "ROLLBACK_SUCCESSFUL");
    assert_eq!(d.describe()["rollback"]["serviceRevisionArn"], "rev-7");
}

#[test]
fn wrong_answers_get_the_error_types_of_the_sdk_model() {
    let mut d = canary("ROLLBACK");
    let hook = d.waiting_hook().expect("a pause").id.clone();
    let e = d.answer("nope", "CONTINUE", T0).expect_err("no such hook");
    assert_eq!(e.code, "InvalidParameterException");
    d.answer(&hook, "ROLLBACK", T0).expect("roll back");
    let e = d
        .answer(&hook, "CONTINUE", T0)
        .expect_err("answered already");
    assert_eq!(e.code, "ClientException");
    assert!(
        e.body().contains(r#""__type":"ClientException""#),
        "{}",
        e.body()
    );
    let e = d.stop("ROLLBACK", T0).expect_err("rolling back already");
    assert_eq!(e.code, "ConflictException");

    let mut d = canary("ROLLBACK");
    d.stop("ABORT", T0 + 5.0).expect("abort");
    assert_eq!(d.status, "STOPPED");
    assert_eq!(d.hooks[0].status, "FAILED");
}

#[test]
fn a_linear_deployment_pauses_before_each_step_of_its_percentage() {
    let mut d = native("LINEAR", "ROLLBACK");
    let mut at = T0;
    for want in [25.0, 50.0, 75.0, 100.0] {
        assert_eq!(d.stage, "PRE_PRODUCTION_TRAFFIC_SHIFT");
        let hook = d.waiting_hook().expect("a pause before each step").clone();
        at += 30.0;
        d.answer(&hook.id, "CONTINUE", at).expect("continue");
        assert_eq!(stage(&d), ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", want));
        if want < 100.0 {
            // Each step bakes 3 minutes before the next pause.
            at += 3.0 * 60.0;
            d.settle(at);
        }
    }
    d.settle(at + SHIFT_SECS + 10.0 * 60.0 + CLEAN_UP_SECS);
    assert_eq!(d.status, "SUCCESSFUL");
    assert_eq!(d.hooks.len(), 4, "one hook a step");
}

#[test]
fn a_blue_green_deployment_pauses_in_test_traffic_then_switches_production_at_once() {
    let mut d = native("BLUE_GREEN", "ROLLBACK");
    assert_eq!(stage(&d), ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", 0.0));
    let desc = d.describe();
    assert_eq!(
        desc["targetServiceRevision"]["requestedTestTrafficWeight"],
        100.0
    );
    assert_eq!(desc["lifecycleHookDetails"][0]["status"], "AWAITING_ACTION");
    let hook = d.waiting_hook().expect("the test-traffic gate").clone();
    d.answer(&hook.id, "CONTINUE", T0 + 60.0).expect("switch");
    assert_eq!(
        stage(&d),
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 100.0)
    );
    d.settle(T0 + 60.0 + SHIFT_SECS);
    assert_eq!(d.stage, "BAKE_TIME");
    d.settle(T0 + 60.0 + SHIFT_SECS + 10.0 * 60.0 + CLEAN_UP_SECS);
    assert_eq!(d.status, "SUCCESSFUL");

    // Aborted in test traffic: nothing ever reached production.
    let mut d = native("BLUE_GREEN", "ROLLBACK");
    let hook = d.waiting_hook().expect("the gate").clone();
    d.answer(&hook.id, "ROLLBACK", T0 + 10.0)
        .expect("roll back");
    assert_eq!((d.status, d.target_weight), ("ROLLBACK_IN_PROGRESS", 0.0));
    d.settle(T0 + 10.0 + ROLLBACK_SECS);
    assert_eq!(d.status, "ROLLBACK_SUCCESSFUL");
}

mod codedeploy {
    use crate::support::shim::codedeploy::{AFTER_SHIFT_SECS, CdDeployment, CdSpec};

    const T0: f64 = 1_800_000_000.0;

    fn spec(linear: bool) -> CdSpec {
        CdSpec {
            application: "app".into(),
            group: "dg".into(),
            cluster: "prod".into(),
            service: "web".into(),
            service_arn: "arn:aws:ecs:us-east-1:123456789012:service/prod/web".into(),
            config: "CodeDeployDefault.ECSCanary10Percent5Minutes".into(),
            step_percent: 10.0,
            step_minutes: 5.0,
            linear,
            ready_wait_minutes: 30.0,
            termination_wait_minutes: 5.0,
            original_task_set: "ecs-svc/1".into(),
            replacement_task_set: "ecs-svc/2".into(),
            original_target_group: "blue".into(),
            replacement_target_group: "green".into(),
            tasks: 2,
            task_def: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:8".into(),
        }
    }

    fn error(r: Result<(), crate::support::shim::wire::AwsError>) -> &'static str {
        r.expect_err("an error").code
    }

    #[test]
    fn a_canary_is_rerouted_shifted_and_terminated_on_the_shims_clock() {
        let mut d = CdDeployment::ready("d-1".into(), spec(false), T0);
        assert_eq!((d.status, d.weight), ("Ready", 0.0));
        assert_eq!(
            error(d.continue_("TERMINATION_WAIT", T0)),
            "InvalidDeploymentWaitTypeException"
        );
        d.continue_("READY_WAIT", T0 + 10.0).expect("rerouted");
        assert_eq!((d.status, d.weight), ("InProgress", 10.0));
        assert_eq!(
            error(d.continue_("READY_WAIT", T0 + 11.0)),
            "DeploymentIsNotInReadyStateException"
        );
        d.settle(T0 + 10.0 + 5.0 * 60.0);
        assert_eq!(d.weight, 100.0);
        d.settle(T0 + 10.0 + 5.0 * 60.0 + AFTER_SHIFT_SECS);
        assert!(d.termination_wait);
        let target = d.target();
        let events = &target["deploymentTarget"]["ecsTarget"]["lifecycleEvents"];
        assert_eq!(events[7]["status"], "Succeeded");
        d.settle(T0 + 10.0 + 5.0 * 60.0 + AFTER_SHIFT_SECS + 5.0 * 60.0);
        assert_eq!(d.status, "Succeeded");
        assert_eq!(
            error(d.continue_("TERMINATION_WAIT", T0 + 4000.0)),
            "DeploymentAlreadyCompletedException"
        );
    }

    #[test]
    fn a_linear_one_moves_a_step_at_a_time_and_a_stop_rolls_the_traffic_back() {
        let mut d = CdDeployment::ready("d-2".into(), spec(true), T0);
        d.continue_("READY_WAIT", T0).expect("rerouted");
        d.settle(T0 + 3.0 * 5.0 * 60.0);
        assert_eq!(d.weight, 40.0);
        let answer = d.stop(true, T0 + 1000.0).expect("stopped");
        assert_eq!(answer["status"], "Succeeded");
        assert_eq!((d.status, d.weight), ("Stopped", 0.0));
        assert!(d.rollback.is_some());
        assert_eq!(
            d.stop(true, T0 + 1001.0).expect_err("again").code,
            "DeploymentAlreadyCompletedException"
        );
    }

    #[test]
    fn nobody_rerouting_in_time_stops_the_deployment() {
        let mut d = CdDeployment::ready("d-3".into(), spec(false), T0);
        d.settle(T0 + 30.0 * 60.0);
        assert_eq!(d.status, "Stopped");
        assert!(d.error.as_deref().is_some_and(|e| e.contains("timed out")));
    }
}
