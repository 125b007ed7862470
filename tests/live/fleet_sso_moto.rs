//! `[fleet] sso_session` in the real binary, on moto: the SSO portal (which moto lacks) is the
//! shim's, granting one role in an account of this run and handing out, for it, keys moto's own
//! STS issued for a role in that account (moto keeps accounts apart by access key). The
//! session and its token are where `aws sso login` leaves them, in the console's HOME. The
//! fleet view lists the session's account and role as a context whose calls land in that
//! account (its services, its account number read from STS), and `:ctx` goes there.

use crate::fleet_moto::{account, assumed, row_after, services};
use crate::support::moto;
use crate::support::pty::Console;
use crate::support::shim::Shim;
use crate::support::shim::sso::{Grant, Portal};
use aws_credential_types::provider::ProvideCredentials;

/// sha1("corp"), as `printf corp | sha1sum` prints it.
const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_session_s_role_is_a_context_whose_calls_land_in_its_account() {
    let url = moto::url();
    let shim = Shim::start(&url);
    let us = "us-east-1";
    let acct = account("4");
    let role = assumed(&url, &acct, us).await;
    let names = services(&url, &role, 2).await;
    let keys = role
        .0
        .credentials_provider()
        .expect("a provider")
        .provide_credentials()
        .await
        .expect("the assumed role's keys");
    shim.sso_portal(Portal {
        bearer: "live-bearer-token".into(),
        grants: vec![Grant {
            account_id: acct.clone(),
            account_name: "payments prod".into(),
            role: "ReadOnly".into(),
            access_key_id: keys.access_key_id().into(),
            secret_access_key: keys.secret_access_key().into(),
            session_token: keys.session_token().unwrap_or_default().into(),
        }],
    });

    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    let cache = aws.join("sso").join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n\
             region = {us}\n\n[sso-session corp]\nsso_region = {us}\n\
             sso_start_url = https://corp.awsapps.com/start\n"
        ),
    )
    .unwrap();
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    let token = serde_json::json!({
        "startUrl": "https://corp.awsapps.com/start",
        "region": us,
        "accessToken": "live-bearer-token",
        "expiresAt": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    std::fs::write(cache.join(CORP_TOKEN_FILE), token.to_string()).unwrap();
    std::fs::write(aws.join("credentials"), "").unwrap();
    let config = home.path().join("deckwatch.toml");
    std::fs::write(&config, "[fleet]\nsso_session = \"corp\"\nevery_secs = 5\n").unwrap();

    let shim_url = shim.url();
    let env = [
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ENDPOINT_URL", shim_url.as_str()),
    ];
    let args = ["--profile", "base", "--config", config.to_str().unwrap()];
    let mut c = Console::spawn_sized(&args, &env, 140, 40);
    c.wait_for("ctx base");
    c.send("0");
    let label = format!("payments-prod/ReadOnly ({us})");
    c.wait_for_screen("the SSO context read", |s| {
        s.lines().any(|l| l.contains(&label) && l.contains(&acct))
    });
    let screen = c.screen();
    // CONTEXT then HOOKS FAILING ALARMS ROLLING FAILED-1H SVCS CREDS AGE ACCOUNT.
    let row = row_after(&screen, &label);
    assert_eq!(
        (row[5].as_str(), row[8].as_str()),
        ("2", acct.as_str()),
        "its own account's services: {screen}"
    );
    let asked: Vec<String> = shim
        .calls()
        .into_iter()
        .map(|call| call.operation)
        .filter(|op| op.starts_with("sso/"))
        .collect();
    for (op, path) in [
        ("ListAccounts", "sso/assignment/accounts"),
        ("ListAccountRoles", "sso/assignment/roles"),
        ("GetRoleCredentials", "sso/federation/credentials"),
    ] {
        assert!(asked.iter().any(|a| a == path), "{op} not asked: {asked:?}");
    }

    // `:ctx` goes there: the services pane lists that account's services.
    c.send("\x1b");
    c.send(":ctx payments-prod/ReadOnly\r");
    c.wait_for(&names[0]);
    c.send("q");
    assert!(c.wait_exit().success());
}
