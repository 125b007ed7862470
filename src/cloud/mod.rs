//! What the workers call. `aws` is the AWS backend; the embedded demo fleet (`demo`) implements
//! the same trait, so the panes and workers never change with the backend.

pub mod aws;
pub mod listing;

pub use listing::Listing;

use crate::model::evidence::{AlbFigures, AlbQuery};
use crate::model::{
    Alarm, AlarmTransition, AwsCall, ContextInfo, Image, LiveEnd, LiveQuery, LiveUpdate, LogPage,
    LogQuery, LogSources, LogTag, LogTarget, MetricSpec, Millis, PastDeployment, Service,
    ServiceKey, Task, TaskDefRef, TaskDefinition, Utilisation,
};
use crate::model::{ApiError, ApiResult, ErrorKind};
use async_trait::async_trait;

/// A Live Tail session: its updates, ending with how it ended.
pub type LiveStream = futures::stream::BoxStream<'static, Result<LiveUpdate, LiveEnd>>;

/// Receives the rows read so far, with how many of how many clusters they cover.
pub type PartSink<'a> = dyn Fn(Vec<Service>, usize, usize) + Send + Sync + 'a;

#[async_trait]
pub trait Fleet: Send + Sync + 'static {
    /// Profile, account, region and clusters, for the header.
    async fn context(&self) -> ApiResult<ContextInfo>;
    /// The account and region the calls go to, asked again (the action runner checks them
    /// against the context an action was planned in).
    async fn identity(&self) -> ApiResult<(String, String)> {
        self.context().await.map(|c| (c.account, c.region))
    }
    /// When the credentials last used expire, if they do; no call is made.
    fn credentials_expiry(&self) -> Option<Millis> {
        None
    }
    /// Every service of the clusters in scope, with deployments, events and metrics.
    async fn services(&self) -> ApiResult<Vec<Service>>;
    /// The same, reporting the rows read so far to `part` while it reads, so a first load can
    /// show them before every cluster is in. Backends that read everything at once just
    /// return `services()`.
    async fn services_in_parts(&self, part: &PartSink<'_>) -> ApiResult<Vec<Service>> {
        let _ = part;
        self.services().await
    }
    /// `services_in_parts`, but a cluster that cannot be read (not found, denied) leaves out
    /// only its own rows: the others come with what failed, naming the cluster.
    async fn services_listing(&self, part: &PartSink<'_>) -> ApiResult<Listing<Service>> {
        self.services_in_parts(part).await.map(Listing::whole)
    }
    /// Running and recently stopped tasks of one service, or of every service when `None`.
    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>>;
    async fn images(&self) -> ApiResult<Vec<Image>>;
    /// CPU and memory of `keys`, in their order, from a slower source than `services()`; a
    /// worker asks for it in the background. Backends whose services carry it already answer
    /// with nothing.
    async fn utilisation(&self, keys: &[ServiceKey]) -> ApiResult<Vec<Utilisation>> {
        let _ = keys;
        Ok(Vec::new())
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>>;
    /// The alarms, but an answer that cannot be read leaves out only what it held: the rest
    /// are read another way (by state, in smaller pages) and come with what failed.
    async fn alarms_listing(&self) -> ApiResult<Listing<Alarm>> {
        self.alarms().await.map(Listing::whole)
    }
    /// Where the lines of `target` are: log groups with stream prefixes, and the streams of
    /// its running and recently stopped tasks.
    async fn log_sources(&self, target: &LogTarget) -> ApiResult<LogSources>;
    /// Who wrote each of `streams` (group, stream) that appeared since `log_sources`: the
    /// task's tag when it is one of `target`'s, None when it is another service's.
    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> ApiResult<Vec<Option<LogTag>>> {
        let _ = target;
        Ok(vec![None; streams.len()])
    }
    /// One page of a read of events (`token`: where the last page left off).
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage>;
    /// A Live Tail session, or why there is none (then the worker polls `log_page`).
    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        let _ = q;
        Err(LiveEnd::Unavailable("this backend has no live tail".into()))
    }
    /// Makes one mutating call. Only the action runner calls this, after the user confirmed
    /// and the service was re-read and found unchanged.
    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()>;
    /// Registers a copy of `from` whose container running an image of `repository` runs
    /// `repository@digest` instead, and returns the new revision. Only the action runner calls
    /// this, for a confirmed deploy.
    async fn register_task_def(
        &self,
        service: &ServiceKey,
        from: &TaskDefRef,
        repository: &str,
        digest: &str,
    ) -> ApiResult<TaskDefRef> {
        let _ = (service, from, repository, digest);
        Err(ApiError::new(
            ErrorKind::Other,
            "this backend cannot register task definitions",
        ))
    }
    /// True when `act` refuses everything (`--read-only`).
    fn read_only(&self) -> bool {
        false
    }
    /// Load-balancer figures (`AWS/ApplicationELB`) of target groups over windows, in the order
    /// asked. Read only while a rollout view or a promote or abort dialog shows them.
    async fn alb_figures(&self, queries: &[AlbQuery]) -> ApiResult<Vec<AlbFigures>> {
        let _ = queries;
        Err(unavailable("load balancer figures"))
    }
    /// One revision of a task definition in full.
    async fn task_definition(&self, td: &TaskDefRef) -> ApiResult<TaskDefinition> {
        let _ = td;
        Err(unavailable("task definitions"))
    }
    /// A service's last deployments from the service-deployment APIs, newest first; empty
    /// where there are none to read.
    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        let _ = service;
        Ok(Vec::new())
    }
    /// The points of an alarm's metric over [from, until), one a period, oldest first.
    async fn metric_points(
        &self,
        metric: &MetricSpec,
        from: Millis,
        until: Millis,
    ) -> ApiResult<Vec<(Millis, f64)>> {
        let _ = (metric, from, until);
        Err(unavailable("metric points"))
    }
    /// An alarm's state changes since `since`, newest first.
    async fn alarm_history(&self, name: &str, since: Millis) -> ApiResult<Vec<AlarmTransition>> {
        let _ = (name, since);
        Err(unavailable("alarm history"))
    }
    /// Appends audit records to a CloudWatch Logs group, so the whole team sees them.
    async fn ship_audit(&self, group: &str, lines: &[String]) -> ApiResult<()> {
        let _ = (group, lines);
        Err(ApiError::new(
            ErrorKind::Other,
            "this backend keeps audit records locally only",
        ))
    }
    /// Whether the audit records' CloudWatch Logs group exists.
    async fn audit_group_exists(&self, group: &str) -> ApiResult<bool> {
        let _ = group;
        Err(ApiError::new(
            ErrorKind::Other,
            "this backend keeps audit records locally only",
        ))
    }
}

fn unavailable(what: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Other,
        format!("{what}: not available from this backend"),
    )
}

/// A fleet that refuses every mutating call: `--read-only` wraps the backend in this, so no
/// mutating request can leave the process whatever the layers above do.
pub struct ReadOnly(pub std::sync::Arc<dyn Fleet>);

#[async_trait]
impl Fleet for ReadOnly {
    async fn context(&self) -> ApiResult<ContextInfo> {
        self.0.context().await
    }
    async fn identity(&self) -> ApiResult<(String, String)> {
        self.0.identity().await
    }
    fn credentials_expiry(&self) -> Option<Millis> {
        self.0.credentials_expiry()
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.0.services().await
    }
    async fn services_in_parts(&self, part: &PartSink<'_>) -> ApiResult<Vec<Service>> {
        self.0.services_in_parts(part).await
    }
    async fn services_listing(&self, part: &PartSink<'_>) -> ApiResult<Listing<Service>> {
        self.0.services_listing(part).await
    }
    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.0.tasks(service).await
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.0.images().await
    }
    async fn utilisation(&self, keys: &[ServiceKey]) -> ApiResult<Vec<Utilisation>> {
        self.0.utilisation(keys).await
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        self.0.alarms().await
    }
    async fn alarms_listing(&self) -> ApiResult<Listing<Alarm>> {
        self.0.alarms_listing().await
    }
    async fn audit_group_exists(&self, group: &str) -> ApiResult<bool> {
        self.0.audit_group_exists(group).await
    }
    async fn log_sources(&self, target: &LogTarget) -> ApiResult<LogSources> {
        self.0.log_sources(target).await
    }
    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> ApiResult<Vec<Option<LogTag>>> {
        self.0.log_owners(target, streams).await
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        self.0.log_page(q, token).await
    }
    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        self.0.live_tail(q).await
    }
    fn read_only(&self) -> bool {
        true
    }
    async fn alb_figures(&self, queries: &[AlbQuery]) -> ApiResult<Vec<AlbFigures>> {
        self.0.alb_figures(queries).await
    }
    async fn task_definition(&self, td: &TaskDefRef) -> ApiResult<TaskDefinition> {
        self.0.task_definition(td).await
    }
    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        self.0.deployment_history(service).await
    }
    async fn metric_points(
        &self,
        metric: &MetricSpec,
        from: Millis,
        until: Millis,
    ) -> ApiResult<Vec<(Millis, f64)>> {
        self.0.metric_points(metric, from, until).await
    }
    async fn alarm_history(&self, name: &str, since: Millis) -> ApiResult<Vec<AlarmTransition>> {
        self.0.alarm_history(name, since).await
    }
    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()> {
        tracing::warn!(%service, mutation = %call, "refused: read-only");
        Err(ApiError::new(
            ErrorKind::Other,
            format!("refused: read-only, {call} was not sent"),
        ))
    }
    async fn register_task_def(
        &self,
        service: &ServiceKey,
        from: &TaskDefRef,
        _: &str,
        _: &str,
    ) -> ApiResult<TaskDefRef> {
        tracing::warn!(%service, %from, "refused: read-only");
        Err(ApiError::new(
            ErrorKind::Other,
            format!(
                "refused: read-only, {} of {from} was not sent",
                crate::model::Op::EcsRegisterTaskDefinition
            ),
        ))
    }
}
