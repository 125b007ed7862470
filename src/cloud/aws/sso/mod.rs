//! The accounts and roles an IAM Identity Center (SSO) session grants, as context definitions:
//! the `[sso-session NAME]` section of the AWS config (`session.rs`), the token `aws sso login`
//! cached for it (`token.rs`), and the portal's `sso:ListAccounts` and `sso:ListAccountRoles`
//! (`portal.rs`), every page, through the API budget. `sso_contexts` is the one entry point of
//! the listing; `RoleCredentials` (`role.rs`) is each account and role's credentials
//! (`sso:GetRoleCredentials`).

mod portal;
mod role;
mod session;
mod token;

use crate::budget::Budget;
use crate::model::ApiError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::path::PathBuf;
use std::sync::Arc;

pub use role::{RoleCredentials, SsoRole};
pub use session::SsoSession;

/// One account and role the session grants: a context to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoContext {
    pub account_id: String,
    pub account_name: String,
    pub role: String,
    /// The session's region (`sso_region`): where its portal answers.
    pub region: String,
    /// The session it came from, for the profile-less credentials of this account and role.
    pub session: String,
}

/// Why the accounts could not be listed: each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("no home directory, and AWS_CONFIG_FILE is not set: the AWS config cannot be found")]
    NoHome,
    #[error("the AWS config {path} could not be read: {source}")]
    ConfigUnreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("the AWS config {path} has no [sso-session {session}] section")]
    NoSession { path: String, session: String },
    #[error("[sso-session {session}] in {path} has no {key}")]
    MissingKey {
        path: String,
        session: String,
        key: &'static str,
    },
    #[error("no cached SSO token for {session}: run aws sso login --sso-session {session}")]
    NotLoggedIn { session: String },
    #[error(
        "the SSO token of {session} expired at {expired}: run aws sso login --sso-session {session}"
    )]
    Expired { session: String, expired: String },
    #[error(
        "the cached SSO token {path} does not read ({why}): run aws sso login --sso-session {session}"
    )]
    BadToken {
        path: String,
        session: String,
        why: String,
    },
    #[error(
        "the SSO portal refused the token of {session} ({why}): run aws sso login --sso-session {session}"
    )]
    Refused { session: String, why: String },
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl SsoContext {
    /// Where this context's credentials come from, read from the files `env` names.
    pub fn role(&self, env: &SsoEnv) -> SsoRole {
        SsoRole {
            session: self.session.clone(),
            account_id: self.account_id.clone(),
            role: self.role.clone(),
            config_file: env.config_file.clone(),
            cache_dir: env.cache_dir.clone(),
        }
    }
}

/// Where the files are and how calls are sent; `Default` is the user's own (the AWS CLI's
/// paths, the real HTTP client, a budget of its own).
#[derive(Clone, Default)]
pub struct SsoEnv {
    /// The AWS config; None: `AWS_CONFIG_FILE`, else `~/.aws/config`.
    pub config_file: Option<PathBuf>,
    /// The token cache; None: `~/.aws/sso/cache`.
    pub cache_dir: Option<PathBuf>,
    /// The time the token is checked against (ms); None: now.
    pub now: Option<crate::model::At>,
    pub http_client: Option<SharedHttpClient>,
    pub budget: Arc<Budget>,
}

/// Every account and role the SSO session `session` grants, as contexts (one per account and
/// role, in the portal's order), read with the token `aws sso login --sso-session NAME`
/// cached. A missing or expired token is an error that says to run that command.
pub async fn sso_contexts(session: &str) -> Result<Vec<SsoContext>, SsoError> {
    sso_contexts_in(session, &SsoEnv::default()).await
}

/// `sso_contexts` with the files, the clock and the HTTP client given (tests).
pub async fn sso_contexts_in(session: &str, env: &SsoEnv) -> Result<Vec<SsoContext>, SsoError> {
    let found = session::read(session, env.config_file.clone())?;
    let cache = match &env.cache_dir {
        Some(d) => d.clone(),
        None => token::default_dir().ok_or(SsoError::NoHome)?,
    };
    let now = env.now.unwrap_or_else(crate::timing::now_ms);
    let token = token::read(&cache, session, now)?;
    let portal = portal::Portal::new(&found.region, env);
    let mut out = Vec::new();
    for (account_id, account_name) in portal.accounts(&token).await? {
        for role in portal.roles(&token, &account_id).await? {
            out.push(SsoContext {
                account_id: account_id.clone(),
                account_name: account_name.clone(),
                role,
                region: found.region.clone(),
                session: session.to_string(),
            });
        }
    }
    Ok(out)
}
