//! Selection.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::state::{Msg, Viewport, update};

#[test]
fn j_k_g_and_shift_g_move_the_selection_within_bounds() {
    let mut s = loaded();
    assert_eq!(s.ctx.services.selected, 0);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(s.ctx.services.selected, 0, "k at the top stays at the top");
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.ctx.services.selected, 2);
    assert_eq!(selected_name(&s), "cart");
    press(&mut s, KeyCode::Up);
    assert_eq!(selected_name(&s), "auth");
    press_mod(&mut s, KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(s.ctx.services.selected, 12);
    assert_eq!(s.ctx.selected_service().unwrap().cluster, "staging");
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(
        s.ctx.services.selected, 12,
        "j at the bottom stays at the bottom"
    );
    press(&mut s, KeyCode::Char('g'));
    assert_eq!(s.ctx.services.selected, 0);
}

#[test]
fn moving_does_not_emit_effects() {
    let mut s = loaded();
    for c in [KeyCode::Char('j'), KeyCode::Char('k'), KeyCode::Char('G')] {
        let fx = press(&mut s, c);
        assert!(fx.is_empty(), "{c:?}: {fx:?}");
    }
}

#[test]
fn the_selection_follows_its_service_across_a_refresh() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    // The next poll returns the services in another order; the sort and the selection hold.
    let mut v = services();
    v.reverse();
    let _ = update(&mut s, Msg::Services(v.into(), EPOCH + Ms(5_000)));
    assert_eq!(selected_name(&s), "checkout");
}

#[test]
fn key_releases_are_ignored() {
    let mut s = loaded();
    let mut ev = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    ev.kind = KeyEventKind::Release;
    s.dirty = false;
    let _ = update(&mut s, Msg::Key(ev));
    assert_eq!(s.ctx.services.selected, 0);
    assert!(!s.dirty);
}

/// A page is what the last frame's list showed, as the layout reported it, not a guess from
/// the terminal's height.
#[test]
fn page_keys_move_by_the_rows_the_last_frame_showed() {
    let mut s = loaded();
    let _ = update(
        &mut s,
        Msg::Layout(Viewport {
            list_rows: 3,
            ..Viewport::default()
        }),
    );
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.ctx.services.selected, 3);
    let _ = update(
        &mut s,
        Msg::Layout(Viewport {
            list_rows: 5,
            ..Viewport::default()
        }),
    );
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.ctx.services.selected, 8);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.ctx.services.selected, 3);
}
