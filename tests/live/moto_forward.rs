//! A port forward through the exec worker on moto: StartSession (through the shim) with the
//! port-forwarding document, a reason and the task's target; connections through the local
//! port reach the task's port (the mock gateway connects to an echo server, as the agent
//! connects to the container); and when the task is stopped on moto, the forward moves to the
//! other task by itself and the same local port works again.

use super::moto_exec::exec_world;
use crate::support::moto;
use deckwatch::model::{ContextInfo, RemotePort};
use deckwatch::state::Msg;
use deckwatch::state::exec::{ExecMsg, ForwardRow, ForwardSpec, ForwardState};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::exec::ExecWorker;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

async fn echo_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = c.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    port
}

async fn round_trip(port: u16, text: &[u8]) -> Vec<u8> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    c.write_all(text).await.unwrap();
    let mut back = vec![0u8; text.len()];
    tokio::time::timeout(Duration::from_secs(60), c.read_exact(&mut back))
        .await
        .unwrap()
        .unwrap();
    back
}

/// The forward's row once `ok` holds of it.
async fn row_until(
    rx: &mut mpsc::Receiver<Msg>,
    what: &str,
    ok: impl Fn(&ForwardRow) -> bool,
) -> ForwardRow {
    let wait = async {
        loop {
            if let Some(Msg::Exec(ExecMsg::Forwards(rows))) = rx.recv().await
                && let Some(r) = rows.into_iter().find(|r| ok(r))
            {
                return r;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(90), wait)
        .await
        .unwrap_or_else(|_| panic!("gave up waiting for the forward to be {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_carries_connections_and_re_targets_when_its_task_is_stopped() {
    let w = exec_world("exec-forward", true).await;
    let echo = echo_server().await;
    let fleet = w.fleet().await;
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let (tx, mut rx) = mpsc::channel(256);
    let mut worker = ExecWorker::new(tx, audit);
    worker.task_poll = Duration::from_millis(300);
    let local = moto::free_port();
    let spec = ForwardSpec {
        name: "web-echo".into(),
        service: w.service.clone(),
        container: Some("app".into()),
        remote: RemotePort {
            host: None,
            port: echo,
        },
        local_port: local,
        ctx: ContextInfo {
            name: "moto".into(),
            region: "us-east-1".into(),
            ..ContextInfo::default()
        },
    };
    worker.forward(fleet, spec);
    let first = row_until(&mut rx, "active", |r| r.state == ForwardState::Active).await;
    assert_eq!(
        round_trip(local, b"through the first task").await,
        b"through the first task"
    );
    let start = &w.shim.calls_of("StartSession")[0];
    assert_eq!(start["DocumentName"], "AWS-StartPortForwardingSession");
    assert_eq!(start["Parameters"]["portNumber"][0], echo.to_string());
    assert!(
        start["Reason"]
            .as_str()
            .unwrap()
            .starts_with("deckwatch :pf web-echo by "),
        "{start}"
    );
    let target = start["Target"].as_str().unwrap().to_string();
    assert!(
        target.starts_with(&format!("ecs:{}_{}_", w.cluster, first.task)),
        "{target}"
    );

    let stopped = w.tasks.iter().find(|t| t.ends_with(&first.task)).unwrap();
    w.seed
        .stop_task(&w.cluster, stopped, "replaced by a deployment")
        .await;
    let moved = row_until(&mut rx, "on the other task", |r| {
        r.state == ForwardState::Active && !r.task.is_empty() && r.task != first.task
    })
    .await;
    assert_eq!(moved.local_port, local, "the same local port");
    assert_eq!(
        round_trip(local, b"through the second task").await,
        b"through the second task"
    );
    let starts = w.shim.calls_of("StartSession");
    assert_eq!(starts.len(), 2, "{starts:?}");
    assert!(starts[1]["Target"].as_str().unwrap().contains(&moved.task));
    let done = row_until(&mut rx, "counted", |r| r.total >= 2).await;
    assert_eq!(
        done.bytes_out,
        (b"through the first task".len() + b"through the second task".len()) as u64
    );
    worker.stop_forward("web-echo");
    row_until(&mut rx, "stopped", |r| r.state == ForwardState::Stopped).await;
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let after: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["phase"] == "after")
        .collect();
    assert_eq!(after.len(), 2, "both sessions audited: {log}");
    assert!(after.iter().all(|r| r["action"] == "port-forward" && !r["session_id"].as_str().unwrap().is_empty()));
}
