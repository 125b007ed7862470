//! The logs pane's keys and commands: the filter over messages and tags, context and `n`/`N`
//! with the counter, `g`/`G`, wrap, timestamps, the line detail, copy and save, what is
//! followed (`:logs GROUP`, `:pattern`, `:since`, `:range`) and the worker's messages.

use super::helpers::*;
use crossterm::event::KeyCode;
use deckwatch::model::Ms;
use deckwatch::model::{LogChunk, LogLine, LogTarget};
use deckwatch::state::logs::{Backlog, BacklogEnd, LogStart, Stamps, TailMode, TailStatus};
use deckwatch::state::{Effect, Mode, Msg, Pane, State, Viewport, update};

/// Line i: task t{i % 3}, revision 42 or 43, every 10th an ERROR, every 7th a WARN.
fn line(i: usize) -> LogLine {
    let message = if i.is_multiple_of(10) {
        format!("ERROR upstream refused request {i}")
    } else if i.is_multiple_of(7) {
        format!("WARN slow answer {i}")
    } else {
        format!("INFO served request {i}")
    };
    LogLine {
        at: EPOCH + Ms(i as i64 * 1000),
        task_id: format!("task{}aaaaaaaa", i % 3),
        revision: 42 + (i % 2) as u32,
        message,
    }
}

/// The logs pane of payments, holding `n` lines, its screen `rows` lines high.
fn logs_with(n: usize, rows: u16) -> State {
    let mut s = loaded();
    select(&mut s, "prod-core", "payments");
    press(&mut s, KeyCode::Char('5'));
    let layout = Viewport {
        list_rows: rows,
        ..Viewport::default()
    };
    let _ = update(&mut s, Msg::Layout(layout));
    let g = s.ctx.logs.generation;
    let lines: Vec<LogLine> = (0..n).map(line).collect();
    let _ = update(
        &mut s,
        Msg::LogFeed(g, Box::new(LogChunk::from_lines(&lines)), EPOCH),
    );
    s
}

fn filter(s: &mut State, text: &str) {
    press(s, KeyCode::Char('/'));
    type_text(s, text);
    press(s, KeyCode::Enter);
}

fn palette(s: &mut State, text: &str) -> Vec<Effect> {
    press(s, KeyCode::Char(':'));
    type_text(s, text);
    press(s, KeyCode::Enter)
}

fn selected_message(s: &State) -> String {
    s.ctx.logs.selected().unwrap().message.to_string()
}

#[test]
fn the_filter_takes_alternatives_exclusions_and_the_task_and_revision_tags() {
    let mut s = logs_with(100, 20);
    filter(&mut s, "ERROR|WARN");
    // 10 errors (0, 10, …, 90) and the WARNs at multiples of 7 that are not of 10.
    let warns = (0..100).filter(|i| i % 7 == 0 && i % 10 != 0).count();
    assert_eq!(s.ctx.logs.search.matches.len(), 10 + warns);
    assert_eq!(s.ctx.logs.shown_len(), 10 + warns);
    filter_clear(&mut s);
    filter(&mut s, "r43");
    assert_eq!(s.ctx.logs.shown_len(), 50, "odd lines are revision 43");
    filter_clear(&mut s);
    filter(&mut s, "task1|!ERROR");
    let want = (0..100).filter(|i| i % 3 == 1 && i % 10 != 0).count();
    assert_eq!(s.ctx.logs.shown_len(), want);
    // The new lines of the follow are checked as they come.
    let g = s.ctx.logs.generation;
    let more: Vec<LogLine> = (100..110).map(line).collect();
    let _ = update(
        &mut s,
        Msg::LogFeed(g, Box::new(LogChunk::from_lines(&more)), EPOCH),
    );
    let want = (0..110).filter(|i| i % 3 == 1 && i % 10 != 0).count();
    assert_eq!(s.ctx.logs.shown_len(), want);
}

fn filter_clear(s: &mut State) {
    press(s, KeyCode::Esc);
    assert!(!s.ctx.logs.search.is_active());
}

#[test]
fn context_shows_every_line_and_n_jumps_between_matches_with_a_counter() {
    let mut s = logs_with(100, 20);
    filter(&mut s, "ERROR");
    assert_eq!(s.ctx.logs.shown_len(), 10);
    press(&mut s, KeyCode::Char('c'));
    assert!(s.ctx.logs.context);
    assert_eq!(s.ctx.logs.shown_len(), 100, "context shows every line");
    // Following: the selection is the newest line (99), not a match.
    assert_eq!(s.ctx.logs.counter().as_deref(), Some("-/10"));
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(selected_message(&s), "ERROR upstream refused request 90");
    assert_eq!(s.ctx.logs.counter().as_deref(), Some("10/10"));
    assert!(!s.ctx.logs.follow, "jumping pauses the tail");
    press(&mut s, KeyCode::Char('N'));
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(selected_message(&s), "ERROR upstream refused request 70");
    assert_eq!(s.ctx.logs.counter().as_deref(), Some("8/10"));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(selected_message(&s), "ERROR upstream refused request 80");
    // From the last match, n goes round to the first and says so.
    press(&mut s, KeyCode::Char('n'));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(selected_message(&s), "ERROR upstream refused request 0");
    assert!(s.flash.as_ref().unwrap().0.contains("back to the first"));
    // The selected line stays selected when context goes off.
    press(&mut s, KeyCode::Char('c'));
    assert_eq!(s.ctx.logs.shown_len(), 10);
    assert_eq!(selected_message(&s), "ERROR upstream refused request 0");
    assert_eq!(s.ctx.logs.counter().as_deref(), Some("1/10"));
}

#[test]
fn g_goes_to_the_oldest_line_with_a_full_screen_and_g_follows_again() {
    let mut s = logs_with(100, 20);
    press(&mut s, KeyCode::Char('g'));
    assert!(!s.ctx.logs.follow);
    assert_eq!(s.ctx.logs.cursor_pos(), 0);
    // The screen is full from the top: the bottom line is the 20th, not the first.
    assert_eq!(s.ctx.logs.bottom_pos(), 19);
    press(&mut s, KeyCode::Char('j'));
    assert_eq!((s.ctx.logs.cursor_pos(), s.ctx.logs.bottom_pos()), (1, 19));
    press(&mut s, KeyCode::PageDown);
    assert_eq!((s.ctx.logs.cursor_pos(), s.ctx.logs.bottom_pos()), (21, 21));
    press(&mut s, KeyCode::Char('G'));
    assert!(s.ctx.logs.follow);
    assert_eq!(s.ctx.logs.cursor_pos(), 99);
    // Moving up pauses; new lines then keep the screen where it was.
    press(&mut s, KeyCode::Char('k'));
    let at = s.ctx.logs.selected().unwrap().seq;
    let g = s.ctx.logs.generation;
    let more: Vec<LogLine> = (100..150).map(line).collect();
    let _ = update(
        &mut s,
        Msg::LogFeed(g, Box::new(LogChunk::from_lines(&more)), EPOCH),
    );
    assert_eq!(s.ctx.logs.selected().unwrap().seq, at);
    assert!(!s.ctx.logs.follow);
}

#[test]
fn wrap_timestamps_and_the_line_detail() {
    let mut s = logs_with(10, 20);
    press(&mut s, KeyCode::Char('w'));
    assert!(s.ctx.logs.wrap);
    let cycle: Vec<Stamps> = (0..4)
        .map(|_| {
            press(&mut s, KeyCode::Char('t'));
            s.ctx.logs.stamps
        })
        .collect();
    assert_eq!(
        cycle,
        vec![Stamps::Local, Stamps::Relative, Stamps::Off, Stamps::Utc]
    );
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Detail);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn y_copies_the_selected_line_with_its_tags_unless_the_config_says_not_to() {
    let mut s = logs_with(10, 20);
    let fx = press(&mut s, KeyCode::Char('y'));
    let copied: Vec<&String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Clipboard(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(copied.len(), 1);
    assert!(
        copied[0].ends_with("task0aaaaaaaa r43 INFO served request 9"),
        "{}",
        copied[0]
    );
    s.ctx.logs.osc52 = false;
    let fx = press(&mut s, KeyCode::Char('y'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Clipboard(_))));
    assert!(s.flash.as_ref().unwrap().0.contains("osc52 = false"));
}

#[test]
fn save_hands_the_kept_lines_to_a_worker() {
    let mut s = logs_with(100, 20);
    filter(&mut s, "ERROR");
    let fx = palette(&mut s, "save /tmp/x.log");
    let job = fx
        .iter()
        .find_map(|e| match e {
            Effect::SaveLogs(j) => Some(j.clone()),
            _ => None,
        })
        .expect("a save effect");
    assert_eq!(job.lines(), 10);
    assert_eq!(job.path, std::path::PathBuf::from("/tmp/x.log"));
    assert!(job.header.contains("/ERROR"), "{}", job.header);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.log");
    let job = deckwatch::state::logs::LogSave {
        path: path.clone(),
        ..*job
    };
    let said = deckwatch::workers::log_save::write(&job).unwrap();
    assert_eq!(said.lines, 10);
    assert!(said.to_string().starts_with("saved 10 lines"), "{said}");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "{text}");
    assert!(
        lines[1].contains(" task0aaaaaaaa r42 ERROR upstream refused request 0"),
        "{text}"
    );
}

#[test]
fn palette_words_change_what_the_worker_follows() {
    let mut s = logs_with(10, 20);
    let g0 = s.ctx.logs.generation;
    let fx = palette(&mut s, "pattern { $.level = \"error\" }");
    let w = the_watch(&fx);
    let f = w.logs.expect("the logs are followed");
    assert_eq!(f.pattern.as_deref(), Some("{ $.level = \"error\" }"));
    assert!(f.generation > g0);
    assert!(s.ctx.logs.buf.is_empty(), "the lines of the old pattern go");

    let fx = palette(&mut s, "since 1h");
    let f = the_watch(&fx).logs.unwrap();
    assert_eq!(f.start, LogStart::Since(s.now - Ms(3_600_000)));
    palette(&mut s, "since soon");
    assert!(s.flash.as_ref().unwrap().0.contains("not a duration"));

    let fx = palette(&mut s, "range 2h 1h");
    let f = the_watch(&fx).logs.unwrap();
    assert_eq!(
        f.start,
        LogStart::Range(s.now - Ms(7_200_000), s.now - Ms(3_600_000))
    );
    assert!(!s.ctx.logs.follow);

    let fx = palette(&mut s, "logs /aws/lambda/orders");
    let f = the_watch(&fx).logs.unwrap();
    assert_eq!(f.target, LogTarget::Group("/aws/lambda/orders".into()));
    assert_eq!(s.ctx.pane, Pane::Logs);
}

#[test]
fn a_service_and_its_canary_are_followed_as_one() {
    let mut s = loaded();
    select(&mut s, "prod-core", "search-canary");
    let fx = press(&mut s, KeyCode::Char('5'));
    let f = the_watch(&fx).logs.unwrap();
    assert_eq!(
        f.target,
        LogTarget::Service {
            primary: key_of("prod-core", "search"),
            canary: Some(key_of("prod-core", "search-canary")),
        }
    );
}

#[test]
fn esc_stops_a_backlog_load_and_the_worker_is_told() {
    let mut s = logs_with(10, 20);
    palette(&mut s, "since 6h");
    let g = s.ctx.logs.generation;
    let loading = Backlog {
        label: "since 08:00:00 UTC".into(),
        lines: 1200,
        pages: 3,
        elapsed: Ms(2_500),
        end: None,
    };
    let _ = update(&mut s, Msg::LogBacklog(g, loading.clone()));
    let fx = press(&mut s, KeyCode::Esc);
    assert!(the_watch(&fx).logs.unwrap().cancel_backlog);
    let done = Backlog {
        end: Some(BacklogEnd::Cancelled),
        ..loading
    };
    let _ = update(&mut s, Msg::LogBacklog(g, done));
    assert!(!s.ctx.logs.cancel_backlog);
    assert_eq!(
        s.ctx.logs.backlog.as_ref().unwrap().end,
        Some(BacklogEnd::Cancelled)
    );
}

#[test]
fn messages_of_an_older_follow_are_dropped() {
    let mut s = logs_with(10, 20);
    let old = s.ctx.logs.generation;
    palette(&mut s, "since 15m");
    assert!(s.ctx.logs.generation > old);
    let stale: Vec<LogLine> = (0..5).map(line).collect();
    let _ = update(
        &mut s,
        Msg::LogFeed(old, Box::new(LogChunk::from_lines(&stale)), EPOCH),
    );
    assert!(s.ctx.logs.buf.is_empty());
    let status = TailStatus {
        mode: TailMode::Live,
        ..Default::default()
    };
    let _ = update(&mut s, Msg::LogStatus(old, status.clone()));
    assert_eq!(s.ctx.logs.status, TailStatus::default());
    let now = s.ctx.logs.generation;
    let _ = update(&mut s, Msg::LogStatus(now, status.clone()));
    assert_eq!(s.ctx.logs.status, status);
}

/// `:LINE` typed in the palette, the save it asks for carried out by the worker, and what the
/// console then says.
async fn save_via_palette(s: &mut State, line: &str) -> String {
    let fx = palette(s, line);
    if let Some(job) = fx.into_iter().find_map(|e| match e {
        Effect::SaveLogs(j) => Some(j),
        _ => None,
    }) {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        deckwatch::workers::log_save::save(*job, tx).await;
        let _ = update(s, rx.recv().await.expect("the save's outcome"));
    }
    s.flash.as_ref().map(|f| f.0.clone()).unwrap_or_default()
}

#[tokio::test]
async fn save_refuses_to_overwrite_unless_asked_and_replaces_through_a_new_file() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mut s = logs_with(10, 20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.log");
    std::fs::write(&path, "precious\n").unwrap();
    // A second name for the old file: what it holds shows whether the file was rewritten in
    // place (a failed write would have lost it) or replaced by a new one.
    let old = dir.path().join("old-inode");
    std::fs::hard_link(&path, &old).unwrap();
    let said = save_via_palette(&mut s, &format!("save {}", path.display())).await;
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "precious\n",
        "{said}"
    );
    assert!(said.contains("exists") && said.contains(":save!"), "{said}");
    let said = save_via_palette(&mut s, &format!("save! {}", path.display())).await;
    assert!(said.starts_with("saved 10 lines to "), "{said}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 11, "{text}");
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "precious\n");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_ne!(meta.ino(), std::fs::metadata(&old).unwrap().ino());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

#[tokio::test]
async fn save_never_follows_a_symlink_and_says_the_absolute_path() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = logs_with(10, 20);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("authorized_keys");
    std::fs::write(&target, "ssh-ed25519 AAAA\n").unwrap();
    let link = dir.path().join("logs.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for line in ["save", "save!"] {
        let said = save_via_palette(&mut s, &format!("{line} {}", link.display())).await;
        assert!(said.contains("symbolic link"), "{said}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "ssh-ed25519 AAAA\n"
        );
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    }
    // A new file, named relative to the working directory: 0600, and said with its directory.
    let name = format!("target/deckwatch-save-test-{}.log", std::process::id());
    let said = save_via_palette(&mut s, &format!("save {name}")).await;
    let abs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&name);
    let mode = std::fs::metadata(&abs).map(|m| m.permissions().mode() & 0o777);
    let _ = std::fs::remove_file(&abs);
    assert_eq!(said, format!("saved 10 lines to {}", abs.display()));
    assert_eq!(mode.unwrap(), 0o600);
}
