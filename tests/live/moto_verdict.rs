//! The verdict and the armed policy against moto: load-balancer figures written live for both
//! target groups of a paired canary (`PutMetricData`), read back through the evidence worker's
//! fetch and the real CloudWatch client, judged FAIL in the reducer; the policy armed for the
//! rollout sends the abort the `A` key would, and the real runner carries it out on moto's ECS
//! and ELB.
//!
//! Run with `scripts/moto.sh cargo test --test live moto_verdict`.
//!
//! moto answers percentile statistics with an HTTP 500, so the verdict here rests on the 5xx
//! rate and says `p99 not read`. A paired canary's window starts when its service was created
//! (now, in moto), so the read is made as of two minutes on, when the minute written is
//! complete.

use super::moto_evidence::put_alb;
use super::moto_paired::{Pair, Routing, context};
use crate::support::moto;
use crate::support::testkit::{Feed, StateBuilder};
use deckwatch::cloud::Fleet;
use deckwatch::model::verdict::{Policy, Rule, Verdict};
use deckwatch::model::{At, Ms};
use deckwatch::model::{AwsCall, Mutation, Verb};
use deckwatch::state::rollout::evidence::request;
use deckwatch::state::rollout::policy::{Armed, rollout_of};
use deckwatch::state::rollout::verdict::kept_for;
use deckwatch::state::{Effect, Msg, update};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::evidence::fetch_once;
use deckwatch::workers::runner::execute;

/// The pair, its fleet, and the minute whose figures were written: 900 requests and 2 5xx
/// (0.2%) on the primary, 200 and 8 (4%) on the canary.
async fn failing_pair() -> (Pair, deckwatch::cloud::aws::AwsFleet, At) {
    let pair = Pair::new(Routing::DefaultRule).await;
    let fleet = moto::fleet(&moto::url(), &[&pair.cluster], Vec::new()).await;
    let now = deckwatch::timing::now_ms();
    let minute = now.floor(Ms::MINUTE);
    let (seed, lb) = (&pair.seed, &pair.lb);
    put_alb(
        seed,
        lb,
        &pair.tg_primary,
        "RequestCount",
        &[(minute.millis(), 900.0)],
    )
    .await;
    put_alb(
        seed,
        lb,
        &pair.tg_primary,
        "HTTPCode_Target_5XX_Count",
        &[(minute.millis(), 2.0)],
    )
    .await;
    put_alb(
        seed,
        lb,
        &pair.tg_canary,
        "RequestCount",
        &[(minute.millis(), 200.0)],
    )
    .await;
    put_alb(
        seed,
        lb,
        &pair.tg_canary,
        "HTTPCode_Target_5XX_Count",
        &[(minute.millis(), 8.0)],
    )
    .await;

    (pair, fleet, minute)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_figures_fail_the_canary_and_the_armed_policy_aborts_through_the_runner() {
    let (pair, fleet, minute) = failing_pair().await;
    let now = deckwatch::timing::now_ms();
    let mut state = StateBuilder::demo(now).fleet_context().build();
    let mut feed = Feed::default();
    let services = fleet.services().await.expect("services");
    let at = minute + Ms::mins(2);
    feed.services(&mut state, services, at);
    let _ = update(&mut state, Msg::Tick(at));
    // One FAIL read is enough here; the default asks for three minutes of them.
    let rule = Rule {
        fails_to_abort: 1,
        ..Rule::default()
    };
    state.analysis.services.insert("search-canary".into(), rule);
    state.analysis.policies = vec![Policy {
        service: "search-canary".into(),
        on_pass_continue: true,
        on_fail_abort: true,
    }];
    let canary = state
        .ctx
        .services
        .items
        .iter()
        .find(|s| s.name == "search-canary")
        .expect("the canary service")
        .clone();
    // Armed as `:arm` and `y` arm it (the dialog is tested in offline::policy_demo).
    state.ctx.evidence.armed = Some(Armed {
        service: canary.key(),
        rollout: rollout_of(&state, &canary).expect("a rollout in flight"),
        policy: state.analysis.policies[0].clone(),
    });

    // The worker reads what the armed policy needs, though no view is open.
    let r = request(&state);
    assert!(r.sides.is_some(), "{r:?}");
    for f in fetch_once(&fleet, &r, at).await.fetched {
        let _ = update(&mut state, Msg::Evidence(Box::new(f)));
    }
    let k = kept_for(&state, &canary).expect("a verdict");
    assert_eq!(k.judged.verdict, Verdict::Fail, "{k:?}");
    let text = k.judged.text(&rule, ("canary", "primary"));
    assert!(
        text.starts_with("FAIL: canary 5xx 4.0% > primary 0.2% × 2 + 0.5 pt over 200 requests"),
        "{text}"
    );

    // The next tick: the policy sends the abort `A` would, once.
    let runs: Vec<_> = update(&mut state, Msg::Tick(at + Ms(1_000)))
        .into_iter()
        .filter_map(|e| match e {
            Effect::Run(plan, ..) => Some(*plan),
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let plan = &runs[0];
    assert_eq!(plan.verb, Verb::Abort);
    assert!(
        matches!(plan.mutation, Mutation::Aws(AwsCall::SetWeights { .. })),
        "{plan:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit::new(Some(dir.path().join("audit.jsonl")));
    let done = execute(&fleet, &audit, plan, &context()).await;
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(pair.weights_in_moto().await, pair.expected(100, 0));
    assert_eq!(pair.in_moto("search-canary").await.desired_count(), 0);
    let records = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        records.contains("\"actor\":\"policy armed by "),
        "{records}"
    );
    assert!(
        update(&mut state, Msg::Tick(at + Ms(2_000)))
            .iter()
            .all(|e| !matches!(e, Effect::Run(..))),
        "it acted once"
    );
}

/// `deckwatch status` and `wait --until pass` judge the same live figures through the same
/// backend: FAIL with the rule and the samples, in the text and the JSON; the wait exits 1.
/// Read as of two minutes on, when the minute written is complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_wait_judge_the_live_figures_fail() {
    use deckwatch::commands::verdict::Clock;
    use deckwatch::commands::{CommandError, Until, status, status_view, wait};
    use deckwatch::model::verdict::Analysis;
    let (_pair, fleet, minute) = failing_pair().await;
    let at = minute + Ms::mins(2);
    let mut snap = status::read(&fleet, None).await.expect("status reads moto");
    status::judge(&fleet, &mut snap, &Analysis::default(), at).await;
    let text = status_view::text(&snap);
    let line = text
        .lines()
        .find(|l| l.contains("/search-canary  FAIL: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("FAIL: canary 5xx 4.0% > primary 0.2% × 2 + 0.5 pt over 200 requests"),
        "{line}"
    );
    let doc: serde_json::Value = serde_json::from_str(&status_view::json(&snap)).unwrap();
    let canary = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "search-canary")
        .unwrap();
    let v = &canary["verdict"];
    assert_eq!(v["verdict"], "FAIL", "{v}");
    assert_eq!(v["canary_requests"], 200.0, "{v}");
    assert_eq!(v["primary_requests"], 900.0, "{v}");

    let spec = wait::Spec {
        service: "search-canary".into(),
        until: Until::Pass,
        timeout: std::time::Duration::from_secs(60),
        every: std::time::Duration::from_secs(1),
        rule: Rule {
            fails_to_abort: 1,
            ..Rule::default()
        },
        clock: Clock::from(at),
    };
    let mut lines = Vec::new();
    let mut say = |l: &str| {
        lines.push(l.to_string());
        Ok(())
    };
    let r = wait::follow(&fleet, &spec, &mut say).await;
    let Err(e @ CommandError::Failed(_)) = r else {
        panic!("{r:?} after {lines:#?}");
    };
    assert_eq!(e.code(), 1);
    assert!(e.to_string().contains("FAIL: canary 5xx 4.0%"), "{e}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("verdict FAIL: canary 5xx 4.0%")),
        "{lines:#?}"
    );
}
