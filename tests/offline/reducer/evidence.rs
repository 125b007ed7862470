//! The evidence in the reducer: what `R` picks after a rollback and why, `:diff` and `e`, what
//! the evidence worker is asked for, the alarms behind the tab's badge and on the rows, and
//! the activity line counting the deployment it waits for.

use super::helpers::*;
use crate::support::testkit::Feed;
use crossterm::event::KeyCode;
use deckwatch::model::{
    AwsCall, DeploymentStatus, Ms, Mutation, Outcome, RollbackCause, RolloutState, Service,
    TaskDefRef,
};
use deckwatch::state::rollout::evidence::request;
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};

fn td(r: u32) -> TaskDefRef {
    TaskDefRef {
        family: "payments".into(),
        revision: r,
    }
}

/// The demo `secs` in, with every pane's data loaded as one refresh would.
fn at(secs: i64) -> (State, Vec<Service>) {
    let d = demo().at_seconds(secs).with_every_pane(Ms(0));
    let services = d.world().services();
    (d.build(), services)
}

/// The first moment payments' failed deployment is still listed beside the rollback.
fn mid_rollback() -> State {
    (60..120)
        .map(|t| at(t).0)
        .find(|s| {
            s.ctx.services.items.iter().any(|x| {
                x.name == "payments"
                    && x.deployments
                        .iter()
                        .any(|d| d.rollout_state == RolloutState::Failed)
            })
        })
        .expect("the breaker trips within two minutes")
}

fn payments(v: &mut [Service]) -> &mut Service {
    v.iter_mut().find(|s| s.name == "payments").unwrap()
}

/// A refresh `ms` after the state's clock.
fn refresh(s: &mut State, v: Vec<Service>, ms: Ms) {
    let at = s.now + ms;
    Feed::following(s).services(s, v, at);
}

#[test]
fn r_after_a_breaker_rollback_says_the_current_revision_is_its_result() {
    // Loaded after the rollback finished: only the events tell what happened.
    let (mut s, _) = at(300);
    let p = s
        .ctx
        .services
        .items
        .iter()
        .find(|x| x.name == "payments")
        .unwrap();
    assert_eq!(p.task_def, td(42));
    let last = p.last_outcome().expect("the rollback is in the history");
    assert!(
        matches!(
            &last.outcome,
            Outcome::RolledBack {
                by: RollbackCause::CircuitBreaker,
                to: Some(to)
            } if *to == td(42)
        ),
        "{last:?}"
    );
    select(&mut s, "prod-core", "payments");
    assert!(acts(&shift(&mut s, 'R')).is_empty());
    assert_eq!(s.mode, Mode::Normal, "no dialog");
    let flash = s.flash.clone().unwrap().0;
    assert!(
        flash.contains("payments:42 is itself the result of a rollback by circuit breaker"),
        "{flash}"
    );
}

#[test]
fn r_after_a_later_good_deploy_skips_the_rolled_back_revision_and_says_why() {
    // Seen mid-rollback: 43 failed, the breaker rolls back to 42.
    let mut s = mid_rollback();
    let p = s
        .ctx
        .services
        .items
        .iter()
        .find(|x| x.name == "payments")
        .unwrap();
    assert!(p.rolled_back_here().is_some(), "{:#?}", p.history);
    // The rollback completes, and the failed deployment leaves the service.
    let mut v = s.ctx.services.items.clone();
    let p = payments(&mut v);
    p.deployments
        .retain(|d| d.status == DeploymentStatus::Primary);
    p.deployments[0].rollout_state = RolloutState::Completed;
    refresh(&mut s, v, Ms(30_000));
    // Then 44 rolls out and completes; the newest ACTIVE revision below it is the bad 43.
    let mut v = s.ctx.services.items.clone();
    let p = payments(&mut v);
    let mut d = p.deployments[0].clone();
    d.id = "ecs-svc/44".into();
    d.task_def = td(44);
    d.status = DeploymentStatus::Primary;
    d.rollout_state = RolloutState::Completed;
    d.created_at = s.now + Ms(60_000);
    p.deployments = vec![d];
    p.task_def = td(44);
    p.previous_task_def = Some(td(43));
    refresh(&mut s, v, Ms(120_000));
    select(&mut s, "prod-core", "payments");
    shift(&mut s, 'R');
    let plan = dialog(&s);
    assert_eq!(
        plan.mutation,
        Mutation::Aws(AwsCall::UpdateService {
            task_def: Some(td(42)),
            desired: None,
            force: false
        })
    );
    assert_eq!(
        plan.notes[0],
        "payments:42: the last revision that completed and stayed stable"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.starts_with("skips payments:43: ROLLED BACK by circuit breaker")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn without_history_r_goes_to_the_newest_revision_below_and_says_so() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'R');
    let plan = dialog(&s);
    assert_eq!(plan.changes[0].to, "api:117");
    assert!(
        plan.notes[0].starts_with("api:117: the newest registered revision below api:118"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn diff_and_events_open_scrollable_overlays_and_ask_for_the_revisions() {
    let (mut s, _) = at(72);
    select(&mut s, "prod-core", "payments");
    press(&mut s, KeyCode::Enter);
    // The rollout view alone asks for its comparison and its diff's revisions.
    let r = request(&s);
    assert!(r.sides.is_some());
    assert_eq!(r.taskdefs, vec![td(42), td(43)], "42 → 43 in flight");
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "diff");
    press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&s.mode, Mode::Diff(k) if k.name == "payments"),
        "{:?}",
        s.mode
    );
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.ctx.evidence.scroll, 2);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(s.ctx.evidence.scroll, 1);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        s.ctx.in_rollout_view(),
        "Esc closes the overlay, not the view"
    );
    press(&mut s, KeyCode::Char('e'));
    assert!(matches!(&s.mode, Mode::Events(k) if k.name == "payments"));
    assert_eq!(s.ctx.evidence.scroll, 0, "a new overlay starts at the top");
    press(&mut s, KeyCode::Esc);
    // On the services pane `e` means nothing; the palette word works there.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
    press(&mut s, KeyCode::Char('e'));
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn the_worker_is_asked_only_for_what_is_on_screen() {
    let mut s = loaded();
    assert!(request(&s).is_empty(), "{:?}", request(&s));
    select(&mut s, "prod-edge", "checkout");
    let fx = shift(&mut s, 'P');
    let asked: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Evidence(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "{fx:?}");
    let sides = asked[0].sides.clone().expect("the promote dialog compares");
    assert_eq!(sides.canary.revision.revision, 58);
    assert_eq!(asked[0].taskdefs.len(), 2);
    // Cancelling asks for nothing again; the same screen asks nothing new.
    let fx = press(&mut s, KeyCode::Esc);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Evidence(r) if r.is_empty()))
    );
    let fx = press(&mut s, KeyCode::Char('j'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Evidence(_))),
        "{fx:?}"
    );
    // The alarm detail asks for its alarm.
    let alarms = demo().world().alarms.clone();
    let now = s.now;
    Feed::following(&s).alarms(&mut s, alarms, now);
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Enter);
    let r = request(&s);
    assert_eq!(
        r.alarm.as_ref().map(|(n, _)| n.as_str()),
        Some("search-queue-depth")
    );
}

#[test]
fn alarms_link_to_rows_and_the_badge_says_when_it_is_stale() {
    let (mut s, _) = at(70);
    let firing: Vec<String> = s
        .ctx
        .firing_alarms_of(&key_of("prod-core", "payments"))
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(
        firing,
        [
            "payments-5xx-rate",
            "payments-p99-latency",
            "payments-health"
        ]
    );
    assert_eq!(
        s.ctx.firing_alarms_of(&key_of("prod-core", "api")).count(),
        0
    );
    assert_eq!(
        s.ctx
            .alarms_of(&key_of("prod-edge", "checkout"))
            .map(|(a, l)| (a.name.clone(), l.reason))
            .collect::<Vec<_>>(),
        [(
            "checkout-canary-5xx".to_string(),
            deckwatch::model::LinkReason::Watched
        )]
    );
    let err = deckwatch::model::ApiError::new(deckwatch::model::ErrorKind::Throttled, "slow down");
    let now = s.now;
    let _ = update(&mut s, Msg::Failed(Pane::Alarms, err, now));
    assert!(
        s.ctx.alarms.error.is_some(),
        "the badge then says its count is the last known"
    );
    assert_eq!(
        s.ctx
            .firing_alarms_of(&key_of("prod-core", "payments"))
            .count(),
        3
    );
}

#[test]
fn the_activity_line_counts_the_deployment_it_waits_for() {
    let mut s = loaded();
    select(&mut s, "prod-core", "api");
    shift(&mut s, 'R');
    press(&mut s, KeyCode::Char('y'));
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        s.ctx.jobs.newest().map_or(0, |j| j.id),
        Ok("sent".into()),
    ));
    let _ = update(&mut s, done);
    let mut v = s.ctx.services.items.clone();
    let api = v
        .iter_mut()
        .find(|x| x.name == "api" && x.cluster == "prod-core")
        .unwrap();
    let mut new = api.deployments[0].clone();
    new.id = "ecs-svc/117".into();
    new.task_def = TaskDefRef {
        family: "api".into(),
        revision: 117,
    };
    new.rollout_state = RolloutState::InProgress;
    (new.desired, new.running, new.pending) = (6, 2, 2);
    api.deployments[0].status = DeploymentStatus::Active;
    api.deployments.insert(0, new);
    api.task_def = api.deployments[0].task_def.clone();
    (api.desired, api.running) = (6, 8);
    let now = s.now;
    Feed::following(&s).services(&mut s, v, now);
    let p = s.ctx.jobs.newest().unwrap().progress.clone();
    let line = deckwatch::ui::chrome::activity::text(&p, &s.ctx.services.items, s.now);
    assert!(
        line.contains("2/6 running on api:117 · 2 deployments"),
        "counts the deployment, not the service's 8: {line}"
    );
}
