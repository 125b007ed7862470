//! KMS-encrypted sessions: a 64-byte data key from `kms:GenerateDataKey` (with the session's
//! encryption context), split in two AES-256-GCM keys. The client decrypts with the first half
//! and encrypts with the second; each message is a fresh 12-byte nonce followed by the sealed
//! text and its tag.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// The data key's size the agent expects: two AES-256 keys.
pub const DATA_KEY_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the data key has {0} bytes, not {DATA_KEY_BYTES}")]
    KeySize(usize),
    #[error("no random nonce could be made")]
    Random,
    #[error("encryption failed")]
    Seal,
    #[error("a message from the agent does not decrypt with the session's key")]
    Open,
}

pub struct SessionCipher {
    decrypt: LessSafeKey,
    encrypt: LessSafeKey,
}

impl std::fmt::Debug for SessionCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCipher(..)")
    }
}

fn key(bytes: &[u8]) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::KeySize(bytes.len() * 2))
}

impl SessionCipher {
    /// The client's side of a data key (the agent uses the halves the other way round).
    pub fn client(plain_key: &[u8]) -> Result<Self, CryptoError> {
        Self::halves(plain_key, false)
    }

    /// The agent's side, for the test gateway.
    pub fn agent(plain_key: &[u8]) -> Result<Self, CryptoError> {
        Self::halves(plain_key, true)
    }

    fn halves(plain_key: &[u8], agent: bool) -> Result<Self, CryptoError> {
        if plain_key.len() != DATA_KEY_BYTES {
            return Err(CryptoError::KeySize(plain_key.len()));
        }
        let (first, second) = plain_key.split_at(DATA_KEY_BYTES / 2);
        let (decrypt, encrypt) = if agent {
            (second, first)
        } else {
            (first, second)
        };
        Ok(Self {
            decrypt: key(decrypt)?,
            encrypt: key(encrypt)?,
        })
    }

    /// nonce (12) ‖ cipher text ‖ tag.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let mut body = plain.to_vec();
        self.encrypt
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body)
            .map_err(|_| CryptoError::Seal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + body.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Open)?;
        let mut body = body.to_vec();
        let plain = self
            .decrypt
            .open_in_place(nonce, Aad::empty(), &mut body)
            .map_err(|_| CryptoError::Open)?;
        let n = plain.len();
        body.truncate(n);
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_one_side_seals_the_other_opens_and_nothing_else_does() {
        let key: Vec<u8> = (0..64u8).collect();
        let (client, agent) = (
            SessionCipher::client(&key).unwrap(),
            SessionCipher::agent(&key).unwrap(),
        );
        let sealed = client.seal(b"ls -la\r").unwrap();
        assert_eq!(sealed.len(), 12 + 7 + 16);
        assert_eq!(agent.open(&sealed).unwrap(), b"ls -la\r");
        // Each side's own key does not open what it sealed: the halves differ by direction.
        assert_eq!(client.open(&sealed), Err(CryptoError::Open));
        let back = agent.seal(b"total 0").unwrap();
        assert_eq!(client.open(&back).unwrap(), b"total 0");
        let mut tampered = back.clone();
        tampered[20] ^= 1;
        assert_eq!(client.open(&tampered), Err(CryptoError::Open));
        assert_eq!(
            SessionCipher::client(&key[..32]).err(),
            Some(CryptoError::KeySize(32))
        );
    }
}
