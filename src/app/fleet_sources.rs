//! Where the fleet's contexts come from: the config's `[[context]]`s, the AWS config's
//! profiles `[fleet] profiles` names by glob (each in every region of `[fleet] regions`), and
//! an SSO session's accounts and roles (`[fleet] sso_session`: listed off the loop once the
//! console runs, `app/sso_discovery.rs`). The demo has a small fleet of its own, so `--demo`
//! shows the view.

use crate::app::sso_discovery::{LISTING, SsoDiscovery};
use crate::config::fleet::{AT_ONCE, EVERY_SECS, FleetConfig, read_profile_names};
use crate::config::{Config, Context};
use crate::state::fleet::FleetView;
use crate::state::{ContextChoices, Target};
use crate::workers::fleet::FleetPolling;
use std::time::Duration;

/// What the fleet adds to the config, and how it is read.
#[derive(Debug, Clone, Default)]
pub struct FleetSources {
    /// Contexts the config does not have: matched profiles, an SSO session's, the demo's.
    pub extra: Vec<Context>,
    /// The regions each matched profile is watched in (empty: its own).
    regions: Vec<String>,
    /// How the contexts off screen are read; None: they are not (no `[fleet]`).
    pub polling: Option<FleetPolling>,
    /// What the fleet view must say: a source that could not be read, or is being read.
    pub note: Option<String>,
    /// `[fleet] sso_session`'s listing, to run once the console is up.
    pub sso: Option<SsoDiscovery>,
}

impl FleetSources {
    /// From `[fleet]` (and, for the demo, its own two more contexts).
    pub fn of(cfg: &Config, demo: bool) -> Self {
        if demo && cfg.contexts.is_empty() {
            return Self::demo();
        }
        let Some(f) = &cfg.fleet else {
            return Self::default();
        };
        let taken: Vec<String> = cfg.contexts.iter().map(|c| c.name.clone()).collect();
        let mut out = Self {
            regions: f.regions.clone(),
            polling: Some(polling(f)),
            ..Self::default()
        };
        if !f.profiles.is_empty() {
            match read_profile_names() {
                Ok(names) => out.extra = f.profile_contexts(&names, &taken),
                Err(why) => out.note = Some(format!("[fleet] profiles: {why}")),
            }
        }
        if let Some(session) = &f.sso_session {
            let why = if demo {
                format!("[fleet] sso_session {session}: not read in the demo")
            } else {
                out.sso = Some(SsoDiscovery::new(f, session, out.note.clone()));
                LISTING.to_string()
            };
            out.note = Some(match out.note.take() {
                Some(n) => format!("{n}; {why}"),
                None => why,
            });
        }
        out
    }

    /// The demo's fleet: two more simulated worlds, one in another region.
    fn demo() -> Self {
        let ctx = |name: &str, region: Option<&str>| Context {
            name: name.into(),
            region: region.map(str::to_string),
            ..Context::default()
        };
        Self {
            extra: vec![ctx("demo-staging", None), ctx("demo-eu", Some("eu-west-1"))],
            polling: Some(FleetPolling {
                every: Duration::from_secs(10),
                at_once: AT_ONCE,
            }),
            ..Self::default()
        }
    }

    /// The fleet view's rows, before anything is read.
    pub fn view(&self, choices: &ContextChoices) -> FleetView {
        let mut view = FleetView::new(self.members(choices), self.polling.is_some());
        view.note = self.note.clone();
        view
    }

    /// Every context of the fleet, as a switch names it: each choice in its region, a
    /// matched profile once per region watched.
    pub fn members(&self, choices: &ContextChoices) -> Vec<Target> {
        let mut out = Vec::new();
        for c in &choices.list {
            let matched = self
                .extra
                .iter()
                .any(|e| e.name == c.name && e.profile.is_some());
            let regions: Vec<Option<String>> = if matched && !self.regions.is_empty() {
                self.regions.iter().cloned().map(Some).collect()
            } else {
                vec![c.region.clone()]
            };
            out.extend(regions.into_iter().map(|region| Target {
                generation: 0,
                name: c.name.clone(),
                region,
            }));
        }
        out
    }
}

fn polling(f: &FleetConfig) -> FleetPolling {
    FleetPolling {
        every: Duration::from_secs(f.every_secs.unwrap_or(EVERY_SECS)),
        at_once: f.at_once.unwrap_or(AT_ONCE),
    }
}
