//! The embedded demo world: a simulated ECS, ECR and CloudWatch that move over time, with the
//! simulated GitHub Actions that build into it (`builds`, behind `ci::Ci` in `ci`), so the
//! console can be tried without an AWS account and behaviour over time can be tested on
//! tokio's paused clock.

mod alarms;
pub mod builds;
mod canary;
pub mod ci;
mod codedeploy;
mod commits;
pub mod describe;
mod loglines;
pub mod logs;
mod mutations;
pub mod owners;
pub mod prices;
mod rng;
mod rolling;
pub mod scenario;
pub mod seed;
pub mod world;

use crate::cloud::{Fleet, Listing, LiveStream, PartSink};
use crate::model::listing;

use crate::model::evidence::{AlbFigures, AlbQuery};
use crate::model::{
    Alarm, AlarmTransition, At, AwsCall, Clean, ContextInfo, Image, LiveEnd, LiveQuery, LiveUpdate,
    LogPage, LogQuery, LogSources, LogTag, LogTarget, MetricSpec, Ms, PastDeployment, Service,
    ServiceKey, Task, TaskDefRef, TaskDefinition,
};
use crate::model::{ApiError, ApiResult, ErrorKind};
use async_trait::async_trait;
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;
pub use world::World;

mod signals;
mod taskdefs;
mod traffic;

pub struct SimFleet {
    world: Arc<Mutex<World>>,
    started: Instant,
    /// The clusters in scope, as a context's `clusters` names them; empty for every cluster.
    clusters: Vec<String>,
}

impl SimFleet {
    /// A fleet whose scenario begins at `epoch` (unix ms). Its clock is tokio's, so a test with
    /// a paused clock moves it with `tokio::time::advance`.
    pub fn new(epoch: At) -> Self {
        Self {
            world: Arc::new(Mutex::new(seed::world(epoch))),
            started: Instant::now(),
            clusters: Vec::new(),
        }
    }

    /// The same fleet seen through `clusters` only, as the AWS backend reads a context's
    /// clusters: the others' services and tasks are not listed, and a cluster the world does
    /// not have is named as not found while the rest show.
    pub fn in_clusters(mut self, clusters: Vec<String>) -> Self {
        self.clusters = clusters;
        self
    }

    fn in_scope(&self, cluster: &str) -> bool {
        self.clusters.is_empty() || self.clusters.iter().any(|c| c == cluster)
    }

    /// The clusters in scope: the ones named, else every cluster of the world.
    fn scope(w: &World, named: &[String]) -> Vec<String> {
        if !named.is_empty() {
            return named.to_vec();
        }
        let mut clusters: Vec<String> = w.services.iter().map(|s| s.svc.cluster.clone()).collect();
        clusters.dedup();
        clusters
    }

    /// The services of the clusters in scope, and the named clusters the world lacks.
    fn scoped_services(&self) -> (Vec<Service>, Vec<(String, ApiError)>) {
        self.with_world(|w| {
            let missing = self
                .clusters
                .iter()
                .filter(|c| !w.services.iter().any(|s| &s.svc.cluster == *c))
                .map(|c| {
                    let e = ApiError::new(
                        ErrorKind::Other,
                        "ClusterNotFoundException: Cluster not found.",
                    );
                    (c.clone(), e)
                })
                .collect();
            let mut services = w.services();
            services.retain(|s| self.in_scope(&s.cluster));
            (services, missing)
        })
    }

    /// Runs `f` on the world brought up to the current simulated time.
    pub fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        at_now(&self.world, self.started, f)
    }
}

fn at_now<T>(world: &Mutex<World>, started: Instant, f: impl FnOnce(&mut World) -> T) -> T {
    let mut w = world.lock().unwrap_or_else(|e| e.into_inner());
    let now = w.start + Ms::from_std(started.elapsed());
    w.advance_to(now);
    f(&mut w)
}

/// The demo's Live Tail: a start, then every second the events written since, until three
/// hours have passed.
fn live_session(world: Arc<Mutex<World>>, started: Instant, q: LiveQuery) -> LiveStream {
    let opened = Instant::now();
    let first = at_now(&world, started, |w| w.next_seq.saturating_sub(1));
    let start = futures::stream::once(async {
        Ok(LiveUpdate::Started {
            session: "demo".into(),
        })
    });
    let updates = futures::stream::unfold(Some(first), move |after| {
        let (world, q) = (world.clone(), q.clone());
        async move {
            let after = after?;
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            if Ms::from_std(opened.elapsed()) >= logs::SESSION_MS {
                return Some((Err(LiveEnd::Timeout), None));
            }
            let (update, next) = at_now(&world, started, |w| logs::live(w, &q, after));
            Some((Ok(update), Some(next)))
        }
    });
    start.chain(updates).boxed()
}

#[async_trait]
impl Fleet for SimFleet {
    async fn context(&self) -> ApiResult<ContextInfo> {
        Ok(self.with_world(|w| {
            let clusters = Self::scope(w, &self.clusters);
            ContextInfo {
                name: "demo".into(),
                profile: "demo".into(),
                account: w.account.clone(),
                region: w.region.clone(),
                clusters,
                prod: false,
                caller_arn: format!("arn:aws:iam::{}:user/deckwatch-demo", w.account),
            }
            .cleaned()
        }))
    }

    async fn services(&self) -> ApiResult<Vec<Service>> {
        let (services, missing) = self.scoped_services();
        let total = self.clusters.len();
        Listing::or_failure(services.cleaned(), listing::clusters_failed(missing, total))?.lenient()
    }

    async fn services_listing(&self, part: &PartSink<'_>) -> ApiResult<Listing<Service>> {
        let _ = part;
        let (services, missing) = self.scoped_services();
        let total = self.clusters.len();
        Listing::or_failure(services.cleaned(), listing::clusters_failed(missing, total))
    }

    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        Ok(self.with_world(|w| {
            let mut tasks = w.tasks();
            tasks.retain(|t| self.in_scope(&t.cluster));
            if let Some(k) = service {
                tasks.retain(|t| t.cluster == k.cluster && t.service == k.name);
            }
            tasks.cleaned()
        }))
    }

    async fn images(&self) -> ApiResult<Vec<Image>> {
        Ok(self.with_world(|w| w.images()).cleaned())
    }

    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        Ok(self.with_world(|w| w.alarms.clone()).cleaned())
    }

    async fn log_sources(&self, target: &LogTarget) -> ApiResult<LogSources> {
        Ok(self.with_world(|w| logs::sources(w, target)))
    }

    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> ApiResult<Vec<Option<LogTag>>> {
        Ok(self.with_world(|w| logs::owners(w, target, streams)))
    }

    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        Ok(self.with_world(|w| logs::page(w, q, token)))
    }

    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        Ok(live_session(self.world.clone(), self.started, q.clone()))
    }

    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()> {
        self.with_world(|w| {
            mutations::act(w, service, call)?;
            owners::note_console(w, service, call);
            Ok(())
        })
    }

    async fn stack_of(&self, arn: &str) -> ApiResult<Option<crate::model::owner::Stack>> {
        Ok(owners::stack_of(arn).cleaned())
    }

    async fn revisions(
        &self,
        family: &str,
        since: At,
    ) -> ApiResult<Vec<crate::model::timeline::build::Registered>> {
        Ok(self
            .with_world(|w| owners::revisions(w, family, since))
            .cleaned())
    }

    /// The demo's prices are built in: no Price List call.
    async fn fargate_prices(&self) -> ApiResult<crate::model::cost::PriceTable> {
        Ok(prices::table(seed::REGION))
    }

    async fn trail(
        &self,
        service: &ServiceKey,
        _family: &str,
        span: (At, At),
    ) -> ApiResult<Vec<crate::model::trail::TrailEvent>> {
        Ok(self
            .with_world(|w| owners::trail(w, service, span))
            .cleaned())
    }

    async fn alb_figures(&self, queries: &[AlbQuery]) -> ApiResult<Vec<AlbFigures>> {
        Ok(self.with_world(|w| {
            queries
                .iter()
                .map(|q| traffic::figures(w.alb.get(&q.target_group), q.from, q.until))
                .collect()
        }))
    }

    async fn describe_raw(
        &self,
        target: &crate::model::DescribeTarget,
    ) -> ApiResult<crate::model::RawDoc> {
        self.with_world(|w| describe::describe(w, target))
    }

    async fn task_definition(&self, td: &TaskDefRef) -> ApiResult<TaskDefinition> {
        self.with_world(|w| taskdefs::describe(w, td))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::Other,
                    format!("ClientException: Unable to describe task definition {td}"),
                )
            })
    }

    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        Ok(self.with_world(|w| {
            w.services
                .iter()
                .find(|s| s.svc.key() == *service)
                .map(|s| s.past.iter().cloned().collect())
                .unwrap_or_default()
        }))
    }

    async fn metric_points(
        &self,
        metric: &MetricSpec,
        from: At,
        until: At,
    ) -> ApiResult<Vec<(At, f64)>> {
        Ok(self.with_world(|w| alarms::points(w, metric, from, until)))
    }

    async fn alarm_history(&self, name: &str, since: At) -> ApiResult<Vec<AlarmTransition>> {
        Ok(self.with_world(|w| alarms::history(w, name, since)))
    }

    async fn register_task_def(
        &self,
        service: &ServiceKey,
        from: &TaskDefRef,
        repository: &str,
        digest: &str,
    ) -> ApiResult<TaskDefRef> {
        self.with_world(|w| {
            let i = mutations::index_of(w, service)?;
            mutations::register(w, i, from, repository, digest)
        })
    }
}
