//! The audit log can be trusted: it fails closed when it has no place, names who acted (the
//! AWS caller's ARN, the uid and passwd name, not only `$USER`), ships the team's copy before
//! the call and keeps what it could not ship, and is readable by its owner only.

use async_trait::async_trait;
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::{
    ActionError, Alarm, AwsCall, ContextInfo, Image, LogPage, LogQuery, LogSources, LogTarget,
    Service, ServiceKey, StepError, Task, Verb,
};
use deckwatch::model::{ApiError, ApiResult, ErrorKind};
use deckwatch::state::actions::plan::for_verb;
use deckwatch::state::{ConnectionEvent, Msg, TeamAudit};
use deckwatch::workers::audit::{Audit, NO_LOCATION, RecordContext};
use deckwatch::workers::runner::{execute, run};
use deckwatch::workers::team_audit;
use serde_json::Value;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::support::testkit::EPOCH;

/// The demo fleet, with a team log group that exists or not and a record of the calls that
/// left: `ship [phases]` and `act`.
struct Recorder {
    sim: SimFleet,
    /// The context it says it is.
    name: String,
    group_exists: Mutex<bool>,
    calls: Mutex<Vec<String>>,
    shipped: Mutex<Vec<String>>,
}

impl Recorder {
    fn new(group_exists: bool) -> Arc<Self> {
        Self::named("demo", group_exists)
    }

    fn named(name: &str, group_exists: bool) -> Arc<Self> {
        Arc::new(Self {
            sim: SimFleet::new(EPOCH),
            name: name.into(),
            group_exists: Mutex::new(group_exists),
            calls: Mutex::new(Vec::new()),
            shipped: Mutex::new(Vec::new()),
        })
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Fleet for Recorder {
    async fn context(&self) -> ApiResult<ContextInfo> {
        let mut c = self.sim.context().await?;
        c.name = self.name.clone();
        Ok(c)
    }
    async fn services(&self) -> ApiResult<Vec<Service>> {
        self.sim.services().await
    }
    async fn tasks(&self, s: Option<&ServiceKey>) -> ApiResult<Vec<Task>> {
        self.sim.tasks(s).await
    }
    async fn images(&self) -> ApiResult<Vec<Image>> {
        self.sim.images().await
    }
    async fn alarms(&self) -> ApiResult<Vec<Alarm>> {
        self.sim.alarms().await
    }
    async fn log_sources(&self, t: &LogTarget) -> ApiResult<LogSources> {
        self.sim.log_sources(t).await
    }
    async fn log_page(&self, q: &LogQuery, token: Option<String>) -> ApiResult<LogPage> {
        self.sim.log_page(q, token).await
    }
    async fn act(&self, s: &ServiceKey, m: &AwsCall) -> ApiResult<()> {
        self.calls.lock().unwrap().push("act".into());
        self.sim.act(s, m).await
    }
    async fn ship_audit(&self, group: &str, lines: &[String]) -> ApiResult<()> {
        assert_eq!(group, "/deckwatch/audit");
        if !*self.group_exists.lock().unwrap() {
            self.calls.lock().unwrap().push("ship failed".into());
            return Err(ApiError::new(
                ErrorKind::Other,
                "logs:CreateLogStream: ResourceNotFoundException: The specified log group does not exist.",
            ));
        }
        let phases: Vec<String> = lines.iter().map(|l| phase(l)).collect();
        self.calls
            .lock()
            .unwrap()
            .push(format!("ship {}", phases.join(",")));
        self.shipped.lock().unwrap().extend(lines.iter().cloned());
        Ok(())
    }
    async fn audit_group_exists(&self, _group: &str) -> ApiResult<bool> {
        Ok(*self.group_exists.lock().unwrap())
    }
}

fn phase(line: &str) -> String {
    let v: Value = serde_json::from_str(line).unwrap();
    v["phase"].as_str().unwrap().to_string()
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn scale_plan(fleet: &dyn Fleet) -> deckwatch::model::ActionPlan {
    let services = fleet.services().await.unwrap();
    let api = services
        .iter()
        .find(|s| s.name == "api" && s.cluster == "prod-core")
        .unwrap();
    for_verb(Verb::Scale, api, &[], Some(api.desired + 1)).unwrap()
}

#[tokio::test(start_paused = true)]
async fn with_no_place_for_the_audit_log_nothing_is_sent() {
    let fleet = Recorder::new(true);
    let audit = Audit::new(None);
    let plan = scale_plan(fleet.as_ref()).await;
    let ctx = fleet.context().await.unwrap();
    let err = execute(fleet.as_ref(), &audit, &plan, &ctx)
        .await
        .unwrap_err();
    match &err {
        ActionError::FirstCall {
            cause: StepError::Audit(why),
            ..
        } => assert_eq!(why, NO_LOCATION),
        other => panic!("not an audit refusal: {other:?}"),
    }
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(fleet.calls().is_empty(), "{:?}", fleet.calls());
}

/// Set in the child process, which runs the body instead of starting another child.
const IN_CHILD: &str = "DECKWATCH_TEST_AUDIT_CHILD";

/// Runs `name` (a test of this module) in a child process of this test binary with `env`, as
/// uid `uid` when given, and returns its output.
fn in_child(name: &str, env: &[(&str, &str)], uid: Option<u32>) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, m)| m);
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", &format!("{module}::{name}"), "--test-threads=1"])
        .env_clear()
        .env(IN_CHILD, "1")
        .current_dir("/");
    for (k, v) in env {
        c.env(k, v);
    }
    if let Some(uid) = uid {
        c.uid(uid).gid(uid);
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A uid without a passwd entry, as a container's user often is.
fn uid_without_passwd() -> u32 {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    (54_321..60_000)
        .find(|uid| {
            !passwd
                .lines()
                .any(|l| l.split(':').nth(2) == Some(&uid.to_string()))
        })
        .unwrap()
}

#[test]
fn without_home_or_passwd_entry_the_audit_fails_closed() {
    if std::env::var_os(IN_CHILD).is_some() {
        // No HOME, no XDG_DATA_HOME, and (as root runs it) no passwd entry.
        assert_eq!(Audit::default_path(), None);
        let audit = Audit::new(Audit::default_path());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let fleet = Recorder::new(true);
            let plan = scale_plan(fleet.as_ref()).await;
            let ctx = fleet.context().await.unwrap();
            let err = execute(fleet.as_ref(), &audit, &plan, &ctx).await;
            assert!(err.is_err(), "{err:?}");
            assert!(fleet.calls().is_empty(), "sent: {:?}", fleet.calls());
        });
        return;
    }
    // SAFETY: getuid cannot fail.
    let root = unsafe { libc::getuid() } == 0;
    // Only root may run the child as another uid; otherwise HOME alone is taken away and the
    // passwd entry still gives a home, which is then the place.
    if root {
        in_child(
            "without_home_or_passwd_entry_the_audit_fails_closed",
            &[],
            Some(uid_without_passwd()),
        );
    } else {
        assert!(Audit::default_path().is_some());
    }
}

#[test]
fn the_record_names_the_passwd_user_not_only_user() {
    if std::env::var_os(IN_CHILD).is_some() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let audit = Audit::new(Some(path.clone()));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let fleet = Recorder::new(true);
            let plan = scale_plan(fleet.as_ref()).await;
            let ctx = fleet.context().await.unwrap();
            execute(fleet.as_ref(), &audit, &plan, &ctx).await.unwrap();
        });
        let r = &records(&path)[0];
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        assert_eq!(r["os_user"]["uid"], uid, "{r}");
        assert_eq!(r["os_user"]["env_user"], "mallory", "{r}");
        assert_ne!(r["user"], "mallory", "$USER alone names nobody: {r}");
        assert_eq!(r["user"], r["os_user"]["passwd_name"], "{r}");
        return;
    }
    in_child(
        "the_record_names_the_passwd_user_not_only_user",
        &[("USER", "mallory"), ("HOME", "/nonexistent")],
        None,
    );
}

#[tokio::test(start_paused = true)]
async fn the_record_names_the_aws_caller_even_before_the_header_knows_it() {
    let fleet = Recorder::new(true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let audit = Audit::new(Some(path.clone()));
    let plan = scale_plan(fleet.as_ref()).await;
    let known = fleet.context().await.unwrap().caller_arn;
    assert!(known.starts_with("arn:aws:iam::"), "{known}");
    // The header has not heard from the backend yet: the runner asks.
    let ctx = ContextInfo {
        name: "demo".into(),
        ..Default::default()
    };
    execute(fleet.as_ref(), &audit, &plan, &ctx).await.unwrap();
    for r in records(&path) {
        assert_eq!(r["aws_caller"], known.as_str(), "{r}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_before_record_reaches_the_team_before_the_call() {
    let fleet = Recorder::new(true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let audit =
        Arc::new(Audit::new(Some(path.clone())).with_remote_group(Some("/deckwatch/audit".into())));
    let plan = scale_plan(fleet.as_ref()).await;
    let ctx = fleet.context().await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let of = RecordContext::of(&ctx);
    run(fleet.clone(), no_ci(), audit.clone(), plan, ctx, 1, tx).await;
    assert_eq!(fleet.calls(), ["ship before", "act", "ship after"]);
    assert_eq!(audit.unsent_count(&of), 0);
    let local: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        *fleet.shipped.lock().unwrap(),
        local,
        "the group holds what the file holds"
    );
    let mut msgs = Vec::new();
    while let Ok(m) = rx.try_recv() {
        msgs.push(m);
    }
    assert!(
        matches!(
            &msgs[0],
            Msg::Connection(ConnectionEvent::TeamAudit(TeamAudit::Ok))
        ),
        "{msgs:?}"
    );
    assert!(
        matches!(&msgs[1], Msg::ActionDone(d) if d.result.is_ok()),
        "{msgs:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_missing_group_is_said_and_its_records_are_kept_and_sent_later() {
    let fleet = Recorder::new(false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let group = Some("/deckwatch/audit".to_string());
    let audit = Arc::new(Audit::new(Some(path.clone())).with_remote_group(group.clone()));
    // At start: the header is told.
    let of = RecordContext::of(&fleet.context().await.unwrap());
    let status = team_audit::check_group(fleet.as_ref(), &audit, &of).await;
    assert_eq!(
        status,
        Some(TeamAudit::Missing(
            "log group /deckwatch/audit does not exist".into()
        ))
    );

    let plan = scale_plan(fleet.as_ref()).await;
    let ctx = fleet.context().await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    run(fleet.clone(), no_ci(), audit.clone(), plan, ctx, 1, tx).await;
    // The action went; its records wait, and the result says so.
    assert!(fleet.calls().contains(&"act".to_string()));
    assert_eq!(audit.unsent_count(&of), 2);
    let _team = rx.try_recv().unwrap();
    match rx.try_recv().unwrap() {
        Msg::ActionDone(d) if d.result.is_ok() => {
            let text = d.result.clone().unwrap_or_default();
            assert!(
                text.contains("2 audit record(s) not yet in /deckwatch/audit")
                    && text.contains("ResourceNotFoundException"),
                "{text}"
            )
        }
        other => panic!("{other:?}"),
    }

    // A later console on the same files (the records are on disk) sends them once the group
    // exists.
    drop(audit);
    let again = Audit::new(Some(path.clone())).with_remote_group(group);
    assert_eq!(again.unsent_count(&of), 2);
    *fleet.group_exists.lock().unwrap() = true;
    let status = team_audit::ship(fleet.as_ref(), &again, &of).await;
    assert_eq!(status, Some(TeamAudit::Ok));
    assert_eq!(again.unsent_count(&of), 0);
    let shipped: Vec<String> = fleet
        .shipped
        .lock()
        .unwrap()
        .iter()
        .map(|l| phase(l))
        .collect();
    assert_eq!(shipped, ["before", "after"]);
    assert_eq!(
        team_audit::ship(fleet.as_ref(), &again, &of).await,
        None,
        "nothing twice"
    );
}

#[tokio::test(start_paused = true)]
async fn audit_files_are_the_owners_only() {
    let fleet = Recorder::new(false);
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("share/deckwatch/audit.jsonl");
    let audit = Audit::new(Some(path.clone())).with_remote_group(Some("/deckwatch/audit".into()));
    let plan = scale_plan(fleet.as_ref()).await;
    let ctx = fleet.context().await.unwrap();
    execute(fleet.as_ref(), &audit, &plan, &ctx).await.unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&audit.unsent_path().unwrap()), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}

#[test]
fn the_debug_log_is_the_owners_only_and_never_holds_a_key_id() {
    use crate::support::pty::Console;
    let key = "AKIAIOSFODNN7EXAMPLE";
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
    let env = [
        ("DECKWATCH_LOG", "trace"),
        ("AWS_ACCESS_KEY_ID", key),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_SESSION_TOKEN", token),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    // Nothing listens on port 9: every call is signed, sent and refused.
    let args = [
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ];
    let mut c = Console::spawn(&args, &env);
    c.wait_for("endpoint unreachable");
    c.send("q");
    assert_eq!(c.wait_exit().exit_code(), 0);
    let log = c.home().join("state/deckwatch/deckwatch.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.len() > 10_000, "a trace log: {} bytes", text.len());
    assert!(text.contains("<redacted>"), "nothing was redacted");
    for s in [key, secret, token] {
        assert!(!text.contains(s), "{s} in the log");
    }
    let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(log.parent().unwrap()), 0o700);
}

/// The runner's CI side, unused by these AWS actions.
fn no_ci() -> Arc<deckwatch::ci::NoCi> {
    Arc::new(deckwatch::ci::NoCi {
        why: "no CI in this test".into(),
    })
}

/// The team audit after a `:ctx` switch: the records of an action go to the group of the
/// context it ran in, through that context's backend, never through the backend on screen.
#[tokio::test(start_paused = true)]
async fn the_team_audit_follows_the_context_an_action_ran_in() {
    use deckwatch::app::context_workers::start;
    use deckwatch::state::State;
    use deckwatch::workers::poller::Intervals;
    use std::time::Duration;
    let demo = Recorder::named("demo", true);
    let prod = Recorder::named("prod", false);
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(
        Audit::new(Some(dir.path().join("audit.jsonl")))
            .with_remote_group(Some("/deckwatch/audit".into())),
    );
    // On prod, whose group is not there yet: the action goes, its records wait.
    let plan = scale_plan(prod.as_ref()).await;
    let prod_ctx = prod.context().await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    run(
        prod.clone(),
        no_ci(),
        audit.clone(),
        plan,
        prod_ctx.clone(),
        1,
        tx.clone(),
    )
    .await;
    let of_prod = RecordContext::of(&prod_ctx);
    assert_eq!(audit.unsent_count(&of_prod), 2);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let iv = Intervals {
        fast: Duration::from_secs(2),
        normal: Duration::from_secs(10),
        logs: Duration::from_secs(1),
        alarms: Duration::from_secs(60),
        live_tail: false,
        reconcile: Duration::from_secs(300),
    };
    // Back on demo: its workers run, its team audit retries, and prod's records stay put.
    let demo_fleet: Arc<dyn Fleet> = demo.clone();
    let workers = start(&demo_fleet, &audit, &tx, State::idle_watch(), 2, iv);
    tokio::time::sleep(team_audit::RETRY * 3).await;
    assert!(
        demo.shipped.lock().unwrap().is_empty(),
        "prod's records went to demo's account"
    );
    assert_eq!(audit.unsent_count(&of_prod), 2);
    drop(workers);
    // On prod again, once its group exists: they go, through prod's backend.
    *prod.group_exists.lock().unwrap() = true;
    let prod_fleet: Arc<dyn Fleet> = prod.clone();
    let _workers = start(&prod_fleet, &audit, &tx, State::idle_watch(), 3, iv);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let shipped: Vec<String> = prod
        .shipped
        .lock()
        .unwrap()
        .iter()
        .map(|l| phase(l))
        .collect();
    assert_eq!(shipped, ["before", "after"]);
    assert_eq!(audit.unsent_count(&of_prod), 0);
    assert!(demo.shipped.lock().unwrap().is_empty());
}
