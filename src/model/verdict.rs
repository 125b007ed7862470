//! The verdict on a canary: PASS, INCONCLUSIVE or FAIL, by a rule written out next to it. The
//! rule judges one read of the load balancer's figures of both sides and the alarms that fire
//! on the canary's side; `Streak` counts how many reads in a row agree. Pure: the reducer keeps
//! the reads, the screen shows them, the policy acts on them.

use crate::model::codedeploy::TrafficShape;
use crate::model::evidence::{AlbFigures, Sides, Split};
use crate::model::{Alarm, AlarmState, ApiResult, At, LinkReason, Ms, Service, ServiceKey};
use std::collections::HashMap;
use std::fmt;

/// The thresholds a verdict is made by. The defaults follow how Kayenta and Argo Rollouts
/// judge a canary: no verdict below a minimum of data, the canary compared with its baseline
/// by a ratio (with a floor, so a 0 % baseline does not fail the first error), and a failure
/// acted on only after a number of failed measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Requests each side needs in the window before its rates are judged.
    pub min_requests: u32,
    /// The canary's 5xx rate fails above `primary × error_ratio + error_points` (in %).
    pub error_ratio: f64,
    pub error_points: f64,
    /// The canary's p99 fails above `primary × p99_ratio + p99_slack_ms`.
    pub p99_ratio: f64,
    pub p99_slack_ms: f64,
    /// FAIL reads in a row before the policy aborts.
    pub fails_to_abort: u32,
    /// Minutes PASS holds before the policy continues.
    pub pass_minutes: u32,
    /// Minutes the canary soaks before a promote is on time; None: the deployment's bake.
    pub soak_minutes: Option<u32>,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            min_requests: 100,
            error_ratio: 2.0,
            error_points: 0.5,
            p99_ratio: 1.5,
            p99_slack_ms: 50.0,
            fails_to_abort: 3,
            pass_minutes: 5,
            soak_minutes: None,
        }
    }
}

/// `[[policy]]`: what an armed policy may do for a service's rollout. Off unless armed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The service's name (`checkout`) or `cluster/name`.
    pub service: String,
    /// Continue (promote) once PASS has held `pass_minutes` and the soak is over.
    pub on_pass_continue: bool,
    /// Abort after `fails_to_abort` FAIL reads in a row.
    pub on_fail_abort: bool,
}

impl Policy {
    /// Whether this policy is for the service `key`.
    pub fn is_for(&self, key: &crate::model::ServiceKey) -> bool {
        let name = self.service.trim();
        name == key.name || name == format!("{}/{}", key.cluster, key.name)
    }
}

/// `[analysis]`: the rule, each service's own where one is set, and the `[[policy]]`s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub rule: Rule,
    /// By service name.
    pub services: HashMap<String, Rule>,
    pub policies: Vec<Policy>,
}

impl Analysis {
    /// The rule for the service named `name`.
    pub fn rule_for(&self, name: &str) -> &Rule {
        self.services.get(name).unwrap_or(&self.rule)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Pass,
    Inconclusive,
    Fail,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "PASS",
            Verdict::Inconclusive => "INCONCLUSIVE",
            Verdict::Fail => "FAIL",
        })
    }
}

/// What one read shows: the evidence a verdict is made on.
#[derive(Debug, Clone, Copy)]
pub struct Reads<'a> {
    /// Canary and primary figures, when the load balancer could be read for both.
    pub figures: Option<(&'a AlbFigures, &'a AlbFigures)>,
    /// Why there are no figures, when there are none.
    pub no_figures: Option<&'a str>,
    /// The alarms in ALARM linked to the canary's side.
    pub canary_alarms: &'a [String],
}

/// One part of the reasoning, as the verdict's line says it.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// An alarm on the canary's side fires.
    Alarm(String),
    /// A side has fewer requests than the rule needs.
    TooFew { canary: bool, have: f64, need: u32 },
    /// The 5xx rates (in %), the limit they were held to and the canary's requests.
    Errors {
        canary: f64,
        primary: f64,
        requests: f64,
        over: bool,
    },
    /// The p99s in ms.
    P99 {
        canary: f64,
        primary: f64,
        over: bool,
    },
    /// The p99 of a side was not read; the verdict rests on the 5xx rate.
    NoP99,
    /// No figures to judge, and why.
    NoFigures(String),
}

/// A verdict and what it was made on.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// The 5xx limit the canary is held to: `primary × ratio + points`.
pub fn error_limit(rule: &Rule, primary: f64) -> f64 {
    primary * rule.error_ratio + rule.error_points
}

/// The p99 limit: `primary × ratio + slack`.
pub fn p99_limit(rule: &Rule, primary: f64) -> f64 {
    primary * rule.p99_ratio + rule.p99_slack_ms
}

/// Judges one read by `rule`. An alarm on the canary's side fails it whatever the figures;
/// too few requests on either side leave it INCONCLUSIVE with the count it needs; otherwise
/// the canary fails when its 5xx rate or its p99 is over the limit the primary sets.
pub fn judge(rule: &Rule, r: &Reads) -> Judged {
    let mut findings: Vec<Finding> = r
        .canary_alarms
        .iter()
        .map(|a| Finding::Alarm(a.clone()))
        .collect();
    let alarmed = !findings.is_empty();
    let Some((c, p)) = r.figures else {
        let why = r
            .no_figures
            .unwrap_or("the load balancer's figures are not read yet");
        findings.push(Finding::NoFigures(why.to_string()));
        return done(alarmed, false, findings);
    };
    let need = rule.min_requests;
    let too_few: Vec<Finding> = [(true, c), (false, p)]
        .into_iter()
        .filter(|(_, f)| f.requests < f64::from(need))
        .map(|(canary, f)| Finding::TooFew {
            canary,
            have: f.requests,
            need,
        })
        .collect();
    if !too_few.is_empty() {
        findings.extend(too_few);
        return done(alarmed, false, findings);
    }
    let (ce, pe) = (rate(c), rate(p));
    let errors_over = ce > error_limit(rule, pe);
    findings.push(Finding::Errors {
        canary: ce,
        primary: pe,
        requests: c.requests,
        over: errors_over,
    });
    let p99_over = match (c.p99_ms, p.p99_ms) {
        (Some(cv), Some(pv)) => {
            let over = cv > p99_limit(rule, pv);
            findings.push(Finding::P99 {
                canary: cv,
                primary: pv,
                over,
            });
            over
        }
        _ => {
            findings.push(Finding::NoP99);
            false
        }
    };
    done(alarmed || errors_over || p99_over, true, findings)
}

fn rate(f: &AlbFigures) -> f64 {
    f.error_rate().unwrap_or(0.0)
}

/// FAIL when something failed; PASS when the figures were judged and nothing failed.
fn done(failed: bool, judged: bool, findings: Vec<Finding>) -> Judged {
    let verdict = match (failed, judged) {
        (true, _) => Verdict::Fail,
        (false, true) => Verdict::Pass,
        (false, false) => Verdict::Inconclusive,
    };
    Judged { verdict, findings }
}

/// Whether an alarm linked to a service of `sides` is on the canary's side: its metric is the
/// canary's own target group; a paired canary's own alarm; or, in a rolling deployment, one on
/// the target group the new revision serves now.
pub fn on_canary_side(sides: &Sides, a: &Alarm, key: &ServiceKey, reason: LinkReason) -> bool {
    let canary_tg = sides
        .canary
        .target_group
        .as_deref()
        .map(crate::model::alarm_link::target_group_dimension);
    let metric_tg = a
        .spec
        .metric
        .as_ref()
        .and_then(|m| m.dimension("TargetGroup"));
    match sides.split {
        Split::Rolling => reason == LinkReason::TargetGroup,
        Split::Paired => *key == sides.canary.service && reason != LinkReason::LoadBalancer,
        Split::Native { .. } | Split::CodeDeploy => {
            canary_tg.is_some() && metric_tg == canary_tg && sides.no_alb.is_none()
        }
    }
}

/// The alarms in ALARM linked to the services of `sides`, each by name, sorted: those on the
/// canary's side, and the others (the whole service's). `linked` gives a service's linked
/// alarms with why each is linked.
pub fn split_firing<'a>(
    sides: &Sides,
    linked: impl Fn(&ServiceKey) -> Vec<(&'a Alarm, LinkReason)>,
) -> (Vec<String>, Vec<String>) {
    let (mut canary, mut whole) = (Vec::new(), Vec::new());
    let mut keys = vec![&sides.primary.service];
    if sides.canary.service != sides.primary.service {
        keys.push(&sides.canary.service);
    }
    for key in keys {
        for (a, reason) in linked(key) {
            if a.state != AlarmState::Alarm {
                continue;
            }
            let list = if on_canary_side(sides, a, key, reason) {
                &mut canary
            } else {
                &mut whole
            };
            if !list.contains(&a.name) {
                list.push(a.name.clone());
            }
        }
    }
    canary.sort();
    whole.sort();
    whole.retain(|n| !canary.contains(n));
    (canary, whole)
}

/// What stands for the figures read at `at` when there are none to judge.
pub fn no_figures(
    sides: &Sides,
    figures: Option<&ApiResult<(AlbFigures, AlbFigures)>>,
    at: At,
) -> Option<String> {
    if let Some(why) = &sides.no_alb {
        return Some(format!("load balancer: {why}"));
    }
    match figures {
        Some(Err(e)) => Some(format!("the load balancer's figures: {e}")),
        Some(Ok(_)) if !sides.canary.has_complete_minute(at) => {
            Some("no complete minute since the rollout began yet".into())
        }
        _ => None,
    }
}

/// Judges a read of `sides` made at `at`: its figures (None: not read), or why there are
/// none, with the alarms that fire on the canary's side. The console's reducer and the
/// one-shot commands judge so.
pub fn judge_read(
    rule: &Rule,
    sides: &Sides,
    figures: Option<&ApiResult<(AlbFigures, AlbFigures)>>,
    at: At,
    canary_alarms: &[String],
) -> Judged {
    let why = no_figures(sides, figures, at);
    let ok = figures
        .and_then(|f| f.as_ref().ok())
        .filter(|_| why.is_none());
    judge(
        rule,
        &Reads {
            figures: ok.map(|(c, p)| (c, p)),
            no_figures: why.as_deref(),
            canary_alarms,
        },
    )
}

/// `2.1%`, `0.04%`.
pub fn pct(v: f64) -> String {
    if v > 0.0 && v < 0.1 {
        format!("{v:.2}%")
    } else {
        format!("{v:.1}%")
    }
}

/// `840 ms`, `1.8 s`.
pub fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.1} s", v / 1000.0)
    } else {
        format!("{v:.0} ms")
    }
}

/// A ratio without needless decimals: `2`, `1.5`.
fn times(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Finding {
    /// How the line says it, with the sides' names (`canary`/`primary`, `new`/`before`, ...).
    pub fn text(&self, rule: &Rule, (c, p): (&str, &str)) -> String {
        match self {
            Finding::Alarm(name) => format!("{c} alarm {name} in ALARM"),
            Finding::TooFew { canary, have, need } => {
                let side = if *canary { c } else { p };
                format!("{side} has {have:.0} of the {need} requests it needs")
            }
            Finding::Errors {
                canary,
                primary,
                requests,
                over,
            } => format!(
                "{c} 5xx {} {} {p} {} × {} + {} pt over {requests:.0} requests",
                pct(*canary),
                if *over { ">" } else { "≤" },
                pct(*primary),
                times(rule.error_ratio),
                times(rule.error_points),
            ),
            Finding::P99 {
                canary,
                primary,
                over,
            } => format!(
                "p99 {} {} {} × {} + {}",
                ms(*canary),
                if *over { ">" } else { "≤" },
                times(rule.p99_ratio),
                ms(*primary),
                ms(rule.p99_slack_ms),
            ),
            Finding::NoP99 => "p99 not read".to_string(),
            Finding::NoFigures(why) => why.clone(),
        }
    }

    /// Whether this part fails the canary (an alarm, a limit passed).
    pub fn fails(&self) -> bool {
        match self {
            Finding::Errors { over, .. } | Finding::P99 { over, .. } => *over,
            Finding::Alarm(_) => true,
            Finding::TooFew { .. } | Finding::NoFigures(_) | Finding::NoP99 => false,
        }
    }
}

impl Judged {
    /// `FAIL: canary 5xx 2.1% > primary 0.2% × 2 + 0.5 pt over 412 requests; p99 840 ms > 1.5
    /// × 120 ms + 50 ms`: a FAIL names only what failed, a PASS or INCONCLUSIVE everything.
    pub fn text(&self, rule: &Rule, names: (&str, &str)) -> String {
        let parts: Vec<String> = self
            .findings
            .iter()
            .filter(|f| self.verdict != Verdict::Fail || f.fails())
            .map(|f| f.text(rule, names))
            .collect();
        format!("{}: {}", self.verdict, parts.join("; "))
    }
}

/// How many reads in a row gave the same verdict, and since when. A read counts once per
/// newest complete minute: reading the same minute again confirms nothing new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streak {
    pub verdict: Verdict,
    /// Reads of distinct minutes that agree, this one included.
    pub reads: u32,
    /// When the first of them was read.
    pub since: At,
    /// The newest complete minute the last of them covered.
    pub minute: At,
}

impl Streak {
    /// The streak after a read of `minute` at `at` gave `verdict`.
    pub fn next(prev: Option<&Streak>, verdict: Verdict, minute: At, at: At) -> Streak {
        match prev {
            Some(s) if s.verdict == verdict => Streak {
                reads: if minute > s.minute {
                    s.reads + 1
                } else {
                    s.reads
                },
                minute: minute.max(s.minute),
                ..*s
            },
            _ => Streak {
                verdict,
                reads: 1,
                since: at,
                minute,
            },
        }
    }

    /// Whole minutes the verdict has held at `now`.
    pub fn held_minutes(&self, now: At) -> i64 {
        now.since(self.since) / Ms::MINUTE
    }
}

/// How long a canary has soaked against how long it should: `soaked 12/30 min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Soak {
    pub soaked_ms: Ms,
    /// None when neither the rule nor the deployment sets a soak.
    pub needed_ms: Option<Ms>,
}

impl Soak {
    pub fn new(since: At, needed_ms: Option<Ms>, now: At) -> Self {
        Self {
            soaked_ms: now.since(since),
            needed_ms: needed_ms.map(|n| n.max(Ms::ZERO)),
        }
    }

    /// Over when it soaked as long as it should (or nothing says how long).
    pub fn is_over(&self) -> bool {
        self.needed_ms.is_none_or(|n| self.soaked_ms >= n)
    }

    /// `soaked 12/30 min` while it soaks, `soak done (32 min ≥ 30)` once it is over, `soaked 5
    /// min (no soak set)` when nothing says how long. Whole minutes: the soaked ones rounded
    /// down, so a soak under way never reads as done.
    pub fn text(&self) -> String {
        let soaked = self.soaked_ms / Ms::MINUTE;
        match self.needed_ms {
            Some(n) if self.soaked_ms >= n => {
                format!("soak done ({soaked} min ≥ {})", n / Ms::MINUTE)
            }
            Some(n) => format!("soaked {soaked}/{} min", (n + Ms(59_999)) / Ms::MINUTE),
            None => format!("soaked {soaked} min (no soak set)"),
        }
    }
}

/// The soak `s` needs: the rule's, else the deployment's bake (a native deployment's
/// configured bake; a CodeDeploy canary's or linear step's minutes).
pub fn soak_needed(rule: &Rule, s: &Service) -> Option<Ms> {
    let minutes = rule.soak_minutes.or_else(|| {
        if let Some(n) = s.native.as_ref().filter(|n| n.status.is_moving()) {
            return n.bake_minutes;
        }
        let cd = s.codedeploy.as_ref().filter(|c| c.in_flight().is_some())?;
        match TrafficShape::of(&cd.group.config) {
            TrafficShape::Canary { minutes, .. } | TrafficShape::Linear { minutes, .. } => {
                Some(minutes)
            }
            TrafficShape::AllAtOnce | TrafficShape::Named => None,
        }
    })?;
    Some(Ms::mins(i64::from(minutes)))
}
