//! A native service's deployment history is merged in one place, the services poller: the
//! evidence worker reads it from the service-deployment APIs and hands it over, and the
//! services poller sends the services it last sent again with the history merged, without
//! another call and with the data's age unchanged. The real workers on tokio's paused clock.

use async_trait::async_trait;
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::history::Outcome;
use deckwatch::model::{
    Alarm, ApiResult, At, AwsCall, ContextInfo, Image, LogPage, LogQuery, LogSources, LogTarget,
    Ms, PastDeployment, Service, ServiceKey, Task, TaskDefRef,
};
use deckwatch::state::rollout::evidence::Request;
use deckwatch::state::{Msg, Pane, Watch};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::poller::Intervals;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::support::testkit::EPOCH;

/// The id of the deployment only the service-deployment APIs list.
const LISTED: &str = "arn:aws:ecs:eu-west-1:1:service-deployment/prod-edge/checkout/listed";

/// The demo fleet, counting the services calls, whose deployment history holds `LISTED`.
struct Native {
    sim: SimFleet,
    services: AtomicUsize,
}

#[async_trait]
impl Fleet for Native {
    async fn context(&self) -> ApiResult<ContextInfo> {
        self.sim.context().await
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.services.fetch_add(1, Ordering::SeqCst);
        self.sim.services().await
    }
    async fn tasks(&self, s: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.sim.tasks(s).await
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.sim.images().await
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        self.sim.alarms().await
    }
    async fn log_sources(&self, t: &LogTarget) -> ApiResult<LogSources> {
        self.sim.log_sources(t).await
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        self.sim.log_page(q, token).await
    }
    async fn act(&self, s: &ServiceKey, m: &AwsCall) -> ApiResult<()> {
        self.sim.act(s, m).await
    }
    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        let revision = TaskDefRef {
            family: service.name.clone(),
            revision: 1,
        };
        Ok(vec![PastDeployment {
            id: LISTED.into(),
            revision,
            from: None,
            outcome: Outcome::Completed,
            is_rollback: false,
            started_at: EPOCH - Ms(3_600_000),
            ended_at: Some(EPOCH - Ms(3_000_000)),
            reason: String::new(),
        }])
    }
}

fn has_listed(services: &[Service], key: &ServiceKey) -> bool {
    services
        .iter()
        .find(|s| s.key() == *key)
        .is_some_and(|s| s.history.iter().any(|h| h.id == LISTED))
}

#[tokio::test(start_paused = true)]
async fn a_native_history_reaches_the_services_through_the_services_poller_without_a_call() {
    let fleet = Arc::new(Native {
        sim: SimFleet::new(EPOCH),
        services: AtomicUsize::new(0),
    });
    let checkout = ServiceKey {
        cluster: "prod-edge".into(),
        name: "checkout".into(),
    };
    let watch = Watch {
        pane: Pane::Rollout,
        service: Some(checkout.clone()),
        partner: None,
        fast: false,
        acting: false,
        sort: None,
        logs: None,
    };
    let iv = Intervals {
        fast: Duration::from_secs(60),
        normal: Duration::from_secs(60),
        logs: Duration::from_secs(60),
        alarms: Duration::from_secs(60),
        live_tail: false,
        reconcile: Duration::from_secs(300),
    };
    let (tx, mut rx) = mpsc::channel::<Msg>(4096);
    let audit = Arc::new(Audit::new(None));
    let workers_fleet: Arc<dyn Fleet> = fleet.clone();
    let handles = deckwatch::app::context_workers::start(&workers_fleet, &audit, &tx, watch, 0, iv);
    let first: At = loop {
        match rx.recv().await.unwrap() {
            Msg::Services(p, at) => {
                assert!(!has_listed(&p.items, &checkout), "not asked for yet");
                break at;
            }
            _ => continue,
        }
    };
    let calls = fleet.services.load(Ordering::SeqCst);
    // The rollout view asks the evidence worker for the service's history.
    let ask = Request {
        history_of: Some(checkout.clone()),
        ..Request::default()
    };
    handles.evidence.send(ask).unwrap();
    let merged = loop {
        match rx.recv().await.unwrap() {
            Msg::Services(p, at) if has_listed(&p.items, &checkout) => break at,
            Msg::Evidence(_) => panic!("a history is not the loop's to merge"),
            _ => continue,
        }
    };
    assert_eq!(
        merged, first,
        "the data is as old as the services' last fetch"
    );
    assert_eq!(
        fleet.services.load(Ordering::SeqCst),
        calls,
        "no services call for it"
    );
}
