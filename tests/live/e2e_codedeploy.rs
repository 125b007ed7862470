//! The real binary in a PTY, driving a CodeDeploy canary on a CODE_DEPLOY service: moto (a
//! server of the test's own) serves the service, its task sets and the deployment group; the
//! shim in front of it serves the deployment, ready and waiting for reroute. No `--cluster`
//! flag: the console starts as a user's does.

use crate::support::shim::cd_seeded::CodeDeployed;
use crate::support::{moto, pty};
use moto::OwnMoto;
use pty::Console;
use serde_json::json;

struct Run {
    cd: CodeDeployed,
    console: Console,
    _moto: OwnMoto,
}

impl Run {
    /// Seeds the service in a moto of its own, opens the console on it and drills into it.
    async fn start(prefix: &str) -> Self {
        // Only to insist on the script, which also installs the moto this test starts.
        let _shared = moto::url();
        let server = OwnMoto::start(moto::free_port());
        let cd = CodeDeployed::new(&server.url(), prefix).await;
        let url = cd.shim.url();
        let env = [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        let args = ["--endpoint-url", url.as_str(), "--region", moto::REGION];
        let console = Console::spawn(&args, &env);
        let mut run = Self {
            cd,
            console,
            _moto: server,
        };
        run.console.wait_for("checkout");
        // The row: ready, waiting for reroute, with the time left.
        run.console.wait_for("‖ READY in 2");
        run.console.send("\r");
        run.console.wait_for(&format!(
            "CODEDEPLOY {} Ready stage waiting for reroute",
            run.cd.deployment
        ));
        run
    }

    fn what(&self) -> String {
        format!("{}/{}", self.cd.cluster, self.cd.service)
    }

    fn quit(mut self) {
        self.console.send("q");
        assert!(self.console.wait_exit().success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_reroutes_a_canary_waiting_for_reroute() {
    let mut run = Run::start("e2e-cd-promote").await;
    let c = &run.console;
    c.wait_for("‖ waiting for reroute auto-stop in 2");
    c.wait_for("configuration CodeDeployDefault.ECSCanary10Percent5Minutes: canary 10% for 5m");
    c.wait_for("0% on the replacement");
    c.wait_for("✓AfterAllowTestTraffic ·BeforeAllowTraffic");

    run.console.send("P");
    run.console.wait_for(&format!("promote {}?", run.what()));
    let screen = run.console.screen();
    assert!(screen.contains("deploymentWaitType=READY_WAIT"), "{screen}");
    assert!(
        screen.contains(&run.cd.deployment),
        "the dialog names the deployment: {screen}"
    );
    run.console.confirm();
    let shim = &run.cd.shim;
    run.console.eventually("ContinueDeployment", || {
        !shim.calls_of("ContinueDeployment").is_empty()
    });
    // The traffic moves: the canary share on the replacement.
    run.console.wait_for("stage AllowTraffic");
    run.console.wait_for("10% on the replacement");
    assert_eq!(
        shim.calls_of("ContinueDeployment"),
        vec![json!({ "deploymentId": run.cd.deployment, "deploymentWaitType": "READY_WAIT" })],
        "exactly one ContinueDeployment"
    );
    assert!(shim.calls_of("UpdateService").is_empty());
    run.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_stops_the_deployment_with_rollback() {
    let mut run = Run::start("e2e-cd-abort").await;
    run.console.send("A");
    run.console.wait_for(&format!("abort {}?", run.what()));
    let screen = run.console.screen();
    assert!(screen.contains("autoRollbackEnabled=true"), "{screen}");
    assert!(
        screen.contains("CodeDeployDefault.ECSCanary10Percent5Minutes"),
        "{screen}"
    );
    run.console.send("y");
    let shim = &run.cd.shim;
    run.console.eventually("StopDeployment", || {
        !shim.calls_of("StopDeployment").is_empty()
    });
    run.console.wait_for("Stopped");
    assert_eq!(
        shim.calls_of("StopDeployment"),
        vec![json!({ "deploymentId": run.cd.deployment, "autoRollbackEnabled": true })],
        "exactly one StopDeployment, with rollback"
    );
    // The audit log holds the call, before and after.
    let audit = run.console.home().join("data/deckwatch/audit.jsonl");
    let text = std::fs::read_to_string(&audit).expect("the audit log");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("codedeploy:StopDeployment"), "{text}");
    run.quit();
}
