//! What the benches against moto share: the server's address (or why the bench is skipped),
//! a runtime, and a fleet seeded many services at a time (sizes, quick mode and medians are in
//! `support/quick.rs`, which every bench shares).

#![allow(dead_code)] // each bench uses a part of it

use super::moto;
use super::seed::{Seeder, TaskDefSpec};
use futures::StreamExt;

/// Services created at once while seeding.
pub const SEED_CONCURRENCY: usize = 16;

/// The moto server scripts/moto.sh started; None (and a line saying so) without one, so a
/// plain `cargo bench` still works.
pub fn moto_url(bench: &str) -> Option<String> {
    match std::env::var("DECKWATCH_MOTO_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            println!(
                "{bench}: skipped, DECKWATCH_MOTO_URL is not set. This benchmark needs a moto \
                 server: run `scripts/moto.sh cargo bench --bench {bench}`."
            );
            None
        }
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `clusters` clusters named `PREFIX-NNN` with `per` services `svc-NNN` each, of one task
/// definition and `desired` tasks; returns the clusters' names.
pub async fn seed_fleet(
    url: &str,
    prefix: &str,
    (clusters, per): (usize, usize),
    desired: i32,
) -> Vec<String> {
    let seed = Seeder::new(url).await;
    let names: Vec<String> = (0..clusters).map(|c| format!("{prefix}-{c:03}")).collect();
    for c in &names {
        seed.cluster(c).await;
    }
    let family = format!("{prefix}-app");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/app:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    let jobs: Vec<(String, String)> = names
        .iter()
        .flat_map(|c| (0..per).map(move |i| (c.clone(), format!("svc-{i:03}"))))
        .collect();
    let (seed, td) = (&seed, &td);
    futures::stream::iter(jobs)
        .map(|(c, s)| async move {
            seed.service(&c, &s, td, desired).await;
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    names
}

/// Empties moto: a bench that lists every cluster of the region needs it to itself.
pub fn reset(url: &str) {
    let (status, body) = moto::http(url, "POST", "/moto-api/reset", &[], "");
    assert_eq!(status, 200, "reset moto: {body}");
}
