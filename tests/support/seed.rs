//! Seeds moto through the Rust SDK: clusters, task definitions with awslogs, services, tasks,
//! ECR images, alarms, metric data and log events.

#![allow(dead_code)] // each test binary uses a part of the helpers

use super::moto;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StateValue, Statistic,
};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerDefinition, DeploymentCircuitBreaker,
    DeploymentConfiguration, LaunchType, LoadBalancer, LogConfiguration, LogDriver,
    NetworkConfiguration, NetworkMode,
};
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};
use aws_smithy_types::DateTime;

pub struct Seeder {
    pub url: String,
    pub ecs: aws_sdk_ecs::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub cw: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    subnet: String,
    security_group: String,
}

/// A task definition to register.
pub struct TaskDefSpec<'a> {
    pub family: &'a str,
    pub container: &'a str,
    pub image: &'a str,
    pub log_group: &'a str,
    pub stream_prefix: &'a str,
}

impl Seeder {
    pub async fn new(url: &str) -> Self {
        moto::freeze_tasks(url);
        let sdk = moto::sdk_config(url).await;
        let (subnet, security_group) = moto::default_network(url);
        Self {
            url: url.to_string(),
            ecs: aws_sdk_ecs::Client::new(&sdk),
            ecr: aws_sdk_ecr::Client::new(&sdk),
            cw: aws_sdk_cloudwatch::Client::new(&sdk),
            logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&sdk),
            subnet,
            security_group,
        }
    }

    /// A seeder that acts with `sdk`'s credentials (access key `key`: another account's) in
    /// its region, on that account's default network there.
    pub async fn with_sdk(url: &str, sdk: &aws_config::SdkConfig, key: &str) -> Self {
        let mut seeder = Self::new(url).await;
        let region = sdk
            .region()
            .map_or(moto::REGION.to_string(), ToString::to_string);
        (seeder.subnet, seeder.security_group) = moto::default_network_of(url, key, &region);
        seeder.ecs = aws_sdk_ecs::Client::new(sdk);
        seeder.ecr = aws_sdk_ecr::Client::new(sdk);
        seeder.cw = aws_sdk_cloudwatch::Client::new(sdk);
        seeder.logs = aws_sdk_cloudwatchlogs::Client::new(sdk);
        seeder.elb = aws_sdk_elasticloadbalancingv2::Client::new(sdk);
        seeder
    }

    pub fn network(&self) -> NetworkConfiguration {
        NetworkConfiguration::builder()
            .awsvpc_configuration(
                AwsVpcConfiguration::builder()
                    .subnets(&self.subnet)
                    // moto's create_service fails on awsvpc without security groups.
                    .security_groups(&self.security_group)
                    .assign_public_ip(AssignPublicIp::Disabled)
                    .build()
                    .expect("awsvpc configuration"),
            )
            .build()
    }

    pub async fn cluster(&self, name: &str) {
        self.ecs
            .create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("create_cluster");
    }

    /// Registers a Fargate task definition; returns its ARN.
    pub async fn task_def(&self, spec: TaskDefSpec<'_>) -> String {
        let out = self
            .ecs
            .register_task_definition()
            .family(spec.family)
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(
                ContainerDefinition::builder()
                    .name(spec.container)
                    .image(spec.image)
                    // moto's run_task needs a container memory.
                    .memory(512)
                    .essential(true)
                    .log_configuration(
                        LogConfiguration::builder()
                            .log_driver(LogDriver::Awslogs)
                            .options("awslogs-group", spec.log_group)
                            .options("awslogs-stream-prefix", spec.stream_prefix)
                            .options("awslogs-region", moto::REGION)
                            .build()
                            .expect("log configuration"),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("register_task_definition");
        out.task_definition()
            .and_then(|t| t.task_definition_arn())
            .expect("task definition arn")
            .to_string()
    }

    pub async fn service(&self, cluster: &str, name: &str, task_def: &str, desired: i32) -> String {
        self.service_behind(cluster, name, task_def, desired, None)
            .await
    }

    /// A Fargate service, registering its tasks in `target_group` when given.
    pub async fn service_behind(
        &self,
        cluster: &str,
        name: &str,
        task_def: &str,
        desired: i32,
        target_group: Option<&str>,
    ) -> String {
        let lb = target_group.map(|tg| {
            LoadBalancer::builder()
                .target_group_arn(tg)
                .container_name("app")
                .container_port(80)
                .build()
        });
        let out = self
            .ecs
            .create_service()
            .set_load_balancers(lb.map(|lb| vec![lb]))
            .cluster(cluster)
            .service_name(name)
            .task_definition(task_def)
            .desired_count(desired)
            .launch_type(LaunchType::Fargate)
            .network_configuration(self.network())
            .deployment_configuration(
                DeploymentConfiguration::builder()
                    .deployment_circuit_breaker(
                        DeploymentCircuitBreaker::builder()
                            .enable(true)
                            .rollback(true)
                            .build(),
                    )
                    .maximum_percent(200)
                    .minimum_healthy_percent(100)
                    .build(),
            )
            .send()
            .await
            .expect("create_service");
        out.service()
            .and_then(|s| s.service_arn())
            .expect("service arn")
            .to_string()
    }

    /// The id of the default VPC (the one the seeder's subnet is in).
    pub fn default_vpc(&self) -> String {
        let (status, body) = moto::http(
            &self.url,
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

    /// An HTTP target group of `ip` targets in the default VPC; returns its ARN.
    pub async fn target_group(&self, name: &str) -> String {
        let out = self
            .elb
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(self.default_vpc())
            .target_type(TargetTypeEnum::Ip)
            .send()
            .await
            .expect("create_target_group");
        out.target_groups()[0]
            .target_group_arn()
            .expect("target group arn")
            .to_string()
    }

    /// An internal application load balancer in the seeder's subnet; returns its ARN.
    pub async fn load_balancer(&self, name: &str) -> String {
        let out = self
            .elb
            .create_load_balancer()
            .name(name)
            .subnets(&self.subnet)
            .security_groups(&self.security_group)
            .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::Internal)
            .send()
            .await
            .expect("create_load_balancer");
        out.load_balancers()[0]
            .load_balancer_arn()
            .expect("load balancer arn")
            .to_string()
    }

    /// Starts `count` tasks as if the service had; returns their ARNs.
    pub async fn run_tasks(
        &self,
        cluster: &str,
        task_def: &str,
        service: &str,
        count: i32,
    ) -> Vec<String> {
        let out = self
            .ecs
            .run_task()
            .cluster(cluster)
            .task_definition(task_def)
            .count(count)
            .launch_type(LaunchType::Fargate)
            .network_configuration(self.network())
            .group(format!("service:{service}"))
            .started_by(format!("ecs-svc/{service}"))
            .send()
            .await
            .expect("run_task");
        out.tasks()
            .iter()
            .map(|t| t.task_arn().expect("task arn").to_string())
            .collect()
    }

    pub async fn stop_task(&self, cluster: &str, task: &str, reason: &str) {
        self.ecs
            .stop_task()
            .cluster(cluster)
            .task(task)
            .reason(reason)
            .send()
            .await
            .expect("stop_task");
    }

    /// Creates a repository; returns its URI.
    pub async fn repo(&self, name: &str) -> String {
        let out = self
            .ecr
            .create_repository()
            .repository_name(name)
            .send()
            .await
            .expect("create_repository");
        out.repository()
            .and_then(|r| r.repository_uri())
            .expect("repository uri")
            .to_string()
    }

    /// Pushes an image manifest with one layer unique to `seed`; returns the image digest.
    pub async fn push_image(&self, repo: &str, tag: &str, seed: &str, size: u64) -> String {
        let hex = |s: &str| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in s.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            format!("{h:016x}").repeat(4)
        };
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":{size},"digest":"sha256:{}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{size},"digest":"sha256:{}"}}]}}"#,
            hex(&format!("config-{seed}")),
            hex(&format!("layer-{seed}")),
        );
        let out = self
            .ecr
            .put_image()
            .repository_name(repo)
            .image_tag(tag)
            .image_manifest(manifest)
            .image_manifest_media_type("application/vnd.docker.distribution.manifest.v2+json")
            .send()
            .await
            .expect("put_image");
        out.image()
            .and_then(|i| i.image_id())
            .and_then(|i| i.image_digest())
            .expect("image digest")
            .to_string()
    }

    /// A metric alarm on the service's CPU, then forced into `state`.
    pub async fn alarm(&self, name: &str, state: StateValue, reason: &str) {
        self.cw
            .put_metric_alarm()
            .alarm_name(name)
            .namespace("AWS/ECS")
            .metric_name("CPUUtilization")
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(90.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .expect("put_metric_alarm");
        self.cw
            .set_alarm_state()
            .alarm_name(name)
            .state_value(state)
            .state_reason(reason)
            .send()
            .await
            .expect("set_alarm_state");
    }

    /// Data points of an AWS/ECS metric of one service.
    pub async fn metric(&self, cluster: &str, service: &str, metric: &str, points: &[(i64, f64)]) {
        let data = points
            .iter()
            .map(|(at, v)| {
                MetricDatum::builder()
                    .metric_name(metric)
                    .dimensions(
                        Dimension::builder()
                            .name("ClusterName")
                            .value(cluster)
                            .build(),
                    )
                    .dimensions(
                        Dimension::builder()
                            .name("ServiceName")
                            .value(service)
                            .build(),
                    )
                    .timestamp(DateTime::from_millis(*at))
                    .value(*v)
                    .build()
            })
            .collect();
        self.cw
            .put_metric_data()
            .namespace("AWS/ECS")
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("put_metric_data");
    }

    pub async fn log_group(&self, group: &str) {
        self.logs
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .expect("create_log_group");
    }

    pub async fn log_stream(&self, group: &str, stream: &str) {
        self.logs
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await
            .expect("create_log_stream");
    }

    pub async fn log_events(&self, group: &str, stream: &str, events: &[(i64, &str)]) {
        let events = events
            .iter()
            .map(|(at, m)| {
                InputLogEvent::builder()
                    .timestamp(*at)
                    .message(*m)
                    .build()
                    .expect("log event")
            })
            .collect();
        self.logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(events))
            .send()
            .await
            .expect("put_log_events");
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The task id of a task ARN.
pub fn task_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}
