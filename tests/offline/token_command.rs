//! `[github] token_command` in the real binary, in a PTY: it runs once the screen is open (a
//! command that hangs never leaves a blank terminal), in a process group of its own that dies
//! whole when the console ends, and neither its command line nor its stderr reaches the screen
//! or deckwatch's log.

use crate::support::pty::Console;
use std::path::Path;

/// An AWS endpoint that accepts connections and never answers: the console stays up,
/// connecting, whatever the token command does.
fn hung_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn spawn_with(dir: &Path, token_command: &str) -> Console {
    let config = dir.join("config.toml");
    let toml = format!("[github]\ntoken_command = {token_command:?}\n");
    std::fs::write(&config, toml).unwrap();
    let url = hung_endpoint();
    let config = config.to_str().unwrap().to_string();
    let args = [
        "--region",
        "us-east-1",
        "--endpoint-url",
        &url,
        "--config",
        &config,
    ];
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    Console::spawn(&args, &env)
}

/// Gone, or a zombie nobody reaps yet: either way no longer running.
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z')),
    }
}

fn pid_in(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

#[test]
fn a_hanging_token_command_runs_behind_the_open_screen_and_dies_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let (shell, child) = (dir.path().join("shell"), dir.path().join("child"));
    let command = format!(
        "sleep 600 & echo $! > {}; echo $$ > {}; wait",
        child.display(),
        shell.display()
    );
    let mut c = spawn_with(dir.path(), &command);
    c.wait_for("acct connecting…");
    c.eventually("the token command started", || {
        pid_in(&shell).is_some() && pid_in(&child).is_some()
    });
    let (shell_pid, child_pid) = (pid_in(&shell).unwrap(), pid_in(&child).unwrap());
    // The screen is open and the command still runs: nothing waited for it.
    assert!(
        !gone(shell_pid),
        "the token command ran before the screen opened"
    );
    c.send("6");
    c.wait_for("reading the GitHub token");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &c.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(c.wait_exit().exit_code(), 143);
    c.eventually("the command and what it started are killed", || {
        gone(shell_pid) && gone(child_pid)
    });
    let log = std::fs::read_to_string(c.home().join("state/deckwatch/deckwatch.log")).unwrap();
    assert!(
        !log.contains("sleep 600"),
        "the command line is logged:\n{log}"
    );
}

#[test]
fn a_failing_token_command_is_named_without_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = spawn_with(
        dir.path(),
        "echo 'token ghp_leaked_secret expired' >&2; exit 3",
    );
    c.wait_for("acct connecting…");
    c.send("6");
    c.wait_for("token_command failed (exit 3)");
    assert!(!c.screen().contains("ghp_leaked"), "{}", c.screen());
    c.send("q");
    assert_eq!(c.wait_exit().exit_code(), 0);
    let log = std::fs::read_to_string(c.home().join("state/deckwatch/deckwatch.log")).unwrap();
    assert!(log.contains("token_command failed (exit 3)"), "{log}");
    assert!(
        !log.contains("ghp_leaked"),
        "stderr or the command is logged:\n{log}"
    );
}
