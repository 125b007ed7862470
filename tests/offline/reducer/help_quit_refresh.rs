//! Help, quit, refresh.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::state::{Effect, Mode, Msg, Pane, State, update};

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.mode, Mode::Help);
    // Help swallows pane keys.
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(s.mode, Mode::Help);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(!s.quit);
}

#[test]
fn q_quits() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn q_while_filtering_is_text_not_quit() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Char('q'));
    assert!(!s.quit);
    assert_eq!(s.ctx.services.filter.text(), "q");
}

#[test]
fn ctrl_c_quits_from_normal_filter_palette_and_help() {
    type Setup = fn(&mut State);
    let setups: [(&str, Setup); 4] = [
        ("normal", |_| {}),
        ("filter", |s| {
            press(s, KeyCode::Char('/'));
            type_text(s, "pay");
        }),
        ("palette", |s| {
            press(s, KeyCode::Char(':'));
            type_text(s, "the");
        }),
        ("help", |s| {
            press(s, KeyCode::Char('?'));
        }),
    ];
    for (name, setup) in setups {
        let mut s = loaded();
        setup(&mut s);
        assert!(!s.quit, "{name}: quit before Ctrl-C");
        ctrl_c(&mut s);
        assert!(s.quit, "{name}: Ctrl-C did not quit");
    }
}

#[test]
fn ctrl_c_in_filter_mode_is_not_typed() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    ctrl_c(&mut s);
    assert_eq!(s.ctx.services.filter.text(), "");
}

#[test]
fn r_asks_for_a_refresh() {
    let mut s = loaded();
    let fx = press(&mut s, KeyCode::Char('r'));
    assert_eq!(fx, vec![Effect::Refresh]);
    assert!(s.flash.is_some());
}

#[test]
fn msg_quit_quits() {
    let mut s = loaded();
    let _ = update(&mut s, Msg::Quit);
    assert!(s.quit);
}
