//! Mutating actions against moto server: plans are built from the services the fleet returns
//! (as the console builds them), run through the action runner, and moto's state is checked
//! afterwards through the SDK.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_actions` (these tests fail without
//! `DECKWATCH_MOTO_URL`). Every test uses its own uniquely named cluster and task definition
//! family, so they share one moto server and run in parallel.
//!
//! What moto does with these calls (see the design notes on its quirks):
//! - A service's first deployment is COMPLETED only if its running count, which moto takes from
//!   the server's `MOTO_ECS_SERVICE_RUNNING` (0 unless set), reaches the desired count; it never
//!   moves a deployment on. So a service created with 0 desired tasks has a COMPLETED primary.
//! - `update_service` changes the service's task definition and desired count but leaves its
//!   deployments as they were; `forceNewDeployment` gives the primary a new id.

use crate::support::action::run_action;
use crate::support::{counting, moto, seed};
use counting::CallCounter;
use deckwatch::cloud::aws::AwsFleet;
use deckwatch::cloud::{Fleet, ReadOnly};
use deckwatch::model::{ActionPlan, Change, ContextInfo, RolloutState, Service, ServiceKey, Verb};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::{Audit, RecordContext};
use seed::{Seeder, TaskDefSpec};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// A cluster with task definition revisions :1 and :2 of one family.
struct World {
    seed: Seeder,
    cluster: String,
    family: String,
    /// ARNs of revisions 1, 2, ...
    revisions: Vec<String>,
}

impl World {
    async fn new(prefix: &str) -> Self {
        let url = moto::url();
        let seed = Seeder::new(&url).await;
        let cluster = moto::unique(prefix);
        seed.cluster(&cluster).await;
        let mut world = Self {
            seed,
            family: format!("{cluster}-app"),
            cluster,
            revisions: Vec::new(),
        };
        world.register("example/app:1").await;
        world.register("example/app:2").await;
        world
    }

    /// Registers the next revision of the family; returns its ARN.
    async fn register(&mut self, image: &str) -> String {
        let group = format!("/ecs/{}", self.family);
        let arn = self
            .seed
            .task_def(TaskDefSpec {
                family: &self.family,
                container: "app",
                image,
                log_group: &group,
                stream_prefix: "ecs",
            })
            .await;
        self.revisions.push(arn.clone());
        assert!(
            arn.ends_with(&format!("{}:{}", self.family, self.revisions.len())),
            "{arn}"
        );
        arn
    }

    /// The ARN of revision `n` (from 1).
    fn revision(&self, n: usize) -> &str {
        &self.revisions[n - 1]
    }

    async fn fleet(&self, interceptors: Vec<CallCounter>) -> AwsFleet {
        moto::fleet(
            &moto::url(),
            &[&self.cluster],
            interceptors.iter().map(CallCounter::interceptor).collect(),
        )
        .await
    }

    fn key(&self, name: &str) -> ServiceKey {
        ServiceKey {
            cluster: self.cluster.clone(),
            name: name.into(),
        }
    }

    /// The service as moto describes it, read through the SDK, not the fleet.
    async fn described(&self, name: &str) -> aws_sdk_ecs::types::Service {
        let out = self
            .seed
            .ecs
            .describe_services()
            .cluster(&self.cluster)
            .services(name)
            .send()
            .await
            .expect("describe_services");
        assert!(out.failures().is_empty(), "{:?}", out.failures());
        out.services()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no service {name} in moto"))
    }

    /// The revision number of the task definition moto's service uses (moto keeps the
    /// reference as given: an ARN from create_service, `family:rev` from update_service).
    async fn revision_in_moto(&self, name: &str) -> u32 {
        let svc = self.described(name).await;
        let td = svc.task_definition().expect("task definition");
        let (family, rev) = td
            .rsplit('/')
            .next()
            .and_then(|t| t.rsplit_once(':'))
            .unwrap_or_else(|| panic!("not family:revision: {td}"));
        assert_eq!(family, self.family, "{td}");
        rev.parse().unwrap_or_else(|_| panic!("revision of {td}"))
    }

    async fn desired_in_moto(&self, name: &str) -> i32 {
        self.described(name).await.desired_count()
    }

    /// Changes the service behind the console's back, straight through the SDK.
    async fn update_behind_its_back(
        &self,
        name: &str,
        task_def: Option<&str>,
        desired: Option<i32>,
    ) {
        self.seed
            .ecs
            .update_service()
            .cluster(&self.cluster)
            .service(name)
            .set_task_definition(task_def.map(str::to_string))
            .set_desired_count(desired)
            .send()
            .await
            .expect("update_service behind the console's back");
    }
}

/// One service as the fleet returns it, as the console would show it.
async fn service_of(fleet: &Arc<dyn Fleet>, key: &ServiceKey) -> Service {
    let services = fleet.services().await.expect("services");
    services
        .into_iter()
        .find(|s| s.key() == *key)
        .unwrap_or_else(|| panic!("no service {key} in the fleet"))
}

fn context() -> ContextInfo {
    ContextInfo {
        name: "moto".into(),
        profile: "moto-tests".into(),
        account: moto::ACCOUNT.into(),
        region: moto::REGION.into(),
        clusters: Vec::new(),
        prod: false,
        caller_arn: format!("arn:aws:iam::{}:user/moto-tests", moto::ACCOUNT),
    }
}

/// The audit records written so far, one JSON value a line.
fn audit_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

fn phases(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["phase"].as_str().expect("phase"))
        .collect()
}

fn audit_in(dir: &tempfile::TempDir) -> (Arc<Audit>, std::path::PathBuf) {
    let path = dir.path().join("audit.jsonl");
    (Arc::new(Audit::new(Some(path.clone()))), path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_rollback_returns_the_service_to_the_previous_revision() {
    let w = World::new("rollback").await;
    // Created with 0 desired tasks so that moto reports the primary deployment COMPLETED (see
    // the top of this file), then scaled to 2: moto's update_service leaves the deployment as
    // it is, so the service wants 2 tasks on a finished deployment of :2.
    w.seed.service(&w.cluster, "web", w.revision(2), 0).await;
    w.update_behind_its_back("web", None, Some(2)).await;
    let moto_primary = w.described("web").await;
    let moto_primary = moto_primary
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .expect("moto's primary deployment")
        .clone();
    assert_eq!(
        moto_primary.rollout_state().map(|r| r.as_str()),
        Some("COMPLETED")
    );
    assert_eq!(w.revision_in_moto("web").await, 2);

    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(Vec::new()).await);
    let key = w.key("web");
    let web = service_of(&fleet, &key).await;
    assert_eq!(web.task_def.revision, 2);
    assert_eq!(web.desired, 2);
    let primary = web.primary().expect("primary deployment");
    assert_eq!(primary.rollout_state, RolloutState::Completed);

    let plan = for_verb(Verb::Rollback, &web, &[], None).expect("a roll back plan");
    assert_eq!(plan.verb.to_string(), "roll back");
    assert_eq!(
        plan.mutation.to_string(),
        format!("ecs:UpdateService(taskDefinition={}:1)", w.family)
    );
    assert_eq!(
        plan.changes[0],
        Change::new(
            "task definition",
            format!("{}:2", w.family),
            format!("{}:1", w.family)
        )
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, _) = audit_in(&dir);
    let done = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("roll back");
    assert!(done.contains("roll back") && done.contains(":1"), "{done}");

    // moto's service now runs :1, still wanting 2 tasks.
    assert_eq!(w.revision_in_moto("web").await, 1);
    assert_eq!(w.desired_in_moto("web").await, 2);
    // And the console sees it on the next refresh.
    let after = service_of(&fleet, &key).await;
    assert_eq!(after.task_def.revision, 1);
    assert_eq!(after.task_def.family, w.family);
    assert_eq!(after.image_tag, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_is_refused_while_moto_reports_the_deployment_in_progress() {
    let w = World::new("inprog").await;
    // With 2 desired tasks and none running, moto reports the deployment IN_PROGRESS forever,
    // and there is no earlier ACTIVE deployment to return to: the console offers no roll back.
    w.seed.service(&w.cluster, "web", w.revision(2), 2).await;
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(Vec::new()).await);
    let web = service_of(&fleet, &w.key("web")).await;
    assert_eq!(
        web.primary().map(|d| d.rollout_state.clone()),
        Some(RolloutState::InProgress)
    );
    let why = for_verb(Verb::Rollback, &web, &[], None)
        .expect_err("no plan")
        .to_string();
    assert!(why.contains("no earlier stable deployment"), "{why}");
    assert_eq!(w.revision_in_moto("web").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_sets_moto_desired_count() {
    let w = World::new("scale").await;
    w.seed.service(&w.cluster, "api", w.revision(2), 2).await;
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(Vec::new()).await);
    let key = w.key("api");
    let api = service_of(&fleet, &key).await;
    assert_eq!(api.desired, 2);

    let plan = for_verb(Verb::Scale, &api, &[], Some(5)).expect("a scale plan");
    assert_eq!(
        plan.mutation.to_string(),
        "ecs:UpdateService(desiredCount=5)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, _) = audit_in(&dir);
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("scale");

    assert_eq!(w.desired_in_moto("api").await, 5);
    // Only the count changed.
    assert_eq!(w.revision_in_moto("api").await, 2);
    assert_eq!(service_of(&fleet, &key).await.desired, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_changed_since_the_dialog_is_refused_and_left_alone() {
    let mut w = World::new("refuse").await;
    w.seed.service(&w.cluster, "web", w.revision(2), 0).await;
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(Vec::new()).await);
    let key = w.key("web");
    let web = service_of(&fleet, &key).await;
    let plan = for_verb(Verb::Rollback, &web, &[], None).expect("a roll back plan to :1");

    // While the dialog is open, someone else deploys :3.
    let td3 = w.register("example/app:3").await;
    w.update_behind_its_back("web", Some(&td3), None).await;
    assert_eq!(w.revision_in_moto("web").await, 3);

    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, path) = audit_in(&dir);
    let why = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(why.contains("refused"), "{why}");
    assert!(why.contains("changed"), "{why}");
    assert!(
        why.contains(&format!("task definition: {0}:2 → {0}:3", w.family)),
        "{why}"
    );

    // The plan's :1 never reached moto: the service stays on :3.
    assert_eq!(w.revision_in_moto("web").await, 3);

    let records = audit_records(&path);
    assert_eq!(phases(&records), vec!["refused"], "{records:#?}");
    let refused = &records[0];
    assert_eq!(refused["service"], "web");
    assert_eq!(refused["cluster"], w.cluster.as_str());
    let what = refused["outcome"]["refused"]
        .as_array()
        .expect("what changed");
    assert!(
        what.iter()
            .any(|c| c.as_str().is_some_and(|c| c.starts_with("task definition"))),
        "{what:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_desired_count_is_refused_too() {
    let w = World::new("refusecount").await;
    w.seed.service(&w.cluster, "api", w.revision(2), 2).await;
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(Vec::new()).await);
    let api = service_of(&fleet, &w.key("api")).await;
    let plan = for_verb(Verb::Scale, &api, &[], Some(5)).expect("a scale plan");

    w.update_behind_its_back("api", None, Some(3)).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, path) = audit_in(&dir);
    let why = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(why.contains("refused") && why.contains("changed"), "{why}");
    assert!(why.contains("desired count: 2 → 3"), "{why}");
    assert_eq!(w.desired_in_moto("api").await, 3);
    assert_eq!(phases(&audit_records(&path)), vec!["refused"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_mutating_call() {
    let w = World::new("readonly").await;
    w.seed.service(&w.cluster, "web", w.revision(2), 0).await;
    let counter = CallCounter::default();
    let inner: Arc<dyn Fleet> = Arc::new(w.fleet(vec![counter.clone()]).await);
    let fleet: Arc<dyn Fleet> = Arc::new(ReadOnly(inner));
    let key = w.key("web");
    let web = service_of(&fleet, &key).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, path) = audit_in(&dir);
    let plans: Vec<ActionPlan> = vec![
        for_verb(Verb::Rollback, &web, &[], None).expect("roll back plan"),
        for_verb(Verb::Scale, &web, &[], Some(4)).expect("scale plan"),
        for_verb(Verb::ForceDeploy, &web, &[], None).expect("force plan"),
    ];
    let deployment_before = w.described("web").await.deployments()[0]
        .id()
        .map(str::to_string);
    for plan in &plans {
        let why = run_action(&fleet, &audit, plan, &context())
            .await
            .expect_err("read-only refuses")
            .to_string();
        assert!(why.contains("read-only"), "{why}");
    }

    // Only reads left the process.
    let calls = counter.snapshot();
    assert_eq!(counter.get("UpdateService"), 0, "{calls:?}");
    for op in calls.keys() {
        assert!(
            ["List", "Describe", "Get"]
                .iter()
                .any(|p| op.starts_with(p)),
            "a non-read operation was sent: {op} ({calls:?})"
        );
    }
    assert!(counter.get("DescribeServices") > 0, "{calls:?}");

    // moto's service is as it was.
    assert_eq!(w.revision_in_moto("web").await, 2);
    assert_eq!(w.desired_in_moto("web").await, 0);
    assert_eq!(
        w.described("web").await.deployments()[0]
            .id()
            .map(str::to_string),
        deployment_before
    );
    // Each refusal is on record, and no record claims that anything was done.
    assert!(path.exists(), "no audit file at {}", path.display());
    let records = audit_records(&path);
    assert_eq!(phases(&records), vec!["refused"; plans.len()]);
    for (r, plan) in records.iter().zip(&plans) {
        assert_eq!(
            r["outcome"]["refused"],
            serde_json::json!(["read-only"]),
            "{r}"
        );
        assert_eq!(r["call"], plan.mutation.to_string(), "{r}");
        assert_ne!(r["outcome"]["result"], "ok", "{r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_action_writes_before_then_after() {
    let w = World::new("audit").await;
    w.seed.service(&w.cluster, "web", w.revision(2), 2).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(vec![counter.clone()]).await);
    let key = w.key("web");
    let web = service_of(&fleet, &key).await;
    let old_deployment = web.primary().expect("primary").id.clone();

    let plan = for_verb(Verb::ForceDeploy, &web, &[], None).expect("a force plan");
    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, path) = audit_in(&dir);
    let ctx = context();
    run_action(&fleet, &audit, &plan, &ctx)
        .await
        .expect("force a new deployment");
    // Exactly one mutating call left the process (the same counter sees none in read-only).
    assert_eq!(counter.get("UpdateService"), 1, "{:?}", counter.snapshot());

    // moto started a new deployment: the primary has a new id, on the same revision.
    let now = service_of(&fleet, &key).await;
    let new_deployment = now.primary().expect("primary").id.clone();
    assert_ne!(new_deployment, old_deployment);
    assert_eq!(w.revision_in_moto("web").await, 2);

    let records = audit_records(&path);
    assert_eq!(phases(&records), vec!["before", "after"], "{records:#?}");
    for r in &records {
        assert_eq!(r["cluster"], w.cluster.as_str(), "{r}");
        assert_eq!(r["service"], "web", "{r}");
        assert_eq!(r["action"], "force a new deployment", "{r}");
        assert_eq!(
            r["call"], "ecs:UpdateService(forceNewDeployment=true)",
            "{r}"
        );
        assert_eq!(r["context"], ctx.name.as_str(), "{r}");
        assert_eq!(r["profile"], ctx.profile.as_str(), "{r}");
        assert_eq!(r["region"], moto::REGION, "{r}");
        assert_eq!(r["account"], moto::ACCOUNT, "{r}");
        assert!(r["time"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
        let changes = r["changes"].as_array().expect("changes");
        assert_eq!(changes.len(), 1, "{r}");
        assert_eq!(changes[0]["what"], "tasks", "{r}");
        assert_eq!(
            changes[0]["from"],
            format!("0 running on {}:2", w.family).as_str(),
            "{r}"
        );
        let state = &r["state_before"];
        assert_eq!(state["primary_deployment"], old_deployment.as_str(), "{r}");
        assert_eq!(
            state["task_definition"],
            format!("{}:2", w.family).as_str(),
            "{r}"
        );
        assert_eq!(state["desired"], 2, "{r}");
        assert_eq!(state["deployment"], Value::Null, "{r}");
    }
    assert_eq!(records[0]["outcome"], Value::Null);
    assert_eq!(records[1]["outcome"]["result"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_records_also_reach_the_configured_log_group() {
    let w = World::new("ship").await;
    w.seed.service(&w.cluster, "api", w.revision(2), 2).await;
    let group = format!("/deckwatch/audit/{}", moto::unique("g"));
    w.seed.log_group(&group).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(vec![counter.clone()]).await);
    let api = service_of(&fleet, &w.key("api")).await;
    let plan = for_verb(Verb::Scale, &api, &[], Some(3)).expect("a scale plan");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let audit = Audit::new(Some(path.clone())).with_remote_group(Some(group.clone()));
    let audit = Arc::new(audit);
    run_action(&fleet, &audit, &plan, &context())
        .await
        .expect("scale");

    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto::sdk_config(&moto::url()).await);
    let out = logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .expect("read the group back");
    let shipped: Vec<Value> = out
        .events()
        .iter()
        .map(|e| serde_json::from_str(e.message().unwrap_or_default()).expect("a JSON record"))
        .collect();
    assert_eq!(phases(&shipped), ["before", "after"]);
    assert_eq!(
        shipped,
        audit_records(&path),
        "the group holds what the file holds"
    );
    assert!(
        audit
            .unsent(&RecordContext::of(&context()), usize::MAX)
            .is_empty(),
        "nothing is left to ship twice"
    );
    // Two shipments: "before" ahead of the call, "after" with the rest. Each makes sure of the
    // stream (CreateLogStream, an existing one is fine), then appends (PutLogEvents).
    let calls = counter.snapshot();
    assert_eq!(counter.get("CreateLogStream"), 2, "{calls:?}");
    assert_eq!(counter.get("PutLogEvents"), 2, "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_planned_in_another_account_is_refused_before_any_change() {
    let w = World::new("account").await;
    w.seed.service(&w.cluster, "api", w.revision(2), 2).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> = Arc::new(w.fleet(vec![counter.clone()]).await);
    let api = service_of(&fleet, &w.key("api")).await;
    let plan = for_verb(Verb::Scale, &api, &[], Some(4)).expect("a scale plan");
    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, path) = audit_in(&dir);
    // Planned while the console was on another account (a switch happened since).
    let elsewhere = ContextInfo {
        account: "210987654321".into(),
        ..context()
    };
    counter.reset();
    let why = run_action(&fleet, &audit, &plan, &elsewhere)
        .await
        .expect_err("refused")
        .to_string();
    assert!(why.contains("210987654321"), "{why}");
    assert!(why.contains(moto::ACCOUNT), "{why}");
    // STS was asked (GetCallerIdentity); nothing else was read or changed.
    assert_eq!(
        counter.get("GetCallerIdentity"),
        1,
        "{:?}",
        counter.snapshot()
    );
    assert_eq!(counter.get("UpdateService"), 0, "{:?}", counter.snapshot());
    assert_eq!(w.desired_in_moto("api").await, 2);
    assert_eq!(phases(&audit_records(&path)), vec!["refused"]);
}
