//! The data channel against the mock gateway on loopback, which plays the agent's side of the
//! protocol: the token, the handshake, a shell that echoes, the terminal size, the exit code
//! and `channel_closed`'s reason, a connection dropped mid-session and resumed with a new
//! token, messages out of order, and the stream URL policy.

use crate::support::gateway::{Gateway, Plan};
use async_trait::async_trait;
use deckwatch::exec::channel::{
    self, CallFailed, ChannelEnd, DataKey, FromAgent, SessionApi, Setup, ToAgent,
};
use deckwatch::exec::payloads::Size;
use deckwatch::exec::{ExecError, StreamPolicy, UrlError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Resumes through the gateway, as ssm:ResumeSession would; no KMS.
pub struct GatewayApi(pub Arc<Gateway>);

#[async_trait]
impl SessionApi for GatewayApi {
    async fn data_key(&self, _: &str, _: &[(String, String)]) -> Result<DataKey, CallFailed> {
        Err(CallFailed("no KMS here".into()))
    }
    async fn resume(&self, session_id: &str) -> Result<Option<String>, CallFailed> {
        Ok(self.0.resume(session_id).map(|g| g.token))
    }
}

pub fn local() -> StreamPolicy {
    StreamPolicy {
        region: "us-east-1".into(),
        local_endpoint: true,
    }
}

pub fn setup(gw: &Gateway, plan: Plan) -> Setup {
    let target = plan.target.clone();
    let g = gw.open(plan);
    Setup {
        session_id: g.session_id,
        stream_url: g.stream_url,
        token: g.token,
        target,
        policy: local(),
        client_id: "test-client".into(),
    }
}

/// Output collected until `want` shows (a bound against hanging, not a timing check).
pub async fn read_until(events: &mut mpsc::Receiver<FromAgent>, out: &mut String, want: &str) {
    let wait = async {
        while !out.contains(want) {
            match events.recv().await {
                Some(FromAgent::Output(b)) => out.push_str(&String::from_utf8_lossy(&b)),
                Some(_) => {}
                None => panic!("the session ended before {want:?}; output so far: {out:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .unwrap_or_else(|_| panic!("gave up waiting for {want:?}; output so far: {out:?}"));
}

struct Open {
    input: mpsc::Sender<ToAgent>,
    events: mpsc::Receiver<FromAgent>,
    session: tokio::task::JoinHandle<ChannelEnd>,
    id: String,
}

fn open(gw: &Arc<Gateway>, plan: Plan) -> Open {
    let s = setup(gw, plan);
    let id = s.session_id.clone();
    let (input, rx) = mpsc::channel(64);
    let (tx, events) = mpsc::channel(64);
    let api = Arc::new(GatewayApi(gw.clone()));
    Open {
        input,
        events,
        session: tokio::spawn(channel::run(s, api, rx, tx)),
        id,
    }
}

#[tokio::test]
async fn a_shell_echoes_takes_the_size_and_ends_with_its_exit_code_and_reason() {
    let gw = Arc::new(Gateway::start(None));
    let mut s = open(&gw, Plan::shell("ecs:c_t_r"));
    s.input
        .send(ToAgent::Size(Size {
            cols: 100,
            rows: 30,
        }))
        .await
        .unwrap();
    let mut out = String::new();
    read_until(&mut s.events, &mut out, "$ ").await;
    s.input
        .send(ToAgent::Data(b"echo hello\r".to_vec()))
        .await
        .unwrap();
    read_until(&mut s.events, &mut out, "hello\r\n$ ").await;
    s.input
        .send(ToAgent::Data(b"stty size\r".to_vec()))
        .await
        .unwrap();
    read_until(&mut s.events, &mut out, "30 100").await;
    s.input
        .send(ToAgent::Size(Size {
            cols: 132,
            rows: 43,
        }))
        .await
        .unwrap();
    s.input
        .send(ToAgent::Data(b"stty size\r".to_vec()))
        .await
        .unwrap();
    read_until(&mut s.events, &mut out, "43 132").await;
    s.input
        .send(ToAgent::Data(b"exit 3\r".to_vec()))
        .await
        .unwrap();
    let mut code = None;
    while let Some(e) = s.events.recv().await {
        if let FromAgent::Exit(c) = e {
            code = Some(c);
        }
    }
    assert_eq!(code, Some(3));
    let end = s.session.await.unwrap();
    assert_eq!(
        end,
        ChannelEnd::Closed(format!("Exiting session with sessionId: {}.", s.id))
    );
    let seen = gw.seen(&s.id);
    assert_eq!(seen.sizes, [(100, 30), (132, 43)]);
    assert!(String::from_utf8_lossy(&seen.input).contains("echo hello\r"));
    // Every acknowledgement named a message the agent sent: the id's byte order is right.
    assert_eq!(seen.unknown_acks, 0);
    assert!(seen.acks > 5);
    let hs = seen.handshake.expect("a handshake response");
    assert_eq!(hs["ProcessedClientActions"][0]["ActionType"], "SessionType");
    assert_eq!(hs["ProcessedClientActions"][0]["ActionStatus"], 1);
}

#[tokio::test]
async fn a_dropped_connection_is_resumed_with_a_new_token_and_nothing_is_lost_or_doubled() {
    let gw = Arc::new(Gateway::start(None));
    let mut s = open(&gw, Plan::shell("ecs:c_t_r"));
    let mut out = String::new();
    read_until(&mut s.events, &mut out, "$ ").await;
    s.input
        .send(ToAgent::Data(b"drop\r".to_vec()))
        .await
        .unwrap();
    // Typed while the connection is down: held, then sent again after the resume.
    s.input
        .send(ToAgent::Data(b"echo after the blip\r".to_vec()))
        .await
        .unwrap();
    read_until(&mut s.events, &mut out, "after the blip\r\n").await;
    let seen = gw.seen(&s.id);
    assert_eq!(seen.connections, 2, "one resume");
    let typed = String::from_utf8_lossy(&seen.input);
    assert_eq!(typed.matches("echo after the blip").count(), 1, "{typed:?}");
    assert_eq!(out.matches("\nafter the blip\r\n").count(), 1, "{out:?}");
    drop(s.input);
    assert_eq!(s.session.await.unwrap(), ChannelEnd::Ended);
    // The console said it was done: the agent was told to terminate (and acknowledged it
    // before the socket closed; the gateway notes it as it handles it).
    let told = async {
        while !gw.seen(&s.id).flags.contains(&2) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), told)
        .await
        .expect("the terminate flag");
}

#[tokio::test]
async fn messages_out_of_order_are_put_back_in_order() {
    let gw = Arc::new(Gateway::start(None));
    let mut plan = Plan::shell("ecs:c_t_r");
    plan.reorder = true;
    let mut s = open(&gw, plan);
    let mut out = String::new();
    read_until(&mut s.events, &mut out, "$ ").await;
    s.input
        .send(ToAgent::Data(b"echo one\r".to_vec()))
        .await
        .unwrap();
    read_until(&mut s.events, &mut out, "one\r\n$ ").await;
    assert!(out.starts_with("$ echo one"), "{out:?}");
}

#[tokio::test]
async fn a_stream_url_off_the_regions_ssmmessages_host_is_refused_before_connecting() {
    let gw = Arc::new(Gateway::start(None));
    let mut s = setup(&gw, Plan::shell("ecs:c_t_r"));
    s.policy.local_endpoint = false;
    let (_input, rx) = mpsc::channel(1);
    let (tx, _events) = mpsc::channel(1);
    let end = channel::run(s.clone(), Arc::new(GatewayApi(gw.clone())), rx, tx).await;
    assert!(
        matches!(end, ChannelEnd::Failed(ExecError::Url(UrlError::Scheme))),
        "{end:?}"
    );
    assert_eq!(gw.seen(&s.session_id).connections, 0);
}

#[tokio::test]
async fn a_wrong_token_is_refused_by_the_gateway() {
    let gw = Arc::new(Gateway::start(None));
    let mut s = setup(&gw, Plan::shell("ecs:c_t_r"));
    s.token = "not-the-token".into();
    let (input, rx) = mpsc::channel(1);
    let (tx, mut events) = mpsc::channel(8);
    // The gateway closes the socket; resuming asks for a new token, which works.
    let run = tokio::spawn(channel::run(
        s.clone(),
        Arc::new(GatewayApi(gw.clone())),
        rx,
        tx,
    ));
    let mut out = String::new();
    read_until(&mut events, &mut out, "$ ").await;
    drop(input);
    assert_eq!(run.await.unwrap(), ChannelEnd::Ended);
    let seen = gw.seen(&s.session_id);
    assert_eq!(seen.refused, 1);
    assert_eq!(seen.connections, 1, "the resumed token was accepted");
}

#[tokio::test]
async fn the_demo_says_exec_and_forwards_need_a_real_context() {
    use deckwatch::cloud::Fleet;
    use deckwatch::model::{ExecTarget, RemotePort};
    let demo = deckwatch::demo::SimFleet::new(crate::support::testkit::EPOCH);
    let task = demo.tasks(None).await.unwrap().remove(0);
    // The demo's tasks answer the readiness fields, so the dialog has something to say.
    assert!(task.exec_enabled);
    let target = ExecTarget::of(&task, "app").expect("the demo's container");
    let exec = demo.execute_command(&target, "/bin/sh").await.unwrap_err();
    assert!(exec.message.contains("need a real AWS context"), "{exec}");
    let remote = RemotePort {
        host: None,
        port: 80,
    };
    let pf = demo
        .start_port_session(&target, &remote, 8080, "test")
        .await
        .unwrap_err();
    assert!(pf.message.contains("the demo fleet has no SSM"), "{pf}");
}
