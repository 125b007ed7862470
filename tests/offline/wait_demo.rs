//! `wait`'s loop on the demo fleet over tokio's paused clock: payments' bad deployment is
//! followed to the circuit breaker's rollback (failed), web's good one to stable (reached),
//! and checkout's canary, left at its PAUSE hook, to the auto-rollback when the hook's time
//! runs out (failed). No real time passes; nothing asserts a time.

use crate::support::testkit::EPOCH;
use deckwatch::commands::wait::{Spec, follow};
use deckwatch::commands::{CommandError, Until};
use deckwatch::demo::SimFleet;
use deckwatch::demo::scenario::{BAD_DEPLOY_AT_S, GOOD_DEPLOY_AT_S};
use std::time::Duration;

fn spec(service: &str, until: Until) -> Spec {
    Spec {
        service: service.into(),
        until,
        timeout: Duration::from_secs(30 * 60),
        every: Duration::from_secs(2),
    }
}

/// Runs the loop, keeping its lines.
async fn wait(fleet: &SimFleet, spec: &Spec) -> (Result<String, CommandError>, Vec<String>) {
    let mut lines = Vec::new();
    let mut say = |l: &str| {
        lines.push(l.to_string());
        Ok(())
    };
    let r = follow(fleet, spec, &mut say).await;
    (r, lines)
}

#[tokio::test(start_paused = true)]
async fn a_bad_rolling_deployment_ends_the_wait_as_failed() {
    let fleet = SimFleet::new(EPOCH);
    tokio::time::advance(Duration::from_secs(BAD_DEPLOY_AT_S as u64 + 5)).await;
    let (r, lines) = wait(&fleet, &spec("payments", Until::Stable)).await;
    let Err(CommandError::Failed(why)) = r else {
        panic!("{r:?} after {lines:#?}");
    };
    assert!(
        why.starts_with("prod-core/payments: payments:43 FAILED"),
        "{why}"
    );
    assert!(why.contains("circuit breaker"), "{why}");
    assert!(lines[0].contains("IN_PROGRESS"), "{lines:#?}");
    assert!(lines.len() > 2, "a line per change: {lines:#?}");
    // One line per change, not per read: no two lines in a row say the same.
    let states: Vec<&str> = lines.iter().map(|l| &l[9..]).collect();
    assert!(states.windows(2).all(|w| w[0] != w[1]), "{lines:#?}");
}

#[tokio::test(start_paused = true)]
async fn a_good_rolling_deployment_is_followed_to_stable_and_to_done() {
    for until in [Until::Stable, Until::Done] {
        let fleet = SimFleet::new(EPOCH);
        tokio::time::advance(Duration::from_secs(GOOD_DEPLOY_AT_S as u64 + 3)).await;
        let (r, lines) = wait(&fleet, &spec("prod-core/web", until)).await;
        let done = r.unwrap_or_else(|e| panic!("{e} after {lines:#?}"));
        let want = match until {
            Until::Stable => "prod-core/web: stable on web:88",
            _ => "prod-core/web: web:88 COMPLETED",
        };
        assert_eq!(done, want);
        assert!(lines[0].contains("IN_PROGRESS"), "{lines:#?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_canary_left_at_its_hook_rolls_back_when_the_hook_times_out() {
    let fleet = SimFleet::new(EPOCH);
    let (r, lines) = wait(&fleet, &spec("checkout", Until::Stable)).await;
    let Err(CommandError::Failed(why)) = r else {
        panic!("{r:?} after {lines:#?}");
    };
    assert!(why.contains("rolled back"), "{why}");
    assert!(
        lines[0].contains("hook manual-promote-gate: auto-rollback in"),
        "{lines:#?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_its_timeout_says_so() {
    let fleet = SimFleet::new(EPOCH);
    let mut s = spec("checkout", Until::Done);
    s.timeout = Duration::from_secs(60);
    let (r, _) = wait(&fleet, &s).await;
    let Err(e @ CommandError::TimedOut(_)) = r else {
        panic!("{r:?}");
    };
    assert_eq!(e.code(), 3);
    assert_eq!(e.to_string(), "checkout: not done after 1m");
}
