//! `[keys]` from the config in the reducer: an overridden key acts, and the key it replaced no
//! longer does.

use super::helpers::*;
use crossterm::event::{KeyCode, KeyModifiers};
use deckwatch::config::Config;
use deckwatch::model::At;
use deckwatch::state::{Mode, Pane, State};

fn with_keys(toml: &str) -> State {
    let mut s = loaded();
    let cfg = Config::parse("test.toml", toml).unwrap();
    let warnings = deckwatch::app::cli::install_keys(&mut s, &cfg);
    assert!(warnings.is_empty(), "{warnings:?}");
    s
}

#[test]
fn a_rebound_movement_key_moves_and_the_old_one_does_not() {
    let mut s = with_keys("[keys.normal]\ndown = \"m\"\nup = \"i\"\n");
    assert_eq!(s.ctx.services.selected, 0);
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.ctx.services.selected, 0, "j is no longer down");
    press(&mut s, KeyCode::Down);
    assert_eq!(
        s.ctx.services.selected, 0,
        "down = \"m\" replaced every key of down"
    );
    press(&mut s, KeyCode::Char('m'));
    press(&mut s, KeyCode::Char('m'));
    assert_eq!(s.ctx.services.selected, 2);
    press(&mut s, KeyCode::Char('i'));
    assert_eq!(s.ctx.services.selected, 1);
}

#[test]
fn a_rebound_action_key_opens_the_dialog_and_the_old_one_does_nothing() {
    let mut s = with_keys("[keys.normal]\npromote = \"ctrl-p\"\n");
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    assert_eq!(s.mode, Mode::Normal, "P no longer promotes");
    assert!(s.flash.is_none(), "P means nothing now: {:?}", s.flash);
    press_mod(&mut s, KeyCode::Char('p'), KeyModifiers::CONTROL);
    let plan = dialog(&s);
    assert_eq!(plan.service.name, "checkout");
}

#[test]
fn a_rebound_dialog_key_confirms_and_the_old_one_cancels() {
    let mut s = with_keys("[keys.dialog]\nconfirm = \"Y\"\n");
    select(&mut s, "prod-edge", "checkout");
    shift(&mut s, 'P');
    let fx = press(&mut s, KeyCode::Char('y'));
    assert!(acts(&fx).is_empty(), "y sends nothing now");
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        s.flash.as_ref().unwrap().0.contains("cancelled"),
        "{:?}",
        s.flash
    );
    shift(&mut s, 'P');
    let plan = dialog(&s);
    let fx = shift(&mut s, 'Y');
    // The plan sent is the dialog's, with what the dialog said added to its notes.
    let sent = acts(&fx);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        deckwatch::model::ActionPlan {
            notes: plan.notes.clone(),
            ..sent[0].clone()
        },
        plan
    );
}

#[test]
fn ctrl_d_pages_when_bound() {
    let mut s = with_keys("[keys.normal]\npage_down = [\"ctrl-d\", \"PgDn\"]\n");
    s.viewport.list_rows = 4;
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(s.ctx.services.selected, 0, "d is no longer page down");
    press_mod(&mut s, KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(s.ctx.services.selected, 4);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.ctx.services.selected, 8);
}

#[test]
fn the_logs_follow_key_is_rebound_on_the_logs_pane() {
    let mut s = with_keys("[keys.logs]\nfollow = \"space\"\n");
    press(&mut s, KeyCode::Char('5'));
    assert_eq!(s.ctx.pane, Pane::Logs);
    // Lines to pause on: with none, there is nothing to hold still.
    let key = s.ctx.logs.service().cloned().unwrap();
    let lines = (0..5)
        .map(|i| deckwatch::model::LogLine {
            at: At(1_000 + i),
            task_id: "t1".into(),
            revision: 1,
            message: format!("line {i}"),
        })
        .collect();
    let _ = deckwatch::state::update(&mut s, deckwatch::state::Msg::Logs(key, lines, At(2_000)));
    assert!(s.ctx.logs.follow);
    press(&mut s, KeyCode::Char('f'));
    assert!(s.ctx.logs.follow, "f no longer toggles");
    press(&mut s, KeyCode::Char(' '));
    assert!(!s.ctx.logs.follow);
}

#[test]
fn messages_that_name_a_key_name_the_rebound_one() {
    let mut s = with_keys("[keys.normal]\nback = \"backspace\"\n");
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('a'));
    let (msg, _) = s.flash.clone().unwrap();
    assert!(msg.contains("Backspace clears the filter"), "{msg}");
}

#[test]
fn a_warning_is_flashed_once_in_the_footer() {
    let mut s = loaded();
    let cfg = Config::parse("k.toml", "[keys.normal]\npromot = \"p\"\nup = \"ctrl-c\"\n").unwrap();
    let warnings = deckwatch::app::cli::install_keys(&mut s, &cfg);
    assert_eq!(warnings.len(), 2);
    let (msg, _) = s.flash.clone().unwrap();
    assert!(msg.starts_with("config: k.toml:2:"), "{msg}");
    assert!(msg.contains("(and 1 more in the log)"), "{msg}");
}
