//! The real binary in a PTY, on native LINEAR and BLUE_GREEN deployments (the shim serves
//! the service-deployment APIs moto lacks): a LINEAR deployment promoted step by step, each
//! step its own PAUSE hook and its own ContinueServiceDeployment; a BLUE_GREEN deployment
//! aborted while only its test traffic is on the new revision. Each test starts its own moto.

use crate::support::shim::seeded::{self, Canary};
use crate::support::{moto, pty};
use moto::OwnMoto;
use pty::Console;
use serde_json::json;

struct Run {
    native: Canary,
    console: Console,
    _moto: OwnMoto,
}

impl Run {
    async fn start(prefix: &str, strategy: &'static str) -> Self {
        // Only to insist on the script, which also installs the moto this test starts.
        let _shared = moto::url();
        let server = OwnMoto::start(moto::free_port());
        let native = Canary::of(&server.url(), prefix, true, strategy).await;
        let url = native.shim.url();
        let env = [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        let args = ["--endpoint-url", url.as_str(), "--region", moto::REGION];
        let console = Console::spawn_sized(&args, &env, 160, 48);
        let mut run = Self {
            native,
            console,
            _moto: server,
        };
        run.console.wait_for("storefront");
        run.console.wait_for("‖ PAUSED");
        run.console.send("\r");
        run
    }

    fn what(&self) -> String {
        format!("{}/{}", self.native.cluster, self.native.service)
    }

    /// P, the dialog with `expected` in it, y, and the ContinueServiceDeployment it sends.
    fn promote(&mut self, expected: &str, calls_before: usize) {
        let hook = self.native.waiting_hook();
        self.console.send("P");
        self.console.wait_for(&format!("promote {}?", self.what()));
        self.console.wait_for(expected);
        self.console.wait_for(&format!("hookId={hook}"));
        self.console.confirm();
        let shim = &self.native.shim;
        self.console.eventually("ContinueServiceDeployment", || {
            shim.calls_of("ContinueServiceDeployment").len() == calls_before + 1
        });
        assert_eq!(
            shim.calls_of("ContinueServiceDeployment")[calls_before],
            json!({
                "serviceDeploymentArn": self.native.deployment,
                "hookId": hook,
                "action": "CONTINUE"
            })
        );
    }

    fn quit(mut self) {
        self.console.send("q");
        assert!(self.console.wait_exit().success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linear_deployment_is_promoted_step_by_step() {
    let mut run = Run::start("e2e-linear", "LINEAR").await;
    run.console
        .wait_for("LINEAR IN_PROGRESS stage PRE_PRODUCTION_TRAFFIC_SHIFT step 25%");
    let steps = [25.0, 50.0, 75.0, 100.0];
    for (i, weight) in steps.into_iter().enumerate() {
        run.promote(&format!("{weight:.0}% (a step of 25%)"), i);
        run.console.wait_for(&format!("{weight:.0}% on target"));
        if weight < 100.0 {
            // The step bakes (its countdown on screen), then ECS pauses before the next one.
            run.console.wait_for("  bake ");
            run.native
                .shim
                .skip((seeded::STEP_BAKE_MINUTES * 60) as f64);
            let next = run.native.waiting_hook();
            run.console.wait_for(&format!(
                "‖ hook {next} at PRE_PRODUCTION_TRAFFIC_SHIFT auto-rollback in"
            ));
        }
    }
    let hooks: Vec<_> = run
        .native
        .shim
        .calls_of("ContinueServiceDeployment")
        .into_iter()
        .map(|c| c["hookId"].clone())
        .collect();
    assert_eq!(hooks.len(), 4, "one ContinueServiceDeployment a step");
    let mut distinct = hooks.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "each step its own hook: {hooks:?}");
    run.native
        .shim
        .skip((seeded::BAKE_MINUTES * 60) as f64 + 60.0);
    run.console.wait_for("LINEAR SUCCESSFUL");
    run.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blue_green_deployment_is_aborted_in_test_traffic() {
    let mut run = Run::start("e2e-bluegreen", "BLUE_GREEN").await;
    run.console
        .wait_for("BLUE_GREEN IN_PROGRESS stage POST_TEST_TRAFFIC_SHIFT test traffic 100%");
    let hook = run.native.waiting_hook();
    run.console.wait_for(&format!(
        "‖ hook {hook} at POST_TEST_TRAFFIC_SHIFT auto-rollback in "
    ));
    run.console.wait_for("prod 0%  test 100%");
    run.console.send("A");
    run.console.wait_for(&format!("abort {}?", run.what()));
    run.console.wait_for("action=ROLLBACK");
    run.console.send("y");
    let shim = &run.native.shim;
    run.console.eventually("ContinueServiceDeployment", || {
        !shim.calls_of("ContinueServiceDeployment").is_empty()
    });
    assert_eq!(
        shim.calls_of("ContinueServiceDeployment"),
        vec![json!({
            "serviceDeploymentArn": run.native.deployment,
            "hookId": hook,
            "action": "ROLLBACK"
        })]
    );
    run.console.wait_for("BLUE_GREEN ROLLBACK_IN_PROGRESS");
    shim.skip(60.0);
    run.console.wait_for("BLUE_GREEN ROLLBACK_SUCCESSFUL");
    // The history keeps it as the operator's abort (issue 19), from the target revision back
    // to the source; the caller here is moto's user.
    run.console.wait_for("history ABORTED by moto");
    run.console.wait_for("· 2 → 1");
    run.quit();
}
