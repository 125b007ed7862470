//! Endpoint loss: the fleet's moto goes away mid-run and comes back on the same port. Calls
//! fail as `Unreachable` meanwhile and succeed again afterwards, with the same fleet.
//!
//! Run with `scripts/moto.sh cargo test`: this test starts a moto server of its own from the
//! `.venv` the script installs, and fails without `DECKWATCH_MOTO_URL`.

use crate::support::{moto, seed};
use deckwatch::cloud::Fleet;
use deckwatch::model::{ErrorKind, ServiceKey};
use moto::OwnMoto;
use seed::{Seeder, TaskDefSpec};

async fn seed(url: &str, cluster: &str) {
    let seed = Seeder::new(url).await;
    seed.cluster(cluster).await;
    let td = seed
        .task_def(TaskDefSpec {
            family: "lossy",
            container: "app",
            image: "example/lossy:1",
            log_group: "/ecs/lossy",
            stream_prefix: "ecs",
        })
        .await;
    seed.service(cluster, "lossy", &td, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_fail_as_unreachable_while_moto_is_down_and_recover_after() {
    // Only to insist on the script, which also installs the moto this test starts.
    let _shared = moto::url();
    let cluster = moto::unique("loss");
    let port = moto::free_port();
    let mut server = OwnMoto::start(port);
    let url = server.url();
    seed(&url, &cluster).await;

    let fleet = moto::fleet(&url, &[&cluster], Vec::new()).await;
    let before = fleet.services().await.expect("services while moto is up");
    assert_eq!(before.len(), 1);

    server.stop();
    let err = fleet
        .services()
        .await
        .expect_err("services while moto is down");
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(
        err.message.starts_with("ecs:ListServices"),
        "{}",
        err.message
    );
    assert!(err.is_transient());
    let err = fleet.alarms().await.expect_err("alarms while moto is down");
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    let key = ServiceKey {
        cluster: cluster.clone(),
        name: "lossy".into(),
    };
    let err = fleet
        .log_sources(&deckwatch::model::LogTarget::service(key))
        .await
        .expect_err("logs while moto is down");
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");

    // Back on the same port, empty: seed it again. The same fleet recovers.
    let _server = OwnMoto::start(port);
    seed(&url, &cluster).await;
    let after = fleet.services().await.expect("services after moto is back");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].name, "lossy");
    fleet.alarms().await.expect("alarms after moto is back");
}
