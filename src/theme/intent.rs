//! How domain states look. The panes ask "how does a failed rollout look", never "is it red":
//! the colour rules live here, keyed by the model's types.

use crate::model::LogSide;
use crate::model::evidence::Judgement;
use crate::model::history::EventMark;
use crate::model::taskdef::FieldChange;
use crate::model::{
    AlarmState, Health, Level, LogTag, Outcome, RolloutState, ServiceStatus, TaskStatus,
};
use crate::theme::Theme;
use ratatui::style::{Modifier, Style};

impl Theme {
    pub fn rollout(&self, s: &RolloutState) -> Style {
        match s {
            RolloutState::InProgress => Style::new().fg(self.info),
            RolloutState::Completed => Style::new().fg(self.ok),
            RolloutState::Failed => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            RolloutState::Other(_) => Style::new().fg(self.warn),
        }
    }

    pub fn service_status(&self, s: &ServiceStatus) -> Style {
        match s {
            ServiceStatus::Active => Style::new().fg(self.fg),
            _ => Style::new().fg(self.warn),
        }
    }

    pub fn task_status(&self, s: &TaskStatus) -> Style {
        match s {
            TaskStatus::Running => Style::new().fg(self.ok),
            TaskStatus::Stopped | TaskStatus::Deleted => Style::new().fg(self.muted),
            _ => Style::new().fg(self.info),
        }
    }

    pub fn health(&self, h: &Health) -> Style {
        match h {
            Health::Healthy => Style::new().fg(self.ok),
            Health::Unhealthy => Style::new().fg(self.alarm),
            _ => Style::new().fg(self.muted),
        }
    }

    pub fn alarm_state(&self, s: &AlarmState) -> Style {
        match s {
            AlarmState::Ok => Style::new().fg(self.ok),
            AlarmState::Alarm => Style::new().fg(self.alarm),
            _ => Style::new().fg(self.warn),
        }
    }

    /// An alarm's state in its row: a firing alarm stands out.
    pub fn alarm_row_state(&self, s: &AlarmState) -> Style {
        let style = self.alarm_state(s);
        if *s == AlarmState::Alarm {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// A count of failed things: quiet at zero, alarming above.
    pub fn failures(&self, n: u32) -> Style {
        Style::new().fg(if n > 0 { self.alarm } else { self.muted })
    }

    /// A native or paired canary: its strategy, its share of traffic.
    pub fn canary_style(&self) -> Style {
        Style::new().fg(self.canary)
    }

    /// Credentials about to expire (a countdown), or expired (calls fail until a login).
    pub fn expiring(&self, expired: bool) -> Style {
        if expired {
            Style::new()
                .fg(self.bg)
                .bg(self.alarm)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(self.bg).bg(self.warn)
        }
    }

    /// The console is between two contexts: what is on screen is not live.
    pub fn switching(&self) -> Style {
        Style::new()
            .fg(self.bg)
            .bg(self.info)
            .add_modifier(Modifier::BOLD)
    }

    /// Something waits for a person: a hook, a countdown.
    pub fn waiting(&self) -> Style {
        Style::new().fg(self.warn)
    }

    /// How the canary's figure compares with the primary's: worse stands out, and what cannot
    /// be judged stays quiet.
    pub fn judgement(&self, j: &Judgement) -> Style {
        match j {
            Judgement::Worse => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            Judgement::Better | Judgement::Similar => Style::new().fg(self.ok),
            Judgement::NoTraffic { .. } | Judgement::TooFew(_) | Judgement::Unknown => {
                Style::new().fg(self.muted)
            }
        }
    }

    /// The badge of a rollout an armed policy may act on.
    pub fn auto(&self) -> Style {
        Style::new().fg(self.accent).add_modifier(Modifier::BOLD)
    }

    /// A canary's verdict: FAIL stands out, PASS is quiet and good, INCONCLUSIVE waits.
    pub fn verdict(&self, v: crate::model::verdict::Verdict) -> Style {
        use crate::model::verdict::Verdict;
        match v {
            Verdict::Fail => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            Verdict::Pass => Style::new().fg(self.ok),
            Verdict::Inconclusive => Style::new().fg(self.warn),
        }
    }

    /// A CodeDeploy lifecycle event (and the hook it runs) by its status.
    pub fn cd_event(&self, s: &crate::model::CdEventStatus) -> Style {
        use crate::model::CdEventStatus as E;
        match s {
            E::Succeeded => Style::new().fg(self.ok),
            E::InProgress => Style::new().fg(self.info).add_modifier(Modifier::BOLD),
            E::Failed => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            E::Pending | E::Skipped => Style::new().fg(self.muted),
            E::Unknown | E::Other(_) => Style::new().fg(self.warn),
        }
    }

    /// How a past deployment ended.
    pub fn outcome(&self, o: &Outcome) -> Style {
        match o {
            Outcome::Completed => Style::new().fg(self.ok),
            Outcome::InProgress => Style::new().fg(self.info),
            Outcome::Failed | Outcome::RolledBack { .. } => {
                Style::new().fg(self.alarm).add_modifier(Modifier::BOLD)
            }
            Outcome::Stopped | Outcome::Replaced => Style::new().fg(self.warn),
        }
    }

    /// A service event: rollbacks and failures are marked.
    pub fn event(&self, m: EventMark) -> Style {
        match m {
            EventMark::Rollback => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            EventMark::Failure => Style::new().fg(self.alarm),
            EventMark::Completed => Style::new().fg(self.ok),
            EventMark::Plain => Style::new().fg(self.fg),
        }
    }

    /// A line of a task-definition diff: added, removed or changed.
    pub fn diff_change(&self, c: &FieldChange) -> Style {
        match c {
            FieldChange::Added(_) => Style::new().fg(self.ok),
            FieldChange::Removed(_) => Style::new().fg(self.alarm),
            FieldChange::Changed { .. } => Style::new().fg(self.warn),
        }
    }

    /// An alarm's threshold, drawn over its metric.
    pub fn threshold(&self) -> Style {
        Style::new().fg(self.warn)
    }

    /// The connection to the backend in trouble: stale data, no answer, a partial listing.
    pub fn connection_trouble(&self) -> Style {
        Style::new().fg(self.bg).bg(self.alarm)
    }
}

impl Theme {
    /// A workflow run's (or job's, or step's) state: its conclusion once completed.
    pub fn run_state(
        &self,
        status: &crate::model::RunStatus,
        conclusion: Option<&crate::model::Conclusion>,
    ) -> Style {
        use crate::model::Conclusion as C;
        match conclusion {
            Some(C::Success) => Style::new().fg(self.ok),
            Some(c) if c.is_failure() => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            Some(C::Cancelled | C::Skipped | C::Neutral | C::Stale) => Style::new().fg(self.muted),
            Some(_) => Style::new().fg(self.warn),
            None if *status == crate::model::RunStatus::InProgress => Style::new().fg(self.info),
            None => Style::new().fg(self.warn),
        }
    }

    /// A log line: the runner's `##[error]` lines stand out.
    pub fn build_log_line(&self, line: &str) -> Style {
        if line.contains("##[error]") {
            Style::new().fg(self.alarm)
        } else if line.contains("##[warning]") {
            Style::new().fg(self.warn)
        } else {
            Style::new().fg(self.fg)
        }
    }

    /// A log line's text by its level: errors stand out, debug recedes.
    pub fn log_level(&self, l: Level) -> Style {
        match l {
            Level::Fatal => Style::new().fg(self.alarm).add_modifier(Modifier::BOLD),
            Level::Error => Style::new().fg(self.alarm),
            Level::Warn => Style::new().fg(self.warn),
            Level::Debug | Level::Trace => Style::new().fg(self.muted),
            Level::Info | Level::Unknown => Style::new().fg(self.fg),
        }
    }

    /// A log line's revision tag: the canary's lines in the canary colour, and neighbouring
    /// revisions (the old and the new of a rollout) in different colours.
    pub fn log_revision(&self, t: &LogTag) -> Style {
        if t.side == LogSide::Canary {
            return Style::new().fg(self.canary).add_modifier(Modifier::BOLD);
        }
        Style::new().fg(if t.revision.is_multiple_of(2) {
            self.accent
        } else {
            self.info
        })
    }

    /// A filter's match inside a log line.
    pub fn log_match(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
                .fg(self.bg)
                .bg(self.warn)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// A log line's time and other quiet detail.
    pub fn log_quiet(&self) -> Style {
        Style::new().fg(self.muted)
    }
}

impl Theme {
    /// A timeline entry: what went wrong in the alarm colour, a change from outside the
    /// console in the warning colour, the console's own actions in the accent.
    pub fn timeline_entry(&self, e: &crate::model::timeline::Entry) -> Style {
        use crate::model::timeline::Kind;
        if e.bad {
            Style::new().fg(self.alarm).add_modifier(Modifier::BOLD)
        } else if e.outside {
            Style::new().fg(self.warn)
        } else if matches!(e.kind, Kind::Action | Kind::Scale | Kind::Hook) {
            Style::new().fg(self.accent)
        } else {
            Style::new().fg(self.fg)
        }
    }
}
