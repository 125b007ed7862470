//! The command line at its edges: config files that are not files, too large, not UTF-8 or
//! wrong in meaning; a region or endpoint no call could use; no terminal; signals. Each ends
//! with one clear line and the exit status a shell expects, never a hang, a panic or a screen
//! of escape codes.

use crate::support::pty::Console;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a run may take before the test calls it hung. A bound against hanging (a FIFO
/// that blocks), not a performance check.
const HANG: Duration = Duration::from_secs(60);

fn command(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deckwatch"));
    c.args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs to the end, killing it (and failing) if it hangs.
fn run(mut c: Command) -> Output {
    let mut child = c.spawn().expect("run deckwatch");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("deckwatch hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn deckwatch(home: &Path, args: &[&str]) -> Output {
    run(command(home, args))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit status 2, one line on stderr containing `expected`, no stack dump.
fn one_line_failure(o: &Output, expected: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Backtrace"),
        "a stack dump:\n{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line:\n{err}");
    err
}

fn config(home: &Path, text: &[u8]) -> String {
    let p = home.join("c.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_fifo_as_config_is_refused_at_once() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = deckwatch(home.path(), &["--demo", "--config", fifo.to_str().unwrap()]);
    one_line_failure(&out, "fifo.toml: not a regular file (a FIFO)");
}

#[test]
fn dev_zero_as_config_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(home.path(), &["--demo", "--config", "/dev/zero"]);
    one_line_failure(&out, "/dev/zero: not a regular file (a character device)");
}

#[test]
fn a_config_over_one_mebibyte_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut text = b"theme = \"dark\"\n".to_vec();
    text.resize(2 * 1024 * 1024, b'#');
    let cfg = config(home.path(), &text);
    let out = deckwatch(home.path(), &["--demo", "--config", &cfg]);
    one_line_failure(&out, "larger than 1024 KiB");
}

#[test]
fn a_huge_string_value_is_cut_in_the_error() {
    let home = tempfile::tempdir().unwrap();
    let value = "A".repeat(1_000_000);
    let cfg = config(home.path(), format!("read_only = \"{value}\"\n").as_bytes());
    let out = deckwatch(home.path(), &["--demo", "--config", &cfg]);
    let err = one_line_failure(&out, "expected a boolean");
    assert!(err.contains(&format!("{cfg}:1:13:")), "{err}");
    assert!(err.len() < 600, "{} bytes: {err}", err.len());
}

#[test]
fn a_non_utf8_config_gives_the_byte_offset() {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), b"theme = \"dark\"\nx = \"caf\xe9\"\n");
    let out = deckwatch(home.path(), &["--demo", "--config", &cfg]);
    one_line_failure(
        &out,
        &format!("{cfg}: not UTF-8 text: byte 23 (line 2, column 9) is not valid UTF-8"),
    );
}

#[test]
fn semantic_errors_name_their_line() {
    let cases: &[(&str, &str)] = &[
        (
            "[poll]\nfast_secs = 2\nnormal_secs = 0\n",
            ":3:1: poll.normal_secs = 0",
        ),
        (
            "[[context]]\nname = \"prod\"\n\n[[context]]\nname = \"prod\"\n",
            ":5:1: two contexts are named \"prod\"",
        ),
        (
            "[[context]]\nname = \"prod\"\naccent = \"blood\"\n",
            ":3:1: context \"prod\": accent \"blood\" is not a colour",
        ),
        (
            "[budget]\n\"ecs:ListServices\" = 0.0\n",
            ":2:1: [budget] \"ecs:ListServices\" = 0",
        ),
        (
            "[[context]]\nname = \"x\"\nregion = \"\"\n",
            ":3:1: context \"x\": region \"\" is not a region name",
        ),
    ];
    for (text, expected) in cases {
        let home = tempfile::tempdir().unwrap();
        let cfg = config(home.path(), text.as_bytes());
        let out = deckwatch(home.path(), &["--demo", "--config", &cfg]);
        one_line_failure(&out, &format!("config error: {cfg}{expected}"));
    }
}

#[test]
fn an_empty_region_and_a_bad_endpoint_exit_before_the_screen() {
    let home = tempfile::tempdir().unwrap();
    let out = deckwatch(home.path(), &["--region", ""]);
    one_line_failure(&out, "--region: region \"\" is not a region name");
    let out = deckwatch(
        home.path(),
        &["--region", "us-east-1", "--endpoint-url", "notaurl"],
    );
    one_line_failure(
        &out,
        "--endpoint-url: endpoint URL \"notaurl\" does not start with http:// or https://",
    );
    let mut c = command(home.path(), &["--region", "us-east-1"]);
    c.env("AWS_ENDPOINT_URL", "http://host:port");
    one_line_failure(&run(c), "AWS_ENDPOINT_URL: endpoint URL");
}

#[test]
fn output_to_a_file_is_refused_rather_than_filled_with_escape_codes() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("out.txt");
    let mut c = command(home.path(), &["--demo"]);
    c.stdout(std::fs::File::create(&file).unwrap());
    let out = run(c);
    one_line_failure(&out, "stdout is not a terminal");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"",
        "nothing written to the file"
    );
}

#[test]
fn without_a_controlling_terminal_it_says_so_and_exits_2() {
    // `setsid -w` runs deckwatch in a session of its own, with no controlling terminal; its
    // stdout is still the PTY, so it gets as far as opening the terminal.
    let bin = env!("CARGO_BIN_EXE_deckwatch");
    let script = format!("exec setsid -w {bin} --demo </dev/null");
    let mut c = Console::spawn_command("sh", &["-c", &script], &[]);
    let status = c.wait_exit();
    let screen = c.screen();
    assert_eq!(status.exit_code(), 2, "{screen}");
    assert!(
        screen.contains("deckwatch: cannot use the terminal:"),
        "{screen}"
    );
    assert!(!screen.contains("panicked"), "{screen}");
}

fn exit_on_signal(signal: i32) -> u32 {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("payments");
    // SAFETY: signalling our own child by its pid.
    assert_eq!(unsafe { libc::kill(c.pid() as i32, signal) }, 0);
    let status = c.wait_exit();
    assert!(!c.alternate_screen(), "the terminal is restored");
    status.exit_code()
}

#[test]
fn signals_exit_with_128_plus_their_number() {
    assert_eq!(exit_on_signal(libc::SIGTERM), 143);
    assert_eq!(exit_on_signal(libc::SIGHUP), 129);
    assert_eq!(exit_on_signal(libc::SIGINT), 130);
}

#[test]
fn q_exits_0() {
    let mut c = Console::spawn(&["--demo"], &[]);
    c.wait_for("payments");
    c.send("q");
    assert_eq!(c.wait_exit().exit_code(), 0);
}

#[test]
fn a_broken_theme_file_that_is_not_chosen_only_warns() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/deckwatch/themes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ev\u{1b}]0;pwned\u{7}il.toml"), "[colors\n").unwrap();
    std::fs::write(dir.join("mine.toml"), "[colors]\nalarm = \"blood\"\n").unwrap();
    // Not chosen: a warning each, then on to the terminal (which a pipe is not).
    let out = deckwatch(home.path(), &["--demo"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("warning: theme mine is not available"),
        "{err}"
    );
    assert!(
        err.contains("mine.toml: alarm: \"blood\" is not a colour"),
        "{err}"
    );
    assert!(err.contains("stdout is not a terminal"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("ev]0;pwnedil.toml"), "{err}");
    // Chosen: it stops the console.
    let out = deckwatch(home.path(), &["--demo", "--theme", "mine"]);
    one_line_failure(&out, "theme error:");
}

#[test]
fn credentials_missing_at_start_end_the_console_with_what_to_run() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.to_str().unwrap();
    let args = [
        "--profile",
        "nobody",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ];
    let env = [
        ("AWS_CONFIG_FILE", empty),
        ("AWS_SHARED_CREDENTIALS_FILE", empty),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let mut c = Console::spawn(&args, &env);
    let status = c.wait_exit();
    let screen = c.screen();
    assert_eq!(status.exit_code(), 2, "{screen}");
    assert!(
        screen
            .contains("deckwatch: no valid AWS credentials: run `aws sso login --profile nobody`"),
        "{screen}"
    );
    assert!(!c.alternate_screen(), "the terminal is restored first");
}

#[test]
fn a_hung_endpoint_shows_the_console_at_once_and_says_there_is_no_answer() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let url = format!("http://127.0.0.1:{port}");
    let args = ["--region", "us-east-1", "--endpoint-url", &url];
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let mut c = Console::spawn(&args, &env);
    // The screen is there while the credentials check waits on the endpoint...
    c.wait_for("acct connecting…");
    // ...and after 10 s the header says the pane has had no answer.
    c.wait_for("no answer for");
    c.send("q");
    assert_eq!(c.wait_exit().exit_code(), 0);
}
