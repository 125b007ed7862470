//! The cost on the fleet's rows: a context off screen is costed from the prices the prices
//! worker cached on disk for its region (the fleet worker never asks the Price List), and one
//! whose region was never cached has no cost (`?`), never a guess. The on-screen context's cost
//! is its own panes' (`Context::cost_total`). Snapshots at 80x24 (the cost left first) and
//! 120x40.

use crate::support::screen::{dark, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crate::support::wrapped_fleet::fleet_around_inner;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::demo::{SimFleet, prices, seed};
use deckwatch::model::cost::{PriceTable, Total, context_total};
use deckwatch::model::fleet::Figures;
use deckwatch::model::{ApiError, ApiResult, ErrorKind, Ms};
use deckwatch::state::fleet::{FleetRead, FleetReport, FleetView};
use deckwatch::state::{Msg, State, Target, update};
use deckwatch::workers::fleet::Member;
use deckwatch::workers::prices::write_cache;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};

/// The demo's world as an AWS backend sees its prices: cached on disk under its region, and a
/// Price List that must not be asked (counted).
struct Cached {
    inner: SimFleet,
    price_list_calls: AtomicUsize,
}

fleet_around_inner!(Cached {
    async fn fargate_prices(&self) -> ApiResult<PriceTable> {
        self.price_list_calls.fetch_add(1, Ordering::SeqCst);
        Err(ApiError::new(ErrorKind::Other, "the Price List was asked"))
    }
    fn prices_cache_key(&self) -> Option<String> {
        Some(seed::REGION.into())
    }
});

fn target(name: &str) -> Target {
    Target {
        generation: 0,
        name: name.into(),
        region: None,
    }
}

/// One read by the fleet worker of the demo world as `Cached`, with `dir` as the prices cache.
async fn read_once(dir: Option<PathBuf>) -> (FleetRead, usize) {
    let fleet = Arc::new(Cached {
        inner: SimFleet::new(EPOCH),
        price_list_calls: AtomicUsize::new(0),
    });
    let (tx, mut rx) = mpsc::channel(4);
    let (_here, on_screen) = watch::channel(target("elsewhere"));
    let m = Member {
        target: target("b"),
        fleet: fleet.clone(),
        tx,
        permits: Arc::new(Semaphore::new(1)),
        on_screen,
        every: Duration::from_secs(60),
        prices: dir,
    };
    let task = tokio::spawn(m.run());
    let Some(Msg::Fleet(r)) = rx.recv().await else {
        panic!("no report")
    };
    task.abort();
    (
        r.read.unwrap(),
        fleet.price_list_calls.load(Ordering::SeqCst),
    )
}

#[tokio::test(start_paused = true)]
async fn a_context_off_screen_is_costed_from_the_cached_prices_of_its_region() {
    let dir = tempfile::tempdir().unwrap();
    let table = prices::table(seed::REGION);
    write_cache(
        dir.path(),
        seed::REGION,
        &table,
        deckwatch::timing::now_ms(),
    )
    .unwrap();
    let (read, asked) = read_once(Some(dir.path().to_path_buf())).await;
    assert_eq!(asked, 0, "the fleet worker never asks the Price List");
    let services = SimFleet::new(EPOCH).services().await.unwrap();
    let cost = read.cost.expect("costed from the cache");
    assert_eq!(Some(cost), context_total(&services, Some(&table)));
    assert!(cost.known > 0 && cost.per_hour > 0.0, "{cost:?}");
}

#[tokio::test(start_paused = true)]
async fn a_region_never_cached_has_no_cost_and_no_price_list_call() {
    let dir = tempfile::tempdir().unwrap();
    let (read, asked) = read_once(Some(dir.path().to_path_buf())).await;
    assert_eq!((read.cost, asked), (None, 0));
    assert!(read.figures.services > 0, "the rest of the row is read");
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The demo on screen with its prices, and two contexts off screen: one costed, one not.
fn costed_state(w: u16, h: u16) -> State {
    let mut s = StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000))
        .build();
    s.fleet = FleetView::new(vec![target("demo"), target("prod"), target("dev")], true);
    let table = prices::table(seed::REGION);
    let _ = update(&mut s, Msg::Prices(Ok(table)));
    let now = s.now;
    for (name, cost) in [
        (
            "prod",
            Some(Total {
                per_hour: 1.5,
                known: 30,
                unknown: 0,
            }),
        ),
        ("dev", None),
    ] {
        let read = FleetRead {
            account: "222222222222".into(),
            region: seed::REGION.into(),
            figures: Figures {
                services: 30,
                ..Figures::default()
            },
            cost,
            found: Vec::new(),
        };
        let report = FleetReport {
            target: target(name),
            at: now,
            read: Ok(read),
            expiry: None,
        };
        let _ = update(&mut s, Msg::Fleet(Box::new(report)));
    }
    let _ = update(&mut s, Msg::Resize(w, h));
    let _ = update(&mut s, key(KeyCode::Char('0')));
    s
}

fn draw(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &dark());
    })
    .unwrap();
    screen(t.backend().buffer())
}

#[test]
fn the_rows_show_a_day_and_a_month_and_a_question_mark_when_unknown() {
    let s = costed_state(120, 40);
    let here = s.ctx.cost_total().expect("the demo's prices are read");
    let text = draw(&s, 120, 40);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!("│{name} ")))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    };
    // 1.5 $/h: $36.00 a day, $1,095 a month.
    assert!(row("prod").contains("$36.00") && row("prod").contains("$1,095"));
    let dev = row("dev");
    let cells: Vec<&str> = dev.trim_end_matches('│').split_whitespace().collect();
    assert_eq!(cells[cells.len() - 2..], ["?", "?"], "{dev}");
    let day = deckwatch::model::cost::dollars(here.per_day());
    assert!(row("demo").contains(&day), "{} {day}", row("demo"));
}

#[test]
fn snapshot_fleet_cost_80x24() {
    insta::assert_snapshot!(draw(&costed_state(80, 24), 80, 24));
}

#[test]
fn snapshot_fleet_cost_120x40() {
    insta::assert_snapshot!(draw(&costed_state(120, 40), 120, 40));
}
