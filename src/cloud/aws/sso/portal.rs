//! The SSO portal: `sso:ListAccounts` and `sso:ListAccountRoles` with the cached bearer token,
//! every page, and `sso:GetRoleCredentials` for one account and role, each call through the
//! API budget. The portal answers in the session's region
//! and needs no AWS credentials, only the token.

use super::SsoEnv;
use crate::cloud::aws::errors::ErrorMapper;
use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::text::clean;
use crate::model::{ApiError, ApiResult, At, ErrorKind, Op};

/// The portal's endpoint as the SDK's environment sets it for every client:
/// `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL` (a local emulator, a test's shim).
fn endpoint_from_env() -> Option<String> {
    ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
}

/// Pages read at most of one listing: 100 a page, so 10,000 accounts.
const MAX_PAGES: usize = 100;

pub struct Portal {
    client: aws_sdk_sso::Client,
    gate: CallGate,
}

impl Portal {
    pub fn new(region: &str, env: &SsoEnv) -> Self {
        let mut b = aws_sdk_sso::Config::builder()
            .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new(region.to_string()))
            .allow_no_auth();
        if let Some(http) = &env.http_client {
            b = b.http_client(http.clone());
        }
        if let Some(url) = endpoint_from_env() {
            b = b.endpoint_url(url);
        }
        Self {
            client: aws_sdk_sso::Client::from_conf(b.build()),
            gate: CallGate::new(env.budget.clone(), ErrorMapper::default()),
        }
    }

    /// Every account the token may use: (id, name).
    pub async fn accounts(&self, token: &str) -> ApiResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .list_accounts()
                .access_token(token)
                .max_results(100)
                .set_next_token(next.take())
                .send()
                .within(&self.gate, Op::SsoListAccounts)
                .await?;
            out.extend(page.account_list().iter().filter_map(|a| {
                let id = a.account_id()?;
                Some((clean(id), clean(a.account_name().unwrap_or(id))))
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// Every role the token may take in `account`.
    pub async fn roles(&self, token: &str, account: &str) -> ApiResult<Vec<String>> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .list_account_roles()
                .access_token(token)
                .account_id(account)
                .max_results(100)
                .set_next_token(next.take())
                .send()
                .within(&self.gate, Op::SsoListAccountRoles)
                .await?;
            out.extend(
                page.role_list()
                    .iter()
                    .filter_map(|r| r.role_name().map(clean)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The credentials of `role` in `account`: (access key, secret, session token, expiry).
    pub async fn role_credentials(
        &self,
        token: &str,
        account: &str,
        role: &str,
    ) -> ApiResult<RoleKeys> {
        let answer = self
            .client
            .get_role_credentials()
            .access_token(token)
            .account_id(account)
            .role_name(role)
            .send()
            .within(&self.gate, Op::SsoGetRoleCredentials)
            .await?;
        let missing = |what: &str| {
            ApiError::new(
                ErrorKind::Unreadable,
                format!("{}: the answer has no {what}", Op::SsoGetRoleCredentials),
            )
        };
        let c = answer
            .role_credentials()
            .ok_or_else(|| missing("roleCredentials"))?;
        let text = |v: Option<&str>, what: &str| {
            v.filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| missing(what))
        };
        Ok(RoleKeys {
            access_key_id: text(c.access_key_id(), "accessKeyId")?,
            secret_access_key: text(c.secret_access_key(), "secretAccessKey")?,
            session_token: text(c.session_token(), "sessionToken")?,
            expires: At(c.expiration()),
        })
    }
}

/// What `GetRoleCredentials` hands out: keys that expire at `expires`.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires: At,
}

impl std::fmt::Debug for RoleKeys {
    // The secret and the session token never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleKeys")
            .field("access_key_id", &self.access_key_id)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}
