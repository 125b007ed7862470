//! Target health against moto: services with load balancers get the health of their target
//! groups (elbv2 `describe_target_health`, once per distinct group), and a group that cannot be
//! read leaves that service's targets empty without failing `services()`.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_targets`.
//!
//! What moto does: a target registered in an `ip` target group is reported `healthy` at once
//! (moto runs no health checks); a group without targets has no descriptions; an unknown group
//! is `TargetGroupNotFound` (HTTP 400).

use crate::support::{counting, deny, moto, seed};
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use seed::{Seeder, TaskDefSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_carry_the_health_of_their_target_groups() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("dw-tg");
    seed.cluster(&cluster).await;
    let family = moto::unique("web");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;

    // web and web-canary share a target group with two targets; api's group has none; legacy
    // points at a group that does not exist (deleted behind ECS's back).
    let web_tg_name = moto::unique("tg-web");
    let web_tg = seed.target_group(&web_tg_name).await;
    let api_tg = seed.target_group(&moto::unique("tg-api")).await;
    let gone_tg = web_tg.replace(&web_tg_name, "tg-gone");
    seed.elb
        .register_targets()
        .target_group_arn(&web_tg)
        .targets(TargetDescription::builder().id("10.0.1.5").port(80).build())
        .targets(TargetDescription::builder().id("10.0.1.6").port(80).build())
        .send()
        .await
        .expect("register_targets");
    seed.service_behind(&cluster, "web", &td, 2, Some(&web_tg))
        .await;
    seed.service_behind(&cluster, "web-canary", &td, 2, Some(&web_tg))
        .await;
    seed.service_behind(&cluster, "api", &td, 2, Some(&api_tg))
        .await;
    seed.service_behind(&cluster, "legacy", &td, 2, Some(&gone_tg))
        .await;
    // And one without a load balancer.
    seed.service(&cluster, "batch", &td, 1).await;

    let counter = CallCounter::default();
    let fleet = moto::fleet(&url, &[&cluster], vec![counter.interceptor()]).await;
    let services = fleet
        .services()
        .await
        .expect("services() despite one bad group");
    let by_name = |n: &str| {
        services
            .iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("no service {n} in {services:?}"))
    };

    let web = &by_name("web").targets;
    assert_eq!(web.len(), 1, "{web:?}");
    assert_eq!(web[0].target_group_arn, web_tg);
    assert_eq!(web[0].name(), web_tg_name);
    // moto reports every registered target healthy.
    assert_eq!((web[0].healthy, web[0].unhealthy, web[0].other), (2, 0, 0));
    assert!(web[0].reasons.is_empty());
    assert_eq!(by_name("web-canary").targets, *web);

    let api = &by_name("api").targets;
    assert_eq!(api.len(), 1, "{api:?}");
    assert_eq!(api[0].target_group_arn, api_tg);
    assert_eq!((api[0].healthy, api[0].unhealthy, api[0].other), (0, 0, 0));

    // TargetGroupNotFound: logged, the service is there, its targets are empty.
    assert!(by_name("legacy").targets.is_empty());
    assert!(by_name("batch").targets.is_empty());

    // One call per distinct target group: web's, api's and the missing one.
    assert_eq!(
        counter.get("DescribeTargetHealth"),
        3,
        "{:?}",
        counter.snapshot()
    );

    // The same through services_of.
    let one = fleet.services_of(&cluster).await.expect("services_of");
    assert_eq!(one.len(), 5);
    let web_again = one.iter().find(|s| s.name == "web").expect("web");
    assert_eq!(web_again.targets[0].healthy, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_target_health_leaves_targets_empty() {
    // The role may not read target health: AccessDenied must not fail services().
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("dw-tg-denied");
    seed.cluster(&cluster).await;
    let family = moto::unique("web");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    let tg = seed.target_group(&moto::unique("tg-web")).await;
    seed.service_behind(&cluster, "web", &td, 2, Some(&tg))
        .await;

    let counter = CallCounter::default();
    let fleet = moto::fleet(
        &url,
        &[&cluster],
        vec![
            counter.interceptor(),
            deny::interceptor("DescribeTargetHealth"),
        ],
    )
    .await;
    let services = fleet
        .services()
        .await
        .expect("services() despite AccessDenied");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].name, "web");
    assert!(services[0].targets.is_empty());
    // It was asked (and refused), once.
    assert_eq!(counter.get("DescribeTargetHealth"), 1);
}
