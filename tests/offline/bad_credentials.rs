//! Bad credentials give one clear `Credentials` error that says what to run.
//!
//! The test needs an empty AWS environment (credentials, config files, metadata service).
//! Environment variables are global to the process, and the other tests of this binary run
//! beside it on other threads, so it runs its body in a child process of this binary, started
//! with that environment and filtered to this one test. It needs no moto: the call fails before
//! anything is sent.

use deckwatch::cloud::Fleet;
use deckwatch::cloud::aws::{AwsFleet, AwsOptions};
use deckwatch::model::ErrorKind;
use std::process::Command;

/// Set in the child process, which runs the body instead of starting another child.
const IN_CHILD: &str = "DECKWATCH_TEST_EMPTY_AWS_ENV";

const AWS_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_ENDPOINT_URL",
];

fn options(profile: Option<&str>) -> AwsOptions {
    AwsOptions {
        profile: profile.map(str::to_string),
        region: Some("us-east-1".into()),
        // Nothing listens here; a call that got as far as sending would be Unreachable.
        endpoint_url: Some("http://127.0.0.1:9".into()),
        clusters: vec!["prod".into()],
        // The shipped standard retries: a missing credential fails before any attempt.
        ..AwsOptions::default()
    }
}

#[test]
fn missing_credentials_say_what_to_run() {
    if std::env::var_os(IN_CHILD).is_some() {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(say_what_to_run());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config");
    let credentials = dir.path().join("credentials");
    std::fs::write(&config, "").expect("empty config");
    std::fs::write(&credentials, "").expect("empty credentials");
    // The test's name as libtest knows it: its module path without the crate's name.
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, m)| m);
    let name = format!("{module}::missing_credentials_say_what_to_run");
    let mut child = Command::new(std::env::current_exe().expect("this test binary"));
    child.args(["--exact", &name, "--test-threads=1", "--nocapture"]);
    for v in AWS_VARS {
        child.env_remove(v);
    }
    let out = child
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(IN_CHILD, "1")
        .output()
        .expect("run the test in a child process");
    // Without the child's summary line, which would count in scripts/test.sh's total if shown.
    let report = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.starts_with("test result:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (stdout, stderr) = (report(&out.stdout), report(&out.stderr));
    assert!(
        out.status.success(),
        "the child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // A filter that matched nothing would pass too: the child must have run the test.
    let ran = String::from_utf8_lossy(&out.stdout).contains("test result: ok. 1 passed");
    assert!(ran, "the child did not run {name}:\n{stdout}\n{stderr}");
    println!("{}", stdout.trim());
}

async fn say_what_to_run() {
    // A profile that does not exist.
    let fleet = AwsFleet::connect(options(Some("deckwatch-no-such-profile")))
        .await
        .expect("connect resolves no credentials yet");
    let err = fleet.context().await.expect_err("no credentials");
    assert_eq!(err.kind, ErrorKind::Credentials, "{err}");
    assert!(
        err.message.starts_with(
            "no valid AWS credentials: run `aws sso login --profile deckwatch-no-such-profile`"
        ),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("deckwatch-no-such-profile"),
        "{}",
        err.message
    );
    assert!(!err.message.contains('\n'), "one line: {}", err.message);
    println!("{}", err.message);
    let err = fleet.services().await.expect_err("no credentials");
    assert_eq!(err.kind, ErrorKind::Credentials, "{err}");

    // No profile at all and nothing in the environment.
    let fleet = AwsFleet::connect(options(None)).await.expect("connect");
    let err = fleet.alarms().await.expect_err("no credentials");
    assert_eq!(err.kind, ErrorKind::Credentials, "{err}");
    assert!(
        err.message
            .starts_with("no valid AWS credentials: set AWS credentials (env, profile or SSO)"),
        "{}",
        err.message
    );
    assert!(!err.message.contains('\n'), "one line: {}", err.message);
    println!("{}", err.message);
}
