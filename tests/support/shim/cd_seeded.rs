//! A CODE_DEPLOY service seeded end to end: in moto a cluster, two revisions of a task
//! definition, a blue and a green target group, the service (deploymentController CODE_DEPLOY)
//! with its two task sets (the original PRIMARY, the replacement made by the deployment), and
//! a CodeDeploy application and ECS deployment group naming it; in the shim, the group's
//! deployment, ready and waiting for reroute.

use super::Shim;
use super::codedeploy::CdSpec;
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use aws_sdk_codedeploy::types::{
    BlueGreenDeploymentConfiguration, BlueInstanceTerminationOption, ComputePlatform,
    DeploymentOption, DeploymentReadyAction, DeploymentReadyOption, DeploymentStyle,
    DeploymentType, EcsService, InstanceAction, LoadBalancerInfo, TargetGroupInfo,
    TargetGroupPairInfo, TrafficRoute,
};
use aws_sdk_ecs::types::{
    DeploymentController, DeploymentControllerType, LaunchType, LoadBalancer, Scale, ScaleUnit,
};

pub const CANARY: &str = "CodeDeployDefault.ECSCanary10Percent5Minutes";
pub const READY_WAIT_MINUTES: i32 = 30;
pub const TERMINATION_WAIT_MINUTES: i32 = 5;
pub const TASKS: u32 = 4;

pub struct CodeDeployed {
    pub seed: Seeder,
    pub shim: Shim,
    pub cluster: String,
    pub service: String,
    pub deployment: String,
    pub application: String,
    pub group: String,
    /// family:revision of the revision below the original, the original and the replacement.
    pub earlier: String,
    pub original: String,
    pub replacement: String,
}

fn revision_of(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

impl CodeDeployed {
    /// Seeds moto at `moto_url` and starts a shim in front of it with the deployment waiting
    /// for reroute.
    pub async fn new(moto_url: &str, prefix: &str) -> Self {
        let seed = Seeder::new(moto_url).await;
        let cluster = moto::unique(prefix);
        let family = moto::unique("web");
        let service = "checkout".to_string();
        seed.cluster(&cluster).await;
        let repo = format!(
            "{}.dkr.ecr.{}.amazonaws.com/{family}",
            moto::ACCOUNT,
            moto::REGION
        );
        let mut task_defs = Vec::new();
        // v40 is where a rollback after the deployment goes.
        for tag in ["v40", "v41", "v42"] {
            let image = format!("{repo}:{tag}");
            let spec = TaskDefSpec {
                family: &family,
                container: "app",
                image: &image,
                log_group: &format!("/ecs/{family}"),
                stream_prefix: "ecs",
            };
            task_defs.push(seed.task_def(spec).await);
        }
        let blue_name = moto::unique("blue");
        let green_name = moto::unique("green");
        let blue = seed.target_group(&blue_name).await;
        let green = seed.target_group(&green_name).await;
        let shim = Shim::start(moto_url);
        let deployment = shim.next_cd_id();
        let service_arn =
            code_deploy_service(&seed, &cluster, &service, &task_defs[1], &blue).await;
        let original = task_set(&seed, (&cluster, &service), &task_defs[1], &blue, "").await;
        let replacement = task_set(
            &seed,
            (&cluster, &service),
            &task_defs[2],
            &green,
            &deployment,
        )
        .await;
        seed.ecs
            .update_service_primary_task_set()
            .cluster(&cluster)
            .service(&service)
            .primary_task_set(&original.1)
            .send()
            .await
            .expect("update_service_primary_task_set");
        let application = moto::unique("app");
        let group = format!("{service}-dg");
        deployment_group(
            moto_url,
            (&application, &group),
            (&cluster, &service),
            (&blue_name, &green_name),
        )
        .await;
        let id = shim.codedeploy(CdSpec {
            application: application.clone(),
            group: group.clone(),
            cluster: cluster.clone(),
            service: service.clone(),
            service_arn,
            config: CANARY.into(),
            step_percent: 10.0,
            step_minutes: 5.0,
            linear: false,
            ready_wait_minutes: f64::from(READY_WAIT_MINUTES),
            termination_wait_minutes: f64::from(TERMINATION_WAIT_MINUTES),
            original_task_set: original.0,
            replacement_task_set: replacement.0,
            original_target_group: blue_name,
            replacement_target_group: green_name,
            tasks: TASKS,
            task_def: task_defs[2].clone(),
        });
        assert_eq!(id, deployment);
        Self {
            seed,
            shim,
            cluster,
            service,
            deployment,
            application,
            group,
            earlier: revision_of(&task_defs[0]),
            original: revision_of(&task_defs[1]),
            replacement: revision_of(&task_defs[2]),
        }
    }
}

async fn code_deploy_service(
    seed: &Seeder,
    cluster: &str,
    name: &str,
    task_def: &str,
    tg: &str,
) -> String {
    let out = seed
        .ecs
        .create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(task_def)
        .desired_count(TASKS as i32)
        .launch_type(LaunchType::Fargate)
        .deployment_controller(
            DeploymentController::builder()
                .r#type(DeploymentControllerType::CodeDeploy)
                .build()
                .expect("controller"),
        )
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(tg)
                .container_name("app")
                .container_port(80)
                .build(),
        )
        .send()
        .await
        .expect("create_service");
    out.service()
        .and_then(|s| s.service_arn())
        .expect("arn")
        .to_string()
}

/// (id, ARN) of a new task set of `task_def` in `tg`, scaled to the whole service.
async fn task_set(
    seed: &Seeder,
    (cluster, service): (&str, &str),
    task_def: &str,
    tg: &str,
    external: &str,
) -> (String, String) {
    let out = seed
        .ecs
        .create_task_set()
        .cluster(cluster)
        .service(service)
        .task_definition(task_def)
        .external_id(external)
        .launch_type(LaunchType::Fargate)
        .network_configuration(seed.network())
        .scale(
            Scale::builder()
                .value(100.0)
                .unit(ScaleUnit::Percent)
                .build(),
        )
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(tg)
                .container_name("app")
                .container_port(80)
                .build(),
        )
        .send()
        .await
        .expect("create_task_set");
    let t = out.task_set().expect("task set");
    (
        t.id().expect("id").to_string(),
        t.task_set_arn().expect("arn").to_string(),
    )
}

/// The CodeDeploy application and ECS deployment group in moto.
async fn deployment_group(
    url: &str,
    (app, group): (&str, &str),
    (cluster, service): (&str, &str),
    (blue, green): (&str, &str),
) {
    let cd = aws_sdk_codedeploy::Client::new(&moto::sdk_config(url).await);
    cd.create_application()
        .application_name(app)
        .compute_platform(ComputePlatform::Ecs)
        .send()
        .await
        .expect("create_application");
    let tg = |n: &str| TargetGroupInfo::builder().name(n).build();
    cd.create_deployment_group()
        .application_name(app)
        .deployment_group_name(group)
        .service_role_arn(format!("arn:aws:iam::{}:role/CodeDeployECS", moto::ACCOUNT))
        .deployment_config_name(CANARY)
        .ecs_services(EcsService::builder().cluster_name(cluster).service_name(service).build())
        .deployment_style(
            DeploymentStyle::builder()
                .deployment_type(DeploymentType::BlueGreen)
                .deployment_option(DeploymentOption::WithTrafficControl)
                .build(),
        )
        .blue_green_deployment_configuration(
            BlueGreenDeploymentConfiguration::builder()
                .deployment_ready_option(
                    DeploymentReadyOption::builder()
                        .action_on_timeout(DeploymentReadyAction::StopDeployment)
                        .wait_time_in_minutes(READY_WAIT_MINUTES)
                        .build(),
                )
                .terminate_blue_instances_on_deployment_success(
                    BlueInstanceTerminationOption::builder()
                        .action(InstanceAction::Terminate)
                        .termination_wait_time_in_minutes(TERMINATION_WAIT_MINUTES)
                        .build(),
                )
                .build(),
        )
        .load_balancer_info(
            LoadBalancerInfo::builder()
                .target_group_pair_info_list(
                    TargetGroupPairInfo::builder()
                        .target_groups(tg(blue))
                        .target_groups(tg(green))
                        .prod_traffic_route(
                            TrafficRoute::builder()
                                .listener_arns(format!(
                                    "arn:aws:elasticloadbalancing:{}:{}:listener/app/web/0123456789abcdef/0123456789abcdef",
                                    moto::REGION,
                                    moto::ACCOUNT
                                ))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("create_deployment_group");
}
