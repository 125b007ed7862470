//! The team's copy of the audit log: records kept in `audit-unsent.jsonl` are appended to the
//! configured CloudWatch Logs group, the "before" record before its call is sent, and whatever
//! could not go is tried again every minute until it does. The header says when the group is
//! missing or records wait.
//!
//! A record goes to the group of the context it was made in, through that context's backend:
//! each context's workers ship that context's records only (`RecordContext`), so after a
//! `:ctx` switch nothing is sent to another account's group.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::state::{ConnectionEvent, Msg, TeamAudit};
use crate::workers::audit::{Audit, RecordContext, SHIP_BATCH};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the "before" record may hold up its call: past that the call goes, and the record
/// waits in the unsent file (the local audit log has it already).
pub const BEFORE_CALL_WAIT: Duration = Duration::from_secs(5);
/// How often records that could not be sent are tried again.
pub const RETRY: Duration = Duration::from_secs(60);

/// Sends the records of context `of` waiting for the group, oldest first, through `fleet`,
/// that context's backend. None when there was nothing to send (or no group); otherwise how
/// the group stands now.
pub async fn ship(fleet: &dyn Fleet, audit: &Audit, of: &RecordContext) -> Option<TeamAudit> {
    let group = audit.remote_group.as_ref()?;
    let _one = audit.shipping().await;
    let mut sent_any = false;
    loop {
        let lines = audit.unsent(of, SHIP_BATCH);
        if lines.is_empty() {
            return sent_any.then_some(TeamAudit::Ok);
        }
        if let Err(e) = fleet.ship_audit(group, &lines).await {
            tracing::warn!(error = %e, group, "audit records not shipped; kept to retry");
            return Some(unsent(audit, of, &e.to_string()));
        }
        if let Err(e) = audit.drop_sent(&lines) {
            let why = format!("sent, but could not be crossed off the unsent file: {e}");
            return Some(unsent(audit, of, &why));
        }
        sent_any = true;
    }
}

fn unsent(audit: &Audit, of: &RecordContext, why: &str) -> TeamAudit {
    TeamAudit::Unsent {
        count: audit.unsent_count(of),
        why: why.to_string(),
    }
}

/// Sends the record just written before its call goes, for at most `BEFORE_CALL_WAIT`.
pub async fn ship_before_call(
    fleet: &dyn Fleet,
    audit: &Audit,
    of: &RecordContext,
) -> Option<TeamAudit> {
    audit.remote_group.as_ref()?;
    match tokio::time::timeout(BEFORE_CALL_WAIT, ship(fleet, audit, of)).await {
        Ok(status) => status,
        Err(_) => Some(unsent(
            audit,
            of,
            "CloudWatch Logs did not answer in time; the call went ahead",
        )),
    }
}

/// Whether the group exists in the account of context `of`, said once it is connected.
pub async fn check_group(
    fleet: &dyn Fleet,
    audit: &Audit,
    of: &RecordContext,
) -> Option<TeamAudit> {
    let group = audit.remote_group.as_ref()?;
    Some(match fleet.audit_group_exists(group).await {
        Ok(true) if audit.unsent_count(of) == 0 => TeamAudit::Ok,
        Ok(true) => unsent(audit, of, "not sent yet"),
        Ok(false) => TeamAudit::Missing(format!("log group {group} does not exist")),
        Err(e) => TeamAudit::Missing(format!("cannot check log group {group}: {e}")),
    })
}

/// The team audit of context `of`, on its own backend: says whether the group exists, then
/// tries the records left unsent (by this run or an earlier one) now and every `RETRY`,
/// reporting to the loop whenever it sent or failed to send some. Ends with the context's
/// workers.
pub async fn follow(
    fleet: Arc<dyn Fleet>,
    audit: Arc<Audit>,
    tx: mpsc::Sender<Msg>,
    of: RecordContext,
) {
    let checked = with_priority(
        Priority::Background,
        check_group(fleet.as_ref(), &audit, &of),
    );
    if let Some(status) = checked.await
        && !report(&tx, status).await
    {
        return;
    }
    if audit.remote_group.is_none() || fleet.read_only() {
        return;
    }
    loop {
        let status = with_priority(Priority::Background, ship(fleet.as_ref(), &audit, &of)).await;
        if let Some(s) = status
            && !report(&tx, s).await
        {
            return;
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// Tells the loop how the group stands; false when the loop has ended.
async fn report(tx: &mpsc::Sender<Msg>, status: TeamAudit) -> bool {
    let msg = Msg::Connection(ConnectionEvent::TeamAudit(status));
    tx.send(msg).await.is_ok()
}
