//! An SSO session's accounts and roles, through the real SSO client on replayed portal
//! answers (moto has no SSO portal), shaped as the API reference documents them: the session
//! read from an AWS config, the token from the cache as the AWS CLI keys it (the SHA-1 of the
//! session's name), ListAccounts in two pages, an account with two roles (in two pages), and
//! the errors that say to run `aws sso login`.

use crate::support::replay::sso_portal_answer as answer;
use aws_smithy_http_client::test_util::StaticReplayClient;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use deckwatch::budget::Budget;
use deckwatch::cloud::aws::sso::{SsoContext, SsoEnv, SsoError, sso_contexts_in};
use deckwatch::model::At;
use deckwatch::model::Op;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

/// 2026-12-06T20:00:00Z.
const NOW: At = At(1_796_587_200_000);
/// sha1("corp"), as `printf corp | sha1sum` prints it.
const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

/// An AWS config with the session `corp`, and its cached token expiring at `expires`.
fn files(dir: &Path, expires: &str) -> SsoEnv {
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile dev]\nregion = us-east-1\n\n[sso-session corp]\nsso_region = eu-central-1\n\
         sso_start_url = https://corp.awsapps.com/start\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).expect("cache dir");
    let token = json!({
        "startUrl": "https://corp.awsapps.com/start",
        "region": "eu-central-1",
        "accessToken": "the-bearer-token",
        "expiresAt": expires,
        "clientId": "client",
        "clientSecret": "secret",
        "refreshToken": "refresh"
    });
    std::fs::write(cache.join(CORP_TOKEN_FILE), token.to_string()).expect("token");
    SsoEnv {
        config_file: Some(config),
        cache_dir: Some(cache),
        now: Some(NOW),
        ..SsoEnv::default()
    }
}

fn on(replay: &StaticReplayClient, env: SsoEnv, budget: Arc<Budget>) -> SsoEnv {
    SsoEnv {
        http_client: Some(SharedHttpClient::new(replay.clone())),
        budget,
        ..env
    }
}

fn context(id: &str, name: &str, role: &str) -> SsoContext {
    SsoContext {
        account_id: id.into(),
        account_name: name.into(),
        role: role.into(),
        region: "eu-central-1".into(),
        session: "corp".into(),
    }
}

#[tokio::test]
async fn every_account_and_role_in_every_page_becomes_a_context() {
    let dir = tempfile::tempdir().expect("dir");
    let replay = StaticReplayClient::new(vec![
        answer(json!({
            "accountList": [
                {"accountId": "111111111111", "accountName": "prod", "emailAddress": "prod@example.com"},
                {"accountId": "222222222222", "accountName": "staging", "emailAddress": "stg@example.com"}
            ],
            "nextToken": "accounts-2"
        })),
        answer(json!({
            "accountList": [
                {"accountId": "333333333333", "accountName": "sandbox", "emailAddress": "sb@example.com"}
            ]
        })),
        // prod: two roles, in two pages.
        answer(json!({
            "roleList": [{"roleName": "ReadOnly", "accountId": "111111111111"}],
            "nextToken": "roles-2"
        })),
        answer(json!({
            "roleList": [{"roleName": "OnCall", "accountId": "111111111111"}]
        })),
        answer(json!({
            "roleList": [{"roleName": "ReadOnly", "accountId": "222222222222"}]
        })),
        answer(json!({ "roleList": [] })),
    ]);
    let budget = Arc::new(Budget::default());
    let env = on(
        &replay,
        files(dir.path(), "2026-12-06T21:00:00Z"),
        budget.clone(),
    );
    let got = sso_contexts_in("corp", &env).await.expect("listed");
    assert_eq!(
        got,
        vec![
            context("111111111111", "prod", "ReadOnly"),
            context("111111111111", "prod", "OnCall"),
            context("222222222222", "staging", "ReadOnly"),
        ],
        "sandbox grants no role: no context"
    );

    // The bearer token in its header; the pages follow their tokens; the portal of the
    // session's region.
    let sent: Vec<_> = replay.actual_requests().collect();
    assert_eq!(sent.len(), 6);
    for r in &sent {
        assert_eq!(
            r.headers().get("x-amz-sso_bearer_token"),
            Some("the-bearer-token")
        );
        assert!(
            r.uri().contains("portal.sso.eu-central-1.amazonaws.com"),
            "{}",
            r.uri()
        );
    }
    assert!(
        sent[0].uri().contains("/assignment/accounts"),
        "{}",
        sent[0].uri()
    );
    assert!(
        sent[1].uri().contains("next_token=accounts-2"),
        "{}",
        sent[1].uri()
    );
    assert!(
        sent[2].uri().contains("/assignment/roles"),
        "{}",
        sent[2].uri()
    );
    assert!(sent[2].uri().contains("account_id=111111111111"));
    assert!(
        sent[3].uri().contains("next_token=roles-2"),
        "{}",
        sent[3].uri()
    );
    assert!(sent[5].uri().contains("account_id=333333333333"));
    // Every call asked the budget: ListAccounts twice, ListAccountRoles four times.
    let report = budget.report();
    let calls = |op: Op| {
        report
            .iter()
            .find(|r| r.op == op)
            .map_or(0, |r| r.calls_last_minute)
    };
    assert_eq!(calls(Op::SsoListAccounts), 2);
    assert_eq!(calls(Op::SsoListAccountRoles), 4);
}

#[tokio::test]
async fn an_expired_token_says_to_log_in_and_calls_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let replay = StaticReplayClient::new(Vec::new());
    let env = on(
        &replay,
        files(dir.path(), "2026-12-06T19:59:59Z"),
        Arc::new(Budget::default()),
    );
    let e = sso_contexts_in("corp", &env).await.expect_err("expired");
    assert!(matches!(e, SsoError::Expired { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("expired at 2026-12-06T19:59:59Z"), "{text}");
    assert!(
        text.contains("run aws sso login --sso-session corp"),
        "{text}"
    );
    assert_eq!(replay.actual_requests().count(), 0);
}

#[tokio::test]
async fn no_token_no_session_and_a_broken_token_are_said() {
    let dir = tempfile::tempdir().expect("dir");
    let env = files(dir.path(), "2026-12-06T21:00:00Z");
    let cache = env.cache_dir.clone().expect("cache");
    std::fs::remove_file(cache.join(CORP_TOKEN_FILE)).expect("rm");
    let e = sso_contexts_in("corp", &env).await.expect_err("no token");
    assert!(matches!(e, SsoError::NotLoggedIn { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "no cached SSO token for corp: run aws sso login --sso-session corp"
    );

    let e = sso_contexts_in("nope", &env).await.expect_err("no session");
    assert!(
        e.to_string().contains("has no [sso-session nope] section"),
        "{e}"
    );

    std::fs::write(cache.join(CORP_TOKEN_FILE), "{\"accessToken\": \"x\"").expect("cut");
    let e = sso_contexts_in("corp", &env).await.expect_err("broken");
    assert!(matches!(e, SsoError::BadToken { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("run aws sso login --sso-session corp")
    );
}
