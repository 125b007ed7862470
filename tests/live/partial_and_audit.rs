//! Against moto: one cluster that does not exist leaves the others on the services pane and is
//! named; the team's audit group is checked, records it refused wait on disk and go once it
//! exists; the caller's ARN comes from STS.

use crate::support::action::run_action_with;
use crate::support::headless::Headless;
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use deckwatch::cloud::Fleet;
use deckwatch::model::Verb;
use deckwatch::state::actions::plan::for_verb;
use deckwatch::state::{ConnectionEvent, Msg};
use deckwatch::state::{Pane, TeamAudit};
use deckwatch::workers::audit::{Audit, RecordContext};
use deckwatch::workers::poller::Intervals;
use deckwatch::workers::team_audit;
use std::sync::Arc;
use std::time::Duration;

async fn one_service_cluster(seed: &Seeder, prefix: &str) -> String {
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = moto::unique("partial");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/partial:1",
            log_group: "/ecs/partial",
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "api", &td, 1).await;
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_does_not_exist_leaves_the_others_and_is_named() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let good = one_service_cluster(&seed, "good").await;
    let bad = moto::unique("nope");
    let fleet = moto::fleet(&url, &[&bad, &good], Vec::new()).await;

    let listing = fleet.services_listing(&|_, _, _| {}).await.unwrap();
    assert_eq!(listing.items.len(), 1);
    assert_eq!(listing.items[0].cluster, good);
    let e = listing.failed.expect("the bad cluster is named");
    assert!(e.partial);
    let text = e.to_string();
    assert!(
        text.contains(&format!("1 of 2 clusters not read: cluster {bad}:")),
        "{text}"
    );
    assert!(text.contains("ClusterNotFoundException"), "{text}");
    // The runner's re-read still finds the good cluster's services.
    assert_eq!(fleet.services().await.unwrap().len(), 1);

    let fleet: Arc<dyn Fleet> = Arc::new(fleet);
    let iv = Intervals {
        fast: Duration::from_secs(2),
        normal: Duration::from_secs(2),
        logs: Duration::from_secs(1),
        alarms: Duration::from_secs(60),
        live_tail: true,
        reconcile: Duration::from_secs(300),
    };
    let console = Headless::start(fleet, Pane::Services, iv);
    console
        .wait_until("the good cluster's rows with the bad one named", |st| {
            st.ctx.services.items.len() == 1
                && st
                    .ctx
                    .services
                    .error
                    .as_ref()
                    .is_some_and(|e| e.partial && e.message.contains(&bad))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_audit_group_is_checked_and_its_records_wait_until_it_exists() {
    let url = moto::url();
    let seed = Seeder::new(&url).await;
    let cluster = one_service_cluster(&seed, "audit").await;
    let fleet: Arc<dyn Fleet> = Arc::new(moto::fleet(&url, &[&cluster], Vec::new()).await);
    let ctx = fleet.context().await.unwrap();
    assert!(ctx.caller_arn.starts_with("arn:aws:"), "{}", ctx.caller_arn);

    let group = format!("/deckwatch/audit/{}", moto::unique("g"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())).with_remote_group(Some(group.clone())));
    // DescribeLogGroups by the group's name: moto has no such group yet.
    assert!(!fleet.audit_group_exists(&group).await.unwrap());
    let of = RecordContext::of(&ctx);
    assert!(matches!(
        team_audit::check_group(fleet.as_ref(), &audit, &of).await,
        Some(TeamAudit::Missing(_))
    ));

    let api = fleet.services().await.unwrap().remove(0);
    let plan = for_verb(Verb::Scale, &api, &[], Some(2)).unwrap();
    // The runner ships the records after the call: the group is missing, so they wait, and
    // the outcome and the header say so.
    let (done, said) = run_action_with(&fleet, &audit, &plan, &ctx).await;
    let done = done.expect("the scale goes");
    assert!(done.contains("2 audit record(s) not yet in"), "{done}");
    let failed = said.iter().find_map(|m| match m {
        Msg::Connection(ConnectionEvent::TeamAudit(t)) => Some(t.clone()),
        _ => None,
    });
    assert!(
        matches!(&failed, Some(TeamAudit::Unsent { count: 2, why }) if why.contains("ResourceNotFoundException")),
        "{failed:?}"
    );
    let local = std::fs::read_to_string(&path).unwrap();
    assert!(
        local.contains(&ctx.caller_arn),
        "the record names the caller"
    );

    seed.log_group(&group).await;
    assert!(fleet.audit_group_exists(&group).await.unwrap());
    assert_eq!(
        team_audit::ship(fleet.as_ref(), &audit, &of).await,
        Some(TeamAudit::Ok)
    );
    assert_eq!(audit.unsent_count(&of), 0);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto::sdk_config(&url).await);
    let out = logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    let shipped: Vec<&str> = out.events().iter().filter_map(|e| e.message()).collect();
    let local: Vec<&str> = local.lines().collect();
    assert_eq!(shipped, local);
}
