//! ECS Exec on moto, through the real SDK clients: what the console says before the call
//! (moto's tasks have exec off; the shim adds the agent and platform fields moto lacks; a KMS
//! key configured on a moto cluster), the permission an AccessDenied names, and a whole
//! session through the exec worker: ExecuteCommand (shim), a KMS-encrypted data channel to the
//! mock gateway (GenerateDataKey and the agent's Decrypt on moto's KMS, with the session's
//! encryption context), a dropped connection resumed with ResumeSession, the exit code, and
//! the audit records.

use crate::support::gateway::Gateway;
use crate::support::moto;
use crate::support::seed::{Seeder, TaskDefSpec};
use crate::support::shim::Shim;
use crate::support::shim::exec::ExecTask;
use deckwatch::cloud::Fleet;
use deckwatch::model::exec::{Blocker, permission_hint, readiness};
use deckwatch::model::{ContextInfo, ExecTarget, ServiceKey, Task};
use deckwatch::model::{ErrorKind, Op};
use deckwatch::state::Msg;
use deckwatch::state::exec::{ExecMsg, OpenSession};
use deckwatch::workers::audit::Audit;
use deckwatch::workers::exec::ExecWorker;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct ExecWorld {
    pub seed: Seeder,
    pub shim: Shim,
    pub gateway: Arc<Gateway>,
    pub cluster: String,
    pub service: ServiceKey,
    pub tasks: Vec<String>,
    pub moto: String,
}

/// A cluster with a service of two running tasks on moto, and a shim with a gateway in front.
/// `ready`: the shim reports exec on for the service and its tasks, the agent running.
pub async fn exec_world(prefix: &str, ready: bool) -> ExecWorld {
    let moto = moto::url();
    let seed = Seeder::new(&moto).await;
    let cluster = moto::unique(prefix);
    seed.cluster(&cluster).await;
    let family = moto::unique("app");
    let group = format!("/ecs/{family}");
    let td = seed
        .task_def(TaskDefSpec {
            family: &family,
            container: "app",
            image: "nginx:1",
            log_group: &group,
            stream_prefix: "ecs",
        })
        .await;
    let service_arn = seed.service(&cluster, "web", &td, 2).await;
    let tasks = seed.run_tasks(&cluster, &td, "web", 2).await;
    let kms = aws_sdk_kms::Client::new(&moto::sdk_config(&moto).await);
    let gateway = Arc::new(Gateway::start(Some(kms)));
    let shim = Shim::with_gateway(&moto, Some(gateway.clone()));
    if ready {
        shim.exec_service(&service_arn);
        for t in &tasks {
            shim.exec_task(ExecTask::ready(t));
        }
    }
    let service = ServiceKey {
        cluster: cluster.clone(),
        name: "web".into(),
    };
    ExecWorld {
        seed,
        shim,
        gateway,
        cluster,
        service,
        tasks,
        moto,
    }
}

impl ExecWorld {
    /// The console's fleet, through the shim.
    pub async fn fleet(&self) -> Arc<dyn Fleet> {
        Arc::new(moto::fleet(&self.shim.url(), &[&self.cluster], vec![]).await)
    }

    pub async fn task(&self, fleet: &Arc<dyn Fleet>, arn: &str) -> Task {
        let tasks = fleet.tasks(Some(&self.service)).await.unwrap();
        tasks.into_iter().find(|t| t.arn == arn).expect("the task")
    }
}

#[tokio::test]
async fn moto_tasks_have_exec_off_and_the_console_says_what_to_change() {
    let w = exec_world("exec-off", false).await;
    // Straight to moto: DescribeTasks and DescribeServices as moto answers them.
    let fleet: Arc<dyn Fleet> = Arc::new(moto::fleet(&w.moto, &[&w.cluster], vec![]).await);
    let task = w.task(&fleet, &w.tasks[0]).await;
    assert!(!task.exec_enabled);
    assert_eq!(task.containers.len(), 1);
    let services = fleet.services().await.unwrap();
    let service = services.iter().find(|s| s.name == "web").unwrap();
    assert!(!service.exec_enabled);
    let cluster = fleet.cluster_exec(&w.cluster).await.unwrap();
    assert_eq!(cluster.kms_key, "");
    let r = readiness(&task, "app", Some(service), Some(&cluster));
    let said: Vec<(String, String)> = r.blockers.iter().map(Blocker::explain).collect();
    assert_eq!(said[0].0, "enableExecuteCommand is off on service web");
    assert!(
        said[0].1.contains(&format!(
            "aws ecs update-service --cluster {} --service web --enable-execute-command",
            w.cluster
        )),
        "{said:?}"
    );
    assert_eq!(
        said[1].0,
        format!("enableExecuteCommand is off on task {}", task.id)
    );
    assert!(r.notes.is_empty());
}

#[tokio::test]
async fn the_agent_and_the_platform_version_come_from_describe_tasks() {
    let w = exec_world("exec-agent", true).await;
    let mut pending = ExecTask::ready(&w.tasks[0]);
    pending.agent = "PENDING".into();
    w.shim.exec_task(pending);
    let mut old = ExecTask::ready(&w.tasks[1]);
    old.platform_version = "1.3.0".into();
    w.shim.exec_task(old);
    let fleet = w.fleet().await;
    let service = fleet
        .services()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "web")
        .unwrap();
    assert!(
        service.exec_enabled,
        "DescribeServices' enableExecuteCommand"
    );
    let first = w.task(&fleet, &w.tasks[0]).await;
    assert!(first.containers[0].runtime_id.ends_with("-0527074092"));
    let r = readiness(&first, "app", Some(&service), None);
    assert_eq!(r.blockers.len(), 1, "{r:?}");
    assert_eq!(
        r.blockers[0].explain().0,
        "the ExecuteCommandAgent of app is PENDING"
    );
    let second = w.task(&fleet, &w.tasks[1]).await;
    let r = readiness(&second, "app", Some(&service), None);
    assert_eq!(
        r.blockers[0].explain().0,
        "Fargate platform version 1.3.0 has no ECS Exec"
    );
}

#[tokio::test]
async fn a_kms_key_configured_on_the_cluster_is_said_before_the_call() {
    let w = exec_world("exec-kms-note", true).await;
    let configured = moto::unique("kms-cluster");
    let exec = aws_sdk_ecs::types::ExecuteCommandConfiguration::builder()
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/exec-sessions")
        .logging(aws_sdk_ecs::types::ExecuteCommandLogging::Default)
        .build();
    w.seed
        .ecs
        .create_cluster()
        .cluster_name(&configured)
        .configuration(
            aws_sdk_ecs::types::ClusterConfiguration::builder()
                .execute_command_configuration(exec)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let fleet = w.fleet().await;
    // ecs:DescribeClusters with its configurations, as moto keeps them.
    let c = fleet.cluster_exec(&configured).await.unwrap();
    assert_eq!(
        c.kms_key,
        "arn:aws:kms:us-east-1:123456789012:key/exec-sessions"
    );
    let task = w.task(&fleet, &w.tasks[0]).await;
    let r = readiness(&task, "app", None, Some(&c));
    assert!(r.ready());
    assert!(
        r.notes[0].contains("you need kms:GenerateDataKey on it"),
        "{:?}",
        r.notes
    );
}

#[tokio::test]
async fn access_denied_on_execute_command_names_the_permission_to_add() {
    let w = exec_world("exec-denied", true).await;
    w.shim.deny("ExecuteCommand");
    let fleet = w.fleet().await;
    let task = w.task(&fleet, &w.tasks[0]).await;
    let target = ExecTarget::of(&task, "app").unwrap();
    let err = fleet.execute_command(&target, "/bin/sh").await.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::AccessDenied(Op::EcsExecuteCommand),
        "{err}"
    );
    let hint = permission_hint(Op::EcsExecuteCommand, &target);
    assert!(
        hint.starts_with(&format!("add ecs:ExecuteCommand on {}", task.arn)),
        "{hint}"
    );
}

async fn next_msg(rx: &mut mpsc::Receiver<Msg>) -> ExecMsg {
    match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
        Ok(Some(Msg::Exec(m))) => m,
        other => panic!("no exec message: {other:?}"),
    }
}

/// Output until `want` shows, with what else came.
async fn output_until(rx: &mut mpsc::Receiver<Msg>, want: &str, also: &mut Vec<ExecMsg>) -> String {
    let mut out = String::new();
    while !out.contains(want) {
        match next_msg(rx).await {
            ExecMsg::Output(_, b) => out.push_str(&String::from_utf8_lossy(&b)),
            ExecMsg::Failed { message, fix, .. } => panic!("failed: {message} ({fix:?})"),
            other => also.push(other),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_session_runs_through_the_worker_resumes_and_ends_with_its_exit_code() {
    let w = exec_world("exec-session", true).await;
    let kms = aws_sdk_kms::Client::new(&moto::sdk_config(&w.moto).await);
    let key = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id;
    w.shim.session_kms(&key);
    let fleet = w.fleet().await;
    let task = w.task(&fleet, &w.tasks[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(Audit::new(Some(dir.path().join("audit.jsonl"))));
    let (tx, mut rx) = mpsc::channel(256);
    let mut worker = ExecWorker::new(tx, audit);
    let open = OpenSession {
        id: 1,
        target: ExecTarget::of(&task, "app").unwrap(),
        command: "/bin/sh".into(),
        size: (90, 25),
        plugin: false,
        ctx: ContextInfo {
            name: "moto".into(),
            region: "us-east-1".into(),
            ..ContextInfo::default()
        },
    };
    worker.open(fleet.clone(), open);
    let mut also = Vec::new();
    output_until(&mut rx, "$ ", &mut also).await;
    let sid = also
        .iter()
        .find_map(|m| {
            if let ExecMsg::Started(_, s) = m {
                Some(s.clone())
            } else {
                None
            }
        })
        .expect("Started");
    assert!(
        also.iter().any(|m| matches!(
            m,
            ExecMsg::Ready {
                encrypted: true,
                ..
            }
        )),
        "{also:?}"
    );
    assert!(
        w.gateway.seen(&sid).challenge_ok,
        "the agent's challenge was answered with the data key"
    );
    worker.input(1, b"stty size\r".to_vec());
    output_until(&mut rx, "25 90", &mut also).await;
    worker.input(1, b"drop\r".to_vec());
    worker.input(1, b"echo still here\r".to_vec());
    output_until(&mut rx, "\nstill here", &mut also).await;
    assert!(
        also.iter().any(|m| matches!(m, ExecMsg::Reconnecting(1))),
        "{also:?}"
    );
    worker.input(1, b"exit 7\r".to_vec());
    let mut end = Vec::new();
    loop {
        let m = next_msg(&mut rx).await;
        let done = matches!(m, ExecMsg::Ended(..) | ExecMsg::Failed { .. });
        end.push(m);
        if done {
            break;
        }
    }
    assert!(
        end.iter().any(|m| matches!(m, ExecMsg::Exit(1, 7))),
        "{end:?}"
    );
    assert!(matches!(end.last(), Some(ExecMsg::Ended(1, _))), "{end:?}");
    let seen = w.gateway.seen(&sid);
    assert_eq!(seen.connections, 2);
    assert_eq!(seen.unknown_acks, 0);
    // What the console sent, in the order sent: ExecuteCommand, GenerateDataKey (on moto's KMS
    // through the shim) and ResumeSession.
    let ops: Vec<String> = w.shim.calls().into_iter().map(|c| c.operation).collect();
    for op in ["ExecuteCommand", "GenerateDataKey", "ResumeSession"] {
        assert!(ops.contains(&op.to_string()), "{op} in {ops:?}");
    }
    let exec = &w.shim.calls_of("ExecuteCommand")[0];
    assert_eq!(exec["interactive"], true);
    assert_eq!(exec["container"], "app");
    assert_eq!(exec["command"], "/bin/sh");
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<&str> = records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["before", "after", "end"]);
    assert_eq!(records[1]["session_id"], sid);
    assert_eq!(records[2]["outcome"]["exit_code"], 7);
    assert_eq!(records[0]["task"], task.arn);
    assert_eq!(records[0]["container"], "app");
    assert_eq!(records[0]["command"], "/bin/sh");
}
