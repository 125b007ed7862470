//! One session's data channel, driven on its own task: the WebSocket, the token, the
//! handshake, acknowledgements both ways with resend and reordering (`reliable`), encryption
//! when the agent asks for it, and resuming after the connection breaks (a new token from
//! `SessionApi::resume`, then everything unacknowledged again).
//!
//! The caller talks to it by channel: `ToAgent` in (keys, sizes, flags; dropping the sender
//! ends the session), `FromAgent` out (output, the exit code, ...), and `run` returns how it
//! ended.

mod handshake;
mod resume;

use super::ExecError;
use super::crypto::SessionCipher;
use super::frame::{Frame, MessageType, PayloadType};
use super::message_id::MessageId;
use super::payloads::{self as p, Size};
use super::reliable::{Arrival, Inbox, Outbox};
use super::socket::{self, Ws};
use super::stream_url::{self, StreamPolicy};
use async_trait::async_trait;
use futures::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// The version this client announces.
pub const CLIENT_VERSION: &str = concat!("deckwatch-", env!("CARGO_PKG_VERSION"));
/// Bytes of input a message carries at most: the size the reference client and agent use.
pub const PAYLOAD_CHUNK: usize = 1024;
/// Messages sent and not yet acknowledged before input waits: the session's memory bound.
pub const WINDOW: usize = 2048;
const RESEND_EVERY: Duration = Duration::from_millis(50);
const RESUME_ATTEMPTS: u32 = 5;
/// How long a session the caller ended waits for its last messages' acknowledgements.
const END_GRACE: Duration = Duration::from_secs(1);
/// Agents after this accept the terminate flag.
const TERMINATE_FLAG_AFTER: &str = "2.3.722.0";

/// What a session is opened with.
#[derive(Debug, Clone)]
pub struct Setup {
    pub session_id: String,
    pub stream_url: String,
    pub token: String,
    /// The session's target, for the encryption context: `ecs:<cluster>_<task>_<runtime id>`.
    pub target: String,
    pub policy: StreamPolicy,
    pub client_id: String,
}

/// A KMS data key: the encrypted blob for the agent, the plain key for us.
pub struct DataKey {
    pub cipher_text: Vec<u8>,
    pub plain: Vec<u8>,
}

/// The calls a session needs from AWS while it runs.
#[async_trait]
pub trait SessionApi: Send + Sync + 'static {
    /// `kms:GenerateDataKey` of 64 bytes under `key_id` with this encryption context.
    async fn data_key(
        &self,
        key_id: &str,
        context: &[(String, String)],
    ) -> Result<DataKey, CallFailed>;
    /// `ssm:ResumeSession`: a new token, or None when the session timed out.
    async fn resume(&self, session_id: &str) -> Result<Option<String>, CallFailed>;
}

/// A call of [`SessionApi`] that failed, in the backend's words (this layer knows no AWS
/// error type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CallFailed(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionKind {
    /// A shell or a command (`Standard_Stream`, `InteractiveCommands`, ...).
    Shell,
    /// Port forwarding.
    Port,
    Other(String),
}

impl SessionKind {
    fn parse(s: &str) -> Self {
        match s {
            "Standard_Stream" | "InteractiveCommands" | "NonInteractiveCommands" => Self::Shell,
            "Port" => Self::Port,
            other => Self::Other(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToAgent {
    /// Keys, or a forward's bytes.
    Data(Vec<u8>),
    Size(Size),
    /// 1 disconnect from the port, 2 terminate the session.
    Flag(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FromAgent {
    /// The handshake is done.
    Ready {
        agent_version: String,
        kind: SessionKind,
        properties: serde_json::Value,
        encrypted: bool,
    },
    Output(Vec<u8>),
    StdErr(Vec<u8>),
    Exit(i32),
    Flag(u32),
    /// The agent's message for the user (HandshakeComplete's `CustomerMessage`).
    Message(String),
    /// The connection broke; resuming.
    Reconnecting,
    Resumed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEnd {
    /// The agent closed it (`channel_closed`), with its reason (may be empty).
    Closed(String),
    /// The caller ended it.
    Ended,
    Failed(ExecError),
}

struct Channel {
    setup: Setup,
    api: Arc<dyn SessionApi>,
    ws: Ws,
    outbox: Outbox,
    inbox: Inbox,
    cipher: Option<SessionCipher>,
    kind: Option<SessionKind>,
    agent_version: String,
    ready: bool,
    /// The session type's properties, from the handshake request.
    properties: serde_json::Value,
    queued: VecDeque<ToAgent>,
    events: mpsc::Sender<FromAgent>,
    broken: bool,
}

/// Opens the WebSocket and sends the token.
async fn open(setup: &Setup) -> Result<Ws, ExecError> {
    let url = stream_url::check(&setup.stream_url, &setup.policy)?;
    let mut ws = socket::connect(&url).await?;
    let hello = p::OpenDataChannel {
        message_schema_version: "1.0",
        request_id: MessageId::random().to_string(),
        token_value: &setup.token,
        client_id: &setup.client_id,
        client_version: CLIENT_VERSION,
    };
    let text = serde_json::to_string(&hello).map_err(|e| ExecError::Broken(e.to_string()))?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| ExecError::Broken(e.to_string()))?;
    Ok(ws)
}

/// Runs a session until the agent closes it, the caller drops `input`, or it breaks for good.
pub async fn run(
    setup: Setup,
    api: Arc<dyn SessionApi>,
    input: mpsc::Receiver<ToAgent>,
    events: mpsc::Sender<FromAgent>,
) -> ChannelEnd {
    let ws = match open(&setup).await {
        Ok(ws) => ws,
        Err(e) => return ChannelEnd::Failed(e),
    };
    let mut ch = Channel {
        setup,
        api,
        ws,
        outbox: Outbox::default(),
        inbox: Inbox::default(),
        cipher: None,
        kind: None,
        agent_version: String::new(),
        ready: false,
        properties: serde_json::Value::Null,
        queued: VecDeque::new(),
        events,
        broken: false,
    };
    ch.drive(input).await
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Channel {
    async fn drive(&mut self, mut input: mpsc::Receiver<ToAgent>) -> ChannelEnd {
        let mut resend = tokio::time::interval(RESEND_EVERY);
        resend.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            if self.broken
                && let Some(end) = self.reconnect().await
            {
                return end;
            }
            let room = self.outbox.unacknowledged() < WINDOW;
            let step = tokio::select! {
                m = self.ws.next() => self.on_socket(m).await,
                i = input.recv(), if room => match i {
                    Some(i) => { self.take_input(i).await; None }
                    None => Some(self.end().await),
                },
                _ = resend.tick() => self.resend().await,
            };
            if let Some(end) = step {
                return end;
            }
        }
    }

    async fn on_socket(
        &mut self,
        m: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Option<ChannelEnd> {
        match m {
            Some(Ok(Message::Binary(b))) => self.on_message(&b).await,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                self.broken = true;
                None
            }
            // Pings are answered by the WebSocket layer; text is not part of the protocol.
            Some(Ok(_)) => None,
        }
    }

    /// The caller is done: tell the agent (when it understands the flag), give what is still
    /// unacknowledged a moment to arrive, then close.
    async fn end(&mut self) -> ChannelEnd {
        if self.ready && p::version_after(&self.agent_version, TERMINATE_FLAG_AFTER) {
            self.send_stream(PayloadType::FLAG, 2u32.to_be_bytes().to_vec())
                .await;
        }
        let settle = async {
            while self.outbox.unacknowledged() > 0 && !self.broken {
                let m = self.ws.next().await;
                if self.on_socket(m).await.is_some() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(END_GRACE, settle).await;
        let _ = self.ws.close(None).await;
        ChannelEnd::Ended
    }

    async fn send_raw(&mut self, bytes: Vec<u8>) {
        if self.broken {
            return;
        }
        if self.ws.send(Message::binary(bytes)).await.is_err() {
            self.broken = true;
        }
    }

    /// Sends a stream message and keeps it until it is acknowledged.
    async fn send_stream(&mut self, payload_type: PayloadType, payload: Vec<u8>) {
        let seq = self.outbox.next_sequence();
        let frame = Frame::stream(
            MessageType::InputStreamData,
            seq,
            payload_type,
            payload,
            now_ms(),
        );
        let bytes = frame.encode();
        self.outbox.keep(seq, bytes.clone(), Instant::now());
        self.send_raw(bytes).await;
    }

    async fn resend(&mut self) -> Option<ChannelEnd> {
        match self.outbox.due(Instant::now()) {
            Ok(again) => {
                for bytes in again {
                    self.send_raw(bytes).await;
                }
                None
            }
            Err(seq) => Some(ChannelEnd::Failed(ExecError::Lost(seq))),
        }
    }

    async fn take_input(&mut self, input: ToAgent) {
        if !self.ready {
            // Nothing is sent before the agent said what the session is.
            if self.queued.len() < WINDOW {
                self.queued.push_back(input);
            }
            return;
        }
        match input {
            ToAgent::Data(bytes) => self.send_data(bytes).await,
            ToAgent::Size(size) => {
                let json = serde_json::to_vec(&size).unwrap_or_default();
                self.send_stream(PayloadType::SIZE, json).await;
            }
            ToAgent::Flag(f) => {
                self.send_stream(PayloadType::FLAG, f.to_be_bytes().to_vec())
                    .await
            }
        }
    }

    async fn send_data(&mut self, mut bytes: Vec<u8>) {
        // A lone line feed is the Enter key: the shell expects a carriage return.
        if self.kind == Some(SessionKind::Shell) && bytes == b"\n" {
            bytes = b"\r".to_vec();
        }
        for chunk in bytes.chunks(PAYLOAD_CHUNK) {
            let payload = match &self.cipher {
                Some(c) => match c.seal(chunk) {
                    Ok(sealed) => sealed,
                    Err(e) => {
                        tracing::warn!(error = %e, "input not sent");
                        continue;
                    }
                },
                None => chunk.to_vec(),
            };
            self.send_stream(PayloadType::OUTPUT, payload).await;
        }
    }

    async fn on_message(&mut self, bytes: &[u8]) -> Option<ChannelEnd> {
        let frame = match Frame::decode(bytes) {
            Ok(f) => f,
            Err(e) => {
                // A damaged message is not acknowledged: the agent sends it again.
                tracing::warn!(error = %e, "unreadable data channel message");
                return None;
            }
        };
        match frame.message_type {
            MessageType::Acknowledge => {
                if let Ok(ack) = serde_json::from_slice::<p::Ack>(&frame.payload) {
                    self.outbox.acknowledged(ack.sequence, Instant::now());
                }
                None
            }
            MessageType::OutputStreamData => self.on_stream(frame).await,
            MessageType::ChannelClosed => {
                let closed: p::ChannelClosed =
                    serde_json::from_slice(&frame.payload).unwrap_or_default();
                Some(ChannelEnd::Closed(closed.output))
            }
            _ => None,
        }
    }

    async fn ack(&mut self, kind: &MessageType, id: MessageId, sequence: i64) {
        let ack = p::Ack::of(kind, id, sequence);
        let mut out = Frame::stream(
            MessageType::Acknowledge,
            0,
            PayloadType(0),
            serde_json::to_vec(&ack).unwrap_or_default(),
            now_ms(),
        );
        out.flags = 3;
        self.send_raw(out.encode()).await;
    }

    async fn on_stream(&mut self, frame: Frame) -> Option<ChannelEnd> {
        let (seq, id, kind) = (frame.sequence, frame.id, frame.message_type.clone());
        let arrival = self.inbox.arrive(frame);
        if arrival != Arrival::Dropped {
            self.ack(&kind, id, seq).await;
        }
        if let Arrival::Deliver(frames) = arrival {
            for f in frames {
                if let Some(end) = self.deliver(f).await {
                    return Some(end);
                }
            }
        }
        None
    }

    async fn emit(&mut self, e: FromAgent) {
        // The caller went away: the session ends when its input closes.
        let _ = self.events.send(e).await;
    }

    async fn deliver(&mut self, f: Frame) -> Option<ChannelEnd> {
        match f.payload_type {
            PayloadType::HANDSHAKE_REQUEST => self.on_handshake(&f.payload).await,
            PayloadType::HANDSHAKE_COMPLETE => self.on_complete(&f.payload).await,
            PayloadType::ENC_CHALLENGE_REQUEST => return self.on_challenge(&f.payload).await,
            PayloadType::OUTPUT | PayloadType::STDERR | PayloadType::EXIT_CODE => {
                return self.on_output(f).await;
            }
            PayloadType::FLAG => {
                let mut b = [0u8; 4];
                if f.payload.len() == 4 {
                    b.copy_from_slice(&f.payload);
                    self.emit(FromAgent::Flag(u32::from_be_bytes(b))).await;
                }
            }
            _ => {}
        }
        None
    }

    async fn on_output(&mut self, f: Frame) -> Option<ChannelEnd> {
        let payload = match &self.cipher {
            Some(c) => match c.open(&f.payload) {
                Ok(plain) => plain,
                Err(e) => return Some(ChannelEnd::Failed(e.into())),
            },
            None => f.payload,
        };
        if !self.ready {
            // An agent without a handshake starts with output: a shell.
            self.kind = Some(SessionKind::Shell);
            self.become_ready().await;
        }
        let event = match f.payload_type {
            PayloadType::STDERR => FromAgent::StdErr(payload),
            PayloadType::EXIT_CODE => match p::exit_code(&payload) {
                Some(code) => FromAgent::Exit(code),
                None => return None,
            },
            _ => FromAgent::Output(payload),
        };
        self.emit(event).await;
        None
    }

    async fn become_ready(&mut self) {
        self.ready = true;
        let properties = self.properties.clone();
        let kind = self.kind.clone().unwrap_or(SessionKind::Shell);
        self.emit(FromAgent::Ready {
            agent_version: self.agent_version.clone(),
            kind,
            properties,
            encrypted: self.cipher.is_some(),
        })
        .await;
        while let Some(i) = self.queued.pop_front() {
            self.take_input(i).await;
        }
    }
}
