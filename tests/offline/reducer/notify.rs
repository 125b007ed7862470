//! Notifications a reducer raises from what it is told: a watched PAUSE hook near its timeout
//! action, and an alarm linked to a watched service going to ALARM. Each once.

use super::helpers::*;
use deckwatch::model::{Alarm, AlarmState, At, Ms};
use deckwatch::state::notify::Notice;
use deckwatch::state::{Effect, Msg, State, update};

fn notices(fx: &[Effect]) -> Vec<Notice> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_watched_hook_is_told_once_within_hook_minutes_of_its_timeout() {
    let mut s = loaded();
    s.notify.settings.services = vec!["checkout".into()];
    s.notify.settings.hook_minutes = 5;
    let checkout = s
        .ctx
        .services
        .items
        .iter()
        .find(|x| x.name == "checkout")
        .unwrap();
    let hook = checkout
        .native
        .as_ref()
        .and_then(|n| n.waiting_hook())
        .unwrap()
        .clone();
    let early = update(&mut s, Msg::Tick(hook.expires_at - Ms::mins(6)));
    assert!(notices(&early).is_empty(), "{:?}", notices(&early));
    let near = notices(&update(&mut s, Msg::Tick(hook.expires_at - Ms::mins(4))));
    assert_eq!(near.len(), 1, "{near:?}");
    assert!(near[0].body.contains(&hook.id), "{near:?}");
    assert!(near[0].body.contains("4:00"), "{near:?}");
    assert!(
        near[0].body.contains(&hook.timeout_action.to_string()),
        "{near:?}"
    );
    let again = update(&mut s, Msg::Tick(hook.expires_at - Ms::mins(3)));
    assert!(notices(&again).is_empty(), "fires once");
}

#[test]
fn a_hook_of_a_service_nobody_watches_is_not_told() {
    let mut s = loaded();
    s.notify.settings.services.clear();
    let hook_at = s
        .ctx
        .services
        .items
        .iter()
        .find_map(|x| x.native.as_ref()?.waiting_hook().map(|h| h.expires_at))
        .unwrap();
    let fx = update(&mut s, Msg::Tick(hook_at - Ms(60_000)));
    assert!(notices(&fx).is_empty(), "{:?}", notices(&fx));
}

/// The state's alarms with `name` put in `state` since `at`.
fn with_alarm(s: &State, name: &str, state: AlarmState, at: At) -> Vec<Alarm> {
    let mut alarms = s.ctx.alarms.items.clone();
    let a = alarms.iter_mut().find(|a| a.name == name).unwrap();
    a.state = state;
    a.updated_at = at;
    alarms
}

#[test]
fn an_alarm_linked_to_a_watched_service_is_told_each_time_it_goes_to_alarm() {
    let mut s = demo().with_every_pane(Ms::ZERO).build();
    let payments = key_of("prod-core", "payments");
    s.notify.settings.services = vec!["payments".into()];
    let name = s.ctx.alarms_of(&payments).next().unwrap().0.name.clone();
    let t = EPOCH + Ms(10_000);
    let fired = with_alarm(&s, &name, AlarmState::Alarm, t);
    let first = notices(&update(&mut s, Msg::Alarms(fired.clone(), t)));
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].body.contains(&name), "{first:?}");
    assert!(first[0].body.contains("payments"), "{first:?}");
    let same = notices(&update(&mut s, Msg::Alarms(fired, t + Ms(5_000))));
    assert!(same.is_empty(), "the same transition fires once: {same:?}");
    let ok = with_alarm(&s, &name, AlarmState::Ok, t + Ms(60_000));
    assert!(notices(&update(&mut s, Msg::Alarms(ok, t + Ms(60_000)))).is_empty());
    let again = with_alarm(&s, &name, AlarmState::Alarm, t + Ms(120_000));
    let second = notices(&update(&mut s, Msg::Alarms(again, t + Ms(120_000))));
    assert_eq!(second.len(), 1, "a new transition fires: {second:?}");
}

#[test]
fn alarms_are_not_told_when_the_setting_is_off() {
    let mut s = demo().with_every_pane(Ms::ZERO).build();
    let payments = key_of("prod-core", "payments");
    s.notify.settings.services = vec!["payments".into()];
    s.notify.settings.alarms = false;
    let name = s.ctx.alarms_of(&payments).next().unwrap().0.name.clone();
    let fired = with_alarm(&s, &name, AlarmState::Alarm, EPOCH + Ms(10_000));
    let fx = update(&mut s, Msg::Alarms(fired, EPOCH + Ms(10_000)));
    assert!(notices(&fx).is_empty(), "{:?}", notices(&fx));
}
