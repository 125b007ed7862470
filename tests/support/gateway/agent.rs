//! The agent's side of one session, over as many WebSocket connections as it takes: the
//! token, the handshake, acknowledgements, resend and reordering, and what the shell or the
//! port forward does with the input.

use super::port::Port;
use super::shell::{Action, PROMPT, Shell};
use super::wire::{self, AgentKeys};
use super::{Inner, Kind, Plan, Seen};
use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

type Ws = WebSocketStream<TcpStream>;
const RESEND: Duration = Duration::from_millis(200);
const WINDOW: usize = 4096;

/// What the shell or the port forward has for the client.
pub enum Out {
    Stream(u32, Vec<u8>),
}

pub struct Core {
    out_seq: i64,
    unacked: BTreeMap<i64, (Vec<u8>, Instant, [u8; 16])>,
    expected: i64,
    held: BTreeMap<i64, wire::Msg>,
    keys: Option<AgentKeys>,
    challenge: Option<Vec<u8>>,
    started: bool,
    ready: bool,
    shell: Shell,
    port: Option<Port>,
    out_tx: mpsc::Sender<Out>,
    out_rx: Option<mpsc::Receiver<Out>>,
    closing: Option<String>,
    stash: Option<Vec<u8>>,
    reordered: bool,
    drop_now: bool,
}

impl Core {
    pub fn new(plan: &Plan) -> Self {
        let (out_tx, out_rx) = mpsc::channel(1024);
        let smux = version_after(&plan.agent_version, "3.0.196.0");
        let port = match &plan.kind {
            Kind::Port { host, port } => {
                Some(Port::new(host, *port, plan.chunk, smux, out_tx.clone()))
            }
            Kind::Shell => None,
        };
        Self {
            out_seq: 0,
            unacked: BTreeMap::new(),
            expected: 0,
            held: BTreeMap::new(),
            keys: None,
            challenge: None,
            started: false,
            ready: false,
            shell: Shell::default(),
            port,
            out_tx,
            out_rx: Some(out_rx),
            closing: None,
            stash: None,
            reordered: false,
            drop_now: false,
        }
    }
}

fn version_after(a: &str, b: &str) -> bool {
    let p = |v: &str| {
        v.split('.')
            .map(|x| x.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    p(a) > p(b)
}

pub async fn serve(
    listener: std::net::TcpListener,
    inner: Arc<Inner>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("gateway listener");
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((tcp, _)) = accepted {
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(connection(tcp, inner.clone()));
                }
            }
            _ = &mut stopped => return,
        }
    }
}

/// The session id from the request's path, and the WebSocket.
#[allow(clippy::result_large_err)] // the callback's type is tungstenite's
async fn accept(tcp: TcpStream) -> Option<(String, Ws)> {
    let path = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = path.clone();
    let callback = move |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
        *seen.lock().unwrap() = req.uri().path().to_string();
        Ok(resp)
    };
    let ws = tokio_tungstenite::accept_hdr_async(tcp, callback)
        .await
        .ok()?;
    let id = path.lock().unwrap().rsplit('/').next()?.to_string();
    Some((id, ws))
}

async fn connection(tcp: TcpStream, inner: Arc<Inner>) {
    let Some((id, mut ws)) = accept(tcp).await else {
        return;
    };
    let token = match ws.next().await {
        Some(Ok(Message::Text(t))) => serde_json::from_str::<Value>(&t)
            .ok()
            .and_then(|v| v["TokenValue"].as_str().map(str::to_string)),
        _ => None,
    };
    let good = inner.with(&id, |s| {
        let ok = Some(&s.token) == token.as_ref();
        if ok {
            s.seen.connections += 1
        } else {
            s.seen.refused += 1
        }
        ok.then(|| (s.core.clone(), s.plan.clone()))
    });
    let Some(Some((core, plan))) = good else {
        let _ = ws.close(None).await;
        return;
    };
    let mut core = core.lock_owned().await;
    let Some(mut rx) = core.out_rx.take() else {
        return;
    };
    let mut c = Conn {
        ws,
        inner: inner.clone(),
        id: id.clone(),
        plan,
    };
    c.run(&mut core, &mut rx).await;
    core.out_rx = Some(rx);
}

struct Conn {
    ws: Ws,
    inner: Arc<Inner>,
    id: String,
    plan: Plan,
}

impl Conn {
    fn seen<T>(&self, f: impl FnOnce(&mut Seen) -> T) -> Option<T> {
        self.inner.with(&self.id, |s| f(&mut s.seen))
    }

    async fn run(&mut self, core: &mut Core, rx: &mut mpsc::Receiver<Out>) {
        if !core.started {
            core.started = true;
            self.handshake_request(core).await;
        } else {
            let again: Vec<Vec<u8>> = core.unacked.values().map(|(b, _, _)| b.clone()).collect();
            for b in again {
                let _ = self.ws.send(Message::binary(b)).await;
            }
        }
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                m = self.ws.next() => match m {
                    Some(Ok(Message::Binary(b))) => self.on_binary(core, &b).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    _ => {}
                },
                o = rx.recv(), if core.ready && core.unacked.len() < WINDOW => {
                    if let Some(Out::Stream(t, p)) = o { self.send_stream(core, t, p).await }
                }
                _ = tick.tick() => {
                    if self.on_tick(core).await { return }
                }
            }
            if core.drop_now {
                core.drop_now = false;
                return; // the socket goes without a close frame, as a broken network leaves it
            }
        }
    }

    /// Resends what waits too long; sends `channel_closed` once all was acknowledged. True
    /// when the connection is done.
    async fn on_tick(&mut self, core: &mut Core) -> bool {
        let now = Instant::now();
        let due: Vec<Vec<u8>> = core
            .unacked
            .values_mut()
            .filter(|(_, at, _)| now - *at > RESEND)
            .map(|(b, at, _)| {
                *at = now;
                b.clone()
            })
            .collect();
        for b in due {
            let _ = self.ws.send(Message::binary(b)).await;
        }
        let Some(reason) = core.closing.clone().filter(|_| core.unacked.is_empty()) else {
            return false;
        };
        let payload = json!({"MessageType": "channel_closed", "SessionId": self.id, "Output": reason, "SchemaVersion": 1}).to_string();
        let msg = wire::encode(
            wire::CHANNEL_CLOSED,
            0,
            0,
            wire::random_id(),
            0,
            payload.as_bytes(),
        );
        let _ = self.ws.send(Message::binary(msg)).await;
        let _ = self.ws.close(None).await;
        self.seen(|s| s.closed = true);
        true
    }

    async fn send_stream(&mut self, core: &mut Core, payload_type: u32, payload: Vec<u8>) {
        let encrypted = matches!(payload_type, 1 | 11 | 12);
        let payload = match (&core.keys, encrypted) {
            (Some(k), true) => k.seal(&payload),
            _ => payload,
        };
        let seq = core.out_seq;
        core.out_seq += 1;
        let id = wire::random_id();
        let flags = u64::from(seq == 0);
        let bytes = wire::encode(wire::OUTPUT_STREAM, seq, flags, id, payload_type, &payload);
        core.unacked
            .insert(seq, (bytes.clone(), Instant::now(), id));
        if self.plan.reorder && core.ready && !core.reordered {
            match core.stash.take() {
                None => return core.stash = Some(bytes),
                Some(first) => {
                    core.reordered = true;
                    let _ = self.ws.send(Message::binary(bytes)).await;
                    let _ = self.ws.send(Message::binary(first)).await;
                    return;
                }
            }
        }
        let _ = self.ws.send(Message::binary(bytes)).await;
    }

    async fn handshake_request(&mut self, core: &mut Core) {
        let session = match &self.plan.kind {
            Kind::Shell => json!({"SessionType": "Standard_Stream", "Properties": null}),
            Kind::Port { port, .. } => {
                json!({"SessionType": "Port", "Properties": {"portNumber": port.to_string(), "type": "LocalPortForwarding"}})
            }
        };
        let mut actions = vec![json!({"ActionType": "SessionType", "ActionParameters": session})];
        if let Some(key) = &self.plan.kms_key {
            actions.push(
                json!({"ActionType": "KMSEncryption", "ActionParameters": {"KMSKeyId": key}}),
            );
        }
        let req =
            json!({"AgentVersion": self.plan.agent_version, "RequestedClientActions": actions});
        self.send_stream(core, 5, req.to_string().into_bytes())
            .await;
    }

    async fn complete(&mut self, core: &mut Core) {
        let done = json!({"HandshakeTimeToComplete": 1_000_000, "CustomerMessage": ""});
        self.send_stream(core, 7, done.to_string().into_bytes())
            .await;
        core.ready = true;
        if matches!(self.plan.kind, Kind::Shell) {
            let _ = core.out_tx.try_send(Out::Stream(1, PROMPT.to_vec()));
        }
    }

    async fn ack(&mut self, m: &wire::Msg) {
        let ack = json!({
            "AcknowledgedMessageType": m.kind,
            "AcknowledgedMessageId": wire::uuid_text(&m.id),
            "AcknowledgedMessageSequenceNumber": m.sequence,
            "IsSequentialMessage": true,
        });
        let bytes = wire::encode(
            wire::ACKNOWLEDGE,
            0,
            3,
            wire::random_id(),
            0,
            ack.to_string().as_bytes(),
        );
        let _ = self.ws.send(Message::binary(bytes)).await;
    }

    async fn on_binary(&mut self, core: &mut Core, b: &[u8]) {
        let Ok(m) = wire::decode(b) else { return };
        match m.kind.as_str() {
            wire::ACKNOWLEDGE => self.on_ack(core, &m),
            wire::INPUT_STREAM => {
                self.ack(&m).await;
                if m.sequence < core.expected || core.held.contains_key(&m.sequence) {
                    self.seen(|s| s.duplicates += 1);
                    return;
                }
                core.held.insert(m.sequence, m);
                while let Some(next) = core.held.remove(&core.expected) {
                    core.expected += 1;
                    self.deliver(core, next).await;
                }
            }
            _ => {}
        }
    }

    fn on_ack(&mut self, core: &mut Core, m: &wire::Msg) {
        let Ok(v) = serde_json::from_slice::<Value>(&m.payload) else {
            return;
        };
        let seq = v["AcknowledgedMessageSequenceNumber"]
            .as_i64()
            .unwrap_or(-1);
        let id = v["AcknowledgedMessageId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let known = core
            .unacked
            .get(&seq)
            .is_some_and(|(_, _, sent)| wire::uuid_text(sent) == id);
        if known {
            core.unacked.remove(&seq);
            self.seen(|s| s.acks += 1);
        } else if !core.unacked.is_empty() || seq >= core.out_seq {
            self.seen(|s| s.unknown_acks += 1);
        }
    }

    async fn deliver(&mut self, core: &mut Core, m: wire::Msg) {
        match m.payload_type {
            6 => self.on_response(core, &m.payload).await,
            9 => {
                let answer = serde_json::from_slice::<Value>(&m.payload).ok();
                let bytes = answer.and_then(|v| {
                    base64::engine::general_purpose::STANDARD
                        .decode(v["Challenge"].as_str()?)
                        .ok()
                });
                let plain = bytes.and_then(|b| core.keys.as_ref()?.open(&b));
                let ok = plain.is_some() && plain == core.challenge;
                self.seen(|s| s.challenge_ok = ok);
                if ok {
                    self.complete(core).await;
                }
            }
            3 => {
                if let Ok(v) = serde_json::from_slice::<Value>(&m.payload) {
                    let size = (
                        v["cols"].as_u64().unwrap_or(0) as u32,
                        v["rows"].as_u64().unwrap_or(0) as u32,
                    );
                    core.shell.size = size;
                    self.seen(|s| s.sizes.push(size));
                }
            }
            1 => {
                let data = match &core.keys {
                    Some(k) => k.open(&m.payload).unwrap_or_default(),
                    None => m.payload,
                };
                self.seen(|s| s.input.extend_from_slice(&data));
                self.on_input(core, &data);
            }
            10 => {
                let flag = m
                    .payload
                    .get(..4)
                    .map_or(0, |b| u32::from_be_bytes(b.try_into().unwrap()));
                self.seen(|s| s.flags.push(flag));
                match flag {
                    2 => core.closing = Some("terminated by the client".into()),
                    1 => {
                        if let Some(p) = &mut core.port {
                            p.disconnect()
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn on_input(&mut self, core: &mut Core, data: &[u8]) {
        if let Some(p) = &mut core.port {
            return p.input(data);
        }
        for action in core.shell.input(data) {
            match action {
                Action::Output(text) => {
                    let _ = core.out_tx.try_send(Out::Stream(1, text));
                }
                Action::Exit(code) => {
                    let _ = core
                        .out_tx
                        .try_send(Out::Stream(12, format!("EXIT_CODE: {code}").into_bytes()));
                    core.closing = Some(format!("Exiting session with sessionId: {}.", self.id));
                }
                Action::Drop => core.drop_now = true,
            }
        }
    }

    /// The client's handshake response: with KMS, decrypt its data key (moto's KMS, with the
    /// session's encryption context) and send the challenge; else the handshake is complete.
    async fn on_response(&mut self, core: &mut Core, payload: &[u8]) {
        let v: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
        self.seen(|s| s.handshake = Some(v.clone()));
        if self.plan.kms_key.is_none() {
            return self.complete(core).await;
        }
        let blob = v["ProcessedClientActions"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|x| x["ActionType"] == "KMSEncryption" && x["ActionStatus"] == 1)
            })
            .and_then(|x| {
                base64::engine::general_purpose::STANDARD
                    .decode(x["ActionResult"]["KMSCipherTextKey"].as_str()?)
                    .ok()
            });
        let (Some(blob), Some(kms)) = (blob, self.inner.kms.clone()) else {
            core.closing = Some("the client did not encrypt the session".into());
            return;
        };
        let plain = kms
            .decrypt()
            .ciphertext_blob(aws_smithy_types::Blob::new(blob))
            .encryption_context("aws:ssm:SessionId", &self.id)
            .encryption_context("aws:ssm:TargetId", &self.plan.target)
            .send()
            .await;
        let Some(key) = plain
            .ok()
            .and_then(|o| o.plaintext().map(|p| p.as_ref().to_vec()))
        else {
            core.closing = Some("the data key does not decrypt with the session's context".into());
            return;
        };
        let keys = AgentKeys::new(&key);
        let mut challenge = vec![0u8; 32];
        aws_lc_rs::rand::fill(&mut challenge).unwrap();
        let sealed = keys.seal(&challenge);
        core.keys = Some(keys);
        core.challenge = Some(challenge);
        let req = json!({"Challenge": base64::engine::general_purpose::STANDARD.encode(sealed)});
        self.send_stream(core, 8, req.to_string().into_bytes())
            .await;
    }
}
