//! One interactive session: audited before the call (refused when the audit log cannot be
//! written), `ecs:ExecuteCommand`, then the data channel (or session-manager-plugin), its
//! output cleaned and sent to the loop, and the end audited with the exit code.

use super::api::FleetApi;
use super::clean::OutputCleaner;
use super::hints::fix_for;
use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::exec::channel::{self, ChannelEnd, FromAgent, Setup, ToAgent};
use crate::exec::message_id::MessageId;
use crate::model::SessionGrant;
use crate::model::{ApiError, Op};
use crate::state::Msg;
use crate::state::exec::{ExecMsg, OpenSession};
use crate::workers::audit::Audit;
use crate::workers::exec::error::SessionError;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the session's audit records say about it.
fn what(open: &OpenSession, session_id: &str) -> serde_json::Value {
    json!({
        "action": "exec",
        "call": Op::EcsExecuteCommand.name(),
        "cluster": open.target.cluster,
        "service": open.target.service,
        "task": open.target.task_arn,
        "container": open.target.container,
        "command": open.command,
        "session_id": session_id,
        "via": if open.plugin { "session-manager-plugin" } else { "native" },
    })
}

fn audit_with(
    audit: &Audit,
    phase: &str,
    open: &OpenSession,
    sid: &str,
    outcome: serde_json::Value,
) -> std::io::Result<String> {
    let mut w = what(open, sid);
    w["outcome"] = outcome;
    audit.record_session(phase, &open.ctx, w)
}

pub async fn run(
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    open: OpenSession,
    input: mpsc::Receiver<ToAgent>,
    tx: mpsc::Sender<Msg>,
) {
    let id = open.id;
    if let Err(e) = ready_to_open(&audit, &open) {
        let _ = tx
            .send(Msg::Exec(ExecMsg::Failed {
                id,
                message: e.to_string(),
                fix: None,
            }))
            .await;
        return;
    }
    let call = fleet.execute_command(&open.target, &open.command);
    let grant = match with_priority(Priority::Action, call).await {
        Ok(g) => g,
        Err(e) => return refused(&audit, &open, e, &tx).await,
    };
    let _ = audit_with(
        &audit,
        "after",
        &open,
        &grant.session_id,
        json!("session started"),
    );
    let _ = tx
        .send(Msg::Exec(ExecMsg::Started(id, grant.session_id.clone())))
        .await;
    let end = if open.plugin {
        super::plugin::run(&fleet, &open, &grant, input, &tx).await
    } else {
        native(fleet, &open, &grant, input, &tx).await
    };
    let (outcome, msg) = match end {
        Ok((reason, code)) => (
            json!({"ended": reason, "exit_code": code}),
            ExecMsg::Ended(id, reason),
        ),
        Err(e) => {
            let message = e.to_string();
            let fix = fix_for(&message, &open.target);
            (
                json!({"failed": message}),
                ExecMsg::Failed { id, message, fix },
            )
        }
    };
    let _ = audit_with(&audit, "end", &open, &grant.session_id, outcome);
    let _ = tx.send(Msg::Exec(msg)).await;
}

/// The plugin is there when asked for, and the audit record is written: else nothing opens.
fn ready_to_open(audit: &Audit, open: &OpenSession) -> Result<(), SessionError> {
    if open.plugin {
        super::plugin::locate()?;
    }
    audit_with(audit, "before", open, "", json!(null))
        .map(|_| ())
        .map_err(SessionError::Audit)
}

async fn refused(audit: &Audit, open: &OpenSession, e: ApiError, tx: &mpsc::Sender<Msg>) {
    let fix = super::hints::fix_for_cloud(&e, &open.target);
    let _ = audit_with(audit, "refused", open, "", json!({"error": e.to_string()}));
    let m = ExecMsg::Failed {
        id: open.id,
        message: e.to_string(),
        fix,
    };
    let _ = tx.send(Msg::Exec(m)).await;
}

/// The data channel, spoken here: its events become the loop's messages. The end's reason
/// and the exit code, or why it failed.
async fn native(
    fleet: Arc<dyn Fleet>,
    open: &OpenSession,
    grant: &SessionGrant,
    input: mpsc::Receiver<ToAgent>,
    tx: &mpsc::Sender<Msg>,
) -> Result<(String, Option<i32>), SessionError> {
    let setup = Setup {
        session_id: grant.session_id.clone(),
        stream_url: grant.stream_url.clone(),
        token: grant.token.clone(),
        target: open.target.ssm_target(),
        policy: fleet.session_place().policy,
        client_id: MessageId::random().to_string(),
    };
    let (events_tx, mut events) = mpsc::channel(256);
    let api = Arc::new(FleetApi(fleet));
    let session = tokio::spawn(channel::run(setup, api, input, events_tx));
    let mut cleaner = OutputCleaner::default();
    let mut code = None;
    while let Some(e) = events.recv().await {
        let id = open.id;
        let m = match e {
            FromAgent::Ready {
                agent_version,
                encrypted,
                ..
            } => ExecMsg::Ready {
                id,
                encrypted,
                agent: crate::model::text::clean(&agent_version),
            },
            FromAgent::Output(b) | FromAgent::StdErr(b) => ExecMsg::Output(id, cleaner.clean(&b)),
            FromAgent::Exit(c) => {
                code = Some(c);
                ExecMsg::Exit(id, c)
            }
            FromAgent::Message(text) => ExecMsg::Notice(id, crate::model::text::clean(&text)),
            FromAgent::Reconnecting => ExecMsg::Reconnecting(id),
            FromAgent::Resumed => ExecMsg::Resumed(id),
            FromAgent::Flag(_) => continue,
        };
        if tx.send(Msg::Exec(m)).await.is_err() {
            break; // the console is gone
        }
    }
    match session.await {
        Ok(ChannelEnd::Closed(reason)) => Ok((crate::model::text::clean(&reason), code)),
        Ok(ChannelEnd::Ended) => Ok(("ended from the console".into(), code)),
        Ok(ChannelEnd::Failed(e)) => Err(e.into()),
        Err(e) => Err(e.into()),
    }
}
