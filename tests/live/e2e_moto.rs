//! The real binary against moto in a PTY: what was seeded through the AWS APIs shows up on the
//! console's panes. Run with `scripts/moto.sh cargo test` (as scripts/test.sh does).
//!
//! The images and alarms panes list the whole account, not only the test's cluster: on a shared
//! moto they would also hold what the other tests (running beside it) seeded, and whether the
//! test's own rows are on screen would depend on those. So it starts a moto of its own.

use crate::support::{moto, pty, seed};
use aws_sdk_cloudwatch::types::StateValue;
use moto::OwnMoto;
use pty::Console;
use seed::{Seeder, TaskDefSpec, now_ms, task_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_what_was_seeded_in_moto() {
    // Only to insist on the script, which also installs the moto this test starts.
    let _shared = moto::url();
    let server = OwnMoto::start(moto::free_port());
    let url = server.url();
    moto::freeze_tasks(&url);
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("e2e");
    let repo = moto::unique("shop");
    let group = format!("/ecs/{repo}");
    seed.cluster(&cluster).await;
    let uri = seed.repo(&repo).await;
    seed.push_image(&repo, "v7", &format!("{repo}-7"), 4242)
        .await;
    let image = format!("{uri}:v7");
    let td = seed
        .task_def(TaskDefSpec {
            family: &repo,
            container: "app",
            image: &image,
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "storefront", &td, 2).await;
    let tasks = seed.run_tasks(&cluster, &td, "storefront", 2).await;
    let alarm = format!("{repo}-5xx");
    seed.alarm(
        &alarm,
        StateValue::Alarm,
        "Threshold Crossed: 1 datapoint [42.0]",
    )
    .await;
    seed.log_group(&group).await;
    let stream = format!("ecs/app/{}", task_id(&tasks[0]));
    seed.log_stream(&group, &stream).await;
    seed.log_events(
        &group,
        &stream,
        &[(now_ms() - 30_000, "GET /checkout 200 deckwatch-e2e-line")],
    )
    .await;

    // CPU and memory reach the row through the metrics worker, as the binary runs it.
    let minute = now_ms() - now_ms().rem_euclid(60_000);
    let points = |last: f64| {
        vec![
            (minute - 180_000 + 1_000, 5.0),
            (minute - 120_000 + 1_000, last),
        ]
    };
    seed.metric(&cluster, "storefront", "CPUUtilization", &points(37.0))
        .await;
    seed.metric(&cluster, "storefront", "MemoryUtilization", &points(64.0))
        .await;

    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = [
        "--endpoint-url",
        url.as_str(),
        "--region",
        moto::REGION,
        "--cluster",
        cluster.as_str(),
    ];
    // The PTY helpers block; the seeding above is done, so blocking this thread is fine.
    let mut c2 = Console::spawn(&args, &env);
    c2.wait_for("storefront");
    // The account, from sts:GetCallerIdentity.
    c2.wait_for("acct 123456789012");
    c2.wait_for(&format!("{repo}:1"));
    c2.wait_for(" 37%");
    c2.wait_for(" 64%");
    c2.send("3");
    c2.wait_for("v7");
    c2.wait_for(&repo);
    c2.send("4");
    c2.wait_for(&alarm);
    c2.wait_for("ALARM");
    c2.send("1");
    c2.send("5");
    c2.wait_for("deckwatch-e2e-line");
    c2.send("q");
    assert!(c2.wait_exit().success());
}
