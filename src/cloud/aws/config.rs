//! Builds the shared `SdkConfig` from the command line options and the standard AWS sources.

use crate::cloud::aws::credentials::{CredentialState, Watched};
use crate::cloud::aws::sso::{RoleCredentials, SsoEnv, SsoRole};
use crate::cloud::aws::{AwsOptions, Overrides};
use aws_config::BehaviorVersion;
use aws_config::identity::IdentityCache;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;
use std::sync::Arc;
use std::time::Duration;

/// How long one attempt may take to connect, so a dead endpoint fails fast.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long an attempt waits for the answer to start, so a hung endpoint is given up on
/// (and said so) within seconds rather than the minute the SDK would otherwise wait.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt may take in all, a large answer included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a call may take with its retries: a poller is never stuck for longer.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(45);

/// Resolves profile, region, endpoint and credentials the way the AWS CLI does: explicit options
/// first, then `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL(_<SERVICE>)`, the shared config
/// files, SSO, web identity, the container and IMDS. The credentials are watched
/// (`credentials.rs`): their expiry is known, and renewed ones are picked up without a restart.
pub(super) async fn load(
    opts: &AwsOptions,
    overrides: &Overrides,
) -> (SdkConfig, Arc<CredentialState>) {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(if opts.retries {
            RetryConfig::standard()
        } else {
            RetryConfig::disabled()
        })
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(READ_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    // CloudTrail then tells the console's own calls (`app/deckwatch`) from changes made elsewhere.
    if let Ok(name) = aws_config::AppName::new(crate::model::trail::APP_NAME) {
        loader = loader.app_name(name);
    }
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(credentials) = &overrides.credentials {
        loader = loader.credentials_provider(credentials.clone());
    } else if let Some(role) = &opts.sso {
        loader = loader.credentials_provider(sso_credentials(role, overrides));
    }
    if let Some(client) = &overrides.http_client {
        loader = loader.http_client(client.clone());
    }
    let sdk = loader.load().await;
    let state = Arc::new(CredentialState::default());
    let Some(chain) = sdk.credentials_provider() else {
        return (sdk, state);
    };
    let watched = SharedCredentialsProvider::new(Watched::new(chain, state.clone()));
    let sdk = sdk
        .to_builder()
        .credentials_provider(watched)
        // The watcher is the cache: it can forget credentials the service refused.
        .identity_cache(IdentityCache::no_cache())
        .build();
    (sdk, state)
}

/// An SSO session's account and role's credentials, through the same HTTP client and budget
/// as the context's other calls.
fn sso_credentials(role: &SsoRole, overrides: &Overrides) -> SharedCredentialsProvider {
    let env = SsoEnv {
        config_file: role.config_file.clone(),
        cache_dir: role.cache_dir.clone(),
        now: None,
        http_client: overrides.http_client.clone(),
        budget: overrides.budget.clone(),
    };
    SharedCredentialsProvider::new(RoleCredentials::new(role.clone(), env))
}

/// The profile name to show and to put in hints: the option, else `AWS_PROFILE`, else `default`
/// (an SSO session's context: `sso-session NAME`).
pub(super) fn profile_label(opts: &AwsOptions) -> String {
    if let Some(role) = &opts.sso {
        return format!("sso-session {}", role.session);
    }
    opts.profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_string())
}
