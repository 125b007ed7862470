//! Property tests: no log line can break the logs pane. Any bytes (decoded as the SDK would,
//! lossily), terminal escape sequences, very long lines, wide and zero-width characters, bidi
//! controls and JSON of any shape go in; the pane, its wrapped form, a filter with context and
//! the line's detail are drawn at any size from 80x24; nothing panics, no control character
//! reaches a cell, and the frame's chrome stays where it is.

use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{LogChunk, LogLine};
use deckwatch::state::{Msg, State, Viewport, update};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::testkit::EPOCH;

/// Pieces a hostile or broken line is made of.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 =:{}\",.-]{0,40}",
        Just("\u{1b}[2J\u{1b}[31m".to_string()),
        Just("\u{1b}]52;c;aGk=\u{7}".to_string()),
        Just("\r\n\t\u{8}\u{7f}\u{0}".to_string()),
        Just("日本語の行".to_string()),
        Just("👍🏽🇫🇷👨‍👩‍👧".to_string()),
        Just("e\u{301}\u{200b}\u{200d}\u{feff}".to_string()),
        Just("\u{202e}evil\u{202c}\u{2066}x\u{2069}".to_string()),
        Just("{\"level\":\"error\",\"msg\":\"".to_string()),
        Just("\"}".to_string()),
        Just("\u{fffd}\\ud800".to_string()),
        proptest::collection::vec(any::<u8>(), 0..60)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        (1usize..40).prop_map(|n| "x".repeat(n * 500)),
        (1usize..20).prop_map(|n| "界".repeat(n * 100)),
    ]
}

fn message() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..6).prop_map(|p| p.concat())
}

fn press(s: &mut State, code: KeyCode) {
    let _ = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn draw(s: &mut State, w: u16, h: u16) -> Terminal<TestBackend> {
    let theme = crate::support::screen::dark();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut v = Viewport::default();
    t.draw(|f| v = deckwatch::ui::draw(f, s, &theme)).unwrap();
    let _ = update(s, Msg::Layout(v));
    t
}

/// No cell holds a control character, and the header and the pane's frame are in place.
fn sane(t: &Terminal<TestBackend>) -> Result<(), TestCaseError> {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            prop_assert!(
                !sym.chars().any(|c| c.is_control()),
                "control character in cell {x},{y}: {sym:?}"
            );
        }
    }
    let row = |y: u16| -> String { (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect() };
    prop_assert!(row(0).starts_with(" deckwatch"), "{}", row(0));
    prop_assert!(row(2).starts_with('╭'), "{}", row(2));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_log_line_breaks_the_pane(
        messages in proptest::collection::vec(message(), 1..12),
        w in 80u16..200,
        h in 24u16..60,
        filter in "[a-z]{1,3}",
    ) {
        let mut s = StateBuilder::demo(EPOCH).with_services().build();
        let _ = update(&mut s, Msg::Resize(w, h));
        press(&mut s, KeyCode::Char('5'));
        let lines: Vec<LogLine> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| LogLine {
                at: EPOCH + Ms(i as i64),
                task_id: format!("t{i}\u{1b}[0m"),
                revision: i as u32,
                message: m.clone(),
            })
            .collect();
        let g = s.ctx.logs.generation;
        let _ = update(&mut s, Msg::LogFeed(g, Box::new(LogChunk::from_lines(&lines)), EPOCH));
        // Stored cleaned: no control character but the newlines the detail view splits on.
        for seq in s.ctx.logs.buf.first_seq()..s.ctx.logs.buf.end_seq() {
            let l = s.ctx.logs.buf.get(seq).unwrap();
            prop_assert!(!l.message.chars().any(|c| c.is_control() && c != '\n'), "{:?}", l.message);
            prop_assert!(l.message.len() <= deckwatch::model::MAX_LINE);
        }
        sane(&draw(&mut s, w, h))?;
        press(&mut s, KeyCode::Char('w'));
        sane(&draw(&mut s, w, h))?;
        press(&mut s, KeyCode::Char('/'));
        for c in filter.chars() {
            press(&mut s, KeyCode::Char(c));
        }
        press(&mut s, KeyCode::Enter);
        press(&mut s, KeyCode::Char('c'));
        press(&mut s, KeyCode::Char('g'));
        sane(&draw(&mut s, w, h))?;
        press(&mut s, KeyCode::Char('n'));
        press(&mut s, KeyCode::Enter);
        sane(&draw(&mut s, w, h))?;
    }
}
