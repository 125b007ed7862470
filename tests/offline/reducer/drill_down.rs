//! Drilling down, and from the rollout view to its alarms.

use super::helpers::*;
use crate::support::testkit::Feed;
use crossterm::event::KeyCode;
use deckwatch::demo::seed;
use deckwatch::model::Service;
use deckwatch::state::{Mode, Msg, Pane, State, update};

#[test]
fn enter_on_a_service_opens_its_rollout_view_and_esc_returns() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    let fx = press(&mut s, KeyCode::Enter);
    let checkout = key_of("prod-edge", "checkout");
    assert_eq!(
        s.ctx.pane,
        Pane::Rollout,
        "a view of its own, not the tasks tab"
    );
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.ctx.rollout, Some(checkout.clone()));
    assert_eq!(s.ctx.rollout_service().unwrap().name, "checkout");
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Rollout);
    assert_eq!(w.service, Some(checkout.clone()));

    // The rollout view takes its own service's tasks; all tasks go to the tasks pane, and a
    // late reply for another service goes nowhere.
    let world = seed::world(EPOCH);
    let all = world.tasks();
    let mine: Vec<_> = all
        .iter()
        .filter(|t| t.service == "checkout")
        .cloned()
        .collect();
    let _ = update(&mut s, Msg::Tasks(None, all.clone(), EPOCH));
    assert!(s.ctx.rollout_view.tasks.is_empty(), "all tasks leaked in");
    assert_eq!(
        s.ctx.tasks.items.len(),
        all.len(),
        "the tasks pane has them"
    );
    let _ = update(
        &mut s,
        Msg::Tasks(Some(key_of("prod-core", "api")), all.clone(), EPOCH),
    );
    assert!(
        s.ctx.rollout_view.tasks.is_empty(),
        "another service's reply leaked in"
    );
    let _ = update(
        &mut s,
        Msg::Tasks(Some(checkout.clone()), mine.clone(), EPOCH),
    );
    assert_eq!(s.ctx.rollout_view.tasks.len(), mine.len());

    let fx = press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(s.ctx.rollout, None);
    assert!(
        s.ctx.rollout_view.tasks.is_empty(),
        "the view's tasks are dropped"
    );
    assert_eq!(selected_name(&s), "checkout", "the selection is kept");
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Services);
    assert_eq!(w.service, None);
}

#[test]
fn esc_clears_a_filter_before_going_back() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('2'));
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "RUNNING");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Esc);
    assert_eq!(
        s.ctx.pane,
        Pane::Tasks,
        "the first Esc only clears the filter"
    );
    assert_eq!(s.ctx.tasks.filter.text(), "");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services, "the second goes back");
}

#[test]
fn the_logs_pane_follows_the_drilled_service() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    let fx = press(&mut s, KeyCode::Char('5'));
    assert_eq!(
        s.ctx.logs.service().cloned(),
        Some(key_of("prod-edge", "checkout"))
    );
    assert_eq!(
        the_watch(&fx).service,
        Some(key_of("prod-edge", "checkout"))
    );
}

#[test]
fn enter_on_tasks_opens_the_detail_and_esc_closes_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('2'));
    // No tasks yet: nothing to open.
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    let _ = update(&mut s, Msg::Tasks(None, seed::world(EPOCH).tasks(), EPOCH));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Detail);
    // Keys other than the closing ones do not move the pane beneath.
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.ctx.tasks.selected, 0);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.ctx.pane, Pane::Tasks);
}

/// The seed's services and alarms loaded, drilled into `cluster/name`.
fn drilled_with_alarms(services: Vec<Service>, cluster: &str, name: &str) -> State {
    let mut s = demo().build();
    let mut feed = Feed::default();
    feed.services(&mut s, services, EPOCH);
    feed.alarms(&mut s, seed::world(EPOCH).alarms.clone(), EPOCH);
    select(&mut s, cluster, name);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    s
}

fn shown_alarms(s: &State) -> Vec<String> {
    s.ctx.alarms.visible().map(|a| a.name.clone()).collect()
}

#[test]
fn a_in_the_rollout_view_opens_the_alarms_the_deployment_tripped() {
    let mut v = services();
    let checkout = v.iter_mut().find(|x| x.name == "checkout").unwrap();
    checkout.native.as_mut().unwrap().triggered_alarms =
        vec!["checkout-canary-5xx".into(), "api-5xx-rate".into()];
    let mut s = drilled_with_alarms(v, "prod-edge", "checkout");
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.ctx.pane, Pane::Alarms);
    let mut shown = shown_alarms(&s);
    shown.sort();
    assert_eq!(shown, ["api-5xx-rate", "checkout-canary-5xx"]);
    // Esc clears the filter: every alarm again; a second Esc is back in the rollout view.
    press(&mut s, KeyCode::Esc);
    assert!(shown_alarms(&s).len() > 2);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    assert_eq!(s.ctx.rollout, Some(key_of("prod-edge", "checkout")));
}

#[test]
fn a_on_a_rolling_rollout_opens_the_alarms_named_after_the_service() {
    let mut s = drilled_with_alarms(services(), "prod-core", "payments");
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.ctx.pane, Pane::Alarms);
    let mut shown = shown_alarms(&s);
    shown.sort();
    assert_eq!(
        shown,
        [
            "payments-5xx-rate",
            "payments-health",
            "payments-p99-latency"
        ]
    );
}

#[test]
fn a_outside_the_rollout_view_does_nothing() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.ctx.pane, Pane::Services);
}
