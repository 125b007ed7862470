//! The cost estimate on screen: the services pane's COST column (shown once prices are read,
//! the first column to leave a narrow terminal, `?` where a figure is unknown) and the scale
//! dialog's line, on the demo with its built-in prices.

use crate::support::screen::{dark, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{ApiError, ErrorKind};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn demo() -> State {
    StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000))
        .build()
}

fn priced() -> State {
    let mut s = demo();
    let table = deckwatch::demo::prices::table("eu-west-1");
    let _ = update(&mut s, Msg::Prices(Ok(table)));
    s
}

fn draw(s: &mut State, w: u16, h: u16) -> String {
    let _ = update(s, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &dark());
    })
    .expect("draw");
    screen(t.backend().buffer())
}

fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

/// The row of api in prod-core.
fn api_row(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with("│api ") && l.contains("prod-core"))
        .unwrap_or_else(|| panic!("api is not on screen:\n{screen}"))
}

fn key(c: char, m: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), m))
}

#[test]
fn the_cost_column_shows_day_and_month_said_to_be_an_estimate() {
    let mut s = priced();
    let wide = draw(&mut s, 180, 40);
    insta::assert_snapshot!("services_cost_180x40", wide);
    assert!(wide.contains("~$/DAY /MO"), "{wide}");
    // api in prod-core: 6 tasks of 1 vCPU and 2 GB on x86, on demand, at the demo's prices:
    // 6 × (0.04048 + 2 × 0.004445) = 6 × 0.04937 = $0.29622 an hour; × 24 = $7.10928 a day
    // ($7.11); × 365/12 = $216.24 a month ($216).
    let api = s
        .ctx
        .services
        .items
        .iter()
        .find(|x| x.name == "api" && x.cluster == "prod-core")
        .expect("api");
    assert_eq!(api.running, 6);
    let header = row_with(&wide, "~$/DAY /MO");
    let at = header.find("~$/DAY").expect("header");
    let api_line = api_row(&wide);
    let cell: String = api_line
        .chars()
        .skip(header[..at].chars().count())
        .collect();
    assert!(cell.trim_start().starts_with("$7.11 $216"), "{api_line}");
}

#[test]
fn at_80x24_the_cost_column_leaves_first() {
    let mut without = demo();
    let mut with = priced();
    let plain = draw(&mut without, 80, 24);
    let priced = draw(&mut with, 80, 24);
    insta::assert_snapshot!("services_cost_80x24", priced);
    assert!(!priced.contains("~$/DAY"), "{priced}");
    // Nothing else changed for it: every other column is where it was.
    assert_eq!(plain, priced);
    // At 120 columns the owner (priority 9) is still there when the cost has gone.
    let mid = draw(&mut with, 120, 40);
    assert!(!mid.contains("~$/DAY"), "{mid}");
}

#[test]
fn an_unknown_figure_is_a_question_mark_never_a_guess() {
    let mut s = priced();
    // A refresh in which api's task definition gives no CPU, taken in as the poller sends it.
    let mut items = s.ctx.services.items.clone();
    let api = items
        .iter_mut()
        .find(|x| x.name == "api" && x.cluster == "prod-core")
        .expect("api");
    api.footprint.cpu_units = None;
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(items), now));
    let wide = draw(&mut s, 180, 40);
    let api_line = api_row(&wide);
    assert!(
        api_line.trim_end_matches([' ', '│']).ends_with('?'),
        "{api_line}"
    );
    assert!(!api_line.contains("$7.11"), "{api_line}");
}

#[test]
fn prices_that_could_not_be_read_are_said_and_every_cell_is_unknown() {
    let mut s = demo();
    let e = ApiError::new(ErrorKind::Other, "AccessDenied: pricing:GetProducts");
    let _ = update(&mut s, Msg::Prices(Err(e)));
    let wide = draw(&mut s, 180, 40);
    assert!(wide.contains("~$/DAY /MO"), "{wide}");
    assert!(!wide.contains("$7.11"), "{wide}");
    let flash = s.flash.clone().expect("said").0;
    assert!(flash.contains("prices not read"), "{flash}");
}

#[test]
fn the_scale_dialog_says_what_the_change_costs() {
    let mut s = priced();
    let _ = draw(&mut s, 120, 40);
    let i = s
        .ctx
        .services
        .view
        .iter()
        .position(|&i| {
            let x = &s.ctx.services.items[i];
            x.name == "api" && x.cluster == "prod-core"
        })
        .expect("api");
    s.ctx.services.selected = i;
    let _ = update(&mut s, key('S', KeyModifiers::SHIFT));
    let _ = update(&mut s, key('8', KeyModifiers::NONE));
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let shown = draw(&mut s, 120, 40);
    // 6 → 8 tasks adds two: 2 × $0.04937 × 24 = $2.36976 a day.
    assert!(
        shown.contains("6 → 8 tasks: +$2.37/day (estimate)"),
        "{shown}"
    );
}

#[test]
fn what_cost_explorer_billed_is_shown_beside_the_estimate_labelled_as_billed() {
    let mut s = priced();
    let api = deckwatch::model::ServiceKey {
        cluster: "prod-core".into(),
        name: "api".into(),
    };
    let day = deckwatch::model::cost::BilledDay {
        day: "2026-12-05".into(),
        by_service: vec![(api, 6.9)],
    };
    let _ = update(&mut s, Msg::Billed(Ok(day)));
    let wide = draw(&mut s, 200, 40);
    let row = api_row(&wide);
    assert!(
        row.contains("$7.11 $216  billed $6.90 on 2026-12-05"),
        "{row}"
    );
    // Only the services Cost Explorer named.
    let web = row_with(&wide, "│web ");
    assert!(!web.contains("billed"), "{web}");
}
