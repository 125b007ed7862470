//! The real binary in a PTY on moto, through the flows an on-call engineer runs: a rolling
//! rollback, a scale and a forced deployment; a paired canary's promote; `D` of a GitHub run's
//! image (from an in-test GitHub server) onto ECS; the prod guard's typed name; the logs pane's
//! `:since`, search and `:save`; and `:region`. Each checks what changed on moto through the SDK,
//! and the audit log the console wrote, not only the screen.
//!
//! Run with `scripts/moto.sh cargo test --test live e2e_flows` (as scripts/test.sh does).

use crate::moto_paired::{Pair, Routing};
use crate::support::gh_server::{Req, Resp, Server};
use crate::support::pty::Console;
use crate::support::{moto, seed};
use aws_config::BehaviorVersion;
use aws_sdk_ecs::config::Region;
use seed::{Seeder, TaskDefSpec, now_ms, task_id};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

/// A config that polls every second, so a flow waits on moto, not on the schedule; `extra` is
/// appended (contexts, builds).
fn config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("deckwatch.toml");
    std::fs::write(
        &path,
        format!("[poll]\nfast_secs = 1\nnormal_secs = 1\n\n{extra}"),
    )
    .unwrap();
    path
}

/// The console on moto's `cluster`, at 120×40.
fn console_on(url: &str, cluster: &str, config: &Path, env: &[(&str, &str)]) -> Console {
    let args = [
        "--endpoint-url",
        url,
        "--region",
        moto::REGION,
        "--cluster",
        cluster,
        "--config",
        config.to_str().unwrap(),
    ];
    Console::spawn(&args, env)
}

/// The audit records the console wrote, one JSON value a line.
fn audit(c: &Console) -> Vec<Value> {
    let path = c.home().join("data/deckwatch/audit.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

/// (phase, action) of each record.
fn trail(records: &[Value]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["phase"].as_str().unwrap_or_default().to_string(),
                r["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn described(seed: &Seeder, cluster: &str, name: &str) -> aws_sdk_ecs::types::Service {
    let out = seed
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .expect("describe_services");
    out.services()[0].clone()
}

/// The revision number of the task definition moto's service runs.
async fn revision(seed: &Seeder, cluster: &str, name: &str) -> String {
    let svc = described(seed, cluster, name).await;
    let td = svc.task_definition().expect("task definition");
    td.rsplit(':').next().expect("a revision").to_string()
}

/// A cluster whose service `web` runs revision 2 of its family, 2 tasks, on a finished
/// deployment (created with none so moto calls it COMPLETED, then scaled).
async fn web_on_revision_2(seed: &Seeder, prefix: &str) -> String {
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-web");
    let mut arns = Vec::new();
    for image in ["example/web:1", "example/web:2"] {
        arns.push(
            seed.task_def(TaskDefSpec {
                family: &family,
                container: "app",
                image,
                log_group: &format!("/ecs/{family}"),
                stream_prefix: "ecs",
            })
            .await,
        );
    }
    seed.service(&cluster, "web", &arns[1], 0).await;
    seed.ecs
        .update_service()
        .cluster(&cluster)
        .service("web")
        .desired_count(2)
        .send()
        .await
        .expect("scale");
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_rollback_scale_and_force_change_moto_and_are_audited() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = web_on_revision_2(&seed, "e2e-roll").await;
    let before = described(&seed, &cluster, "web").await;
    let first_deployment = before.deployments()[0].id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut c = console_on(&url, &cluster, &config(dir.path(), ""), &ENV);
    c.wait_for("COMPLETED");
    let what = format!("{cluster}/web");

    c.send("R");
    c.wait_for(&format!("roll back {what}?"));
    c.send("y");
    c.wait_for(&format!("✓ roll back {what}: stable after"));
    assert_eq!(revision(&seed, &cluster, "web").await, "1");

    c.send("S");
    c.wait_for("desired count (now 2)");
    c.send("3");
    c.send("\r");
    c.wait_for(&format!("scale {what}?"));
    c.send("y");
    c.wait_for(&format!("✓ scale {what}: stable after"));
    assert_eq!(described(&seed, &cluster, "web").await.desired_count(), 3);

    c.send("F");
    c.wait_for(&format!("force a new deployment {what}?"));
    c.send("y");
    c.wait_for(&format!("✓ force a new deployment {what}: stable after"));
    let after = described(&seed, &cluster, "web").await;
    assert_ne!(after.deployments()[0].id().unwrap(), first_deployment);
    assert_eq!(revision(&seed, &cluster, "web").await, "1");

    let records = audit(&c);
    let pairs = |a: &str| {
        [
            ("before".to_string(), a.to_string()),
            ("after".into(), a.into()),
        ]
    };
    let want: Vec<_> = ["roll back", "scale", "force a new deployment"]
        .into_iter()
        .flat_map(pairs)
        .collect();
    assert_eq!(trail(&records), want, "{records:#?}");
    assert!(records.iter().all(|r| r["cluster"] == cluster.as_str()));
    assert_eq!(records[1]["outcome"]["result"], "ok", "{records:#?}");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_canary_s_promote_moves_the_primary_the_weights_and_retires_the_canary() {
    let pair = Pair::new(Routing::Rule).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = console_on(&moto::url(), &pair.cluster, &config(dir.path(), ""), &ENV);
    c.wait_for("search-canary");
    // The canary's row is the second: the promote is planned on the pair.
    c.send("j");
    c.send("P");
    c.wait_for("This will call, in order:");
    c.wait_for("promote");
    c.send("y");
    c.wait_until_long("the promote's outcome", |s| s.contains("✓ promote"));

    assert_eq!(pair.revision_in_moto("search").await, "2");
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 0);
    assert_eq!(pair.weights_in_moto().await, pair.expected(100, 0));
    let records = audit(&c);
    let phases: Vec<String> = trail(&records).into_iter().map(|(p, _)| p).collect();
    // Every call between its records: the primary, the weights, the canary.
    assert_eq!(phases, ["before", "after"].repeat(3), "{records:#?}");
    assert!(records.iter().all(|r| r["action"] == "promote"));
    c.send("q");
    assert!(c.wait_exit().success());
}

/// A full sha, the tag the build pushed.
const BUILT: &str = "7d1e5c3b9a0f2e4d6c8b0a1f3e5d7c9b1a3f5e7d";

/// GitHub as the builds pane and `D` ask it: one successful run of `build.yml` whose commit is
/// `BUILT`, its one job, and the login.
fn github(r: &Req) -> Resp {
    let path = r.path.split('?').next().unwrap_or_default();
    if path.ends_with("/actions/workflows/build.yml/runs") {
        return Resp::json(
            200,
            json!({"total_count": 1, "workflow_runs": [{
                "id": 4242, "name": "build", "run_number": 1001, "run_attempt": 1,
                "status": "completed", "conclusion": "success", "head_branch": "main",
                "head_sha": BUILT, "event": "push", "actor": {"login": "octocat"},
                "created_at": "2026-11-26T10:00:00Z", "run_started_at": "2026-11-26T10:00:05Z",
                "updated_at": "2026-11-26T10:03:00Z",
                "html_url": "https://github.com/acme/web/actions/runs/4242"
            }]}),
        );
    }
    if path.ends_with("/actions/runs/4242/jobs") {
        return Resp::json(
            200,
            json!({"total_count": 1, "jobs": [{
                "id": 1, "name": "build", "status": "completed", "conclusion": "success",
                "started_at": "2026-11-26T10:00:05Z", "completed_at": "2026-11-26T10:03:00Z",
                "steps": []
            }]}),
        );
    }
    if path == "/user" {
        return Resp::json(200, json!({"login": "octocat"}));
    }
    // `[github] deployments = true`: the deploy's record and its statuses.
    if r.method == "POST" && path == "/repos/acme/web/deployments" {
        return Resp::json(
            201,
            json!({"id": 5150, "sha": BUILT, "environment": "moto"}),
        );
    }
    if r.method == "POST" && path == "/repos/acme/web/deployments/5150/statuses" {
        return Resp::json(201, json!({"id": 1}));
    }
    Resp::json(404, json!({"message": "Not Found"}))
}

/// A cluster whose service `web` (no tasks) runs `{repo}:v1`, and ECR holding `v1` and the
/// image the run built (tagged `BUILT`); the cluster, the repository's URI and the built
/// image's digest.
async fn web_and_a_built_image(seed: &Seeder, prefix: &str) -> (String, String, String) {
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-web");
    let uri = seed.repo(&family).await;
    seed.push_image(&family, "v1", &format!("{cluster}-v1"), 1000)
        .await;
    let digest = seed
        .push_image(&family, BUILT, &format!("{cluster}-built"), 2000)
        .await;
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: &format!("{uri}:v1"),
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "web", &td, 0).await;
    (cluster, uri, digest)
}

const BUILD_ENTRY: &str =
    "[[build]]\nservice = \"web\"\nrepo = \"acme/web\"\nworkflow = \"build.yml\"\n";

/// The console on `cluster` with the in-test GitHub, on the builds pane with the run's row
/// selected and its image found in ECR.
fn on_the_built_run(url: &str, cluster: &str, config: &Path, gh: &Server) -> Console {
    let env = [
        ENV[0],
        ENV[1],
        ENV[2],
        ("GH_TOKEN", "gho_test"),
        ("GITHUB_API_URL", gh.url.as_str()),
    ];
    let mut c = console_on(url, cluster, config, &env);
    c.wait_for("web");
    // The images pane reads ECR, where the run's image is found by its commit.
    c.send("3");
    c.wait_for(&BUILT[..7]);
    c.send("6");
    c.wait_for("#1001");
    c.wait_for("✓ success");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_deploys_a_github_run_s_image_onto_ecs_pinned_to_its_digest() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let (cluster, uri, digest) = web_and_a_built_image(&seed, "e2e-deploy").await;
    let family = format!("{cluster}-web");
    let gh = Server::start(github).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = on_the_built_run(&url, &cluster, &config(dir.path(), BUILD_ENTRY), &gh);
    c.send("D");
    c.wait_for(&format!("deploy to {cluster}/web?"));
    c.send("y");
    c.wait_for(&format!("✓ deploy to {cluster}/web: stable after"));

    // moto's service runs a new revision whose image is the built one, by digest.
    assert_eq!(revision(&seed, &cluster, "web").await, "2");
    let td = seed
        .ecs
        .describe_task_definition()
        .task_definition(format!("{family}:2"))
        .send()
        .await
        .expect("describe_task_definition");
    let image = td.task_definition().unwrap().container_definitions()[0]
        .image()
        .unwrap()
        .to_string();
    assert_eq!(image, format!("{uri}@{digest}"));
    let records = audit(&c);
    let phases: Vec<String> = trail(&records).into_iter().map(|(p, _)| p).collect();
    assert_eq!(phases, ["before", "after"].repeat(2), "{records:#?}");
    assert!(
        records[0]["call"]
            .as_str()
            .unwrap()
            .contains("RegisterTaskDefinition")
    );
    assert!(
        records[2]["call"]
            .as_str()
            .unwrap()
            .contains("UpdateService")
    );
    // The run came from the in-test GitHub server.
    assert!(gh.requests().iter().any(|r| {
        r.path
            .starts_with("/repos/acme/web/actions/workflows/build.yml/runs")
    }));
    c.send("q");
    assert!(c.wait_exit().success());
}

/// `[github] deployments = true`: `D` of the run's image shows, before `y`, that the running
/// image's tag names no commit and the three GitHub calls that record the deploy; after `y`
/// the in-test GitHub gets the Deployment of the run's commit to the context's environment,
/// then its `in_progress` and `success` statuses naming the id it answered, each audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_records_the_deploy_on_github_and_says_the_running_commit_is_unknown() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let (cluster, _, _) = web_and_a_built_image(&seed, "e2e-record").await;
    let gh = Server::start(github).await;
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("{BUILD_ENTRY}\n[github]\ndeployments = true\n");
    let mut c = on_the_built_run(&url, &cluster, &config(dir.path(), &extra), &gh);
    c.send("D");
    c.wait_for(&format!("deploy to {cluster}/web?"));
    c.wait_for("commits: unknown, the running image's tag v1 names no commit");
    c.wait_for("POST /repos/acme/web/deployments/{the id CreateDeployment returns}/statuses");
    c.wait_for(&format!("once {cluster}/web is stable"));
    c.send("y");
    let posts = || -> Vec<Req> {
        let all = gh.requests().into_iter().filter(|r| r.method == "POST");
        all.filter(|r| r.path.contains("/deployments")).collect()
    };
    c.eventually("the record's three calls", || posts().len() == 3);
    let sent = posts();
    assert_eq!(sent[0].path, "/repos/acme/web/deployments");
    let created: Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(created["ref"], BUILT);
    let records = audit(&c);
    let env = records[0]["context"].as_str().unwrap().to_string();
    assert_eq!(created["environment"], env.as_str());
    for (r, state) in sent[1..].iter().zip(["in_progress", "success"]) {
        assert_eq!(r.path, "/repos/acme/web/deployments/5150/statuses");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["state"], state);
    }
    c.eventually("the last call's record", || audit(&c).len() == 10);
    let records = audit(&c);
    let phases: Vec<String> = trail(&records).into_iter().map(|(p, _)| p).collect();
    assert_eq!(phases, ["before", "after"].repeat(5), "{records:#?}");
    assert!(
        records[9]["call"]
            .as_str()
            .unwrap()
            .starts_with("POST /repos/acme/web/deployments/5150/statuses"),
        "{records:#?}"
    );
    c.send("q");
    assert!(c.wait_exit().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prod_guard_acts_only_on_the_typed_name() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = web_on_revision_2(&seed, "e2e-prod").await;
    let dir = tempfile::tempdir().unwrap();
    let context = format!(
        "[[context]]\nname = \"live\"\nregion = \"{}\"\nendpoint_url = \"{url}\"\n\
         clusters = [\"{cluster}\"]\nprod = true\n",
        moto::REGION
    );
    let cfg = config(dir.path(), &context);
    let args = ["--context", "live", "--config", cfg.to_str().unwrap()];
    let mut c = Console::spawn(&args, &ENV);
    c.wait_for(" PROD ");
    c.wait_for("COMPLETED");
    c.send("R");
    c.wait_for("PROD · type web and Enter to confirm");
    // `y` is a letter of a name here, not a confirmation; Enter on the wrong name acts not.
    c.send("y");
    c.send("\r");
    c.wait_for("type web exactly to confirm; nothing was changed");
    assert_eq!(revision(&seed, &cluster, "web").await, "2");
    assert!(audit(&c).is_empty(), "nothing was sent, nothing audited");

    c.send("web");
    c.send("\r");
    c.wait_for(&format!("✓ roll back {cluster}/web: stable after"));
    assert_eq!(revision(&seed, &cluster, "web").await, "1");
    let records = audit(&c);
    assert_eq!(
        trail(&records),
        [
            ("before".to_string(), "roll back".to_string()),
            ("after".into(), "roll back".into())
        ]
    );
    assert_eq!(records[0]["context"], "live");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_since_search_and_save_write_what_the_filter_keeps() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("e2e-logs");
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-api");
    let group = format!("/ecs/{family}");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/api:1",
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "api", &td, 1).await;
    let tasks = seed.run_tasks(&cluster, &td, "api", 1).await;
    seed.log_group(&group).await;
    let stream = format!("ecs/app/{}", task_id(&tasks[0]));
    seed.log_stream(&group, &stream).await;
    let now = now_ms();
    seed.log_events(
        &group,
        &stream,
        &[
            (now - 3 * 3_600_000, "ERROR marker-old payment declined"),
            (now - 120_000, "ERROR marker-new upstream timeout"),
            (now - 60_000, "INFO marker-fine request served"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("errors.log");
    let mut c = console_on(&url, &cluster, &config(dir.path(), ""), &ENV);
    c.wait_for("api");
    c.send("5");
    // The backlog is the last five minutes: the old line is not there yet.
    c.wait_for("marker-fine");
    assert!(!c.screen().contains("marker-old"));
    c.send(":");
    c.send("since 6h\r");
    c.wait_for("marker-old");
    c.send("/");
    c.send("ERROR\r");
    c.wait_gone("marker-fine");
    c.send(":");
    // The footer says it for five seconds: watched from before the command.
    c.watch("saved 2 lines");
    c.send(&format!("save {}\r", saved.display()));
    c.eventually("the saved file", || saved.exists());
    c.wait_seen("saved 2 lines");
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(
        text.contains("marker-old") && text.contains("marker-new"),
        "{text}"
    );
    assert!(!text.contains("marker-fine"), "{text}");
    // Its lines carry the task they came from.
    assert!(text.contains(&task_id(&tasks[0])[..8]), "{text}");
    c.send("q");
    assert!(c.wait_exit().success());
}

/// An ECS client of `region` on moto.
async fn ecs_in(url: &str, region: &'static str) -> aws_sdk_ecs::Client {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(url)
        .credentials_provider(moto::credentials())
        .load()
        .await;
    aws_sdk_ecs::Client::new(&sdk)
}

/// A cluster with one service `name`, no tasks, in `ecs`'s region.
async fn lone_service(ecs: &aws_sdk_ecs::Client, cluster: &str, name: &str) {
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .expect("create_cluster");
    let container = aws_sdk_ecs::types::ContainerDefinition::builder()
        .name("app")
        .image(format!("example/{name}:1"))
        .memory(128)
        .build();
    ecs.register_task_definition()
        .family(name)
        .container_definitions(container)
        .send()
        .await
        .expect("register_task_definition");
    ecs.create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(name)
        .desired_count(0)
        .send()
        .await
        .expect("create_service");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_switches_the_console_and_its_actions_to_the_other_region() {
    // A moto of its own: without `--cluster` the console lists every cluster of each region.
    let _shared = moto::url();
    let server = moto::OwnMoto::start(moto::free_port());
    let url = server.url();
    let east = ecs_in(&url, "us-east-1").await;
    let west = ecs_in(&url, "us-west-2").await;
    lone_service(&east, "east-core", "east-svc").await;
    lone_service(&west, "west-core", "west-svc").await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let args = [
        "--endpoint-url",
        url.as_str(),
        "--region",
        "us-east-1",
        "--config",
        cfg.to_str().unwrap(),
    ];
    let mut c = Console::spawn(&args, &ENV);
    c.wait_for("east-svc");
    c.send(":");
    c.send("region us-west-2\r");
    c.wait_for("us-west-2");
    c.wait_for("west-svc");
    assert!(!c.screen().contains("east-svc"), "{}", c.screen());

    // An action now goes to the region on screen, and says so in the audit log.
    c.send("S");
    c.wait_for("desired count (now 0)");
    c.send("1\r");
    c.wait_for("scale west-core/west-svc?");
    c.send("y");
    c.wait_for("✓ scale west-core/west-svc: stable after");
    let desired = |out: aws_sdk_ecs::operation::describe_services::DescribeServicesOutput| {
        out.services()[0].desired_count()
    };
    let w = west
        .describe_services()
        .cluster("west-core")
        .services("west-svc");
    assert_eq!(desired(w.send().await.unwrap()), 1);
    let e = east
        .describe_services()
        .cluster("east-core")
        .services("east-svc");
    assert_eq!(
        desired(e.send().await.unwrap()),
        0,
        "the other region is untouched"
    );
    let records = audit(&c);
    assert_eq!(records.len(), 2, "{records:#?}");
    assert!(
        records.iter().all(|r| r["region"] == "us-west-2"),
        "{records:#?}"
    );
    c.send("q");
    assert!(c.wait_exit().success());
}
