//! Ticks, resize, dirty.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::model::Ms;
use deckwatch::state::{Msg, update};

#[test]
fn a_tick_within_the_same_second_does_not_redraw_but_a_new_second_does() {
    let mut s = loaded();
    s.dirty = false;
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(400)));
    assert!(!s.dirty);
    assert_eq!(s.now, EPOCH + Ms(400));
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(999)));
    assert!(!s.dirty);
    let _ = update(&mut s, Msg::Tick(EPOCH + Ms(1_000)));
    assert!(s.dirty);
    assert_eq!(s.now, EPOCH + Ms(1_000));
}

#[test]
fn a_key_or_a_resize_sets_dirty() {
    let mut s = loaded();
    s.dirty = false;
    press(&mut s, KeyCode::Char('j'));
    assert!(s.dirty);
    s.dirty = false;
    let _ = update(&mut s, Msg::Resize(200, 60));
    assert!(s.dirty);
    assert_eq!(s.size, (200, 60));
}
