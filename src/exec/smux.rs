//! smux v1, the multiplexing the agent speaks for port forwarding (agents after 3.0.196.0):
//! many TCP connections as streams over the one session. A frame is an 8-byte header, then
//! its data:
//!
//! ```text
//! 0 version (1) = 1
//! 1 command (1): 0 SYN (open), 1 FIN (close), 2 PSH (data), 3 NOP (keep-alive)
//! 2 length (2, little-endian)
//! 4 stream id (4, little-endian): the client opens odd ids, 3 first
//! ```
//!
//! Version 1 has no flow control; keep-alive NOPs are needed only by agents up to 3.1.1511.0
//! (later ones are told nothing and expect none, as the reference client turns keep-alive off).

pub const VERSION: u8 = 1;
pub const HEADER: usize = 8;
/// Data bytes a frame carries at most (the reference's default).
pub const MAX_FRAME: usize = 32_768;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Syn,
    Fin,
    Psh,
    Nop,
}

impl Cmd {
    fn byte(self) -> u8 {
        match self {
            Cmd::Syn => 0,
            Cmd::Fin => 1,
            Cmd::Psh => 2,
            Cmd::Nop => 3,
        }
    }

    fn of(b: u8) -> Option<Self> {
        Some(match b {
            0 => Cmd::Syn,
            1 => Cmd::Fin,
            2 => Cmd::Psh,
            3 => Cmd::Nop,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmuxFrame {
    pub cmd: Cmd,
    pub stream: u32,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmuxError {
    #[error("smux frame of version {0}, not 1")]
    Version(u8),
    #[error("smux frame with unknown command {0}")]
    Command(u8),
}

/// One frame's bytes; `data` longer than `MAX_FRAME` must be split by the caller.
pub fn encode(cmd: Cmd, stream: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + data.len());
    out.push(VERSION);
    out.push(cmd.byte());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(&stream.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Data for one stream, split in frames of at most `MAX_FRAME` bytes.
pub fn push(stream: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + HEADER * (data.len() / MAX_FRAME + 1));
    for chunk in data.chunks(MAX_FRAME) {
        out.extend_from_slice(&encode(Cmd::Psh, stream, chunk));
    }
    out
}

/// Reads frames out of a byte stream that arrives in pieces of any size.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
    start: usize,
}

impl Decoder {
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Option<Result<SmuxFrame, SmuxError>> {
        let avail = &self.buf[self.start..];
        if avail.len() < HEADER {
            return None;
        }
        if avail[0] != VERSION {
            return Some(Err(SmuxError::Version(avail[0])));
        }
        let Some(cmd) = Cmd::of(avail[1]) else {
            return Some(Err(SmuxError::Command(avail[1])));
        };
        let len = u16::from_le_bytes([avail[2], avail[3]]) as usize;
        if avail.len() < HEADER + len {
            return None;
        }
        let stream = u32::from_le_bytes([avail[4], avail[5], avail[6], avail[7]]);
        let data = avail[HEADER..HEADER + len].to_vec();
        self.start += HEADER + len;
        // Keep the buffer from growing: drop what was read once it is most of it.
        if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        Some(Ok(SmuxFrame { cmd, stream, data }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_little_endian_and_survive_any_split() {
        let bytes = encode(Cmd::Psh, 3, b"hello");
        assert_eq!(bytes[..8], [1, 2, 5, 0, 3, 0, 0, 0]);
        let mut all = encode(Cmd::Syn, 5, &[]);
        all.extend(push(5, &vec![7u8; MAX_FRAME + 10]));
        all.extend(encode(Cmd::Fin, 5, &[]));
        let mut d = Decoder::default();
        let mut got = Vec::new();
        for piece in all.chunks(1000) {
            d.feed(piece);
            while let Some(f) = d.next_frame() {
                got.push(f.unwrap());
            }
        }
        let cmds: Vec<Cmd> = got.iter().map(|f| f.cmd).collect();
        assert_eq!(cmds, [Cmd::Syn, Cmd::Psh, Cmd::Psh, Cmd::Fin]);
        assert_eq!(got[1].data.len() + got[2].data.len(), MAX_FRAME + 10);
        assert!(got.iter().all(|f| f.stream == 5));
        d.feed(&[2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.next_frame(), Some(Err(SmuxError::Version(2))));
    }
}
