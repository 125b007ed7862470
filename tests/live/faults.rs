//! The console against a sick endpoint: a fault proxy in front of moto throttles, answers 500,
//! hangs, resets the connection mid-body, or sends a body that does not parse. For each, the
//! real pollers and reducer keep the pane's rows, the pane's message names the cause, and the
//! calls stay within what the back-off (or the poll interval) allows: no call storm.
//!
//! Every scenario has its own proxy, fleet and console and they run at once, so the whole file
//! takes about as long as its slowest scenario (the hang, which waits out the SDK's timeouts).

use crate::support::fault_proxy::{Fault, FaultProxy};
use crate::support::headless::Headless;
use crate::support::moto::{self, OwnMoto};
use crate::support::seed::{Seeder, TaskDefSpec};
use aws_sdk_cloudwatch::types::StateValue;
use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use deckwatch::state::{Pane, State};
use deckwatch::workers::poller::Intervals;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Polls every 2 s while all is well, so a storm would show within the window.
const IV: Intervals = Intervals {
    fast: Duration::from_secs(2),
    normal: Duration::from_secs(2),
    logs: Duration::from_secs(1),
    alarms: Duration::from_secs(60),
    live_tail: true,
    reconcile: Duration::from_secs(300),
};
/// How long each scenario watches the pane after the fault has shown.
const WINDOW: Duration = Duration::from_secs(20);
/// Attempts the SDK's standard retry makes per call.
const ATTEMPTS: usize = 3;

/// A fleet on `url` (the proxy) as the console builds it: standard retries, short timeouts.
async fn fleet(url: &str, clusters: &[&str]) -> Arc<dyn Fleet> {
    let opts = AwsOptions {
        retries: true,
        ..moto::options(url, clusters)
    };
    let overrides = Overrides {
        credentials: Some(moto::credentials()),
        ..Overrides::default()
    };
    Arc::new(AwsFleet::connect_with(opts, overrides).await.unwrap())
}

/// The most polls a poller can start in `elapsed` after it saw the fault: one per interval
/// when the failure is not worth backing off, else on the back-off's schedule (1 s doubling,
/// each at least three quarters of that), plus the one already in flight.
fn max_polls(elapsed: Duration, transient: bool) -> usize {
    let secs = elapsed.as_secs_f64();
    if !transient {
        return (secs / IV.normal.as_secs_f64()) as usize + 2;
    }
    let (mut t, mut wait, mut n) = (0.0, 0.75, 1);
    while t + wait <= secs {
        t += wait;
        wait *= 2.0;
        n += 1;
    }
    n + 1
}

struct Scenario {
    name: &'static str,
    pane: Pane,
    operation: &'static str,
    fault: Fault,
    /// Words the pane's message must hold.
    cause: &'static str,
    transient: bool,
    /// Calls of `operation` one poll makes at most (alarms read around a bad page).
    calls_per_poll: usize,
    /// The call hangs: the header says "no answer" before the call gives up.
    no_answer: bool,
}

/// Loads the pane, turns the fault on, and checks the pane and the calls over the window.
async fn run(s: Scenario, proxy: FaultProxy, fleet: Arc<dyn Fleet>, rows: usize) {
    let console = Headless::start(fleet, s.pane, IV);
    console
        .wait_until(&format!("{}: the first load", s.name), |st| {
            st.current().fetched_at().is_some() && items(st, s.pane) == rows
        })
        .await;
    proxy.set(s.operation, s.fault.clone());
    proxy.reset_counts();
    let start = Instant::now();
    if s.no_answer {
        console
            .wait_until(&format!("{}: no answer in the header", s.name), |st| {
                st.ctx.connection.waiting.iter().any(|(p, _)| *p == s.pane)
            })
            .await;
    }
    console
        .wait_until(&format!("{}: the cause on the pane", s.name), |st| {
            st.current()
                .error()
                .is_some_and(|e| e.to_string().contains(s.cause))
        })
        .await;
    tokio::time::sleep(WINDOW).await;
    let elapsed = start.elapsed();
    let calls = proxy.count(s.operation);
    let (kept, error) = console.with(|st| (items(st, s.pane), st.current().error().cloned()));
    let error = error.map(|e| e.to_string()).unwrap_or_default();
    let per_minute = calls as f64 * 60.0 / elapsed.as_secs_f64();
    println!(
        "{}: {calls} {} calls in {:.0} s ({per_minute:.0}/min), polls {:?}, message: {error}",
        s.name,
        s.operation,
        elapsed.as_secs_f64(),
        console.polls().len()
    );
    assert_eq!(kept, rows, "{}: the pane lost rows", s.name);
    assert!(error.contains(s.cause), "{}: {error}", s.name);
    assert!(!error.contains("unknown error"), "{}: {error}", s.name);
    let bound = max_polls(elapsed, s.transient) * ATTEMPTS * s.calls_per_poll;
    assert!(
        calls <= bound,
        "{}: {calls} calls in {elapsed:?}, more than the {bound} the back-off allows",
        s.name
    );
}

fn items(st: &State, pane: Pane) -> usize {
    match pane {
        Pane::Services => st.ctx.services.items.len(),
        Pane::Alarms => st.ctx.alarms.items.len(),
        _ => 0,
    }
}

async fn services_scenario(s: Scenario) {
    let url = moto::url();
    let cluster = moto::unique("fault");
    let seed = Seeder::new(&url).await;
    seed.cluster(&cluster).await;
    let family = moto::unique("faulty");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/faulty:1",
            log_group: "/ecs/faulty",
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "alpha", &td, 1).await;
    seed.service(&cluster, "beta", &td, 1).await;
    let proxy = FaultProxy::start(&url).await;
    let fleet = fleet(&proxy.url, &[&cluster]).await;
    run(s, proxy, fleet, 2).await;
}

async fn alarms_scenario(s: Scenario, moto_url: String) {
    let proxy = FaultProxy::start(&moto_url).await;
    let fleet = fleet(&proxy.url, &["none"]).await;
    run(s, proxy, fleet, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sick_endpoint_never_blanks_a_pane_nor_draws_a_call_storm() {
    let _shared = moto::url();
    // The alarms pane lists the whole account: a moto of its own, with three alarms.
    let own = OwnMoto::start(moto::free_port());
    let seed = Seeder::new(&own.url()).await;
    seed.alarm("fire", StateValue::Alarm, "Threshold Crossed: 9 > 5")
        .await;
    seed.alarm("calm", StateValue::Ok, "BREAKME quiet").await;
    seed.alarm("quiet", StateValue::InsufficientData, "no data")
        .await;
    let alarms_url = own.url();
    let scenarios = vec![
        tokio::spawn(services_scenario(Scenario {
            name: "500 on ListServices",
            pane: Pane::Services,
            operation: "ListServices",
            fault: Fault::ServerError,
            cause: "ecs:ListServices: HTTP 500",
            transient: true,
            calls_per_poll: 1,
            no_answer: false,
        })),
        tokio::spawn(services_scenario(Scenario {
            name: "hang on ListServices",
            pane: Pane::Services,
            operation: "ListServices",
            fault: Fault::Hang,
            cause: "ecs:ListServices: the endpoint did not answer in time",
            transient: true,
            calls_per_poll: 1,
            no_answer: true,
        })),
        tokio::spawn(services_scenario(Scenario {
            name: "reset mid-body on DescribeServices",
            pane: Pane::Services,
            operation: "DescribeServices",
            fault: Fault::ResetMidBody,
            cause: "ecs:DescribeServices:",
            transient: true,
            calls_per_poll: 1,
            no_answer: false,
        })),
        tokio::spawn(services_scenario(Scenario {
            name: "invalid JSON from DescribeServices",
            pane: Pane::Services,
            operation: "DescribeServices",
            fault: Fault::BadBody { marker: None },
            cause: "ecs:DescribeServices: HTTP 200, the answer could not be read",
            transient: false,
            calls_per_poll: 1,
            no_answer: false,
        })),
        tokio::spawn(alarms_scenario(
            Scenario {
                name: "throttling on DescribeAlarms",
                pane: Pane::Alarms,
                operation: "DescribeAlarms",
                fault: Fault::Throttle,
                cause: "throttled: cloudwatch:DescribeAlarms: Throttling: Rate exceeded",
                transient: true,
                calls_per_poll: 1,
                no_answer: false,
            },
            alarms_url.clone(),
        )),
    ];
    for s in scenarios {
        s.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_alarm_that_does_not_parse_hides_neither_the_others_nor_a_real_alarm() {
    let _shared = moto::url();
    let own = OwnMoto::start(moto::free_port());
    let seed = Seeder::new(&own.url()).await;
    seed.alarm("fire", StateValue::Alarm, "Threshold Crossed: 9 > 5")
        .await;
    seed.alarm("calm", StateValue::Ok, "BREAKME quiet").await;
    seed.alarm("quiet", StateValue::InsufficientData, "no data")
        .await;
    let proxy = FaultProxy::start(&own.url()).await;
    // The answer holding "calm" does not parse, whichever page it is on.
    proxy.set(
        "DescribeAlarms",
        Fault::BadBody {
            marker: Some("BREAKME".into()),
        },
    );
    let fleet = fleet(&proxy.url, &["none"]).await;
    let listing = fleet.alarms_listing().await.expect("a partial listing");
    let names: Vec<&str> = listing.items.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"fire"), "the real ALARM shows: {names:?}");
    assert!(names.contains(&"quiet"), "{names:?}");
    assert!(!names.contains(&"calm"), "{names:?}");
    let e = listing.failed.expect("what failed is said");
    assert!(e.partial);
    let text = e.to_string();
    assert!(
        text.starts_with("unreadable answer: not shown: metric alarms in OK"),
        "{text}"
    );
    assert!(
        text.contains("invalid XML escape"),
        "the parser's words: {text}"
    );
    // The parser's own words, not "unknown error".
    assert!(text.contains("could not be read"), "{text}");
    assert!(!text.contains("unknown error"), "{text}");
    // Bounded: one whole read, then each state and kind, a bad one in three page sizes.
    assert!(
        proxy.count("DescribeAlarms") <= 1 + 6 * 3,
        "{:?}",
        proxy.counts()
    );

    // On the pane: the rows that could be read, the header says PARTIAL.
    let console = Headless::start(fleet, Pane::Alarms, IV);
    console
        .wait_until("the partial alarms", |st| {
            st.ctx.alarms.items.len() == 2
                && st.ctx.alarms.error.as_ref().is_some_and(|e| e.partial)
        })
        .await;
    let firing = console.with(|st| {
        st.ctx
            .alarms
            .items
            .iter()
            .any(|a| a.name == "fire" && a.state == deckwatch::model::AlarmState::Alarm)
    });
    assert!(firing);
}
