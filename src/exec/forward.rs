//! A port forward over one session: a local TCP listener whose connections become smux
//! streams (or, for agents before 3.0.196.0, one connection at a time over the bare session).
//! The listener is the caller's, so a forward that re-targets another task keeps its port.

use super::channel::{self, ChannelEnd, FromAgent, SessionApi, SessionKind, Setup, ToAgent};
use super::payloads::version_after;
use super::smux::{self, Cmd, Decoder};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// Agents after this multiplex connections with smux.
const SMUX_AFTER: &str = "3.0.196.0";
/// Agents up to this expect smux keep-alives.
const KEEPALIVE_UNTIL: &str = "3.1.1511.0";
const KEEPALIVE: Duration = Duration::from_secs(10);
/// How long the agent may take to finish the handshake.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Chunks of agent data queued for one local connection before the session waits for it.
const CONN_QUEUE: usize = 64;
const READ_BUF: usize = 16 * 1024;

/// What a forward has carried, read by `:forwards`.
#[derive(Debug, Default)]
pub struct Counters {
    pub open: AtomicU64,
    pub total: AtomicU64,
    /// From the task to local clients.
    pub bytes_in: AtomicU64,
    /// From local clients to the task.
    pub bytes_out: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardEnd {
    /// The caller asked it to stop.
    Stopped,
    /// The session ended or broke.
    Session(ChannelEnd),
    /// The agent never said the session is a port session.
    NotReady(String),
}

/// Serves `listener` through the session `setup` opens, until the session ends or `stop`
/// turns true.
pub async fn serve(
    listener: &TcpListener,
    setup: Setup,
    api: Arc<dyn SessionApi>,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) -> ForwardEnd {
    let (to_agent, input) = mpsc::channel(256);
    let (events, mut from_agent) = mpsc::channel(256);
    let session = tokio::spawn(channel::run(setup, api, input, events));
    let version = match wait_ready(&mut from_agent).await {
        Ok(v) => v,
        Err(why) => {
            drop(to_agent);
            return match session.await {
                Ok(end @ (ChannelEnd::Failed(_) | ChannelEnd::Closed(_))) => {
                    ForwardEnd::Session(end)
                }
                _ => ForwardEnd::NotReady(why.to_string()),
            };
        }
    };
    let mut link = Link {
        to_agent,
        from_agent,
        counters,
        conns: JoinSet::new(),
    };
    let stopped = if version_after(&version, SMUX_AFTER) {
        let keepalive = !version_after(&version, KEEPALIVE_UNTIL);
        link.multiplex(listener, &mut stop, keepalive).await
    } else {
        link.one_at_a_time(listener, &mut stop).await
    };
    link.conns.abort_all();
    drop(link);
    let end = session.await.unwrap_or(ChannelEnd::Ended);
    if stopped {
        ForwardEnd::Stopped
    } else {
        ForwardEnd::Session(end)
    }
}

/// Why a port session never became ready.
#[derive(Debug, thiserror::Error)]
enum NotReady {
    #[error("the agent opened a {0:?} session, not a port session")]
    NotAPortSession(SessionKind),
    #[error("the session ended before the agent was ready")]
    Ended,
    #[error("the agent was not ready within {} s", READY_TIMEOUT.as_secs())]
    TimedOut,
}

/// The agent's version once the session is ready as a port session.
async fn wait_ready(from_agent: &mut mpsc::Receiver<FromAgent>) -> Result<String, NotReady> {
    let wait = async {
        while let Some(e) = from_agent.recv().await {
            if let FromAgent::Ready {
                agent_version,
                kind,
                ..
            } = e
            {
                return match kind {
                    SessionKind::Port => Ok(agent_version),
                    other => Err(NotReady::NotAPortSession(other)),
                };
            }
        }
        Err(NotReady::Ended)
    };
    tokio::time::timeout(READY_TIMEOUT, wait)
        .await
        .unwrap_or(Err(NotReady::TimedOut))
}

struct Link {
    to_agent: mpsc::Sender<ToAgent>,
    from_agent: mpsc::Receiver<FromAgent>,
    counters: Arc<Counters>,
    conns: JoinSet<()>,
}

impl Link {
    /// Every connection a stream of its own. True when stopped by the caller.
    async fn multiplex(
        &mut self,
        listener: &TcpListener,
        stop: &mut watch::Receiver<bool>,
        keepalive: bool,
    ) -> bool {
        let mut streams: HashMap<u32, mpsc::Sender<Vec<u8>>> = HashMap::new();
        let mut decoder = Decoder::default();
        let mut next_id: u32 = 1;
        let mut ping = tokio::time::interval(KEEPALIVE);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((conn, _)) = accepted else { continue };
                    next_id = next_id.wrapping_add(2);
                    let (tx, rx) = mpsc::channel(CONN_QUEUE);
                    streams.insert(next_id, tx);
                    let syn = smux::encode(Cmd::Syn, next_id, &[]);
                    if self.to_agent.send(ToAgent::Data(syn)).await.is_err() {
                        return false;
                    }
                    self.spawn_stream(conn, next_id, rx);
                }
                event = self.from_agent.recv() => match event {
                    Some(FromAgent::Output(bytes)) => {
                        decoder.feed(&bytes);
                        if !self.demux(&mut decoder, &mut streams).await {
                            return false;
                        }
                    }
                    Some(_) => {}
                    None => return false,
                },
                _ = ping.tick(), if keepalive => {
                    let nop = smux::encode(Cmd::Nop, 0, &[]);
                    let _ = self.to_agent.send(ToAgent::Data(nop)).await;
                }
                _ = stop.changed() => if *stop.borrow() { return true },
            }
        }
    }

    /// Hands the frames that arrived to their streams. False when the stream of frames is
    /// broken (the session is unusable).
    async fn demux(
        &mut self,
        decoder: &mut Decoder,
        streams: &mut HashMap<u32, mpsc::Sender<Vec<u8>>>,
    ) -> bool {
        while let Some(frame) = decoder.next_frame() {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(error = %e, "port forward: unreadable smux stream");
                    return false;
                }
            };
            match frame.cmd {
                Cmd::Psh => {
                    if let Some(tx) = streams.get(&frame.stream) {
                        // A connection already gone just loses its late data.
                        let _ = tx.send(frame.data).await;
                    }
                }
                Cmd::Fin => {
                    streams.remove(&frame.stream);
                }
                Cmd::Syn | Cmd::Nop => {}
            }
        }
        true
    }

    fn spawn_stream(&mut self, conn: TcpStream, id: u32, from_agent: mpsc::Receiver<Vec<u8>>) {
        let to_agent = self.to_agent.clone();
        let counters = self.counters.clone();
        self.conns.spawn(async move {
            Counters::add(&counters.open, 1);
            Counters::add(&counters.total, 1);
            let frame = move |data: &[u8]| ToAgent::Data(smux::push(id, data));
            let fin = ToAgent::Data(smux::encode(Cmd::Fin, id, &[]));
            pipe(conn, to_agent, frame, Some(fin), from_agent, &counters).await;
            counters.open.fetch_sub(1, Ordering::Relaxed);
        });
    }

    /// Agents without smux: one connection at a time, its bytes the session's; when it
    /// closes, the agent is told to disconnect from the port.
    async fn one_at_a_time(
        &mut self,
        listener: &TcpListener,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        loop {
            let conn = tokio::select! {
                accepted = listener.accept() => match accepted { Ok((c, _)) => c, Err(_) => continue },
                _ = stop.changed() => if *stop.borrow() { return true } else { continue },
            };
            Counters::add(&self.counters.open, 1);
            Counters::add(&self.counters.total, 1);
            let (tx, rx) = mpsc::channel(CONN_QUEUE);
            let to_agent = self.to_agent.clone();
            let counters = self.counters.clone();
            let relay = pipe(
                conn,
                to_agent,
                |d: &[u8]| ToAgent::Data(d.to_vec()),
                None,
                rx,
                &counters,
            );
            tokio::pin!(relay);
            loop {
                tokio::select! {
                    _ = &mut relay => break,
                    event = self.from_agent.recv() => match event {
                        Some(FromAgent::Output(bytes)) => { let _ = tx.send(bytes).await; }
                        Some(_) => {}
                        None => return false,
                    },
                    _ = stop.changed() => if *stop.borrow() { return true },
                }
            }
            self.counters.open.fetch_sub(1, Ordering::Relaxed);
            let _ = self.to_agent.send(ToAgent::Flag(1)).await;
        }
    }
}

/// Copies one local connection both ways until both directions are done.
async fn pipe(
    conn: TcpStream,
    to_agent: mpsc::Sender<ToAgent>,
    frame: impl Fn(&[u8]) -> ToAgent,
    fin: Option<ToAgent>,
    mut from_agent: mpsc::Receiver<Vec<u8>>,
    counters: &Counters,
) {
    let _ = conn.set_nodelay(true);
    // Without smux there is no end-of-stream message: either side closing ends it.
    let bare = fin.is_none();
    let (mut r, mut w) = conn.into_split();
    let up = async {
        let mut buf = vec![0u8; READ_BUF];
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    Counters::add(&counters.bytes_out, n);
                    if to_agent.send(frame(&buf[..n])).await.is_err() {
                        break;
                    }
                }
            }
        }
        if let Some(fin) = fin {
            let _ = to_agent.send(fin).await;
        }
    };
    let down = async {
        while let Some(data) = from_agent.recv().await {
            if w.write_all(&data).await.is_err() {
                break;
            }
            Counters::add(&counters.bytes_in, data.len());
        }
        let _ = w.shutdown().await;
    };
    if bare {
        tokio::select! {
            _ = up => {}
            _ = down => {}
        }
    } else {
        tokio::join!(up, down);
    }
}
