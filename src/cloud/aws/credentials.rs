//! Credentials that expire while the console runs (SSO sessions, assumed roles,
//! `credential_process`). The standard chain is wrapped so that:
//! - the expiry of the credentials in use is known without a call (the header counts down);
//! - expired credentials are never sent: the call fails at once with the hint of what to run,
//!   and the panes keep their data;
//! - renewed credentials are picked up by the next poll, without a restart: nothing expired or
//!   refused is kept, and a chain that hangs is cut off after a few seconds, so a poller never
//!   waits on it for good.
//!
//! This wrapper is the cache (the SDK's own identity cache is turned off), so it can forget
//! credentials the service refused (`ExpiredToken` and the like), which the SDK's cache would
//! keep until their stated expiry.

use crate::model::{At, Ms};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Credentials are renewed this long before they expire, as the SDK's cache does.
const RENEW_BEFORE: Duration = Duration::from_secs(60);
/// Credentials without an expiry (keys in the environment or a file) are read again this often,
/// so a changed file is seen.
const REREAD: Duration = Duration::from_secs(300);
/// The longest the chain may take (an SSO portal or a metadata service that does not answer).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Credentials renewed inside `RENEW_BEFORE` (the chain has nothing newer yet) are kept this
/// long, so every call does not ask the chain again.
const RETRY_RENEW: Duration = Duration::from_secs(5);

/// No expiry known.
const NONE: i64 = i64::MIN;

/// What the wrapper knows, shared with the fleet (expiry) and its error mapper (refusals).
#[derive(Debug)]
pub struct CredentialState {
    cached: tokio::sync::Mutex<Option<(Credentials, SystemTime)>>,
    /// The expiry of the credentials last resolved, unix ms, or `NONE`.
    expiry: AtomicI64,
    /// The service refused the cached credentials: resolve again before the next call.
    refused: AtomicBool,
}

impl Default for CredentialState {
    fn default() -> Self {
        Self {
            cached: tokio::sync::Mutex::new(None),
            expiry: AtomicI64::new(NONE),
            refused: AtomicBool::new(false),
        }
    }
}

impl CredentialState {
    /// When the credentials last resolved expire; None when they do not (or none were yet).
    pub fn expiry(&self) -> Option<At> {
        match self.expiry.load(Ordering::Relaxed) {
            NONE => None,
            at => Some(At(at)),
        }
    }

    /// The service answered that the credentials are expired or invalid.
    pub fn refused(&self) {
        self.refused.store(true, Ordering::Relaxed);
    }
}

fn millis(t: SystemTime) -> At {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => At::EPOCH + Ms::from_std(d),
        Err(e) => At::EPOCH - Ms::from_std(e.duration()),
    }
}

/// The standard chain, watched.
#[derive(Debug)]
pub struct Watched {
    inner: SharedCredentialsProvider,
    state: Arc<CredentialState>,
}

impl Watched {
    pub fn new(inner: SharedCredentialsProvider, state: Arc<CredentialState>) -> Self {
        Self { inner, state }
    }

    async fn resolve(&self) -> provider::Result {
        self.resolve_at(SystemTime::now()).await
    }

    async fn resolve_at(&self, now: SystemTime) -> provider::Result {
        let mut cached = self.state.cached.lock().await;
        let refused = self.state.refused.swap(false, Ordering::Relaxed);
        if let Some((c, renew_at)) = cached.as_ref()
            && !refused
            && now < *renew_at
        {
            return Ok(c.clone());
        }
        *cached = None;
        let fresh = tokio::time::timeout(RESOLVE_TIMEOUT, self.inner.provide_credentials())
            .await
            .map_err(|_| CredentialsError::provider_timed_out(RESOLVE_TIMEOUT))??;
        let expiry = fresh.expiry();
        self.state.expiry.store(
            expiry.map_or(NONE, |t| millis(t).millis()),
            Ordering::Relaxed,
        );
        match expiry {
            Some(at) if at <= now => Err(CredentialsError::not_loaded(format!(
                "the credentials expired {} s ago",
                now.duration_since(at).unwrap_or_default().as_secs()
            ))),
            Some(at) => {
                let renew_at = match at.checked_sub(RENEW_BEFORE) {
                    Some(early) if early > now => early,
                    _ => at.min(now + RETRY_RENEW),
                };
                *cached = Some((fresh.clone(), renew_at));
                Ok(fresh)
            }
            None => {
                *cached = Some((fresh.clone(), now + REREAD));
                Ok(fresh)
            }
        }
    }
}

impl ProvideCredentials for Watched {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.resolve())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A chain that hands out what the test put in it, counting the calls.
    #[derive(Debug, Default, Clone)]
    struct Scripted {
        next: Arc<Mutex<Option<Credentials>>>,
        calls: Arc<Mutex<u32>>,
    }

    impl ProvideCredentials for Scripted {
        fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            *self.calls.lock().unwrap() += 1;
            let next = self.next.lock().unwrap().clone();
            provider::future::ProvideCredentials::ready(
                next.ok_or_else(|| CredentialsError::not_loaded("no session")),
            )
        }
    }

    fn creds(key: &str, expires_in: i64) -> Credentials {
        let at = if expires_in >= 0 {
            SystemTime::now() + Duration::from_secs(expires_in as u64)
        } else {
            SystemTime::now() - Duration::from_secs((-expires_in) as u64)
        };
        Credentials::new(key, "secret", None, Some(at), "test")
    }

    fn watched() -> (Scripted, Arc<CredentialState>, Watched) {
        let chain = Scripted::default();
        let state = Arc::new(CredentialState::default());
        let w = Watched::new(SharedCredentialsProvider::new(chain.clone()), state.clone());
        (chain, state, w)
    }

    #[tokio::test]
    async fn fresh_credentials_are_cached_and_their_expiry_known() {
        let (chain, state, w) = watched();
        *chain.next.lock().unwrap() = Some(creds("A", 3600));
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "A");
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "A");
        assert_eq!(*chain.calls.lock().unwrap(), 1);
        let left = state.expiry().unwrap() - millis(SystemTime::now());
        assert!((Ms(3_590_000)..=Ms::HOUR).contains(&left), "{left:?}");
    }

    #[tokio::test]
    async fn expired_credentials_are_refused_and_renewed_ones_picked_up() {
        let (chain, state, w) = watched();
        *chain.next.lock().unwrap() = Some(creds("OLD", -30));
        let err = w.resolve().await.unwrap_err();
        assert!(format!("{err:?}").contains("expired"), "{err:?}");
        assert!(state.expiry().unwrap() < millis(SystemTime::now()));
        *chain.next.lock().unwrap() = Some(creds("NEW", 3600));
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "NEW");
        assert!(state.expiry().unwrap() > millis(SystemTime::now()));
    }

    #[tokio::test]
    async fn credentials_the_service_refused_are_resolved_again() {
        let (chain, state, w) = watched();
        *chain.next.lock().unwrap() = Some(creds("A", 3600));
        w.resolve().await.unwrap();
        *chain.next.lock().unwrap() = Some(creds("B", 3600));
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "A", "cached");
        state.refused();
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "B");
    }

    #[tokio::test]
    async fn a_failing_chain_is_not_cached() {
        let (chain, _state, w) = watched();
        assert!(w.resolve().await.is_err());
        *chain.next.lock().unwrap() = Some(creds("A", 3600));
        assert_eq!(w.resolve().await.unwrap().access_key_id(), "A");
    }

    #[tokio::test]
    async fn credentials_are_renewed_a_minute_before_they_expire() {
        let (chain, _state, w) = watched();
        let t0 = SystemTime::now();
        *chain.next.lock().unwrap() = Some(creds("A", 600));
        w.resolve_at(t0).await.unwrap();
        w.resolve_at(t0 + Duration::from_secs(530)).await.unwrap();
        assert_eq!(*chain.calls.lock().unwrap(), 1);
        *chain.next.lock().unwrap() = Some(creds("B", 3600));
        let b = w.resolve_at(t0 + Duration::from_secs(545)).await.unwrap();
        assert_eq!(b.access_key_id(), "B", "renewed inside the last minute");
    }

    #[tokio::test]
    async fn a_chain_with_nothing_newer_is_asked_again_only_every_few_seconds() {
        let (chain, _state, w) = watched();
        let t0 = SystemTime::now();
        *chain.next.lock().unwrap() = Some(creds("A", 30));
        w.resolve_at(t0).await.unwrap();
        w.resolve_at(t0 + Duration::from_secs(1)).await.unwrap();
        assert_eq!(*chain.calls.lock().unwrap(), 1);
        w.resolve_at(t0 + Duration::from_secs(6)).await.unwrap();
        assert_eq!(*chain.calls.lock().unwrap(), 2);
    }
}
