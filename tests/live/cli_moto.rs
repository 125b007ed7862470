//! `deckwatch status --json` and `deckwatch wait` as a CI step runs them: the real binary
//! against moto, and against the ECS-deployments shim in front of it. moto never moves a
//! rolling deployment, so the tests move it through the shim (`shim::rolling`: what
//! DescribeServices says of the service's deployments) after `wait` printed its first line:
//! to completion (exit 0) or to the circuit breaker's rollback (exit 1). The native canary of
//! the shim is followed to its PAUSE hook (`--until hook`), through promote, bake and clean-up
//! to SUCCESSFUL (exit 0), and to a rollback when the hook is answered with ROLLBACK (exit 1).

use crate::support::cli::{Following, Home};
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use crate::support::shim::rolling::{Step, overlay};
use crate::support::shim::seeded::{self, Canary};
use crate::support::shim::{Shim, deployments};
use aws_sdk_ecs::types::DeploymentLifecycleHookAction;

const AWS_ENV: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_REGION", moto::REGION),
];

/// A home whose config polls every second while a rollout moves.
fn home() -> Home {
    let home = Home::new();
    home.write("config/deckwatch/config.toml", "[poll]\nfast_secs = 1\n");
    home
}

/// The console's flags for `url` and one cluster.
fn target(url: &str, cluster: &str) -> Vec<String> {
    [
        "--endpoint-url",
        url,
        "--region",
        moto::REGION,
        "--cluster",
        cluster,
    ]
    .map(String::from)
    .to_vec()
}

/// A cluster with revisions 1 and 2 of a family, and a service `web` of 2 tasks on revision 2.
struct Rolling {
    cluster: String,
    revisions: Vec<String>,
    service_arn: String,
}

impl Rolling {
    async fn new(seed: &Seeder, prefix: &str) -> Self {
        let cluster = moto::unique(prefix);
        seed.cluster(&cluster).await;
        let family = format!("{cluster}-web");
        let group = format!("/ecs/{family}");
        let mut revisions = Vec::new();
        for image in ["example/web:1", "example/web:2"] {
            let spec = TaskDefSpec {
                family: &family,
                container: "app",
                image,
                log_group: &group,
                stream_prefix: "ecs",
            };
            revisions.push(seed.task_def(spec).await);
        }
        let service_arn = seed.service(&cluster, "web", &revisions[1], 2).await;
        Self {
            cluster,
            revisions,
            service_arn,
        }
    }

    fn step<'a>(
        &'a self,
        id: &'a str,
        primary: bool,
        rev: usize,
        running: u32,
        state: &'a str,
        reason: &'a str,
    ) -> Step<'a> {
        Step {
            id,
            status: if primary { "PRIMARY" } else { "ACTIVE" },
            task_def_arn: &self.revisions[rev - 1],
            desired: 2,
            running,
            rollout_state: state,
            reason,
            failed_tasks: if state == "FAILED" { 3 } else { 0 },
        }
    }

    /// Revision 2 rolling out: one of its two tasks up, one of revision 1 still running.
    fn in_progress(&self, shim: &Shim) {
        let steps = [
            self.step("ecs-svc/2", true, 2, 1, "IN_PROGRESS", ""),
            self.step(
                "ecs-svc/1",
                false,
                1,
                1,
                "COMPLETED",
                "ECS deployment ecs-svc/1 completed.",
            ),
        ];
        shim.rolling(&self.service_arn, overlay(&steps, 2, shim.now()));
    }

    /// `wait web --cluster C`, or (`by_cluster`) `wait C/web` with no `--cluster`: then only
    /// that cluster is read, not every cluster the shared moto has.
    fn wait(&self, home: &Home, url: &str, by_cluster: bool) -> Following {
        let service = if by_cluster {
            format!("{}/web", self.cluster)
        } else {
            "web".into()
        };
        let mut args = vec!["wait".to_string(), service, "--timeout".into(), "5m".into()];
        if by_cluster {
            args.extend(["--endpoint-url", url, "--region", moto::REGION].map(String::from));
        } else {
            args.extend(target(url, &self.cluster));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Following::start(home.command(&args, &AWS_ENV))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_reads_moto_through_the_console_s_backend() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let w = Rolling::new(&seed, "clistatus").await;
    seed.service(&w.cluster, "worker", &w.revisions[0], 0).await;
    let home = home();
    let mut args = vec!["status", "--json"];
    let t = target(&url, &w.cluster);
    args.extend(t.iter().map(String::as_str));
    let ran = home.run(&args, &AWS_ENV);
    ran.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&ran.stdout()).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["context"]["account"], moto::ACCOUNT, "from STS");
    assert_eq!(doc["context"]["region"], moto::REGION);
    let services = doc["services"].as_array().unwrap();
    let names: Vec<&str> = services
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let web = services.iter().find(|s| s["name"] == "web").unwrap();
    assert_eq!(web["cluster"], w.cluster.as_str());
    assert_eq!(web["desired"], 2);
    assert_eq!(web["strategy"], "ROLLING");
    assert_eq!(web["task_definition"], format!("{}-web:2", w.cluster));
    // moto leaves a service of 2 desired tasks and none running IN_PROGRESS for ever.
    assert_eq!(web["rollout"]["state"], "IN_PROGRESS");
    let worker = services.iter().find(|s| s["name"] == "worker").unwrap();
    assert_eq!(worker["rollout"]["state"], "COMPLETED");
    assert_eq!(worker["hook"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_exits_0_when_the_rolling_deployment_completes() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let w = Rolling::new(&seed, "cliwaitok").await;
    let shim = Shim::start(&url);
    w.in_progress(&shim);
    let home = home();
    let mut run = w.wait(&home, &shim.url(), true);
    let first = run.line_with("IN_PROGRESS 1/2");
    assert!(first.contains(&format!("{}/web", w.cluster)), "{first}");
    let done = [w.step(
        "ecs-svc/2",
        true,
        2,
        2,
        "COMPLETED",
        "ECS deployment ecs-svc/2 completed.",
    )];
    shim.rolling(&w.service_arn, overlay(&done, 2, shim.now()));
    let (code, lines, err) = run.finish();
    assert_eq!(code, Some(0), "{lines:#?}\n{err}");
    let listed = shim.calls_of("ListClusters");
    assert!(
        listed.is_empty(),
        "CLUSTER/NAME reads that cluster only: {listed:?}"
    );
    let last = lines.last().unwrap();
    assert_eq!(
        last,
        &format!("✓ {}/web: stable on {}-web:2", w.cluster, w.cluster)
    );
    assert!(lines.iter().any(|l| l.contains("COMPLETED")), "{lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_exits_1_when_the_circuit_breaker_rolls_the_deployment_back() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let w = Rolling::new(&seed, "cliwaitbad").await;
    let shim = Shim::start(&url);
    w.in_progress(&shim);
    let home = home();
    let mut run = w.wait(&home, &shim.url(), false);
    run.line_with("IN_PROGRESS 1/2");
    let rollback = format!(
        "ECS deployment circuit breaker: rolling back to {}-web:1.",
        w.cluster
    );
    let failed = [
        w.step("ecs-svc/3", true, 1, 1, "IN_PROGRESS", &rollback),
        w.step(
            "ecs-svc/2",
            false,
            2,
            0,
            "FAILED",
            "ECS deployment circuit breaker: tasks failed to start.",
        ),
    ];
    shim.rolling(&w.service_arn, overlay(&failed, 1, shim.now()));
    let (code, lines, err) = run.finish();
    assert_eq!(code, Some(1), "{lines:#?}\n{err}");
    assert!(
        err.contains(&format!(
            "{}/web: {}-web:2 FAILED: ECS deployment circuit breaker",
            w.cluster, w.cluster
        )),
        "{err}"
    );
}

fn canary_target(c: &Canary) -> Vec<String> {
    target(&c.shim.url(), &c.cluster)
}

fn wait_args<'a>(extra: &[&'a str], t: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["wait", "storefront"];
    args.extend(extra);
    args.extend(t.iter().map(String::as_str));
    args
}

async fn answer(c: &Canary, action: DeploymentLifecycleHookAction) {
    let ecs = aws_sdk_ecs::Client::new(&moto::sdk_config(&c.shim.url()).await);
    ecs.continue_service_deployment()
        .service_deployment_arn(&c.deployment)
        .hook_id(c.waiting_hook())
        .action(action)
        .send()
        .await
        .expect("continue_service_deployment on the shim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_reaches_the_native_canary_s_hook_then_follows_it_to_successful() {
    let c = Canary::new(&moto::url(), "cliwaithook", true).await;
    let home = home();
    let t = canary_target(&c);
    let at_hook = home.run(&wait_args(&["--until", "hook"], &t), &AWS_ENV);
    at_hook.expect_code(0);
    assert!(
        at_hook
            .stdout()
            .contains("CANARY PAUSED at PRE_PRODUCTION_TRAFFIC_SHIFT"),
        "{}",
        at_hook.stdout()
    );
    assert!(
        at_hook.stdout().contains("auto-rollback in"),
        "{}",
        at_hook.stdout()
    );

    let mut run = Following::start(home.command(&wait_args(&["--until", "stable"], &t), &AWS_ENV));
    run.line_with("hook pause-1-");
    answer(&c, DeploymentLifecycleHookAction::Continue).await;
    run.line_with("PRODUCTION_TRAFFIC_SHIFT 10%");
    // The canary's bake passes; the second pause, before the rest of the traffic.
    c.shim.skip(seeded::CANARY_BAKE_MINUTES as f64 * 60.0 + 1.0);
    run.line_with("hook pause-2-");
    answer(&c, DeploymentLifecycleHookAction::Continue).await;
    let rest =
        deployments::SHIFT_SECS + seeded::BAKE_MINUTES as f64 * 60.0 + deployments::CLEAN_UP_SECS;
    c.shim.skip(rest + 1.0);
    let (code, lines, err) = run.finish();
    assert_eq!(code, Some(0), "{lines:#?}\n{err}");
    let target_rev = Canary::revision_of(&c.target_task_def);
    assert_eq!(
        lines.last().unwrap(),
        &format!("✓ {}/storefront: {target_rev} SUCCESSFUL", c.cluster)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_exits_1_when_the_canary_s_hook_is_answered_with_rollback() {
    let c = Canary::new(&moto::url(), "cliwaitabort", true).await;
    let home = home();
    let t = canary_target(&c);
    let mut run = Following::start(home.command(&wait_args(&[], &t), &AWS_ENV));
    run.line_with("CANARY PAUSED");
    answer(&c, DeploymentLifecycleHookAction::Rollback).await;
    let (code, lines, err) = run.finish();
    assert_eq!(code, Some(1), "{lines:#?}\n{err}");
    assert!(err.contains("rolled back"), "{err}");
    assert!(
        lines.iter().any(|l| l.contains("ROLLING BACK")),
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_exits_4_when_the_credentials_are_refused() {
    let home = home();
    let t = target(&moto::url(), "nowhere");
    let args = wait_args(&[], &t);
    // No credentials at all: the SDK's chain finds none (IMDS is off).
    let ran = home.run(
        &args,
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_REGION", moto::REGION),
        ],
    );
    ran.expect_code(4);
    assert!(ran.stderr().contains("credentials"), "{}", ran.stderr());
}
