//! Canary against primary: which two sides a rollout compares, the load balancer's figures of
//! each side, the per-revision figures the console already has, and which side is worse. Only
//! evidence: nothing here acts.

use crate::model::{At, Health, Ms, Service, ServiceKey, Task, TaskDefRef, TaskStatus};

/// Requests a side needs before its rates are compared.
pub const MIN_REQUESTS: f64 = 20.0;
/// The 5xx rate is worse by at least this many percentage points, and twice the other's.
pub const WORSE_5XX_POINTS: f64 = 0.5;
/// p99 is worse by at least this many milliseconds, and half as much again as the other's.
pub const WORSE_P99_MS: f64 = 50.0;
/// A rolling deployment's new revision is compared with its target group before the
/// deployment: this long before.
pub const BEFORE_MS: Ms = Ms::mins(30);
/// The longest window a comparison reads.
pub const MAX_WINDOW_MS: Ms = Ms::hours(3);

/// What a figure fetch asks for: one target group over [from, until).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlbQuery {
    pub target_group: String,
    pub from: At,
    pub until: At,
}

impl Side {
    /// The fetch for this side's figures at `now`: its window, at most `MAX_WINDOW_MS` long,
    /// up to the end of the newest complete minute (the load balancer's figures are per
    /// minute: a minute still under way would count part of its requests).
    pub fn query(&self, now: At) -> Option<AlbQuery> {
        let until = self.until.unwrap_or(now).min(now);
        let until = until.floor(Ms::MINUTE);
        let from = self.from.max(until - MAX_WINDOW_MS);
        Some(AlbQuery {
            target_group: self.target_group.clone()?,
            from: from.floor(Ms::MINUTE).min(until),
            until,
        })
    }

    /// Whether a read at `now` has a complete minute of this side's window to count: none
    /// before the first minute the side began in has ended.
    pub fn has_complete_minute(&self, now: At) -> bool {
        self.query(now).is_some_and(|q| q.from < q.until)
    }
}

/// One target group's load-balancer figures over a window (`AWS/ApplicationELB`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlbFigures {
    /// `RequestCount`, summed.
    pub requests: f64,
    /// `HTTPCode_Target_5XX_Count`, summed.
    pub errors_5xx: f64,
    /// `TargetResponseTime` percentiles, in milliseconds; None when CloudWatch had none.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Why the percentiles could not be read, when they could not (the counts could).
    pub percentiles_error: Option<String>,
}

impl AlbFigures {
    /// 5xx in percent of the requests; None without requests.
    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0.0).then(|| self.errors_5xx * 100.0 / self.requests)
    }

    pub fn has_traffic(&self) -> bool {
        self.requests > 0.0
    }
}

/// Which side is which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Canary,
    Primary,
    /// A rolling deployment's new revision.
    New,
    /// The same target group before the rolling deployment began.
    Before,
    /// A CodeDeploy deployment's replacement task set, on its own target group.
    Replacement,
    /// A CodeDeploy deployment's original task set, on its own target group.
    Original,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Canary => "canary",
            Role::Primary => "primary",
            Role::New => "new",
            Role::Before => "before",
            Role::Replacement => "replacement",
            Role::Original => "original",
        }
    }
}

/// What one side of a comparison is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Side {
    pub role: Role,
    pub revision: TaskDefRef,
    /// The service whose tasks and logs are this side's.
    pub service: ServiceKey,
    /// The target group whose figures are this side's, when it has one to itself.
    pub target_group: Option<String>,
    /// The window the figures cover: from, and until (None: until now).
    pub from: At,
    pub until: Option<At>,
}

/// How the two sides were found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Split {
    /// A native deployment's target and source revisions; their target groups by the task IPs
    /// registered in them, or by the service's configuration when those are not known.
    Native {
        by_ips: bool,
    },
    Paired,
    /// A CodeDeploy deployment's replacement and original task sets, each on its target group.
    CodeDeploy,
    /// A rolling deployment: both revisions serve one target group, so the load balancer's
    /// figures compare the new revision's window with the window before it.
    Rolling,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sides {
    pub canary: Side,
    pub primary: Side,
    pub split: Split,
    /// Why the load balancer cannot tell the sides apart, if it cannot.
    pub no_alb: Option<String>,
}

/// The target group of `s` whose registered targets are the running tasks of `revision`.
fn group_of(s: &Service, tasks: &[Task], revision: &TaskDefRef) -> Option<String> {
    let ips: Vec<&str> = tasks
        .iter()
        .filter(|t| &t.task_def == revision && t.last_status == TaskStatus::Running)
        .map(|t| t.private_ip.as_str())
        .filter(|ip| !ip.is_empty())
        .collect();
    s.targets
        .iter()
        .find(|g| g.target_ids.iter().any(|id| ips.contains(&id.as_str())))
        .map(|g| g.target_group_arn.clone())
}

fn side(role: Role, s: &Service, revision: &TaskDefRef, tg: Option<String>, from: At) -> Side {
    Side {
        role,
        revision: revision.clone(),
        service: s.key(),
        target_group: tg,
        from,
        until: None,
    }
}

fn native_sides(s: &Service, tasks: &[Task]) -> Option<Sides> {
    let n = s.native.as_ref().filter(|n| n.status.is_moving())?;
    let source = n.source()?;
    let (c_ip, p_ip) = (
        group_of(s, tasks, &n.target.task_def),
        group_of(s, tasks, &source.task_def),
    );
    let by_ips = c_ip.is_some() && p_ip.is_some() && c_ip != p_ip;
    let (c_tg, p_tg) = if by_ips {
        (c_ip, p_ip)
    } else {
        // The green revision registers in the alternate target group.
        (
            s.alternate_target_groups.first().cloned(),
            s.target_groups.first().cloned(),
        )
    };
    let no_alb = (c_tg.is_none() || c_tg == p_tg)
        .then(|| "the service has no alternate target group: the load balancer cannot tell the revisions apart".to_string());
    Some(Sides {
        canary: side(Role::Canary, s, &n.target.task_def, c_tg, n.started_at),
        primary: side(Role::Primary, s, &source.task_def, p_tg, n.started_at),
        split: Split::Native { by_ips },
        no_alb,
    })
}

/// A CodeDeploy deployment in flight: the replacement task set against the original, each on
/// the target group its task set registers in (the deployment target names them; the task
/// sets give their ARNs).
fn codedeploy_sides(s: &Service) -> Option<Sides> {
    let d = s.cd_in_flight()?;
    let (green, blue) = (d.replacement()?, d.original()?);
    let set_of = |id: &str| s.task_sets.iter().find(|t| t.id == id);
    let group = |id: &str, name: &str| {
        let arns = set_of(id)
            .map(|t| t.target_groups.as_slice())
            .unwrap_or_default();
        arns.iter()
            .find(|arn| super::target_group_name(arn) == name)
            .or(arns.first())
            .cloned()
    };
    let (c_tg, p_tg) = (
        group(&green.id, &green.target_group),
        group(&blue.id, &blue.target_group),
    );
    let original = set_of(&blue.id).map_or_else(|| s.task_def.clone(), |t| t.task_def.clone());
    let no_alb = (c_tg.is_none() || c_tg == p_tg).then(|| {
        "the task sets' target groups are not known apart: the load balancer cannot tell them apart"
            .to_string()
    });
    Some(Sides {
        canary: side(Role::Replacement, s, &d.task_def, c_tg, d.created_at),
        primary: side(Role::Original, s, &original, p_tg, d.created_at),
        split: Split::CodeDeploy,
        no_alb,
    })
}

fn paired_sides(p: &Service, c: &Service) -> Sides {
    let own = |a: &Service, b: &Service| {
        a.target_groups
            .iter()
            .find(|tg| !b.target_groups.contains(tg))
            .cloned()
    };
    let since = c.primary().map_or(c.created_at, |d| d.created_at);
    let (c_tg, p_tg) = (own(c, p), own(p, c));
    let no_alb = (c_tg.is_none() || p_tg.is_none()).then(|| {
        "both serve one target group: the load balancer cannot tell them apart".to_string()
    });
    Sides {
        canary: side(Role::Canary, c, &c.task_def, c_tg, since),
        primary: side(Role::Primary, p, &p.task_def, p_tg, since),
        split: Split::Paired,
        no_alb,
    }
}

fn rolling_sides(s: &Service) -> Option<Sides> {
    let d = s.rolling_in_progress()?;
    let before = s
        .deployments
        .iter()
        .find(|o| o.id != d.id)
        .map_or_else(|| d.task_def.clone(), |o| o.task_def.clone());
    let tg = s.target_groups.first().cloned();
    let mut old = side(
        Role::Before,
        s,
        &before,
        tg.clone(),
        d.created_at - BEFORE_MS,
    );
    old.until = Some(d.created_at);
    Some(Sides {
        canary: side(Role::New, s, &d.task_def, tg.clone(), d.created_at),
        primary: old,
        split: Split::Rolling,
        no_alb: tg
            .is_none()
            .then(|| "the service has no target group".to_string()),
    })
}

/// The two sides of what `s` is rolling out: a native deployment's target against its source,
/// a paired canary against its primary, or a rolling deployment's new revision against the
/// time before it. None when nothing is being rolled out.
pub fn sides(s: &Service, pair: Option<(&Service, &Service)>, tasks: &[Task]) -> Option<Sides> {
    if let Some(sides) = native_sides(s, tasks) {
        return Some(sides);
    }
    if let Some(sides) = codedeploy_sides(s) {
        return Some(sides);
    }
    if let Some((p, c)) = pair
        && (c.desired > 0 || c.running > 0)
    {
        return Some(paired_sides(p, c));
    }
    rolling_sides(s)
}

/// How one figure of the canary compares with the primary's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Judgement {
    Worse,
    Better,
    Similar,
    /// A side had no requests in the window.
    NoTraffic {
        canary: bool,
        primary: bool,
    },
    /// Too few requests for a rate to mean anything: the smaller count.
    TooFew(f64),
    /// A figure is missing (CloudWatch had no datapoint).
    Unknown,
}

fn gate(c: &AlbFigures, p: &AlbFigures) -> Option<Judgement> {
    if !c.has_traffic() || !p.has_traffic() {
        return Some(Judgement::NoTraffic {
            canary: !c.has_traffic(),
            primary: !p.has_traffic(),
        });
    }
    let fewer = c.requests.min(p.requests);
    (fewer < MIN_REQUESTS).then_some(Judgement::TooFew(fewer))
}

/// Worse when higher by at least `points` and by a factor `ratio`; better the other way.
fn judge(c: f64, p: f64, points: f64, ratio: f64) -> Judgement {
    if c >= p + points && c >= p * ratio {
        Judgement::Worse
    } else if p >= c + points && p >= c * ratio {
        Judgement::Better
    } else {
        Judgement::Similar
    }
}

/// The canary's 5xx rate against the primary's.
pub fn judge_5xx(c: &AlbFigures, p: &AlbFigures) -> Judgement {
    if let Some(j) = gate(c, p) {
        return j;
    }
    match (c.error_rate(), p.error_rate()) {
        (Some(c), Some(p)) => judge(c, p, WORSE_5XX_POINTS, 2.0),
        _ => Judgement::Unknown,
    }
}

/// The canary's p99 response time against the primary's.
pub fn judge_p99(c: &AlbFigures, p: &AlbFigures) -> Judgement {
    if let Some(j) = gate(c, p) {
        return j;
    }
    match (c.p99_ms, p.p99_ms) {
        (Some(c), Some(p)) => judge(c, p, WORSE_P99_MS, 1.5),
        _ => Judgement::Unknown,
    }
}

/// What the console already knows of one revision: its ERROR lines a minute in the logs it
/// follows, its unhealthy targets and its stopped tasks. None where it does not know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RevisionFigures {
    pub errors_per_min: Option<f64>,
    pub unhealthy: Option<u32>,
    pub stopped: Option<u32>,
}

/// How long error counts are kept: the longest window the comparison reads.
const ERROR_SPAN: Ms = Ms::hours(3);
/// (minute, revision) counts kept at most, whatever the number of revisions.
const ERROR_CELLS: usize = 4_096;

/// ERROR (and FATAL) log lines of each revision, counted a minute at a time as the lines
/// arrive (the level the log worker read), for the last three hours: the evidence's
/// per-revision figure, without walking the log buffer on a draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorRates {
    /// (minute start, revision, count), in the order the minutes came.
    counts: std::collections::VecDeque<(At, u32, u32)>,
    /// The first line seen, and the newest minute: before `first`, or more than three hours
    /// before `newest`, nothing is known.
    first: Option<At>,
    newest: At,
}

impl ErrorRates {
    /// Takes in one line.
    pub fn add(&mut self, at: At, revision: u32, level: crate::model::Level) {
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        let minute = at.floor(Ms::MINUTE);
        self.newest = self.newest.max(minute);
        if !matches!(
            level,
            crate::model::Level::Error | crate::model::Level::Fatal
        ) {
            return;
        }
        let cell = self
            .counts
            .iter_mut()
            .rev()
            .take(64)
            .find(|(m, r, _)| *m == minute && *r == revision);
        match cell {
            Some(c) => c.2 += 1,
            None => self.counts.push_back((minute, revision, 1)),
        }
        let horizon = self.newest - ERROR_SPAN;
        while self
            .counts
            .front()
            .is_some_and(|c| c.0 < horizon || self.counts.len() > ERROR_CELLS)
        {
            self.counts.pop_front();
        }
    }

    /// ERROR lines a minute of `revision` since `from` (to the minute), over the minutes
    /// covered (at least one). None before any line came.
    pub fn rate(&self, revision: u32, from: At, now: At) -> Option<f64> {
        let known = self.first?.max(self.newest - ERROR_SPAN);
        let since = from.max(known);
        let first_minute = since.floor(Ms::MINUTE);
        let n: u32 = self
            .counts
            .iter()
            .filter(|(m, r, _)| *m >= first_minute && *r == revision)
            .map(|c| c.2)
            .sum();
        let minutes = ((now - since).millis() as f64 / 60_000.0).max(1.0);
        Some(f64::from(n) / minutes)
    }
}

/// Stopped tasks of `revision` since `from`, and its running tasks that fail their health
/// checks (used when the side has no target group of its own).
pub fn task_figures(tasks: &[Task], revision: &TaskDefRef, from: At) -> (u32, u32) {
    let mine = tasks.iter().filter(|t| &t.task_def == revision);
    let stopped = mine
        .clone()
        .filter(|t| t.last_status.is_stopped() && t.stopped_at.is_some_and(|at| at >= from))
        .count() as u32;
    let unhealthy = mine
        .filter(|t| t.last_status == TaskStatus::Running && t.health == Health::Unhealthy)
        .count() as u32;
    (stopped, unhealthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alb(requests: f64, errors: f64, p99: Option<f64>) -> AlbFigures {
        AlbFigures {
            requests,
            errors_5xx: errors,
            p50_ms: None,
            p99_ms: p99,
            percentiles_error: None,
        }
    }

    #[test]
    fn the_canary_is_worse_only_by_a_clear_margin() {
        // 2.1% against 0.2%.
        let c = alb(1000.0, 21.0, Some(840.0));
        let p = alb(9000.0, 18.0, Some(120.0));
        assert_eq!(judge_5xx(&c, &p), Judgement::Worse);
        assert_eq!(judge_p99(&c, &p), Judgement::Worse);
        assert_eq!(judge_5xx(&p, &c), Judgement::Better);
        // 0.3% against 0.2%: noise.
        assert_eq!(
            judge_5xx(&alb(1000.0, 3.0, None), &alb(1000.0, 2.0, None)),
            Judgement::Similar
        );
        // 130 ms against 120 ms: noise.
        assert_eq!(
            judge_p99(&alb(100.0, 0.0, Some(130.0)), &alb(100.0, 0.0, Some(120.0))),
            Judgement::Similar
        );
        assert_eq!(judge_p99(&alb(100.0, 0.0, None), &p), Judgement::Unknown);
    }

    #[test]
    fn no_traffic_is_said_not_shown_as_zero() {
        let none = alb(0.0, 0.0, None);
        let some = alb(500.0, 1.0, Some(100.0));
        assert_eq!(
            judge_5xx(&none, &some),
            Judgement::NoTraffic {
                canary: true,
                primary: false
            }
        );
        assert_eq!(none.error_rate(), None);
        assert_eq!(
            judge_p99(&alb(5.0, 5.0, Some(9.0)), &some),
            Judgement::TooFew(5.0)
        );
    }

    #[test]
    fn error_lines_are_counted_per_revision_and_minute() {
        use crate::model::Level;
        let lines = [
            (0, 43, Level::Error),
            (60_000, 43, Level::Info),
            (90_000, 43, Level::Error),
            (100_000, 42, Level::Fatal),
            (110_000, 43, Level::Unknown),
        ];
        let mut rates = ErrorRates::default();
        let now = At(120_000);
        assert_eq!(rates.rate(43, At(0), now), None, "nothing came yet");
        for (at, rev, level) in lines {
            rates.add(At(at), rev, level);
        }
        assert_eq!(rates.rate(43, At(0), now), Some(1.0));
        assert_eq!(rates.rate(42, At(0), now), Some(0.5));
        // Only 30 s covered: still per minute of at least one.
        assert_eq!(rates.rate(43, At(90_000), now), Some(1.0));
    }

    #[test]
    fn error_counts_keep_three_hours_and_know_nothing_before() {
        use crate::model::Level;
        let mut rates = ErrorRates::default();
        let later = At(0) + Ms::hours(4);
        rates.add(At(0), 7, Level::Error);
        rates.add(later, 7, Level::Error);
        // The line of hour 0 has gone: only the last three hours are known.
        assert_eq!(rates.rate(7, At(0), later), Some(1.0 / 180.0));
    }

    #[test]
    fn the_demo_sides_are_found() {
        let w = crate::demo::seed::world(At(0));
        let all = w.services();
        let tasks = w.tasks();
        let checkout = all.iter().find(|s| s.name == "checkout").unwrap();
        let s = sides(checkout, None, &tasks).expect("a native canary");
        assert_eq!(s.canary.revision.revision, 58);
        assert_eq!(s.primary.revision.revision, 57);
        assert!(matches!(s.split, Split::Native { by_ips: true }), "{s:?}");
        assert_ne!(s.canary.target_group, s.primary.target_group);
        let search = all.iter().find(|s| s.name == "search").unwrap();
        let pair = crate::model::pair_of(search, &all);
        let s = sides(search, pair, &tasks).expect("a paired canary");
        assert_eq!(s.split, Split::Paired);
        assert_eq!(s.canary.service.name, "search-canary");
        assert!(s.no_alb.is_none());
        let api = all.iter().find(|s| s.name == "api").unwrap();
        assert_eq!(sides(api, None, &tasks), None);
    }
}
