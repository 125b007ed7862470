//! Runs the real binary on the demo fleet in a pseudo-terminal and reads the screen the way a
//! person would see it.

use crate::support::pty::Console;

#[test]
fn demo_console_switches_panes_filters_shows_help_and_quits_cleanly() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    c.wait_for("checkout");
    c.wait_for("‖ PAUSED");

    c.send("2");
    c.wait_for("╭ tasks (");
    c.wait_for("RUNNING");

    c.send("1");
    c.wait_for("services (13)");

    c.send("/");
    c.send("pay");
    c.wait_for("services (1 of 13)");
    let screen = c.screen();
    assert!(screen.contains("payments"), "{screen}");
    assert!(
        !screen.contains("checkout"),
        "the filter should hide other services:\n{screen}"
    );
    c.send("\r"); // keep the filter, leave typing mode

    c.send("?");
    c.wait_for("Esc to close");
    let screen = c.screen();
    assert!(
        screen.contains("command palette"),
        "help lists the key map:\n{screen}"
    );

    c.send("\x1b");
    c.wait_gone("Esc to close");
    assert!(
        c.screen().contains("services (1 of 13)"),
        "Esc closed only the help"
    );

    c.send("q");
    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    // The terminal was restored: the alternate screen is left.
    assert!(
        !c.alternate_screen(),
        "still on the alternate screen after exit"
    );
}

#[test]
fn ctrl_c_quits_even_while_typing_a_filter() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    c.send("/");
    c.send("ap");
    c.send("\x03");
    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn read_only_shows_its_badge_and_refuses_actions() {
    let mut c = Console::spawn(&["--demo", "--read-only"], &[]);
    c.wait_for("READ-ONLY");
    c.wait_for("services (13)");
    c.send("P");
    c.wait_for("refused: the console is read-only");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn sigterm_restores_the_terminal_and_exits() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    assert!(c.alternate_screen());
    let pid = c.pid();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = c.wait_exit();
    // A clean exit, with the status shells give a process SIGTERM ended: 128 + 15.
    assert_eq!(status.exit_code(), 143, "{status:?}");
    assert!(!c.alternate_screen(), "the terminal was not restored");
}

#[test]
fn a_prod_context_paints_the_header() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("c.toml");
    std::fs::write(&cfg, "[[context]]\nname = \"prod-eu\"\nprod = true\n").unwrap();
    let mut c = Console::spawn(
        &[
            "--demo",
            "--context",
            "prod-eu",
            "--config",
            cfg.to_str().unwrap(),
        ],
        &[],
    );
    c.wait_for("ctx prod-eu");
    c.wait_for(" PROD ");
    // The whole header row is painted in the theme's prod colour, and the badge stands out.
    let prod = theme_rgb("prod");
    let header = c.screen().lines().next().unwrap_or_default().to_string();
    let width = header.chars().count() as u16;
    for col in [0, width / 2, 119] {
        let cell = c.cell(0, col).expect("a header cell");
        assert_eq!(cell.bgcolor(), prod, "column {col} of {header:?}");
    }
    let badge = header.find(" PROD ").expect("the badge") as u16;
    let cell = c.cell(0, badge + 1).expect("the badge's cell");
    assert_eq!(cell.contents(), "P");
    assert!(cell.inverse() && cell.bold(), "{cell:?}");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn a_context_not_marked_prod_keeps_the_plain_header() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("ctx demo");
    let cell = c.cell(0, 0).expect("a header cell");
    assert_eq!(cell.bgcolor(), theme_rgb("header_bg"));
    assert_ne!(theme_rgb("header_bg"), theme_rgb("prod"));
    assert!(!c.screen().contains(" PROD "));
    c.send("q");
    assert!(c.wait_exit().success());
}

/// A colour of the default (dark) theme, as the terminal receives it.
fn theme_rgb(name: &str) -> vt100::Color {
    let theme = include_str!("../../themes/dark.toml");
    let hex = theme
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} = \"#")))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no {name} colour in the dark theme"));
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex");
    vt100::Color::Rgb(byte(0), byte(2), byte(4))
}

#[test]
fn promoting_the_waiting_canary_moves_the_rollout_on() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("‖ PAUSED");
    c.send("/");
    c.send("checkout");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send("P");
    c.wait_for("promote prod-edge/checkout?");
    assert!(
        c.screen().contains("action=CONTINUE"),
        "the dialog names the call:\n{}",
        c.screen()
    );
    c.send("y");
    c.wait_for("promote prod-edge/checkout: sent");
    // The canary step: 10 % of production traffic on the new revision.
    c.wait_for("CANARY ");
    c.wait_for(" 10%");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn a_rollback_shows_the_wait_until_stable_then_its_outcome() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    // The first row, prod-core/api, finished its last deployment: R goes to the revision below.
    c.send("R");
    c.wait_for("roll back prod-core/api?");
    c.send("y");
    c.wait_for("roll back prod-core/api: waiting until api is stable");
    c.wait_for("running on api:117");
    c.wait_for("roll back prod-core/api: stable after");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn the_rollout_view_compares_the_canary_and_diff_shows_what_changed() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("‖ PAUSED");
    c.send("/");
    c.send("checkout");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send("\r");
    // The evidence worker reads both sides' figures while the view is open.
    c.wait_for("evidence canary 5xx");
    c.wait_for("primary checkout:57");
    c.send(":diff\r");
    c.wait_for("diff checkout:57 → checkout:58");
    c.wait_for("RELEASE (value changed)");
    c.send("\x1b");
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn b_then_y_starts_a_build_the_builds_pane_follows_to_success() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("services (13)");
    // prod-core/api is selected: its build dialog, with the workflow's inputs read.
    c.send("B");
    c.wait_for("start a build of prod-core/api?");
    c.wait_for("run_tests");
    c.wait_for("POST /repos/acme/api/actions/workflows/build.yml/dispatches");
    c.send("y");
    c.wait_for("the builds pane (6) follows the run");
    c.send("6");
    c.wait_for("╭ builds (");
    // The new run is the newest: dispatched by the console, then queued or running.
    c.wait_for("dispatch");
    let screen = c.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("acme/api build.yml") && l.contains("dispatch"))
        .unwrap_or_else(|| panic!("the new run is not listed:\n{screen}"))
        .to_string();
    assert!(
        row.contains("queued") || row.contains("in progress"),
        "{row}"
    );
    // About 50 s on the demo's clock, which is the wall clock here.
    c.wait_until_long("the run's success", |s| {
        s.lines().any(|l| {
            l.contains("acme/api build.yml") && l.contains("dispatch") && l.contains("✓ success")
        })
    });
    c.send("q");
    assert!(c.wait_exit().success());
}

#[test]
fn two_jobs_at_once_jobs_lists_both_and_a_job_that_ends_reaches_the_terminal_as_osc_9() {
    let mut c = Console::spawn_sized(&["--demo"], &[], 160, 40);
    c.wait_for("‖ PAUSED");
    c.send("R");
    c.wait_for("roll back prod-core/api?");
    c.send("y");
    c.wait_for("roll back prod-core/api: waiting until api is stable");
    // A second action on another service while the first is watched: accepted.
    c.send("/");
    c.send("checkout");
    c.send("\r");
    c.wait_for("services (1 of 13)");
    c.send("P");
    c.wait_for("promote prod-edge/checkout?");
    c.confirm();
    c.wait_for("promote prod-edge/checkout: sent");
    c.send(":jobs\r");
    c.wait_for("x stops watching the selected job");
    let screen = c.screen();
    assert!(screen.contains("1 roll back prod-core/api"), "{screen}");
    assert!(screen.contains("2 promote prod-edge/checkout"), "{screen}");
    c.send("\x1b");
    // Each job that ends rings and raises a desktop notification through the terminal.
    c.wait_for_screen("the promote's notification", |_| {
        c.raw_contains("\u{1b}]9;deckwatch: promote prod-edge/checkout: job 2 sent")
    });
    c.wait_for("roll back prod-core/api: stable after");
    c.wait_for_screen("the rollback's notification", |_| {
        c.raw_contains("\u{1b}]777;notify;deckwatch: roll back prod-core/api;job 1 stable")
    });
    c.send("q");
    assert!(c.wait_exit().success());
}
