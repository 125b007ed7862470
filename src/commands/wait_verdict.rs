//! The verdict `wait` follows beside the rollout: read at most every `EVERY` while a rollout
//! is in flight, a line when it changes, and with `--until pass` the end of the wait once PASS
//! has held as long as an armed policy would wait, or FAIL came in as many reads in a row as
//! it would abort after.

use super::verdict::{self, Judgement, Known};
use super::{CommandError, Until};
use crate::cloud::Fleet;
use crate::model::verdict::{Rule, Streak, Verdict};
use crate::model::{At, ErrorKind, Ms, Service, link_alarms};

/// How often the load balancer is read while a rollout is in flight: its figures are per
/// minute, so more often shows nothing new.
pub const EVERY: Ms = Ms::secs(15);

/// What the wait knows of the verdict.
#[derive(Debug, Default)]
pub struct Followed {
    /// The last read, while a rollout is in flight (None: none is, or not read yet).
    pub last: Option<Judgement>,
    /// The last verdict of a rollout that was in flight, kept once it ended.
    judged: Option<Judgement>,
    pub streak: Option<Streak>,
    read_at: Option<At>,
}

/// How the verdict ends the wait, when it does.
pub enum Ends {
    Reached(String),
    Failed(String),
}

impl Followed {
    /// Reads the verdict again when `EVERY` has passed; the line to print when it changed.
    pub async fn step(
        &mut self,
        fleet: &dyn Fleet,
        s: &Service,
        all: &[Service],
        rule: &Rule,
        now: At,
    ) -> Result<Option<String>, CommandError> {
        if self.read_at.is_some_and(|at| now - at < EVERY) {
            return Ok(None);
        }
        self.read_at = Some(now);
        let alarms = match fleet.alarms_listing().await {
            Ok(l) => l.items,
            Err(e) if e.kind == ErrorKind::Credentials => return Err(e.into()),
            Err(e) => {
                let e = crate::model::text::clean(&e.to_string());
                eprintln!("deckwatch: alarms not read, judged without them: {e}");
                Vec::new()
            }
        };
        let links = link_alarms(all, &alarms);
        let known = Known {
            services: all,
            alarms: &alarms,
            links: &links,
        };
        let Some(j) = verdict::read(fleet, s, known, rule, now).await else {
            self.judged = self.last.take().or(self.judged.take());
            self.streak = None;
            return Ok(None);
        };
        let before = self.streak;
        let streak = Streak::next(before.as_ref(), j.judged.verdict, j.minute(), now);
        self.streak = Some(streak);
        let changed = before.is_none_or(|b| (b.verdict, b.reads) != (streak.verdict, streak.reads));
        let line = changed.then(|| {
            let reads = match streak.reads {
                1 => String::new(),
                n => format!(" ({n} reads agree)"),
            };
            format!(
                "{} {}  verdict {}{reads}",
                crate::ui::format::clock(now),
                s.key(),
                verdict::text(&j)
            )
        });
        self.last = Some(j);
        Ok(line)
    }

    /// Whether a rollout is in flight, as the last read found.
    pub fn in_flight(&self) -> bool {
        self.last.is_some()
    }

    /// With `--until pass`: PASS held `pass_minutes`, or FAIL in `fails_to_abort` reads; or
    /// the rollout judged ended before either (rolled back or last judged FAIL: failed).
    pub fn ends(&self, s: &Service, until: Until, rule: &Rule, now: At) -> Option<Ends> {
        if until != Until::Pass {
            return None;
        }
        if let Some(j) = self.judged.as_ref().filter(|_| self.last.is_none()) {
            let last = format!("its last verdict {}", j.text);
            return Some(match super::wait_judge::rolled_back_already(s) {
                Some(why) => Ends::Failed(format!("{why}; {last}")),
                None if j.judged.verdict == Verdict::Fail => {
                    Ends::Failed(format!("the rollout ended before PASS; {last}"))
                }
                None => Ends::Reached(format!(
                    "the rollout ended ({}) before PASS held; {last}",
                    super::status_view::rollout_text(s)
                )),
            });
        }
        let (j, streak) = (self.last.as_ref()?, self.streak?);
        match streak.verdict {
            Verdict::Fail if streak.reads >= rule.fails_to_abort => Some(Ends::Failed(format!(
                "{} read(s) in a row: {}",
                streak.reads, j.text
            ))),
            Verdict::Pass if streak.held_minutes(now) >= i64::from(rule.pass_minutes) => {
                Some(Ends::Reached(format!(
                    "PASS held {} min: {}",
                    streak.held_minutes(now),
                    j.text
                )))
            }
            _ => None,
        }
    }
}
