//! ECS Exec and port forwarding, spoken natively: the SSM data channel (the WebSocket to a
//! session's `streamUrl`, its binary messages, acknowledgements, the handshake and KMS
//! encryption), smux multiplexing for port forwards, and the terminal's keys as bytes. No AWS
//! call is made here: the calls that start, resume and end a session, and the KMS data key,
//! come through `channel::SessionApi`, which the AWS backend implements.

pub mod channel;
pub mod crypto;
pub mod forward;
pub mod frame;
pub mod input;
pub mod message_id;
pub mod payloads;
pub mod plugin;
pub mod reliable;
pub mod settings;
pub mod smux;
pub mod socket;
pub mod stream_url;

pub use channel::{ChannelEnd, FromAgent, SessionApi, SessionKind, Setup, ToAgent};
pub use stream_url::{StreamPolicy, UrlError};

/// Why a session could not open or broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("cannot reach {host}: {why}")]
    Connect { host: String, why: String },
    #[error("{}", refused_text(host, *status))]
    Refused { host: String, status: u16 },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the data channel sent a message that cannot be read: {0}")]
    Frame(#[from] frame::FrameError),
    #[error("encryption: {0}")]
    Crypto(#[from] crypto::CryptoError),
    #[error("the agent asked for KMS encryption, but the data key could not be made: {0}")]
    Kms(String),
    #[error("the connection broke and the session could not be resumed: {0}")]
    Resume(String),
    #[error("the agent stopped acknowledging (message {0} was resent for 5 minutes)")]
    Lost(i64),
    #[error("the data channel broke: {0}")]
    Broken(String),
}

fn refused_text(host: &str, status: u16) -> String {
    let hint = match status {
        401 | 403 => {
            ": the session's token was refused (it expires after a minute unused), or the \
             caller may not use ssmmessages:OpenDataChannel"
        }
        _ => "",
    };
    format!("{host} refused the WebSocket with HTTP {status}{hint}")
}
