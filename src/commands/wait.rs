//! `deckwatch wait SERVICE`: follows one service's rollout from a script or a CI step, a line
//! on stdout per change, until it reaches the state asked for (exit 0), fails or rolls back
//! (1), or the timeout passes (3). A service that cannot be found is a bad argument (2);
//! credentials, permissions and AWS errors end it with 4. Throttling, 5xx answers and a lost
//! endpoint are retried with backoff, a few times in a row at most. While a rollout is in
//! flight, its verdict is read beside it (`wait_verdict`); `--until pass` waits for it.

use super::verdict::Clock;
use super::wait_judge::{
    Followed, Verdict, check_until, judge, line, rolled_back_already, state_key,
};
use super::wait_verdict::{self, Ends};
use super::{CommandError, Until, output, status};
use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::verdict::Rule;
use crate::model::{Service, history};
use crate::timing::now_ms;
use crate::workers::backoff::Backoff;
use std::time::Duration;

/// Failed reads in a row that end the wait with exit status 4.
pub const FAILURES_IN_A_ROW: u32 = 5;

/// What to wait for.
#[derive(Debug, Clone)]
pub struct Spec {
    pub service: String,
    pub until: Until,
    pub timeout: Duration,
    /// Between reads (the config's `poll.fast_secs`).
    pub every: Duration,
    /// The verdict's rule for this service (`[analysis]`).
    pub rule: Rule,
    /// What the lines' times and the load balancer's windows are read by.
    pub clock: Clock,
}

/// Follows the rollout, printing each change; Ok with the last line when the state is
/// reached.
pub async fn run(fleet: &dyn Fleet, spec: &Spec) -> Result<String, CommandError> {
    let mut say = |l: &str| output::print(&format!("{l}\n"));
    follow(fleet, spec, &mut say).await
}

/// `run`, writing its lines through `say`.
pub async fn follow(
    fleet: &dyn Fleet,
    spec: &Spec,
    say: &mut (dyn FnMut(&str) -> Result<(), CommandError> + Send),
) -> Result<String, CommandError> {
    let limit = crate::commands::duration::text(spec.timeout);
    let waited = tokio::time::timeout(
        spec.timeout,
        with_priority(Priority::Visible, watch(fleet, spec, say)),
    );
    match waited.await {
        Ok(r) => r,
        Err(_) => Err(CommandError::TimedOut(format!(
            "{}: not {} after {limit}",
            spec.service,
            until_word(spec.until)
        ))),
    }
}

fn until_word(u: Until) -> &'static str {
    match u {
        Until::Stable => "stable",
        Until::Hook => "at a hook",
        Until::Done => "done",
        Until::Pass => "judged PASS",
    }
}

async fn watch(
    fleet: &dyn Fleet,
    spec: &Spec,
    say: &mut (dyn FnMut(&str) -> Result<(), CommandError> + Send),
) -> Result<String, CommandError> {
    let now = || spec.clock.now();
    let (mut s, mut all) = read(fleet, &spec.service, None).await?;
    check_until(&s, spec.until)?;
    if let Some(why) = rolled_back_already(&s) {
        say(&line(&s, now()))?;
        return Err(CommandError::Failed(format!("{}: {why}", s.key())));
    }
    let mut followed = Followed::first(&s);
    let mut verdict = wait_verdict::Followed::default();
    let mut last_key = String::new();
    loop {
        if state_key(&s) != last_key {
            last_key = state_key(&s);
            say(&line(&s, now()))?;
        }
        if let Some(l) = verdict.step(fleet, &s, &all, &spec.rule, now()).await? {
            say(&l)?;
        }
        match judge(&s, spec.until, &followed) {
            // A rollout still judged is not over for `--until pass`.
            Verdict::Reached(_) if spec.until == Until::Pass && verdict.in_flight() => {}
            Verdict::Reached(what) => return Ok(format!("{}: {what}", s.key())),
            Verdict::Failed(why) => {
                return Err(CommandError::Failed(format!("{}: {why}", s.key())));
            }
            Verdict::Waiting => {}
        }
        match verdict.ends(&s, spec.until, &spec.rule, now()) {
            Some(Ends::Reached(what)) => return Ok(format!("{}: {what}", s.key())),
            Some(Ends::Failed(why)) => {
                return Err(CommandError::Failed(format!("{}: {why}", s.key())));
            }
            None => {}
        }
        // Nothing was rolling out when the wait began, and now something is: follow it.
        if followed.id.is_none() {
            followed = Followed::first(&s);
        }
        tokio::time::sleep(spec.every).await;
        (s, all) = read(fleet, &spec.service, Some(&s)).await?;
    }
}

/// The service, read again (with retries for what passes), its history carried from `prev`.
async fn read(
    fleet: &dyn Fleet,
    name: &str,
    prev: Option<&Service>,
) -> Result<(Service, Vec<Service>), CommandError> {
    let mut backoff = Backoff::new(now_ms().millis() as u64);
    let mut failures = 0;
    loop {
        match read_once(fleet, name, prev).await {
            Err(CommandError::Cloud(e)) if e.is_transient() && failures + 1 < FAILURES_IN_A_ROW => {
                failures += 1;
                eprintln!(
                    "deckwatch: {}; reading again",
                    crate::model::text::clean(&e.to_string())
                );
                tokio::time::sleep(backoff.next_delay()).await;
            }
            r => return r,
        }
    }
}

/// The service, and every service listed (a paired canary's partner, the alarms' links).
async fn read_once(
    fleet: &dyn Fleet,
    name: &str,
    prev: Option<&Service>,
) -> Result<(Service, Vec<Service>), CommandError> {
    let listing = fleet.services_listing(&|_, _, _| {}).await?;
    let found = status::find(&listing.items, name);
    let mut s = match (found, listing.failed) {
        (Ok(s), _) => s.clone(),
        // The cluster that holds it may be the one that could not be read.
        (Err(_), Some(failed)) => return Err(CommandError::Cloud(failed)),
        (Err(e), None) => return Err(e),
    };
    let mut all = vec![s.clone()];
    let known: Vec<Service> = prev.into_iter().cloned().collect();
    history::carry(&known, &mut all, &history::Listed::new(), now_ms());
    if let Some(carried) = all.pop() {
        s = carried;
    }
    let mut services = listing.items;
    if let Some(here) = services.iter_mut().find(|x| x.key() == s.key()) {
        *here = s.clone();
    }
    Ok((s, services))
}
