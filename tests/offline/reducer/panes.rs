//! Pane switching.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyModifiers};
use deckwatch::state::{Mode, Pane};

#[test]
fn number_keys_select_panes_and_emit_a_watch() {
    let mut s = loaded();
    for (c, pane) in [
        ('2', Pane::Tasks),
        ('3', Pane::Images),
        ('4', Pane::Alarms),
        ('1', Pane::Services),
    ] {
        let fx = press(&mut s, KeyCode::Char(c));
        assert_eq!(s.ctx.pane, pane, "key {c}");
        assert_eq!(s.mode, Mode::Normal);
        let w = the_watch(&fx);
        assert_eq!(w.pane, pane, "key {c}");
        assert_eq!(w.service, None, "key {c}");
    }
    // The logs pane follows the service selected on the services pane.
    select(&mut s, "prod-core", "payments");
    let fx = press(&mut s, KeyCode::Char('5'));
    assert_eq!(s.ctx.pane, Pane::Logs);
    assert_eq!(
        s.ctx.logs.service().cloned(),
        Some(key_of("prod-core", "payments"))
    );
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Logs);
    assert_eq!(w.service, Some(key_of("prod-core", "payments")));
}

#[test]
fn pressing_the_current_pane_again_emits_no_watch() {
    let mut s = loaded();
    let fx = press(&mut s, KeyCode::Char('1'));
    assert_eq!(s.ctx.pane, Pane::Services);
    assert!(watches(&fx).is_empty(), "{fx:?}");
}

#[test]
fn tab_and_backtab_cycle_through_the_panes() {
    let mut s = loaded();
    let mut seen = Vec::new();
    for _ in 0..6 {
        let fx = press(&mut s, KeyCode::Tab);
        assert_eq!(the_watch(&fx).pane, s.ctx.pane);
        seen.push(s.ctx.pane);
    }
    assert_eq!(
        seen,
        [
            Pane::Tasks,
            Pane::Images,
            Pane::Alarms,
            Pane::Logs,
            Pane::Builds,
            Pane::Services
        ]
    );
    // Shift-Tab goes the other way and wraps from services to builds, then logs.
    press_mod(&mut s, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(s.ctx.pane, Pane::Builds);
    let fx = press_mod(&mut s, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(s.ctx.pane, Pane::Logs);
    let w = the_watch(&fx);
    assert_eq!(w.pane, Pane::Logs);
    assert_eq!(w.service, Some(key_of("prod-core", "api")));
    press_mod(&mut s, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(s.ctx.pane, Pane::Alarms);
}
