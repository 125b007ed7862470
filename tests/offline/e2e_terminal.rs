//! The real binary in a PTY: the mouse (capture on and off, a click on a tab), the terminal
//! resized under a rollout view, and `[keys]` from a config file.

use crate::support::pty::Console;

fn config(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn the_mouse_is_captured_while_running_and_released_on_exit() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    assert!(c.mouse_captured(), "mouse capture is on by default");
    let (x, y) = c.find("4 alarms").expect("the alarms tab");
    c.click(x + 1, y);
    c.wait_for("╭ alarms (");
    c.send("q");
    assert!(c.wait_exit().success());
    assert!(!c.mouse_captured(), "mouse capture was left on after exit");
}

#[test]
fn sigterm_releases_the_mouse_too() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    assert!(c.mouse_captured());
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &c.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // 128 + 15, as shells report a process SIGTERM ended.
    assert_eq!(c.wait_exit().exit_code(), 143);
    assert!(
        !c.mouse_captured(),
        "mouse capture was left on after SIGTERM"
    );
}

/// SIGQUIT and SIGUSR1 (and the other signals that end a process and can be caught) end the
/// console the way SIGTERM does: the terminal back as it was, then 128 + the signal's number.
#[test]
fn signals_that_end_the_process_restore_the_terminal_first() {
    for (name, number) in [("QUIT", 3), ("USR1", 10), ("USR2", 12), ("ALRM", 14)] {
        let mut c = Console::spawn(&["--demo"], &[]);
        c.wait_for("╭ services (");
        assert!(c.raw_mode() && c.mouse_captured() && c.alternate_screen());
        let sent = std::process::Command::new("kill")
            .args([&format!("-{name}"), &c.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert_eq!(c.wait_exit().exit_code(), 128 + number, "SIG{name}");
        assert!(!c.raw_mode(), "SIG{name} left the terminal raw");
        assert!(!c.alternate_screen(), "SIG{name} left the alternate screen");
        assert!(!c.mouse_captured(), "SIG{name} left mouse reporting on");
    }
}

#[test]
fn mouse_false_leaves_the_mouse_to_the_terminal() {
    let (_dir, path) = config("mouse = false\n");
    let mut c = Console::spawn(&["--demo", "--config", &path], &[]);
    c.wait_for("services (13)");
    assert!(
        !c.mouse_captured(),
        "mouse = false must not capture the mouse"
    );
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn rebound_keys_act_and_a_bad_entry_is_reported_in_the_footer() {
    let (_dir, path) = config("[keys.normal]\nhelp = \"F1\"\npromot = \"p\"\n");
    let mut c = Console::spawn(&["--demo", "--config", &path], &[]);
    c.wait_for(&format!("config: {path}:3:"));
    c.wait_for("unknown action");
    c.send("?");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!c.screen().contains("Esc to close"), "? is no longer help");
    c.send("\x1bOP"); // F1
    c.wait_for("Esc to close");
    let screen = c.screen();
    assert!(screen.contains(" F1 "), "the help lists F1:\n{screen}");
    c.send("\x1b");
    c.wait_gone("Esc to close");
    c.send("q");
    assert!(c.wait_exit().success());
    // The warning is in deckwatch's log too, with the file and line.
    let log = std::fs::read_to_string(c.home().join("state/deckwatch/deckwatch.log")).unwrap();
    assert!(
        log.contains(&format!("config: {path}:3:")) && log.contains("unknown action"),
        "{log}"
    );
}

/// Sizes from the smallest supported to a big one, in an order that grows and shrinks.
const SIZES: &[(u16, u16)] = &[
    (80, 24),
    (200, 60),
    (100, 30),
    (81, 25),
    (160, 50),
    (120, 40),
    (133, 37),
    (80, 24),
    (200, 60),
    (90, 26),
    (80, 24),
];

#[test]
fn resizing_under_a_rollout_view_keeps_drawing_names_and_the_rollout() {
    let mut c = Console::spawn_sized(&["--demo"], &[], 120, 40);
    c.wait_for("‖ PAUSED");
    c.send("/");
    c.send("checkout");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send("\r");
    c.wait_for("rollout of prod-edge/checkout");
    for &(cols, rows) in SIZES {
        c.resize(cols, rows);
        // Drawn again at the new size: the footer is on the new last row, the header on the
        // first, and the rollout view still shows the service and its hook.
        let last = rows as usize - 1;
        c.wait_for_screen(&format!("a redraw at {cols}×{rows}"), |s| {
            let lines: Vec<&str> = s.lines().collect();
            lines.len() > last
                // The header: its context never goes (at 80 columns the app's name does).
                && lines[0].contains("ctx demo")
                && lines[last].contains("down")
                && s.contains("rollout of prod-edge/checkout")
                && s.contains("manual-promote-gate")
        });
        assert!(
            c.running(),
            "deckwatch exited at {cols}×{rows}:\n{}",
            c.screen()
        );
    }
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn ctx_switches_the_demo_between_contexts_and_each_keeps_its_own_panes() {
    let (_dir, path) = config(
        "[[context]]\nname = \"staging-eu\"\nregion = \"eu-west-1\"\n\n\
         [[context]]\nname = \"prod-us\"\nregion = \"us-east-1\"\nprod = true\n",
    );
    let mut c = Console::spawn(
        &["--demo", "--context", "staging-eu", "--config", &path],
        &[],
    );
    c.wait_for("ctx staging-eu");
    c.wait_for("services (13)");
    c.send("/");
    c.send("pay");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send(":");
    c.send("ctx pr\t");
    c.wait_for(":ctx prod-us");
    c.send("\r");
    // The header changes at once, and the switch names the account once it is known.
    c.wait_for("ctx prod-us");
    c.wait_for(" PROD ");
    c.wait_for("now on context prod-us (PROD) · account ");
    c.wait_for("us-east-1");
    c.wait_for("services (13)");
    assert!(
        !c.screen().contains("1 of 11"),
        "staging's filter stayed:\n{}",
        c.screen()
    );
    c.send(":");
    c.send("ctx staging-eu\r");
    c.wait_for("ctx staging-eu");
    c.wait_for("services (1 of 13)");
    assert!(!c.screen().contains(" PROD "), "{}", c.screen());
    c.send("q");
    assert!(c.wait_exit().success());
}

/// An opener that writes the URL it was given beside itself, so the test reads what `o` sent.
fn opener() -> (tempfile::TempDir, String, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("opener.sh");
    let out = dir.path().join("opened");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", out.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = script.to_str().unwrap().to_string();
    (dir, script, out)
}

#[test]
fn names_are_osc8_links_the_screen_does_not_show_and_o_opens_the_selected_one() {
    let (_dir, script, opened) = opener();
    let mut c = Console::spawn(&["--demo"], &[("DECKWATCH_OPENER", &script)]);
    c.wait_for("services (13)");
    let link = "\u{1b}]8;;https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/";
    c.eventually("the names' OSC 8 links", || c.raw_contains(link));
    assert!(c.raw_contains("\u{1b}]8;;\u{1b}\\"), "each link is closed");
    // The visible text is the names, unchanged: nothing of the sequence reaches a cell.
    let screen = c.screen();
    assert!(
        !screen.contains("8;;") && !screen.contains("https://"),
        "{screen}"
    );
    let name_row = screen
        .lines()
        .find(|l| l.contains("prod-core"))
        .expect("a service row");
    assert!(name_row.starts_with("│"), "{name_row}");
    c.send("o");
    c.eventually("the opener ran", || opened.exists());
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.starts_with("https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/")
            && url.ends_with("/health?region=eu-west-1"),
        "{url}"
    );
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn links_false_writes_no_link_and_a_failing_opener_is_said_in_the_footer() {
    let (_dir, path) = config("[ui]\nlinks = false\n");
    let mut c = Console::spawn(
        &["--demo", "--config", &path],
        &[("DECKWATCH_OPENER", "/nonexistent/opener")],
    );
    c.wait_for("services (13)");
    c.send("j");
    c.wait_for("services (13)");
    c.send("o");
    c.wait_for("could not open the link");
    assert!(!c.raw_contains("\u{1b}]8;;"), "no OSC 8 with links = false");
    c.send("q");
    assert!(c.wait_exit().success());
}
