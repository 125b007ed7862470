//! The embedded demo fleet: a simulated ECS, ECR and CloudWatch that move over time, so the
//! console can be tried without an AWS account and behaviour over time can be tested on
//! tokio's paused clock.

mod canary;
mod loglines;
pub mod logs;
mod mutations;
mod rng;
mod rolling;
pub mod scenario;
pub mod seed;
pub mod world;

use super::{CloudResult, Fleet, LiveStream};
use crate::model::ServiceKey;
use crate::model::{
    Alarm, ContextInfo, Image, LiveEnd, LiveQuery, LiveUpdate, LogPage, LogQuery, LogSources,
    LogTag, LogTarget, Millis, Mutation, Service, Task,
};
use async_trait::async_trait;
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;
pub use world::World;

mod signals;

pub struct SimFleet {
    world: Arc<Mutex<World>>,
    started: Instant,
}

impl SimFleet {
    /// A fleet whose scenario begins at `epoch` (unix ms). Its clock is tokio's, so a test with
    /// a paused clock moves it with `tokio::time::advance`.
    pub fn new(epoch: Millis) -> Self {
        Self {
            world: Arc::new(Mutex::new(seed::world(epoch))),
            started: Instant::now(),
        }
    }

    /// Runs `f` on the world brought up to the current simulated time.
    pub fn with_world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        at_now(&self.world, self.started, f)
    }
}

fn at_now<T>(world: &Mutex<World>, started: Instant, f: impl FnOnce(&mut World) -> T) -> T {
    let mut w = world.lock().unwrap_or_else(|e| e.into_inner());
    let now = w.start + started.elapsed().as_millis() as Millis;
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
            if opened.elapsed().as_millis() as Millis >= logs::SESSION_MS {
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
    async fn context(&self) -> CloudResult<ContextInfo> {
        Ok(self.with_world(|w| {
            let mut clusters: Vec<String> =
                w.services.iter().map(|s| s.svc.cluster.clone()).collect();
            clusters.dedup();
            ContextInfo {
                name: "demo".into(),
                profile: "demo".into(),
                account: w.account.clone(),
                region: w.region.clone(),
                clusters,
                prod: false,
            }
        }))
    }

    async fn services(&self) -> CloudResult<Vec<Service>> {
        Ok(self.with_world(|w| w.services()))
    }

    async fn tasks(&self, service: Option<&ServiceKey>) -> CloudResult<Vec<Task>> {
        Ok(self.with_world(|w| {
            let mut tasks = w.tasks();
            if let Some(k) = service {
                tasks.retain(|t| t.cluster == k.cluster && t.service == k.name);
            }
            tasks
        }))
    }

    async fn images(&self) -> CloudResult<Vec<Image>> {
        Ok(self.with_world(|w| w.images()))
    }

    async fn alarms(&self) -> CloudResult<Vec<Alarm>> {
        Ok(self.with_world(|w| w.alarms.clone()))
    }

    async fn log_sources(&self, target: &LogTarget) -> CloudResult<LogSources> {
        Ok(self.with_world(|w| logs::sources(w, target)))
    }

    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> CloudResult<Vec<Option<LogTag>>> {
        Ok(self.with_world(|w| logs::owners(w, target, streams)))
    }

    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> CloudResult<LogPage> {
        Ok(self.with_world(|w| logs::page(w, q, token)))
    }

    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        Ok(live_session(self.world.clone(), self.started, q.clone()))
    }

    async fn act(&self, service: &ServiceKey, mutation: &Mutation) -> CloudResult<()> {
        self.with_world(|w| mutations::act(w, service, mutation))
    }
}
