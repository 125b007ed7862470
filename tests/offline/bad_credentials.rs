//! Bad credentials give one clear `Credentials` error that says what to run.
//!
//! This binary empties the process's AWS environment (credentials, config files, metadata
//! service), so it holds this one test and nothing else: environment variables are global to
//! the process. It needs no moto: the call fails before anything is sent.

use deckwatch::cloud::aws::{AwsFleet, AwsOptions};
use deckwatch::cloud::{ErrorKind, Fleet};

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
        retries: false,
        background_metrics: false,
    }
}

#[tokio::test]
async fn missing_credentials_say_what_to_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config");
    let credentials = dir.path().join("credentials");
    std::fs::write(&config, "").expect("empty config");
    std::fs::write(&credentials, "").expect("empty credentials");
    // SAFETY: this binary runs this single test, before any other thread reads the environment.
    unsafe {
        for v in AWS_VARS {
            std::env::remove_var(v);
        }
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }

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
