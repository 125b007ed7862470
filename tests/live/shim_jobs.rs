//! Two jobs at once on the shim in front of moto: a rolling rollback (`R`) is being watched on
//! one service while a promote (`P`) of a native CANARY deployment paused at its hook is
//! accepted and run on another service of the same cluster. The keys go through the reducer as
//! in the console; the runners send their calls through the real SDK client to the shim, which
//! counts what each service received. moto never moves a rolling deployment, so the test moves
//! it through the shim (`shim::rolling`), as ECS would after the rollback's UpdateService.
//!
//! Then the rollback watched with its context off screen (`:ctx` away): the loop's job
//! watchers read that service (one DescribeServices naming it a read) until the job ends
//! stable there.
//!
//! Run with `scripts/test.sh --test live shim_jobs`.

use crate::support::action::runner_says;
use crate::support::counting::CallCounter;
use crate::support::keys::{key, select};
use crate::support::shim::rolling::{Step, overlay};
use crate::support::shim::seeded::{self, Canary};
use crate::support::shim::{Call, Shim};
use crate::support::testkit::{EPOCH, StateBuilder};
use crate::support::{moto, seed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::app::job_watchers::JobWatchers;
use deckwatch::cloud::Fleet;
use deckwatch::model::{ActionPlan, At, ContextInfo};
use deckwatch::state::actions::progress::Phase;
use deckwatch::state::jobs::JobId;
use deckwatch::state::table::Prepared;
use deckwatch::state::{ContextChoice, Effect, Mode, Msg, State, update};
use deckwatch::workers::audit::Audit;
use serde_json::json;
use std::sync::Arc;

/// The operations that change something: every one the shim sees must belong to one job.
const MUTATING: [&str; 6] = [
    "UpdateService",
    "ContinueServiceDeployment",
    "StopServiceDeployment",
    "StopTask",
    "CreateService",
    "DeleteService",
];

/// The canary's cluster, with a second service `billing` rolling from revision 1 to 2 of a
/// family of its own.
struct World {
    canary: Canary,
    billing_arn: String,
    billing_revisions: Vec<String>,
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let canary = Canary::new(&moto::url(), "jobs-shim", true).await;
    let family = format!("{}-billing", canary.cluster);
    let group = format!("/ecs/{family}");
    let mut billing_revisions = Vec::new();
    for image in ["example/billing:1", "example/billing:2"] {
        let spec = seed::TaskDefSpec {
            family: &family,
            container: "app",
            image,
            log_group: &group,
            stream_prefix: "ecs",
        };
        billing_revisions.push(canary.seed.task_def(spec).await);
    }
    let billing_arn = canary
        .seed
        .service(&canary.cluster, "billing", &billing_revisions[1], 2)
        .await;
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> = Arc::new(
        moto::fleet(
            &canary.shim.url(),
            &[&canary.cluster],
            vec![counter.interceptor()],
        )
        .await,
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    World {
        canary,
        billing_arn,
        billing_revisions,
        fleet,
        audit,
        _dir: dir,
    }
}

impl World {
    fn shim(&self) -> &Shim {
        &self.canary.shim
    }

    /// What DescribeServices says of billing's deployments: `steps` as (id, primary,
    /// revision, running, rollout state), each of 2 desired tasks.
    fn billing(&self, steps: &[(&str, bool, usize, u32, &str)], running: u32) {
        let steps: Vec<Step<'_>> = steps
            .iter()
            .map(|&(id, primary, rev, running, state)| Step {
                id,
                status: if primary { "PRIMARY" } else { "ACTIVE" },
                task_def_arn: &self.billing_revisions[rev - 1],
                desired: 2,
                running,
                rollout_state: state,
                reason: "",
                failed_tasks: 0,
            })
            .collect();
        let shim = self.shim();
        shim.rolling(&self.billing_arn, overlay(&steps, running, shim.now()));
    }
}

fn moto_context() -> ContextInfo {
    ContextInfo {
        name: "moto".into(),
        account: moto::ACCOUNT.into(),
        region: moto::REGION.into(),
        caller_arn: format!("arn:aws:iam::{}:user/oncall", moto::ACCOUNT),
        ..Default::default()
    }
}

/// A refresh as the services poller asks it, which leaves the backend knowing every row.
async fn refresh(w: &World, s: &mut State) {
    let ask = deckwatch::cloud::ServicesAsk::everything();
    let listing = w.fleet.services_refresh(&ask, &|_, _, _| {}).await;
    let services = listing.expect("services").lenient().expect("every cluster");
    let now = s.now;
    let _ = update(s, Msg::Services(Prepared::from(services), now));
}

/// `verb` then `y` on `name`: the job's plan, context and number.
fn act(s: &mut State, name: &str, verb: char) -> (ActionPlan, ContextInfo, JobId) {
    select(s, name);
    key(s, verb);
    let Mode::Confirm(plan, _) = &s.mode else {
        panic!("{verb} on {name}: no dialog: {:?}", s.flash);
    };
    assert_eq!(plan.early, None, "{verb} on {name}");
    key(s, 'y')
        .into_iter()
        .find_map(|e| match e {
            Effect::Run(plan, ctx, job) => Some((*plan, ctx, job)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{verb} on {name} did not start: {:?}", s.flash))
}

/// The runner on the job, its messages handed to the reducer.
async fn run(w: &World, s: &mut State, started: (ActionPlan, ContextInfo, JobId)) {
    for m in runner_says(&w.fleet, &w.audit, started).await {
        let _ = update(s, m);
    }
}

fn phase(s: &State, job: JobId) -> Phase {
    s.ctx.jobs.get(job).expect("the job").progress.phase.clone()
}

/// The mutating requests the shim received, in order.
fn mutations(shim: &Shim) -> Vec<Call> {
    shim.calls()
        .into_iter()
        .filter(|c| MUTATING.contains(&c.operation.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promote_runs_while_a_rolling_rollback_is_watched_on_another_service() {
    let w = world().await;
    // billing: revision 2 rolling out over revision 1, which had completed.
    w.billing(
        &[
            ("ecs-svc/2", true, 2, 1, "IN_PROGRESS"),
            ("ecs-svc/1", false, 1, 1, "COMPLETED"),
        ],
        2,
    );
    // The canary has soaked past its bake: a promote now is not early.
    w.shim()
        .skip((seeded::CANARY_BAKE_MINUTES * 60 + 60) as f64);
    let mut s = StateBuilder::demo(EPOCH).context(moto_context()).build();
    let _ = update(&mut s, Msg::Tick(At((w.shim().now() * 1000.0) as i64)));
    let _ = update(&mut s, Msg::Resize(160, 40));
    refresh(&w, &mut s).await;

    // R on billing: back to revision 1, sent, then watched.
    let rollback = act(&mut s, "billing", 'R');
    let rollback_job = rollback.2;
    run(&w, &mut s, rollback).await;
    assert!(
        matches!(phase(&s, rollback_job), Phase::Waiting { .. }),
        "{:?}",
        phase(&s, rollback_job)
    );
    // ECS starts the rollback's deployment; the watch goes on.
    w.billing(
        &[
            ("ecs-svc/3", true, 1, 1, "IN_PROGRESS"),
            ("ecs-svc/2", false, 2, 1, "IN_PROGRESS"),
        ],
        2,
    );
    refresh(&w, &mut s).await;
    assert!(matches!(phase(&s, rollback_job), Phase::Waiting { .. }));

    // P on the canary meanwhile: accepted, not refused, and run.
    let hook = w.canary.waiting_hook();
    let promote = act(&mut s, &w.canary.service, 'P');
    let promote_job = promote.2;
    assert_ne!(promote_job, rollback_job);
    assert_eq!(s.ctx.jobs.running_count(), 2, "both jobs at work");
    run(&w, &mut s, promote).await;
    let promoted = s.ctx.jobs.get(promote_job).unwrap();
    assert!(
        matches!(promoted.progress.phase, Phase::Sent { .. }),
        "{:?} {:?}",
        promoted.progress.phase,
        promoted.outcome
    );
    assert!(
        matches!(phase(&s, rollback_job), Phase::Waiting { .. }),
        "the rollback is still watched"
    );

    // The rollback's deployment completes: its watch ends stable.
    w.billing(&[("ecs-svc/3", true, 1, 2, "COMPLETED")], 2);
    refresh(&w, &mut s).await;
    assert!(
        matches!(phase(&s, rollback_job), Phase::Stable { .. }),
        "{:?}",
        phase(&s, rollback_job)
    );
    assert!(matches!(phase(&s, promote_job), Phase::Sent { .. }));
    assert_eq!(s.ctx.jobs.running_count(), 0);

    // Each service received exactly its own job's call, once.
    let sent = mutations(w.shim());
    assert_eq!(sent.len(), 2, "{sent:#?}");
    let update = sent
        .iter()
        .find(|c| c.operation == "UpdateService")
        .expect("the rollback's UpdateService");
    assert_eq!(
        update.body["service"],
        json!("billing"),
        "{:?}",
        update.body
    );
    assert_eq!(
        update.body["taskDefinition"]
            .as_str()
            .map(Canary::revision_of),
        Some(Canary::revision_of(&w.billing_revisions[0])),
        "{:?}",
        update.body
    );
    let promote = sent
        .iter()
        .find(|c| c.operation == "ContinueServiceDeployment")
        .expect("the promote's ContinueServiceDeployment");
    assert_eq!(
        promote.body,
        json!({
            "serviceDeploymentArn": w.canary.deployment,
            "hookId": hook,
            "action": "CONTINUE"
        })
    );
    // The canary moved on; the rollback touched nothing of it.
    let d = w.shim().deployment(&w.canary.deployment);
    assert_eq!(d.status, "IN_PROGRESS");
    assert!(d.waiting_hook().is_none(), "the hook was answered");
}

/// `:ctx NAME` typed in the palette.
fn palette(s: &mut State, line: &str) -> Vec<Effect> {
    key(s, ':');
    for c in line.chars() {
        key(s, c);
    }
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    )
}

/// The job watches the reducer asks of the loop, carried out.
fn carry_out(watchers: &mut JobWatchers, fx: &[Effect]) {
    for e in fx {
        if let Effect::WatchJobs(w) = e {
            watchers.apply(w.clone());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_watched_off_screen_reads_its_service_until_stable() {
    let w = world().await;
    w.billing(
        &[
            ("ecs-svc/2", true, 2, 1, "IN_PROGRESS"),
            ("ecs-svc/1", false, 1, 1, "COMPLETED"),
        ],
        2,
    );
    let mut s = StateBuilder::demo(EPOCH).context(moto_context()).build();
    s.contexts.choices.list = ["moto", "elsewhere"]
        .map(|name| ContextChoice {
            name: name.into(),
            ..ContextChoice::default()
        })
        .to_vec();
    let _ = update(&mut s, Msg::Resize(160, 40));
    refresh(&w, &mut s).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let mut watchers = JobWatchers::new(std::time::Duration::from_millis(200), tx);

    // R on billing, sent on the fleet the watchers keep for it, as the loop does.
    select(&mut s, "billing");
    key(&mut s, 'R');
    let fx = key(&mut s, 'y');
    let started = fx
        .iter()
        .find_map(|e| match e {
            Effect::Run(plan, ctx, job) => Some(((**plan).clone(), ctx.clone(), *job)),
            _ => None,
        })
        .expect("the rollback starts");
    let job = started.2;
    watchers.ran(job, w.fleet.clone());
    carry_out(&mut watchers, &fx);
    run(&w, &mut s, started).await;
    assert!(matches!(phase(&s, job), Phase::Waiting { .. }));

    // Away: the loop reads billing alone for the job.
    let before = w.shim().calls().len();
    let fx = palette(&mut s, "ctx elsewhere");
    assert_eq!(s.ctx.info.name, "elsewhere");
    carry_out(&mut watchers, &fx);
    assert_eq!(watchers.polled().count(), 1);
    let first = rx.recv().await.expect("the watch's first read");
    let Msg::JobWatched(read) = &first else {
        panic!("{first:?}");
    };
    assert_eq!(read.job, job);
    assert_eq!(read.read.as_ref().map(Vec::len), Ok(1), "billing alone");
    let _ = update(&mut s, first);
    let mut reads = 1;

    // ECS completes the rollback; the next read ends the job, off screen.
    w.billing(&[("ecs-svc/3", true, 1, 2, "COMPLETED")], 2);
    let stable = |s: &State| {
        s.contexts
            .kept_contexts()
            .find_map(|c| c.jobs.get(job))
            .is_some_and(|j| matches!(j.progress.phase, Phase::Stable { .. }))
    };
    // A bound on the reads, not on the time: the first read after the change ends it.
    for _ in 0..100 {
        if stable(&s) {
            break;
        }
        let m = rx.recv().await.expect("the watch reads on");
        reads += 1;
        let fx = update(&mut s, m);
        carry_out(&mut watchers, &fx);
    }
    assert!(
        stable(&s),
        "{:?}",
        s.contexts.kept_contexts().find_map(|c| c.jobs.get(job))
    );
    assert_eq!(
        watchers.polled().count(),
        0,
        "the watch ended: its poll stopped"
    );

    // One DescribeServices a read, each naming billing (ECS describes up to 10 services a
    // call, so the backend fills the batch with the rows it read longest ago).
    let asked: Vec<Call> = w.shim().calls()[before..]
        .iter()
        .filter(|c| c.operation == "DescribeServices")
        .cloned()
        .collect();
    // (A read cut off by the poll's stop may have asked without answering.)
    while rx.try_recv().is_ok() {
        reads += 1;
    }
    assert!(
        (reads..=reads + 1).contains(&asked.len()),
        "{reads} reads: {asked:#?}"
    );
    for c in &asked {
        let named: Vec<&str> = c.body["services"]
            .as_array()
            .expect("services named")
            .iter()
            .filter_map(|v| v.as_str())
            .map(|n| n.rsplit('/').next().unwrap_or(n))
            .collect();
        assert_eq!(named.first(), Some(&"billing"), "{:?}", c.body);
        assert!(named.len() <= 10, "{:?}", c.body);
    }
    assert!(mutations(w.shim()).len() == 1, "only the rollback's call");
}
