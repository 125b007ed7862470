//! After `y`: the activity line follows the action at work, then waits until the service shows
//! the change and is stable, with its clock and limit, then shows the outcome and goes. Run on
//! the demo fleet's paused clock; the reducer is fed the fleet's services as the pollers would.

use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{ActionError, ActionPlan, At, ContextInfo, Ms};
use deckwatch::state::actions::progress::{Phase, SHOWN_MS};
use deckwatch::state::{Effect, Msg, State, update};
use deckwatch::timing::STABLE_TIMEOUT_MS;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner::{execute, execute_job};
use std::time::Duration;

use crate::support::testkit::EPOCH;

fn new_state(now: At) -> State {
    StateBuilder::demo(now)
        .context(ContextInfo {
            name: "demo".into(),
            ..Default::default()
        })
        .build()
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    let m = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(s, Msg::Key(KeyEvent::new(code, m)))
}

fn select(s: &mut State, cluster: &str, name: &str) {
    press(s, KeyCode::Char('g'));
    for _ in 0..s.ctx.services.items.len() {
        let sel = s.ctx.selected_service().unwrap();
        if sel.cluster == cluster && sel.name == name {
            return;
        }
        press(s, KeyCode::Char('j'));
    }
    panic!("no {cluster}/{name}");
}

fn line(s: &State) -> String {
    let p = s
        .ctx
        .jobs
        .newest()
        .map(|j| &j.progress)
        .expect("an activity line");
    deckwatch::ui::chrome::activity::text(p, &s.ctx.services.items, s.now)
}

fn the_act(fx: &[Effect]) -> ActionPlan {
    fx.iter()
        .find_map(|e| match e {
            Effect::Run(plan, ..) => Some((**plan).clone()),
            _ => None,
        })
        .expect("an Act effect")
}

struct Demo {
    fleet: SimFleet,
    state: State,
    elapsed: Ms,
}

impl Demo {
    async fn new() -> Self {
        let fleet = SimFleet::new(EPOCH);
        let mut state = new_state(EPOCH);
        let _ = update(
            &mut state,
            Msg::Services(fleet.services().await.unwrap().into(), EPOCH),
        );
        Self {
            fleet,
            state,
            elapsed: Ms(0),
        }
    }

    fn now(&self) -> At {
        EPOCH + self.elapsed
    }

    /// Moves the clock on, then delivers the tick and a poll as the loop would.
    async fn run_for(&mut self, secs: u64) {
        tokio::time::advance(Duration::from_secs(secs)).await;
        self.elapsed += Ms(secs as i64 * 1000);
        let now = self.now();
        let _ = update(&mut self.state, Msg::Tick(now));
        let services = self.fleet.services().await.unwrap();
        let _ = update(&mut self.state, Msg::Services(services.into(), now));
    }

    /// `key` then `y`; runs the plan through the real runner and reports back.
    async fn confirm(&mut self, key: char) -> Result<String, String> {
        press(&mut self.state, KeyCode::Char(key));
        let fx = press(&mut self.state, KeyCode::Char('y'));
        let plan = the_act(&fx);
        assert!(
            matches!(
                self.state.ctx.jobs.newest().map(|j| &j.progress.phase),
                Some(Phase::Sending)
            ),
            "{:?}",
            self.state.ctx.jobs
        );
        assert!(
            self.state.ctx.watch().fast,
            "poll fast while an action is at work"
        );
        // A place for the audit log: without one every action is refused.
        let audit_dir = tempfile::tempdir().unwrap();
        let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
        let ctx = ContextInfo::default();
        let result = execute(&self.fleet, &audit, &plan, &ctx).await;
        let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
            self.state.ctx.jobs.newest().map_or(0, |j| j.id),
            result.clone(),
        ));
        let _ = update(&mut self.state, done);
        result.map_err(|e| e.to_string())
    }

    fn phase(&self) -> Phase {
        self.state.ctx.jobs.newest().unwrap().progress.phase.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn a_rollback_is_watched_until_stable_then_the_line_goes() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "api");
    d.confirm('R').await.expect("rollback sent");
    assert!(
        matches!(d.phase(), Phase::Waiting { .. }),
        "{:?}",
        d.phase()
    );
    assert!(
        line(&d.state).contains("waiting until api is stable · 0s of 10m00s"),
        "{}",
        line(&d.state)
    );

    // While ECS replaces the tasks, the line says where the service is, and does not call it
    // stable: two deployments are live.
    d.run_for(2).await;
    assert!(matches!(d.phase(), Phase::Waiting { .. }));
    let mid = line(&d.state);
    assert!(mid.contains("running on api:117"), "{mid}");
    assert!(mid.contains("2 deployments"), "{mid}");
    assert!(mid.contains("2s of 10m00s"), "{mid}");

    let mut waited = 2;
    while matches!(d.phase(), Phase::Waiting { .. }) && waited < 600 {
        d.run_for(2).await;
        waited += 2;
    }
    let Phase::Stable { took, .. } = d.phase() else {
        panic!("not stable after {waited} s: {}", line(&d.state));
    };
    assert!(
        took >= Ms(4_000),
        "took {took:?}: the rollout takes some steps"
    );
    let api = d
        .state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "api" && s.cluster == "prod-core")
        .unwrap();
    assert_eq!(api.task_def.revision, 117);
    assert!(api.is_stable());
    assert!(line(&d.state).starts_with("✓ roll back prod-core/api: stable after"));
    assert!(!d.state.ctx.jobs.newest().unwrap().progress.active());

    // The outcome stays a minute, then the line goes.
    d.run_for(SHOWN_MS.as_secs() as u64 + 1).await;
    assert!(
        d.state.ctx.jobs.latest(d.state.now).is_none(),
        "{:?}",
        d.state.ctx.jobs
    );
}

#[tokio::test(start_paused = true)]
async fn a_second_action_on_another_service_runs_and_one_on_the_same_is_refused_naming_the_job() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "api");
    press(&mut d.state, KeyCode::Char('R'));
    press(&mut d.state, KeyCode::Char('y'));
    // The runner has not answered yet: another service's action goes at once.
    select(&mut d.state, "prod-core", "worker");
    press(&mut d.state, KeyCode::Char('F'));
    assert!(matches!(d.state.mode, deckwatch::state::Mode::Confirm(..)));
    let fx = press(&mut d.state, KeyCode::Char('y'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Run(..))), "{fx:?}");
    assert_eq!(d.state.ctx.jobs.running_count(), 2);
    let shown = render_footer(&d.state);
    assert!(shown.contains("⟳ 2 jobs"), "{shown}");
    // The same service again: refused, naming the job that acts on it.
    select(&mut d.state, "prod-core", "api");
    let fx = press(&mut d.state, KeyCode::Char('F'));
    assert!(fx.iter().all(|e| !matches!(e, Effect::Run(..))));
    assert!(matches!(d.state.mode, deckwatch::state::Mode::Normal));
    let flash = &d.state.flash.as_ref().unwrap().0;
    assert!(
        flash.contains("refused; job 1 (roll back prod-core/api) is sending its calls"),
        "{flash}"
    );
}

#[tokio::test(start_paused = true)]
async fn x_stops_watching_a_job_after_a_dialog_that_says_nothing_is_undone() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "api");
    d.confirm('R').await.expect("rollback sent");
    assert!(matches!(d.phase(), Phase::Waiting { .. }));
    press(&mut d.state, KeyCode::Char('x'));
    let deckwatch::state::Mode::StopWatching(id) = d.state.mode else {
        panic!("{:?}", d.state.mode);
    };
    let text = rendered(&d.state);
    assert!(text.contains("This never undoes a call"), "{text}");
    press(&mut d.state, KeyCode::Char('y'));
    assert!(
        matches!(d.phase(), Phase::Unwatched { .. }),
        "{:?}",
        d.phase()
    );
    assert_eq!(d.state.ctx.jobs.get(id).map(|j| j.running()), Some(false));
    // The service goes on with what was sent: nothing was undone.
    d.run_for(60).await;
    assert!(matches!(d.phase(), Phase::Unwatched { .. }));
    let api = d.fleet.services().await.unwrap();
    let api = api
        .iter()
        .find(|s| s.name == "api" && s.cluster == "prod-core")
        .unwrap();
    assert_eq!(api.task_def.revision, 117, "the rollback stays");
    // And the service is free for another action.
    let fx = press(&mut d.state, KeyCode::Char('F'));
    assert!(fx.is_empty() || fx.iter().all(|e| !matches!(e, Effect::Run(..))));
    assert!(matches!(d.state.mode, deckwatch::state::Mode::Confirm(..)));
}

fn rendered(s: &State) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &crate::support::screen::dark());
    })
    .unwrap();
    crate::support::screen::screen(t.backend().buffer())
}

fn render_footer(s: &State) -> String {
    rendered(s).lines().last().unwrap_or_default().to_string()
}

#[tokio::test(start_paused = true)]
async fn a_service_that_never_settles_is_given_up_on_after_ten_minutes() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "api");
    d.confirm('R').await.expect("rollback sent");
    // The polls stop coming (an endpoint went away): only the clock moves.
    tokio::time::advance(STABLE_TIMEOUT_MS.to_std()).await;
    let now = d.now() + STABLE_TIMEOUT_MS;
    let _ = update(&mut d.state, Msg::Tick(now));
    assert!(
        matches!(d.phase(), Phase::TimedOut { .. }),
        "{:?}",
        d.phase()
    );
    assert!(
        line(&d.state).contains("not stable after 10m00s"),
        "{}",
        line(&d.state)
    );
    // A failure stays on screen longer than a success.
    let _ = update(&mut d.state, Msg::Tick(now + SHOWN_MS + Ms(1_000)));
    assert!(d.state.ctx.jobs.latest(d.state.now).is_some());
}

#[tokio::test(start_paused = true)]
async fn a_refusal_shows_why_and_a_native_promote_says_where_to_follow_it() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-edge", "checkout");
    d.confirm('P').await.expect("promote sent");
    assert!(matches!(d.phase(), Phase::Sent { .. }), "{:?}", d.phase());
    assert!(line(&d.state).contains("follow it in the rollout view"));

    // The runner's refusal (here: read-only at the lowest layer) is the line's text.
    let later = d.now() + SHOWN_MS + Ms(1_000);
    let _ = update(&mut d.state, Msg::Tick(later));
    assert!(d.state.ctx.jobs.latest(d.state.now).is_none());
    select(&mut d.state, "prod-core", "api");
    press(&mut d.state, KeyCode::Char('F'));
    press(&mut d.state, KeyCode::Char('y'));
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        d.state.ctx.jobs.newest().map_or(0, |j| j.id),
        Err(ActionError::ReadOnly {
            what: "force a new deployment prod-core/api".into(),
        }),
    ));
    let _ = update(&mut d.state, done);
    assert!(matches!(d.phase(), Phase::Failed { .. }));
    assert!(line(&d.state).starts_with("✗ force a new deployment prod-core/api: refused"));
    assert!(
        d.state.flash.is_none(),
        "the activity line says it, not the footer too"
    );
}

#[tokio::test(start_paused = true)]
async fn a_paired_promote_says_it_waits_for_the_primary_with_the_runners_limit() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "search-canary");
    press(&mut d.state, KeyCode::Char('P'));
    press(&mut d.state, KeyCode::Char('y'));
    let l = line(&d.state);
    assert!(
        l.contains("promote prod-core/search: waiting until search is stable before the next call · 0s of 15m00s"),
        "{l}"
    );
}

#[tokio::test(start_paused = true)]
async fn q_while_an_action_is_at_work_asks_again_before_quitting() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "search-canary");
    press(&mut d.state, KeyCode::Char('P'));
    press(&mut d.state, KeyCode::Char('y'));
    press(&mut d.state, KeyCode::Char('q'));
    assert!(!d.state.quit, "the first q only warns");
    let flash = d.state.flash.clone().unwrap().0;
    assert!(flash.contains("may leave it half done"), "{flash}");
    press(&mut d.state, KeyCode::Char('q'));
    assert!(d.state.quit, "the second q quits");
}

/// The second `q` quits only while the first one's warning shows: once it has gone, or another
/// message took its place, `q` warns again.
#[tokio::test(start_paused = true)]
async fn q_after_the_warning_went_warns_again() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "search-canary");
    press(&mut d.state, KeyCode::Char('P'));
    press(&mut d.state, KeyCode::Char('y'));
    press(&mut d.state, KeyCode::Char('q'));
    let now = d.state.now;
    let _ = update(&mut d.state, Msg::Tick(now + Ms(6_000)));
    assert!(d.state.flash.is_none(), "the warning has gone");
    press(&mut d.state, KeyCode::Char('q'));
    assert!(!d.state.quit, "a first q again: it warns");
    let flash = d.state.flash.clone().unwrap().0;
    assert!(flash.contains("may leave it half done"), "{flash}");
    // `R` on a service while an action is at work: the footer says something else.
    press(&mut d.state, KeyCode::Char('R'));
    let flash = d.state.flash.clone().unwrap().0;
    assert!(!flash.contains("half done"), "{flash}");
    press(&mut d.state, KeyCode::Char('q'));
    assert!(!d.state.quit, "the warning was replaced: it warns again");
    press(&mut d.state, KeyCode::Char('q'));
    assert!(d.state.quit, "the second q in a row quits");
}

/// `:q` is the same command as `q`, so it has the same guard (it used to quit at once).
#[tokio::test(start_paused = true)]
async fn colon_q_while_an_action_is_at_work_asks_again_like_q() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "search-canary");
    press(&mut d.state, KeyCode::Char('P'));
    press(&mut d.state, KeyCode::Char('y'));
    for c in [':', 'q'] {
        press(&mut d.state, KeyCode::Char(c));
    }
    press(&mut d.state, KeyCode::Enter);
    assert!(!d.state.quit, "the first :q only warns");
    let flash = d.state.flash.clone().unwrap().0;
    assert!(flash.contains("may leave it half done"), "{flash}");
    for c in [':', 'q'] {
        press(&mut d.state, KeyCode::Char(c));
    }
    press(&mut d.state, KeyCode::Enter);
    assert!(d.state.quit, "the second :q quits");
}

#[tokio::test(start_paused = true)]
async fn q_once_every_call_is_sent_quits_at_once_even_while_waiting_until_stable() {
    let mut d = Demo::new().await;
    select(&mut d.state, "prod-core", "api");
    d.confirm('R').await.expect("sent");
    assert!(matches!(d.phase(), Phase::Waiting { .. }));
    press(&mut d.state, KeyCode::Char('q'));
    assert!(d.state.quit);
}

#[tokio::test(start_paused = true)]
async fn a_deploy_follows_the_revision_register_returned_when_another_was_registered_since() {
    let mut d = Demo::new().await;
    let images = d.fleet.images().await.unwrap();
    let api = d
        .state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "api" && s.cluster == "prod-core")
        .unwrap()
        .clone();
    let other = images
        .iter()
        .find(|i| i.repository == "api" && !i.tags.contains(&api.image_tag))
        .expect("another image of api")
        .clone();
    // Someone registers a revision of api's family first (CI, another console): the revision
    // after the service's is taken.
    let between = d
        .fleet
        .register_task_def(&api.key(), &api.task_def, "api", &other.digest)
        .await
        .unwrap();
    assert_eq!(between.revision, api.task_def.revision + 1);
    let plan = deckwatch::state::builds::plan::deploy(&api, &other, &images).unwrap();
    let said = format!("registers a new revision of api from {}", api.task_def);
    assert!(
        plan.changes.iter().any(|c| c.to == said),
        "{:?}",
        plan.changes
    );
    d.state.open_confirm(plan);
    let fx = press(&mut d.state, KeyCode::Char('y'));
    let plan = the_act(&fx);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(audit_dir.path().join("audit.jsonl")));
    let (result, registered) =
        execute_job(&d.fleet, None, &audit, &plan, &ContextInfo::default()).await;
    assert!(result.is_ok(), "{result:?}");
    let registered = registered.expect("a revision registered");
    assert_eq!(registered.revision, between.revision + 1);
    let job = d.state.ctx.jobs.newest().unwrap().id;
    let done = Msg::ActionDone(Box::new(deckwatch::state::jobs::JobDone {
        job,
        result,
        registered: Some(registered.clone()),
    }));
    let _ = update(&mut d.state, done);
    let mut waited = 0;
    while matches!(d.phase(), Phase::Waiting { .. }) && waited < 600 {
        d.run_for(2).await;
        waited += 2;
    }
    assert!(
        matches!(d.phase(), Phase::Stable { .. }),
        "{:?}: {}",
        d.phase(),
        line(&d.state)
    );
    let now = d.fleet.services().await.unwrap();
    let api = now.iter().find(|s| s.key() == api.key()).unwrap();
    assert_eq!(api.task_def, registered);
}

#[tokio::test(start_paused = true)]
async fn the_demo_leaves_a_service_alone_while_an_operators_job_acts_on_it() {
    let mut d = Demo::new().await;
    let checkout = |d: &Demo| {
        d.state
            .ctx
            .services
            .items
            .iter()
            .find(|s| s.name == "checkout")
            .cloned()
            .unwrap()
    };
    select(&mut d.state, "prod-edge", "checkout");
    let promoted = checkout(&d).native.expect("checkout's canary waits").arn;
    d.confirm('P').await.expect("promote sent");
    // While the promoted deployment moves, and for a while after it settled (a poll sees
    // it), the scenario starts nothing of its own on checkout.
    let mut settled_for = 0;
    for _ in 0..300 {
        d.run_for(2).await;
        let s = checkout(&d);
        let arn = s.native.as_ref().map(|n| n.arn.clone());
        assert_eq!(
            arn.as_deref(),
            Some(promoted.as_str()),
            "after {settled_for}s settled"
        );
        if s.native_in_progress().is_none() {
            settled_for += 2;
            if settled_for >= 28 {
                break;
            }
        }
    }
    assert!(settled_for >= 28, "the promoted canary never finished");
    // Then the scenario goes on with its next canary.
    for _ in 0..90 {
        d.run_for(2).await;
    }
    let arn = checkout(&d).native.map(|n| n.arn);
    assert_ne!(arn.as_deref(), Some(promoted.as_str()));
}

/// Every `Effect::Notify` among `fx`.
fn notices(fx: &[Effect]) -> Vec<deckwatch::state::notify::Notice> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_job_that_ends_notifies_once_and_not_at_all_when_notify_is_off() {
    for enabled in [true, false] {
        let mut d = Demo::new().await;
        d.state.notify.settings.enabled = enabled;
        select(&mut d.state, "prod-core", "api");
        d.confirm('R').await.expect("rollback sent");
        let mut seen = Vec::new();
        for _ in 0..300 {
            tokio::time::advance(Duration::from_secs(2)).await;
            d.elapsed += Ms(2000);
            let now = d.now();
            seen.extend(notices(&update(&mut d.state, Msg::Tick(now))));
            let services = d.fleet.services().await.unwrap();
            seen.extend(notices(&update(
                &mut d.state,
                Msg::Services(services.into(), now),
            )));
        }
        assert!(matches!(d.phase(), Phase::Stable { .. }), "{:?}", d.phase());
        if !enabled {
            assert!(seen.is_empty(), "{seen:?}");
            continue;
        }
        let ends: Vec<_> = seen.iter().filter(|n| n.body.contains("job 1")).collect();
        assert_eq!(ends.len(), 1, "once, not every poll: {seen:?}");
        assert_eq!(ends[0].title, "deckwatch: roll back prod-core/api");
        assert!(ends[0].body.starts_with("job 1 stable"), "{}", ends[0].body);
    }
}
