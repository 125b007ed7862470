//! Filter.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::state::{Mode, Pane};

#[test]
fn typing_a_filter_narrows_the_services_and_esc_clears_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    assert_eq!(s.mode, Mode::Filter);
    type_text(&mut s, "edge");
    assert_eq!(s.ctx.services.filter.text(), "edge");
    // The cluster prod-edge and the service edge-proxy match.
    let names: Vec<&str> = s.ctx.services.visible().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        ["checkout", "edge-proxy", "inventory", "notifications"]
    );
    assert_eq!(
        s.ctx.services.items.len(),
        13,
        "filtering never drops items"
    );
    // Keys that mean something in normal mode are text while filtering.
    type_text(&mut s, "-p");
    assert_eq!(s.ctx.services.filter.text(), "edge-p");
    assert_eq!(selected_name(&s), "edge-proxy");
    assert_eq!(s.ctx.pane, Pane::Services);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.ctx.services.len(), 4);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.ctx.services.filter.text(), "");
    assert_eq!(s.ctx.services.len(), 13);
}

#[test]
fn enter_keeps_the_filter_and_esc_in_normal_mode_clears_it() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "PAY");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.ctx.services.len(), 1, "the filter is case-insensitive");
    assert_eq!(selected_name(&s), "payments");
    // Enter now acts on the filtered selection, Esc first clears the filter.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.services.filter.text(), "");
    assert_eq!(s.ctx.services.len(), 13);
    assert_eq!(s.ctx.pane, Pane::Services);
}

#[test]
fn a_filter_matches_the_rollout_state() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "in_progress");
    let names: Vec<&str> = s.ctx.services.visible().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["cart", "checkout", "inventory"]);
}

#[test]
fn each_pane_has_its_own_filter() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "api");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('4'));
    assert_eq!(s.ctx.alarms.filter.text(), "");
    press(&mut s, KeyCode::Char('1'));
    assert_eq!(s.ctx.services.filter.text(), "api");
    assert_eq!(s.ctx.services.len(), 2);
}

#[test]
fn a_bang_term_hides_what_it_matches() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "search|!canary");
    let names: Vec<&str> = s.ctx.services.visible().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["search"], "search-canary is hidden");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "!prod");
    assert!(
        s.ctx.services.visible().all(|x| x.cluster == "staging"),
        "only staging's services are left"
    );
}

#[test]
fn a_pasted_wall_of_text_is_cut_to_the_filter_bound() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, &"api|".repeat(1_500));
    assert_eq!(
        s.ctx.services.filter.text().chars().count(),
        deckwatch::state::table::filter::MAX_LEN
    );
    assert!(!s.ctx.services.is_empty(), "the terms kept still match");
}
