//! Credentials that expire and come back while the console runs, against moto with its IAM
//! authentication on. The real binary reads its credentials from a `credential_process` whose
//! answer this test rewrites under the running process: valid (the header counts down), then
//! expired (the panes keep their data and say what to run), then keys the service refuses,
//! then valid again: the panes recover by themselves, in the same process.
//!
//! Its moto is its own: IAM authentication is switched on for the whole server.

use crate::support::pty::Console;
use crate::support::{moto, seed};
use moto::OwnMoto;
use seed::{Seeder, TaskDefSpec};
use std::path::Path;

/// One call to moto's IAM query API; returns the XML answer.
fn iam(url: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::from("Version=2010-05-08");
    for (k, v) in params {
        body.push_str(&format!("&{k}={}", encode(v)));
    }
    let (status, answer) = moto::http(
        url,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        &body,
    );
    assert_eq!(status, 200, "{params:?}: {answer}");
    answer
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn tag(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].to_string()
}

/// A user allowed everything, and its access key.
fn user_with_key(url: &str) -> (String, String) {
    let user = moto::unique("swap");
    iam(url, &[("Action", "CreateUser"), ("UserName", &user)]);
    let policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    iam(
        url,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", &user),
            ("PolicyName", "everything"),
            ("PolicyDocument", policy),
        ],
    );
    let key = iam(url, &[("Action", "CreateAccessKey"), ("UserName", &user)]);
    (tag(&key, "AccessKeyId"), tag(&key, "SecretAccessKey"))
}

/// From now on moto checks every request's credentials.
fn authenticate_from_now_on(url: &str) {
    let (status, body) = moto::http(url, "POST", "/moto-api/reset-auth", &[], "0");
    assert_eq!(status, 200, "{body}");
}

/// What the `credential_process` prints next: keys expiring `secs` from now (in the past when
/// negative).
fn write_credentials(file: &Path, key: &str, secret: &str, secs: i64) {
    let at = chrono::Utc::now() + chrono::Duration::seconds(secs);
    let json = serde_json::json!({
        "Version": 1,
        "AccessKeyId": key,
        "SecretAccessKey": secret,
        "Expiration": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    // Written whole, then renamed, so the process never reads half a file.
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, json.to_string()).unwrap();
    std::fs::rename(&tmp, file).unwrap();
}

const HINT: &str = "aws sso login --profile swap";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panes_keep_their_data_while_credentials_are_expired_and_recover_without_a_restart() {
    let _shared = moto::url();
    let server = OwnMoto::start(moto::free_port());
    let url = server.url();
    let cluster = moto::unique("creds");
    let seed = Seeder::new(&url).await;
    seed.cluster(&cluster).await;
    let td = seed
        .task_def(TaskDefSpec {
            family: "ledger",
            container: "app",
            image: "example/ledger:1",
            log_group: "/ecs/ledger",
            stream_prefix: "ecs",
        })
        .await;
    seed.service(&cluster, "ledger-api", &td, 1).await;
    let (key, secret) = user_with_key(&url);
    authenticate_from_now_on(&url);

    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds.json");
    let aws_config = dir.path().join("aws-config");
    let empty = dir.path().join("aws-credentials");
    let config = dir.path().join("deckwatch.toml");
    std::fs::write(
        &aws_config,
        format!(
            "[profile swap]\nregion = {}\ncredential_process = cat {}\n",
            moto::REGION,
            creds.display()
        ),
    )
    .unwrap();
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&config, "[poll]\nfast_secs = 1\nnormal_secs = 1\n").unwrap();

    // Valid, for a little over a minute: renewed (read again) from ten seconds on.
    write_credentials(&creds, &key, &secret, 70);
    let env = [
        ("AWS_CONFIG_FILE", aws_config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = [
        "--profile",
        "swap",
        "--endpoint-url",
        url.as_str(),
        "--cluster",
        cluster.as_str(),
        "--config",
        config.to_str().unwrap(),
    ];
    let mut c = Console::spawn(&args, &env);
    c.wait_for("ledger-api");
    c.wait_for("acct 123456789012");
    c.wait_for("creds expire in ");
    let pid = c.pid();

    // The session runs out: the next renewal finds expired credentials.
    write_credentials(&creds, &key, &secret, -60);
    c.wait_for("CREDENTIALS EXPIRED");
    c.wait_for(HINT);
    let screen = c.screen();
    assert!(
        screen.contains("ledger-api"),
        "the pane lost its data:\n{screen}"
    );
    assert!(
        screen.contains("STALE"),
        "the data is not marked stale:\n{screen}"
    );

    // Keys the service does not know: refused by moto, still what to run.
    write_credentials(&creds, "AKIANOTAREALKEY00000", "nope", 1_200);
    c.wait_gone("CREDENTIALS EXPIRED");
    c.wait_for(HINT);
    assert!(c.screen().contains("ledger-api"));

    // Logged in again: the panes recover by themselves, in the same process.
    write_credentials(&creds, &key, &secret, 1_200);
    c.wait_gone(HINT);
    c.wait_gone("STALE");
    c.wait_for("ledger-api");
    assert!(c.running(), "deckwatch exited:\n{}", c.screen());
    assert_eq!(c.pid(), pid);
    c.send("q");
    assert!(c.wait_exit().success());
}
