//! `[fleet] sso_session`: the session's accounts and roles, listed off the loop once the
//! console runs (the portal may be slow; the fleet view says `listing SSO accounts…` until it
//! answers), become contexts: named `<account name>/<role>`, each watched in `[fleet] regions`
//! (else the session's region), their credentials from `sso:GetRoleCredentials`. The connector
//! finds them in the registry this fills; the state learns of them by `Msg::SsoListed`.

use crate::cloud::aws::sso::{SsoContext, SsoEnv, SsoRole, sso_contexts_in};
use crate::config::fleet::{FleetConfig, glob};
use crate::state::fleet_sso::SsoListed;
use crate::state::{ContextChoice, Msg, Target};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;

/// What the fleet view says while the portal has not answered.
pub const LISTING: &str = "listing SSO accounts…";

/// One (account, role) of the session, as a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoMember {
    /// The context's name, unique among the console's.
    pub name: String,
    pub role: SsoRole,
    /// The regions it is watched in; the first is the one `:ctx` opens.
    pub regions: Vec<String>,
}

/// The SSO contexts listed so far, shared with the connector that builds their backends.
#[derive(Debug, Clone, Default)]
pub struct SsoRegistry(Arc<RwLock<Vec<SsoMember>>>);

impl SsoRegistry {
    pub fn get(&self, name: &str) -> Option<SsoMember> {
        let list = self.0.read().unwrap_or_else(|e| e.into_inner());
        list.iter().find(|m| m.name == name).cloned()
    }

    fn add(&self, members: &[SsoMember]) {
        let mut list = self.0.write().unwrap_or_else(|e| e.into_inner());
        list.extend(members.iter().cloned());
    }
}

/// The listing to run once the console is up.
#[derive(Clone)]
pub struct SsoDiscovery {
    pub session: String,
    /// `[fleet] regions`; empty: each context in the session's region.
    pub regions: Vec<String>,
    /// `[fleet] sso_roles`: globs over the role names; empty: every role.
    pub roles: Vec<String>,
    /// `[fleet] sso_prod`: globs over the contexts' names; those matched are production.
    pub prod: Vec<String>,
    /// Names the console already has (the config's, the matched profiles', the one started in).
    pub taken: Vec<String>,
    /// The files and the HTTP client (the AWS CLI's and the real one, but in tests), and the
    /// process's budget.
    pub env: SsoEnv,
    pub registry: SsoRegistry,
    /// What the fleet's other sources had to say, kept when the listing answers.
    pub other_note: Option<String>,
}

impl std::fmt::Debug for SsoDiscovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoDiscovery")
            .field("session", &self.session)
            .field("regions", &self.regions)
            .finish_non_exhaustive()
    }
}

impl SsoDiscovery {
    /// The listing `[fleet]` asks for; `other_note` is what its other sources had to say.
    pub fn new(f: &FleetConfig, session: &str, other_note: Option<String>) -> Self {
        Self {
            session: session.to_string(),
            regions: f.regions.clone(),
            roles: f.sso_roles.clone(),
            prod: f.sso_prod.clone(),
            taken: Vec::new(),
            env: SsoEnv::default(),
            registry: SsoRegistry::default(),
            other_note,
        }
    }

    /// Lists the session's accounts and roles and registers their contexts.
    pub async fn list(&self) -> SsoListed {
        let mut found = match sso_contexts_in(&self.session, &self.env).await {
            Ok(found) => found,
            Err(e) => {
                let why = format!("[fleet] sso_session {}: {e}", self.session);
                return SsoListed {
                    note: Some(join(self.other_note.as_deref(), &why)),
                    ..SsoListed::default()
                };
            }
        };
        if !self.roles.is_empty() {
            found.retain(|c| self.roles.iter().any(|p| glob(p.trim(), &c.role)));
        }
        let members = sso_members(&found, &self.env, &self.regions, &self.taken);
        self.registry.add(&members);
        let note = if members.is_empty() {
            let why = format!(
                "[fleet] sso_session {}: the session grants no account and role{}",
                self.session,
                if self.roles.is_empty() {
                    ""
                } else {
                    " that sso_roles matches"
                }
            );
            Some(join(self.other_note.as_deref(), &why))
        } else {
            self.other_note.clone()
        };
        SsoListed {
            choices: members.iter().map(|m| choice(m, &self.prod)).collect(),
            members: members.iter().flat_map(targets).collect(),
            note,
        }
    }

    /// Lists, then tells the loop.
    pub async fn run(self, tx: mpsc::Sender<Msg>) {
        let listed = self.list().await;
        let _ = tx.send(Msg::SsoListed(Box::new(listed))).await;
    }
}

fn join(first: Option<&str>, then: &str) -> String {
    match first {
        Some(f) => format!("{f}; {then}"),
        None => then.to_string(),
    }
}

/// What `:ctx` offers for `m`: production when a `[fleet] sso_prod` glob matches its name, so
/// the header takes the prod colour and every action asks for the typed name.
fn choice(m: &SsoMember, prod: &[String]) -> ContextChoice {
    ContextChoice {
        name: m.name.clone(),
        region: m.regions.first().cloned(),
        prod: prod.iter().any(|p| glob(p.trim(), &m.name)),
        ..ContextChoice::default()
    }
}

fn targets(m: &SsoMember) -> impl Iterator<Item = Target> + '_ {
    m.regions.iter().map(|r| Target {
        generation: 0,
        name: m.name.clone(),
        region: Some(r.clone()),
    })
}

/// The contexts of the listed (account, role)s: `<account name>/<role>`, with the account's
/// id added when the name is taken, and a number after that; whitespace becomes `-`, so
/// `:ctx` takes the name as one word.
pub fn sso_members(
    found: &[SsoContext],
    env: &SsoEnv,
    regions: &[String],
    taken: &[String],
) -> Vec<SsoMember> {
    let mut names: Vec<String> = taken.to_vec();
    let mut out = Vec::new();
    for c in found {
        let account = one_word(&c.account_name);
        let role = one_word(&c.role);
        let mut name = format!("{account}/{role}");
        if names.contains(&name) {
            name = format!("{account}-{}/{role}", c.account_id);
        }
        let base = name.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        names.push(name.clone());
        let regions = if regions.is_empty() {
            vec![c.region.clone()]
        } else {
            regions.to_vec()
        };
        out.push(SsoMember {
            name,
            role: c.role(env),
            regions,
        });
    }
    out
}

fn one_word(s: &str) -> String {
    let word: String = s
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    if word.is_empty() { "-".into() } else { word }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(id: &str, name: &str, role: &str) -> SsoContext {
        SsoContext {
            account_id: id.into(),
            account_name: name.into(),
            role: role.into(),
            region: "eu-central-1".into(),
            session: "corp".into(),
        }
    }

    #[test]
    fn names_are_one_word_and_unique_and_never_a_configured_one() {
        let found = [
            ctx("111111111111", "prod", "ReadOnly"),
            ctx("222222222222", "prod", "ReadOnly"),
            ctx("333333333333", "team  a", "On Call"),
            ctx("444444444444", "staging", "Admin"),
        ];
        let taken = ["staging/Admin".to_string()];
        let got = sso_members(&found, &SsoEnv::default(), &[], &taken);
        let names: Vec<&str> = got.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "prod/ReadOnly",
                "prod-222222222222/ReadOnly",
                "team--a/On-Call",
                "staging-444444444444/Admin",
            ]
        );
        assert_eq!(got[0].regions, ["eu-central-1"], "the session's region");
        assert_eq!(got[1].role.account_id, "222222222222");
    }

    #[test]
    fn the_fleets_regions_over_the_sessions() {
        let regions = ["us-east-1".to_string(), "eu-west-1".to_string()];
        let got = sso_members(
            &[ctx("111111111111", "prod", "ReadOnly")],
            &SsoEnv::default(),
            &regions,
            &[],
        );
        let t: Vec<Target> = targets(&got[0]).collect();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].region.as_deref(), Some("eu-west-1"));
        assert_eq!(choice(&got[0], &[]).region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn sso_prod_globs_mark_the_contexts_they_match_production() {
        let found = [
            ctx("111111111111", "payments-prod", "OnCall"),
            ctx("222222222222", "payments-staging", "OnCall"),
        ];
        let got = sso_members(&found, &SsoEnv::default(), &[], &[]);
        let prod = ["*-prod/*".to_string()];
        let marked: Vec<bool> = got.iter().map(|m| choice(m, &prod).prod).collect();
        assert_eq!(marked, [true, false]);
        assert!(
            !choice(&got[0], &[]).prod,
            "nothing is production unless said"
        );
    }
}
