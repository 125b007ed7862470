//! Paired-service canaries against moto: `search` and `search-canary` behind an application
//! load balancer, split by a weighted listener rule, by the listener's default rule, or
//! sharing one target group. Plans are built from what the fleet returns, run through the
//! action runner, and moto's ECS and ELB state is checked afterwards through the SDK.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_paired`.
//!
//! moto never moves a deployment on, so both services are created with 0 tasks (a COMPLETED
//! primary) and then scaled, which moto reports as running at once: the primary is stable, and
//! a promote's wait until stable passes at the first look.

use crate::support::action::run_action;
use crate::support::{counting, deny, moto, seed};
use aws_sdk_elasticloadbalancingv2::types::{
    Action as ElbAction, ActionTypeEnum, ForwardActionConfig, ProtocolEnum, RuleCondition,
    TargetGroupTuple,
};
use counting::CallCounter;
use deckwatch::cloud::Fleet;
use deckwatch::model::{AwsCall, ContextInfo, Mutation, Service, Split, Verb, split};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::workers::audit::Audit;
use seed::{Seeder, TaskDefSpec};
use std::sync::Arc;

/// How the pair's traffic is split.
#[derive(PartialEq)]
pub(crate) enum Routing {
    /// A listener rule forwards 90/10 to the two target groups.
    Rule,
    /// The listener's default action does.
    DefaultRule,
    /// Both services register in one target group.
    SharedGroup,
}

pub(crate) struct Pair {
    pub(crate) seed: Seeder,
    pub(crate) cluster: String,
    family: String,
    pub(crate) tg_primary: String,
    pub(crate) tg_canary: String,
    /// The load balancer the listener is on.
    pub(crate) lb: String,
    listener: String,
    /// The weighted rule (Routing::Rule only).
    rule: Option<String>,
}

fn forward(weights: &[(&str, i32)]) -> ElbAction {
    let mut f = ForwardActionConfig::builder();
    for (tg, w) in weights {
        f = f.target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(*tg)
                .weight(*w)
                .build(),
        );
    }
    ElbAction::builder()
        .r#type(ActionTypeEnum::Forward)
        .forward_config(f.build())
        .build()
}

fn weights_of(actions: &[ElbAction]) -> Vec<(String, i32)> {
    actions
        .iter()
        .find_map(|a| a.forward_config())
        .map(|f| {
            f.target_groups()
                .iter()
                .map(|t| {
                    (
                        t.target_group_arn().unwrap_or_default().to_string(),
                        t.weight().unwrap_or(1),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Pair {
    pub(crate) async fn new(routing: Routing) -> Self {
        let url = moto::url();
        let seed = Seeder::new(&url).await;
        let cluster = moto::unique("dw-pair");
        seed.cluster(&cluster).await;
        let family = format!("{cluster}-search");
        let mut revisions = Vec::new();
        for image in ["example/search:1", "example/search:2"] {
            let group = format!("/ecs/{family}");
            revisions.push(
                seed.task_def(TaskDefSpec {
                    family: &family,
                    container: "app",
                    image,
                    log_group: &group,
                    stream_prefix: "ecs",
                })
                .await,
            );
        }
        let tg_primary = seed.target_group(&moto::unique("tg-p")).await;
        let tg_canary = if routing == Routing::SharedGroup {
            tg_primary.clone()
        } else {
            seed.target_group(&moto::unique("tg-c")).await
        };
        let lb = seed.load_balancer(&moto::unique("alb")).await;
        let split = [(tg_primary.as_str(), 90), (tg_canary.as_str(), 10)];
        let default = match routing {
            Routing::DefaultRule => forward(&split),
            _ => forward(&[(tg_primary.as_str(), 1)]),
        };
        let listener = seed
            .elb
            .create_listener()
            .load_balancer_arn(&lb)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(default)
            .send()
            .await
            .expect("create_listener");
        let listener = listener.listeners()[0]
            .listener_arn()
            .expect("listener arn")
            .to_string();
        let mut rule = None;
        if routing == Routing::Rule {
            let out = seed
                .elb
                .create_rule()
                .listener_arn(&listener)
                .priority(10)
                .conditions(
                    RuleCondition::builder()
                        .field("path-pattern")
                        .values("/search/*")
                        .build(),
                )
                .actions(forward(&split))
                .send()
                .await
                .expect("create_rule");
            rule = out.rules()[0].rule_arn().map(str::to_string);
        }
        let pair = Self {
            seed,
            cluster,
            family,
            tg_primary,
            tg_canary,
            lb,
            listener,
            rule,
        };
        pair.service("search", &revisions[0], 3).await;
        pair.service("search-canary", &revisions[1], 1).await;
        pair
    }

    /// Created with 0 tasks so its one deployment is COMPLETED, then scaled to `desired`.
    async fn service(&self, name: &str, task_def: &str, desired: i32) {
        let tg = if name == "search" {
            &self.tg_primary
        } else {
            &self.tg_canary
        };
        self.seed
            .service_behind(&self.cluster, name, task_def, 0, Some(tg))
            .await;
        self.seed
            .ecs
            .update_service()
            .cluster(&self.cluster)
            .service(name)
            .desired_count(desired)
            .send()
            .await
            .expect("scale");
    }

    /// The weights moto holds for the pair's rule, or the listener's default rule.
    pub(crate) async fn weights_in_moto(&self) -> Vec<(String, i32)> {
        match &self.rule {
            Some(rule) => {
                let out = self
                    .seed
                    .elb
                    .describe_rules()
                    .rule_arns(rule)
                    .send()
                    .await
                    .expect("describe_rules");
                weights_of(out.rules()[0].actions())
            }
            None => {
                let out = self
                    .seed
                    .elb
                    .describe_listeners()
                    .listener_arns(&self.listener)
                    .send()
                    .await
                    .expect("describe_listeners");
                weights_of(out.listeners()[0].default_actions())
            }
        }
    }

    async fn set_weights_behind_its_back(&self, primary: i32, canary: i32) {
        self.seed
            .elb
            .modify_rule()
            .rule_arn(self.rule.as_deref().expect("a rule"))
            .actions(forward(&[
                (self.tg_primary.as_str(), primary),
                (self.tg_canary.as_str(), canary),
            ]))
            .send()
            .await
            .expect("modify_rule behind the console's back");
    }

    pub(crate) async fn in_moto(&self, name: &str) -> aws_sdk_ecs::types::Service {
        let out = self
            .seed
            .ecs
            .describe_services()
            .cluster(&self.cluster)
            .services(name)
            .send()
            .await
            .expect("describe_services");
        out.services()[0].clone()
    }

    pub(crate) async fn revision_in_moto(&self, name: &str) -> String {
        let svc = self.in_moto(name).await;
        let td = svc.task_definition().expect("task definition");
        let rev = td.rsplit(':').next().expect("revision").to_string();
        assert!(td.contains(&self.family), "{td}");
        rev
    }

    pub(crate) fn expected(&self, primary: i32, canary: i32) -> Vec<(String, i32)> {
        vec![
            (self.tg_primary.clone(), primary),
            (self.tg_canary.clone(), canary),
        ]
    }
}

pub(crate) fn context() -> ContextInfo {
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

fn find<'a>(services: &'a [Service], name: &str) -> &'a Service {
    services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no {name} in {services:?}"))
}

/// (phase, service) of each audit record.
fn audit_trail(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("audit json");
            format!(
                "{} {}",
                v["phase"].as_str().unwrap_or_default(),
                v["service"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_moves_the_primary_then_the_rule_weights_then_retires_the_canary() {
    let pair = Pair::new(Routing::Rule).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], vec![counter.interceptor()]).await);
    let services = fleet.services().await.expect("services");
    let search = find(&services, "search");
    assert_eq!(search.routes.len(), 1, "{:?}", search.routes);
    assert_eq!(
        search.routes[0].rule_arn,
        pair.rule.clone().expect("a rule")
    );
    match split(search, find(&services, "search-canary")) {
        Split::Weights(w) => assert_eq!((w.primary, w.canary), (90, 10)),
        other => panic!("not split by weights: {other:?}"),
    }
    assert!(search.is_stable(), "moto must report the primary stable");
    // The weights were read for the pair: target groups, their listeners, the rules.
    for op in ["DescribeTargetGroups", "DescribeListeners", "DescribeRules"] {
        assert!(counter.get(op) > 0, "{op}: {:?}", counter.snapshot());
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));
    let plan = for_verb(Verb::Promote, search, &services, None).expect("a promote plan");
    counter.reset();
    let done = run_action(&fleet, &audit, &plan, &context()).await;
    assert!(done.is_ok(), "{done:?}");

    assert_eq!(pair.revision_in_moto("search").await, "2");
    assert_eq!(pair.weights_in_moto().await, pair.expected(100, 0));
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 0);
    assert_eq!(counter.get("UpdateService"), 2, "{:?}", counter.snapshot());
    assert_eq!(counter.get("ModifyRule"), 1);
    assert_eq!(counter.get("ModifyListener"), 0);
    assert_eq!(
        audit_trail(&path),
        [
            "before search",
            "after search",
            "before search-canary",
            "after search-canary",
            "before search-canary",
            "after search-canary"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_on_the_default_rule_moves_the_weights_through_modify_listener() {
    let pair = Pair::new(Routing::DefaultRule).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], vec![counter.interceptor()]).await);
    let services = fleet.services().await.expect("services");
    let canary = find(&services, "search-canary");
    assert!(
        canary.routes.iter().any(|r| r.is_default),
        "{:?}",
        canary.routes
    );
    let plan = for_verb(Verb::Abort, canary, &services, None).expect("an abort plan");
    assert!(matches!(
        plan.mutation,
        Mutation::Aws(AwsCall::SetWeights {
            is_default: true,
            ..
        })
    ));
    counter.reset();
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(audit_dir.path().join("audit.jsonl"))));
    let done = run_action(&fleet, &audit, &plan, &context()).await;
    assert!(done.is_ok(), "{done:?}");

    assert_eq!(pair.weights_in_moto().await, pair.expected(100, 0));
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 0);
    assert_eq!(
        pair.revision_in_moto("search").await,
        "1",
        "the primary stays"
    );
    assert_eq!(counter.get("ModifyListener"), 1, "{:?}", counter.snapshot());
    assert_eq!(counter.get("ModifyRule"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_changed_since_the_dialog_refuse_the_abort_and_nothing_is_sent() {
    let pair = Pair::new(Routing::Rule).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], vec![counter.interceptor()]).await);
    let services = fleet.services().await.expect("services");
    let plan =
        for_verb(Verb::Abort, find(&services, "search"), &services, None).expect("an abort plan");
    pair.set_weights_behind_its_back(50, 50).await;

    counter.reset();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));
    let err = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(err.contains("listener rule weights"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(pair.weights_in_moto().await, pair.expected(50, 50));
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 1);
    assert_eq!(counter.get("ModifyRule"), 0, "{:?}", counter.snapshot());
    assert_eq!(counter.get("UpdateService"), 0);
    assert_eq!(audit_trail(&path), ["refused search-canary"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_on_one_target_group_promotes_by_tasks_without_touching_the_load_balancer() {
    let pair = Pair::new(Routing::SharedGroup).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], vec![counter.interceptor()]).await);
    let services = fleet.services().await.expect("services");
    let search = find(&services, "search");
    match split(search, find(&services, "search-canary")) {
        Split::Tasks(share) => assert_eq!(share.round(), 25.0, "1 of 4 tasks"),
        other => panic!("not split by tasks: {other:?}"),
    }
    assert_eq!(
        counter.get("DescribeTargetGroups"),
        0,
        "no rule is read for a shared target group"
    );
    let plan = for_verb(Verb::Promote, search, &services, None).expect("a promote plan");
    counter.reset();
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(audit_dir.path().join("audit.jsonl"))));
    let done = run_action(&fleet, &audit, &plan, &context()).await;
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(pair.revision_in_moto("search").await, "2");
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 0);
    assert_eq!(counter.get("ModifyRule") + counter.get("ModifyListener"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_rule_reads_leave_the_split_unknown_and_the_services_load() {
    let pair = Pair::new(Routing::Rule).await;
    let fleet = moto::fleet(
        &moto::url(),
        &[&pair.cluster],
        vec![deny::interceptor("DescribeRules")],
    )
    .await;
    let services = fleet
        .services()
        .await
        .expect("services despite AccessDenied");
    let search = find(&services, "search");
    let why = search.routes_error.clone().expect("the error is kept");
    assert!(why.contains("elasticloadbalancing:DescribeRules"), "{why}");
    match split(search, find(&services, "search-canary")) {
        Split::Unknown(why) => assert!(why.contains("could not be read"), "{why}"),
        other => panic!("{other:?}"),
    }
    let plan = for_verb(Verb::Abort, search, &services, None).expect("an abort plan");
    assert!(plan.then.is_empty(), "no weights step it cannot check");
    assert!(
        plan.changes.iter().any(|c| c.what == "traffic (⚠ unknown)"),
        "{:?}",
        plan.changes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_neither_the_weights_nor_the_scale_down() {
    let pair = Pair::new(Routing::Rule).await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], vec![counter.interceptor()]).await);
    let fleet: Arc<dyn Fleet> = Arc::new(deckwatch::cloud::ReadOnly(fleet));
    let services = fleet.services().await.expect("services");
    let plan =
        for_verb(Verb::Abort, find(&services, "search"), &services, None).expect("an abort plan");
    counter.reset();
    // A place for the audit log: without one every action is refused.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let audit = Arc::new(Audit::new(Some(path.clone())));
    let err = run_action(&fleet, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(audit_trail(&path), vec!["refused search-canary"]);
    for op in ["ModifyRule", "ModifyListener", "UpdateService"] {
        assert_eq!(counter.get(op), 0, "{op}: {:?}", counter.snapshot());
    }
    assert_eq!(pair.weights_in_moto().await, pair.expected(90, 10));
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_that_cannot_be_re_read_at_y_refuse_the_abort() {
    let pair = Pair::new(Routing::Rule).await;
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&pair.cluster], Vec::new()).await);
    let services = fleet.services().await.expect("services");
    let plan =
        for_verb(Verb::Abort, find(&services, "search"), &services, None).expect("an abort plan");
    // By the time `y` is pressed the role may no longer read the rules.
    let counter = CallCounter::default();
    let denied: Arc<dyn Fleet> = Arc::new(
        moto::fleet(
            &moto::url(),
            &[&pair.cluster],
            vec![counter.interceptor(), deny::interceptor("DescribeRules")],
        )
        .await,
    );
    // A place for the audit log: without one every action is refused.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(audit_dir.path().join("audit.jsonl"))));
    let err = run_action(&denied, &audit, &plan, &context())
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("listener rule weights could not be re-read"),
        "{err}"
    );
    assert_eq!(counter.get("ModifyRule") + counter.get("UpdateService"), 0);
    assert_eq!(pair.weights_in_moto().await, pair.expected(90, 10));
}
