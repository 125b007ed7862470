//! The metrics worker as the binary runs it (`workers::metrics::run`, spawned by the pollers),
//! on tokio's paused clock with a fake `Fleet` whose `utilisation` counts its calls, can be
//! made to fail, and can be held in flight. Time moves only when every task waits, so "no call
//! before 60 s" is a count at a known instant, not a timing.

use async_trait::async_trait;
use deckwatch::cloud::Fleet;
use deckwatch::model::At;
use deckwatch::model::{
    Alarm, AwsCall, ContextInfo, Image, LogPage, LogQuery, LogSources, LogTarget, Service,
    ServiceKey, Task, Utilisation,
};
use deckwatch::model::{ApiError, ApiResult, ErrorKind};
use deckwatch::workers::metrics::{self, Series};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, sleep, sleep_until};

/// What the fake answers and what it was asked.
#[derive(Default)]
struct Log {
    /// When each `utilisation` call started, with the keys it was asked for.
    calls: Vec<(Instant, Vec<ServiceKey>)>,
    /// Answers to give, in order; a success when empty.
    failures: VecDeque<ApiError>,
    in_flight: usize,
    max_in_flight: usize,
}

/// Permits of the gate: more than any test makes calls.
const GATE: u32 = 1_000;

struct FakeFleet {
    log: Mutex<Log>,
    /// Each call takes a permit before it answers; a test that holds them holds the call.
    gate: Semaphore,
}

impl FakeFleet {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            log: Mutex::default(),
            gate: Semaphore::new(GATE as usize),
        })
    }

    fn calls(&self) -> Vec<(Instant, Vec<ServiceKey>)> {
        self.log.lock().unwrap().calls.clone()
    }

    fn fail_next(&self, e: ApiError) {
        self.log.lock().unwrap().failures.push_back(e);
    }
}

fn nothing<T>() -> ApiResult<T> {
    Err(ApiError::new(
        ErrorKind::Other,
        "not used by the metrics worker",
    ))
}

#[async_trait]
impl Fleet for FakeFleet {
    async fn context(&self) -> ApiResult<ContextInfo> {
        nothing()
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        nothing()
    }
    async fn tasks(&self, _: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        nothing()
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        nothing()
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        nothing()
    }
    async fn log_sources(&self, _: &LogTarget) -> ApiResult<LogSources> {
        nothing()
    }
    async fn log_page(&self, _: &LogQuery, _: Option<String>) -> ApiResult<LogPage> {
        nothing()
    }
    async fn act(&self, _: &ServiceKey, _: &AwsCall) -> ApiResult<()> {
        nothing()
    }

    /// One point per service: the number of calls so far, so each fetch is told apart.
    async fn utilisation(&self, keys: &[ServiceKey]) -> ApiResult<Vec<Utilisation>> {
        let n = {
            let mut log = self.log.lock().unwrap();
            log.calls.push((Instant::now(), keys.to_vec()));
            log.in_flight += 1;
            log.max_in_flight = log.max_in_flight.max(log.in_flight);
            log.calls.len() as f64
        };
        let permit = self.gate.acquire().await.expect("gate open");
        drop(permit);
        let mut log = self.log.lock().unwrap();
        log.in_flight -= 1;
        if let Some(e) = log.failures.pop_front() {
            return Err(e);
        }
        Ok(keys
            .iter()
            .map(|_| Utilisation {
                cpu: vec![n],
                mem: vec![n * 10.0],
            })
            .collect())
    }
}

fn key(name: &str) -> ServiceKey {
    ServiceKey {
        cluster: "prod".into(),
        name: name.into(),
    }
}

/// The worker running on `fleet`, fed the keys the services poller would publish.
struct Worker {
    fleet: Arc<FakeFleet>,
    keys: watch::Sender<Arc<Vec<ServiceKey>>>,
    series: Series,
    start: Instant,
}

impl Worker {
    fn spawn() -> Self {
        let fleet = FakeFleet::new();
        let (keys, rx) = watch::channel(Arc::new(Vec::new()));
        let series = Series::default();
        let dyn_fleet: Arc<dyn Fleet> = fleet.clone();
        tokio::spawn(metrics::run(dyn_fleet, rx, series.clone()));
        Self {
            fleet,
            keys,
            series,
            start: Instant::now(),
        }
    }

    fn publish(&self, names: &[&str]) {
        let _ = self
            .keys
            .send(Arc::new(names.iter().map(|n| key(n)).collect()));
    }

    /// When each call started, in seconds since the worker was spawned.
    fn call_times(&self) -> Vec<f64> {
        self.fleet
            .calls()
            .iter()
            .map(|(at, _)| at.duration_since(self.start).as_secs_f64())
            .collect()
    }

    fn cpu_of(&self, name: &str) -> Option<Vec<f64>> {
        self.series
            .lock()
            .unwrap()
            .get(&key(name))
            .map(|u| u.cpu.clone())
    }
}

/// Lets every task run until all of them wait on the clock or a channel.
async fn settle() {
    sleep(Duration::from_millis(1)).await;
}

#[tokio::test(start_paused = true)]
async fn fetches_at_once_then_again_only_when_a_minute_old() {
    let w = Worker::spawn();
    settle().await;
    assert!(w.fleet.calls().is_empty(), "nothing to fetch before keys");

    w.publish(&["api", "web"]);
    settle().await;
    assert_eq!(w.fleet.calls().len(), 1, "the first fetch is at once");
    assert_eq!(w.fleet.calls()[0].1, vec![key("api"), key("web")]);
    assert_eq!(w.cpu_of("web"), Some(vec![1.0]));

    // The same keys again (every refresh publishes them) fetch nothing new.
    w.publish(&["api", "web"]);
    sleep(Duration::from_secs(58)).await;
    assert_eq!(w.fleet.calls().len(), 1, "{:?}", w.call_times());

    sleep(Duration::from_secs(3)).await;
    assert_eq!(w.fleet.calls().len(), 2, "stale after a minute");
    assert_eq!(w.call_times()[1].round(), 60.0, "{:?}", w.call_times());
    assert_eq!(w.cpu_of("api"), Some(vec![2.0]));

    // The rows get the latest series; a row without one keeps what it had.
    let mut rows = crate::support::testkit::StateBuilder::demo(At(0))
        .with_services()
        .build()
        .ctx
        .services
        .items;
    rows.truncate(1);
    rows[0].cluster = "prod".into();
    rows[0].name = "web".into();
    metrics::apply(&w.series, &mut rows);
    assert_eq!(rows[0].cpu, vec![2.0]);
    assert_eq!(rows[0].mem, vec![20.0]);
}

#[tokio::test(start_paused = true)]
async fn a_new_service_is_fetched_without_waiting_for_the_minute() {
    let w = Worker::spawn();
    w.publish(&["api"]);
    settle().await;
    sleep(Duration::from_secs(10)).await;
    w.publish(&["api", "search"]);
    settle().await;
    let calls = w.fleet.calls();
    assert_eq!(calls.len(), 2, "{:?}", w.call_times());
    assert_eq!(calls[1].1, vec![key("api"), key("search")]);
    assert_eq!(w.cpu_of("search"), Some(vec![2.0]));
}

#[tokio::test(start_paused = true)]
async fn a_transient_failure_backs_off_and_a_denied_call_waits_a_minute() {
    let w = Worker::spawn();
    w.fleet.fail_next(ApiError::new(
        ErrorKind::Throttled,
        "cloudwatch:GetMetricData: Rate exceeded",
    ));
    w.fleet.fail_next(ApiError::new(
        ErrorKind::Throttled,
        "cloudwatch:GetMetricData: Rate exceeded",
    ));
    w.publish(&["api"]);
    settle().await;
    assert_eq!(w.fleet.calls().len(), 1);
    assert_eq!(w.cpu_of("api"), None, "a failure leaves no series");

    // The first back-off is 1 s ± 25 %, the second 2 s ± 25 %, not the pace of new keys.
    sleep(Duration::from_millis(700)).await;
    assert_eq!(w.fleet.calls().len(), 1, "{:?}", w.call_times());
    sleep(Duration::from_millis(600)).await;
    assert_eq!(w.fleet.calls().len(), 2, "{:?}", w.call_times());
    let first_gap = w.call_times()[1];
    assert!((0.75..=1.25).contains(&first_gap), "{:?}", w.call_times());
    sleep(Duration::from_millis(2600)).await;
    let times = w.call_times();
    assert_eq!(times.len(), 3, "{times:?}");
    let second_gap = times[2] - times[1];
    assert!((1.5..=2.5).contains(&second_gap), "{times:?}");
    assert_eq!(w.cpu_of("api"), Some(vec![3.0]), "recovered");

    // A denied call is not retried sooner than a minute after it failed.
    w.fleet.fail_next(ApiError::new(
        ErrorKind::AccessDenied(deckwatch::model::Op::CloudWatchGetMetricData),
        "not authorized",
    ));
    sleep(Duration::from_secs(60)).await;
    let times = w.call_times();
    assert_eq!(times.len(), 4, "stale again: {times:?}");
    let denied_at = w.start + Duration::from_secs_f64(times[3]);
    sleep_until(denied_at + Duration::from_secs(59)).await;
    assert_eq!(w.fleet.calls().len(), 4, "{:?}", w.call_times());
    sleep_until(denied_at + Duration::from_secs(61)).await;
    assert_eq!(w.fleet.calls().len(), 5, "{:?}", w.call_times());
    assert_eq!(w.cpu_of("api"), Some(vec![5.0]));
}

#[tokio::test(start_paused = true)]
async fn one_fetch_at_a_time_however_the_keys_change() {
    let w = Worker::spawn();
    // Hold every call in flight.
    let held = w.fleet.gate.acquire_many(GATE).await.expect("gate");
    w.publish(&["api"]);
    settle().await;
    // New services keep coming, and the minute passes twice, while the call is held.
    let growing: [&[&str]; 3] = [
        &["api", "web"],
        &["api", "web", "search"],
        &["api", "web", "search", "worker"],
    ];
    for names in growing {
        w.publish(names);
        sleep(Duration::from_secs(45)).await;
    }
    assert_eq!(w.fleet.calls().len(), 1, "{:?}", w.call_times());
    drop(held);
    settle().await;
    // The held call ends; the services that came meanwhile have no series, so one more fetch
    // follows at once, with all of them.
    let calls = w.fleet.calls();
    assert_eq!(calls.len(), 2, "{:?}", w.call_times());
    assert_eq!(calls[1].1.len(), 4);
    assert_eq!(w.fleet.log.lock().unwrap().max_in_flight, 1);
    assert_eq!(w.cpu_of("worker"), Some(vec![2.0]));
}
