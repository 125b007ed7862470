//! How often each pane's data is fetched when nobody touches the console: the real pollers on
//! tokio's paused clock, against the demo fleet behind a wrapper that counts the calls. The
//! AWS calls one fetch makes are counted against moto (see BENCHMARKS.md); together they give
//! the calls per minute a console left open makes.

use async_trait::async_trait;
use deckwatch::cloud::{Fleet, LiveStream};
use deckwatch::demo::SimFleet;
use deckwatch::model::{
    Alarm, ApiResult, AwsCall, ContextInfo, Image, LiveEnd, LiveQuery, LogPage, LogQuery,
    LogSources, LogTarget, Service, ServiceKey, Task, Utilisation,
};
use deckwatch::state::{Msg, Pane, Watch};
use deckwatch::workers::poller::Intervals;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::support::testkit::EPOCH;

/// The demo fleet, counting the calls made of it by name.
struct Counting {
    inner: SimFleet,
    calls: Mutex<BTreeMap<&'static str, usize>>,
}

impl Counting {
    fn count(&self, name: &'static str) {
        *self.calls.lock().unwrap().entry(name).or_default() += 1;
    }
}

#[async_trait]
impl Fleet for Counting {
    async fn context(&self) -> ApiResult<ContextInfo> {
        self.count("context");
        self.inner.context().await
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.count("services");
        self.inner.services().await
    }
    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.count("tasks");
        self.inner.tasks(service).await
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.count("images");
        self.inner.images().await
    }
    async fn utilisation(&self, keys: &[ServiceKey]) -> ApiResult<Vec<Utilisation>> {
        self.count("utilisation");
        self.inner.utilisation(keys).await
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        self.count("alarms");
        self.inner.alarms().await
    }
    async fn log_sources(&self, target: &LogTarget) -> ApiResult<LogSources> {
        self.count("logs");
        self.inner.log_sources(target).await
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        self.count("logs");
        self.inner.log_page(q, token).await
    }
    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        self.count("logs");
        self.inner.live_tail(q).await
    }
    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()> {
        self.inner.act(service, call).await
    }
}

/// Calls per minute of each kind over ten simulated minutes with `pane` on screen.
async fn per_minute(pane: Pane, service: Option<ServiceKey>) -> BTreeMap<&'static str, f64> {
    let fleet = Arc::new(Counting {
        inner: SimFleet::new(EPOCH),
        calls: Mutex::default(),
    });
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let watch = Watch {
        pane,
        service,
        partner: None,
        fast: false,
        acting: false,
        sort: None,
        logs: None,
    };
    let iv = Intervals {
        fast: Duration::from_secs(2),
        normal: Duration::from_secs(10),
        logs: Duration::from_secs(1),
        alarms: Duration::from_secs(60),
        live_tail: true,
        reconcile: Duration::from_secs(300),
    };
    let audit = Arc::new(deckwatch::workers::audit::Audit::new(None));
    let workers_fleet: Arc<dyn Fleet> = fleet.clone();
    let _handles =
        deckwatch::app::context_workers::start(&workers_fleet, &audit, &tx, watch, 0, iv);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    // Past the first load, then ten minutes.
    tokio::time::sleep(Duration::from_secs(5)).await;
    fleet.calls.lock().unwrap().clear();
    tokio::time::sleep(Duration::from_secs(600)).await;
    let calls = fleet.calls.lock().unwrap();
    calls.iter().map(|(k, v)| (*k, *v as f64 / 10.0)).collect()
}

#[tokio::test(start_paused = true)]
async fn an_idle_console_fetches_only_what_is_on_screen_at_the_normal_pace() {
    let services = per_minute(Pane::Services, None).await;
    // Every 10 s, and CPU, memory and the alarms (for the badge and the rows) once a
    // minute; nothing for the panes not shown.
    assert_eq!(services.get("services"), Some(&6.0), "{services:?}");
    assert_eq!(services.get("utilisation"), Some(&1.0), "{services:?}");
    assert_eq!(services.get("alarms"), Some(&1.0), "{services:?}");
    for hidden in ["images", "logs", "tasks"] {
        assert_eq!(services.get(hidden), None, "{hidden} fetched: {services:?}");
    }
    let images = per_minute(Pane::Images, None).await;
    assert_eq!(images.get("images"), Some(&6.0), "{images:?}");
    assert_eq!(images.get("services"), None, "{images:?}");
}
