//! Finding your way: the back-stack, sorting, recalling a filter, and where the cursor is
//! while the first load comes in.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::model::Ms;
use deckwatch::model::Service;
use deckwatch::state::{Mode, Msg, Pane, update};

#[test]
fn esc_goes_back_through_every_place_with_its_selection() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search");
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.ctx.pane, Pane::Images);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Alarms);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
    assert_eq!(
        selected_name(&s),
        "search",
        "the row left is selected again"
    );
    // Nothing left to go back to: Esc stays.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Services);
}

#[test]
fn the_rollout_view_comes_back_scrolled_as_it_was() {
    let mut s = loaded();
    select(&mut s, "prod-edge", "checkout");
    press(&mut s, KeyCode::Enter);
    s.ctx.rollout_view.max_scroll = 30;
    for _ in 0..7 {
        press(&mut s, KeyCode::Char('j'));
    }
    assert_eq!(s.ctx.rollout_view.scroll, 7);
    press(&mut s, KeyCode::Char('5'));
    assert_eq!(s.ctx.pane, Pane::Logs);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    assert_eq!(s.ctx.rollout, Some(key_of("prod-edge", "checkout")));
    assert_eq!(s.ctx.rollout_view.scroll, 7);
}

use deckwatch::state::table::columns::ServiceColumn;

fn names(s: &deckwatch::state::State) -> Vec<String> {
    s.ctx.services.visible().map(|x| x.name.clone()).collect()
}

#[test]
fn s_cycles_the_sort_and_the_selection_stays_on_its_service() {
    let mut s = loaded();
    select(&mut s, "prod-core", "web");
    press(&mut s, KeyCode::Char('s'));
    assert_eq!(
        s.ctx.services.sort.as_ref().map(|x| (x.column, x.desc)),
        Some((ServiceColumn::Name, false))
    );
    let mut sorted = names(&s);
    sorted.sort();
    assert_eq!(names(&s), sorted);
    assert_eq!(selected_name(&s), "web");
    press(&mut s, KeyCode::Char('s'));
    assert_eq!(s.ctx.services.sort.as_ref().map(|x| x.desc), Some(true));
    assert_eq!(names(&s).first().map(String::as_str), Some("worker"));
    assert_eq!(selected_name(&s), "web");
    // A refresh keeps the order and the selection.
    let mut again: Vec<Service> = services();
    again.reverse();
    let _ = update(&mut s, Msg::Services(again.into(), EPOCH + Ms(10_000)));
    assert_eq!(names(&s).first().map(String::as_str), Some("worker"));
    assert_eq!(selected_name(&s), "web");
}

#[test]
fn sort_by_a_named_column_from_the_palette() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "sort task def desc");
    press(&mut s, KeyCode::Enter);
    assert_eq!(
        s.ctx.services.sort.as_ref().map(|x| (x.column, x.desc)),
        Some((ServiceColumn::TaskDef, true))
    );
    press(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "sort colour");
    press(&mut s, KeyCode::Enter);
    let flash = s.flash.clone().unwrap().0;
    assert!(flash.contains("no column \"colour\""), "{flash}");
    assert_eq!(
        s.ctx.services.sort.as_ref().map(|x| x.column),
        Some(ServiceColumn::TaskDef)
    );
    assert!(
        flash.contains("known: name, cluster, rollout, d/r/p, task def"),
        "{flash}"
    );
}

#[test]
fn slash_starts_a_fresh_filter_and_up_recalls_the_earlier_ones() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "payments");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('/'));
    assert_eq!(
        s.ctx.services.filter.text(),
        "",
        "a fresh filter, not more of the last"
    );
    type_text(&mut s, "edge");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Up);
    assert_eq!(s.ctx.services.filter.text(), "edge");
    press(&mut s, KeyCode::Up);
    assert_eq!(s.ctx.services.filter.text(), "payments");
    press(&mut s, KeyCode::Down);
    assert_eq!(s.ctx.services.filter.text(), "edge");
    assert_eq!(s.mode, Mode::Filter);
}

#[test]
fn the_first_load_keeps_the_cursor_on_the_first_row_while_clusters_come_in() {
    let mut s = demo().build();
    let all = services();
    let edge: Vec<Service> = all
        .iter()
        .filter(|x| x.cluster == "prod-edge")
        .cloned()
        .collect();
    let _ = update(&mut s, Msg::ServicesPart(edge.clone(), 1, 3, EPOCH));
    assert_eq!(selected_name(&s), "checkout");
    // prod-core sorts before prod-edge: its rows come in above the cursor.
    let mut two: Vec<Service> = all
        .iter()
        .filter(|x| x.cluster != "staging")
        .cloned()
        .collect();
    two.extend(edge);
    two.dedup_by(|a, b| a.arn == b.arn);
    let _ = update(&mut s, Msg::ServicesPart(two, 2, 3, EPOCH + Ms(1_000)));
    assert_eq!(
        s.ctx.services.selected, 0,
        "the cursor stays on the first row"
    );
    assert_eq!(selected_name(&s), "api");
    let _ = update(&mut s, Msg::Services(all.into(), EPOCH + Ms(2_000)));
    assert_eq!(s.ctx.services.selected, 0);
}
