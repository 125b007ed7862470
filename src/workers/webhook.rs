//! `[notify] webhook`: each notification also goes as a Slack-compatible JSON POST
//! (`{"text": "…"}`, the words of the desktop notification), off the loop. A task of its own
//! sends them one at a time: it asks the API budget first (`webhook:Post`), waits at most
//! `TIMEOUT` for an answer, and says a failure once in the status line (`Msg::WebhookFailed`);
//! a notice that failed is not sent again. The URL is never logged or shown: a failure names
//! what went wrong, not where.

use crate::budget::{Budget, Priority, with_caller, with_priority};
use crate::model::Op;
use crate::model::notify::WebhookUrl;
use crate::state::Msg;
use crate::state::notify::Notice;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long one POST may take, the answer read included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Notices waiting to be sent, at most; beyond it one is dropped and the status line says so.
const QUEUE: usize = 32;
/// The most of an answer read: Slack answers `ok`.
const ANSWER_MAX: usize = 4096;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// Why a notice did not reach the webhook. No variant holds the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook: no TLS root certificates: {0}")]
    Tls(String),
    #[error("webhook: could not send: {0}")]
    Unreachable(String),
    #[error("webhook: no answer within {} s", TIMEOUT.as_secs())]
    Timeout,
    #[error("webhook: answered HTTP {0}")]
    Status(u16),
    #[error("webhook: {0} notification(s) dropped: {QUEUE} were already waiting to be sent")]
    Full(usize),
}

/// The loop's side: hands notices to the sending task without waiting.
pub struct Webhook {
    tx: mpsc::Sender<Notice>,
    report: mpsc::Sender<Msg>,
}

impl Webhook {
    /// Starts the task that POSTs to `url`; its failures come back on `report`.
    pub fn spawn(url: WebhookUrl, budget: Arc<Budget>, report: mpsc::Sender<Msg>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(url, budget, rx, report.clone()));
        Self { tx, report }
    }

    /// Queues `n`; never blocks. A full queue drops it and says so; a task that could not
    /// start (no TLS roots) said why once already.
    pub fn send(&self, n: &Notice) {
        match self.tx.try_send(n.clone()) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("webhook: queue full, a notification was dropped");
                let why = WebhookError::Full(1).to_string();
                let _ = self.report.try_send(Msg::WebhookFailed(why));
            }
        }
    }
}

async fn run(
    url: WebhookUrl,
    budget: Arc<Budget>,
    mut rx: mpsc::Receiver<Notice>,
    report: mpsc::Sender<Msg>,
) {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            let _ = report.send(Msg::WebhookFailed(e.to_string())).await;
            return;
        }
    };
    while let Some(n) = rx.recv().await {
        let sent = with_caller(
            "webhook",
            with_priority(Priority::Visible, post(&client, &url, &budget, &n)),
        )
        .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "webhook");
            let _ = report.send(Msg::WebhookFailed(e.to_string())).await;
        }
    }
}

fn client() -> Result<Client<Https, Full<Bytes>>, WebhookError> {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| WebhookError::Tls(e.to_string()))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// The request's body: `{"text": "title: body"}`.
pub fn body(n: &Notice) -> String {
    serde_json::json!({ "text": n.line() }).to_string()
}

/// One POST: the budget first, then the request, bounded by `TIMEOUT`.
async fn post(
    client: &Client<Https, Full<Bytes>>,
    url: &WebhookUrl,
    budget: &Budget,
    n: &Notice,
) -> Result<(), WebhookError> {
    budget.acquire(Op::WebhookPost).await;
    let req = Request::post(url.expose())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(
            http::header::USER_AGENT,
            concat!("deckwatch/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::from(body(n))))
        .map_err(|_| WebhookError::Unreachable("the URL cannot be requested".into()))?;
    let call = async {
        let resp = client.request(req).await.map_err(|e| {
            // Said without the URL, should the error's text ever quote it.
            let why = crate::model::chain_text(&e).replace(url.expose(), "<webhook url>");
            WebhookError::Unreachable(why)
        })?;
        let status = resp.status();
        // The answer is read (bounded) so the connection ends cleanly; its text is not shown.
        let mut body = resp.into_body();
        let mut read = 0;
        while let Some(Ok(frame)) = body.frame().await {
            read += frame.data_ref().map_or(0, Bytes::len);
            if read > ANSWER_MAX {
                break;
            }
        }
        if status.is_success() {
            Ok(())
        } else {
            Err(WebhookError::Status(status.as_u16()))
        }
    };
    tokio::time::timeout(TIMEOUT, call)
        .await
        .map_err(|_| WebhookError::Timeout)?
}
