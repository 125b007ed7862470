//! A fault proxy in front of moto: it forwards every request, counts them by operation, and
//! for the operation chosen answers as a sick endpoint would: throttling, a 500, no answer at
//! all, a connection reset half-way through the body, or a body that does not parse.
//!
//! Plain HTTP/1.1 on 127.0.0.1, one task per client connection (the SDK keeps connections
//! alive); each request goes to moto on a fresh connection.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a request of the chosen operation is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded as it is.
    None,
    /// A throttling error in the service's protocol (HTTP 400, `Throttling` /
    /// `ThrottlingException`).
    Throttle,
    /// HTTP 500 with an HTML body, as a load balancer in front of a sick service sends.
    ServerError,
    /// Read, and never answered.
    Hang,
    /// Moto's answer, cut half-way through its body by a connection reset.
    ResetMidBody,
    /// Moto's answer with its body broken: JSON cut short, or XML with an unclosed element
    /// where `marker` (or, with no marker, the middle of the body) is.
    BadBody { marker: Option<String> },
}

#[derive(Debug, Clone)]
struct Rule {
    /// The operation, e.g. `DescribeAlarms` or `ListServices`.
    operation: String,
    fault: Fault,
    /// Only requests signed with this access key (one account's); None: every request.
    key: Option<String>,
}

#[derive(Default)]
struct Shared {
    rule: Option<Rule>,
    counts: BTreeMap<String, usize>,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (moto's URL) on a free port.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(serve(conn, upstream.clone(), s.clone()));
            }
        });
        Self { url, shared, task }
    }

    /// Answers `operation` with `fault` from now on.
    pub fn set(&self, operation: &str, fault: Fault) {
        self.shared.lock().unwrap().rule = Some(Rule {
            operation: operation.into(),
            fault,
            key: None,
        });
    }

    /// Answers `operation` with `fault` from now on, only for requests signed with access key
    /// `key` (moto knows the account by it): one account's endpoint sick, the others' not.
    pub fn set_for_key(&self, operation: &str, key: &str, fault: Fault) {
        self.shared.lock().unwrap().rule = Some(Rule {
            operation: operation.into(),
            fault,
            key: Some(key.into()),
        });
    }

    /// Forwards everything from now on.
    pub fn heal(&self) {
        self.shared.lock().unwrap().rule = None;
    }

    /// Requests seen for `operation` since the last reset.
    pub fn count(&self, operation: &str) -> usize {
        self.shared
            .lock()
            .unwrap()
            .counts
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.shared.lock().unwrap().counts.clone()
    }

    pub fn reset_counts(&self) {
        self.shared.lock().unwrap().counts.clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request as read from a client.
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    /// The operation: `X-Amz-Target`'s tail (JSON protocols) or the query's `Action=`.
    fn operation(&self) -> String {
        for line in self.head.lines() {
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("x-amz-target")
            {
                return v.trim().rsplit('.').next().unwrap_or_default().to_string();
            }
        }
        let body = String::from_utf8_lossy(&self.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or_default()
            .to_string()
    }

    /// Signed with access key `key` (SigV4's `Credential=KEY/...`).
    fn signed_by(&self, key: &str) -> bool {
        self.head.contains(&format!("Credential={key}/"))
    }

    fn is_json(&self) -> bool {
        self.head.to_ascii_lowercase().contains("x-amz-target")
    }
}

async fn serve(mut conn: TcpStream, upstream: String, shared: Arc<Mutex<Shared>>) {
    loop {
        let Some(req) = read_request(&mut conn).await else {
            return;
        };
        let op = req.operation();
        let fault = {
            let mut s = shared.lock().unwrap();
            *s.counts.entry(op.clone()).or_default() += 1;
            match &s.rule {
                Some(r) if r.operation == op && r.key.as_ref().is_none_or(|k| req.signed_by(k)) => {
                    r.fault.clone()
                }
                _ => Fault::None,
            }
        };
        if !answer(&mut conn, &upstream, &req, fault).await {
            return;
        }
    }
}

/// Answers one request; false when the connection is done with.
async fn answer(conn: &mut TcpStream, upstream: &str, req: &Request, fault: Fault) -> bool {
    match fault {
        Fault::Throttle => write(conn, 400, &throttle_body(req), content_type(req)).await,
        Fault::ServerError => {
            let body = b"<html><body>500 Internal Server Error</body></html>".to_vec();
            write(conn, 500, &body, "text/html").await
        }
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            false
        }
        Fault::None | Fault::ResetMidBody | Fault::BadBody { .. } => {
            let Some((status, ctype, body)) = forward(upstream, req).await else {
                return false;
            };
            match fault {
                Fault::ResetMidBody => {
                    reset_mid_body(conn, status, &ctype, &body).await;
                    false
                }
                Fault::BadBody { marker } => {
                    let broken = break_body(&body, req.is_json(), marker.as_deref());
                    write(conn, status, &broken, &ctype).await
                }
                _ => write(conn, status, &body, &ctype).await,
            }
        }
    }
}

fn content_type(req: &Request) -> &'static str {
    if req.is_json() {
        "application/x-amz-json-1.1"
    } else {
        "text/xml"
    }
}

fn throttle_body(req: &Request) -> Vec<u8> {
    if req.is_json() {
        br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_vec()
    } else {
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>".to_vec()
    }
}

fn break_body(body: &[u8], json: bool, marker: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(body).to_string();
    if json {
        // JSON cut short: an object that never closes.
        let half = text.len() / 2;
        let mut cut = half;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        return text.as_bytes()[..cut].to_vec();
    }
    match marker {
        // An entity no XML knows and a stray `<`: no parser, however lenient, reads past them.
        Some(m) if text.contains(m) => text
            .replacen(m, "&nosuchentity; < &#xFFFF;", 1)
            .into_bytes(),
        _ => {
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}<Unclosed>", &text[..cut]).into_bytes()
        }
    }
}

async fn write(conn: &mut TcpStream, status: u16, body: &[u8], ctype: &str) -> bool {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.is_ok() && conn.write_all(body).await.is_ok()
}

/// Sends the head and half the body, then resets the connection (RST, not FIN).
async fn reset_mid_body(conn: &mut TcpStream, status: u16, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes()).await;
    let _ = conn.write_all(&body[..body.len() / 2]).await;
    let _ = conn.flush().await;
    // SO_LINGER 0: the close that follows sends a reset. (Deprecated in tokio because the
    // close may block; here the socket has nothing left to send.)
    #[allow(deprecated)]
    let _ = conn.set_linger(Some(Duration::ZERO));
}

/// Reads one request (head and Content-Length body); None at the end of the connection.
async fn read_request(conn: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let mut chunk = vec![0u8; len - body.len()];
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request { head, body })
}

/// Sends `req` to moto on a connection of its own; its status, content type and body.
async fn forward(upstream: &str, req: &Request) -> Option<(u16, String, Vec<u8>)> {
    let mut up = TcpStream::connect(upstream).await.ok()?;
    let mut head = String::new();
    for (i, line) in req.head.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        if i > 0 && (lower.starts_with("connection:") || lower.starts_with("host:")) {
            continue;
        }
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Host: {upstream}\r\nConnection: close\r\n\r\n"));
    up.write_all(head.as_bytes()).await.ok()?;
    up.write_all(&req.body).await.ok()?;
    let mut raw = Vec::new();
    up.read_to_end(&mut raw).await.ok()?;
    let end = find(&raw, b"\r\n\r\n")?;
    let rhead = String::from_utf8_lossy(&raw[..end]).to_string();
    let status = rhead.split_whitespace().nth(1)?.parse().ok()?;
    let ctype = header(&rhead, "content-type")
        .unwrap_or("text/xml")
        .to_string();
    let mut body = raw[end + 4..].to_vec();
    if header(&rhead, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = dechunk(&body);
    }
    Some((status, ctype, body))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = find(body, b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&body[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = i + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}
