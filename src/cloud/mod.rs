//! What the workers call. `aws` is the AWS backend; the embedded demo fleet (`demo`) implements
//! the same trait, so the panes and workers never change with the backend.

pub mod ask;
pub mod aws;

pub use crate::model::listing::{Listing, Part};
pub use ask::ServicesAsk;

use crate::exec::StreamPolicy;
use crate::exec::channel::DataKey;
use crate::model::evidence::{AlbFigures, AlbQuery};
use crate::model::owner::Stack;
use crate::model::timeline::build::Registered;
use crate::model::trail::TrailEvent;
use crate::model::{
    Alarm, AlarmTransition, At, AwsCall, ContextInfo, Delivery, DescribeTarget, EcsEvent, EventAck,
    EventSource, Image, LiveEnd, LiveQuery, LiveUpdate, LogPage, LogQuery, LogSources, LogTag,
    LogTarget, MetricSpec, PastDeployment, RawDoc, Service, ServiceKey, Skipped, Task, TaskDefRef,
    TaskDefinition, Utilisation,
};
use crate::model::{ApiError, ApiResult, ErrorKind, Op};
use crate::model::{ClusterExec, ExecTarget, RemotePort, SessionGrant};
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
    fn credentials_expiry(&self) -> Option<At> {
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
    /// A refresh that asks only what `ask` says changed, with every service's row (read now,
    /// or kept from an earlier refresh). Backends that keep nothing read everything.
    async fn services_refresh(
        &self,
        ask: &ServicesAsk,
        part: &PartSink<'_>,
    ) -> ApiResult<Listing<Service>> {
        let _ = ask;
        self.services_listing(part).await
    }
    /// Where this context's ECS events come from (`[events]`); None: it is polled only.
    fn event_source(&self) -> Option<EventSource> {
        None
    }
    /// The next messages of the events queue, parsed; waits up to 20 s for one (long
    /// polling).
    async fn receive_events(&self) -> ApiResult<Vec<Delivery>> {
        Err(unavailable("an events queue"))
    }
    /// Deletes applied messages from the events queue; returns how many it refused.
    async fn events_applied(&self, acks: &[EventAck]) -> ApiResult<usize> {
        let _ = acks;
        Ok(0)
    }
    /// Reads one event as the events log group holds it.
    fn read_event(&self, message: &str) -> Result<EcsEvent, Skipped> {
        let _ = message;
        Err(Skipped::Foreign("this backend reads no events".into()))
    }
    /// Running and recently stopped tasks of one service, or of every service when `None`.
    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>>;
    /// `tasks`, but a cluster that cannot be read leaves out only its own tasks: the others
    /// come with what failed, naming the cluster.
    async fn tasks_listing(&self, service: Option<&ServiceKey>) -> ApiResult<Listing<Task>> {
        self.tasks(service).await.map(Listing::whole)
    }
    async fn images(&self) -> ApiResult<Vec<Image>>;
    /// `images`, but a repository that cannot be read leaves out only its own images.
    async fn images_listing(&self) -> ApiResult<Listing<Image>> {
        self.images().await.map(Listing::whole)
    }
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
    /// `:describe`: what the describe call for `target` returned, as it was sent.
    async fn describe_raw(&self, target: &DescribeTarget) -> ApiResult<RawDoc> {
        let _ = target;
        Err(unavailable("raw describe"))
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
        from: At,
        until: At,
    ) -> ApiResult<Vec<(At, f64)>> {
        let _ = (metric, from, until);
        Err(unavailable("metric points"))
    }
    /// An alarm's state changes since `since`, newest first.
    async fn alarm_history(&self, name: &str, since: At) -> ApiResult<Vec<AlarmTransition>> {
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
    /// The team's audit records in `group` written in the span (from, until), as written.
    async fn read_audit(&self, group: &str, span: (At, At)) -> ApiResult<Vec<String>> {
        let _ = (group, span);
        Err(unavailable("the team's audit records"))
    }
    /// The CloudFormation stack that lists the service with ARN `arn` among its resources,
    /// with what its template sets; Ok(None) when no stack does.
    async fn stack_of(&self, arn: &str) -> ApiResult<Option<Stack>> {
        let _ = arn;
        Err(unavailable("CloudFormation stacks"))
    }
    /// The revisions of `family` registered since `since` (and the one before), newest first.
    async fn revisions(&self, family: &str, since: At) -> ApiResult<Vec<Registered>> {
        let _ = (family, since);
        Err(unavailable("task definition revisions"))
    }
    /// CloudTrail's events that changed `service` or registered `family` in the span (from,
    /// until), newest first.
    async fn trail(
        &self,
        service: &ServiceKey,
        family: &str,
        span: (At, At),
    ) -> ApiResult<Vec<TrailEvent>> {
        let _ = (service, family, span);
        Err(unavailable("CloudTrail events"))
    }
    /// The Linux Fargate prices of the context's region (`pricing:GetProducts`), for the cost
    /// estimate. The caller caches them: they change a few times a year.
    async fn fargate_prices(&self) -> ApiResult<crate::model::cost::PriceTable> {
        Err(unavailable("Fargate prices"))
    }
    /// The name the prices are cached under on disk (the region's), or None when they are not
    /// cached (the demo's are built in).
    fn prices_cache_key(&self) -> Option<String> {
        None
    }
    /// Whether Cost Explorer is read (`[cost] explorer`): off, `billed_day` is never called.
    fn cost_explorer(&self) -> bool {
        false
    }
    /// What Cost Explorer billed each service on `day` (until `next`, the day after).
    async fn billed_day(&self, day: &str, next: &str) -> ApiResult<crate::model::cost::BilledDay> {
        let _ = (day, next);
        Err(unavailable("Cost Explorer"))
    }
    // ECS Exec and port forwarding (`exec`). The demo has no SSM: its answers say so.
    /// A cluster's exec configuration (its KMS key), for the readiness said before a call.
    async fn cluster_exec(&self, cluster: &str) -> ApiResult<ClusterExec> {
        let _ = cluster;
        Err(no_sessions())
    }
    /// `ecs:ExecuteCommand`, interactive. Only the exec worker calls this, after the dialog.
    async fn execute_command(&self, target: &ExecTarget, command: &str) -> ApiResult<SessionGrant> {
        let _ = (target, command);
        Err(no_sessions())
    }
    /// `ssm:StartSession` with a port-forwarding document.
    async fn start_port_session(
        &self,
        target: &ExecTarget,
        remote: &RemotePort,
        local_port: u16,
        reason: &str,
    ) -> ApiResult<SessionGrant> {
        let _ = (target, remote, local_port, reason);
        Err(no_sessions())
    }
    /// `ssm:ResumeSession`: a broken session's new token (None: it timed out).
    async fn resume_session(&self, session_id: &str) -> ApiResult<Option<String>> {
        let _ = session_id;
        Err(no_sessions())
    }
    /// `kms:GenerateDataKey` for a session the agent encrypts.
    async fn data_key(&self, key_id: &str, context: &[(String, String)]) -> ApiResult<DataKey> {
        let _ = (key_id, context);
        Err(no_sessions())
    }
    /// Where sessions may connect, and what the session-manager-plugin is told.
    fn session_place(&self) -> SessionPlace {
        SessionPlace::default()
    }
}

/// Where a context's sessions may connect, and what the session-manager-plugin is told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPlace {
    pub policy: StreamPolicy,
    /// The profile name, empty for the default chain.
    pub profile: String,
    /// The SSM endpoint the plugin calls.
    pub ssm_endpoint: String,
}

/// What the demo (and any backend without SSM) answers.
pub fn no_sessions() -> ApiError {
    ApiError::new(
        ErrorKind::Other,
        "ECS Exec and port forwarding need a real AWS context: the demo fleet has no SSM agent \
         to talk to (start deckwatch with --profile or --context)",
    )
}

fn refused_read_only(what: Op) -> ApiError {
    tracing::warn!(what = what.name(), "refused: read-only");
    ApiError::new(
        ErrorKind::Other,
        format!("refused: read-only, {what} was not sent"),
    )
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
    fn credentials_expiry(&self) -> Option<At> {
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
    async fn services_refresh(
        &self,
        ask: &ServicesAsk,
        part: &PartSink<'_>,
    ) -> ApiResult<Listing<Service>> {
        self.0.services_refresh(ask, part).await
    }
    fn event_source(&self) -> Option<EventSource> {
        self.0.event_source()
    }
    async fn receive_events(&self) -> ApiResult<Vec<Delivery>> {
        self.0.receive_events().await
    }
    /// A delete is a write: a read-only console leaves its messages in the queue (they come
    /// back after the visibility timeout and are known as read).
    async fn events_applied(&self, acks: &[EventAck]) -> ApiResult<usize> {
        tracing::debug!(n = acks.len(), "read-only: queue messages not deleted");
        Ok(acks.len())
    }
    fn read_event(&self, message: &str) -> Result<EcsEvent, Skipped> {
        self.0.read_event(message)
    }
    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.0.tasks(service).await
    }
    async fn tasks_listing(&self, service: Option<&ServiceKey>) -> ApiResult<Listing<Task>> {
        self.0.tasks_listing(service).await
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.0.images().await
    }
    async fn images_listing(&self) -> ApiResult<Listing<Image>> {
        self.0.images_listing().await
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
    async fn describe_raw(&self, target: &DescribeTarget) -> ApiResult<RawDoc> {
        self.0.describe_raw(target).await
    }
    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        self.0.deployment_history(service).await
    }
    async fn metric_points(
        &self,
        metric: &MetricSpec,
        from: At,
        until: At,
    ) -> ApiResult<Vec<(At, f64)>> {
        self.0.metric_points(metric, from, until).await
    }
    async fn alarm_history(&self, name: &str, since: At) -> ApiResult<Vec<AlarmTransition>> {
        self.0.alarm_history(name, since).await
    }
    async fn read_audit(&self, group: &str, span: (At, At)) -> ApiResult<Vec<String>> {
        self.0.read_audit(group, span).await
    }
    async fn stack_of(&self, arn: &str) -> ApiResult<Option<Stack>> {
        self.0.stack_of(arn).await
    }
    async fn revisions(&self, family: &str, since: At) -> ApiResult<Vec<Registered>> {
        self.0.revisions(family, since).await
    }
    async fn trail(
        &self,
        service: &ServiceKey,
        family: &str,
        span: (At, At),
    ) -> ApiResult<Vec<TrailEvent>> {
        self.0.trail(service, family, span).await
    }
    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()> {
        tracing::warn!(%service, mutation = %call, "refused: read-only");
        Err(ApiError::new(
            ErrorKind::Other,
            format!("refused: read-only, {call} was not sent"),
        ))
    }
    async fn cluster_exec(&self, cluster: &str) -> ApiResult<ClusterExec> {
        self.0.cluster_exec(cluster).await
    }
    async fn fargate_prices(&self) -> ApiResult<crate::model::cost::PriceTable> {
        self.0.fargate_prices().await
    }
    fn prices_cache_key(&self) -> Option<String> {
        self.0.prices_cache_key()
    }
    fn cost_explorer(&self) -> bool {
        self.0.cost_explorer()
    }
    async fn billed_day(&self, day: &str, next: &str) -> ApiResult<crate::model::cost::BilledDay> {
        self.0.billed_day(day, next).await
    }
    fn session_place(&self) -> SessionPlace {
        self.0.session_place()
    }
    // A session writes to a container (a shell) or opens a way into the network: refused.
    async fn execute_command(&self, _: &ExecTarget, _: &str) -> ApiResult<SessionGrant> {
        Err(refused_read_only(Op::EcsExecuteCommand))
    }
    async fn start_port_session(
        &self,
        _: &ExecTarget,
        _: &RemotePort,
        _: u16,
        _: &str,
    ) -> ApiResult<SessionGrant> {
        Err(refused_read_only(Op::SsmStartSession))
    }
    async fn resume_session(&self, _: &str) -> ApiResult<Option<String>> {
        Err(refused_read_only(Op::SsmResumeSession))
    }
    async fn data_key(&self, _: &str, _: &[(String, String)]) -> ApiResult<DataKey> {
        Err(refused_read_only(Op::KmsGenerateDataKey))
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
