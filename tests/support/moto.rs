//! Finding, starting and talking to moto server (a local AWS emulator).
//!
//! The tests that need moto read `DECKWATCH_MOTO_URL`, which `scripts/moto.sh` exports after it
//! started a server. Without it they fail with a message saying to run the script.

#![allow(dead_code)] // each test binary uses a part of the helpers

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_types::SdkConfig;
use aws_types::region::Region;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// The URL of the moto server `scripts/moto.sh` started.
pub fn url() -> String {
    match std::env::var("DECKWATCH_MOTO_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "DECKWATCH_MOTO_URL is not set. The moto tests need a moto server: run them with \
             `scripts/moto.sh cargo test` (it installs moto into .venv, starts it and sets \
             DECKWATCH_MOTO_URL)."
        ),
    }
}

/// A name no other test (or earlier run against the same server) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mix = nanos ^ (u64::from(std::process::id()) << 32) ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!("{prefix}-{:08x}", mix & 0xffff_ffff)
}

pub fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(
        "testing",
        "testing",
        None,
        None,
        "moto-tests",
    ))
}

/// An SDK config for seeding: fake credentials, us-east-1, the moto endpoint. Retries are off
/// here only: seeding is the test's set-up, not the console, and a seeding call that fails
/// should fail the test at once rather than after the retries.
pub async fn sdk_config(url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(credentials())
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// The console's options on moto: the shipped defaults (standard retries on) but for the
/// endpoint, region and clusters.
pub fn options(url: &str, clusters: &[&str]) -> AwsOptions {
    AwsOptions {
        region: Some(REGION.into()),
        endpoint_url: Some(url.into()),
        clusters: clusters.iter().map(|c| c.to_string()).collect(),
        ..AwsOptions::default()
    }
}

/// A fleet on moto with fake credentials and the given interceptors.
pub async fn fleet(url: &str, clusters: &[&str], interceptors: Vec<SharedInterceptor>) -> AwsFleet {
    AwsFleet::connect_with(
        options(url, clusters),
        Overrides {
            interceptors,
            credentials: Some(credentials()),
            ..Overrides::default()
        },
    )
    .await
    .expect("connect to moto")
}

/// One plain HTTP/1.1 request; returns status and body.
pub fn http(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(hostport).unwrap_or_else(|e| panic!("connect {hostport}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("send request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Keeps moto's ECS tasks where they are: by default each `describe_tasks` moves a task one
/// state towards STOPPED. The setting is global to the server, and every test sets the same.
pub fn freeze_tasks(url: &str) {
    let (status, body) = http(
        url,
        "POST",
        "/moto-api/state-manager/set-transition",
        &[("Content-Type", "application/json")],
        r#"{"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000000}}"#,
    );
    assert_eq!(status, 201, "set moto transition: {body}");
}

/// The ids of the default VPC's first subnet and security group, for awsvpc tasks.
pub fn default_network(url: &str) -> (String, String) {
    default_network_of(url, "testing", REGION)
}

/// The default VPC's first subnet and security group of the account whose access key is
/// `key` (moto knows an assumed role's key by its account), in `region`.
pub fn default_network_of(url: &str, key: &str, region: &str) -> (String, String) {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0"
    );
    let ec2 = |action: &str| {
        let (status, body) = http(
            url,
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", auth.as_str()),
            ],
            &format!("Action={action}&Version=2016-11-15"),
        );
        assert_eq!(status, 200, "{action}: {body}");
        body
    };
    let first = |xml: &str, tag: &str| -> String {
        let open = format!("<{tag}>");
        let start = xml
            .find(&open)
            .unwrap_or_else(|| panic!("no {tag} in {xml}"))
            + open.len();
        let end = xml[start..].find('<').expect("closing tag") + start;
        xml[start..end].to_string()
    };
    (
        first(&ec2("DescribeSubnets"), "subnetId"),
        first(&ec2("DescribeSecurityGroups"), "groupId"),
    )
}

/// The repository root, where `.venv` lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A free port for a moto of a test's own. The tests that start one run in parallel in one
/// process, so a port is never handed out twice. It is taken below the kernel's ephemeral range
/// where it can: a moto that a test stops and starts again on the same port (endpoint loss)
/// must find it free, and an outgoing connection of this busy process, or of another on the
/// machine, could otherwise be given it meanwhile.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut given = GIVEN.lock().unwrap();
    let ephemeral_from = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    const FROM: u16 = 20_000;
    if ephemeral_from > FROM {
        let span = u64::from(ephemeral_from - FROM);
        // Each process starts at its own place, so two suites on one machine rarely meet.
        let start = std::process::id() as u64 * 7_919 % span;
        for i in 0..span {
            let port = FROM + ((start + i) % span) as u16;
            if !given.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
                given.insert(port);
                return port;
            }
        }
    }
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        if given.insert(port) {
            return port;
        }
    }
}

/// A moto server of the test's own, stopped (by its PID) when dropped.
pub struct OwnMoto {
    pub port: u16,
    child: Option<Child>,
}

impl OwnMoto {
    pub fn start(port: u16) -> Self {
        let bin = root().join(".venv/bin/moto_server");
        assert!(
            bin.exists(),
            "{} is missing: run the tests with `scripts/moto.sh cargo test`, which installs it",
            bin.display()
        );
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn moto_server");
        let mut me = Self {
            port,
            child: Some(child),
        };
        me.wait_ready();
        me
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        for _ in 0..300 {
            if let Some(c) = &mut self.child
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!("moto_server exited during startup: {status}");
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let (status, _) = http(&self.url(), "GET", "/moto-api/", &[], "");
                if status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server on port {} did not become ready", self.port);
    }

    /// Stops the server and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        self.stop();
    }
}
