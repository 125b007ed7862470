//! The AWS calls a console makes a minute, against the goals: the real pollers and
//! workers and the reducer, the AWS backend on the real SDK clients, answered by the fake fleet
//! of `support/fake_aws.rs` on tokio's paused clock, the shipped intervals and budget.
//! - the services pane left open on 4 settled services: at most 30 calls a minute in all;
//! - the rollout view open on one of 4 services while it rolls out (and after): at most 120;
//! - 10,000 services with ECS's events arriving: at most one ECS call a second.

use crate::support::fake_aws::{ACCOUNT, Fake, REGION, STEP};
use crate::support::testkit::StateBuilder;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::model::EventSource;
use deckwatch::state::{Effect, Msg, Pane, State, update};
use deckwatch::workers::poller::{Handles, Intervals};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The shipped `[poll]` and `[logs]` intervals and `[events] reconcile_secs`.
const SHIPPED: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(10),
    logs: Duration::from_secs(2),
    alarms: Duration::from_secs(60),
    live_tail: true,
    reconcile: Duration::from_secs(300),
};

/// The console: the state, fed by the pollers, its effects carried out as the loop does.
struct Console {
    state: Arc<Mutex<State>>,
    handles: Arc<Handles>,
    fake: Arc<Fake>,
}

async fn console(fake: Arc<Fake>, events: Option<EventSource>) -> Console {
    let opts = AwsOptions {
        region: Some(REGION.into()),
        endpoint_url: Some("http://aws.fake.invalid".into()),
        events,
        ..AwsOptions::default()
    };
    let overrides = Overrides {
        http_client: Some(fake.client()),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        ))),
        ..Overrides::default()
    };
    let fleet = AwsFleet::connect_with(opts, overrides).await.unwrap();
    let mut s = StateBuilder::demo(deckwatch::timing::now_ms()).build();
    s.ctx.info.account = ACCOUNT.into();
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let fleet: Arc<dyn deckwatch::cloud::Fleet> = Arc::new(fleet);
    let audit = Arc::new(deckwatch::workers::audit::Audit::new(None));
    let workers =
        deckwatch::app::context_workers::start(&fleet, &audit, &tx, s.ctx.watch(), 0, SHIPPED);
    let handles = Arc::new(workers);
    let state = Arc::new(Mutex::new(s));
    let (st, h) = (state.clone(), handles.clone());
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let fx = update(&mut st.lock().unwrap(), m);
            carry_out(&h, fx);
        }
    });
    Console {
        state,
        handles,
        fake,
    }
}

fn carry_out(h: &Handles, fx: Vec<Effect>) {
    for e in fx {
        match e {
            Effect::Watch(w) => {
                let _ = h.watch.send(w);
            }
            Effect::Evidence(r) => {
                let _ = h.evidence.send(*r);
            }
            _ => {}
        }
    }
}

impl Console {
    fn key(&self, code: KeyCode) {
        let fx = update(
            &mut self.state.lock().unwrap(),
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        carry_out(&self.handles, fx);
    }

    /// Filters the services to `name` and opens its rollout view.
    fn open_rollout(&self, name: &str) {
        self.key(KeyCode::Char('/'));
        for c in name.chars() {
            self.key(KeyCode::Char(c));
        }
        self.key(KeyCode::Enter);
        self.key(KeyCode::Enter);
        assert_eq!(self.state.lock().unwrap().ctx.pane, Pane::Rollout);
    }

    fn loaded(&self) -> usize {
        self.state.lock().unwrap().ctx.services.items.len()
    }

    /// Calls made during `d`, by operation.
    async fn calls_during(&self, d: Duration) -> BTreeMap<String, usize> {
        let before = self.fake.calls();
        tokio::time::sleep(d).await;
        let mut after = self.fake.calls();
        for (op, n) in before {
            if let Some(m) = after.get_mut(&op) {
                *m -= n;
            }
        }
        after.retain(|_, n| *n > 0);
        after
    }
}

fn total(calls: &BTreeMap<String, usize>) -> usize {
    calls.values().sum()
}

/// The ECS operations among `calls`.
fn ecs(calls: &BTreeMap<String, usize>) -> usize {
    const ECS: [&str; 7] = [
        "ListClusters",
        "ListServices",
        "DescribeServices",
        "DescribeTaskDefinition",
        "ListTaskDefinitions",
        "ListTasks",
        "DescribeTasks",
    ];
    ECS.iter().filter_map(|op| calls.get(*op)).sum()
}

/// Four services in one cluster; `web` behind a target group.
fn four() -> Arc<Fake> {
    let fake = Fake::fleet(1, 4);
    fake.with(|s| {
        s[0].name = "web".into();
        s[0].desired = 4;
        s[0].target_group = Some(format!(
            "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/0123456789abcdef"
        ));
    });
    fake
}

#[tokio::test(start_paused = true)]
async fn the_services_pane_left_open_makes_at_most_30_calls_a_minute() {
    let c = console(four(), None).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(c.loaded(), 4);
    for minute in 0..5 {
        let calls = c.calls_during(Duration::from_secs(60)).await;
        println!(
            "services pane, minute {minute}: {} calls {calls:?}",
            total(&calls)
        );
        assert!(total(&calls) <= 30, "minute {minute}: {calls:?}");
        // ListClusters once a minute, not every refresh.
        assert!(
            calls.get("ListClusters").copied().unwrap_or(0) <= 1,
            "{calls:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_rollout_view_makes_at_most_120_calls_a_minute_while_it_moves_and_after() {
    let c = console(four(), None).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    c.open_rollout("web");
    tokio::time::sleep(Duration::from_secs(30)).await;
    // web rolls out: 4 tasks replaced one step every 15 s, two minutes in all.
    c.fake.with(|s| {
        s[0].revision += 1;
        s[0].rolling_since = Some(Instant::now());
    });
    let mut health_while_moving = 0;
    for minute in 0..6 {
        let calls = c.calls_during(Duration::from_secs(60)).await;
        println!(
            "rollout view, minute {minute}: {} calls {calls:?}",
            total(&calls)
        );
        assert!(total(&calls) <= 120, "minute {minute}: {calls:?}");
        let health = calls.get("DescribeTargetHealth").copied().unwrap_or(0);
        if minute < 2 {
            health_while_moving += health;
        } else if minute > 2 {
            assert_eq!(
                health, 0,
                "target health read after the rollout ended: {calls:?}"
            );
        }
    }
    assert!(health_while_moving > 0, "target health read while it moved");
    assert!(STEP.as_secs() * 8 <= 120);
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_services_with_events_make_at_most_one_ecs_call_a_second() {
    let fake = Fake::fleet(100, 100);
    let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/deckwatch-events";
    let c = console(fake, Some(EventSource::Queue(queue.into()))).await;
    // The first load, and the full refresh that follows the events' start.
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(c.loaded(), 10_000);
    assert!(c.state.lock().unwrap().ctx.feed.is_up());
    let calls = c.calls_during(Duration::from_secs(600)).await;
    println!("10,000 services with events, 10 minutes: {calls:?}");
    let per_second = ecs(&calls) as f64 / 600.0;
    assert!(
        per_second <= 1.0,
        "{per_second:.2} ECS calls a second: {calls:?}"
    );
    // The full refresh came twice in ten minutes, not every ten seconds.
    assert!(
        calls.get("ListServices").copied().unwrap_or(0) <= 200,
        "{calls:?}"
    );
}
