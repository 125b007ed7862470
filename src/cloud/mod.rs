//! What the workers call. `sim` is the embedded demo fleet; the AWS backend implements the same
//! trait, so the panes and workers never change with the backend.

pub mod aws;
pub mod error;
pub mod sim;

pub use error::{CloudError, ErrorKind};

use crate::model::{
    Alarm, ContextInfo, Image, LiveEnd, LiveQuery, LiveUpdate, LogPage, LogQuery, LogSources,
    LogTag, LogTarget, Mutation, Service, ServiceKey, Task, Utilisation,
};
use async_trait::async_trait;

pub type CloudResult<T> = Result<T, CloudError>;

/// A Live Tail session: its updates, ending with how it ended.
pub type LiveStream = futures::stream::BoxStream<'static, Result<LiveUpdate, LiveEnd>>;

/// Receives the rows read so far, with how many of how many clusters they cover.
pub type PartSink<'a> = dyn Fn(Vec<Service>, usize, usize) + Send + Sync + 'a;

#[async_trait]
pub trait Fleet: Send + Sync + 'static {
    /// Profile, account, region and clusters, for the header.
    async fn context(&self) -> CloudResult<ContextInfo>;
    /// Every service of the clusters in scope, with deployments, events and metrics.
    async fn services(&self) -> CloudResult<Vec<Service>>;
    /// The same, reporting the rows read so far to `part` while it reads, so a first load can
    /// show them before every cluster is in. Backends that read everything at once just
    /// return `services()`.
    async fn services_in_parts(&self, part: &PartSink<'_>) -> CloudResult<Vec<Service>> {
        let _ = part;
        self.services().await
    }
    /// Running and recently stopped tasks of one service, or of every service when `None`.
    async fn tasks(&self, service: Option<&ServiceKey>) -> CloudResult<Vec<Task>>;
    async fn images(&self) -> CloudResult<Vec<Image>>;
    /// CPU and memory of `keys`, in their order, from a slower source than `services()`; a
    /// worker asks for it in the background. Backends whose services carry it already answer
    /// with nothing.
    async fn utilisation(&self, keys: &[ServiceKey]) -> CloudResult<Vec<Utilisation>> {
        let _ = keys;
        Ok(Vec::new())
    }
    async fn alarms(&self) -> CloudResult<Vec<Alarm>>;
    /// Where the lines of `target` are: log groups with stream prefixes, and the streams of
    /// its running and recently stopped tasks.
    async fn log_sources(&self, target: &LogTarget) -> CloudResult<LogSources>;
    /// Who wrote each of `streams` (group, stream) that appeared since `log_sources`: the
    /// task's tag when it is one of `target`'s, None when it is another service's.
    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> CloudResult<Vec<Option<LogTag>>> {
        let _ = target;
        Ok(vec![None; streams.len()])
    }
    /// One page of a read of events (`token`: where the last page left off).
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> CloudResult<LogPage>;
    /// A Live Tail session, or why there is none (then the worker polls `log_page`).
    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        let _ = q;
        Err(LiveEnd::Unavailable("this backend has no live tail".into()))
    }
    /// Makes one mutating call. Only the action runner calls this, after the user confirmed
    /// and the service was re-read and found unchanged.
    async fn act(&self, service: &ServiceKey, mutation: &Mutation) -> CloudResult<()>;
    /// True when `act` refuses everything (`--read-only`).
    fn read_only(&self) -> bool {
        false
    }
    /// Appends audit records to a CloudWatch Logs group, so the whole team sees them.
    async fn ship_audit(&self, group: &str, lines: &[String]) -> CloudResult<()> {
        let _ = (group, lines);
        Err(CloudError::new(
            ErrorKind::Other,
            "this backend keeps audit records locally only",
        ))
    }
}

/// A fleet that refuses every mutating call: `--read-only` wraps the backend in this, so no
/// mutating request can leave the process whatever the layers above do.
pub struct ReadOnly(pub std::sync::Arc<dyn Fleet>);

#[async_trait]
impl Fleet for ReadOnly {
    async fn context(&self) -> CloudResult<ContextInfo> {
        self.0.context().await
    }
    async fn services(&self) -> CloudResult<Vec<Service>> {
        self.0.services().await
    }
    async fn services_in_parts(&self, part: &PartSink<'_>) -> CloudResult<Vec<Service>> {
        self.0.services_in_parts(part).await
    }
    async fn tasks(&self, service: Option<&ServiceKey>) -> CloudResult<Vec<Task>> {
        self.0.tasks(service).await
    }
    async fn images(&self) -> CloudResult<Vec<Image>> {
        self.0.images().await
    }
    async fn utilisation(&self, keys: &[ServiceKey]) -> CloudResult<Vec<Utilisation>> {
        self.0.utilisation(keys).await
    }
    async fn alarms(&self) -> CloudResult<Vec<Alarm>> {
        self.0.alarms().await
    }
    async fn log_sources(&self, target: &LogTarget) -> CloudResult<LogSources> {
        self.0.log_sources(target).await
    }
    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> CloudResult<Vec<Option<LogTag>>> {
        self.0.log_owners(target, streams).await
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> CloudResult<LogPage> {
        self.0.log_page(q, token).await
    }
    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        self.0.live_tail(q).await
    }
    fn read_only(&self) -> bool {
        true
    }
    async fn act(&self, service: &ServiceKey, mutation: &Mutation) -> CloudResult<()> {
        tracing::warn!(%service, %mutation, "refused: read-only");
        Err(CloudError::new(
            ErrorKind::Other,
            format!("refused: read-only, {mutation} was not sent"),
        ))
    }
}
