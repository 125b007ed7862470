//! The one API budget against a throttling endpoint: a fault proxy in front of moto answers
//! every DescribeServices with throttling. The budget halves that operation's rate for the
//! whole console, so the calls settle under its bucket. Then, with the throttling gone but the
//! services poller asking for more DescribeServices than the bucket gives, a confirmed action
//! on the same operation still goes at once: it never waits for a token. And the budget is per
//! account and region: one account throttled leaves another's calls alone.

use crate::support::action::run_action;
use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::headless::Headless;
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use deckwatch::budget::{Budget, Priority, with_priority};
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::{Op, OpReport, Verb};
use deckwatch::state::Pane;
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::poller::Intervals;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// DescribeServices calls a second the test's budget allows (the console's default is 10).
const RATE: f64 = 2.0;
/// The bucket's burst: ten seconds' worth.
const BURST: f64 = RATE * 10.0;
/// 8 DescribeServices a refresh (batches of 10), every 2 s: twice what the bucket gives.
const SERVICES: usize = 80;
/// Attempts the SDK's standard retry makes per call.
const ATTEMPTS: usize = 3;
const WINDOW: Duration = Duration::from_secs(20);
const OP: Op = Op::EcsDescribeServices;

const IV: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(2),
    logs: Duration::from_secs(1),
    alarms: Duration::from_secs(60),
    live_tail: false,
    reconcile: Duration::from_secs(300),
};

fn figures(budget: &Budget, op: Op) -> OpReport {
    budget
        .report()
        .into_iter()
        .find(|r| r.op == op)
        .unwrap_or_else(|| panic!("{op} never asked the budget"))
}

async fn seed_cluster(url: &str) -> String {
    let seed = Seeder::new(url).await;
    let cluster = moto::unique("budget");
    seed.cluster(&cluster).await;
    let family = moto::unique("budgeted");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/budgeted:1",
            log_group: "/ecs/budgeted",
            stream_prefix: "ecs",
        })
        .await;
    for i in 0..SERVICES {
        seed.service(&cluster, &format!("svc-{i:03}"), &td, 1).await;
    }
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_settles_the_calls_under_the_bucket_and_an_action_still_goes_at_once() {
    let url = moto::url();
    let cluster = seed_cluster(&url).await;
    let proxy = FaultProxy::start(&url).await;
    let budget = Arc::new(Budget::new(HashMap::from([(OP, RATE)])));
    let opts = AwsOptions {
        retries: true,
        ..moto::options(&proxy.url, &[&cluster])
    };
    let overrides = Overrides {
        credentials: Some(moto::credentials()),
        budget: budget.clone(),
        ..Overrides::default()
    };
    let fleet: Arc<dyn Fleet> = Arc::new(AwsFleet::connect_with(opts, overrides).await.unwrap());
    let console = Headless::start(fleet.clone(), Pane::Services, IV);
    console
        .wait_until("the first load", |st| {
            st.ctx.services.items.len() == SERVICES
        })
        .await;

    // Throttled: the rate halves for everyone, and the calls stay within what it allows.
    proxy.set("DescribeServices", Fault::Throttle);
    proxy.reset_counts();
    let start = Instant::now();
    console
        .wait_until("the throttling on the pane", |st| {
            st.ctx
                .services
                .error
                .as_ref()
                .is_some_and(|e| e.to_string().to_lowercase().contains("throttl"))
        })
        .await;
    // The rate halves at each throttling answer and grows back a little every quiet second, so
    // what it is at one moment depends on how the answers fell (on a loaded machine the last
    // may be long past): its lowest over the window is what the throttling did.
    let mut lowest = f64::MAX;
    let watched = Instant::now();
    while watched.elapsed() < WINDOW {
        lowest = lowest.min(figures(&budget, OP).rate);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    let sent = proxy.count("DescribeServices");
    let op = figures(&budget, OP);
    println!(
        "throttled for {secs:.0} s: {sent} DescribeServices sent ({:.0}/min), rate now {:.2}/s of {:.1}, {} throttling answers",
        sent as f64 * 60.0 / secs,
        op.rate,
        op.max_rate,
        op.throttled
    );
    assert!(op.throttled > 0, "{op:?}");
    assert!(
        lowest <= RATE / 2.0,
        "the rate was not lowered (lowest {lowest}): {op:?}"
    );
    // Tokens in the window: what was left of the burst, then at most half the rate; each call
    // the SDK may try three times.
    let tokens = BURST + RATE / 2.0 * secs;
    assert!(
        sent as f64 <= tokens * ATTEMPTS as f64,
        "{sent} calls in {secs:.0} s, more than the bucket's {tokens:.0} tokens allow"
    );
    // Without the budget the poller alone would have asked 8 a refresh every 2 s.
    let unbudgeted = (secs / 2.0) * 8.0 * ATTEMPTS as f64;
    assert!((sent as f64) < unbudgeted, "{sent} vs {unbudgeted}");

    // Healed, but the poller asks for twice what the bucket gives: it waits for tokens.
    proxy.heal();
    console
        .wait_until("the services again", |st| st.ctx.services.error.is_none())
        .await;
    let waiting = figures(&budget, OP).deferred;
    console
        .wait_until("the poller waiting for tokens", |_| {
            figures(&budget, OP).deferred > waiting
        })
        .await;
    // From the console's own rows: a call of the test's own would wait behind the poller.
    let target = console.with(|st| {
        st.ctx
            .services
            .items
            .iter()
            .find(|s| s.name == "svc-007")
            .cloned()
            .unwrap()
    });
    let plan = for_verb(Verb::Scale, &target, &[], Some(2)).expect("a scale plan");
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let ctx = with_priority(Priority::Action, fleet.context())
        .await
        .unwrap();
    // As the console runs it: the runner gives the action its priority itself.
    let done = run_action(&fleet, &audit, &plan, &ctx).await;
    assert!(done.is_ok(), "{done:?}");
    // Read back from moto directly, past the budget.
    let ecs = aws_sdk_ecs::Client::new(&moto::sdk_config(&url).await);
    let read = ecs
        .describe_services()
        .cluster(&cluster)
        .services("svc-007")
        .send()
        .await
        .unwrap();
    assert_eq!(read.services()[0].desired_count(), 2);
    // The action's re-read (DescribeServices) and its UpdateService never waited, while the
    // poller's DescribeServices did.
    let reads = figures(&budget, OP);
    let update = figures(&budget, Op::EcsUpdateService);
    println!("after the action: {reads:?}; {update:?}");
    assert!(reads.deferred > waiting, "{reads:?}");
    assert_eq!(reads.actions_deferred, 0, "{reads:?}");
    assert_eq!(update.actions_deferred, 0, "{update:?}");
    assert_eq!(update.calls_last_minute, 1, "{update:?}");
}

/// The budget is kept per account and region: with one account's ListServices throttled (the
/// fault proxy answers only requests signed with its access key), that account's bucket slows
/// down and the other account's, polled through the same budget and the same endpoint, keeps
/// its whole rate and every answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_one_accounts_ecs_does_not_slow_another_accounts() {
    const LIST: Op = Op::EcsListServices;
    let url = moto::url();
    let proxy = FaultProxy::start(&url).await;
    let budget = Arc::new(Budget::new(HashMap::from([(LIST, 5.0)])));
    // Account one: moto's default (access key `testing`); account two: a role assumed in it.
    let sts = aws_sdk_sts::Client::new(&moto::sdk_config(&url).await);
    let role = sts
        .assume_role()
        .role_arn("arn:aws:iam::222222222222:role/deckwatch")
        .role_session_name("budget")
        .send()
        .await
        .unwrap();
    let c = role.credentials().unwrap();
    let two_key = c.access_key_id().to_string();
    let two = aws_credential_types::Credentials::new(
        &two_key,
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "assumed",
    );
    let connect = |creds: aws_credential_types::Credentials| {
        let overrides = Overrides {
            credentials: Some(
                aws_credential_types::provider::SharedCredentialsProvider::new(creds),
            ),
            budget: budget.clone(),
            ..Overrides::default()
        };
        AwsFleet::connect_with(moto::options(&proxy.url, &[]), overrides)
    };
    let one: Arc<dyn Fleet> = Arc::new(
        connect(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "static",
        ))
        .await
        .unwrap(),
    );
    // A cluster in account two, so its services are listed.
    let two_sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(moto::REGION))
        .endpoint_url(&url)
        .credentials_provider(two.clone())
        .load()
        .await;
    aws_sdk_ecs::Client::new(&two_sdk)
        .create_cluster()
        .cluster_name(moto::unique("two"))
        .send()
        .await
        .unwrap();
    let two: Arc<dyn Fleet> = Arc::new(connect(two).await.unwrap());
    // Each learns its account, which names its buckets.
    let (a1, _) = one.identity().await.unwrap();
    let (a2, _) = two.identity().await.unwrap();
    assert_eq!((a1.as_str(), a2.as_str()), (moto::ACCOUNT, "222222222222"));

    proxy.set_for_key("ListServices", "testing", Fault::Throttle);
    let mut two_ok = 0;
    for _ in 0..4 {
        let _ = with_priority(Priority::Visible, one.services()).await;
        if with_priority(Priority::Visible, two.services())
            .await
            .is_ok()
        {
            two_ok += 1;
        }
    }
    let scope = |account: &str| format!("{account}/{}", moto::REGION);
    let of = |account: &str| {
        budget
            .report()
            .into_iter()
            .find(|r| r.op == LIST && r.scope == scope(account))
            .unwrap_or_else(|| panic!("{LIST} never asked in {account}: {:?}", budget.report()))
    };
    let (throttled, spared) = (of(moto::ACCOUNT), of("222222222222"));
    println!("throttled: {throttled:?}\nspared: {spared:?}");
    assert!(throttled.throttled > 0, "{throttled:?}");
    assert!(throttled.rate < throttled.max_rate, "{throttled:?}");
    assert_eq!(spared.throttled, 0, "{spared:?}");
    assert_eq!(spared.rate, spared.max_rate, "{spared:?}");
    assert_eq!(two_ok, 4, "the spared account's reads failed");
}
