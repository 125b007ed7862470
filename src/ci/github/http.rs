//! The HTTP layer of the GitHub client: one place that sends, asks the API budget first, adds
//! the token, polls with ETags (a 304 does not count against the hourly limit), records the
//! rate-limit headers, and after a rate limit stops calling until GitHub said it may again, so
//! no poller can turn a limit into a storm.

use crate::budget::Budget;
use crate::ci::github::token::Secret;
use crate::model::Op;
use crate::model::{ApiError, ApiResult, ErrorKind};
use crate::model::{At, Ms, RateInfo};
use crate::timing::now_ms;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// ETag-cached answers kept; the cache starts over when full.
const CACHE_ENTRIES: usize = 512;
/// The most of a log kept while reading it: the tail is what is shown.
const LOG_TAIL_BYTES: usize = 256 * 1024;
/// Without a Retry-After, a secondary limit waits this long (GitHub's advice: at least a minute).
const SECONDARY_WAIT_MS: Ms = Ms::MINUTE;

/// What came back.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Served from the ETag cache after a 304.
    pub cached: bool,
}

/// Requests sent and 304s received, for the benchmark and the tests.
#[derive(Debug, Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub not_modified: AtomicU64,
}

pub struct Http {
    client: Client<Https, Full<Bytes>>,
    base: String,
    token: Secret,
    budget: Arc<Budget>,
    etags: Mutex<HashMap<String, (String, Bytes)>>,
    rate: Mutex<Option<RateInfo>>,
    /// No call before this (unix ms), after a rate limit.
    blocked_until: Mutex<Option<At>>,
    pub counters: Counters,
}

fn other(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Other, msg)
}

impl Http {
    pub fn new(base: &str, token: Secret, budget: Arc<Budget>) -> ApiResult<Self> {
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| other(format!("GitHub: no TLS root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(https),
            base: base.trim_end_matches('/').to_string(),
            token,
            budget,
            etags: Mutex::new(HashMap::new()),
            rate: Mutex::new(None),
            blocked_until: Mutex::new(None),
            counters: Counters::default(),
        })
    }

    pub fn rate(&self) -> Option<RateInfo> {
        *self.rate.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn waiting_until(&self) -> Option<At> {
        let until = *self.blocked_until.lock().unwrap_or_else(|e| e.into_inner());
        until.filter(|&t| t > now_ms())
    }

    /// A GET of `path` (with its query), with `If-None-Match` when an earlier answer had an
    /// ETag; a 304 answers with that earlier body.
    pub async fn get(&self, op: Op, path: &str) -> ApiResult<Answer> {
        self.send(op, Method::GET, path, None).await
    }

    pub async fn post(&self, op: Op, path: &str, body: Option<String>) -> ApiResult<Answer> {
        self.send(op, Method::POST, path, body).await
    }

    async fn send(
        &self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> ApiResult<Answer> {
        self.check_gate(op)?;
        self.budget.acquire(op).await;
        let url = format!("{}{path}", self.base);
        let cached = (method == Method::GET).then(|| self.cached(&url)).flatten();
        let req = self.request(&method, &url, body, cached.as_ref().map(|c| c.0.as_str()))?;
        let (status, headers, bytes) = self.exchange(op, req, usize::MAX).await?;
        self.note_rate(&headers);
        if status == StatusCode::NOT_MODIFIED
            && let Some((_, body)) = cached
        {
            self.counters.not_modified.fetch_add(1, Ordering::Relaxed);
            return Ok(Answer {
                status: StatusCode::OK,
                headers,
                body,
                cached: true,
            });
        }
        self.check_status(op, status, &headers, &bytes)?;
        if method == Method::GET
            && let Some(tag) = headers
                .get(http::header::ETAG)
                .and_then(|v| v.to_str().ok())
        {
            self.remember(url, tag.to_string(), bytes.clone());
        }
        Ok(Answer {
            status,
            headers,
            body: bytes,
            cached: false,
        })
    }

    /// Plain text from a URL GitHub redirected to (a log): no token goes with it, since it is
    /// signed and on another host; only the last `LOG_TAIL_BYTES` are kept.
    pub async fn fetch_tail(&self, url: &str) -> ApiResult<Bytes> {
        self.budget.acquire(Op::GitHubDownloadJobLog).await;
        let req = Request::get(url)
            .header(http::header::USER_AGENT, user_agent())
            .body(Full::new(Bytes::new()))
            .map_err(|e| other(format!("GitHub: bad log URL: {e}")))?;
        let (status, _, body) = self
            .exchange(Op::GitHubDownloadJobLog, req, LOG_TAIL_BYTES)
            .await?;
        if !status.is_success() {
            return Err(other(format!("job log: HTTP {status} from the log URL")));
        }
        Ok(body)
    }

    fn request(
        &self,
        method: &Method,
        url: &str,
        body: Option<String>,
        etag: Option<&str>,
    ) -> ApiResult<Request<Full<Bytes>>> {
        let mut b = Request::builder()
            .method(method.clone())
            .uri(url)
            // GitHub's recommended type; plain JSON too, which its API description names.
            .header(
                http::header::ACCEPT,
                "application/vnd.github+json, application/json",
            )
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header(http::header::USER_AGENT, user_agent())
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token.expose()),
            );
        if let Some(tag) = etag {
            b = b.header(http::header::IF_NONE_MATCH, tag);
        }
        if body.is_some() {
            b = b.header(http::header::CONTENT_TYPE, "application/json");
        }
        let body = Full::new(Bytes::from(body.unwrap_or_default()));
        b.body(body)
            .map_err(|e| other(format!("GitHub: bad request URL {url}: {e}")))
    }

    /// Sends and reads the answer, keeping at most the last `keep` bytes of its body.
    async fn exchange(
        &self,
        op: Op,
        req: Request<Full<Bytes>>,
        keep: usize,
    ) -> ApiResult<(StatusCode, HeaderMap, Bytes)> {
        self.counters.sent.fetch_add(1, Ordering::Relaxed);
        let call = async {
            let resp = self.client.request(req).await.map_err(|e| {
                ApiError::new(
                    ErrorKind::Unreachable,
                    format!("{op}: {}", crate::model::chain_text(&e)),
                )
            })?;
            let (parts, mut body) = resp.into_parts();
            let mut buf = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| {
                    ApiError::new(ErrorKind::Unreachable, format!("{op}: answer cut off: {e}"))
                })?;
                if let Some(data) = frame.data_ref() {
                    buf.extend_from_slice(data);
                    if buf.len() > keep {
                        buf.drain(..buf.len() - keep);
                    }
                }
            }
            Ok((parts.status, parts.headers, Bytes::from(buf)))
        };
        tokio::time::timeout(TIMEOUT, call).await.map_err(|_| {
            ApiError::new(
                ErrorKind::Unreachable,
                format!("{op}: GitHub did not answer within {} s", TIMEOUT.as_secs()),
            )
        })?
    }

    fn cached(&self, url: &str) -> Option<(String, Bytes)> {
        let cache = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(url).cloned()
    }

    fn remember(&self, url: String, etag: String, body: Bytes) {
        let mut cache = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_ENTRIES && !cache.contains_key(&url) {
            cache.clear();
        }
        cache.insert(url, (etag, body));
    }

    fn note_rate(&self, h: &HeaderMap) {
        let num = |k: &str| h.get(k)?.to_str().ok()?.trim().parse::<i64>().ok();
        if let (Some(limit), Some(remaining), Some(reset)) = (
            num("x-ratelimit-limit"),
            num("x-ratelimit-remaining"),
            num("x-ratelimit-reset"),
        ) {
            *self.rate.lock().unwrap_or_else(|e| e.into_inner()) = Some(RateInfo {
                limit: limit.max(0) as u32,
                remaining: remaining.max(0) as u32,
                reset_at: At(reset * 1000),
            });
        }
    }

    /// Refuses at once, without a call, while a rate limit lasts.
    fn check_gate(&self, op: Op) -> ApiResult<()> {
        match self.waiting_until() {
            Some(until) => Err(waiting(op, until)),
            None => Ok(()),
        }
    }

    fn block_until(&self, until: At) {
        let mut b = self.blocked_until.lock().unwrap_or_else(|e| e.into_inner());
        *b = Some(b.map_or(until, |t| t.max(until)));
    }

    /// Maps an unsuccessful status to what the pane says and does about it.
    fn check_status(
        &self,
        op: Op,
        status: StatusCode,
        h: &HeaderMap,
        body: &[u8],
    ) -> ApiResult<()> {
        if status.is_success() || status.is_redirection() {
            return Ok(());
        }
        let message = error_message(body);
        let header = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
        let retry_after = header("retry-after").and_then(|v| v.parse::<i64>().ok());
        let exhausted = header("x-ratelimit-remaining") == Some("0");
        let limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN
                && (retry_after.is_some() || exhausted || message.contains("rate limit")));
        if limited {
            self.budget.throttled(op);
            let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
            let until = match (retry_after, exhausted, reset) {
                (Some(secs), _, _) => now_ms() + Ms::secs(secs.max(1)),
                (None, true, Some(reset)) => At(reset * 1000),
                _ => now_ms() + SECONDARY_WAIT_MS,
            };
            self.block_until(until);
            return Err(waiting(op, until));
        }
        Err(match status.as_u16() {
            401 => ApiError::new(
                ErrorKind::Credentials,
                format!(
                    "GitHub refused the token (401 {message}): set a valid one in GH_TOKEN or \
                     GITHUB_TOKEN, or run `gh auth login`"
                ),
            ),
            403 => ApiError::new(ErrorKind::AccessDenied(op), message),
            // GitHub's own words say which commit it does not know.
            404 if op == Op::GitHubCompareCommits => other(format!(
                "{op}: not found (404): {message}; a commit that is not in the repository, or \
                 a token that cannot read it"
            )),
            404 => other(format!(
                "{op}: not found (404): check the repo and workflow, and that the token can read them"
            )),
            s if s >= 500 => ApiError::new(
                ErrorKind::ServerError,
                format!("{op}: HTTP {s} from GitHub"),
            ),
            s => other(format!("{op}: HTTP {s}: {message}")),
        })
    }
}

fn waiting(op: Op, until: At) -> ApiError {
    ApiError::new(
        ErrorKind::Throttled,
        format!(
            "{op}: GitHub rate limit; waiting until {} UTC before calling again",
            crate::model::text::clock(until)
        ),
    )
}

/// GitHub's `{"message": ...}`, cleaned, or the start of the body.
fn error_message(body: &[u8]) -> String {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    crate::model::text::clean(&text)
}

fn user_agent() -> String {
    format!("deckwatch/{}", env!("CARGO_PKG_VERSION"))
}

/// Percent-encodes a query value or path segment (everything but RFC 3986's unreserved).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
