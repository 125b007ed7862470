//! Target health against moto: services with load balancers get the health of their target
//! groups (elbv2 `describe_target_health`, once per distinct group), and a group that cannot be
//! read leaves that service's targets empty without failing `services()`.
//!
//! Run with `scripts/moto.sh cargo test --test moto_targets`.
//!
//! What moto does: a target registered in an `ip` target group is reported `healthy` at once
//! (moto runs no health checks); a group without targets has no descriptions; an unknown group
//! is `TargetGroupNotFound` (HTTP 400).

#[path = "common/counting.rs"]
mod counting;
#[path = "common/moto.rs"]
mod moto;
#[path = "common/seed.rs"]
mod seed;

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, LaunchType, LoadBalancer, NetworkConfiguration,
};
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetDescription, TargetTypeEnum};
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use seed::{Seeder, TaskDefSpec};

/// The id of the default VPC (the one `moto::default_network`'s subnet is in).
fn default_vpc(url: &str) -> String {
    let (status, body) = moto::http(
        url,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        "Action=DescribeVpcs&Version=2016-11-15",
    );
    assert_eq!(status, 200, "DescribeVpcs: {body}");
    let start = body.find("<vpcId>").expect("a vpcId") + "<vpcId>".len();
    let end = body[start..].find('<').expect("closing tag") + start;
    body[start..end].to_string()
}

async fn target_group(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
    vpc: &str,
) -> String {
    let out = elb
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .expect("create_target_group");
    out.target_groups()[0]
        .target_group_arn()
        .expect("target group arn")
        .to_string()
}

/// A Fargate service behind `target_group`.
async fn service_behind(
    seed: &Seeder,
    url: &str,
    cluster: &str,
    name: &str,
    task_def: &str,
    target_group: &str,
) {
    let (subnet, security_group) = moto::default_network(url);
    seed.ecs
        .create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(task_def)
        .desired_count(2)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(subnet)
                        .security_groups(security_group)
                        .assign_public_ip(AssignPublicIp::Disabled)
                        .build()
                        .expect("awsvpc configuration"),
                )
                .build(),
        )
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(target_group)
                .container_name("app")
                .container_port(80)
                .build(),
        )
        .send()
        .await
        .expect("create_service");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_carry_the_health_of_their_target_groups() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&moto::sdk_config(&url).await);
    let vpc = default_vpc(&url);
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
    let web_tg = target_group(&elb, &web_tg_name, &vpc).await;
    let api_tg = target_group(&elb, &moto::unique("tg-api"), &vpc).await;
    let gone_tg = web_tg.replace(&web_tg_name, "tg-gone");
    elb.register_targets()
        .target_group_arn(&web_tg)
        .targets(TargetDescription::builder().id("10.0.1.5").port(80).build())
        .targets(TargetDescription::builder().id("10.0.1.6").port(80).build())
        .send()
        .await
        .expect("register_targets");
    service_behind(&seed, &url, &cluster, "web", &td, &web_tg).await;
    service_behind(&seed, &url, &cluster, "web-canary", &td, &web_tg).await;
    service_behind(&seed, &url, &cluster, "api", &td, &api_tg).await;
    service_behind(&seed, &url, &cluster, "legacy", &td, &gone_tg).await;
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
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&moto::sdk_config(&url).await);
    let vpc = default_vpc(&url);
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
    let tg = target_group(&elb, &moto::unique("tg-web"), &vpc).await;
    service_behind(&seed, &url, &cluster, "web", &td, &tg).await;

    let counter = CallCounter::default();
    let fleet = moto::fleet(
        &url,
        &[&cluster],
        vec![counter.interceptor(), deny::interceptor()],
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

/// An interceptor that turns moto's answer to DescribeTargetHealth into the 403 AccessDenied
/// IAM gives a role without `elasticloadbalancing:DescribeTargetHealth`.
mod deny {
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
    use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
    use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::config_bag::ConfigBag;

    const DENIED: &str = r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: elasticloadbalancing:DescribeTargetHealth because no identity-based policy allows the elasticloadbalancing:DescribeTargetHealth action</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"#;

    #[derive(Debug)]
    struct Deny;

    pub fn interceptor() -> SharedInterceptor {
        SharedInterceptor::new(Deny)
    }

    impl Intercept for Deny {
        fn name(&self) -> &'static str {
            "DenyTargetHealth"
        }

        fn modify_before_deserialization(
            &self,
            context: &mut BeforeDeserializationInterceptorContextMut<'_>,
            _runtime_components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            if cfg
                .load::<Metadata>()
                .is_some_and(|m| m.name() == "DescribeTargetHealth")
            {
                let mut denied = HttpResponse::new(
                    StatusCode::try_from(403).expect("status"),
                    SdkBody::from(DENIED),
                );
                denied.headers_mut().insert("Content-Type", "text/xml");
                *context.response_mut() = denied;
            }
            Ok(())
        }
    }
}
