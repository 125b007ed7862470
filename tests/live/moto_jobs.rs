//! Jobs against moto: two actions at once on two services, a second one on the same service
//! refused naming the job, `x` on a watch leaving the service as the calls left it, a deploy
//! followed by the revision RegisterTaskDefinition returned until stable, and StopTask sent once
//! with its reason. The keys go through the reducer as in the console; the runner sends the
//! calls to moto through the real SDK client.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_jobs`.

use crate::support::action::runner_says;
use crate::support::counting::CallCounter;
use crate::support::keys::{key, select};
use crate::support::testkit::{EPOCH, StateBuilder};
use crate::support::{moto, seed};
use deckwatch::cloud::Fleet;
use deckwatch::model::{ActionPlan, ContextInfo, ServiceKey};
use deckwatch::state::actions::progress::Phase;
use deckwatch::state::jobs::JobId;
use deckwatch::state::table::Prepared;
use deckwatch::state::{Effect, Mode, Msg, State, update};
use deckwatch::workers::audit::Audit;
use seed::{Seeder, TaskDefSpec};
use std::sync::Arc;

struct World {
    seed: Seeder,
    cluster: String,
    td: String,
    fleet: Arc<dyn Fleet>,
    counter: CallCounter,
    audit: Arc<Audit>,
    _dir: tempfile::TempDir,
}

/// A cluster with `web` and `api` on one task definition, created with 0 tasks so that moto
/// reports their deployments COMPLETED.
async fn world(prefix: &str) -> World {
    let seed = Seeder::new(&moto::url()).await;
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = format!("{cluster}-app");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "example/app:1",
            log_group: &format!("/ecs/{family}"),
            stream_prefix: "ecs",
        })
        .await;
    for name in ["web", "api"] {
        seed.service(&cluster, name, &td, 0).await;
    }
    let counter = CallCounter::default();
    let fleet: Arc<dyn Fleet> =
        Arc::new(moto::fleet(&moto::url(), &[&cluster], vec![counter.interceptor()]).await);
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    World {
        seed,
        cluster,
        td,
        fleet,
        counter,
        audit,
        _dir: dir,
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

/// The console's state, its services read from moto.
async fn console(w: &World) -> State {
    let mut s = StateBuilder::demo(EPOCH).context(moto_context()).build();
    let _ = update(&mut s, Msg::Resize(160, 40));
    refresh(w, &mut s).await;
    s
}

async fn refresh(w: &World, s: &mut State) {
    let services = w.fleet.services().await.expect("services");
    let now = s.now;
    let _ = update(s, Msg::Services(Prepared::from(services), now));
}

fn run_effect(fx: &[Effect]) -> Option<(ActionPlan, ContextInfo, JobId)> {
    fx.iter().find_map(|e| match e {
        Effect::Run(plan, ctx, job) => Some(((**plan).clone(), ctx.clone(), *job)),
        _ => None,
    })
}

/// `F` then `y` on `name`: the job's plan, context and number.
fn force(s: &mut State, name: &str) -> (ActionPlan, ContextInfo, JobId) {
    select(s, name);
    key(s, 'F');
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    run_effect(&key(s, 'y')).expect("the job starts")
}

/// The runner on the job, its messages handed to the reducer.
async fn run(w: &World, s: &mut State, started: (ActionPlan, ContextInfo, JobId)) {
    for m in runner_says(&w.fleet, &w.audit, started).await {
        let _ = update(s, m);
    }
}

fn job_phase(s: &State, job: JobId) -> Phase {
    s.ctx.jobs.get(job).expect("the job").progress.phase.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_jobs_at_once_on_two_services_and_a_second_on_the_same_is_refused() {
    let w = world("jobs-two").await;
    let mut s = console(&w).await;
    let web = force(&mut s, "web");
    let api = force(&mut s, "api");
    assert_eq!(s.ctx.jobs.running_count(), 2, "both run at once");
    // web again: refused, naming the job that acts on it; nothing is planned.
    select(&mut s, "web");
    let fx = key(&mut s, 'F');
    assert!(run_effect(&fx).is_none());
    assert_eq!(s.mode, Mode::Normal);
    let flash = s.flash.clone().unwrap().0;
    assert!(
        flash.contains(&format!("refused; job {} (force a new deployment", web.2)),
        "{flash}"
    );
    // Both runners at once against moto; each answer goes to its own job.
    let jobs = [web.2, api.2];
    let (a, b) = tokio::join!(
        runner_says(&w.fleet, &w.audit, web),
        runner_says(&w.fleet, &w.audit, api)
    );
    for m in a.into_iter().chain(b) {
        let _ = update(&mut s, m);
    }
    assert_eq!(
        w.counter.get("UpdateService"),
        2,
        "{:?}",
        w.counter.snapshot()
    );
    for job in jobs {
        let j = s.ctx.jobs.get(job).unwrap();
        assert!(
            j.outcome.as_deref().is_some_and(|o| o.contains("sent")),
            "{:?}",
            j.outcome
        );
        assert!(
            !matches!(j.progress.phase, Phase::Sending | Phase::Failed { .. }),
            "{:?}",
            j.progress.phase
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_on_a_watch_stops_watching_and_leaves_the_service_as_the_call_left_it() {
    let w = world("jobs-x").await;
    let mut s = console(&w).await;
    let started = force(&mut s, "web");
    let job = started.2;
    run(&w, &mut s, started).await;
    // Sent; the watch waits for the next refresh.
    assert!(matches!(job_phase(&s, job), Phase::Waiting { .. }));
    let before = w.counter.snapshot();
    let described = |w: &World| {
        let (ecs, cluster) = (w.seed.ecs.clone(), w.cluster.clone());
        async move {
            let out = ecs
                .describe_services()
                .cluster(&cluster)
                .services("web")
                .send()
                .await
                .unwrap();
            let s = out.services()[0].clone();
            (
                s.task_definition().map(str::to_string),
                s.desired_count(),
                s.deployments()
                    .iter()
                    .map(|d| d.id().unwrap_or_default().to_string())
                    .collect::<Vec<_>>(),
            )
        }
    };
    let after_call = described(&w).await;
    // `x` on the job's service: the dialog, then y.
    select(&mut s, "web");
    let fx = key(&mut s, 'x');
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(s.mode, Mode::StopWatching(job), "{:?}", s.flash);
    let fx = key(&mut s, 'y');
    assert!(run_effect(&fx).is_none(), "stopping a watch sends nothing");
    assert!(matches!(job_phase(&s, job), Phase::Unwatched { .. }));
    assert!(
        s.flash.clone().unwrap().0.contains("nothing was undone"),
        "{:?}",
        s.flash
    );
    // No mutating call since, and moto's service is as the call left it.
    let after = w.counter.snapshot();
    for op in ["UpdateService", "StopTask", "ContinueServiceDeployment"] {
        assert_eq!(before.get(op), after.get(op), "{op}");
    }
    assert_eq!(described(&w).await, after_call);
    assert_eq!(s.ctx.jobs.running_count(), 0, "web is free again");
    // A refresh does not bring the watch back.
    refresh(&w, &mut s).await;
    assert!(matches!(job_phase(&s, job), Phase::Unwatched { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_job_follows_the_arn_register_returned_to_stable() {
    let w = world("jobs-deploy").await;
    let mut s = console(&w).await;
    let web = s
        .ctx
        .services
        .items
        .iter()
        .find(|x| x.name == "web")
        .unwrap()
        .clone();
    let image = deckwatch::model::Image {
        repository: "example/app".into(),
        digest: format!("sha256:{}", "b".repeat(64)),
        tags: vec!["v2".into()],
        pushed_at: EPOCH,
        size_bytes: 1000,
        findings: None,
        used_by: Vec::new(),
    };
    let plan = deckwatch::state::builds::plan::deploy(&web, &image, &[]).unwrap();
    // Another revision of the family is registered after the dialog was planned.
    let between = w
        .seed
        .ecs
        .register_task_definition()
        .family(&web.task_def.family)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("example/app:other")
                .memory(512)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let between = between.task_definition().unwrap().revision();
    assert_eq!(between as u32, web.task_def.revision + 1);
    s.open_confirm(plan);
    let started = run_effect(&key(&mut s, 'y')).expect("the deploy starts");
    let job = started.2;
    run(&w, &mut s, started).await;
    let registered = s.ctx.jobs.get(job).unwrap().registered.clone();
    let registered = registered.expect("the job knows the revision registered");
    assert_eq!(
        registered.revision,
        between as u32 + 1,
        "not the one planned"
    );
    assert!(matches!(job_phase(&s, job), Phase::Waiting { .. }));
    refresh(&w, &mut s).await;
    assert!(
        matches!(job_phase(&s, job), Phase::Stable { .. }),
        "{:?}",
        job_phase(&s, job)
    );
    let _ = &w.td;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_task_is_sent_once_with_a_reason_naming_deckwatch_and_the_user() {
    let w = world("jobs-stop").await;
    w.seed.run_tasks(&w.cluster, &w.td, "web", 2).await;
    let mut s = console(&w).await;
    let key_web = ServiceKey {
        cluster: w.cluster.clone(),
        name: "web".into(),
    };
    let tasks = w.fleet.tasks(Some(&key_web)).await.unwrap();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    let now = s.now;
    let _ = update(&mut s, Msg::Tasks(None, tasks.clone(), now));
    key(&mut s, '2');
    key(&mut s, 'g');
    let task = s.ctx.tasks.selected_item().unwrap().clone();
    let fx = key(&mut s, 'K');
    assert!(fx.is_empty());
    let Mode::Confirm(plan, _) = &s.mode else {
        panic!("{:?} {:?}", s.mode, s.flash);
    };
    let said: Vec<String> = plan
        .changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.what, c.from, c.to))
        .collect();
    assert!(said[0].contains(&task.id[..8]), "{said:?}");
    assert!(said[0].contains(&task.task_def.to_string()), "{said:?}");
    assert!(
        said[1].contains("ECS starts a replacement") || said[1].contains("wants 0"),
        "{said:?}"
    );
    let started = run_effect(&key(&mut s, 'y')).expect("the job starts");
    run(&w, &mut s, started).await;
    assert_eq!(w.counter.get("StopTask"), 1, "{:?}", w.counter.snapshot());
    let out = w
        .seed
        .ecs
        .describe_tasks()
        .cluster(&w.cluster)
        .tasks(&task.arn)
        .send()
        .await
        .unwrap();
    let t = &out.tasks()[0];
    assert_eq!(t.stopped_reason(), Some("deckwatch: stopped by oncall"));
    assert_eq!(t.last_status(), Some("STOPPED"));
}
