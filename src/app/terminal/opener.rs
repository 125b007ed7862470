//! `o`: the selection's page opened by the system's opener (`xdg-open`, or `open` on macOS;
//! `DECKWATCH_OPENER` names another program), started in a process group of its own so the
//! terminal's Ctrl-C never reaches it, and waited for off the loop. Its failure is said in the
//! footer.

use crate::state::Msg;
use std::process::Stdio;
use tokio::sync::mpsc;

/// The program that opens a URL.
fn program() -> String {
    match std::env::var("DECKWATCH_OPENER") {
        Ok(p) if !p.is_empty() => p,
        _ if cfg!(target_os = "macos") => "open".into(),
        _ => "xdg-open".into(),
    }
}

/// Starts the opener on `url`; never blocks the caller.
pub fn open(url: String, tx: mpsc::Sender<Msg>) {
    let program = program();
    let mut cmd = tokio::process::Command::new(&program);
    cmd.arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let child = cmd.spawn();
    tokio::spawn(async move {
        let failed = match child {
            Err(e) => Some(format!("could not open the link: {program}: {e}")),
            Ok(mut child) => match child.wait().await {
                Ok(s) if s.success() => None,
                Ok(s) => Some(format!("could not open the link: {program} {s}")),
                Err(e) => Some(format!("could not open the link: {program}: {e}")),
            },
        };
        if let Some(why) = failed {
            tracing::warn!(%why, "opener");
            let _ = tx.send(Msg::OpenFailed(why)).await;
        }
    });
}
