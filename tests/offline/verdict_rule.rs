//! The verdict's rule: examples of each verdict with the line it writes, and its properties:
//! monotone in the canary's error rate, never PASS below the minimum of requests, FAIL
//! whenever an alarm on the canary's side fires.

use deckwatch::model::evidence::AlbFigures;
use deckwatch::model::verdict::{Reads, Rule, Soak, Streak, Verdict, judge};
use deckwatch::model::{At, Ms};
use proptest::prelude::*;

fn alb(requests: f64, errors: f64, p99: Option<f64>) -> AlbFigures {
    AlbFigures {
        requests,
        errors_5xx: errors,
        p50_ms: None,
        p99_ms: p99,
        percentiles_error: None,
    }
}

fn reads<'a>(c: &'a AlbFigures, p: &'a AlbFigures, alarms: &'a [String]) -> Reads<'a> {
    Reads {
        figures: Some((c, p)),
        no_figures: None,
        canary_alarms: alarms,
    }
}

const NAMES: (&str, &str) = ("canary", "primary");

#[test]
fn a_worse_canary_fails_with_the_rule_written_out() {
    let rule = Rule::default();
    let (c, p) = (
        alb(412.0, 8.652, Some(840.0)),
        alb(9000.0, 18.0, Some(120.0)),
    );
    let j = judge(&rule, &reads(&c, &p, &[]));
    assert_eq!(j.verdict, Verdict::Fail);
    assert_eq!(
        j.text(&rule, NAMES),
        "FAIL: canary 5xx 2.1% > primary 0.2% × 2 + 0.5 pt over 412 requests; \
         p99 840 ms > 1.5 × 120 ms + 50 ms"
    );
}

#[test]
fn a_canary_within_the_limits_passes_and_says_every_figure() {
    let rule = Rule::default();
    let (c, p) = (alb(500.0, 1.0, Some(130.0)), alb(5000.0, 10.0, Some(120.0)));
    let j = judge(&rule, &reads(&c, &p, &[]));
    assert_eq!(j.verdict, Verdict::Pass);
    assert_eq!(
        j.text(&rule, NAMES),
        "PASS: canary 5xx 0.2% ≤ primary 0.2% × 2 + 0.5 pt over 500 requests; \
         p99 130 ms ≤ 1.5 × 120 ms + 50 ms"
    );
}

#[test]
fn too_little_traffic_is_inconclusive_with_the_count_it_needs() {
    let rule = Rule::default();
    let (c, p) = (alb(12.0, 0.0, Some(90.0)), alb(5000.0, 10.0, Some(120.0)));
    let j = judge(&rule, &reads(&c, &p, &[]));
    assert_eq!(j.verdict, Verdict::Inconclusive);
    assert_eq!(
        j.text(&rule, NAMES),
        "INCONCLUSIVE: canary has 12 of the 100 requests it needs"
    );
}

#[test]
fn a_canary_alarm_fails_it_even_without_figures() {
    let rule = Rule::default();
    let alarms = vec!["checkout-canary-5xx".to_string()];
    let j = judge(
        &rule,
        &Reads {
            figures: None,
            no_figures: Some("the load balancer cannot tell them apart"),
            canary_alarms: &alarms,
        },
    );
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(
        j.text(&rule, NAMES) == "FAIL: canary alarm checkout-canary-5xx in ALARM",
        "{}",
        j.text(&rule, NAMES)
    );
    let none = judge(
        &rule,
        &Reads {
            figures: None,
            no_figures: None,
            canary_alarms: &[],
        },
    );
    assert_eq!(none.verdict, Verdict::Inconclusive);
}

#[test]
fn a_streak_counts_each_minute_once_and_starts_again_on_a_change() {
    let s = Streak::next(None, Verdict::Fail, At(60_000), At(75_000));
    assert_eq!(s.reads, 1);
    // The same minute read again 15 s later confirms nothing new.
    let s = Streak::next(Some(&s), Verdict::Fail, At(60_000), At(90_000));
    assert_eq!(s.reads, 1);
    let s = Streak::next(Some(&s), Verdict::Fail, At(120_000), At(135_000));
    assert_eq!((s.reads, s.since), (2, At(75_000)));
    let s = Streak::next(Some(&s), Verdict::Pass, At(180_000), At(195_000));
    assert_eq!(
        (s.verdict, s.reads, s.since),
        (Verdict::Pass, 1, At(195_000))
    );
    assert_eq!(s.held_minutes(At(195_000 + 5 * 60_000 + 1)), 5);
}

#[test]
fn the_soak_reads_in_whole_minutes() {
    let s = Soak::new(At(0), Some(Ms(30 * 60_000)), At(12 * 60_000 + 30_000));
    assert_eq!(s.text(), "soaked 12/30 min");
    assert!(!s.is_over());
    assert!(Soak::new(At(0), Some(Ms(60_000)), At(60_000)).is_over());
    // Every stage reads as what it is: under way, just over, long over.
    let stages: Vec<String> = [
        0,
        59_999,
        29 * 60_000 + 59_999,
        30 * 60_000,
        32 * 60_000 + 5,
    ]
    .into_iter()
    .map(|at| Soak::new(At(0), Some(Ms(30 * 60_000)), At(at)).text())
    .collect();
    assert_eq!(
        stages,
        [
            "soaked 0/30 min",
            "soaked 0/30 min",
            "soaked 29/30 min",
            "soak done (30 min ≥ 30)",
            "soak done (32 min ≥ 30)",
        ]
    );
    // A soak that is over never reads as still under way, nor the other way round.
    for at in (0..180_000).step_by(5_000) {
        let k = Soak::new(At(0), Some(Ms(120_000)), At(at));
        assert_eq!(
            k.text().starts_with("soak done"),
            k.is_over(),
            "{at}: {}",
            k.text()
        );
    }
    let unset = Soak::new(At(0), None, At(5 * 60_000));
    assert_eq!(unset.text(), "soaked 5 min (no soak set)");
    assert!(unset.is_over(), "nothing to wait for");
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        1u32..500,
        1.0f64..4.0,
        0.0f64..2.0,
        1.0f64..3.0,
        0.0f64..200.0,
    )
        .prop_map(
            |(min_requests, error_ratio, error_points, p99_ratio, p99_slack_ms)| Rule {
                min_requests,
                error_ratio,
                error_points,
                p99_ratio,
                p99_slack_ms,
                ..Rule::default()
            },
        )
}

fn figures() -> impl Strategy<Value = AlbFigures> {
    (
        0.0f64..20_000.0,
        0.0f64..1.0,
        prop::option::of(1.0f64..5_000.0),
    )
        .prop_map(|(requests, share, p99)| alb(requests.floor(), (requests * share).floor(), p99))
}

proptest! {
    #[test]
    fn more_canary_errors_never_judge_better(
        rule in rule(), c in figures(), p in figures(), extra in 0.0f64..1.0
    ) {
        let mut worse = c.clone();
        worse.errors_5xx = (c.errors_5xx + (c.requests - c.errors_5xx) * extra).floor();
        let before = judge(&rule, &reads(&c, &p, &[])).verdict;
        let after = judge(&rule, &reads(&worse, &p, &[])).verdict;
        prop_assert!(after >= before, "{before} became {after}");
    }

    #[test]
    fn never_pass_below_the_minimum_of_requests(rule in rule(), c in figures(), p in figures()) {
        let j = judge(&rule, &reads(&c, &p, &[]));
        let min = f64::from(rule.min_requests);
        if c.requests < min || p.requests < min {
            prop_assert_ne!(j.verdict, Verdict::Pass);
        }
    }

    #[test]
    fn a_firing_canary_alarm_always_fails(
        rule in rule(), c in figures(), p in figures(), name in "[a-z-]{1,20}"
    ) {
        let alarms = vec![name];
        prop_assert_eq!(judge(&rule, &reads(&c, &p, &alarms)).verdict, Verdict::Fail);
    }
}
