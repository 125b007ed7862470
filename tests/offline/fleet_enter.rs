//! `Enter` on the fleet view pre-fills the panes: on a row urgent because of one service (its
//! only hook waiting, or its only failing rollout) it switches to the context, selects that
//! service on the services pane and opens its rollout view; on an answer of `/` it goes to the
//! context and selects the service found. A context switched to shows the service once its
//! list has it. On the demo's worlds.

use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::fleet::{Figures, Findable, figures};
use deckwatch::model::{Ms, Service, ServiceKey};
use deckwatch::state::fleet::{FleetRead, FleetReport, FleetView};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Effect, Mode, Msg, Pane, State, Target, update};

/// Seconds into the scenario: checkout waits at its PAUSE hook, payments' rollout fails.
const AT_S: i64 = 70;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn target(name: &str) -> Target {
    Target {
        generation: 0,
        name: name.into(),
        region: None,
    }
}

fn demo() -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .with_every_pane(Ms(2_000))
}

fn demo_services() -> Vec<Service> {
    StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .world()
        .services()
}

fn key_of(s: &Service) -> ServiceKey {
    s.key()
}

/// The demo on screen, and `other` off screen as the fleet worker read it.
fn with_other(figures: Figures, found: Vec<Findable>) -> State {
    let mut s = demo().build();
    s.fleet = FleetView::new(vec![target("demo"), target("other")], true);
    let now = s.now;
    let read = FleetRead {
        account: "222222222222".into(),
        region: "eu-west-1".into(),
        figures,
        cost: None,
        found,
    };
    let report = FleetReport {
        target: target("other"),
        at: now,
        read: Ok(read),
        expiry: None,
    };
    let _ = update(&mut s, Msg::Fleet(Box::new(report)));
    s
}

fn switched(fx: &[Effect]) -> Option<Target> {
    fx.iter().find_map(|e| match e {
        Effect::SwitchContext(t) => Some(t.clone()),
        _ => None,
    })
}

fn selected(s: &State) -> Option<ServiceKey> {
    s.ctx.selected_service().map(Service::key)
}

#[test]
fn the_one_service_that_makes_a_row_urgent_is_its_focus() {
    let all = demo_services();
    let hooked: Vec<&Service> = all
        .iter()
        .filter(|s| s.native.as_ref().and_then(|n| n.waiting_hook()).is_some())
        .collect();
    assert!(
        hooked.len() >= 2,
        "the demo has hooks waiting in two services"
    );
    let now = demo().build().now;
    // Several hooks: no one service.
    assert_eq!(figures(&all, &[], now).focus, None);
    // Only checkout's hook left: checkout.
    let checkout = hooked.iter().find(|s| s.name == "checkout").unwrap();
    let one: Vec<Service> = all
        .iter()
        .filter(|s| !hooked.iter().any(|h| h.arn == s.arn) || s.arn == checkout.arn)
        .cloned()
        .collect();
    let f = figures(&one, &[], now);
    assert_eq!(f.hooks, 1);
    assert_eq!(f.focus, Some(key_of(checkout)));
    // No hooks: the only failing rollout, payments'.
    let none: Vec<Service> = all
        .iter()
        .filter(|s| !hooked.iter().any(|h| h.arn == s.arn))
        .cloned()
        .collect();
    let f = figures(&none, &[], now);
    assert_eq!(f.failing, 1, "{f:?}");
    assert_eq!(f.focus.map(|k| k.name), Some("payments".to_string()));
}

#[test]
fn enter_on_a_row_urgent_because_of_one_hook_opens_its_rollout_there() {
    let checkout = demo_services()
        .into_iter()
        .find(|s| s.name == "checkout")
        .unwrap();
    let f = Figures {
        services: 13,
        rolling: 1,
        hooks: 1,
        hook_expires: Some(EPOCH + Ms::secs(AT_S + 60)),
        focus: Some(checkout.key()),
        ..Figures::default()
    };
    let mut s = with_other(f, Vec::new());
    let _ = update(&mut s, key(KeyCode::Char('0')));
    assert_eq!(s.mode, Mode::Fleet);
    // `other` sorts first: its hook times out before the demo's.
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(switched(&fx).map(|t| t.name), Some("other".into()));
    assert_eq!(s.ctx.target.name, "other");
    // Nothing is read there yet: the service waits for the list.
    assert_eq!(s.ctx.pane, Pane::Services);
    assert!(s.ctx.focus.is_some());
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(demo_services()), now));
    assert_eq!(selected(&s), Some(checkout.key()));
    assert_eq!(s.ctx.pane, Pane::Rollout);
    assert_eq!(s.ctx.rollout, Some(checkout.key()));
    assert!(s.ctx.focus.is_none(), "shown once");
    // `Esc` goes back to the services pane with checkout selected.
    let _ = update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(selected(&s), Some(checkout.key()));
}

#[test]
fn a_row_urgent_because_of_several_services_only_switches() {
    let f = Figures {
        services: 13,
        hooks: 2,
        hook_expires: Some(EPOCH + Ms::secs(AT_S + 60)),
        ..Figures::default()
    };
    let mut s = with_other(f, Vec::new());
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(switched(&fx).map(|t| t.name), Some("other".into()));
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(demo_services()), now));
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(s.ctx.rollout, None);
}

#[test]
fn enter_on_a_search_answer_goes_to_its_context_and_selects_the_service() {
    let inventory = demo_services()
        .into_iter()
        .find(|s| s.name == "inventory")
        .unwrap();
    let found = vec![Findable::of(&inventory)];
    let quiet = Figures {
        services: 13,
        ..Figures::default()
    };
    let mut s = with_other(quiet, found);
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let _ = update(&mut s, key(KeyCode::Char('/')));
    for c in "inventory".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    let hits = s.fleet.hits.clone().unwrap();
    // The demo on screen has inventory too: the answer in `other` is chosen.
    let i = hits.iter().position(|h| h.target.name == "other").unwrap();
    for _ in 0..i {
        let _ = update(&mut s, key(KeyCode::Char('j')));
    }
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(switched(&fx).map(|t| t.name), Some("other".into()));
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(demo_services()), now));
    assert_eq!(selected(&s), Some(inventory.key()));
    assert_eq!(
        s.ctx.pane,
        Pane::Services,
        "a search answer opens no rollout"
    );
}

#[test]
fn an_answer_on_the_context_on_screen_selects_it_at_once_even_past_a_filter() {
    let mut s = with_other(Figures::default(), Vec::new());
    // A filter that hides inventory.
    let _ = update(&mut s, key(KeyCode::Char('/')));
    for c in "checkout".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    assert!(s.ctx.services.visible().all(|x| x.name != "inventory"));
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let _ = update(&mut s, key(KeyCode::Char('/')));
    for c in "inventory".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(switched(&fx), None, "already there");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(
        s.ctx.selected_service().map(|x| x.name.as_str()),
        Some("inventory")
    );
}

#[test]
fn a_service_gone_from_the_list_is_said_and_forgotten() {
    let f = Figures {
        hooks: 1,
        hook_expires: Some(EPOCH + Ms::secs(AT_S + 60)),
        focus: Some(ServiceKey {
            cluster: "gone".into(),
            name: "nowhere".into(),
        }),
        ..Figures::default()
    };
    let mut s = with_other(f, Vec::new());
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let _ = update(&mut s, key(KeyCode::Enter));
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(demo_services()), now));
    assert!(s.ctx.focus.is_none());
    let said = s.flash.as_ref().map(|(m, _)| m.clone()).unwrap_or_default();
    assert!(said.contains("nowhere"), "{said}");
    assert_eq!(s.ctx.pane, Pane::Services);
}
