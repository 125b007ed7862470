//! The team's copy of the audit log: records kept in `audit-unsent.jsonl` are appended to the
//! configured CloudWatch Logs group, the "before" record before its call is sent, and whatever
//! could not go is tried again every minute until it does. The header says when the group is
//! missing or records wait.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::state::{ConnectionEvent, Msg, TeamAudit};
use crate::workers::audit::{Audit, SHIP_BATCH};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the "before" record may hold up its call: past that the call goes, and the record
/// waits in the unsent file (the local audit log has it already).
pub const BEFORE_CALL_WAIT: Duration = Duration::from_secs(5);
/// How often records that could not be sent are tried again.
pub const RETRY: Duration = Duration::from_secs(60);

/// Sends the records waiting for the group, oldest first. None when there was nothing to send
/// (or no group); otherwise how the group stands now.
pub async fn ship(fleet: &dyn Fleet, audit: &Audit) -> Option<TeamAudit> {
    let group = audit.remote_group.as_ref()?;
    let _one = audit.shipping().await;
    let mut sent_any = false;
    loop {
        let lines = audit.unsent(SHIP_BATCH);
        if lines.is_empty() {
            return sent_any.then_some(TeamAudit::Ok);
        }
        if let Err(e) = fleet.ship_audit(group, &lines).await {
            tracing::warn!(error = %e, group, "audit records not shipped; kept to retry");
            return Some(unsent(audit, &e.to_string()));
        }
        if let Err(e) = audit.drop_sent(lines.len()) {
            let why = format!("sent, but could not be crossed off the unsent file: {e}");
            return Some(unsent(audit, &why));
        }
        sent_any = true;
    }
}

fn unsent(audit: &Audit, why: &str) -> TeamAudit {
    TeamAudit::Unsent {
        count: audit.unsent_count(),
        why: why.to_string(),
    }
}

/// Sends the record just written before its call goes, for at most `BEFORE_CALL_WAIT`.
pub async fn ship_before_call(fleet: &dyn Fleet, audit: &Audit) -> Option<TeamAudit> {
    audit.remote_group.as_ref()?;
    match tokio::time::timeout(BEFORE_CALL_WAIT, ship(fleet, audit)).await {
        Ok(status) => status,
        Err(_) => Some(unsent(
            audit,
            "CloudWatch Logs did not answer in time; the call went ahead",
        )),
    }
}

/// Whether the group exists, said once the console is connected.
pub async fn check_group(fleet: &dyn Fleet, audit: &Audit) -> Option<TeamAudit> {
    let group = audit.remote_group.as_ref()?;
    Some(match fleet.audit_group_exists(group).await {
        Ok(true) if audit.unsent_count() == 0 => TeamAudit::Ok,
        Ok(true) => unsent(audit, "not sent yet"),
        Ok(false) => TeamAudit::Missing(format!("log group {group} does not exist")),
        Err(e) => TeamAudit::Missing(format!("cannot check log group {group}: {e}")),
    })
}

/// Tries the records left unsent (by this run or an earlier one) now and every `RETRY`,
/// reporting to the loop whenever it sent or failed to send some.
pub async fn retry(fleet: Arc<dyn Fleet>, audit: Arc<Audit>, tx: mpsc::Sender<Msg>) {
    if audit.remote_group.is_none() || fleet.read_only() {
        return;
    }
    loop {
        let status = with_priority(Priority::Background, ship(fleet.as_ref(), &audit)).await;
        if let Some(s) = status
            && tx
                .send(Msg::Connection(ConnectionEvent::TeamAudit(s)))
                .await
                .is_err()
        {
            return;
        }
        tokio::time::sleep(RETRY).await;
    }
}
