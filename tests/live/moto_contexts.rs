//! `:ctx` against moto, in the real binary: each context of the config gets its own backend
//! (its profile, clusters and endpoint), built while the console keeps running; a context whose
//! credentials are missing says what to run and leaves the others working; coming back to a
//! context shows its panes as they were.

use crate::support::pty::Console;
use crate::support::{moto, seed};
use seed::{Seeder, TaskDefSpec};

async fn service(seed: &Seeder, cluster: &str, name: &str) {
    seed.cluster(cluster).await;
    let td = seed
        .task_def(TaskDefSpec {
            family: name,
            container: "app",
            image: &format!("example/{name}:1"),
            log_group: &format!("/ecs/{name}"),
            stream_prefix: "ecs",
        })
        .await;
    seed.service(cluster, name, &td, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_moves_between_accounts_of_the_config_and_back() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let (blue_cluster, green_cluster) = (moto::unique("blue"), moto::unique("green"));
    let (blue_svc, green_svc) = (moto::unique("ord"), moto::unique("bil"));
    service(&seed, &blue_cluster, &blue_svc).await;
    service(&seed, &green_cluster, &green_svc).await;

    let dir = tempfile::tempdir().unwrap();
    let aws_config = dir.path().join("aws-config");
    let empty = dir.path().join("aws-credentials");
    std::fs::write(
        &aws_config,
        "[profile blue]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n\
         [profile green]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    std::fs::write(&empty, "").unwrap();
    let config = dir.path().join("deckwatch.toml");
    let context = |name: &str, profile: &str, cluster: &str, prod: bool| {
        format!(
            "[[context]]\nname = \"{name}\"\nprofile = \"{profile}\"\nregion = \"{}\"\n\
             endpoint_url = \"{url}\"\nclusters = [\"{cluster}\"]\nprod = {prod}\n\n",
            moto::REGION
        )
    };
    std::fs::write(
        &config,
        [
            "[poll]\nfast_secs = 1\nnormal_secs = 1\n\n".to_string(),
            context("blue", "blue", &blue_cluster, false),
            context("green", "green", &green_cluster, true),
            context("ghost", "nope-profile", &blue_cluster, false),
        ]
        .concat(),
    )
    .unwrap();
    let env = [
        ("AWS_CONFIG_FILE", aws_config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = ["--context", "blue", "--config", config.to_str().unwrap()];
    let mut c = Console::spawn(&args, &env);
    c.wait_for(&blue_svc);
    c.wait_for("ctx blue");

    c.send(":");
    c.send("ctx green\r");
    c.wait_for("ctx green");
    c.wait_for(" PROD ");
    c.wait_for(&green_svc);
    c.wait_for("now on context green (PROD) · account 123456789012 · us-east-1");
    assert!(
        !c.screen().contains(&blue_svc),
        "blue's rows on green:\n{}",
        c.screen()
    );

    // A context whose profile does not exist: every pane says what to run; nothing of the
    // other contexts shows.
    c.send(":");
    c.send("ctx ghost\r");
    c.wait_for("ctx ghost");
    c.wait_for("aws sso login --profile nope-profile");
    c.wait_for("NOT CONNECTED");
    let screen = c.screen();
    assert!(
        !screen.contains(&blue_svc) && !screen.contains(&green_svc),
        "{screen}"
    );

    // Back to blue: its rows at once, then fresh ones.
    c.send(":");
    c.send("ctx blue\r");
    c.wait_for("ctx blue");
    c.wait_for(&blue_svc);
    c.wait_gone("NOT CONNECTED");
    assert!(!c.screen().contains(" PROD "));
    c.send("q");
    assert!(c.wait_exit().success());
}
