//! Notifications: when a job ends, when a watched service's deployment fails or is rolled
//! back, when a watched PAUSE hook nears its timeout action, and when an alarm linked to a
//! watched service goes to ALARM. Each fires once (`State::notify`'s `fired` keys) and becomes
//! `Effect::Notify`: the loop rings the bell and writes OSC 9 / OSC 777 between frames.
//! Watched: a service a job acted on or whose rollout view was opened this session, or one
//! `[notify] services` lists.

use crate::model::notify::NotifyConfig;
use crate::model::{AlarmState, Ms, NativeStatus, RolloutState, Service, ServiceKey};
use crate::state::actions::progress::Phase;
use crate::state::jobs::Job;
use crate::state::{Effect, State};
use std::collections::{BTreeSet, VecDeque};

/// Keys of what already fired, kept at most: the oldest go first.
const FIRED_KEPT: usize = 512;

/// One notification: a short title and a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

impl Notice {
    /// `title: body`: the words OSC 9 and the webhook carry.
    pub fn line(&self) -> String {
        format!("{}: {}", self.title, self.body)
    }
}

/// The session's notifications: the settings, the services watched, what fired.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notify {
    /// `[notify]` as the config file said it.
    pub settings: NotifyConfig,
    /// Services acted on or opened in the rollout view this session (`cluster/name`).
    pub watched: BTreeSet<String>,
    fired: VecDeque<String>,
}

impl Notify {
    /// True the first time `key` is seen: it fires once.
    fn first(&mut self, key: String) -> bool {
        if self.fired.contains(&key) {
            return false;
        }
        self.fired.push_back(key);
        if self.fired.len() > FIRED_KEPT {
            self.fired.pop_front();
        }
        true
    }

    fn watches(&self, s: &Service) -> bool {
        self.watches_key(&s.key())
    }

    /// Nothing is watched: no service can raise a hook, deployment or alarm notice, and the
    /// passes over every service that look for one are skipped.
    fn watches_nothing(&self) -> bool {
        self.watched.is_empty() && self.settings.services.is_empty()
    }

    fn watches_key(&self, k: &ServiceKey) -> bool {
        let key = k.to_string();
        self.watched.contains(&key)
            || self
                .settings
                .services
                .iter()
                .any(|w| *w == key || *w == k.name)
    }
}

/// What ended or went wrong since the last look, each once.
/// Deployments are looked at only when a list of services arrived (`listed`); hooks and
/// alarms when the clock or the data moved (`looks`).
pub(crate) fn collect(state: &mut State, listed: bool, looks: bool, fx: &mut Vec<Effect>) {
    if !state.notify.settings.enabled {
        return;
    }
    let mut notices = Vec::new();
    // A job keeps running through `:ctx`, so the contexts put away are looked at too: their
    // jobs' ends are told when they happen, not when the context comes back.
    let on_screen = state.ctx.jobs.all().iter().map(|j| (j, None));
    let away = state.contexts.kept_contexts().flat_map(|c| {
        let name = c.target.name.as_str();
        c.jobs.all().iter().map(move |j| (j, Some(name)))
    });
    for (j, away_in) in on_screen.chain(away) {
        job_ended(&mut state.notify, j, away_in, &mut notices);
    }
    if let Some(k) = &state.ctx.rollout {
        state.notify.watched.insert(k.to_string());
    }
    if !state.notify.watches_nothing() {
        of_watched(state, listed, looks, &mut notices);
    }
    fx.extend(notices.into_iter().map(Effect::Notify));
}

/// What went wrong with a watched service of the context on screen: a deployment (when a list
/// arrived), a hook near its timeout, an alarm (when the clock or the data moved).
fn of_watched(state: &mut State, listed: bool, looks: bool, notices: &mut Vec<Notice>) {
    if listed && state.notify.settings.deployments {
        for s in &state.ctx.services.items {
            // The cheap test first: most services have nothing wrong.
            if let Some((key, notice)) = went_wrong(s).filter(|_| state.notify.watches(s))
                && state.notify.first(key)
            {
                notices.push(notice);
            }
        }
    }
    if looks && state.notify.settings.hooks {
        hooks(state, notices);
    }
    if looks && state.notify.settings.alarms {
        alarms(state, notices);
    }
}

/// A job that ended (stable, failed, not stable in time, sent), told once; `away_in` names
/// the context off screen it ran in.
fn job_ended(notify: &mut Notify, j: &Job, away_in: Option<&str>, notices: &mut Vec<Notice>) {
    for k in &j.touches {
        notify.watched.insert(k.to_string());
    }
    let word = match &j.progress.phase {
        Phase::Stable { .. } => "stable",
        Phase::Failed { .. } => "failed",
        Phase::TimedOut { .. } => "not stable in time",
        Phase::Sent { .. } => "sent",
        Phase::Sending | Phase::Waiting { .. } | Phase::Unwatched { .. } => return,
    };
    if notify.settings.jobs && notify.first(format!("job {}", j.id)) {
        let place = away_in.map(|c| format!(" in {c}")).unwrap_or_default();
        notices.push(Notice {
            title: format!(
                "deckwatch: {} {}{place}",
                j.progress.verb, j.progress.service
            ),
            body: format!(
                "job {} {word}: {}",
                j.id,
                j.outcome.clone().unwrap_or_default()
            ),
        });
    }
}

/// Watched services whose PAUSE hook waits, with its timeout action `hook_minutes` away or
/// less (and not yet past).
fn hooks(state: &mut State, notices: &mut Vec<Notice>) {
    let lead = Ms::mins(i64::from(state.notify.settings.hook_minutes));
    let now = state.now;
    for s in &state.ctx.services.items {
        // The cheap test first: few services have a hook waiting.
        let Some((n, h)) = s.native.as_ref().and_then(|n| Some((n, n.waiting_hook()?))) else {
            continue;
        };
        let left = h.expires_at - now;
        if !(Ms::ZERO..=lead).contains(&left) || !state.notify.watches(s) {
            continue;
        }
        if state
            .notify
            .first(format!("hook {} {} {}", n.arn, h.id, h.expires_at.millis()))
        {
            notices.push(Notice {
                title: format!("deckwatch: {}", s.key()),
                body: format!(
                    "{}'s hook {} times out in {}: then ECS does {}",
                    s.name,
                    h.id,
                    mm_ss(left),
                    h.timeout_action
                ),
            });
        }
    }
}

/// Alarms linked to a watched service that are in ALARM: each transition once (its time).
fn alarms(state: &mut State, notices: &mut Vec<Notice>) {
    let ctx = &state.ctx;
    let mut found = Vec::new();
    for key in ctx.evidence.links.keys() {
        if !state.notify.watches_key(key) {
            continue;
        }
        for a in ctx.alarms_of(key).map(|(a, _)| a) {
            if a.state == AlarmState::Alarm {
                found.push((key.clone(), a.name.clone(), a.updated_at, a.reason.clone()));
            }
        }
    }
    for (key, name, at, reason) in found {
        if state.notify.first(format!("alarm {name} {}", at.millis())) {
            notices.push(Notice {
                title: format!("deckwatch: {key}"),
                body: format!(
                    "alarm {name} (linked to {}) is in ALARM: {reason}",
                    key.name
                ),
            });
        }
    }
}

/// `4:30`: minutes and seconds.
fn mm_ss(left: Ms) -> String {
    let s = left.max(Ms::ZERO).millis() / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A deployment of `s` that failed or was rolled back: its key and its notice.
fn went_wrong(s: &Service) -> Option<(String, Notice)> {
    let what = if let Some(n) = &s.native {
        match n.status {
            NativeStatus::RollbackSuccessful | NativeStatus::RollbackInProgress => {
                Some((n.arn.clone(), "was rolled back"))
            }
            NativeStatus::RollbackFailed => Some((n.arn.clone(), "failed to roll back")),
            NativeStatus::Pending | NativeStatus::InProgress | NativeStatus::Successful => None,
            NativeStatus::StopRequested | NativeStatus::Stopped => None,
            NativeStatus::RollbackRequested | NativeStatus::Other(_) => None,
        }
    } else {
        None
    };
    let what = what.or_else(|| {
        s.deployments
            .iter()
            .find(|d| d.rollout_state == RolloutState::Failed)
            .map(|d| (d.id.clone(), "failed (the circuit breaker rolls it back)"))
    })?;
    Some((
        format!("deployment {}", what.0),
        Notice {
            title: format!("deckwatch: {}", s.key()),
            body: format!("{}'s deployment {}", s.name, what.1),
        },
    ))
}
