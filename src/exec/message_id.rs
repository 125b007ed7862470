//! A message's id: a UUID, written on the wire in an order of its own. The agent's
//! serializer puts the least significant 8 bytes first and the most significant 8 after, each
//! half big-endian. A writer that copies the UUID's bytes as they are swaps the halves, and its
//! acknowledgements then name ids the agent never sent.

use std::fmt;

/// A UUID as a number: its canonical 16 bytes read big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u128);

impl MessageId {
    /// A random version-4 id.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // The system's random source; should it fail, a clock-derived id is still unique
        // enough for a message id (it is never a secret).
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = now.to_be_bytes();
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(u128::from_be_bytes(bytes))
    }

    /// The 16 bytes as the frame carries them: low half first.
    pub fn to_wire(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&(self.0 as u64).to_be_bytes());
        out[8..].copy_from_slice(&((self.0 >> 64) as u64).to_be_bytes());
        out
    }

    /// Reads the 16 bytes of a frame.
    pub fn from_wire(bytes: [u8; 16]) -> Self {
        let mut low = [0u8; 8];
        let mut high = [0u8; 8];
        low.copy_from_slice(&bytes[..8]);
        high.copy_from_slice(&bytes[8..]);
        let (low, high) = (u64::from_be_bytes(low), u64::from_be_bytes(high));
        Self((u128::from(high) << 64) | u128::from(low))
    }

    /// Parses the hyphenated text form an acknowledgement carries.
    pub fn parse(text: &str) -> Option<Self> {
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 || !text.is_ascii() {
            return None;
        }
        u128::from_str_radix(&hex, 16).ok().map(Self)
    }
}

impl fmt::Display for MessageId {
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_half_goes_first_on_the_wire() {
        let id = MessageId::parse("00112233-4455-6677-8899-aabbccddeeff").unwrap();
        assert_eq!(
            id.to_wire(),
            [
                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                0x66, 0x77
            ]
        );
        assert_eq!(MessageId::from_wire(id.to_wire()), id);
        assert_eq!(id.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    }

    #[test]
    fn random_ids_are_version_4_and_differ() {
        let (a, b) = (MessageId::random(), MessageId::random());
        assert_ne!(a, b);
        assert_eq!(a.to_string().as_bytes()[14], b'4');
        assert_eq!(MessageId::parse(&a.to_string()), Some(a));
        assert_eq!(MessageId::parse("not-a-uuid"), None);
    }
}
