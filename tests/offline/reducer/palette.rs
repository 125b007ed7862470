//! The command palette.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::state::{Effect, Mode, Pane, State};

fn run_palette(s: &mut State, line: &str) -> Vec<Effect> {
    press(s, KeyCode::Char(':'));
    assert_eq!(s.mode, Mode::Palette(String::new()));
    type_text(s, line);
    assert_eq!(s.mode, Mode::Palette(line.to_string()));
    press(s, KeyCode::Enter)
}

#[test]
fn palette_tasks_switches_pane() {
    let mut s = loaded();
    let fx = run_palette(&mut s, "tasks");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.ctx.pane, Pane::Tasks);
    assert_eq!(the_watch(&fx).pane, Pane::Tasks);
    run_palette(&mut s, "alarms");
    assert_eq!(s.ctx.pane, Pane::Alarms);
    run_palette(&mut s, "svc");
    assert_eq!(s.ctx.pane, Pane::Services);
}

#[test]
fn palette_theme_switches_to_a_known_theme() {
    let mut s = loaded();
    assert_eq!(s.theme_name, "dark");
    s.dirty = false;
    run_palette(&mut s, "theme light");
    assert_eq!(s.theme_name, "light");
    assert!(s.dirty);
    assert!(!s.quit);
}

#[test]
fn palette_theme_with_an_unknown_name_flashes_and_keeps_the_theme() {
    let mut s = loaded();
    run_palette(&mut s, "theme nope");
    assert_eq!(s.theme_name, "dark");
    let (msg, at) = s.flash.clone().expect("a flash message");
    assert!(msg.contains("nope"), "{msg}");
    assert!(
        msg.contains("light"),
        "the message lists known themes: {msg}"
    );
    assert_eq!(at, s.now);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn palette_unknown_command_flashes() {
    let mut s = loaded();
    run_palette(&mut s, "frobnicate");
    let (msg, _) = s.flash.clone().unwrap();
    assert!(msg.contains("unknown command"), "{msg}");
    assert_eq!(s.ctx.pane, Pane::Services);
}

#[test]
fn palette_q_quits() {
    let mut s = loaded();
    run_palette(&mut s, "q");
    assert!(s.quit);
}

#[test]
fn palette_esc_cancels_and_backspace_on_empty_closes() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "q");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(!s.quit, "Esc must not run the command");
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "ta");
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.mode, Mode::Palette("t".into()));
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn palette_tab_completes_the_only_fitting_command() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "th");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.mode, Mode::Palette("theme ".into()));
    type_text(&mut s, "high-contrast");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.theme_name, "high-contrast");
}

#[test]
fn palette_help_opens_help() {
    let mut s = loaded();
    run_palette(&mut s, "help");
    assert_eq!(s.mode, Mode::Help);
}

#[test]
fn the_rollout_command_opens_the_selected_services_rollout_view() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "rollout");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    assert_eq!(s.ctx.rollout, Some(key_of("prod-edge", "checkout")));
    assert_eq!(
        the_watch(&fx).service,
        Some(key_of("prod-edge", "checkout"))
    );
}
