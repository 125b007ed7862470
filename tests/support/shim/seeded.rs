//! A native canary seeded end to end: a cluster, two revisions of a task definition and a
//! service in moto, and the shim's CANARY deployment between the two, waiting at its first
//! PAUSE hook.

use super::{CanarySpec, Shim};
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};

/// A canary's configuration: 10 % for a 15-minute bake, a 10-minute final bake, and a
/// 30-minute PAUSE hook that rolls back on timeout.
pub const CANARY_PERCENT: f64 = 10.0;
pub const CANARY_BAKE_MINUTES: i64 = 15;
pub const BAKE_MINUTES: i64 = 10;
pub const HOOK_MINUTES: i64 = 30;
pub const TASKS: u32 = 4;
/// A LINEAR deployment's step and the bake after each.
pub const STEP_PERCENT: f64 = 25.0;
pub const STEP_BAKE_MINUTES: i64 = 3;

pub struct Canary {
    pub seed: Seeder,
    pub shim: Shim,
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    pub deployment: String,
    pub source_task_def: String,
    pub target_task_def: String,
}

impl Canary {
    /// Seeds moto at `moto_url` and starts a shim in front of it. `name_current` says whether
    /// DescribeServices names the deployment (ECS does) or the console must list it.
    pub async fn new(moto_url: &str, prefix: &str, name_current: bool) -> Self {
        Self::of(moto_url, prefix, name_current, "CANARY").await
    }

    /// The same with another strategy: LINEAR (steps of `STEP_PERCENT`) or BLUE_GREEN (a
    /// pause in test traffic, then the production switch).
    pub async fn of(
        moto_url: &str,
        prefix: &str,
        name_current: bool,
        strategy: &'static str,
    ) -> Self {
        let seed = Seeder::new(moto_url).await;
        let cluster = moto::unique(prefix);
        let family = moto::unique("shop");
        let service = "storefront".to_string();
        seed.cluster(&cluster).await;
        let repo = format!(
            "{}.dkr.ecr.{}.amazonaws.com/{family}",
            moto::ACCOUNT,
            moto::REGION
        );
        let group = format!("/ecs/{family}");
        let mut task_defs = Vec::new();
        for tag in ["v7", "v8"] {
            let image = format!("{repo}:{tag}");
            task_defs.push(
                seed.task_def(TaskDefSpec {
                    family: &family,
                    container: "app",
                    image: &image,
                    log_group: &group,
                    stream_prefix: "ecs",
                })
                .await,
            );
        }
        // The service already names the new revision, as after the UpdateService that
        // started the deployment.
        let service_arn = seed
            .service(&cluster, &service, &task_defs[1], TASKS as i32)
            .await;
        let shim = Shim::start(moto_url);
        let deployment = shim.canary(CanarySpec {
            cluster: cluster.clone(),
            service: service.clone(),
            service_arn: service_arn.clone(),
            source_task_def: task_defs[0].clone(),
            source_image: format!("{repo}:v7"),
            source_digest: format!("sha256:{}", "7".repeat(64)),
            target_task_def: task_defs[1].clone(),
            target_image: format!("{repo}:v8"),
            target_digest: format!("sha256:{}", "8".repeat(64)),
            tasks: TASKS,
            canary_percent: CANARY_PERCENT,
            canary_bake_minutes: CANARY_BAKE_MINUTES,
            bake_minutes: BAKE_MINUTES,
            hook_timeout_minutes: HOOK_MINUTES,
            timeout_action: "ROLLBACK".into(),
            name_current,
            strategy,
            step_percent: STEP_PERCENT,
            step_bake_minutes: STEP_BAKE_MINUTES,
        });
        Self {
            seed,
            shim,
            cluster,
            service,
            service_arn,
            deployment,
            source_task_def: task_defs[0].clone(),
            target_task_def: task_defs[1].clone(),
        }
    }

    /// The id of the hook the deployment waits at now.
    pub fn waiting_hook(&self) -> String {
        self.shim
            .deployment(&self.deployment)
            .waiting_hook()
            .map(|h| h.id.clone())
            .expect("a hook awaiting action")
    }

    /// The family:revision of a task definition ARN.
    pub fn revision_of(arn: &str) -> String {
        arn.rsplit('/').next().unwrap_or(arn).to_string()
    }
}
