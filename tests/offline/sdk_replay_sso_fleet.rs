//! `[fleet] sso_session` end to end, through the real SDK clients on replayed answers (moto has
//! no SSO portal): a config naming the session and a token cached as `aws sso login` caches it
//! yield one context per (account, role); `:ctx` and the fleet view get them; a context's
//! calls are signed with the keys `sso:GetRoleCredentials` handed out for its account and role;
//! a missing token is the fleet row's credentials error that says which login to run, and no
//! call is sent.

use crate::support::replay::sso_portal_answer as json_answer;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::app::connector::{AwsContexts, ConfiguredContexts, Connector};
use deckwatch::app::fleet_sources::FleetSources;
use deckwatch::app::sso_discovery::{LISTING, SsoDiscovery};
use deckwatch::budget::Budget;
use deckwatch::cloud::aws::AwsOptions;
use deckwatch::cloud::aws::sso::{RoleCredentials, SsoEnv, SsoError, SsoRole};
use deckwatch::config::Config;
use deckwatch::model::{ErrorKind, Op};
use deckwatch::state::{Effect, Msg, State, Target, update};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// sha1("corp"), as `printf corp | sha1sum` prints it.
const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
const ACCESS_KEY: &str = "ASIAREPLAYEDSSOKEY01";
const SESSION_TOKEN: &str = "replayed-session-token";

/// `GetRoleCredentials`'s answer as the API reference documents it (expiration in ms).
fn role_credentials(expires: SystemTime) -> ReplayEvent {
    let ms = expires
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64;
    json_answer(json!({
        "roleCredentials": {
            "accessKeyId": ACCESS_KEY,
            "secretAccessKey": "replayed-secret",
            "sessionToken": SESSION_TOKEN,
            "expiration": ms
        }
    }))
}

fn caller_identity(account: &str) -> ReplayEvent {
    let xml = format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult>\
         <Arn>arn:aws:sts::{account}:assumed-role/AWSReservedSSO_ReadOnly_0123/oncall</Arn>\
         <UserId>AROAEXAMPLE:oncall</UserId><Account>{account}</Account></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
    let req = http::Request::builder()
        .uri("https://sts.us-west-2.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    let resp = http::Response::builder()
        .status(200)
        .header("content-type", "text/xml")
        .body(SdkBody::from(xml))
        .expect("response");
    ReplayEvent::new(req, resp)
}

/// A home as the AWS CLI leaves it after `aws sso login --sso-session corp`: the session in
/// `.aws/config`, its token in `.aws/sso/cache`, valid for another hour.
fn home(dir: &Path, logged_in: bool) -> (PathBuf, PathBuf) {
    let aws = dir.join(".aws");
    let cache = aws.join("sso").join("cache");
    std::fs::create_dir_all(&cache).expect("cache dir");
    let config = aws.join("config");
    std::fs::write(
        &config,
        "[sso-session corp]\nsso_region = eu-central-1\n\
         sso_start_url = https://corp.awsapps.com/start\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    if logged_in {
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        let token = json!({
            "startUrl": "https://corp.awsapps.com/start",
            "region": "eu-central-1",
            "accessToken": "the-bearer-token",
            "expiresAt": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        std::fs::write(cache.join(CORP_TOKEN_FILE), token.to_string()).expect("token");
    }
    (config, cache)
}

fn env(files: &(PathBuf, PathBuf), replay: &StaticReplayClient) -> SsoEnv {
    SsoEnv {
        config_file: Some(files.0.clone()),
        cache_dir: Some(files.1.clone()),
        http_client: Some(SharedHttpClient::new(replay.clone())),
        ..SsoEnv::default()
    }
}

/// The config's `[fleet]`, read as the console reads it, with its listing pointed at `env`.
fn discovery(toml: &str, env: SsoEnv, taken: &[&str]) -> SsoDiscovery {
    let cfg = Config::parse("test.toml", toml).expect("config");
    let sources = FleetSources::of(&cfg, false);
    assert_eq!(
        sources.note.as_deref(),
        Some(LISTING),
        "said until it answers"
    );
    let mut listing = sources.sso.expect("sso_session makes a listing");
    listing.env = env;
    listing.taken = taken.iter().map(|t| t.to_string()).collect();
    listing
}

fn connector(listing: &SsoDiscovery, replay: &StaticReplayClient) -> AwsContexts {
    AwsContexts {
        contexts: ConfiguredContexts {
            startup: "dev".into(),
            configured: Vec::new(),
            choices: Default::default(),
        },
        startup_options: AwsOptions {
            retries: false,
            ..AwsOptions::default()
        },
        budget: Arc::new(Budget::default()),
        cost_explorer: false,
        sso: listing.registry.clone(),
        http_client: Some(SharedHttpClient::new(replay.clone())),
    }
}

const CONFIG: &str = "[fleet]\nsso_session = \"corp\"\nregions = [\"us-west-2\", \"eu-west-1\"]\n";

/// A portal whose session reaches one account, `prod`, with one role, `OnCall`.
fn prod_on_call_portal() -> StaticReplayClient {
    StaticReplayClient::new(vec![
        json_answer(json!({"accountList": [
            {"accountId": "111111111111", "accountName": "prod", "emailAddress": "p@example.com"}
        ]})),
        json_answer(json!({"roleList": [{"roleName": "OnCall", "accountId": "111111111111"}]})),
    ])
}

#[tokio::test]
async fn a_session_s_accounts_become_contexts_whose_calls_carry_the_role_s_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let portal = StaticReplayClient::new(vec![
        json_answer(json!({"accountList": [
            {"accountId": "111111111111", "accountName": "payments prod", "emailAddress": "p@example.com"},
            {"accountId": "222222222222", "accountName": "staging", "emailAddress": "s@example.com"}
        ]})),
        json_answer(json!({"roleList": [{"roleName": "ReadOnly", "accountId": "111111111111"}]})),
        json_answer(json!({"roleList": [{"roleName": "ReadOnly", "accountId": "222222222222"}]})),
    ]);
    let listing = discovery(CONFIG, env(&files, &portal), &["dev", "staging/ReadOnly"]);
    let listed = listing.list().await;
    let names: Vec<&str> = listed.choices.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["payments-prod/ReadOnly", "staging-222222222222/ReadOnly"],
        "one word each, and never a name the console has"
    );
    assert_eq!(listed.members.len(), 4, "two contexts × two regions");
    assert_eq!(listed.note, None, "the listing answered: nothing to say");

    // The context's backend: GetRoleCredentials for its account and role, then the call,
    // signed with the keys handed out, in the region the target names.
    let calls = StaticReplayClient::new(vec![
        role_credentials(SystemTime::now() + Duration::from_secs(3600)),
        caller_identity("111111111111"),
    ]);
    let aws = connector(&listing, &calls);
    let target = Target {
        generation: 0,
        name: "payments-prod/ReadOnly".into(),
        region: Some("us-west-2".into()),
    };
    let fleet = aws.connect(&target).await.expect("built");
    let (account, _) = fleet.identity().await.expect("identity");
    assert_eq!(account, "111111111111");
    let sent: Vec<_> = calls.actual_requests().collect();
    assert_eq!(sent.len(), 2);
    let creds = &sent[0];
    assert!(
        creds.uri().contains("/federation/credentials")
            && creds.uri().contains("account_id=111111111111")
            && creds.uri().contains("role_name=ReadOnly")
            && creds
                .uri()
                .contains("portal.sso.eu-central-1.amazonaws.com"),
        "{}",
        creds.uri()
    );
    assert_eq!(
        creds.headers().get("x-amz-sso_bearer_token"),
        Some("the-bearer-token")
    );
    let sts = &sent[1];
    assert!(sts.uri().contains("sts.us-west-2"), "{}", sts.uri());
    let auth = sts.headers().get("authorization").expect("signed");
    assert!(
        auth.contains(&format!("Credential={ACCESS_KEY}/")),
        "signed with the role's key: {auth}"
    );
    assert_eq!(
        sts.headers().get("x-amz-security-token"),
        Some(SESSION_TOKEN)
    );
}

#[tokio::test]
async fn without_a_login_the_row_says_which_login_to_run_and_nothing_is_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let portal = prod_on_call_portal();
    let listing = discovery(CONFIG, env(&files, &portal), &[]);
    let listed = listing.list().await;
    assert_eq!(listed.choices.len(), 1);
    // The user signs out (the token goes) while the console runs.
    std::fs::remove_file(files.1.join(CORP_TOKEN_FILE)).expect("signed out");
    let calls = StaticReplayClient::new(vec![]);
    let aws = connector(&listing, &calls);
    let fleet = aws
        .connect(&listed.members[0])
        .await
        .expect("built without a call");
    let err = fleet.identity().await.expect_err("no credentials");
    assert_eq!(err.kind, ErrorKind::Credentials, "{err:?}");
    assert!(
        err.message.contains("aws sso login --sso-session corp"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("--profile"), "{}", err.message);
    assert_eq!(
        err.message.matches("aws sso login").count(),
        1,
        "said once: {}",
        err.message
    );
    assert_eq!(calls.actual_requests().count(), 0, "nothing sent unsigned");
}

#[tokio::test]
async fn a_listing_that_fails_is_the_fleet_view_s_note() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), false);
    let portal = StaticReplayClient::new(vec![]);
    let listing = discovery(CONFIG, env(&files, &portal), &[]);
    let listed = listing.list().await;
    assert!(listed.choices.is_empty() && listed.members.is_empty());
    let note = listed.note.expect("a note");
    assert!(note.starts_with("[fleet] sso_session corp: "), "{note}");
    assert!(note.contains("aws sso login --sso-session corp"), "{note}");
    assert_eq!(portal.actual_requests().count(), 0);
}

#[tokio::test]
async fn role_credentials_are_the_portal_s_keys_until_their_expiry() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let expires = UNIX_EPOCH + Duration::from_millis(1_896_000_000_000);
    let portal = StaticReplayClient::new(vec![role_credentials(expires)]);
    let budget = Arc::new(Budget::default());
    let role = SsoRole {
        session: "corp".into(),
        account_id: "222222222222".into(),
        role: "Deploy".into(),
        config_file: Some(files.0.clone()),
        cache_dir: Some(files.1.clone()),
    };
    let provider = RoleCredentials::new(
        role,
        SsoEnv {
            budget: budget.clone(),
            ..env(&files, &portal)
        },
    );
    let c = provider.fetch().await.expect("credentials");
    assert_eq!(c.access_key_id(), ACCESS_KEY);
    assert_eq!(c.secret_access_key(), "replayed-secret");
    assert_eq!(c.session_token(), Some(SESSION_TOKEN));
    assert_eq!(c.expiry(), Some(expires));
    let report = budget.report();
    assert!(
        report
            .iter()
            .any(|r| r.op == Op::SsoGetRoleCredentials && r.calls_last_minute == 1),
        "asked the budget: {report:?}"
    );

    // An answer without keys is an error that names the call, not empty credentials.
    let empty = StaticReplayClient::new(vec![json_answer(json!({}))]);
    let provider = RoleCredentials::new(
        SsoRole {
            session: "corp".into(),
            account_id: "222222222222".into(),
            role: "Deploy".into(),
            config_file: None,
            cache_dir: None,
        },
        env(&files, &empty),
    );
    match provider.fetch().await {
        Err(SsoError::Api(e)) => assert!(
            e.message.contains("sso:GetRoleCredentials") && e.message.contains("roleCredentials"),
            "{}",
            e.message
        ),
        other => panic!("expected an unreadable answer, got {other:?}"),
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

#[tokio::test]
async fn listed_contexts_join_ctx_and_the_fleet_view() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let portal = prod_on_call_portal();
    let listed = discovery(CONFIG, env(&files, &portal), &[]).list().await;
    let mut state: State =
        crate::support::testkit::StateBuilder::demo(crate::support::testkit::EPOCH).build();
    state.fleet.note = Some(LISTING.into());
    let before = state.fleet.members.len();
    let fx = update(&mut state, Msg::SsoListed(Box::new(listed)));
    assert_eq!(state.fleet.note, None, "the listing answered");
    assert_eq!(state.fleet.members.len(), before + 2);
    assert!(state.contexts.choices.get("prod/OnCall").is_some());
    let joined: Vec<&Target> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::JoinFleet(members, _) => Some(members),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(joined.len(), 2, "the fleet's workers are told: {fx:?}");

    // `:ctx prod/OnCall` goes there, in the first region of the fleet.
    let _ = update(&mut state, key(KeyCode::Char(':')));
    for c in "ctx prod/OnCall".chars() {
        let _ = update(&mut state, key(KeyCode::Char(c)));
    }
    let fx = update(&mut state, key(KeyCode::Enter));
    let switched = fx.iter().find_map(|e| match e {
        Effect::SwitchContext(t) => Some(t.clone()),
        _ => None,
    });
    let t = switched.expect("a switch");
    assert_eq!(t.name, "prod/OnCall");
    assert_eq!(t.region.as_deref(), Some("us-west-2"));
}

#[tokio::test]
async fn an_sso_context_sso_prod_matches_is_production_once_switched_to() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let portal = prod_on_call_portal();
    let toml = format!("{CONFIG}sso_prod = [\"prod/*\"]\n");
    let listed = discovery(&toml, env(&files, &portal), &[]).list().await;
    let mut state: State =
        crate::support::testkit::StateBuilder::demo(crate::support::testkit::EPOCH).build();
    let _ = update(&mut state, Msg::SsoListed(Box::new(listed)));
    assert!(
        state
            .contexts
            .choices
            .get("prod/OnCall")
            .expect("listed")
            .prod
    );
    let _ = update(&mut state, key(KeyCode::Char(':')));
    for c in "ctx prod/OnCall".chars() {
        let _ = update(&mut state, key(KeyCode::Char(c)));
    }
    let _ = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.ctx.info.name, "prod/OnCall");
    assert!(
        state.ctx.info.prod,
        "an action there asks for the typed name"
    );
}

#[tokio::test]
async fn sso_roles_keeps_the_roles_its_globs_match() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    let portal = StaticReplayClient::new(vec![
        json_answer(json!({"accountList": [
            {"accountId": "111111111111", "accountName": "prod", "emailAddress": "p@example.com"}
        ]})),
        json_answer(json!({"roleList": [
            {"roleName": "AdministratorAccess", "accountId": "111111111111"},
            {"roleName": "ReadOnlyAccess", "accountId": "111111111111"}
        ]})),
    ]);
    let config = "[fleet]\nsso_session = \"corp\"\nsso_roles = [\"ReadOnly*\"]\n";
    let listed = discovery(config, env(&files, &portal), &[]).list().await;
    let names: Vec<&str> = listed.choices.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod/ReadOnlyAccess"]);
    assert_eq!(
        listed.members[0].region.as_deref(),
        Some("eu-central-1"),
        "no [fleet] regions: the session's region"
    );
}

#[tokio::test]
async fn a_token_the_portal_no_longer_takes_says_to_log_in_again() {
    let dir = tempfile::tempdir().expect("dir");
    let files = home(dir.path(), true);
    // The portal's answer to a revoked token (still unexpired on disk): 401 UnauthorizedException.
    let req = http::Request::builder()
        .uri("https://portal.sso.eu-central-1.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request");
    let resp = http::Response::builder()
        .status(401)
        .header("content-type", "application/json")
        .header("x-amzn-errortype", "UnauthorizedException")
        .body(SdkBody::from(
            json!({"message": "Session token not found or invalid"}).to_string(),
        ))
        .expect("response");
    let portal = StaticReplayClient::new(vec![ReplayEvent::new(req, resp)]);
    let provider = RoleCredentials::new(
        SsoRole {
            session: "corp".into(),
            account_id: "111111111111".into(),
            role: "ReadOnly".into(),
            config_file: None,
            cache_dir: None,
        },
        env(&files, &portal),
    );
    match provider.fetch().await {
        Err(e @ SsoError::Refused { .. }) => {
            let text = e.to_string();
            assert!(text.contains("aws sso login --sso-session corp"), "{text}");
            assert!(text.contains("Session token not found"), "{text}");
        }
        other => panic!("expected the token refused, got {other:?}"),
    }
}
