//! The demo honours a context's `clusters` as the AWS backend does: only those clusters'
//! services and tasks, the header names them, and a cluster the demo lacks is named as not
//! found while the others show.

use deckwatch::app::connector::{ConfiguredContexts, Connector, DemoContexts, Target};
use deckwatch::config::Context;

fn demo_with(clusters: &[&str]) -> DemoContexts {
    DemoContexts::new(ConfiguredContexts {
        startup: "demo".into(),
        configured: vec![Context {
            name: "edge".into(),
            clusters: clusters.iter().map(|c| c.to_string()).collect(),
            ..Context::default()
        }],
        choices: Default::default(),
    })
}

fn target(name: &str) -> Target {
    Target {
        generation: 1,
        name: name.into(),
        region: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_context_s_clusters_scope_the_demo_fleet() {
    let demo = demo_with(&["prod-edge"]);
    let fleet = demo
        .connect(&target("edge"))
        .await
        .expect("the demo connects");
    let services = fleet.services().await.expect("services");
    assert!(!services.is_empty());
    assert!(
        services.iter().all(|s| s.cluster == "prod-edge"),
        "{:?}",
        services.iter().map(|s| &s.cluster).collect::<Vec<_>>()
    );
    let tasks = fleet.tasks(None).await.expect("tasks");
    assert!(!tasks.is_empty() && tasks.iter().all(|t| t.cluster == "prod-edge"));
    let ctx = fleet.context().await.expect("context");
    assert_eq!(ctx.clusters, ["prod-edge"]);
    // The console's own context, with no clusters named, has every cluster.
    let all = demo
        .connect(&target("demo"))
        .await
        .expect("the demo connects");
    let every = all.services().await.expect("services");
    assert!(every.iter().any(|s| s.cluster == "prod-core"));
}

#[tokio::test(start_paused = true)]
async fn a_cluster_the_demo_lacks_is_named_and_the_others_show() {
    let demo = demo_with(&["staging", "nope"]);
    let fleet = demo
        .connect(&target("edge"))
        .await
        .expect("the demo connects");
    let listing = fleet
        .services_listing(&|_, _, _| {})
        .await
        .expect("a partial listing");
    assert!(!listing.items.is_empty());
    assert!(listing.items.iter().all(|s| s.cluster == "staging"));
    let failed = listing.failed.expect("the missing cluster is named");
    assert!(
        failed
            .to_string()
            .contains("1 of 2 clusters not read: cluster nope"),
        "{failed}"
    );
}
