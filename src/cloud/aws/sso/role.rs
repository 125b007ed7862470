//! The credentials of one account and role an SSO session grants: `sso:GetRoleCredentials`
//! with the token `aws sso login --sso-session NAME` cached, as the AWS CLI's SSO provider
//! does. The token is read again each time, so a new login is picked up without a restart;
//! the keys are cached and renewed before they expire by the watcher every context's chain
//! goes through (`cloud/aws/credentials.rs`).

use super::portal::Portal;
use super::{SsoEnv, SsoError, session, token};
use crate::model::{At, ErrorKind};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One account and role of an SSO session: where a context's credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRole {
    pub session: String,
    pub account_id: String,
    pub role: String,
    /// The AWS config the session is read from; None: `AWS_CONFIG_FILE`, else `~/.aws/config`.
    pub config_file: Option<PathBuf>,
    /// The token cache; None: `~/.aws/sso/cache`.
    pub cache_dir: Option<PathBuf>,
}

/// The credentials of an `SsoRole`, from the portal of the session's region.
#[derive(Clone)]
pub struct RoleCredentials {
    role: SsoRole,
    env: SsoEnv,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl RoleCredentials {
    pub fn new(role: SsoRole, env: SsoEnv) -> Self {
        Self { role, env }
    }

    /// The keys the portal hands out for this account and role now.
    pub async fn fetch(&self) -> Result<Credentials, SsoError> {
        let SsoRole {
            session,
            account_id,
            role,
            ..
        } = &self.role;
        let found = session::read(session, self.env.config_file.clone())?;
        let cache = match &self.env.cache_dir {
            Some(d) => d.clone(),
            None => token::default_dir().ok_or(SsoError::NoHome)?,
        };
        let now = self.env.now.unwrap_or_else(crate::timing::now_ms);
        let token = token::read(&cache, session, now)?;
        let keys = Portal::new(&found.region, &self.env)
            .role_credentials(&token, account_id, role)
            .await
            .map_err(|e| match e.kind {
                // The portal answers 401 to a token it no longer takes (signed out, revoked).
                ErrorKind::Credentials | ErrorKind::AccessDenied(_) => SsoError::Refused {
                    session: session.clone(),
                    why: e.message,
                },
                _ => SsoError::Api(e),
            })?;
        Ok(Credentials::new(
            keys.access_key_id,
            keys.secret_access_key,
            Some(keys.session_token),
            Some(system_time(keys.expires)),
            "deckwatch-sso",
        ))
    }
}

fn system_time(at: At) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(at.0).unwrap_or(0))
}

impl ProvideCredentials for RoleCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            self.fetch().await.map_err(CredentialsError::provider_error)
        })
    }
}
