//! The demo's builds over simulated time, through the reducer and the runner: `B` → `y` → the
//! run completes → its image appears → `D` → `y` → the rollout completes. Read-only refuses.
//! With `[github] deployments = true` the deploy's dialog lists the commits behind it and the
//! GitHub Deployment it records, and the runner sends `success` only once the service is stable.

use crate::support::testkit::{Feed, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::ci::{Ci, ReadOnlyCi};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::demo::ci::SimCi;
use deckwatch::model::At;
use deckwatch::model::{AwsCall, Conclusion, Mutation, RunStatus, Verb};
use deckwatch::state::actions::progress::Phase;
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::advance;

use crate::support::testkit::EPOCH;

fn key(s: &mut State, c: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

struct World {
    fleet: Arc<SimFleet>,
    ci: Arc<dyn Ci>,
    audit: Arc<Audit>,
    state: State,
    _dir: tempfile::TempDir,
}

impl World {
    fn new(read_only: bool) -> Self {
        let fleet = Arc::new(SimFleet::new(EPOCH));
        let sim: Arc<dyn Ci> = Arc::new(SimCi::new(fleet.clone()));
        let ci: Arc<dyn Ci> = if read_only {
            Arc::new(ReadOnlyCi(sim))
        } else {
            sim
        };
        let dir = tempfile::tempdir().unwrap();
        let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
        let state = StateBuilder::demo(EPOCH).with_services().build();
        Self {
            fleet,
            ci,
            audit,
            state,
            _dir: dir,
        }
    }

    fn now(&self) -> At {
        self.fleet.with_world(|w| w.now)
    }

    /// What the pollers would deliver now.
    async fn poll(&mut self) {
        let now = self.now();
        let services = self.fleet.services().await.unwrap();
        let _ = update(&mut self.state, Msg::Tick(now));
        Feed::following(&self.state).services(&mut self.state, services, now);
        let _ = update(
            &mut self.state,
            Msg::Images(self.fleet.images().await.unwrap(), now),
        );
        let workflows = self.state.builds.workflows(&self.state.ctx.services.items);
        let mut runs = Vec::new();
        for w in &workflows {
            runs.extend(self.ci.runs(w).await.unwrap());
        }
        let _ = update(&mut self.state, Msg::Runs(workflows, runs, now));
    }

    /// Carries out the effects as the loop would: inputs read, actions run to their end.
    async fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::LoadInputs(w, r) => {
                    let got = self.ci.inputs(&w, &r).await;
                    let _ = update(&mut self.state, Msg::BuildInputs(w, r, got));
                }
                Effect::Compare(q) => {
                    let got = self.ci.compare(&q).await;
                    let _ = update(&mut self.state, Msg::Compared(q, got));
                }
                Effect::Run(plan, ctx, job) => {
                    let (tx, mut rx) = mpsc::channel(8);
                    let f: Arc<dyn Fleet> = self.fleet.clone();
                    runner::run(f, self.ci.clone(), self.audit.clone(), *plan, ctx, job, tx).await;
                    while let Ok(m) = rx.try_recv() {
                        let _ = update(&mut self.state, m);
                    }
                }
                _ => {}
            }
        }
    }

    async fn press(&mut self, c: KeyCode) {
        let fx = key(&mut self.state, c);
        self.apply(fx).await;
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self._dir.path().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

#[tokio::test(start_paused = true)]
async fn build_then_deploy_its_image_on_the_demo() {
    let mut w = World::new(false);
    advance(Duration::from_secs(2)).await;
    w.poll().await;
    // prod-core/api is the first service; B opens its build dialog with the workflow's inputs.
    assert_eq!(w.state.ctx.selected_service().unwrap().name, "api");
    w.press(KeyCode::Char('B')).await;
    let Mode::Build(form) = &w.state.mode else {
        panic!("{:?}", w.state.mode)
    };
    assert_eq!(form.source.workflow.repo, "acme/api");
    assert_eq!(form.values().len(), 3, "the demo workflow's three inputs");
    w.press(KeyCode::Char('y')).await;
    assert_eq!(w.state.mode, Mode::Normal);
    let p = w.state.ctx.jobs.newest().unwrap().progress.clone();
    assert_eq!(p.verb, Verb::Build);
    assert!(matches!(p.phase, Phase::Sent { .. }), "{:?}", p.phase);
    let (_, id) = w
        .state
        .builds
        .mine
        .first()
        .cloned()
        .expect("the run is followed");

    // queued, then in progress with its jobs moving, then a success that pushed an image.
    w.poll().await;
    let run = |w: &World| {
        w.state
            .builds
            .runs
            .items
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(run(&w).status, RunStatus::Queued);
    advance(Duration::from_secs(20)).await;
    w.poll().await;
    assert_eq!(run(&w).status, RunStatus::InProgress);
    let sha = run(&w).head_sha.clone();
    assert!(
        !w.state
            .ctx
            .images
            .items
            .iter()
            .any(|i| i.tags.contains(&sha))
    );
    advance(Duration::from_secs(40)).await;
    w.poll().await;
    assert_eq!(run(&w).conclusion, Some(Conclusion::Success));
    assert!(
        w.state.builds.mine.is_empty(),
        "a finished run is no longer followed"
    );
    let image = w
        .state
        .ctx
        .images
        .items
        .iter()
        .find(|i| i.tags.contains(&sha))
        .cloned();
    let image = image.expect("the build pushed its image");
    assert_eq!(image.repository, "api");

    // D on the run: RegisterTaskDefinition pinned to the digest, then UpdateService.
    w.press(KeyCode::Char('6')).await;
    assert_eq!(w.state.ctx.pane, Pane::Builds);
    let at = w
        .state
        .builds
        .runs
        .view
        .iter()
        .position(|&i| w.state.builds.runs.items[i].id == id);
    w.state.builds.runs.selected = at.unwrap();
    w.press(KeyCode::Char('D')).await;
    let Mode::Confirm(plan, _) = &w.state.mode else {
        panic!("{:?}", w.state.mode)
    };
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::RegisterTaskDefinition {
            from: "api:118".parse_td(),
            repository: "api".into(),
            digest: image.digest.clone(),
        })
    );
    assert!(
        plan.then[0]
            .mutation
            .to_string()
            .contains("the new revision of api that RegisterTaskDefinition returns"),
        "{}",
        plan.then[0].mutation
    );
    assert!(
        plan.changes
            .iter()
            .any(|c| c.to == "registers a new revision of api from api:118"),
        "{:?}",
        plan.changes
    );
    w.press(KeyCode::Char('y')).await;
    assert_eq!(
        w.state.ctx.jobs.newest().unwrap().registered,
        Some("api:119".parse_td()),
        "the job follows the revision RegisterTaskDefinition returned: {:?}",
        w.state.ctx.jobs.newest()
    );
    let done = w.state.ctx.jobs.newest().unwrap().progress.clone();
    assert_eq!(done.verb, Verb::Deploy);
    assert!(
        matches!(done.phase, Phase::Waiting { .. }),
        "{:?}",
        done.phase
    );

    // The rollout plays out: api runs revision 119, on the built image.
    let mut stable = false;
    for _ in 0..30 {
        advance(Duration::from_secs(5)).await;
        w.poll().await;
        stable |= matches!(
            w.state.ctx.jobs.newest().map(|j| &j.progress.phase),
            Some(Phase::Stable { .. })
        );
        if stable {
            break;
        }
    }
    assert!(stable, "the activity line ends with stable");
    let api = w
        .state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "api" && s.cluster == "prod-core")
        .unwrap();
    assert_eq!(api.task_def.to_string(), "api:119");
    assert_eq!(api.image_tag, sha[..7]);
    assert!(api.is_stable(), "{api:?}");
    let audit = w.audit();
    let calls: Vec<&str> = audit.iter().map(|r| r["call"].as_str().unwrap()).collect();
    assert!(calls[0].starts_with("POST /repos/acme/api/actions/workflows/build.yml/dispatches"));
    assert_eq!(audit[0]["outcome"]["github_login"], "demo");
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("ecs:RegisterTaskDefinition"))
    );
    assert!(
        calls
            .last()
            .unwrap()
            .starts_with("ecs:UpdateService(taskDefinition=api:119")
    );
}

#[tokio::test(start_paused = true)]
async fn the_failed_run_shows_its_log_and_reruns() {
    let mut w = World::new(false);
    advance(Duration::from_secs(2)).await;
    w.poll().await;
    let failed = w
        .state
        .builds
        .runs
        .items
        .iter()
        .find(|r| r.conclusion == Some(Conclusion::Failure))
        .cloned()
        .expect("the demo has a failed run");
    assert_eq!(failed.workflow.repo, "acme/payments");
    let jobs = w.ci.jobs(&failed.workflow.repo, failed.id).await.unwrap();
    let job = jobs.iter().find(|j| j.failed()).unwrap();
    assert_eq!(job.failed_step().unwrap().name, "Run tests");
    let log =
        w.ci.log_tail(&failed.workflow.repo, job.id, 40)
            .await
            .unwrap();
    assert!(log.iter().any(|l| l.contains("##[error]")), "{log:?}");

    w.press(KeyCode::Char('6')).await;
    let at = w
        .state
        .builds
        .runs
        .view
        .iter()
        .position(|&i| w.state.builds.runs.items[i].id == failed.id);
    w.state.builds.runs.selected = at.unwrap();
    w.press(KeyCode::Char('X')).await;
    assert_eq!(
        w.state.mode,
        Mode::Normal,
        "a finished run cannot be cancelled"
    );
    w.press(KeyCode::Char('T')).await;
    let Mode::Confirm(plan, _) = &w.state.mode else {
        panic!("{:?}", w.state.mode)
    };
    assert_eq!(plan.verb, Verb::Rerun);
    w.press(KeyCode::Char('y')).await;
    advance(Duration::from_secs(60)).await;
    w.poll().await;
    let again = w
        .state
        .builds
        .runs
        .items
        .iter()
        .find(|r| r.id == failed.id)
        .unwrap();
    assert_eq!(
        (again.attempt, again.conclusion.clone()),
        (2, Some(Conclusion::Success))
    );
}

#[tokio::test(start_paused = true)]
async fn read_only_sends_no_post_and_says_so() {
    let mut w = World::new(true);
    advance(Duration::from_secs(2)).await;
    w.poll().await;
    let before = w.fleet.with_world(|x| x.builds.runs.len());
    // The plan is made as if the keys allowed it; the lowest layer refuses it.
    let api = w.state.ctx.services.items[0].clone();
    let form_plan = deckwatch::state::builds::plan::cancel(&api, &{
        let mut r = w.state.builds.runs.items[0].clone();
        r.status = RunStatus::InProgress;
        r
    })
    .unwrap();
    let Mutation::GitHub(call) = &form_plan.mutation else {
        panic!("a cancel is a GitHub call: {}", form_plan.mutation);
    };
    let got = w.ci.act(call, At(0)).await;
    assert!(got.unwrap_err().message.contains("read-only"));
    w.apply(vec![Effect::Run(
        Box::new(form_plan),
        Default::default(),
        0,
    )])
    .await;
    assert_eq!(w.fleet.with_world(|x| x.builds.runs.len()), before);
    assert_eq!(w.audit()[0]["phase"], "refused");
}

trait ParseTd {
    fn parse_td(&self) -> deckwatch::model::TaskDefRef;
}

impl ParseTd for &str {
    fn parse_td(&self) -> deckwatch::model::TaskDefRef {
        let (f, r) = self.split_once(':').unwrap();
        deckwatch::model::TaskDefRef {
            family: f.into(),
            revision: r.parse().unwrap(),
        }
    }
}

/// `B`, `y`, and the run followed until its image is in ECR; the run's id and commit.
async fn build_an_image(w: &mut World) -> (u64, String) {
    advance(Duration::from_secs(2)).await;
    w.poll().await;
    w.press(KeyCode::Char('B')).await;
    w.press(KeyCode::Char('y')).await;
    let (_, id) = w.state.builds.mine.first().cloned().expect("the run");
    for _ in 0..12 {
        advance(Duration::from_secs(10)).await;
        w.poll().await;
    }
    let run = w.state.builds.runs.items.iter().find(|r| r.id == id);
    let sha = run.expect("the run is listed").head_sha.clone();
    assert!(
        w.state
            .ctx
            .images
            .items
            .iter()
            .any(|i| i.tags.contains(&sha))
    );
    (id, sha)
}

fn screen(state: &State, w: u16, h: u16) -> String {
    let theme = crate::support::screen::dark();
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, state, &theme);
    })
    .unwrap();
    crate::support::screen::screen(t.backend().buffer())
}

#[tokio::test(start_paused = true)]
async fn a_deploy_of_a_built_image_lists_its_commits_and_records_itself_on_github() {
    let mut w = World::new(false);
    w.state.github_deployments = true;
    let (id, sha) = build_an_image(&mut w).await;
    w.press(KeyCode::Char('6')).await;
    let at = w.state.builds.runs.view.iter();
    let at = at
        .clone()
        .position(|&i| w.state.builds.runs.items[i].id == id);
    w.state.builds.runs.selected = at.unwrap();
    w.press(KeyCode::Char('D')).await;
    let Mode::Confirm(plan, _) = &w.state.mode else {
        panic!("{:?}", w.state.mode)
    };
    let plan = (**plan).clone();
    // RegisterTaskDefinition, UpdateService, then the record: created, in progress, and success
    // once the service is stable.
    let record: Vec<String> = plan.then[1..]
        .iter()
        .map(|f| f.mutation.to_string())
        .collect();
    assert_eq!(record.len(), 3, "{record:?}");
    assert!(
        record[0].starts_with("POST /repos/acme/api/deployments"),
        "{record:?}"
    );
    assert!(record[0].contains(&sha[..7]), "{record:?}");
    assert!(record[1].contains("in_progress") && record[2].contains("success"));
    let waits: Vec<bool> = plan.then.iter().map(|f| f.after_stable).collect();
    assert_eq!(waits, [false, false, false, true]);
    // The dialog says which commits the deploy brings, from GitHub's (the demo's) compare.
    let lines = deckwatch::state::actions::commits::dialog_lines(&w.state, &plan);
    assert!(lines[0].contains("commit(s)"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains(&sha[..7])), "{lines:?}");
    let shown = screen(&w.state, 160, 50);
    for l in &lines {
        assert!(shown.contains(l.trim()), "{l}\n{shown}");
    }

    // y: the runner on a task of its own, the world moving on; success waits for stable.
    let fx = key(&mut w.state, KeyCode::Char('y'));
    let Some(Effect::Run(plan, ctx, job)) = fx.into_iter().find(|e| matches!(e, Effect::Run(..)))
    else {
        panic!("no run")
    };
    let (tx, _rx) = mpsc::channel(64);
    let f: Arc<dyn Fleet> = w.fleet.clone();
    let runner = tokio::spawn(runner::run(
        f,
        w.ci.clone(),
        w.audit.clone(),
        *plan,
        ctx,
        job,
        tx,
    ));
    let mut seen_unstable_in_progress = false;
    for _ in 0..120 {
        advance(Duration::from_secs(5)).await;
        let statuses = w.fleet.with_world(|x| {
            let d = x.builds.deployments.last().map(|d| d.statuses.clone());
            d.unwrap_or_default()
        });
        let services = w.fleet.services().await.unwrap();
        let api = services
            .iter()
            .find(|s| s.name == "api" && s.cluster == "prod-core");
        let stable = api.unwrap().is_stable();
        if statuses == ["in_progress"] && !stable {
            seen_unstable_in_progress = true;
        }
        if statuses.iter().any(|s| s == "success") {
            assert!(stable, "success before the service was stable");
            break;
        }
    }
    runner.await.unwrap();
    assert!(
        seen_unstable_in_progress,
        "in_progress went while the rollout moved"
    );
    let record = w.fleet.with_world(|x| x.builds.deployments.clone());
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].sha, sha);
    assert_eq!(record[0].environment, w.state.ctx.info.name);
    assert_eq!(record[0].statuses, ["in_progress", "success"]);
    // Every call audited before and after, the GitHub ones with the deployment's id.
    let audit = w.audit();
    let calls: Vec<(&str, &str)> = audit
        .iter()
        .map(|r| (r["phase"].as_str().unwrap(), r["call"].as_str().unwrap()))
        .collect();
    let deploys: Vec<&(&str, &str)> = calls
        .iter()
        .filter(|(_, c)| c.contains("/deployments"))
        .collect();
    assert_eq!(deploys.len(), 6, "{calls:#?}");
    let phases: Vec<&str> = deploys.iter().map(|(p, _)| *p).collect();
    assert_eq!(phases, ["before", "after"].repeat(3));
    let statuses = format!("/deployments/{}/statuses", record[0].id);
    assert!(
        deploys[2..].iter().all(|(_, c)| c.contains(&statuses)),
        "{calls:#?}"
    );
}
