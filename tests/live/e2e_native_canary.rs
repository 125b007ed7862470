//! The real binary in a PTY, answering a native CANARY deployment's PAUSE hook on the AWS path:
//! moto (a server of the test's own) behind the ECS-deployments shim, which serves the
//! service-deployment APIs moto lacks. No `--cluster` flag, so the console starts as a user's
//! does, with ListClusters; the shipped defaults otherwise (standard retries, CPU and memory
//! from the metrics worker).
//!
//! Each test starts its own moto: without `--cluster` the console lists every cluster of the
//! account, and on the shared moto that would be every other test's too.

use crate::support::shim::seeded::{self, Canary};
use crate::support::{moto, pty};
use moto::OwnMoto;
use pty::Console;
use serde_json::json;

struct Run {
    canary: Canary,
    console: Console,
    /// The shim's clock just before the console started.
    spawned_at: f64,
    _moto: OwnMoto,
}

impl Run {
    /// Seeds a canary in a moto of its own and opens the console on it, in the rollout view of
    /// the canary's service.
    async fn start(prefix: &str, name_current: bool) -> Self {
        // Only to insist on the script, which also installs the moto this test starts.
        let _shared = moto::url();
        let server = OwnMoto::start(moto::free_port());
        let canary = Canary::new(&server.url(), prefix, name_current).await;
        let url = canary.shim.url();
        let env = [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        let args = ["--endpoint-url", url.as_str(), "--region", moto::REGION];
        let spawned_at = canary.shim.now();
        let console = Console::spawn(&args, &env);
        let run = Self {
            canary,
            console,
            spawned_at,
            _moto: server,
        };
        // ListClusters found the test's cluster (no --cluster is given): its service is listed.
        // (The header's cluster list gives way to `polling` at this width.)
        run.console.wait_for("storefront");
        run.console.wait_for("‖ PAUSED");
        run
    }

    fn open_rollout_view(&mut self) {
        self.console.send("\r");
        self.console.wait_for("stage PRE_PRODUCTION_TRAFFIC_SHIFT");
    }

    fn what(&self) -> String {
        format!("{}/{}", self.canary.cluster, self.canary.service)
    }

    fn quit(mut self) {
        self.console.send("q");
        assert!(self.console.wait_exit().success());
    }
}

/// The seconds of the first `auto-rollback in 29m58s` (or `1h02m05s`, `45s`) on the screen.
fn countdown_secs(screen: &str) -> i64 {
    let at = screen.find("auto-rollback in ").expect("a countdown") + "auto-rollback in ".len();
    let text: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, 'h' | 'm' | 's'))
        .collect();
    let mut secs = 0;
    let mut n = 0;
    for c in text.chars() {
        match c {
            'h' => (secs, n) = (secs + n * 3600, 0),
            'm' => (secs, n) = (secs + n * 60, 0),
            's' => (secs, n) = (secs + n, 0),
            d => n = n * 10 + i64::from(d.to_digit(10).expect("a digit")),
        }
    }
    assert!(text.ends_with('s'), "a countdown in words: {text}");
    secs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_answers_the_hook_and_the_rollout_runs_to_successful() {
    let mut run = Run::start("e2e-promote", true).await;
    run.open_rollout_view();
    let c = &run.console;
    let hook = run.canary.waiting_hook();
    let expires = run.canary.shim.deployment(&run.canary.deployment).hooks[0].expires_at;

    // Stage, weights and countdown, from what the shim answered.
    c.wait_for("CANARY IN_PROGRESS stage PRE_PRODUCTION_TRAFFIC_SHIFT canary 10%");
    c.wait_for("tasks 4  prod 0%  test 100%");
    c.wait_for("tasks 4  prod 100%  test 0%");
    c.wait_for(&format!(
        "‖ hook {hook} at PRE_PRODUCTION_TRAFFIC_SHIFT auto-rollback in "
    ));
    let shown = countdown_secs(&c.screen());
    let read_at = run.canary.shim.now();
    // The console's clock lies between its start and this read, and it rounds up.
    let (low, high) = (
        (expires - read_at) as i64 - 2,
        (expires - run.spawned_at) as i64 + 1,
    );
    assert!(
        (low..=high).contains(&shown),
        "countdown {shown}s, expected {low}..={high}s"
    );

    run.console.send("P");
    run.console.wait_for(&format!("promote {}?", run.what()));
    assert!(
        run.console.screen().contains("action=CONTINUE"),
        "{}",
        run.console.screen()
    );
    // At the first hook the canary has not soaked its bake: the dialog asks for `early`.
    run.console.wait_for("· type early and Enter to confirm");
    assert!(run.console.confirm(), "a promote before the soak is early");
    let shim = &run.canary.shim;
    run.console.eventually("ContinueServiceDeployment", || {
        !shim.calls_of("ContinueServiceDeployment").is_empty()
    });
    assert_eq!(
        shim.calls_of("ContinueServiceDeployment"),
        vec![json!({
            "serviceDeploymentArn": run.canary.deployment,
            "hookId": hook,
            "action": "CONTINUE"
        })]
    );
    // The view moves on: the canary's share of production traffic, and its bake.
    let c = &run.console;
    c.wait_for("stage PRODUCTION_TRAFFIC_SHIFT");
    c.wait_for("tasks 4  prod 10%  test 100%");
    c.wait_for("10% on target  bake ");

    // The bake ends; ECS pauses before the rest of the traffic, at a new hook.
    shim.skip((seeded::CANARY_BAKE_MINUTES * 60) as f64);
    let second = run.canary.waiting_hook();
    c.wait_for(&format!("‖ hook {second} at PRE_PRODUCTION_TRAFFIC_SHIFT"));
    run.console.send("P");
    run.console.wait_for(&format!("hookId={second}"));
    run.console.confirm();
    run.console
        .eventually("the second ContinueServiceDeployment", || {
            shim.calls_of("ContinueServiceDeployment").len() == 2
        });
    assert_eq!(
        shim.calls_of("ContinueServiceDeployment")[1]["hookId"],
        json!(second)
    );
    run.console.wait_for("100% on target");
    shim.skip((seeded::BAKE_MINUTES * 60) as f64 + 60.0);
    run.console.wait_for("CANARY SUCCESSFUL");

    // The console's first calls were the default start: every cluster of the region.
    let ops: Vec<String> = shim.calls().into_iter().map(|c| c.operation).collect();
    assert!(ops.contains(&"ListClusters".to_string()), "{ops:?}");
    // ECS named the current deployment, so it was never looked up: the only listings are the
    // rollout view's deployment history (which asks for a page of its size).
    let listings = shim.calls_of("ListServiceDeployments");
    assert!(
        listings.iter().all(|b| b.get("maxResults").is_some()),
        "{listings:?}"
    );
    run.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_answers_the_hook_with_rollback() {
    // The service does not name its deployment: the console lists it.
    let mut run = Run::start("e2e-abort", false).await;
    run.open_rollout_view();
    let hook = run.canary.waiting_hook();
    run.console.send("A");
    run.console.wait_for(&format!("abort {}?", run.what()));
    assert!(
        run.console.screen().contains("action=ROLLBACK"),
        "{}",
        run.console.screen()
    );
    run.console.send("y");
    let shim = &run.canary.shim;
    run.console.eventually("ContinueServiceDeployment", || {
        !shim.calls_of("ContinueServiceDeployment").is_empty()
    });
    assert_eq!(
        shim.calls_of("ContinueServiceDeployment"),
        vec![json!({
            "serviceDeploymentArn": run.canary.deployment,
            "hookId": hook,
            "action": "ROLLBACK"
        })]
    );
    run.console.wait_for("CANARY ROLLBACK_IN_PROGRESS");
    run.console
        .wait_for(&format!("rollback: Rolled back at lifecycle hook {hook}"));
    shim.skip(60.0);
    run.console.wait_for("CANARY ROLLBACK_SUCCESSFUL");
    assert!(!shim.calls_of("ListServiceDeployments").is_empty());
    run.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_that_expired_while_the_dialog_was_open_is_refused_at_the_re_check() {
    let mut run = Run::start("e2e-expired", true).await;
    run.open_rollout_view();
    run.console.send("P");
    run.console.wait_for(&format!("promote {}?", run.what()));
    // The dialog stays open past the hook's expiry; ECS rolls the deployment back.
    run.canary
        .shim
        .skip((seeded::HOOK_MINUTES * 60) as f64 + 1.0);
    run.console.confirm();
    run.console
        .wait_for("refused, the service changed since the dialog opened");
    run.console.wait_for("TIMED_OUT");
    run.console.wait_for("CANARY ROLLBACK_IN_PROGRESS");
    assert!(
        run.canary
            .shim
            .calls_of("ContinueServiceDeployment")
            .is_empty(),
        "nothing was sent"
    );
    // The refusal is on record in the console's audit log.
    let audit = run.console.home().join("data/deckwatch/audit.jsonl");
    let text = std::fs::read_to_string(&audit).expect("the audit log");
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit json"))
        .collect();
    assert_eq!(records.len(), 1, "{text}");
    assert_eq!(records[0]["phase"], "refused", "{text}");
    run.quit();
}
