//! A pasted wall of a filter (6,000 characters, 2,000 `|`) keeps every keystroke cheap: the
//! work a keystroke does is counted, not timed. Each keystroke re-filters the pane once, and
//! an item is asked about at most `MAX_TERMS` terms, however long the text typed.

use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::At;
use deckwatch::state::table::filter::{MAX_LEN, MAX_TERMS};
use deckwatch::state::table::{Table, TableItem, contains};
use deckwatch::state::{Mode, Msg, update};
use std::cell::Cell;

thread_local! {
    static ASKED: Cell<usize> = const { Cell::new(0) };
}

/// An item that counts how often it is asked whether it contains a term.
#[derive(Debug, PartialEq)]
struct Counted(String);

impl TableItem for Counted {
    fn id(&self) -> String {
        self.0.clone()
    }
    fn matches(&self, needle: &str) -> bool {
        ASKED.with(|a| a.set(a.get() + 1));
        contains(&self.0, needle)
    }
    fn sort_default(_: &mut [Self]) {}
    type Column = deckwatch::state::table::columns::NoColumn;
    fn cmp_by(&self, _: &Self, column: Self::Column) -> std::cmp::Ordering {
        match column {}
    }
}

/// 6,000 characters: `ab|` two thousand times.
fn wall() -> String {
    "ab|".repeat(2_000)
}

#[test]
fn each_keystroke_of_a_huge_filter_asks_each_item_at_most_max_terms_times() {
    let items = 100;
    let mut t: Table<Counted> = Table::default();
    t.replace(
        (0..items).map(|i| Counted(format!("svc-{i}"))).collect(),
        At(0),
    );
    let mut typed = String::new();
    let mut worst = 0;
    for c in wall().chars() {
        // As the reducer does: the kept text plus the key.
        typed = t.filter.text().to_string();
        typed.push(c);
        ASKED.with(|a| a.set(0));
        t.set_filter(typed.clone());
        worst = worst.max(ASKED.with(Cell::get));
        assert!(t.filter.text().chars().count() <= MAX_LEN);
    }
    assert!(typed.len() <= MAX_LEN + 1);
    assert!(
        worst <= items * MAX_TERMS,
        "a keystroke asked {worst} times for {items} items"
    );
    // The terms really were used: "ab" matches nothing, so every term was asked.
    assert!(worst >= items, "{worst}");
}

#[test]
fn the_console_keeps_at_most_max_len_characters_of_a_pasted_wall() {
    let mut s = StateBuilder::demo(EPOCH).with_services().build();
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)),
    );
    assert_eq!(s.mode, Mode::Filter);
    for c in wall().chars() {
        let _ = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    let kept = s.ctx.services.filter.text();
    assert_eq!(kept.chars().count(), MAX_LEN);
    assert_eq!(s.ctx.services.items.len(), 13, "filtering drops no item");
}
