//! The SSM data channel's binary message: a fixed header, then the payload. All integers are
//! big-endian:
//!
//! ```text
//! 0   HeaderLength (4) = 116, the offset of PayloadLength
//! 4   MessageType (32, text padded with spaces)
//! 36  SchemaVersion (4)
//! 40  CreatedDate (8, ms since the epoch)
//! 48  SequenceNumber (8)
//! 56  Flags (8)
//! 64  MessageId (16, see `message_id`)
//! 80  PayloadDigest (32, SHA-256 of the payload)
//! 112 PayloadType (4)
//! 116 PayloadLength (4)
//! 120 Payload
//! ```

use super::message_id::MessageId;

/// The value of HeaderLength: where PayloadLength starts.
pub const HEADER_LENGTH: u32 = 116;
/// Where the payload starts.
pub const PAYLOAD_OFFSET: usize = HEADER_LENGTH as usize + 4;
const TYPE_LEN: usize = 32;

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageType {
    InputStreamData,
    OutputStreamData,
    Acknowledge,
    ChannelClosed,
    StartPublication,
    PausePublication,
    Other(String),
}

impl MessageType {
    pub fn as_str(&self) -> &str {
        match self {
            MessageType::InputStreamData => "input_stream_data",
            MessageType::OutputStreamData => "output_stream_data",
            MessageType::Acknowledge => "acknowledge",
            MessageType::ChannelClosed => "channel_closed",
            MessageType::StartPublication => "start_publication",
            MessageType::PausePublication => "pause_publication",
            MessageType::Other(s) => s,
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "input_stream_data" => MessageType::InputStreamData,
            "output_stream_data" => MessageType::OutputStreamData,
            "acknowledge" => MessageType::Acknowledge,
            "channel_closed" => MessageType::ChannelClosed,
            "start_publication" => MessageType::StartPublication,
            "pause_publication" => MessageType::PausePublication,
            other => MessageType::Other(other.to_string()),
        }
    }
}

/// What a stream message's payload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadType(pub u32);

impl PayloadType {
    pub const OUTPUT: Self = Self(1);
    pub const ERROR: Self = Self(2);
    /// The terminal's size, `{"cols","rows"}`.
    pub const SIZE: Self = Self(3);
    pub const PARAMETER: Self = Self(4);
    pub const HANDSHAKE_REQUEST: Self = Self(5);
    pub const HANDSHAKE_RESPONSE: Self = Self(6);
    pub const HANDSHAKE_COMPLETE: Self = Self(7);
    pub const ENC_CHALLENGE_REQUEST: Self = Self(8);
    pub const ENC_CHALLENGE_RESPONSE: Self = Self(9);
    /// A 4-byte flag: 1 disconnect from the port, 2 terminate the session, 3 port unreachable.
    pub const FLAG: Self = Self(10);
    pub const STDERR: Self = Self(11);
    /// `EXIT_CODE: N`.
    pub const EXIT_CODE: Self = Self(12);
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub message_type: MessageType,
    pub schema_version: u32,
    pub created_ms: u64,
    pub sequence: i64,
    pub flags: u64,
    pub id: MessageId,
    pub payload_type: PayloadType,
    pub payload: Vec<u8>,
}

/// Why bytes are not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a data channel message of {0} bytes is shorter than its 120-byte header")]
    Short(usize),
    #[error("the header says {said} bytes, but {got} came")]
    Length { said: usize, got: usize },
    #[error("the message type is not text")]
    TypeNotText,
    #[error("the payload's SHA-256 does not match its digest")]
    Digest,
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

impl Frame {
    /// A stream message with schema version 1 and no flags.
    pub fn stream(
        message_type: MessageType,
        sequence: i64,
        payload_type: PayloadType,
        payload: Vec<u8>,
        created_ms: u64,
    ) -> Self {
        Self {
            message_type,
            schema_version: 1,
            created_ms,
            sequence,
            flags: 0,
            id: MessageId::random(),
            payload_type,
            payload,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PAYLOAD_OFFSET + self.payload.len());
        out.extend_from_slice(&HEADER_LENGTH.to_be_bytes());
        let mut kind = [b' '; TYPE_LEN];
        let name = self.message_type.as_str().as_bytes();
        let n = name.len().min(TYPE_LEN);
        kind[..n].copy_from_slice(&name[..n]);
        out.extend_from_slice(&kind);
        out.extend_from_slice(&self.schema_version.to_be_bytes());
        out.extend_from_slice(&self.created_ms.to_be_bytes());
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.flags.to_be_bytes());
        out.extend_from_slice(&self.id.to_wire());
        out.extend_from_slice(&sha256(&self.payload));
        out.extend_from_slice(&self.payload_type.0.to_be_bytes());
        out.extend_from_slice(&(self.payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Reads a message, checking its length and, when it has a payload, its digest.
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        if bytes.len() < PAYLOAD_OFFSET {
            return Err(FrameError::Short(bytes.len()));
        }
        // HeaderLength says where PayloadLength is; a later schema may put more before it.
        let header = be_u32(bytes, 0) as usize;
        let start = header.saturating_add(4);
        if header < HEADER_LENGTH as usize || bytes.len() < start {
            return Err(FrameError::Length {
                said: start,
                got: bytes.len(),
            });
        }
        let said = be_u32(bytes, header) as usize;
        if bytes.len() - start != said {
            return Err(FrameError::Length {
                said: start.saturating_add(said),
                got: bytes.len(),
            });
        }
        let kind =
            std::str::from_utf8(&bytes[4..4 + TYPE_LEN]).map_err(|_| FrameError::TypeNotText)?;
        let kind = kind.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        let mut id = [0u8; 16];
        id.copy_from_slice(&bytes[64..80]);
        let frame = Frame {
            message_type: MessageType::parse(kind),
            schema_version: be_u32(bytes, 36),
            created_ms: be_u64(bytes, 40),
            sequence: be_u64(bytes, 48) as i64,
            flags: be_u64(bytes, 56),
            id: MessageId::from_wire(id),
            payload_type: PayloadType(be_u32(bytes, 112)),
            payload: bytes[start..].to_vec(),
        };
        if !frame.payload.is_empty() && sha256(&frame.payload)[..] != bytes[80..112] {
            return Err(FrameError::Digest);
        }
        Ok(frame)
    }
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_be_bytes(x)
}

fn be_u64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(x)
}
