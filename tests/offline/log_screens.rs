//! The logs pane drawn: search with context and its highlights, the filter's counter, `g`
//! showing a full screen, wrap, JSON compact and pretty, how the lines are read (live,
//! polling, disconnected, sampled) and a backlog load's progress. Snapshots hold the text;
//! colours are checked on cells.

use crate::support::screen::{dark, row, screen};
use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{LogChunk, LogLine};
use deckwatch::state::logs::{Backlog, TailMode, TailStatus};
use deckwatch::state::{Msg, State, Viewport, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::testkit::EPOCH;
/// payments' bad deployment is failing: its JSON lines hold errors.
const AT_S: i64 = 70;

fn press(s: &mut State, code: KeyCode) {
    let _ = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

/// Draws, and hands the layout back as the loop does.
fn render(s: &mut State, w: u16, h: u16) -> Terminal<TestBackend> {
    let theme = dark();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut v = Viewport::default();
    t.draw(|f| v = deckwatch::ui::draw(f, s, &theme)).unwrap();
    let _ = update(s, Msg::Layout(v));
    t
}

/// The logs pane of payments with the demo's lines of the first `AT_S` seconds.
fn payments_logs(w: u16, h: u16) -> State {
    let d = StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .log_capacity(5_000, 1 << 20)
        .with_every_pane(Ms(2_000));
    let world = d.world();
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(w, h));
    press(&mut s, KeyCode::Char('g'));
    while s.ctx.selected_service().unwrap().name != "payments" {
        press(&mut s, KeyCode::Char('j'));
    }
    press(&mut s, KeyCode::Char('5'));
    let si = world
        .services
        .iter()
        .position(|x| x.svc.name == "payments" && x.svc.cluster == "prod-core")
        .unwrap();
    let lines: Vec<LogLine> = world
        .logs
        .iter()
        .filter(|(_, i, _)| *i == si)
        .map(|(_, _, l)| l.clone())
        .collect();
    let g = s.ctx.logs.generation;
    let chunk = LogChunk::from_lines(&lines);
    let _ = update(
        &mut s,
        Msg::LogFeed(g, Box::new(chunk), world.now - Ms(500)),
    );
    let live = TailStatus {
        mode: TailMode::Live,
        ..Default::default()
    };
    let _ = update(&mut s, Msg::LogStatus(g, live));
    render(&mut s, w, h);
    s
}

#[test]
fn search_with_context_highlights_matches_and_counts_them() {
    let mut s = payments_logs(120, 40);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "503|refused");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('c'));
    press(&mut s, KeyCode::Char('N'));
    press(&mut s, KeyCode::Char('N'));
    let t = render(&mut s, 120, 40);
    let buf = t.backend().buffer();
    let text = screen(buf);
    let n = s.ctx.logs.search.matches.len();
    assert!(n > 3, "{text}");
    let counter = s.ctx.logs.counter().unwrap();
    assert!(
        !counter.starts_with('-'),
        "the selection is a match: {counter}"
    );
    assert!(text.contains(&format!(" {counter} context ")), "{text}");
    // Lines that do not match are shown too.
    assert!(text.contains("info GET"), "{text}");
    // Each match is highlighted in the match style, on the selected line and the others.
    let theme = dark();
    let hits: Vec<(u16, u16)> = (3..buf.area.height - 2)
        .flat_map(|y| {
            let r = row(buf, y);
            r.match_indices("503")
                .map(|(i, _)| (r[..i].chars().count() as u16, y))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(hits.len() > 2, "{text}");
    for (x, y) in hits {
        assert_eq!(
            buf[(x, y)].bg,
            theme.warn,
            "no highlight at {x},{y}:\n{text}"
        );
    }
    insta::assert_snapshot!("logs_search_with_context", t.backend());
}

#[test]
fn without_context_only_the_matches_show() {
    let mut s = payments_logs(120, 40);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "r43|!retrying");
    press(&mut s, KeyCode::Enter);
    let t = render(&mut s, 120, 40);
    let text = screen(t.backend().buffer());
    let body: Vec<&str> = text
        .lines()
        .skip(3)
        .take(34)
        .filter(|l| l.len() > 4)
        .collect();
    assert!(!body.is_empty());
    for l in body.iter().filter(|l| l.contains(" r4")) {
        assert!(l.contains(" r43 ") && !l.contains("retrying"), "{l}");
    }
}

#[test]
fn g_shows_a_full_screen_from_the_oldest_line() {
    let mut s = payments_logs(100, 20);
    assert!(s.ctx.logs.buf.len() > 40);
    press(&mut s, KeyCode::Char('g'));
    let t = render(&mut s, 100, 20);
    let text = screen(t.backend().buffer());
    let first = s.ctx.logs.buf.get(s.ctx.logs.buf.first_seq()).unwrap();
    let body: Vec<&str> = text.lines().skip(3).take(15).collect();
    assert!(body[0].contains(&first.tag.task[..8]), "{text}");
    assert!(
        body.iter().all(|l| l.contains(" r4")),
        "every row holds a line:\n{text}"
    );
    insta::assert_snapshot!("logs_top", t.backend());
}

#[test]
fn wrap_keeps_every_cell_of_a_long_line_on_screen() {
    let mut s = payments_logs(80, 24);
    let g = s.ctx.logs.generation;
    let long = LogLine {
        at: EPOCH + Ms(70_000),
        task_id: "feedbeef00".into(),
        revision: 43,
        message: format!("ERROR {} END", "x".repeat(300)),
    };
    let _ = update(
        &mut s,
        Msg::LogFeed(g, Box::new(LogChunk::from_lines(&[long])), EPOCH),
    );
    let t = render(&mut s, 80, 24);
    assert!(!screen(t.backend().buffer()).contains("END"));
    press(&mut s, KeyCode::Char('w'));
    let t = render(&mut s, 80, 24);
    let text = screen(t.backend().buffer());
    assert!(text.contains("END"), "{text}");
    let xs: usize = text.matches('x').count();
    assert!(xs >= 300, "{xs} of 300 x on screen:\n{text}");
    insta::assert_snapshot!("logs_wrapped", t.backend());
}

#[test]
fn enter_pretty_prints_a_json_line() {
    let mut s = payments_logs(120, 40);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "panic");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Enter);
    let t = render(&mut s, 120, 40);
    let text = screen(t.backend().buffer());
    assert!(text.contains(r#""level": "error","#), "{text}");
    assert!(
        text.contains(r#""msg": "panic: missing env PAYMENTS_API_KEY","#),
        "{text}"
    );
    assert!(text.contains("revision"), "{text}");
    insta::assert_snapshot!("logs_json_detail", t.backend());
}

#[test]
fn the_title_says_how_lines_are_read_and_what_went_wrong() {
    let mut s = payments_logs(120, 40);
    let g = s.ctx.logs.generation;
    let polling = TailStatus {
        mode: TailMode::Polling {
            every: Ms::secs(2),
            why: "the endpoint does not serve Live Tail (HTTP 404)".into(),
        },
        disconnected_since: Some(s.now - Ms(12_000)),
        sampled: 3,
        undecodable: 1,
    };
    let _ = update(&mut s, Msg::LogStatus(g, polling));
    let t = render(&mut s, 120, 40);
    let text = screen(t.backend().buffer());
    assert!(text.contains("polling 2s"), "{text}");
    assert!(text.contains("disconnected 12s"), "{text}");
    assert!(text.contains("AWS sampled 3 updates"), "{text}");
    assert!(text.contains("1 undecodable"), "{text}");
    assert!(text.contains("does not serve Live Tail"), "{text}");
    let y = (0..40)
        .find(|&y| row(t.backend().buffer(), y).contains("disconnected"))
        .unwrap();
    let r = row(t.backend().buffer(), y);
    let x = r[..r.find('⚡').unwrap()].chars().count() as u16;
    assert_eq!(t.backend().buffer()[(x, y)].fg, dark().alarm);
}

#[test]
fn a_backlog_load_shows_its_progress() {
    let mut s = payments_logs(120, 40);
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "since 6h");
    press(&mut s, KeyCode::Enter);
    let g = s.ctx.logs.generation;
    let b = Backlog {
        label: "since 08:14:30 UTC".into(),
        lines: 12_345,
        pages: 14,
        elapsed: Ms(3_200),
        end: None,
    };
    let _ = update(&mut s, Msg::LogBacklog(g, b));
    let t = render(&mut s, 120, 40);
    let text = screen(t.backend().buffer());
    assert!(
        text.contains("loading since 08:14:30 UTC: 12345 lines · 14 pages · 3.2s · Esc stops"),
        "{text}"
    );
}
