//! `wait`'s loop on the demo fleet over tokio's paused clock: payments' bad deployment is
//! followed to the circuit breaker's rollback (failed), web's good one to stable (reached),
//! and checkout's canary, left at its PAUSE hook, to the auto-rollback when the hook's time
//! runs out (failed). No real time passes; nothing asserts a time.

use crate::support::testkit::EPOCH;
use deckwatch::commands::verdict::Clock;
use deckwatch::commands::wait::{Spec, follow};
use deckwatch::commands::{CommandError, Until};
use deckwatch::demo::SimFleet;
use deckwatch::demo::scenario::{BAD_DEPLOY_AT_S, GOOD_DEPLOY_AT_S};
use deckwatch::model::verdict::Rule;
use std::time::Duration;

fn spec(service: &str, until: Until) -> Spec {
    Spec {
        service: service.into(),
        until,
        timeout: Duration::from_secs(30 * 60),
        every: Duration::from_secs(2),
        rule: Rule::default(),
        clock: Clock::from(EPOCH),
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

/// `wait` on the demo with `--until pass`: checkout's healthy canary is judged PASS and held as
/// long as an armed policy would wait; the verdict lines say the rule and the reads.
#[tokio::test(start_paused = true)]
async fn until_pass_waits_for_the_canary_s_pass_to_hold() {
    let fleet = SimFleet::new(EPOCH);
    let (r, lines) = wait(&fleet, &spec("checkout", Until::Pass)).await;
    let done = r.unwrap_or_else(|e| panic!("{e} after {lines:#?}"));
    assert!(
        done.starts_with("prod-edge/checkout: PASS held 5 min: PASS: canary 5xx "),
        "{done}"
    );
    let verdicts: Vec<&String> = lines.iter().filter(|l| l.contains("  verdict ")).collect();
    assert!(
        verdicts
            .iter()
            .any(|l| l.contains("verdict PASS: canary 5xx")),
        "{lines:#?}"
    );
    assert!(
        verdicts.iter().any(|l| l.contains("reads agree")),
        "{lines:#?}"
    );
    // Before the PASS: too few requests said with the count needed, or no minute yet.
    assert!(
        !verdicts[0].contains("verdict PASS") || verdicts.len() > 1,
        "{lines:#?}"
    );
}

/// payments' bad deploy: FAIL read as soon as its errors show (one FAIL read is the rule
/// here, as the deploy lasts about a minute), and the wait exits 1 saying why.
#[tokio::test(start_paused = true)]
async fn until_pass_on_the_bad_deploy_ends_on_fail() {
    let fleet = SimFleet::new(EPOCH);
    tokio::time::advance(Duration::from_secs(BAD_DEPLOY_AT_S as u64 + 1)).await;
    let mut s = spec("payments", Until::Pass);
    s.rule.fails_to_abort = 1;
    let (r, lines) = wait(&fleet, &s).await;
    let Err(e @ CommandError::Failed(_)) = r else {
        panic!("{r:?} after {lines:#?}");
    };
    assert_eq!(e.code(), 1);
    let why = e.to_string();
    assert!(
        why.starts_with("prod-core/payments: 1 read(s) in a row: FAIL: "),
        "{why}"
    );
    assert!(why.contains("new 5xx") || why.contains("alarm"), "{why}");
    assert!(
        lines.iter().any(|l| l.contains("verdict FAIL: ")),
        "{lines:#?}"
    );
}

/// The default rule asks for three FAIL reads in a row: the bad deploy is rolled back by its
/// circuit breaker first, which ends the wait as failed too (exit 1), with the last verdict.
/// The wait begins before the deploy, on the steady service.
#[tokio::test(start_paused = true)]
async fn until_pass_on_the_bad_deploy_ends_failed_either_way() {
    let fleet = SimFleet::new(EPOCH);
    let (r, lines) = wait(&fleet, &spec("payments", Until::Pass)).await;
    let Err(e @ CommandError::Failed(_)) = r else {
        panic!("{r:?} after {lines:#?}");
    };
    assert_eq!(e.code(), 1, "{e}");
    let why = e.to_string();
    assert!(why.contains("rolled back"), "{why}");
    assert!(why.contains("its last verdict FAIL: "), "{why}");
}
