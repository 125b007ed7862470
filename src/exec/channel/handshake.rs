//! The handshake: the agent asks for actions (the session type, KMS encryption), the client
//! answers each, and the agent says it is complete. Encrypted sessions also prove the key with
//! a challenge: decrypt it with one half of the data key, encrypt it back with the other.

use super::{CallFailed, Channel, ChannelEnd, FromAgent, SessionKind};
use crate::exec::crypto::{CryptoError, SessionCipher};
use crate::exec::frame::PayloadType;
use crate::exec::payloads::{self as p, ProcessedAction};

/// Why the data key for an encrypted session could not be made; the agent is told its text.
#[derive(Debug, thiserror::Error)]
enum KeyError {
    #[error(transparent)]
    Call(#[from] CallFailed),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl Channel {
    pub(super) async fn on_handshake(&mut self, payload: &[u8]) {
        let request: p::HandshakeRequest = match serde_json::from_slice(payload) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable handshake request");
                return;
            }
        };
        self.agent_version = request.agent_version.clone();
        let mut processed = Vec::new();
        for action in request.requested_client_actions {
            processed.push(
                self.process(&action.action_type, action.action_parameters)
                    .await,
            );
        }
        let errors = processed
            .iter()
            .filter(|a| !a.error.is_empty())
            .map(|a| a.error.clone())
            .collect();
        let response = p::HandshakeResponse {
            client_version: super::CLIENT_VERSION.to_string(),
            processed_client_actions: processed,
            errors,
        };
        let json = serde_json::to_vec(&response).unwrap_or_default();
        self.send_stream(PayloadType::HANDSHAKE_RESPONSE, json)
            .await;
    }

    async fn process(&mut self, action: &str, params: serde_json::Value) -> ProcessedAction {
        let done = |status: u8, result: serde_json::Value, error: String| ProcessedAction {
            action_type: action.to_string(),
            action_status: status,
            action_result: result,
            error,
        };
        match action {
            "SessionType" => {
                let req: p::SessionTypeRequest = serde_json::from_value(params).unwrap_or_default();
                let kind = SessionKind::parse(&req.session_type);
                if let SessionKind::Other(t) = &kind {
                    let why =
                        format!("Failed to process action SessionType: unknown session type {t}");
                    return done(p::ACTION_FAILED, serde_json::Value::Null, why);
                }
                self.kind = Some(kind);
                self.properties = req.properties;
                done(p::ACTION_SUCCESS, serde_json::Value::Null, String::new())
            }
            "KMSEncryption" => {
                let req: p::KmsRequest = serde_json::from_value(params).unwrap_or_default();
                match self.encrypt_with(&req.key_id).await {
                    Ok(blob) => done(p::ACTION_SUCCESS, p::kms_result(&blob), String::new()),
                    Err(why) => {
                        let why = format!("Failed to process action KMSEncryption: {why}");
                        done(p::ACTION_FAILED, serde_json::Value::Null, why)
                    }
                }
            }
            other => done(
                p::ACTION_UNSUPPORTED,
                serde_json::Value::Null,
                format!("Unsupported action {other}"),
            ),
        }
    }

    /// A data key under `key_id` with the session's encryption context; returns the encrypted
    /// key for the agent.
    async fn encrypt_with(&mut self, key_id: &str) -> Result<Vec<u8>, KeyError> {
        let context = vec![
            (
                "aws:ssm:SessionId".to_string(),
                self.setup.session_id.clone(),
            ),
            ("aws:ssm:TargetId".to_string(), self.setup.target.clone()),
        ];
        let key = self.api.data_key(key_id, &context).await?;
        self.cipher = Some(SessionCipher::client(&key.plain)?);
        Ok(key.cipher_text)
    }

    pub(super) async fn on_complete(&mut self, payload: &[u8]) {
        // Some agents encrypt this message too once the session is encrypted.
        let complete: p::HandshakeComplete = serde_json::from_slice(payload)
            .ok()
            .or_else(|| {
                let plain = self.cipher.as_ref()?.open(payload).ok()?;
                serde_json::from_slice(&plain).ok()
            })
            .unwrap_or_default();
        if !complete.customer_message.is_empty() {
            self.emit(FromAgent::Message(complete.customer_message))
                .await;
        }
        if !self.ready {
            self.become_ready().await;
        }
    }

    pub(super) async fn on_challenge(&mut self, payload: &[u8]) -> Option<ChannelEnd> {
        let cipher = self.cipher.as_ref()?;
        let challenge = serde_json::from_slice::<p::Challenge>(payload)
            .ok()
            .and_then(|c| c.bytes())?;
        let answer = match cipher
            .open(&challenge)
            .and_then(|plain| cipher.seal(&plain))
        {
            Ok(a) => a,
            Err(e) => return Some(ChannelEnd::Failed(e.into())),
        };
        let json = serde_json::to_vec(&p::Challenge::of(&answer)).unwrap_or_default();
        self.send_stream(PayloadType::ENC_CHALLENGE_RESPONSE, json)
            .await;
        None
    }
}
