//! The JSON payloads of the data channel: acknowledgements, the handshake, the closing
//! message, the encryption challenge, the terminal size. Field names are the protocol's.

use super::frame::MessageType;
use super::message_id::MessageId;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The first text frame on the WebSocket: it carries the session's token.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenDataChannel<'a> {
    pub message_schema_version: &'a str,
    pub request_id: String,
    pub token_value: &'a str,
    pub client_id: &'a str,
    pub client_version: &'a str,
}

/// The payload of an `acknowledge` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    #[serde(rename = "AcknowledgedMessageType")]
    pub message_type: String,
    #[serde(rename = "AcknowledgedMessageId")]
    pub message_id: String,
    #[serde(rename = "AcknowledgedMessageSequenceNumber")]
    pub sequence: i64,
    #[serde(rename = "IsSequentialMessage", default)]
    pub sequential: bool,
}

impl Ack {
    pub fn of(message_type: &MessageType, id: MessageId, sequence: i64) -> Self {
        Self {
            message_type: message_type.as_str().to_string(),
            message_id: id.to_string(),
            sequence,
            sequential: true,
        }
    }
}

/// `channel_closed`: why the session ended.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ChannelClosed {
    pub session_id: String,
    pub output: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeRequest {
    #[serde(default)]
    pub agent_version: String,
    #[serde(default)]
    pub requested_client_actions: Vec<RequestedAction>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestedAction {
    pub action_type: String,
    #[serde(default)]
    pub action_parameters: serde_json::Value,
}

/// `ActionStatus`: 1 success, 2 failed, 3 unsupported.
pub const ACTION_SUCCESS: u8 = 1;
pub const ACTION_FAILED: u8 = 2;
pub const ACTION_UNSUPPORTED: u8 = 3;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandshakeResponse {
    pub client_version: String,
    pub processed_client_actions: Vec<ProcessedAction>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessedAction {
    pub action_type: String,
    pub action_status: u8,
    pub action_result: serde_json::Value,
    pub error: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HandshakeComplete {
    /// Nanoseconds.
    pub handshake_time_to_complete: i64,
    pub customer_message: String,
}

/// What the agent asks for the session type: `Standard_Stream`, `InteractiveCommands`,
/// `NonInteractiveCommands` or `Port`, with the document's properties.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionTypeRequest {
    pub session_type: String,
    pub properties: serde_json::Value,
}

/// What the agent asks for KMS encryption.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KmsRequest {
    #[serde(rename = "KMSKeyId")]
    pub key_id: String,
}

/// The encrypted data key, returned in the handshake response (bytes as base64, the way the
/// agent's JSON carries them).
pub fn kms_result(cipher_text_key: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "KMSCipherTextKey": b64(cipher_text_key),
        "KMSCipherTextHash": serde_json::Value::Null,
    })
}

/// The encryption challenge, both ways: bytes as base64.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Challenge {
    #[serde(rename = "Challenge")]
    pub challenge: String,
}

impl Challenge {
    pub fn of(bytes: &[u8]) -> Self {
        Self {
            challenge: b64(bytes),
        }
    }

    pub fn bytes(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.challenge)
            .ok()
    }
}

/// The terminal's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub cols: u32,
    pub rows: u32,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The exit code of an `EXIT_CODE: N` payload.
pub fn exit_code(payload: &[u8]) -> Option<i32> {
    let text = std::str::from_utf8(payload).ok()?;
    text.trim()
        .strip_prefix("EXIT_CODE:")
        .and_then(|n| n.trim().parse().ok())
}

/// Whether agent version `a` is later than `b` (dotted numbers; a part that is not a number
/// counts as 0).
pub fn version_after(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|p| p.trim().parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_versions_compare_by_number_not_text() {
        assert!(version_after("3.0.1000.0", "3.0.196.0"));
        assert!(!version_after("3.0.196.0", "3.0.196.0"));
        assert!(!version_after("2.3.722.0", "3.0.196.0"));
        assert!(version_after("3.1.1511.1", "3.1.1511.0"));
    }

    #[test]
    fn exit_codes_are_read_from_their_text() {
        assert_eq!(exit_code(b"EXIT_CODE: 3"), Some(3));
        assert_eq!(exit_code(b"EXIT_CODE: -1\n"), Some(-1));
        assert_eq!(exit_code(b"3"), None);
    }

    #[test]
    fn an_ack_names_the_message_as_text() {
        let id = MessageId::parse("00112233-4455-6677-8899-aabbccddeeff").unwrap();
        let ack = Ack::of(&MessageType::OutputStreamData, id, 7);
        let json = serde_json::to_value(&ack).unwrap();
        assert_eq!(
            json["AcknowledgedMessageId"],
            "00112233-4455-6677-8899-aabbccddeeff"
        );
        assert_eq!(json["AcknowledgedMessageType"], "output_stream_data");
        assert_eq!(json["AcknowledgedMessageSequenceNumber"], 7);
        assert_eq!(json["IsSequentialMessage"], true);
    }
}
