//! Tasks as moto describes them: a container that has not exited has no exit code, whatever
//! the answer holds (moto sends `exitCode: 0` for running containers), so a running task never
//! reads `exit 0`.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_tasks`.

use crate::support::{moto, seed};
use deckwatch::cloud::Fleet;
use deckwatch::model::ServiceKey;
use seed::{Seeder, TaskDefSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_task_has_no_exit_code() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = moto::unique("exit");
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-app");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/app:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "app", &td, 2).await;
    seed.run_tasks(&cluster, &td, "app", 2).await;
    // What moto answers: the running containers carry an exit code already.
    let arns = seed
        .ecs
        .list_tasks()
        .cluster(&cluster)
        .send()
        .await
        .expect("list_tasks");
    let described = seed
        .ecs
        .describe_tasks()
        .cluster(&cluster)
        .set_tasks(Some(arns.task_arns().to_vec()))
        .send()
        .await
        .expect("describe_tasks");
    let raw: Vec<_> = described
        .tasks()
        .iter()
        .flat_map(|t| t.containers())
        .map(|c| (c.last_status().map(str::to_string), c.exit_code()))
        .collect();
    assert!(!raw.is_empty(), "moto described no containers");

    let fleet = moto::fleet(&url, &[&cluster], Vec::new()).await;
    let key = ServiceKey {
        cluster: cluster.clone(),
        name: "app".into(),
    };
    let tasks = fleet.tasks(Some(&key)).await.expect("tasks");
    let running: Vec<_> = tasks
        .iter()
        .filter(|t| !t.last_status.is_stopped())
        .collect();
    assert_eq!(running.len(), 2, "{tasks:#?}");
    assert!(
        running.iter().all(|t| t.exit_code.is_none()),
        "moto's containers {raw:?} became {:?}",
        running.iter().map(|t| t.exit_code).collect::<Vec<_>>()
    );
}
