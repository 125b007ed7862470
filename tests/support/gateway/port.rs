//! The mock agent's port forwarding: smux v1 frames in the session's data, each stream a TCP
//! connection to the session's host and port (as the agent in the task connects to the
//! container's port); or, for agents before 3.0.196.0, one connection carrying the bytes
//! as they are.

use super::agent::Out;
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const SYN: u8 = 0;
const FIN: u8 = 1;
const PSH: u8 = 2;

fn frame(cmd: u8, sid: u32, data: &[u8]) -> Vec<u8> {
    let mut f = vec![1, cmd];
    f.extend_from_slice(&(data.len() as u16).to_le_bytes());
    f.extend_from_slice(&sid.to_le_bytes());
    f.extend_from_slice(data);
    f
}

pub struct Port {
    host: String,
    port: u16,
    chunk: usize,
    smux: bool,
    buf: Vec<u8>,
    streams: HashMap<u32, mpsc::UnboundedSender<Vec<u8>>>,
    out: mpsc::Sender<Out>,
}

impl Port {
    pub fn new(host: &str, port: u16, chunk: usize, smux: bool, out: mpsc::Sender<Out>) -> Self {
        Self {
            host: host.into(),
            port,
            chunk,
            smux,
            buf: Vec::new(),
            streams: HashMap::new(),
            out,
        }
    }

    pub fn input(&mut self, bytes: &[u8]) {
        if !self.smux {
            if !self.streams.contains_key(&0) {
                self.open(0);
            }
            let _ = self.streams[&0].send(bytes.to_vec());
            return;
        }
        self.buf.extend_from_slice(bytes);
        while self.buf.len() >= 8 {
            let len = u16::from_le_bytes([self.buf[2], self.buf[3]]) as usize;
            if self.buf.len() < 8 + len {
                break;
            }
            let (cmd, sid) = (
                self.buf[1],
                u32::from_le_bytes(self.buf[4..8].try_into().unwrap()),
            );
            let data: Vec<u8> = self.buf[8..8 + len].to_vec();
            self.buf.drain(..8 + len);
            match cmd {
                SYN => self.open(sid),
                PSH => {
                    if let Some(tx) = self.streams.get(&sid) {
                        let _ = tx.send(data);
                    }
                }
                FIN => {
                    self.streams.remove(&sid);
                }
                _ => {}
            }
        }
    }

    /// The client said to disconnect from the port (agents without smux).
    pub fn disconnect(&mut self) {
        self.streams.remove(&0);
    }

    fn open(&mut self, sid: u32) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        self.streams.insert(sid, tx);
        let (addr, out, chunk, smux) = (
            format!("{}:{}", self.host, self.port),
            self.out.clone(),
            self.chunk,
            self.smux,
        );
        tokio::spawn(async move {
            let Ok(conn) = TcpStream::connect(&addr).await else {
                if smux {
                    let _ = out.send(Out::Stream(1, frame(FIN, sid, &[]))).await;
                }
                return;
            };
            let (mut r, mut w) = conn.into_split();
            let writer = tokio::spawn(async move {
                while let Some(d) = rx.recv().await {
                    if w.write_all(&d).await.is_err() {
                        break;
                    }
                }
                let _ = w.shutdown().await;
            });
            let room = if smux { chunk - 8 } else { chunk };
            let mut buf = vec![0u8; room];
            loop {
                match r.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let data = if smux {
                            frame(PSH, sid, &buf[..n])
                        } else {
                            buf[..n].to_vec()
                        };
                        if out.send(Out::Stream(1, data)).await.is_err() {
                            break;
                        }
                    }
                }
            }
            if smux {
                let _ = out.send(Out::Stream(1, frame(FIN, sid, &[]))).await;
            }
            let _ = writer.await;
        });
    }
}
