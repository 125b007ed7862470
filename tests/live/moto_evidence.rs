//! Evidence against moto server: load-balancer figures of two target groups judged against
//! each other, alarms on the service rows by their metric dimensions, a deployment history
//! from what moto's DescribeServices serves, and `R` after a simulated circuit-breaker rollback
//! going to the last stable revision (through the real runner and UpdateService).
//!
//! Run with `scripts/moto.sh cargo test --test live moto_evidence`.
//!
//! What moto does: `GetMetricData` sums what `PutMetricData` put, but answers percentile
//! statistics (p50, p99) with an HTTP 500, so the percentiles are checked on replayed AWS
//! bodies instead (tests/offline/sdk_replay_evidence.rs) and here they are unavailable while
//! the counts still show. Deployments never move in moto, so the breaker's rollback is
//! simulated in the services the console is given.

use crate::support::action::run_action;
use crate::support::testkit::{Feed, StateBuilder};
use crate::support::{moto, seed};
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StateValue, Statistic,
};
use aws_sdk_elasticloadbalancingv2::types::{
    Action as ElbAction, ActionTypeEnum, ForwardActionConfig, ProtocolEnum, TargetGroupTuple,
};
use aws_smithy_types::DateTime;
use deckwatch::cloud::Fleet;
use deckwatch::model::alarm_link::{load_balancer_dimension, target_group_dimension};
use deckwatch::model::evidence::{AlbQuery, Judgement, judge_5xx, judge_p99};
use deckwatch::model::{At, Ms};
use deckwatch::model::{
    AwsCall, ContextInfo, DeploymentStatus, LinkReason, Mutation, RolloutState, Service,
    ServiceKey, link_alarms,
};
use deckwatch::state::State;
use deckwatch::workers::audit::Audit;
use seed::{Seeder, TaskDefSpec, now_ms};
use std::sync::Arc;

/// A load balancer whose listener forwards to two target groups; returns (lb, [tg a, tg b]).
async fn balancer(seed: &Seeder, prefix: &str) -> (String, [String; 2]) {
    let lb = seed.load_balancer(&moto::unique(prefix)).await;
    let a = seed
        .target_group(&moto::unique(&format!("{prefix}-a")))
        .await;
    let b = seed
        .target_group(&moto::unique(&format!("{prefix}-b")))
        .await;
    let forward = ForwardActionConfig::builder()
        .target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(&a)
                .weight(90)
                .build(),
        )
        .target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(&b)
                .weight(10)
                .build(),
        )
        .build();
    seed.elb
        .create_listener()
        .load_balancer_arn(&lb)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            ElbAction::builder()
                .r#type(ActionTypeEnum::Forward)
                .forward_config(forward)
                .build(),
        )
        .send()
        .await
        .expect("create_listener");
    (lb, [a, b])
}

/// Minutely datapoints of one ALB metric of a target group.
pub(crate) async fn put_alb(
    seed: &Seeder,
    lb: &str,
    tg: &str,
    metric: &str,
    points: &[(i64, f64)],
) {
    let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
    let data = points
        .iter()
        .map(|(at, v)| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(dim("TargetGroup", target_group_dimension(tg)))
                .dimensions(dim("LoadBalancer", load_balancer_dimension(lb)))
                .timestamp(DateTime::from_millis(*at))
                .value(*v)
                .build()
        })
        .collect();
    seed.cw
        .put_metric_data()
        .namespace("AWS/ApplicationELB")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("put_metric_data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alb_figures_of_two_target_groups_judge_the_canary_worse() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let (lb, [primary, canary]) = balancer(&seed, "dw-alb").await;
    let now = now_ms();
    let minute = now - now.rem_euclid(60_000);
    let at = |k: i64| minute - (10 - k) * 60_000;
    let each = |v: f64| (0..10).map(|k| (at(k), v)).collect::<Vec<_>>();
    // 9,000 requests and 18 5xx (0.2%) on the primary; 1,000 and 21 (2.1%) on the canary.
    put_alb(&seed, &lb, &primary, "RequestCount", &each(900.0)).await;
    put_alb(
        &seed,
        &lb,
        &primary,
        "HTTPCode_Target_5XX_Count",
        &each(1.8),
    )
    .await;
    put_alb(&seed, &lb, &canary, "RequestCount", &each(100.0)).await;
    put_alb(&seed, &lb, &canary, "HTTPCode_Target_5XX_Count", &each(2.1)).await;
    put_alb(&seed, &lb, &canary, "TargetResponseTime", &each(0.84)).await;

    let fleet = moto::fleet(&url, &[], Vec::new()).await;
    let window = |tg: &str| AlbQuery {
        target_group: tg.into(),
        from: At(at(0)),
        until: At(minute),
    };
    let f = fleet
        .alb_figures(&[window(&canary), window(&primary)])
        .await
        .expect("figures from moto");
    assert_eq!(f[0].requests.round(), 1000.0, "{f:?}");
    assert_eq!(f[0].errors_5xx.round(), 21.0, "{f:?}");
    assert_eq!(f[1].requests.round(), 9000.0, "{f:?}");
    assert_eq!(judge_5xx(&f[0], &f[1]), Judgement::Worse);
    assert_eq!(judge_5xx(&f[1], &f[0]), Judgement::Better);
    // moto answers percentiles with a 500: they are unavailable, not zero, and the counts
    // above still came.
    assert_eq!(f[0].p99_ms, None);
    assert!(f[0].percentiles_error.is_some(), "{f:?}");
    assert_eq!(judge_p99(&f[0], &f[1]), Judgement::Unknown);

    // A target group without traffic has none, rather than a zero rate.
    let quiet = seed.target_group(&moto::unique("dw-quiet")).await;
    let f = fleet.alb_figures(&[window(&quiet)]).await.expect("figures");
    assert!(!f[0].has_traffic());
    assert_eq!(f[0].error_rate(), None);
}

async fn metric_alarm(
    seed: &Seeder,
    name: &str,
    namespace: &str,
    metric: &str,
    dims: &[(&str, &str)],
) {
    let mut put = seed
        .cw
        .put_metric_alarm()
        .alarm_name(name)
        .namespace(namespace)
        .metric_name(metric)
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .threshold(10.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold);
    for (k, v) in dims {
        put = put.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    put.send().await.expect("put_metric_alarm");
    seed.cw
        .set_alarm_state()
        .alarm_name(name)
        .state_value(StateValue::Alarm)
        .state_reason("Threshold Crossed")
        .send()
        .await
        .expect("set_alarm_state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_appear_on_service_rows_by_dimension() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("dw-alarm");
    seed.cluster(&cluster).await;
    let family = moto::unique("app");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    let tg = seed.target_group(&moto::unique("dw-web")).await;
    seed.service_behind(&cluster, "web", &td, 0, Some(&tg))
        .await;
    seed.service(&cluster, "api", &td, 0).await;
    let by_service = moto::unique("cpu");
    let by_group = moto::unique("web-5xx");
    metric_alarm(
        &seed,
        &by_service,
        "AWS/ECS",
        "CPUUtilization",
        &[("ClusterName", &cluster), ("ServiceName", "web")],
    )
    .await;
    metric_alarm(
        &seed,
        &by_group,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        &[("TargetGroup", target_group_dimension(&tg))],
    )
    .await;

    let fleet = moto::fleet(&url, &[&cluster], Vec::new()).await;
    let services = fleet.services().await.expect("services");
    let alarms = fleet.alarms().await.expect("alarms");
    let mine = |n: &str| {
        let a = alarms.iter().find(|a| a.name == n).expect("alarm listed");
        a.name.clone()
    };
    let web = services.iter().find(|s| s.name == "web").unwrap().key();
    let api = services.iter().find(|s| s.name == "api").unwrap().key();
    let links = link_alarms(&services, &alarms);
    let of_web: Vec<(String, LinkReason)> = links[&web]
        .iter()
        .map(|l| (l.alarm.clone(), l.reason))
        .collect();
    assert!(
        of_web.contains(&(mine(&by_service), LinkReason::Dimensions)),
        "{of_web:?}"
    );
    assert!(
        of_web.contains(&(mine(&by_group), LinkReason::TargetGroup)),
        "{of_web:?}"
    );
    assert!(
        links
            .get(&api)
            .is_none_or(|l| l.iter().all(|x| x.alarm != mine(&by_group)))
    );

    // Through the reducer, as the services pane shows it.
    let mut state = StateBuilder::demo(At(now_ms())).build();
    let mut feed = Feed::default();
    feed.services(&mut state, services.clone(), At(now_ms()));
    feed.alarms(&mut state, alarms.clone(), At(now_ms()));
    let firing: Vec<String> = state
        .ctx
        .firing_alarms_of(&web)
        .map(|a| a.name.clone())
        .collect();
    assert!(
        firing.contains(&by_service) && firing.contains(&by_group),
        "{firing:?}"
    );
    assert_eq!(state.ctx.firing_alarms_of(&api).count(), 0);
    let group_alarm = alarms.iter().find(|a| a.name == by_group).unwrap();
    let m = group_alarm.spec.metric.clone().expect("its metric");
    assert_eq!(m.statistic, "Sum");
    assert_eq!(group_alarm.datapoints_text(), "2 of 3");
}

/// The cluster, a family with revisions 1 to 3, and `app` on revision 3, finished.
struct Rollback {
    seed: Seeder,
    cluster: String,
    family: String,
}

impl Rollback {
    async fn new() -> Self {
        let seed = Seeder::new(&moto::url()).await;
        let cluster = moto::unique("dw-r");
        seed.cluster(&cluster).await;
        let family = format!("{cluster}-app");
        let mut last = String::new();
        for n in 1..=3 {
            last = seed
                .task_def(TaskDefSpec {
                    family: &family,
                    container: "app",
                    image: &format!("example/app:{n}"),
                    log_group: &format!("/ecs/{family}"),
                    stream_prefix: "ecs",
                })
                .await;
        }
        // No desired tasks: moto reports the first deployment COMPLETED.
        seed.service(&cluster, "app", &last, 0).await;
        Self {
            seed,
            cluster,
            family,
        }
    }

    async fn revision_in_moto(&self) -> String {
        let out = self
            .seed
            .ecs
            .describe_services()
            .cluster(&self.cluster)
            .services("app")
            .send()
            .await
            .expect("describe_services");
        let td = out.services()[0]
            .task_definition()
            .unwrap_or_default()
            .to_string();
        td.rsplit(':').next().unwrap_or_default().to_string()
    }
}

/// `s` as ECS showed it while the circuit breaker rolled revision 2 back to revision 1.
fn breaker_rolling_back(s: &Service, family: &str) -> Service {
    let mut s = s.clone();
    let td = |r: u32| deckwatch::model::TaskDefRef {
        family: family.into(),
        revision: r,
    };
    let mut failed = s.deployments[0].clone();
    failed.id = "ecs-svc/failed".into();
    failed.task_def = td(2);
    failed.status = DeploymentStatus::Active;
    failed.rollout_state = RolloutState::Failed;
    failed.rollout_reason = "ECS deployment circuit breaker: tasks failed to start.".into();
    let mut back = s.deployments[0].clone();
    back.id = "ecs-svc/back".into();
    back.task_def = td(1);
    back.rollout_state = RolloutState::InProgress;
    back.rollout_reason = format!("ECS deployment circuit breaker: rolling back to {family}:1.");
    back.created_at = failed.created_at + Ms(60_000);
    s.deployments = vec![back, failed];
    s.task_def = td(1);
    s
}

/// Then the rollback completed, and the failed deployment left.
fn rolled_back(s: &Service, family: &str) -> Service {
    let mut s = breaker_rolling_back(s, family);
    s.deployments.truncate(1);
    s.deployments[0].rollout_state = RolloutState::Completed;
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_after_a_simulated_breaker_rollback_targets_the_last_stable_revision() {
    let w = Rollback::new().await;
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&w.cluster], Vec::new()).await);
    let services = fleet.services().await.expect("services");
    let app = services.iter().find(|s| s.name == "app").unwrap();
    assert_eq!(app.task_def.revision, 3);
    assert_eq!(
        app.previous_task_def.as_ref().map(|t| t.revision),
        Some(2),
        "ECS's answer"
    );

    // The console saw 2 rolled back to 1; later 3 went out and completed (moto's state now).
    let now = now_ms();
    let mut state: State = StateBuilder::demo(At(now)).build();
    let app_as = |f: fn(&Service, &str) -> Service| -> Vec<Service> {
        services
            .iter()
            .map(|s| {
                if s.name == "app" {
                    f(s, &w.family)
                } else {
                    s.clone()
                }
            })
            .collect()
    };
    let mut feed = Feed::default();
    feed.services(&mut state, app_as(breaker_rolling_back), At(now - 120_000));
    feed.services(&mut state, app_as(rolled_back), At(now - 90_000));
    feed.services(&mut state, services.clone(), At(now));
    let key = ServiceKey {
        cluster: w.cluster.clone(),
        name: "app".into(),
    };
    let s = state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.key() == key)
        .unwrap();
    let plan = deckwatch::state::actions::plan::rollback(s).expect("a rollback plan");
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: Some(deckwatch::model::TaskDefRef {
                family: w.family.clone(),
                revision: 1
            }),
            desired: None,
            force: false
        }),
        "not 2, which the breaker rolled back"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains(&format!("skips {}:2", w.family))),
        "{:?}",
        plan.notes
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let done = run_action(&fleet, &audit, &plan, &ContextInfo::default()).await;
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(w.revision_in_moto().await, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_keeps_what_moto_served_across_refreshes() {
    let w = Rollback::new().await;
    let fleet = moto::fleet(&moto::url(), &[&w.cluster], Vec::new()).await;
    let first = fleet.services().await.expect("services");
    let app = first.iter().find(|s| s.name == "app").unwrap();
    let first_id = app.primary().expect("a primary deployment").id.clone();
    let mut state: State = StateBuilder::demo(At(now_ms())).build();
    let mut feed = Feed::default();
    feed.services(&mut state, first, At(now_ms()));
    // A forced deployment: moto gives the primary a new id and drops the old one.
    w.seed
        .ecs
        .update_service()
        .cluster(&w.cluster)
        .service("app")
        .force_new_deployment(true)
        .send()
        .await
        .expect("update_service");
    let second = fleet.services().await.expect("services");
    let app = second.iter().find(|s| s.name == "app").unwrap();
    let second_id = app.primary().unwrap().id.clone();
    assert_ne!(first_id, second_id, "moto replaced the primary");
    feed.services(&mut state, second, At(now_ms() + 1_000));
    let s = state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "app")
        .unwrap();
    let ids: Vec<&str> = s.history.iter().map(|e| e.id.as_str()).collect();
    assert!(
        ids.contains(&first_id.as_str()) && ids.contains(&second_id.as_str()),
        "{:#?}",
        s.history
    );
    let old = s.history.iter().find(|e| e.id == first_id).unwrap();
    assert_eq!(old.outcome, deckwatch::model::Outcome::Completed, "{old:?}");
    assert_eq!(old.revision.revision, 3);
}
