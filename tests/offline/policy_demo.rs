//! The armed policy on the demo, through the reducer, the evidence worker's fetch and the real
//! runner on tokio's paused clock: PASS held sends exactly one ContinueServiceDeployment with
//! the plan `P` makes, FAIL sends the abort, a key disarms it, read-only refuses it, and
//! without arming nothing acts.

use super::evidence_demo::Console;
use crossterm::event::KeyCode;
use deckwatch::model::Ms;
use deckwatch::model::verdict::{Policy, Rule};
use deckwatch::model::{AwsCall, ContextInfo, Mutation, Verb};
use deckwatch::state::Mode;
use deckwatch::workers::audit::Audit;
use deckwatch::workers::runner::execute;

fn policy(service: &str) -> Policy {
    Policy {
        service: service.into(),
        on_pass_continue: true,
        on_fail_abort: true,
    }
}

/// The console with `[[policy]]` for checkout and payments, on `service`'s rollout view.
async fn on(service: (&str, &str), read_only: bool) -> Console {
    let mut c = Console::new();
    c.state.ctx.read_only = read_only;
    c.state.analysis.policies = vec![policy("checkout"), policy("prod-core/payments")];
    c.poll().await;
    c.select(service.0, service.1);
    c.key(KeyCode::Enter);
    c
}

async fn arm(c: &mut Console) {
    c.palette("arm");
    assert!(matches!(c.state.mode, Mode::Arm(_)), "{:?}", c.state.flash);
    let screen = c.screen();
    assert!(
        screen.contains("on PASS: promote once PASS has held 5 min"),
        "{screen}"
    );
    assert!(
        screen.contains("acts only while this console runs"),
        "{screen}"
    );
    c.key(KeyCode::Char('y'));
    assert!(c.state.ctx.evidence.armed.is_some(), "{:?}", c.state.flash);
    let screen = c.screen();
    assert!(screen.contains("verdict  AUTO "), "{screen}");
}

/// Runs a second at a time until the reducer sent an action, for at most `secs`.
async fn until_run(c: &mut Console, secs: u64) -> bool {
    for _ in 0..secs {
        if !c.runs.is_empty() {
            return true;
        }
        c.run_for(1).await;
    }
    !c.runs.is_empty()
}

#[tokio::test(start_paused = true)]
async fn pass_held_sends_exactly_one_continue_through_the_runner() {
    let mut c = on(("prod-edge", "checkout"), false).await;
    arm(&mut c).await;
    assert!(until_run(&mut c, 600).await, "the policy promotes");
    let plan = c.runs[0].clone();
    assert_eq!(plan.verb, Verb::Promote);
    assert!(
        matches!(
            plan.mutation,
            Mutation::Aws(AwsCall::ContinueHook { proceed: true, .. })
        ),
        "{plan:?}"
    );
    assert_eq!(plan.actor.as_deref(), Some("policy"));
    assert!(
        c.state.ctx.evidence.armed.is_none(),
        "it acts once, then disarms"
    );
    // PASS held its 5 minutes and the soak was over when it acted.
    let k = deckwatch::state::rollout::verdict::kept_for(
        &c.state,
        c.state.ctx.rollout_service().unwrap(),
    )
    .unwrap();
    assert!(k.streak.held_minutes(c.state.now) >= 5, "{k:?}");
    // The runner re-reads, checks, audits and sends it, as it does a key's.
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let done = execute(&c.fleet, &audit, &plan, &ContextInfo::default()).await;
    assert!(done.is_ok(), "{done:?}");
    let records = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        records.contains("\"actor\":\"policy armed by "),
        "{records}"
    );
    c.run_for(120).await;
    assert_eq!(c.runs.len(), 1, "exactly one: {:?}", c.runs);
}

#[tokio::test(start_paused = true)]
async fn fail_sends_the_abort() {
    let mut c = on(("prod-core", "payments"), false).await;
    // One FAIL read is enough here: the bad deploy lasts less than a minute.
    let rule = Rule {
        fails_to_abort: 1,
        ..Rule::default()
    };
    c.state.analysis.services.insert("payments".into(), rule);
    c.run_until(120, "payments rolls out", |s| {
        s.ctx
            .rollout_service()
            .is_some_and(|p| p.rolling_in_progress().is_some())
    })
    .await;
    arm(&mut c).await;
    assert!(until_run(&mut c, 60).await, "the policy aborts");
    let plan = c.runs[0].clone();
    assert_eq!(plan.verb, Verb::Abort, "{plan:?}");
    assert_eq!(plan.actor.as_deref(), Some("policy"));
}

#[tokio::test(start_paused = true)]
async fn a_key_on_the_service_disarms_it() {
    let mut c = on(("prod-edge", "checkout"), false).await;
    arm(&mut c).await;
    c.run_for(5).await;
    c.key(KeyCode::Char('k'));
    assert!(c.state.ctx.evidence.armed.is_none());
    let flash = c.state.flash.clone().unwrap().0;
    assert!(flash.contains("the policy is disarmed"), "{flash}");
    assert!(!until_run(&mut c, 600).await, "disarmed, it does nothing");
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_to_arm() {
    let mut c = on(("prod-edge", "checkout"), true).await;
    c.palette("arm");
    assert_eq!(c.state.mode, Mode::Normal);
    assert!(c.state.ctx.evidence.armed.is_none());
    let flash = c.state.flash.clone().unwrap().0;
    assert!(flash.contains("read-only"), "{flash}");
}

#[tokio::test(start_paused = true)]
async fn unarmed_nothing_acts() {
    let mut c = on(("prod-edge", "checkout"), false).await;
    assert!(!until_run(&mut c, 600).await, "{:?}", c.runs);
}

#[tokio::test(start_paused = true)]
async fn armed_then_read_only_nothing_acts() {
    let mut c = on(("prod-edge", "checkout"), false).await;
    arm(&mut c).await;
    // The context turns read-only with the policy armed: it disarms and never acts.
    c.state.ctx.read_only = true;
    assert!(!until_run(&mut c, 600).await, "{:?}", c.runs);
    assert!(c.state.ctx.evidence.armed.is_none());
}

/// checkout's canary with a soak longer than PASS's 5 minutes: the policy waits for the soak
/// and promotes at its end, not before and not much after.
#[tokio::test(start_paused = true)]
async fn the_checkout_canary_is_promoted_at_the_end_of_its_soak() {
    let mut c = on(("prod-edge", "checkout"), false).await;
    let rule = Rule {
        soak_minutes: Some(10),
        ..Rule::default()
    };
    c.state.analysis.services.insert("checkout".into(), rule);
    arm(&mut c).await;
    let from = {
        let s = c.state.ctx.rollout_service().unwrap();
        c.state.ctx.sides_of(s).unwrap().canary.from
    };
    assert!(until_run(&mut c, 600).await, "the policy promotes");
    assert_eq!(c.runs[0].verb, Verb::Promote);
    let soaked = c.state.now - from;
    assert!(
        soaked >= Ms(10 * 60_000),
        "not before the soak's end: {soaked:?}"
    );
    assert!(
        soaked < Ms(11 * 60_000),
        "at its end, not a minute on: {soaked:?}"
    );
    let s = c.state.ctx.rollout_service().unwrap();
    let k = deckwatch::state::rollout::verdict::kept_for(&c.state, s).unwrap();
    assert!(
        k.streak.held_minutes(c.state.now) > 5,
        "PASS held past its 5 minutes, waiting for the soak: {k:?}"
    );
    let flash = c.state.flash.clone().unwrap().0;
    assert!(flash.contains("soak done (10 min ≥ 10)"), "{flash}");
}
