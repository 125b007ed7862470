//! What the screen says, checked on drawn frames: a long value does not take the columns away,
//! messages are read whole at 80×24, popups paint their margin, countdowns and states read as
//! words, task rows say when a task stopped, the builds pane is honest about skipped jobs and
//! keeps its columns still, and a huge log line does not hide a run's errors.

use crate::support::screen::{dark, row, screen};
use crate::support::testkit::StateBuilder;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::model::{
    Expectation, HookStatus, LogTail, Millis, RunDetail, RunStatus, ServiceKey, TaskStatus,
};
use deckwatch::model::{Op, OpReport};
use deckwatch::state::{Mode, Msg, Pane, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

const EPOCH: Millis = 1_790_000_000_000;
/// payments' bad rolling deployment is failing; checkout waits at its PAUSE hook.
const AT_S: i64 = 70;
/// A full commit sha, as builds tag their images.
const SHA: &str = "4f2c9a1b7e3d5f60812a9c4b3e7d1f0a5c6b8e92";

fn demo_at(secs: i64) -> StateBuilder {
    StateBuilder::demo(EPOCH)
        .at_seconds(secs)
        .fleet_context()
        .log_capacity(5_000, 1 << 20)
        .with_every_pane(2_000)
}

fn press(s: &mut State, code: KeyCode) {
    let m = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    let _ = update(s, Msg::Key(KeyEvent::new(code, m)));
}

/// Draws `s` at `w`×`h`; returns the buffer.
fn draw(s: &mut State, w: u16, h: u16) -> Buffer {
    let _ = update(s, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &dark());
    })
    .unwrap();
    t.backend().buffer().clone()
}

/// The rows from `from` down, trimmed and joined by spaces: a message wrapped over them reads
/// as one sentence.
fn joined(buf: &Buffer, from: u16) -> String {
    (from..buf.area.height)
        .map(|y| row(buf, y).trim().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn y_of(buf: &Buffer, needle: &str) -> u16 {
    (0..buf.area.height)
        .find(|&y| row(buf, y).contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not on screen:\n{}", screen(buf)))
}

/// The cell where `needle` starts on row `y`, counting cells.
fn x_of(buf: &Buffer, y: u16, needle: &str) -> u16 {
    let want: Vec<String> = needle.chars().map(String::from).collect();
    (0..buf.area.width)
        .find(|&x| {
            want.iter().enumerate().all(|(i, c)| {
                let xi = x + i as u16;
                xi < buf.area.width && buf[(xi, y)].symbol() == c
            })
        })
        .unwrap_or_else(|| panic!("{needle:?} is not on row {y}: {}", row(buf, y)))
}

fn select(s: &mut State, name: &str) {
    press(s, KeyCode::Char('g'));
    while s.ctx.selected_service().unwrap().name != name {
        let before = s.ctx.services.selected;
        press(s, KeyCode::Char('j'));
        assert_ne!(before, s.ctx.services.selected, "no service {name}");
    }
}

/// The services table's headers, as drawn.
fn headers(buf: &Buffer) -> Vec<String> {
    row(buf, 3)
        .trim_matches('│')
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// One long value

#[test]
fn a_full_sha_as_an_image_tag_is_cut_and_no_column_leaves_for_it() {
    for (w, h) in [(120, 40), (100, 30)] {
        let d = demo_at(AT_S);
        let mut s = d.build();
        let usual = headers(&draw(&mut s, w, h));
        let i = s
            .ctx
            .services
            .items
            .iter()
            .position(|x| x.name == "payments");
        s.ctx.services.items[i.unwrap()].image_tag = SHA.into();
        let buf = draw(&mut s, w, h);
        assert_eq!(headers(&buf), usual, "{w}x{h}:\n{}", screen(&buf));
        if usual.contains(&"IMAGE".to_string()) {
            let y = y_of(&buf, "payments");
            let payments = row(&buf, y);
            assert!(
                payments.contains(&SHA[..7]) && payments.contains('…'),
                "the tag is cut with an ellipsis: {payments}"
            );
        }
    }
}

#[test]
fn a_300_character_service_name_leaves_every_column_on_a_160_wide_screen() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    let long: String = "orders-".repeat(43);
    assert!(long.chars().count() >= 300);
    let i = s.ctx.services.items.iter().position(|x| x.name == "worker");
    s.ctx.services.items[i.unwrap()].name = long.clone();
    let buf = draw(&mut s, 160, 40);
    let all = [
        "NAME", "CLUSTER", "STATUS", "D/R/P", "ROLLOUT", "TASK", "DEF", "IMAGE", "AGE", "CPU",
        "MEM", "OWNER",
    ];
    assert_eq!(headers(&buf), all, "\n{}", screen(&buf));
    // Every row keeps its rollout and image, the long one too, whose name is cut with `…`.
    let y = y_of(&buf, "orders-orders-");
    assert!(row(&buf, y).contains("…"), "{}", row(&buf, y));
    assert!(row(&buf, y).contains("v1.64.0"), "{}", row(&buf, y));
    assert!(row(&buf, y_of(&buf, "api:118")).contains("COMPLETED"));
}

// ---------------------------------------------------------------------------------------------
// Messages at 80×24

#[test]
fn a_refusal_too_long_for_one_row_is_read_whole_at_80x24() {
    // payments was rolled back by its circuit breaker: R says why it offers nothing older.
    let d = demo_at(400);
    let mut s = d.build();
    select(&mut s, "payments");
    press(&mut s, KeyCode::Char('R'));
    let (msg, _) = s.flash.clone().expect("R says why not");
    assert!(msg.chars().count() > 80, "{msg}");
    let buf = draw(&mut s, 80, 24);
    let bottom = joined(&buf, 18);
    assert!(bottom.contains(&msg), "{msg:?} is cut:\n{}", screen(&buf));
}

#[test]
fn the_activity_line_is_read_whole_at_80x24() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "api");
    press(&mut s, KeyCode::Char('R'));
    press(&mut s, KeyCode::Char('y'));
    let done = Msg::ActionDone(deckwatch::state::jobs::JobDone::of(
        s.ctx.jobs.newest().map_or(0, |j| j.id),
        Ok("sent".into()),
    ));
    let _ = update(&mut s, done);
    let buf = draw(&mut s, 80, 24);
    let bottom = joined(&buf, 19);
    assert!(
        bottom.contains("no deployment of api:117 yet"),
        "the line is cut:\n{}",
        screen(&buf)
    );
}

// ---------------------------------------------------------------------------------------------
// Popups

#[test]
fn a_popup_paints_the_column_either_side_of_its_border() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "checkout");
    press(&mut s, KeyCode::Char('P'));
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    let buf = draw(&mut s, 80, 24);
    let top = y_of(&buf, "promote prod-edge/checkout?");
    let left = x_of(&buf, top, "┌");
    let right = x_of(&buf, top, "┐");
    let bottom = (top..buf.area.height)
        .find(|&y| buf[(left, y)].symbol() == "└")
        .expect("the popup's bottom");
    for y in top + 1..bottom {
        for x in [left - 1, right + 1] {
            assert_eq!(
                buf[(x, y)].symbol(),
                " ",
                "the pane shows through at ({x}, {y}):\n{}",
                screen(&buf)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Words

#[test]
fn the_rows_countdown_reads_as_a_countdown_not_a_clock() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    let buf = draw(&mut s, 120, 40);
    let checkout = row(&buf, y_of(&buf, "checkout"));
    assert!(checkout.contains("rollback in 10m50s"), "{checkout}");
}

#[test]
fn a_rolling_abort_compares_new_against_before() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "payments");
    press(&mut s, KeyCode::Char('A'));
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    let text = screen(&draw(&mut s, 120, 60));
    assert!(text.contains("New against before"), "{text}");
    assert!(!text.contains("Canary against primary"), "{text}");
}

#[test]
fn a_native_abort_lists_no_change_that_changes_nothing_and_no_enum_names() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "checkout");
    press(&mut s, KeyCode::Char('A'));
    assert!(matches!(s.mode, Mode::Confirm(..)), "{:?}", s.flash);
    let text = screen(&draw(&mut s, 200, 50));
    assert!(text.contains("ROLLBACK_IN_PROGRESS"), "{text}");
    assert!(!text.contains("0%  →  0%"), "{text}");
    assert!(!text.contains("AwaitingAction"), "{text}");
    assert!(text.contains("awaiting action"), "{text}");
}

#[test]
fn a_refusal_names_the_hook_once_and_its_status_in_words() {
    let d = demo_at(AT_S);
    let s = d.build();
    let checkout = s.ctx.services.items.iter().find(|x| x.name == "checkout");
    let before = Expectation::of(checkout.unwrap());
    let mut after = before.clone();
    let (id, _) = before.hook.clone().expect("checkout waits at its hook");
    after.hook = Some((id.clone(), HookStatus::TimedOut));
    let changes = before.changes_since(&after).join("; ");
    assert_eq!(changes.matches(id.as_str()).count(), 1, "{changes}");
    assert!(changes.contains("awaiting action → timed out"), "{changes}");
    assert!(!changes.contains("TimedOut"), "{changes}");
}

#[test]
fn the_budget_keeps_each_operation_on_one_row() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    let op = Op::ElbDescribeLoadBalancers.name();
    s.budget = vec![OpReport {
        op: Op::ElbDescribeLoadBalancers,
        scope: String::new(),
        calls_last_minute: 7,
        rate: 5.0,
        max_rate: 5.0,
        deferred: 0,
        actions_deferred: 0,
        throttled: 3,
        by_caller: Vec::new(),
    }];
    s.mode = Mode::Budget;
    let buf = draw(&mut s, 120, 40);
    let line = row(&buf, y_of(&buf, "elasticloadbalancing"));
    assert!(line.contains(op), "{}", screen(&buf));
    // The popup's own part of the row (the pane shows on either side of it).
    let popup = line
        .split('│')
        .find(|seg| seg.contains(op))
        .unwrap_or_default();
    assert!(
        popup.contains(" 7 ") && popup.trim_end().ends_with('3'),
        "the figures are on the name's row: {line}"
    );
}

// ---------------------------------------------------------------------------------------------
// Task rows

#[test]
fn a_stopped_task_says_when_it_stopped_and_every_status_lines_up() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "payments");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.ctx.pane, Pane::Rollout);
    let key = s.ctx.rollout.clone().unwrap();
    let mut tasks = d.world().tasks();
    tasks.retain(|t| t.cluster == key.cluster && t.service == key.name);
    tasks.truncate(4);
    let now = s.now;
    tasks[0].last_status = TaskStatus::Provisioning;
    tasks[0].started_at = None;
    tasks[1].last_status = TaskStatus::Stopped;
    tasks[1].stopped_at = Some(now - 90_000);
    tasks[1].exit_code = Some(1);
    let _ = update(&mut s, Msg::Tasks(Some(key), tasks.clone(), now));
    let buf = draw(&mut s, 120, 60);
    let stopped = row(&buf, y_of(&buf, &tasks[1].id[..8]));
    assert!(stopped.contains("stopped 1m ago"), "{stopped}");
    assert!(!stopped.contains("started"), "{stopped}");
    // The word after the status starts in one column on every task's row.
    let columns: Vec<u16> = tasks
        .iter()
        .map(|t| {
            let y = y_of(&buf, &t.id[..8]);
            let word = if row(&buf, y).contains("stopped ") {
                "stopped "
            } else {
                "started "
            };
            x_of(&buf, y, word)
        })
        .collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{}",
        screen(&buf)
    );
}

#[test]
fn both_sides_of_a_pair_count_their_stopped_tasks_the_same_way() {
    let d = demo_at(AT_S);
    let mut s = d.build();
    select(&mut s, "search-canary");
    press(&mut s, KeyCode::Enter);
    let key = s.ctx.rollout.clone().unwrap();
    // What the rollout view's poll brings for a pair: both services' tasks.
    let primary = ServiceKey {
        cluster: key.cluster.clone(),
        name: "search".into(),
    };
    let mut tasks = d.world().tasks();
    tasks.retain(|t| {
        t.cluster == key.cluster && (t.service == key.name || t.service == primary.name)
    });
    let now = s.now;
    let _ = update(&mut s, Msg::Tasks(Some(key), tasks, now));
    let text = screen(&draw(&mut s, 160, 60));
    let sides: Vec<&str> = text.lines().filter(|l| l.contains("stopped ")).collect();
    assert!(sides.len() >= 2, "{text}");
    assert!(sides.iter().all(|l| !l.contains("stopped -")), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Builds

/// The builds pane with the demo's runs.
fn builds_state() -> (StateBuilder, State) {
    let d = demo_at(AT_S);
    let mut s = d.build();
    let _ = update(&mut s, Msg::Resize(120, 40));
    let w = d.world();
    let runs = w.builds.runs.iter().map(|r| r.to_run(w.now)).collect();
    let workflows = s.builds.workflows(&s.ctx.services.items);
    let _ = update(&mut s, Msg::Runs(workflows, runs, w.now - 2_000));
    press(&mut s, KeyCode::Char('6'));
    (d, s)
}

#[test]
fn a_failed_run_whose_later_jobs_were_skipped_does_not_show_complete() {
    let (_, mut s) = builds_state();
    let buf = draw(&mut s, 120, 40);
    let failed = row(&buf, y_of(&buf, "#1003"));
    assert!(failed.contains("failure"), "{failed}");
    assert!(failed.contains(" 1/4"), "{failed}");
    assert!(!failed.contains("4/4"), "{failed}");
}

#[test]
fn the_runs_columns_keep_their_places_when_a_run_starts() {
    let (_, mut s) = builds_state();
    let first = s.builds.runs.view[0];
    let run = &mut s.builds.runs.items[first];
    run.status = RunStatus::Queued;
    run.conclusion = None;
    let queued = draw(&mut s, 120, 40);
    s.builds.runs.items[first].status = RunStatus::InProgress;
    let moving = draw(&mut s, 120, 40);
    for header in ["STATE", "BRANCH", "SHA", "STARTED", "TOOK", "JOBS"] {
        assert_eq!(
            x_of(&queued, 3, header),
            x_of(&moving, 3, header),
            "{header} moved:\n{}\n{}",
            row(&queued, 3),
            row(&moving, 3)
        );
    }
}

#[test]
fn a_10000_character_log_line_leaves_the_errors_on_screen() {
    let (d, mut s) = builds_state();
    let at = s
        .builds
        .runs
        .view
        .iter()
        .position(|&i| s.builds.runs.items[i].number == 1003)
        .unwrap();
    s.builds.runs.selected = at;
    press(&mut s, KeyCode::Enter);
    let run = s.selected_run().unwrap().clone();
    let sim = d.world().builds.runs.iter().find(|r| r.id == run.id);
    let sim = sim.unwrap();
    let jobs = sim.jobs(d.world().now);
    let failed = jobs.iter().find(|j| j.failed()).unwrap();
    let mut lines = sim.log(0);
    let errors = lines.iter().filter(|l| l.contains("##[error]")).count();
    assert!(errors > 0);
    let first_error = lines.iter().position(|l| l.contains("##[error]")).unwrap();
    lines.insert(first_error, "x".repeat(10_000));
    let detail = RunDetail {
        run: run.key(),
        log: Some(LogTail {
            job_id: failed.id,
            job: failed.name.clone(),
            lines,
        }),
        jobs,
    };
    let _ = update(&mut s, Msg::RunDetail(detail, d.world().now));
    let text = screen(&draw(&mut s, 120, 40));
    assert_eq!(text.matches("##[error]").count(), errors, "{text}");
    assert!(text.contains("more characters)"), "{text}");
}
