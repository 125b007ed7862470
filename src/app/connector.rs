//! Building the backend of a context: the one the console starts in, and those `:ctx` and
//! `:region` switch to while it runs. The loop calls a `Connector` off the loop and swaps the
//! backend in when it is ready.

use crate::app::sso_discovery::SsoRegistry;
use crate::budget::Budget;
use crate::cloud::aws::{AwsFleet, AwsOptions, Overrides};
use crate::cloud::{Fleet, ReadOnly};
use crate::config::Context;
use crate::demo::SimFleet;
use crate::model::{ApiError, ErrorKind};
use crate::timing::now_ms;
use async_trait::async_trait;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::sync::{Arc, Mutex};

use crate::state::ContextChoices;
pub use crate::state::Target;

#[async_trait]
pub trait Connector: Send + Sync + 'static {
    /// The backend for `target`, built without a call: an unknown context or a bad profile is
    /// an error; the credentials are checked by `workers::connect` once the backend runs.
    async fn connect(&self, target: &Target) -> Result<Arc<dyn Fleet>, ApiError>;
}

/// Read-only is enforced in the backend itself: it refuses every mutating call.
fn guarded(fleet: Arc<dyn Fleet>, read_only: bool) -> Arc<dyn Fleet> {
    if read_only {
        Arc::new(ReadOnly(fleet))
    } else {
        fleet
    }
}

/// What every connector knows about the contexts.
#[derive(Debug, Clone)]
pub struct ConfiguredContexts {
    /// The context the console started in.
    pub startup: String,
    /// The config's `[[context]]`s.
    pub configured: Vec<Context>,
    /// The contexts as the state has them: which are read-only is decided there, once.
    pub choices: ContextChoices,
}

impl ConfiguredContexts {
    fn read_only(&self, name: &str) -> bool {
        self.choices.read_only(name)
    }

    fn unknown(&self, name: &str) -> ApiError {
        ApiError::new(
            ErrorKind::Other,
            format!("no context named {name:?} in the config"),
        )
    }
}

/// The config's contexts on AWS.
pub struct AwsContexts {
    pub contexts: ConfiguredContexts,
    /// The startup context's options: the command line over its config.
    pub startup_options: AwsOptions,
    /// The process's one API budget.
    pub budget: Arc<Budget>,
    /// `[cost] explorer`: every context's backend reads Cost Explorer.
    pub cost_explorer: bool,
    /// The contexts `[fleet] sso_session`'s listing made, once it answered.
    pub sso: SsoRegistry,
    /// Replaces every backend's HTTP client (tests replay AWS's answers through it).
    pub http_client: Option<SharedHttpClient>,
}

impl AwsContexts {
    fn options(&self, target: &Target) -> Result<AwsOptions, ApiError> {
        let configured = self
            .contexts
            .configured
            .iter()
            .find(|c| c.name == target.name);
        let mut opts = if target.name == self.contexts.startup {
            self.startup_options.clone()
        } else if let Some(c) = configured {
            AwsOptions {
                profile: c.profile.clone(),
                region: c.region.clone(),
                endpoint_url: c.endpoint_url.clone(),
                clusters: c.clusters.clone(),
                events: c.events_source(),
                ..self.startup_options.clone()
            }
        } else {
            let m = self
                .sso
                .get(&target.name)
                .ok_or_else(|| self.contexts.unknown(&target.name))?;
            // No profile, no endpoint, no events: the account and role's credentials only.
            AwsOptions {
                profile: None,
                region: m.regions.first().cloned(),
                endpoint_url: None,
                clusters: Vec::new(),
                events: None,
                sso: Some(m.role),
                ..self.startup_options.clone()
            }
        };
        if let Some(r) = &target.region {
            opts.region = Some(r.clone());
        }
        Ok(opts)
    }
}

#[async_trait]
impl Connector for AwsContexts {
    async fn connect(&self, target: &Target) -> Result<Arc<dyn Fleet>, ApiError> {
        let overrides = Overrides {
            budget: self.budget.clone(),
            http_client: self.http_client.clone(),
            ..Overrides::default()
        };
        // No call yet: `workers::connect` checks the credentials once the console shows the
        // context, so a hung endpoint never leaves a blank terminal or a frozen switch.
        let fleet = AwsFleet::connect_with(self.options(target)?, overrides)
            .await?
            .with_cost_explorer(self.cost_explorer);
        Ok(guarded(
            Arc::new(fleet),
            self.contexts.read_only(&target.name),
        ))
    }
}

/// Simulated worlds kept for the demo's contexts; the oldest goes first.
const WORLDS: usize = 8;

/// A demo context's world, by context name and region.
type World = ((String, Option<String>), Arc<SimFleet>);

/// The demo fleet under every context's name: each context (and region) is a simulated world
/// of its own, with an account of its own, so switching can be tried without AWS.
pub struct DemoContexts {
    pub contexts: ConfiguredContexts,
    worlds: Mutex<Vec<World>>,
}

impl DemoContexts {
    pub fn new(contexts: ConfiguredContexts) -> Self {
        Self {
            contexts,
            worlds: Mutex::new(Vec::new()),
        }
    }

    /// The simulated world of `target`, made on first use.
    pub fn world(&self, target: &Target) -> Arc<SimFleet> {
        let key = (target.name.clone(), target.region.clone());
        let mut worlds = self.worlds.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, w)) = worlds.iter().find(|(k, _)| *k == key) {
            return w.clone();
        }
        // A context's `clusters` scope the demo as they scope AWS.
        let clusters = self
            .contexts
            .configured
            .iter()
            .find(|c| c.name == target.name)
            .map(|c| c.clusters.clone())
            .unwrap_or_default();
        let fleet = Arc::new(SimFleet::new(now_ms()).in_clusters(clusters));
        // The context the demo starts in keeps the seed's account; the others get their own.
        let startup = target.name == self.contexts.startup;
        fleet.with_world(|w| {
            if !startup {
                w.account = demo_account(&target.name);
            }
            if let Some(r) = &target.region {
                w.region = r.clone();
            }
        });
        worlds.push((key, fleet.clone()));
        if worlds.len() > WORLDS {
            worlds.remove(0);
        }
        fleet
    }
}

/// A made-up, stable 12-digit account for a demo context.
fn demo_account(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{:012}", hash % 1_000_000_000_000)
}

#[async_trait]
impl Connector for DemoContexts {
    async fn connect(&self, target: &Target) -> Result<Arc<dyn Fleet>, ApiError> {
        let known = target.name == self.contexts.startup
            || self
                .contexts
                .configured
                .iter()
                .any(|c| c.name == target.name);
        if !known {
            return Err(self.contexts.unknown(&target.name));
        }
        let fleet: Arc<dyn Fleet> = self.world(target);
        Ok(guarded(fleet, self.contexts.read_only(&target.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_accounts_are_twelve_digits_and_differ_by_name() {
        let a = demo_account("prod");
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
        assert_ne!(a, demo_account("staging"));
        assert_eq!(a, demo_account("prod"));
    }
}
