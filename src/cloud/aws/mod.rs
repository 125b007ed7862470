//! The real AWS backend: the `Fleet` trait on the official SDK clients (ECS, ECR, CloudWatch,
//! CloudWatch Logs, Elastic Load Balancing v2, STS). Each pane's data comes from its own file; this one builds the clients
//! and ties them together.
//!
//! Nothing here panics or retries on its own beyond the SDK's standard retry policy; errors come
//! back as `ApiError`s saying what failed and, for credentials and permissions, what to do.

pub mod alarm_detail;
pub mod alarms;
pub mod alb;
mod audit_read;
mod balancers;
mod batch;
pub mod billed;
pub mod codedeploy;
mod config;
pub mod credentials;
pub mod deploy;
mod describe;
mod enrich;
pub mod errors;
pub mod events;
pub mod exec;
pub mod footprint;
pub mod gate;
pub mod history;
pub mod images;
mod known;
pub mod livetail;
pub mod logs;
pub mod metrics;
mod mutations;
pub mod native;
pub mod parse;
pub mod pricing;
mod refresh;
pub mod revisions;
pub mod routes;
pub mod services;
pub mod sso;
pub mod stacks;
pub mod targets;
pub mod task_sets;
pub mod taskdef_spec;
pub mod taskdefs;
pub mod tasks;
pub mod trail;

use crate::cloud::{Fleet, Listing, LiveStream, PartSink, ServicesAsk};
use crate::model::Op;

use crate::model::evidence::{AlbFigures, AlbQuery};
use crate::model::listing::Part as ListedIn;
use crate::model::{
    Alarm, AlarmTransition, At, AwsCall, Clean, ContextInfo, Image, LiveEnd, LiveQuery, LogPage,
    LogQuery, LogSources, LogTag, LogTarget, MetricSpec, PastDeployment, Service, ServiceKey, Task,
    TaskDefRef, TaskDefinition, Utilisation,
};
use crate::model::{ApiError, ApiResult, ErrorKind};
use crate::timing::now_ms;
use async_trait::async_trait;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_types::SdkConfig;
use errors::ErrorMapper;
use futures::StreamExt;
use gate::CallGate;
use gate::Within;
use images::ServiceImages;
use parse::last_segment;
use services::RawService;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use taskdefs::{TaskDefCache, TaskDefInfo};

/// What the command line and the config say about where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// `--profile`; `AWS_PROFILE` is honoured by the SDK when this is `None`.
    pub profile: Option<String>,
    /// `--region`; else `AWS_REGION` or the profile's region.
    pub region: Option<String>,
    /// `--endpoint-url` for every service; `AWS_ENDPOINT_URL(_<SERVICE>)` also work.
    pub endpoint_url: Option<String>,
    /// Clusters in scope (names or ARNs); empty means every cluster of the region.
    pub clusters: Vec<String>,
    /// The SDK's standard retries. Tests turn them off: an emulator answers unsupported calls
    /// with HTTP 500, which the SDK would retry.
    pub retries: bool,
    /// Where ECS's events come from (`[events]`); None: polling only.
    pub events: Option<crate::model::EventSource>,
    /// An SSO session's account and role (`[fleet] sso_session`): the credentials come from
    /// `sso:GetRoleCredentials` with the session's cached token, not from a profile.
    pub sso: Option<sso::SsoRole>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            clusters: Vec::new(),
            retries: true,
            events: None,
            sso: None,
        }
    }
}

/// Things a test (or an embedder) may plug into every client.
#[derive(Clone, Default)]
pub struct Overrides {
    /// Added to every client, e.g. to count operations.
    pub interceptors: Vec<SharedInterceptor>,
    /// Replaces the HTTP client, e.g. with a replay client.
    pub http_client: Option<SharedHttpClient>,
    /// Replaces the credential chain.
    pub credentials: Option<SharedCredentialsProvider>,
    /// The process's API budget; every call asks it first. Default: a budget of its own.
    pub budget: Arc<crate::budget::Budget>,
}

pub struct AwsFleet {
    ecs: aws_sdk_ecs::Client,
    ecr: aws_sdk_ecr::Client,
    cw: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    sts: aws_sdk_sts::Client,
    cd: aws_sdk_codedeploy::Client,
    cfn: aws_sdk_cloudformation::Client,
    cloudtrail: aws_sdk_cloudtrail::Client,
    /// The Price List API, at its endpoint nearest the region.
    pricing: aws_sdk_pricing::Client,
    /// Cost Explorer (its one endpoint is us-east-1), read only when `cost_explorer`.
    ce: aws_sdk_costexplorer::Client,
    cost_explorer: bool,
    /// The stack that owns each service, kept half an hour.
    stacks: stacks::StackCache,
    /// Task definition revisions with their registration, described once.
    registered: revisions::RevisionCache,
    /// Which CodeDeploy deployment group deploys which CODE_DEPLOY service.
    cd_groups: codedeploy::GroupCache,
    ssm: aws_sdk_ssm::Client,
    kms: aws_sdk_kms::Client,
    sqs: aws_sdk_sqs::Client,
    gate: CallGate,
    profile: String,
    region: String,
    clusters: Vec<String>,
    taskdefs: TaskDefCache,
    /// The account, from the first STS answer: Live Tail names log groups by ARN.
    account: Arc<std::sync::OnceLock<String>>,
    /// The images of each service's task definitions, from the last `services()`, so
    /// `images()` can join without listing the services again.
    usage: Mutex<Option<Arc<Vec<ServiceImages>>>>,
    previous: taskdefs::PreviousRevisions,
    balancers: balancers::Balancers,
    /// Whether the plain read of the alarms is known to fail (an alarm that cannot be read):
    /// while it is, polls go straight to the read by state, and try the plain one again later.
    alarm_reads: alarms::Remembered,
    /// The expiry of the credentials in use, from the watched chain.
    credentials: Arc<credentials::CredentialState>,
    /// Where exec and forward sessions may connect.
    session_place: crate::cloud::SessionPlace,
    /// The services read so far, so a refresh asks only what changed.
    known: known::Known,
    /// The cluster list, read once a minute (or on a miss).
    cluster_list: refresh::ClusterList,
    /// Service revisions read before (they never change).
    revisions: native::Revisions,
    /// Where ECS's events come from, if anywhere.
    events: Option<crate::model::EventSource>,
}

/// The SDK configuration the fleet's clients are built from (credentials watched, retries and
/// timeouts as shipped), for a program that must call AWS exactly as the console does: the
/// benchmarks' plain SDK loop.
pub async fn sdk_config(opts: &AwsOptions, overrides: &Overrides) -> SdkConfig {
    config::load(opts, overrides).await.0
}

macro_rules! client {
    ($krate:ident, $sdk:expr, $overrides:expr) => {{
        let mut b = $krate::config::Builder::from($sdk);
        for i in &$overrides.interceptors {
            b.push_interceptor(i.clone());
        }
        $krate::Client::from_conf(b.build())
    }};
}

/// The Cost Explorer client: its endpoint is us-east-1 whatever the context's region.
fn ce_client(sdk: &SdkConfig, overrides: &Overrides) -> aws_sdk_costexplorer::Client {
    let mut b = aws_sdk_costexplorer::config::Builder::from(sdk)
        .region(aws_types::region::Region::new("us-east-1"));
    for i in &overrides.interceptors {
        b.push_interceptor(i.clone());
    }
    aws_sdk_costexplorer::Client::from_conf(b.build())
}

/// The Price List client: its endpoint is in one of three regions, not the context's.
fn pricing_client(sdk: &SdkConfig, overrides: &Overrides, region: &str) -> aws_sdk_pricing::Client {
    let mut b = aws_sdk_pricing::config::Builder::from(sdk).region(aws_types::region::Region::new(
        pricing::endpoint_region(region),
    ));
    for i in &overrides.interceptors {
        b.push_interceptor(i.clone());
    }
    aws_sdk_pricing::Client::from_conf(b.build())
}

impl AwsFleet {
    /// Reads Cost Explorer too (`[cost] explorer = true`); off by default.
    pub fn with_cost_explorer(mut self, on: bool) -> Self {
        self.cost_explorer = on;
        self
    }

    /// Resolves configuration and credentials sources (no call is made yet: a bad or missing
    /// credential shows up as a `Credentials` error on the first call).
    pub async fn connect(opts: AwsOptions) -> ApiResult<Self> {
        Self::connect_with(opts, Overrides::default()).await
    }

    pub async fn connect_with(opts: AwsOptions, overrides: Overrides) -> ApiResult<Self> {
        let (sdk, credentials) = config::load(&opts, &overrides).await;
        let mut fleet = Self::from_sdk_config(&sdk, opts, &overrides)?;
        fleet.gate = fleet.gate.with_credentials(credentials.clone());
        fleet.credentials = credentials;
        Ok(fleet)
    }

    /// Builds the clients from an already loaded `SdkConfig`.
    pub fn from_sdk_config(
        sdk: &SdkConfig,
        opts: AwsOptions,
        overrides: &Overrides,
    ) -> ApiResult<Self> {
        let Some(region) = sdk.region() else {
            return Err(ApiError::new(
                ErrorKind::Other,
                "no AWS region: pass --region, set AWS_REGION, or set a region in the profile",
            ));
        };
        let (scope, errors) = scope_of(&opts, region.as_ref());
        let account = scope.account.clone();
        Ok(Self {
            ecs: client!(aws_sdk_ecs, sdk, overrides),
            ecr: client!(aws_sdk_ecr, sdk, overrides),
            cw: client!(aws_sdk_cloudwatch, sdk, overrides),
            logs: logs_client(sdk, overrides),
            elb: client!(aws_sdk_elasticloadbalancingv2, sdk, overrides),
            sts: client!(aws_sdk_sts, sdk, overrides),
            cd: client!(aws_sdk_codedeploy, sdk, overrides),
            cfn: client!(aws_sdk_cloudformation, sdk, overrides),
            cloudtrail: client!(aws_sdk_cloudtrail, sdk, overrides),
            pricing: pricing_client(sdk, overrides, region.as_ref()),
            ce: ce_client(sdk, overrides),
            cost_explorer: false,
            stacks: Default::default(),
            registered: Default::default(),
            cd_groups: Default::default(),
            ssm: client!(aws_sdk_ssm, sdk, overrides),
            kms: client!(aws_sdk_kms, sdk, overrides),
            session_place: session_place(sdk, &opts, region.as_ref()),
            sqs: events::sqs_client(sdk, overrides),
            gate: CallGate::new(overrides.budget.clone(), errors).in_scope(scope),
            profile: config::profile_label(&opts),
            region: region.to_string(),
            clusters: opts
                .clusters
                .iter()
                .map(|c| last_segment(c).to_string())
                .collect(),
            taskdefs: TaskDefCache::default(),
            account,
            usage: Mutex::new(None),
            previous: Default::default(),
            balancers: Default::default(),
            alarm_reads: Default::default(),
            credentials: Arc::default(),
            known: Default::default(),
            cluster_list: Default::default(),
            revisions: Default::default(),
            events: opts.events.clone(),
        })
    }

    /// The ECS client, for actions (update_service, continue_service_deployment, ...).
    pub fn ecs(&self) -> &aws_sdk_ecs::Client {
        &self.ecs
    }

    /// The CloudWatch Logs client, with the console's settings (a bench compares a plain loop
    /// on it with the log worker).
    pub fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        &self.logs
    }

    pub fn errors(&self) -> &ErrorMapper {
        self.gate.errors()
    }

    /// The clusters in scope, by name: the configured ones, else every cluster of the region,
    /// listed at most once a minute (and again when one was not found).
    pub async fn clusters(&self) -> ApiResult<Vec<String>> {
        if !self.clusters.is_empty() {
            return Ok(self.clusters.clone());
        }
        if let Some(names) = self.cluster_list.fresh() {
            return Ok(names);
        }
        let names = self.list_clusters().await?;
        self.cluster_list.put(names.clone());
        Ok(names)
    }

    async fn list_clusters(&self) -> ApiResult<Vec<String>> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .ecs
                .list_clusters()
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .within(&self.gate, Op::EcsListClusters)
                .await?;
            names.extend(
                out.cluster_arns()
                    .iter()
                    .map(|a| last_segment(a).to_string()),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        names.sort();
        Ok(names)
    }

    /// The services of one cluster (by name), complete with native deployments and target
    /// health: what `services()` gives for that cluster.
    pub async fn services_of(&self, cluster: &str) -> ApiResult<Vec<Service>> {
        let (_, _, rows) = self.cluster_part(last_segment(cluster)).await?;
        Ok(rows)
    }

    async fn raw_services(
        &self,
    ) -> ApiResult<(Vec<RawService>, HashMap<String, Arc<TaskDefInfo>>)> {
        let clusters = self.clusters().await?;
        let raw = services::fetch_all(&self.ecs, &self.gate, &clusters).await?;
        let defs = self.defs_of(&raw).await;
        self.remember_usage(&raw, &defs);
        Ok((raw, defs))
    }

    async fn defs_of(&self, raw: &[RawService]) -> HashMap<String, Arc<TaskDefInfo>> {
        self.taskdefs
            .get_many_lenient(
                &self.ecs,
                &self.gate,
                raw.iter().flat_map(|r| r.task_def_arns()),
            )
            .await
    }

    fn remember_usage(&self, raw: &[RawService], defs: &HashMap<String, Arc<TaskDefInfo>>) {
        let usage = usage_of(raw, defs);
        *self.usage.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(usage));
    }

    async fn indexed_part(&self, i: usize, cluster: String) -> (usize, ApiResult<Part>) {
        (i, self.cluster_part(&cluster).await)
    }

    /// One cluster's services, enriched but for CPU and memory, with their raw form and task
    /// definitions.
    async fn cluster_part(
        &self,
        cluster: &str,
    ) -> ApiResult<(
        Vec<RawService>,
        HashMap<String, Arc<TaskDefInfo>>,
        Vec<Service>,
    )> {
        let raw = services::fetch_cluster(&self.ecs, &self.gate, cluster).await?;
        let defs = self.defs_of(&raw).await;
        // Cleaned at the edge: what reaches the state never holds an escape or bidi control.
        let rows = self.enrich(&raw, &defs).await.cleaned();
        Ok((raw, defs, rows))
    }
}

impl AwsFleet {
    /// An alarm on a whole load balancer is linked to the services behind it: the target
    /// groups of each such load balancer, looked up (and kept ten minutes) only when an alarm
    /// needs them. A lookup that fails leaves that alarm unlinked, and is logged.
    async fn add_groups_behind(&self, all: &mut [Alarm]) {
        for a in all.iter_mut() {
            let Some(m) = &a.spec.metric else { continue };
            let Some(lb) = m.dimension("LoadBalancer").filter(|_| {
                m.dimension("TargetGroup").is_none() && m.dimension("ServiceName").is_none()
            }) else {
                continue;
            };
            let lb = lb.to_string();
            match self
                .balancers
                .groups_behind(&self.elb, &self.gate, &lb)
                .await
            {
                Ok(groups) => a.spec.behind_load_balancer = groups,
                Err(e) => {
                    tracing::warn!(alarm = a.name, error = %e, "load balancer of an alarm unknown")
                }
            }
        }
    }
}

/// Sessions connect only to the region's ssmmessages host, or to loopback when the endpoint
/// URL is loopback (a local emulator); the plugin fallback is told the SSM endpoint.
fn session_place(sdk: &SdkConfig, opts: &AwsOptions, region: &str) -> crate::cloud::SessionPlace {
    let endpoint = sdk
        .endpoint_url()
        .map(str::to_string)
        .or_else(|| opts.endpoint_url.clone());
    let local = endpoint
        .as_deref()
        .is_some_and(crate::exec::stream_url::endpoint_is_loopback);
    crate::cloud::SessionPlace {
        policy: crate::exec::StreamPolicy {
            region: region.to_string(),
            local_endpoint: local,
        },
        profile: opts.profile.clone().unwrap_or_default(),
        ssm_endpoint: endpoint.unwrap_or_else(|| format!("https://ssm.{region}.amazonaws.com")),
    }
}

/// The budget's scope of a backend and its error mapper: the buckets are the account's and
/// region's (the account once STS says it, or at once for an SSO session's account), and a
/// credentials error names the login to run (the profile's, or the SSO session's).
fn scope_of(opts: &AwsOptions, region: &str) -> (gate::Scope, ErrorMapper) {
    let explicit_profile = opts
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let scope = gate::Scope::new(explicit_profile.as_deref(), region);
    let mut errors = ErrorMapper::new(explicit_profile);
    if let Some(role) = &opts.sso {
        let _ = scope.account.set(role.account_id.clone());
        errors = errors.for_sso_session(&role.session);
    }
    (scope, errors)
}

/// The CloudWatch Logs client, with StartLiveTail's host put back for a local endpoint.
fn logs_client(sdk: &SdkConfig, overrides: &Overrides) -> aws_sdk_cloudwatchlogs::Client {
    let mut b = aws_sdk_cloudwatchlogs::config::Builder::from(sdk);
    for i in &overrides.interceptors {
        b.push_interceptor(i.clone());
    }
    b.push_interceptor(SharedInterceptor::new(livetail::LocalStreamHost));
    aws_sdk_cloudwatchlogs::Client::from_conf(b.build())
}

/// One cluster read: its described services, their task definitions, and the rows.
type Part = (
    Vec<RawService>,
    HashMap<String, Arc<TaskDefInfo>>,
    Vec<Service>,
);

/// The images each service's task definitions (its own and its deployments') name.
fn usage_of(raw: &[RawService], defs: &HashMap<String, Arc<TaskDefInfo>>) -> Vec<ServiceImages> {
    raw.iter()
        .map(|r| {
            let mut images: Vec<String> = r
                .task_def_arns()
                .filter_map(|a| defs.get(a))
                .flat_map(|td| td.containers.iter().map(|c| c.image.clone()))
                .collect();
            images.sort();
            images.dedup();
            ServiceImages {
                service: r.name().to_string(),
                images,
            }
        })
        .collect()
}

#[async_trait]
impl Fleet for AwsFleet {
    async fn context(&self) -> ApiResult<ContextInfo> {
        let who = self
            .sts
            .get_caller_identity()
            .send()
            .within(&self.gate, Op::StsGetCallerIdentity)
            .await?;
        let clusters = self.clusters().await?;
        if let Some(a) = who.account() {
            let _ = self.account.set(a.to_string());
        }
        Ok(ContextInfo {
            name: self.profile.clone(),
            profile: self.profile.clone(),
            account: who.account().unwrap_or_default().to_string(),
            region: self.region.clone(),
            clusters,
            prod: false,
            caller_arn: who.arn().unwrap_or_default().to_string(),
        }
        .cleaned())
    }

    async fn identity(&self) -> ApiResult<(String, String)> {
        let who = self
            .sts
            .get_caller_identity()
            .send()
            .within(&self.gate, Op::StsGetCallerIdentity)
            .await?;
        let account = who.account().unwrap_or_default().to_string();
        if !account.is_empty() {
            let _ = self.account.set(account.clone());
        }
        Ok((account, self.region.clone()))
    }

    fn credentials_expiry(&self) -> Option<crate::model::At> {
        self.credentials.expiry()
    }

    /// The services of the clusters that could be read; an error only when none could.
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.services_listing(&|_, _, _| {}).await?.lenient()
    }

    async fn services_in_parts(&self, part: &PartSink<'_>) -> ApiResult<Vec<Service>> {
        self.services_listing(part).await?.lenient()
    }

    /// Cluster by cluster, a few at a time, in the order they finish: `part` gets the rows of
    /// the clusters read so far (in cluster order, without CPU and memory) after each but the
    /// last. A cluster that cannot be read leaves out only its own rows and is named.
    async fn services_listing(&self, part: &PartSink<'_>) -> ApiResult<Listing<Service>> {
        let clusters = self.clusters().await?;
        let total = clusters.len();
        let calls: Vec<_> = clusters
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, c)| self.indexed_part(i, c))
            .collect();
        let mut pending =
            futures::stream::iter(calls).buffer_unordered(services::CLUSTER_CONCURRENCY);
        let mut done = vec![None; total];
        let mut failed = Vec::new();
        let mut finished = 0;
        while let Some((i, result)) = pending.next().await {
            finished += 1;
            match result {
                Ok(p) => done[i] = Some(p),
                Err(e) => failed.push((clusters[i].clone(), e)),
            }
            if finished < total {
                let rows = done.iter().flatten().flat_map(|(_, _, rows)| rows.clone());
                part(rows.collect(), finished, total);
            }
        }
        let mut raw = Vec::new();
        let mut defs = HashMap::new();
        let mut out = Vec::new();
        for (r, d, rows) in done.into_iter().flatten() {
            raw.extend(r);
            defs.extend(d);
            out.extend(rows);
        }
        self.remember_usage(&raw, &defs);
        Listing::or_failure(out, crate::model::listing::clusters_failed(failed, total))
    }

    async fn services_refresh(
        &self,
        ask: &ServicesAsk,
        part: &PartSink<'_>,
    ) -> ApiResult<Listing<Service>> {
        self.refresh(ask, part).await
    }

    fn event_source(&self) -> Option<crate::model::EventSource> {
        AwsFleet::event_source(self)
    }

    async fn receive_events(&self) -> ApiResult<Vec<crate::model::Delivery>> {
        AwsFleet::receive_events(self).await
    }

    async fn events_applied(&self, acks: &[crate::model::EventAck]) -> ApiResult<usize> {
        AwsFleet::events_applied(self, acks).await
    }

    fn read_event(&self, message: &str) -> Result<crate::model::EcsEvent, crate::model::Skipped> {
        AwsFleet::read_event(self, message)
    }

    async fn tasks(&self, service: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.tasks_listing(service).await?.lenient()
    }

    /// Cluster by cluster, a few at a time: a cluster that cannot be read is named, the others'
    /// tasks shown.
    async fn tasks_listing(&self, service: Option<&ServiceKey>) -> ApiResult<Listing<Task>> {
        if let Some(k) = service {
            let tasks = tasks::fetch(&self.ecs, &self.gate, &k.cluster, Some(&k.name)).await?;
            return Ok(Listing::whole(tasks.cleaned()));
        }
        let clusters = self.clusters().await?;
        let calls: Vec<_> = clusters
            .iter()
            .map(|c| async move {
                let tasks = tasks::fetch(&self.ecs, &self.gate, c, None).await;
                (c.clone(), tasks)
            })
            .collect();
        let per_cluster: Vec<_> = futures::stream::iter(calls)
            .buffered(services::CLUSTER_CONCURRENCY)
            .collect()
            .await;
        let mut listing = Listing::of_parts(ListedIn::Cluster, per_cluster)?;
        listing.items.clean();
        Ok(listing)
    }

    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.images_listing().await?.lenient()
    }

    /// A repository that cannot be read (gone since the listing, denied by its policy) is
    /// named; the others' images are shown.
    async fn images_listing(&self) -> ApiResult<Listing<Image>> {
        let listing = images::fetch(&self.ecr, &self.gate).await?;
        let mut images = listing.items;
        let known = self.usage.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let usage = match known {
            Some(u) => u,
            None => match self.raw_services().await {
                Ok((raw, defs)) => Arc::new(usage_of(&raw, &defs)),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot join images to services");
                    Arc::new(Vec::new())
                }
            },
        };
        images::join_used_by(&mut images, &usage);
        let images = images.into_iter().map(|ri| ri.image).collect::<Vec<_>>();
        Ok(Listing {
            items: images.cleaned(),
            failed: listing.failed,
        })
    }

    async fn utilisation(&self, keys: &[ServiceKey]) -> ApiResult<Vec<Utilisation>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        metrics::utilisation(&self.cw, &self.gate, keys, now_ms()).await
    }

    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        self.alarms_listing().await?.lenient()
    }

    async fn alarms_listing(&self) -> ApiResult<Listing<Alarm>> {
        let mut listing = alarms::listing(&self.cw, &self.gate, &self.alarm_reads).await?;
        listing.items.clean();
        self.add_groups_behind(&mut listing.items).await;
        Ok(listing)
    }

    async fn alb_figures(&self, queries: &[AlbQuery]) -> ApiResult<Vec<AlbFigures>> {
        alb::figures(&self.cw, &self.elb, &self.gate, &self.balancers, queries).await
    }

    async fn task_definition(&self, td: &TaskDefRef) -> ApiResult<TaskDefinition> {
        let info = self.taskdefs.by_ref(&self.ecs, &self.gate, td).await?;
        Ok(info.spec.clone())
    }

    async fn describe_raw(
        &self,
        target: &crate::model::DescribeTarget,
    ) -> ApiResult<crate::model::RawDoc> {
        self.describe_call(target).await
    }

    async fn deployment_history(&self, service: &ServiceKey) -> ApiResult<Vec<PastDeployment>> {
        // A service a CodeDeploy group deploys (known once a refresh read the groups) has its
        // history in CodeDeploy; the others in the service-deployment APIs.
        if self.cd_groups.knows(&service.cluster, &service.name).await {
            let (c, s) = (&service.cluster, &service.name);
            return codedeploy::history(&self.cd, &self.gate, &self.cd_groups, c, s).await;
        }
        history::deployments(&self.ecs, &self.gate, service).await
    }

    async fn metric_points(
        &self,
        metric: &MetricSpec,
        from: At,
        until: At,
    ) -> ApiResult<Vec<(At, f64)>> {
        alarm_detail::points(&self.cw, &self.gate, metric, from, until).await
    }

    async fn alarm_history(&self, name: &str, since: At) -> ApiResult<Vec<AlarmTransition>> {
        alarm_detail::history(&self.cw, &self.gate, name, since, now_ms()).await
    }

    async fn log_sources(&self, target: &LogTarget) -> ApiResult<LogSources> {
        logs::sources(&self.ecs, &self.gate, &self.taskdefs, target, now_ms()).await
    }

    async fn log_owners(
        &self,
        target: &LogTarget,
        streams: &[(String, String)],
    ) -> ApiResult<Vec<Option<LogTag>>> {
        logs::owners(&self.ecs, &self.gate, target, streams).await
    }

    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        logs::page(&self.logs, &self.gate, q, token).await
    }

    async fn live_tail(&self, q: &LiveQuery) -> Result<LiveStream, LiveEnd> {
        let account = match self.account.get() {
            Some(a) => a.clone(),
            None => self
                .context()
                .await
                .map(|c| c.account)
                .map_err(|e| LiveEnd::Broken(e.message))?,
        };
        let region = self.region.clone();
        livetail::start(
            &self.logs,
            &self.gate,
            |g| livetail::group_arn(&region, &account, g),
            q,
        )
        .await
    }

    async fn act(&self, service: &ServiceKey, call: &AwsCall) -> ApiResult<()> {
        mutations::act(self, service, call).await
    }

    async fn ship_audit(&self, group: &str, lines: &[String]) -> ApiResult<()> {
        mutations::ship_audit(self, group, lines).await
    }

    async fn audit_group_exists(&self, group: &str) -> ApiResult<bool> {
        mutations::audit_group_exists(self, group).await
    }

    async fn read_audit(&self, group: &str, span: (At, At)) -> ApiResult<Vec<String>> {
        audit_read::read(self, group, span.0, span.1)
            .await
            .map(Clean::cleaned)
    }

    async fn stack_of(&self, arn: &str) -> ApiResult<Option<crate::model::owner::Stack>> {
        stacks::stack_of(&self.cfn, &self.gate, &self.stacks, arn)
            .await
            .map(Clean::cleaned)
    }

    async fn revisions(
        &self,
        family: &str,
        since: At,
    ) -> ApiResult<Vec<crate::model::timeline::build::Registered>> {
        revisions::registered(&self.ecs, &self.gate, &self.registered, family, since)
            .await
            .map(Clean::cleaned)
    }

    async fn trail(
        &self,
        service: &ServiceKey,
        family: &str,
        span: (At, At),
    ) -> ApiResult<Vec<crate::model::trail::TrailEvent>> {
        trail::lookup(&self.cloudtrail, &self.gate, service, family, span)
            .await
            .map(Clean::cleaned)
    }

    async fn fargate_prices(&self) -> ApiResult<crate::model::cost::PriceTable> {
        pricing::fargate_prices(&self.pricing, &self.gate, &self.region).await
    }
    fn prices_cache_key(&self) -> Option<String> {
        Some(self.region.clone())
    }
    fn cost_explorer(&self) -> bool {
        self.cost_explorer
    }
    async fn billed_day(&self, day: &str, next: &str) -> ApiResult<crate::model::cost::BilledDay> {
        if !self.cost_explorer {
            return Err(ApiError::new(
                ErrorKind::Other,
                "Cost Explorer is off: [cost] explorer = true turns it on ($0.01 a request)",
            ));
        }
        let account = self.account.get().map(String::as_str);
        billed::billed_day(&self.ce, &self.gate, (&self.region, account), (day, next)).await
    }
    async fn cluster_exec(&self, cluster: &str) -> ApiResult<crate::model::ClusterExec> {
        exec::cluster_exec(&self.ecs, &self.gate, cluster).await
    }

    async fn execute_command(
        &self,
        target: &crate::model::ExecTarget,
        command: &str,
    ) -> ApiResult<crate::model::SessionGrant> {
        exec::execute_command(&self.ecs, &self.gate, target, command).await
    }

    async fn start_port_session(
        &self,
        target: &crate::model::ExecTarget,
        remote: &crate::model::RemotePort,
        local_port: u16,
        reason: &str,
    ) -> ApiResult<crate::model::SessionGrant> {
        exec::start_port_session(&self.ssm, &self.gate, target, remote, local_port, reason).await
    }

    async fn resume_session(&self, session_id: &str) -> ApiResult<Option<String>> {
        exec::resume(&self.ssm, &self.gate, session_id).await
    }

    async fn data_key(
        &self,
        key_id: &str,
        context: &[(String, String)],
    ) -> ApiResult<crate::exec::channel::DataKey> {
        exec::data_key(&self.kms, &self.gate, key_id, context).await
    }

    fn session_place(&self) -> crate::cloud::SessionPlace {
        self.session_place.clone()
    }

    async fn register_task_def(
        &self,
        _service: &ServiceKey,
        from: &crate::model::TaskDefRef,
        repository: &str,
        digest: &str,
    ) -> ApiResult<crate::model::TaskDefRef> {
        deploy::register(self, from, repository, digest).await
    }
}
