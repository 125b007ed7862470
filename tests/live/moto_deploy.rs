//! `D` against moto: the deploy's RegisterTaskDefinition copies the service's task definition
//! with the container's image pinned to the built image's digest, and UpdateService moves the
//! service to the revision it returned; both calls between their audit records.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_deploy`.

use crate::support::action::run_action;
use crate::support::{moto, seed};
use deckwatch::cloud::{Fleet, ReadOnly};
use deckwatch::model::{AwsCall, ContextInfo, Mutation, ServiceKey};
use deckwatch::state::builds::plan as build_plan;
use deckwatch::workers::audit::Audit;
use seed::{Seeder, TaskDefSpec};
use std::sync::Arc;

const SHA: &str = "4f0c9d2ab1e3c5d7f9a0b2c4d6e8f0a1b3c5d7e9";

struct World {
    seed: Seeder,
    cluster: String,
    family: String,
    uri: String,
    digest: String,
}

async fn world(prefix: &str) -> World {
    let seed = Seeder::new(&moto::url()).await;
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-app");
    let uri = seed.repo(&family).await;
    seed.push_image(&family, "v1", &format!("{cluster}-v1"), 1000)
        .await;
    let digest = seed
        .push_image(&family, SHA, &format!("{cluster}-built"), 2000)
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
    World {
        seed,
        cluster,
        family,
        uri,
        digest,
    }
}

/// The context the deploy is planned in: moto's account and region, which the runner checks
/// (STS) before any call.
fn ctx() -> ContextInfo {
    ContextInfo {
        name: "moto".into(),
        account: moto::ACCOUNT.into(),
        region: moto::REGION.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_registers_a_revision_pinned_to_the_digest_and_moves_the_service_to_it() {
    // RegisterTaskDefinition to moto, then UpdateService to the revision it returned.
    let w = world("deploy").await;
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&w.cluster], Vec::new()).await);
    let key = ServiceKey {
        cluster: w.cluster.clone(),
        name: "web".into(),
    };
    let services = fleet.services().await.unwrap();
    let web = services.iter().find(|s| s.key() == key).unwrap();
    let images = fleet.images().await.unwrap();
    // Other tests push the same tag to their own repositories on the shared moto.
    let built = images
        .iter()
        .find(|i| i.repository == w.family && i.tags.contains(&SHA.to_string()))
        .unwrap();
    assert_eq!(built.digest, w.digest);

    let plan = build_plan::deploy(web, built, &images).unwrap();
    assert_eq!(
        plan.then[0].mutation,
        Mutation::Aws(AwsCall::UpdateServiceToRegistered {
            from: web.task_def.clone()
        })
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let done = run_action(&fleet, &audit, &plan, &ctx()).await;
    assert!(done.is_ok(), "{done:?}");

    let td = w
        .seed
        .ecs
        .describe_task_definition()
        .task_definition(format!("{}:2", w.family))
        .send()
        .await
        .unwrap();
    let td = td.task_definition().unwrap();
    let image = td.container_definitions()[0].image().unwrap();
    assert_eq!(image, format!("{}@{}", w.uri, w.digest));
    assert_eq!(
        td.cpu(),
        Some("256"),
        "the rest of the definition is copied"
    );
    assert_eq!(td.container_definitions()[0].memory(), Some(512));
    let svc = w
        .seed
        .ecs
        .describe_services()
        .cluster(&w.cluster)
        .services("web")
        .send()
        .await
        .unwrap();
    let now = svc.services()[0].task_definition().unwrap().to_string();
    assert!(now.ends_with(&format!("{}:2", w.family)), "{now}");

    let records: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<&str> = records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["before", "after", "before", "after"]);
    assert_eq!(
        records[1]["outcome"]["registered"],
        format!("{}:2", w.family)
    );
    assert_eq!(
        records[2]["call"],
        format!("ecs:UpdateService(taskDefinition={}:2)", w.family)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_registers_nothing() {
    let w = world("deployro").await;
    let fleet = Arc::new(moto::fleet(&moto::url(), &[&w.cluster], Vec::new()).await);
    let key = ServiceKey {
        cluster: w.cluster.clone(),
        name: "web".into(),
    };
    let services = fleet.services().await.unwrap();
    let web = services.iter().find(|s| s.key() == key).unwrap();
    let images = fleet.images().await.unwrap();
    let built = images
        .iter()
        .find(|i| i.tags.contains(&SHA.to_string()))
        .unwrap();
    let plan = build_plan::deploy(web, built, &images).unwrap();
    let ro: Arc<dyn Fleet> = Arc::new(ReadOnly(fleet));
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    assert!(run_action(&ro, &audit, &plan, &ctx()).await.is_err());
    let revisions = w
        .seed
        .ecs
        .list_task_definitions()
        .family_prefix(&w.family)
        .send()
        .await
        .unwrap();
    assert_eq!(
        revisions.task_definition_arns().len(),
        1,
        "nothing was registered"
    );
}
