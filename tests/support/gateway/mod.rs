//! A mock of the Session Manager gateway and the SSM agent behind it, for the exec and port
//! forwarding tests: the shim answers ExecuteCommand and StartSession with a `streamUrl` here,
//! and this side plays the agent's part of the real protocol over a WebSocket on loopback:
//! the token check, the handshake (session type, KMS encryption with a data key decrypted
//! through moto's KMS, the encryption challenge), acknowledgements with resend and
//! reordering, a small shell (echo, `stty size`, `exit N`, `drop` to break the connection,
//! which the client must resume), smux port forwarding to a local TCP port, and
//! `channel_closed` with a reason.

#![allow(dead_code)]

mod agent;
mod port;
mod shell;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

#[derive(Debug, Clone)]
pub enum Kind {
    Shell,
    /// Forward to this host and port (as the agent inside the task would connect).
    Port {
        host: String,
        port: u16,
    },
}

/// How a session behaves.
#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: Kind,
    /// Ask the client for KMS encryption with this key.
    pub kms_key: Option<String>,
    pub agent_version: String,
    /// The session's target, for the encryption context.
    pub target: String,
    /// Send the first two output messages in the wrong order.
    pub reorder: bool,
    /// Bytes of output a message carries at most (the agent's 1024).
    pub chunk: usize,
}

impl Plan {
    pub fn shell(target: &str) -> Self {
        Self {
            kind: Kind::Shell,
            kms_key: None,
            agent_version: "3.3.1142.0".into(),
            target: target.into(),
            reorder: false,
            chunk: 1024,
        }
    }

    pub fn port(target: &str, host: &str, port: u16) -> Self {
        Self {
            kind: Kind::Port {
                host: host.into(),
                port,
            },
            ..Self::shell(target)
        }
    }
}

/// What the gateway saw of a session.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Every keystroke and input byte, decrypted, in order.
    pub input: Vec<u8>,
    pub sizes: Vec<(u32, u32)>,
    /// WebSocket connections with a good token.
    pub connections: u32,
    /// Connections refused for a wrong token.
    pub refused: u32,
    pub handshake: Option<serde_json::Value>,
    /// The client answered the encryption challenge right.
    pub challenge_ok: bool,
    /// Client messages that came again (resent).
    pub duplicates: u32,
    /// Flags the client sent (2: terminate).
    pub flags: Vec<u32>,
    /// The client's acknowledgement of a message id that was never sent.
    pub unknown_acks: u32,
    pub acks: u32,
    pub closed: bool,
}

pub(crate) struct Session {
    pub id: String,
    pub token: String,
    pub plan: Plan,
    pub seen: Seen,
    pub core: Arc<tokio::sync::Mutex<agent::Core>>,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub sessions: Mutex<HashMap<String, Session>>,
    pub kms: Option<aws_sdk_kms::Client>,
    counter: Mutex<u64>,
}

impl Inner {
    pub fn with<T>(&self, id: &str, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.sessions.lock().unwrap().get_mut(id).map(f)
    }
}

pub struct Gateway {
    inner: Arc<Inner>,
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What ExecuteCommand or StartSession hands back.
pub struct Grant {
    pub session_id: String,
    pub stream_url: String,
    pub token: String,
}

fn token() -> String {
    wire::uuid_text(&wire::random_id())
}

impl Gateway {
    /// Starts on a free loopback port. `kms` decrypts the data keys of encrypted sessions.
    pub fn start(kms: Option<aws_sdk_kms::Client>) -> Self {
        Self::start_marked(kms, || {})
    }

    /// `start`, with `mark` run on each of the gateway's threads as it starts (a bench uses it
    /// to leave the mock agent's memory out of the client's).
    pub fn start_marked(kms: Option<aws_sdk_kms::Client>, mark: fn()) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the gateway");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let inner = Arc::new(Inner {
            kms,
            ..Inner::default()
        });
        let (stop, stopped) = oneshot::channel();
        let served = inner.clone();
        let thread = std::thread::spawn(move || {
            mark();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .on_thread_start(mark)
                .enable_all()
                .build()
                .expect("gateway runtime");
            rt.block_on(agent::serve(listener, served, stopped));
        });
        Self {
            inner,
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A new session as the service would open it.
    pub fn open(&self, plan: Plan) -> Grant {
        let n = {
            let mut c = self.inner.counter.lock().unwrap();
            *c += 1;
            *c
        };
        let id = format!("ecs-execute-command-{n:04}{}", &token()[..8]);
        let token = token();
        let session = Session {
            id: id.clone(),
            token: token.clone(),
            core: Arc::new(tokio::sync::Mutex::new(agent::Core::new(&plan))),
            plan,
            seen: Seen::default(),
        };
        self.inner
            .sessions
            .lock()
            .unwrap()
            .insert(id.clone(), session);
        Grant {
            stream_url: format!(
                "ws://127.0.0.1:{}/v1/data-channel/{id}?role=publish_subscribe",
                self.port
            ),
            session_id: id,
            token,
        }
    }

    /// ResumeSession: a new token (the old one stops working); None for an unknown session.
    pub fn resume(&self, id: &str) -> Option<Grant> {
        let token = token();
        let port = self.port;
        self.inner.with(id, |s| {
            s.token = token.clone();
            Grant {
                session_id: id.to_string(),
                stream_url: format!(
                    "ws://127.0.0.1:{port}/v1/data-channel/{id}?role=publish_subscribe"
                ),
                token,
            }
        })
    }

    pub fn seen(&self, id: &str) -> Seen {
        self.inner.with(id, |s| s.seen.clone()).unwrap_or_default()
    }

    /// Session ids in the order they were opened.
    pub fn sessions(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .inner
            .sessions
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    pub fn plan(&self, id: &str) -> Option<Plan> {
        self.inner.with(id, |s| s.plan.clone())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
