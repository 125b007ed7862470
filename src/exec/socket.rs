//! The WebSocket under a data channel: TCP, then TLS (rustls on the aws-lc provider, the
//! system's roots) for `wss://`, then the WebSocket handshake. Nothing here decides where to
//! connect: `stream_url::check` did.

use super::ExecError;
use super::stream_url::StreamUrl;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;

/// A connection, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

/// How long the TCP, TLS and WebSocket handshakes may take together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the TLS client could not be set up (kept once, so cloned for each session).
#[derive(Debug, Clone, thiserror::Error)]
enum TlsSetup {
    #[error("no system CA certificates could be read")]
    NoRoots,
    #[error("{0}")]
    Protocols(String),
}

static TLS: OnceLock<Result<Arc<rustls::ClientConfig>, TlsSetup>> = OnceLock::new();

fn tls_config() -> Result<Arc<rustls::ClientConfig>, ExecError> {
    TLS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(TlsSetup::NoRoots);
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
            .map_err(|e| TlsSetup::Protocols(e.to_string()))
    })
    .clone()
    .map_err(|e| ExecError::Tls(e.to_string()))
}

/// Opens the WebSocket to a checked stream URL.
pub async fn connect(url: &StreamUrl) -> Result<Ws, ExecError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, open(url)).await {
        Ok(r) => r,
        Err(_) => Err(ExecError::Connect {
            host: url.host.clone(),
            why: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        }),
    }
}

async fn open(url: &StreamUrl) -> Result<Ws, ExecError> {
    let unreachable = |e: std::io::Error| ExecError::Connect {
        host: url.host.clone(),
        why: e.to_string(),
    };
    let tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(unreachable)?;
    let _ = tcp.set_nodelay(true);
    let io: Box<dyn Io> = if url.tls {
        let name = rustls::pki_types::ServerName::try_from(url.host.clone())
            .map_err(|e| ExecError::Tls(e.to_string()))?;
        let tls = tokio_rustls::TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(|e| ExecError::Tls(e.to_string()))?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    match tokio_tungstenite::client_async(url.uri(), io).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(ExecError::Refused {
            host: url.host.clone(),
            status: resp.status().as_u16(),
        }),
        Err(e) => Err(ExecError::Connect {
            host: url.host.clone(),
            why: e.to_string(),
        }),
    }
}
