//! What the builds pane, a run's detail, the build dialog and the deploy dialog look like, on a
//! 120×40 `TestBackend` at a fixed time, and their colours on cells.

use crate::support::screen::{dark, row as line};
use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::Ms;
use deckwatch::model::{Conclusion, LogTail, RunDetail};
use deckwatch::state::{Mode, Msg, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::support::testkit::EPOCH;
const W: u16 = 120;
const H: u16 = 40;

fn key(s: &mut State, code: KeyCode) {
    let _ = update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The demo 70 s in, every pane loaded, the builds pane open with the seeded runs.
fn builds_state() -> (StateBuilder, State) {
    let d = StateBuilder::demo(EPOCH)
        .at_seconds(70)
        .fleet_context()
        .with_every_pane(Ms(2_000));
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(W, H));
    let w = d.world();
    let runs = w.builds.runs.iter().map(|r| r.to_run(w.now)).collect();
    let workflows = s.builds.workflows(&s.ctx.services.items);
    let _ = update(&mut s, Msg::Runs(workflows, runs, w.now - Ms(2_000)));
    key(&mut s, KeyCode::Char('6'));
    (d, s)
}

fn render(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &dark());
    })
    .unwrap();
    t
}

/// The cell where `needle` starts on the first row containing `row_text`.
fn find(buf: &Buffer, row_text: &str, needle: &str) -> (u16, u16) {
    let y = (0..buf.area.height)
        .find(|&y| line(buf, y).contains(row_text))
        .unwrap_or_else(|| panic!("{row_text:?} not on screen"));
    let l: Vec<String> = (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    let want: Vec<String> = needle.chars().map(String::from).collect();
    let x = (0..l.len())
        .find(|&x| {
            want.iter()
                .enumerate()
                .all(|(i, c)| l.get(x + i) == Some(c))
        })
        .unwrap_or_else(|| panic!("{needle:?} not on row {y}"));
    (x as u16, y)
}

fn select_failed(s: &mut State) {
    let at = s
        .builds
        .runs
        .view
        .iter()
        .position(|&i| s.builds.runs.items[i].conclusion == Some(Conclusion::Failure))
        .unwrap();
    s.builds.runs.selected = at;
}

#[test]
fn builds_pane() {
    let (_, s) = builds_state();
    let t = render(&s);
    insta::assert_snapshot!("builds_pane", t.backend());
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "acme/payments build.yml      #1003", "✗ failure");
    assert_eq!(buf[(x + 2, y)].fg, dark().alarm);
    let (x, y) = find(buf, "acme/web", "✓ success");
    assert_eq!(buf[(x + 2, y)].fg, dark().ok);
}

#[test]
fn the_failed_run_s_detail_marks_the_step_and_shows_the_log() {
    let (d, mut s) = builds_state();
    select_failed(&mut s);
    key(&mut s, KeyCode::Enter);
    let run = s.selected_run().unwrap().clone();
    let sim = d
        .world()
        .builds
        .runs
        .iter()
        .find(|r| r.id == run.id)
        .unwrap();
    let jobs = sim.jobs(d.world().now);
    let failed = jobs.iter().find(|j| j.failed()).unwrap();
    let detail = RunDetail {
        run: run.key(),
        log: Some(LogTail {
            job_id: failed.id,
            job: failed.name.clone(),
            lines: sim.log(0),
        }),
        jobs,
    };
    let _ = update(&mut s, Msg::RunDetail(detail, d.world().now));
    let t = render(&s);
    insta::assert_snapshot!("run_detail_failed", t.backend());
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "##[error]", "##[error]");
    assert_eq!(buf[(x, y)].fg, dark().alarm);
    find(buf, "Run tests", "◀ failed here");
    key(&mut s, KeyCode::Esc);
    assert!(s.builds.detail.is_none(), "Esc goes back to the runs");
}

#[test]
fn build_dialog_shows_the_inputs_and_the_exact_request() {
    let (_, mut s) = builds_state();
    key(&mut s, KeyCode::Char('1'));
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('B'), KeyModifiers::SHIFT)),
    );
    let Mode::Build(form) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    let w = form.source.workflow.clone();
    let _ = update(
        &mut s,
        Msg::BuildInputs(w, "main".into(), Ok(deckwatch::demo::builds::inputs())),
    );
    let t = render(&s);
    insta::assert_snapshot!("build_dialog", t.backend());
}

#[test]
fn deploy_dialog_shows_the_image_and_the_revision_from_to() {
    let (_, mut s) = builds_state();
    // The run before web's newest: its image is the one before the one web runs.
    let at = (0..s.builds.runs.view.len())
        .filter(|&p| {
            let r = &s.builds.runs.items[s.builds.runs.view[p]];
            r.workflow.repo == "acme/web" && r.succeeded()
        })
        .nth(1)
        .unwrap();
    s.builds.runs.selected = at;
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT)),
    );
    let t = render(&s);
    assert!(
        matches!(s.mode, Mode::Confirm(..)),
        "{:?} {:?}",
        s.mode,
        s.flash
    );
    insta::assert_snapshot!("deploy_dialog", t.backend());
}

#[test]
fn the_title_shows_a_low_quota_and_a_rate_limit_wait() {
    let (_, mut s) = builds_state();
    let now = s.now;
    s.builds.rate = Some(deckwatch::model::RateInfo {
        limit: 5000,
        remaining: 4000,
        reset_at: now + Ms(600_000),
    });
    let t = render(&s);
    assert!(
        !line(t.backend().buffer(), 2).contains("quota"),
        "plenty left: not shown"
    );
    s.builds.rate = Some(deckwatch::model::RateInfo {
        limit: 5000,
        remaining: 120,
        reset_at: now + Ms(600_000),
    });
    s.builds.waiting_until = Some(now + Ms(90_000));
    let t = render(&s);
    let title = line(t.backend().buffer(), 2);
    assert!(title.contains("GitHub quota 120/5000 left"), "{title}");
    assert!(title.contains("waiting until"), "{title}");
}

#[test]
fn without_a_token_the_pane_says_how_to_set_one() {
    let (_, mut s) = builds_state();
    s.builds.unavailable = Some(deckwatch::ci::github::token::HOW_TO_SET.into());
    let t = render(&s);
    let screen: String = (0..H).map(|y| line(t.backend().buffer(), y)).collect();
    assert!(screen.contains("GH_TOKEN"), "{screen}");
    assert!(screen.contains("token_command"), "{screen}");
}

#[test]
fn a_commit_sha_that_is_not_ascii_is_shown_by_characters_and_names_no_image() {
    let (_, mut s) = builds_state();
    // GitHub's shas are hex, but the console must not trust that: the seventh byte of this
    // one falls inside `é`, where cutting by bytes would panic.
    let sha = "abcdefé0123456789abcdef0123456789abcde";
    for r in &mut s.builds.runs.items {
        r.head_sha = sha.to_string();
    }
    let t = render(&s);
    let screen: String = (0..H).map(|y| line(t.backend().buffer(), y)).collect();
    assert!(screen.contains("abcdefé"), "{screen}");
    assert!(!screen.contains("abcdefé0"), "seven characters: {screen}");
    // The run's detail and the deploy key look for the images the run pushed: none.
    key(&mut s, KeyCode::Enter);
    let _ = render(&s);
    key(&mut s, KeyCode::Esc);
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT)),
    );
    let _ = render(&s);
    assert!(!matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
}
