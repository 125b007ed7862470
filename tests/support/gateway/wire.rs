//! The data channel's message as the agent side reads and writes it, written from the
//! protocol's description rather than shared with the console, so a mistake on one side is
//! not hidden by the same mistake on the other. The message id goes low 8 bytes first.

use aws_lc_rs::digest::{SHA256, digest};

pub const OUTPUT_STREAM: &str = "output_stream_data";
pub const INPUT_STREAM: &str = "input_stream_data";
pub const ACKNOWLEDGE: &str = "acknowledge";
pub const CHANNEL_CLOSED: &str = "channel_closed";

#[derive(Debug, Clone)]
pub struct Msg {
    pub kind: String,
    pub sequence: i64,
    pub flags: u64,
    /// Canonical UUID bytes (big-endian as written in text).
    pub id: [u8; 16],
    pub payload_type: u32,
    pub payload: Vec<u8>,
}

pub fn uuid_text(id: &[u8; 16]) -> String {
    let h: String = id.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn random_id() -> [u8; 16] {
    let mut id = [0u8; 16];
    aws_lc_rs::rand::fill(&mut id).expect("random id");
    id
}

pub fn encode(
    kind: &str,
    sequence: i64,
    flags: u64,
    id: [u8; 16],
    payload_type: u32,
    payload: &[u8],
) -> Vec<u8> {
    let mut out = vec![0u8; 120];
    out[0..4].copy_from_slice(&116u32.to_be_bytes());
    out[4..36].fill(b' ');
    out[4..4 + kind.len()].copy_from_slice(kind.as_bytes());
    out[36..40].copy_from_slice(&1u32.to_be_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    out[40..48].copy_from_slice(&now.to_be_bytes());
    out[48..56].copy_from_slice(&sequence.to_be_bytes());
    out[56..64].copy_from_slice(&flags.to_be_bytes());
    // Least significant half first.
    out[64..72].copy_from_slice(&id[8..16]);
    out[72..80].copy_from_slice(&id[0..8]);
    out[80..112].copy_from_slice(digest(&SHA256, payload).as_ref());
    out[112..116].copy_from_slice(&payload_type.to_be_bytes());
    out[116..120].copy_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

pub fn decode(b: &[u8]) -> Result<Msg, String> {
    if b.len() < 120 {
        return Err(format!("{} bytes", b.len()));
    }
    let u32_at = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap());
    let u64_at = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap());
    if u32_at(0) != 116 {
        return Err(format!("header length {}", u32_at(0)));
    }
    let len = u32_at(116) as usize;
    if b.len() != 120 + len {
        return Err(format!("payload length {len} of {} bytes", b.len()));
    }
    let payload = b[120..].to_vec();
    if !payload.is_empty() && digest(&SHA256, &payload).as_ref() != &b[80..112] {
        return Err("digest".into());
    }
    let mut id = [0u8; 16];
    id[8..16].copy_from_slice(&b[64..72]);
    id[0..8].copy_from_slice(&b[72..80]);
    Ok(Msg {
        kind: String::from_utf8_lossy(&b[4..36])
            .trim()
            .trim_matches('\0')
            .to_string(),
        sequence: u64_at(48) as i64,
        flags: u64_at(56),
        id,
        payload_type: u32_at(112),
        payload,
    })
}

/// The agent's side of a KMS data key: it encrypts with the first half and decrypts with the
/// second (the client the other way round). Each message: 12-byte nonce, then the sealed text.
pub struct AgentKeys {
    seal: aws_lc_rs::aead::LessSafeKey,
    open: aws_lc_rs::aead::LessSafeKey,
}

impl AgentKeys {
    pub fn new(key: &[u8]) -> Self {
        use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
        assert_eq!(key.len(), 64, "a 64-byte data key");
        let k = |b: &[u8]| LessSafeKey::new(UnboundKey::new(&AES_256_GCM, b).unwrap());
        Self {
            seal: k(&key[..32]),
            open: k(&key[32..]),
        }
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        use aws_lc_rs::aead::{Aad, Nonce};
        let mut nonce = [0u8; 12];
        aws_lc_rs::rand::fill(&mut nonce).unwrap();
        let mut body = plain.to_vec();
        self.seal
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body)
            .unwrap();
        [nonce.to_vec(), body].concat()
    }

    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        use aws_lc_rs::aead::{Aad, Nonce};
        let nonce = Nonce::try_assume_unique_for_key(sealed.get(..12)?).ok()?;
        let mut body = sealed[12..].to_vec();
        let n = self
            .open
            .open_in_place(nonce, Aad::empty(), &mut body)
            .ok()?
            .len();
        body.truncate(n);
        Some(body)
    }
}
