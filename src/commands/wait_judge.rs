//! What `wait` makes of one read of a service: whether the state waited for is reached, the
//! rollout followed failed or was rolled back, or it goes on; and the line that says where it
//! is. Pure: the loop in `wait` reads, asks here, prints and sleeps.

use super::status_view::{hook_text, rollout_text};
use super::{CommandError, Until};
use crate::model::{
    At, DeploymentStatus, NativeStatus, Outcome, PastDeployment, RolloutState, Service,
};

/// What one read says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Reached(String),
    /// Failed, stopped or rolled back: exit status 1.
    Failed(String),
    Waiting,
}

/// The rollout being followed: the rolling deployment's id or the native deployment's ARN
/// seen when the wait began (None when nothing was rolling out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Followed {
    pub id: Option<String>,
}

impl Followed {
    /// What to follow on the first read: the rollout in progress, if one is.
    pub fn first(s: &Service) -> Self {
        let id = match &s.native {
            Some(n) if n.status.is_moving() => Some(n.arn.clone()),
            _ => s.primary().map(|d| d.id.clone()),
        };
        Self { id }
    }
}

/// `--until hook` asks for a lifecycle hook, which only native deployments have.
pub fn check_until(s: &Service, until: Until) -> Result<(), CommandError> {
    if until == Until::Hook && !s.strategy.is_native() && s.native.is_none() {
        return Err(CommandError::BadArgument(format!(
            "{} deploys with {}, which has no lifecycle hooks: use --until stable or done",
            s.key(),
            s.strategy
        )));
    }
    Ok(())
}

/// Judges `s` (its history carried across reads) against `until` for the rollout `followed`.
pub fn judge(s: &Service, until: Until, followed: &Followed) -> Verdict {
    if let Some(why) = failure(s, followed) {
        return Verdict::Failed(why);
    }
    match (&s.native, until) {
        (Some(n), Until::Hook) if n.waiting_hook().is_some() => {
            Verdict::Reached(format!("waiting at its {} hook", n.lifecycle_stage))
        }
        (Some(n), _) if n.status == NativeStatus::Successful => {
            let running = n.target.running >= s.desired;
            match until {
                Until::Stable if !running => Verdict::Waiting,
                Until::Hook => Verdict::Reached(format!(
                    "{} SUCCESSFUL: it went past its hooks",
                    n.target.task_def
                )),
                _ => Verdict::Reached(format!("{} SUCCESSFUL", n.target.task_def)),
            }
        }
        (Some(_), _) => Verdict::Waiting,
        (None, Until::Stable) if s.is_stable() => {
            Verdict::Reached(format!("stable on {}", s.task_def))
        }
        (None, Until::Done) => match s.primary() {
            Some(d) if d.rollout_state == RolloutState::Completed => {
                Verdict::Reached(format!("{} COMPLETED", d.task_def))
            }
            _ => Verdict::Waiting,
        },
        _ => Verdict::Waiting,
    }
}

/// Why the rollout followed did not go through, if it did not.
fn failure(s: &Service, followed: &Followed) -> Option<String> {
    if let Some(n) = &s.native {
        let ours = followed.id.as_deref().is_none_or(|id| id == n.arn);
        let why = n.rollback_reason.clone().unwrap_or_default();
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(": {why}")
        };
        match n.status {
            NativeStatus::RollbackRequested
            | NativeStatus::RollbackInProgress
            | NativeStatus::RollbackSuccessful
                if ours =>
            {
                return Some(format!("{} rolled back{why}", n.target.task_def));
            }
            NativeStatus::RollbackFailed if ours => {
                return Some(format!("{} rollback FAILED{why}", n.target.task_def));
            }
            NativeStatus::Stopped | NativeStatus::StopRequested if ours => {
                return Some(format!("{} stopped{why}", n.target.task_def));
            }
            _ => {}
        }
        return None;
    }
    let id = followed.id.as_deref()?;
    if let Some(d) = s.deployments.iter().find(|d| d.id == id)
        && d.rollout_state == RolloutState::Failed
    {
        return Some(format!("{} FAILED: {}", d.task_def, d.rollout_reason));
    }
    let entry = s.history.iter().find(|e| e.id == id)?;
    match &entry.outcome {
        Outcome::RolledBack { .. } | Outcome::Failed => Some(entry.headline()),
        Outcome::Replaced if rolled_back_by(s).is_some() => rolled_back_by(s),
        _ => None,
    }
}

/// The primary is a rollback (ECS's circuit breaker words its reason so).
fn rolled_back_by(s: &Service) -> Option<String> {
    let newest: &PastDeployment = s
        .history
        .iter()
        .find(|e| e.outcome == Outcome::InProgress)?;
    newest
        .is_rollback
        .then(|| format!("rolling back to {}", newest.revision))
}

/// Before following: the service already stands where a rollback left it, with nothing
/// rolling out (the deploy the caller waits for failed before the wait began).
pub fn rolled_back_already(s: &Service) -> Option<String> {
    if s.in_progress() {
        return None;
    }
    let here = s.rolled_back_here()?;
    Some(format!(
        "the last deployment was rolled back ({}); the service runs {}",
        here.failed.headline(),
        s.task_def
    ))
}

/// Where the rollout is, without what changes every second: a new line is printed when this
/// changes.
pub fn state_key(s: &Service) -> String {
    let deployments = s
        .deployments
        .iter()
        .map(|d| {
            let status = if d.status == DeploymentStatus::Primary {
                "*"
            } else {
                ""
            };
            format!("{status}{}:{}", d.task_def, d.rollout_state)
        })
        .collect::<Vec<_>>()
        .join(",");
    let hook = s
        .native
        .as_ref()
        .and_then(|n| n.waiting_hook())
        .map(|h| h.id.clone());
    format!(
        "{}|{}/{}/{}|{deployments}|{hook:?}|{}",
        rollout_text(s),
        s.running,
        s.desired,
        s.pending,
        s.max_failed_tasks()
    )
}

/// The line for a change: the rollout, the tasks, a hook's countdown.
pub fn line(s: &Service, now: At) -> String {
    let mut out = format!(
        "{} {}  {}  tasks {}/{}",
        crate::ui::format::clock(now),
        s.key(),
        rollout_text(s),
        s.running,
        s.desired
    );
    if s.pending > 0 {
        out.push_str(&format!(" +{} pending", s.pending));
    }
    if s.deployments.len() > 1 {
        out.push_str(&format!(" · {} deployments", s.deployments.len()));
    }
    if let Some(h) = s.native.as_ref().and_then(|n| n.waiting_hook()) {
        out.push_str(&format!(" · hook {}", hook_text(h, now)));
    }
    out
}
