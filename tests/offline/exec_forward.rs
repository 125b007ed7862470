//! Port forwarding through the mock gateway: a local port whose connections are smux streams
//! over one session, each reaching the task's port (here an echo server on loopback), with no
//! byte of one connection in another; and, for agents before smux, one connection at a time.

use super::exec_channel::{GatewayApi, setup};
use crate::support::gateway::{Gateway, Plan};
use deckwatch::exec::forward::{self, Counters, ForwardEnd};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// An echo server: what a connection sends comes back on it.
pub async fn echo_server() -> u16 {
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

/// `n` bytes that say which connection they belong to at every position.
pub fn pattern(tag: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| tag.wrapping_mul(31).wrapping_add((i % 251) as u8))
        .collect()
}

/// Sends `data` on a new connection to `port` and reads back as many bytes.
pub async fn round_trip(port: u16, data: Vec<u8>) -> Vec<u8> {
    let conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut r, mut w) = conn.into_split();
    let n = data.len();
    let writer = tokio::spawn(async move {
        for chunk in data.chunks(7_000) {
            w.write_all(chunk).await.unwrap();
        }
        w
    });
    let mut back = vec![0u8; n];
    r.read_exact(&mut back).await.unwrap();
    drop(writer.await.unwrap());
    back
}

async fn forwarding(
    gw: &Arc<Gateway>,
    plan: Plan,
) -> (
    u16,
    Arc<Counters>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<ForwardEnd>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    let s = setup(gw, plan);
    let counters = Arc::new(Counters::default());
    let (stop, stopped) = watch::channel(false);
    let api = Arc::new(GatewayApi(gw.clone()));
    let c = counters.clone();
    let task = tokio::spawn(async move { forward::serve(&listener, s, api, c, stopped).await });
    (local, counters, stop, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_connections_each_get_exactly_their_own_bytes() {
    let gw = Arc::new(Gateway::start(None));
    let echo = echo_server().await;
    let (local, counters, stop, task) =
        forwarding(&gw, Plan::port("ecs:c_t_r", "127.0.0.1", echo)).await;
    let (a, b) = (pattern(1, 300_000), pattern(2, 300_000));
    let both = tokio::time::timeout(
        Duration::from_secs(60),
        futures::future::join(round_trip(local, a.clone()), round_trip(local, b.clone())),
    )
    .await
    .expect("both connections done");
    assert!(
        both.0 == a,
        "the first connection got bytes that are not its own"
    );
    assert!(
        both.1 == b,
        "the second connection got bytes that are not its own"
    );
    assert_eq!(counters.total.load(Ordering::Relaxed), 2);
    // A chunk is counted once written, which may be just after the client read it.
    let counted = async {
        while counters.bytes_in.load(Ordering::Relaxed) < 600_000 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), counted)
        .await
        .expect("bytes counted");
    assert_eq!(counters.bytes_out.load(Ordering::Relaxed), 600_000);
    assert_eq!(counters.bytes_in.load(Ordering::Relaxed), 600_000);
    stop.send(true).unwrap();
    assert_eq!(task.await.unwrap(), ForwardEnd::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_before_smux_carries_one_connection_at_a_time() {
    let gw = Arc::new(Gateway::start(None));
    let echo = echo_server().await;
    let mut plan = Plan::port("ecs:c_t_r", "127.0.0.1", echo);
    plan.agent_version = "3.0.100.0".into();
    let (local, _counters, stop, task) = forwarding(&gw, plan).await;
    for tag in [7, 8] {
        let data = pattern(tag, 20_000);
        let back = tokio::time::timeout(Duration::from_secs(60), round_trip(local, data.clone()))
            .await
            .unwrap();
        assert!(back == data);
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    // After each connection, the agent was told to disconnect from the port.
    let id = gw.sessions().pop().unwrap();
    assert!(gw.seen(&id).flags.contains(&1), "{:?}", gw.seen(&id).flags);
}
