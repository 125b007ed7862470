//! ECS Exec and port forwarding through the mock gateway on loopback (the agent's side of the
//! protocol, `tests/support/gateway`), release build:
//!
//! - keystroke to echo: one key sent as the terminal pane sends it, until its echo comes back
//!   through the data channel (both sides acknowledge every message); p50, p99 and max of
//!   2,000 keys, and criterion's estimate;
//! - port-forward throughput: 64 MiB from the task's port to a local client through a smux
//!   stream over the session, with the agent's 1,024-byte messages;
//! - memory per open session: live bytes the console's side allocates for a shell session
//!   (the data channel's task and buffers, and the pane's vt100 screen), idle and with 2,000
//!   lines of scrollback filled; the mock agent's allocations are left out.
//!
//! Run: cargo bench --bench exec
//!
//! Under `cargo test --benches` (scripts/test.sh) it runs once and small: criterion's test mode,
//! 50 keys and 2 sessions.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../tests/support/gateway/mod.rs"]
mod gateway;
#[path = "support/quick.rs"]
mod quick;

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deckwatch::exec::StreamPolicy;
use deckwatch::exec::channel::{self, CallFailed, DataKey, FromAgent, SessionApi, Setup, ToAgent};
use deckwatch::exec::forward::{self, Counters};
use deckwatch::state::exec::Screen;
use gateway::{Gateway, Plan};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// Live bytes allocated outside the gateway's threads.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
thread_local! {
    static AGENT_SIDE: Cell<bool> = const { Cell::new(false) };
}

fn counted(n: usize, sign: isize) {
    if !AGENT_SIDE.with(Cell::get) {
        LIVE.fetch_add(sign * n as isize, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        counted(l.size(), 1);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        counted(l.size(), -1);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        counted(new, 1);
        counted(l.size(), -1);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn agent_thread() {
    AGENT_SIDE.with(|a| a.set(true));
}

struct Api(Arc<Gateway>);

#[async_trait]
impl SessionApi for Api {
    async fn data_key(&self, _: &str, _: &[(String, String)]) -> Result<DataKey, CallFailed> {
        Err(CallFailed("no KMS".into()))
    }
    async fn resume(&self, id: &str) -> Result<Option<String>, CallFailed> {
        Ok(self.0.resume(id).map(|g| g.token))
    }
}

fn setup(gw: &Gateway, plan: Plan) -> Setup {
    let target = plan.target.clone();
    let g = gw.open(plan);
    Setup {
        session_id: g.session_id,
        stream_url: g.stream_url,
        token: g.token,
        target,
        policy: StreamPolicy {
            region: "us-east-1".into(),
            local_endpoint: true,
        },
        client_id: "bench".into(),
    }
}

struct Shell {
    input: mpsc::Sender<ToAgent>,
    events: mpsc::Receiver<FromAgent>,
}

async fn shell(gw: &Arc<Gateway>) -> Shell {
    let (input, rx) = mpsc::channel(64);
    let (tx, mut events) = mpsc::channel(64);
    tokio::spawn(channel::run(
        setup(gw, Plan::shell("ecs:c_t_r")),
        Arc::new(Api(gw.clone())),
        rx,
        tx,
    ));
    // The prompt: the session is ready.
    while let Some(e) = events.recv().await {
        if let FromAgent::Output(b) = e
            && b.ends_with(b"$ ")
        {
            break;
        }
    }
    Shell { input, events }
}

/// One key, until its echo.
async fn key_echo(s: &mut Shell) -> Duration {
    let t = Instant::now();
    s.input.send(ToAgent::Data(b"a".to_vec())).await.unwrap();
    while let Some(e) = s.events.recv().await {
        if let FromAgent::Output(b) = e
            && b.contains(&b'a')
        {
            break;
        }
    }
    t.elapsed()
}

fn keystrokes(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gw = Arc::new(Gateway::start_marked(None, agent_thread));
    let mut s = rt.block_on(shell(&gw));
    let keys = quick::setting("DECKWATCH_BENCH_KEYS", 2_000, 50);
    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..keys {
            v.push(key_echo(&mut s).await);
            // Typing speed, not a flood: a line of 'a's would also be wrapped by the shell.
            if v.len() % 60 == 0 {
                s.input.send(ToAgent::Data(vec![0x03])).await.unwrap();
            }
        }
        v
    });
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "keystroke to echo, {keys} keys: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.50),
        pct(0.99),
        samples[samples.len() - 1]
    );
    c.bench_function("exec: keystroke to echo through the gateway", |b| {
        b.iter_custom(|n| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for i in 0..n {
                    total += key_echo(&mut s).await;
                    if i % 60 == 59 {
                        s.input.send(ToAgent::Data(vec![0x03])).await.unwrap();
                    }
                }
                total
            })
        })
    });
}

const MIB: usize = 1 << 20;
const DOWNLOAD: usize = 64 * MIB;

/// A server that sends `DOWNLOAD` bytes on each connection, then closes it.
async fn source() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            tokio::spawn(async move {
                let block = vec![7u8; 64 * 1024];
                for _ in 0..DOWNLOAD / block.len() {
                    if c.write_all(&block).await.is_err() {
                        return;
                    }
                }
                let _ = c.shutdown().await;
            });
        }
    });
    port
}

async fn download(port: u16) -> usize {
    let mut c = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0;
    loop {
        match c.read(&mut buf).await.unwrap() {
            0 => return n,
            k => n += k,
        }
    }
}

fn throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gw = Arc::new(Gateway::start_marked(None, agent_thread));
    let local = rt.block_on(async {
        let remote = source().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let local = listener.local_addr().unwrap().port();
        let s = setup(&gw, Plan::port("ecs:c_t_r", "127.0.0.1", remote));
        let (_stop, stopped) = watch::channel(false);
        let api = Arc::new(Api(gw.clone()));
        tokio::spawn(async move {
            let _keep = _stop;
            forward::serve(&listener, s, api, Arc::new(Counters::default()), stopped).await
        });
        local
    });
    let mut g = c.benchmark_group("exec: port forward");
    g.throughput(Throughput::Bytes(DOWNLOAD as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("64 MiB from the task's port through smux", |b| {
        b.iter(|| assert_eq!(rt.block_on(download(local)), DOWNLOAD))
    });
    g.finish();
}

fn memory(_: &mut Criterion) {
    let sessions = quick::setting("DECKWATCH_BENCH_SESSIONS", 20, 2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gw = Arc::new(Gateway::start_marked(None, agent_thread));
    let before = LIVE.load(Ordering::Relaxed);
    let mut open = Vec::new();
    for _ in 0..sessions {
        let s = rt.block_on(shell(&gw));
        open.push((s, Screen::new(120, 40, 2_000)));
    }
    std::thread::sleep(Duration::from_millis(200));
    let idle = (LIVE.load(Ordering::Relaxed) - before) / sessions as isize;
    let line = "x".repeat(100) + "\r\n";
    for (_, screen) in &mut open {
        for _ in 0..2_100 {
            screen.feed(line.as_bytes());
        }
    }
    let full = (LIVE.load(Ordering::Relaxed) - before) / sessions as isize;
    println!(
        "memory per open session (console side, {sessions} sessions): idle {} KiB; with 2,000 \
         lines of 100 columns in its scrollback {} KiB",
        idle / 1024,
        full / 1024
    );
    drop(open);
}

criterion_group!(benches, keystrokes, throughput, memory);
criterion_main!(benches);
