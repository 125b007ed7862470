//! What the reducer tests share: the state they start from, and keys.

use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::demo::seed;
use deckwatch::model::{ActionPlan, Service, ServiceKey};
use deckwatch::state::{Effect, Mode, Msg, State, Watch, update};

/// A fixed scenario start, so every run sees the same fleet.
pub use crate::support::testkit::EPOCH;

/// The demo's state at `EPOCH`: dark theme, 1,000 log lines, the `demo` context, no data yet.
pub fn demo() -> StateBuilder {
    StateBuilder::demo(EPOCH)
}

pub fn services() -> Vec<Service> {
    seed::world(EPOCH).services()
}

/// A state with the seed's services loaded, and the effects of loading them drained.
pub fn loaded_with(read_only: bool) -> State {
    demo().read_only(read_only).with_services().build()
}

pub fn loaded() -> State {
    loaded_with(false)
}

pub fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn press_mod(s: &mut State, code: KeyCode, m: KeyModifiers) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, m)))
}

pub fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

pub fn ctrl_c(s: &mut State) -> Vec<Effect> {
    press_mod(s, KeyCode::Char('c'), KeyModifiers::CONTROL)
}

pub fn key_of(cluster: &str, name: &str) -> ServiceKey {
    ServiceKey {
        cluster: cluster.into(),
        name: name.into(),
    }
}

pub fn selected_name(s: &State) -> String {
    s.ctx.selected_service().map(|x| x.name.clone()).unwrap()
}

pub fn watches(effects: &[Effect]) -> Vec<&Watch> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Watch(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// The one Watch among `effects`; panics if there is none or more than one.
pub fn the_watch(effects: &[Effect]) -> Watch {
    let w = watches(effects);
    assert_eq!(w.len(), 1, "expected one Watch effect in {effects:?}");
    w[0].clone()
}

/// Selects the service called `name` on the services pane by moving down with `j`.
pub fn select(s: &mut State, cluster: &str, name: &str) {
    press(s, KeyCode::Char('g'));
    for _ in 0..s.ctx.services.len() {
        let sel = s.ctx.selected_service().unwrap();
        if sel.cluster == cluster && sel.name == name {
            return;
        }
        press(s, KeyCode::Char('j'));
    }
    panic!("no service {cluster}/{name}");
}

pub fn shift(s: &mut State, c: char) -> Vec<Effect> {
    press_mod(s, KeyCode::Char(c), KeyModifiers::SHIFT)
}

pub fn dialog(s: &State) -> ActionPlan {
    match &s.mode {
        Mode::Confirm(plan, _) => (**plan).clone(),
        other => panic!(
            "no confirmation dialog, mode {other:?}, flash {:?}",
            s.flash
        ),
    }
}

pub fn acts(fx: &[Effect]) -> Vec<&ActionPlan> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Run(p, ..) => Some(&**p),
            _ => None,
        })
        .collect()
}
