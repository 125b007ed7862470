//! One service's history merged in time order: commits, runs, images, task definition
//! revisions, deployments and how they ended, alarm changes, the console's own actions and
//! changes made from outside it. Built off the loop from what the timeline worker read
//! (`build`), counted for the header (`stats`) and written as a post-mortem draft
//! (`markdown`). Nothing here does I/O.

pub mod audit;
pub mod build;
pub mod markdown;
pub mod stats;

use crate::model::{At, Ms, ServiceKey};
pub use audit::AuditRecord;
pub use stats::Stats;

/// What kind of thing happened, as the KIND column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Commit,
    Run,
    Image,
    Revision,
    Deploy,
    Hook,
    Alarm,
    Action,
    Scale,
    /// A change made from outside the console (CloudTrail).
    Outside,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Run => "run",
            Kind::Image => "image",
            Kind::Revision => "revision",
            Kind::Deploy => "deploy",
            Kind::Hook => "hook",
            Kind::Alarm => "alarm",
            Kind::Action => "console",
            Kind::Scale => "scale",
            Kind::Outside => "outside",
        }
    }
}

/// One line of the timeline, and the detail it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: At,
    pub kind: Kind,
    pub text: String,
    /// Who did it, when known (a login, an IAM ARN, the console's user).
    pub who: String,
    /// Made from outside the console (CloudTrail names someone else's call).
    pub outside: bool,
    /// Something went wrong: a failed run or deployment, a rollback, an alarm firing.
    pub bad: bool,
    /// The lines its detail shows.
    pub detail: Vec<String>,
}

impl Entry {
    pub fn new(at: At, kind: Kind, text: impl Into<String>) -> Self {
        Self {
            at,
            kind,
            text: text.into(),
            who: String::new(),
            outside: false,
            bad: false,
            detail: Vec::new(),
        }
    }

    pub fn by(mut self, who: impl Into<String>) -> Self {
        self.who = who.into();
        self
    }

    pub fn bad(mut self, bad: bool) -> Self {
        self.bad = bad;
        self
    }

    pub fn detail(mut self, lines: Vec<String>) -> Self {
        self.detail = lines;
        self
    }
}

/// A source that could not be read, and why: the timeline says so rather than show less as if
/// it were all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub what: String,
    pub why: String,
}

/// A service's timeline over a span.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    pub service: Option<ServiceKey>,
    pub from: At,
    pub until: At,
    /// Newest first.
    pub entries: Vec<Entry>,
    pub gaps: Vec<Gap>,
    pub stats: Stats,
}

/// Entries kept in one timeline, at most (a week of a busy service fits).
pub const ENTRIES_KEPT: usize = 5_000;

/// The default span: a day; `:since 7d` reaches further.
pub const DEFAULT_SPAN_MS: Ms = Ms::hours(24);
/// The longest span asked for (CloudTrail keeps 90 days of management events).
pub const MAX_SPAN_MS: Ms = Ms::days(90);

/// `30m`, `24h`, `7d`, `2w` as milliseconds; None for anything else.
pub fn parse_span(text: &str) -> Option<Ms> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    let unit = match unit {
        "m" => Ms::MINUTE,
        "h" => Ms::HOUR,
        "d" => Ms::DAY,
        "w" => Ms::days(7),
        _ => return None,
    };
    n.checked_mul(unit.millis())
        .map(Ms)
        .filter(|ms| *ms <= MAX_SPAN_MS)
}

/// `24h`, `7d`: a span as `:since` writes it.
pub fn span_text(ms: Ms) -> String {
    if ms % Ms::DAY == Ms::ZERO {
        format!("{}d", ms / Ms::DAY)
    } else if ms % Ms::HOUR == Ms::ZERO {
        format!("{}h", ms / Ms::HOUR)
    } else {
        format!("{}m", ms / Ms::MINUTE)
    }
}

/// `2026-03-01 14:05:09` in UTC.
pub fn utc(at: At) -> String {
    chrono::DateTime::from_timestamp_millis(at.millis())
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "----------".into())
}

/// `1h 05m`, `3m 20s`, `42s`: a duration as the header says it.
pub fn duration_text(ms: Ms) -> String {
    let s = ms.as_secs().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_since_writes_them() {
        assert_eq!(parse_span("7d"), Some(Ms(7 * 86_400_000)));
        assert_eq!(parse_span("24h"), Some(DEFAULT_SPAN_MS));
        assert_eq!(parse_span("90m"), Some(Ms(90 * 60_000)));
        assert_eq!(parse_span("2w"), Some(Ms(14 * 86_400_000)));
        assert_eq!(parse_span("0d"), None);
        assert_eq!(parse_span("7"), None);
        assert_eq!(parse_span("7y"), None);
        assert_eq!(parse_span("91d"), None);
        assert_eq!(span_text(Ms(7 * 86_400_000)), "7d");
        assert_eq!(span_text(DEFAULT_SPAN_MS), "1d");
        assert_eq!(span_text(Ms(90 * 60_000)), "90m");
        assert_eq!(duration_text(Ms(200_000)), "3m 20s");
        assert_eq!(utc(At(0)), "1970-01-01 00:00:00");
    }
}
