//! The ECS-deployments shim's state machine (tests/support/shim), on its own clock: the paths
//! the live tests through it do not take (a hook timing out with CONTINUE, a STOP of type
//! ABORT), and the whole canary in one run, so what the shim claims to model is checked.

use crate::support::shim::deployments::{
    CLEAN_UP_SECS, CanarySpec, Deployment, ROLLBACK_SECS, SHIFT_SECS,
};

const T0: f64 = 1_800_000_000.0;

fn canary(timeout_action: &str) -> Deployment {
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
