//! The real binary in a PTY, exec'ing into a moto task: E on the service, the dialog saying
//! exec is ready, Enter opens a shell in the terminal pane (ExecuteCommand answered by the
//! shim, the data channel to the mock gateway), typing shows the echo, a resized terminal
//! reaches the remote (`stty size`), Z hands the whole terminal over and Ctrl-] takes it back,
//! and `exit 3` ends the session with its exit code said.

use super::moto_exec::exec_world;
use crate::support::{moto, pty::Console};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_in_a_moto_task_echoes_resizes_goes_full_screen_and_exits_with_its_code() {
    let w = exec_world("e2e-exec", true).await;
    let url = w.shim.url();
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = [
        "--endpoint-url",
        url.as_str(),
        "--region",
        moto::REGION,
        "--cluster",
        w.cluster.as_str(),
    ];
    let mut c = Console::spawn(&args, &env);
    c.wait_for("web");
    c.send("E");
    c.wait_for("exec into a task of web");
    c.wait_for("✓ exec is on");
    c.send("\r");
    c.wait_for("exec /bin/sh");
    c.wait_for(" open");
    c.send("echo pty-hello\r");
    c.wait_for_screen("the echo and the output", |s| {
        s.matches("pty-hello").count() >= 2
    });

    // The terminal grows: the pane's new inside is sent to the remote.
    let first = w.gateway.sessions().pop().expect("a session");
    let before = w
        .gateway
        .seen(&first)
        .sizes
        .last()
        .copied()
        .expect("a size");
    c.resize(160, 50);
    c.eventually("the new size to reach the agent", || {
        w.gateway.seen(&first).sizes.last() != Some(&before)
    });
    let (cols, rows) = *w.gateway.seen(&first).sizes.last().unwrap();
    c.send("stty size\r");
    c.wait_for(&format!("{rows} {cols}"));

    // Full screen: the console leaves its screen; Ctrl-] (0x1d) brings it back.
    c.send("\x1d");
    c.send("Z");
    c.wait_for_screen("the session to hold the terminal", |_| true);
    c.eventually("the alternate screen to go", || !c.alternate_screen());
    c.send("echo whole-terminal\r");
    c.wait_for_screen("the session's own screen", |s| {
        s.matches("whole-terminal").count() >= 2
    });
    c.send("\x1d");
    c.eventually("the console's screen back", || c.alternate_screen());
    c.wait_for("exec /bin/sh");

    c.send("I");
    c.send("exit 3\r");
    c.wait_for("exit code 3");
    c.send("q");
    assert!(c.wait_exit().success());
    let calls = w.shim.calls_of("ExecuteCommand");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["command"], "/bin/sh");
}
