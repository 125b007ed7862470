//! What to change when a session cannot open: the permission an AccessDenied names, the agent
//! that cannot reach SSM, the WebSocket the token or a policy refused.

use crate::model::ExecTarget;
use crate::model::exec::{Blocker, permission_hint};
use crate::model::{ApiError, ErrorKind, Op};

pub fn fix_for_cloud(e: &ApiError, target: &ExecTarget) -> Option<String> {
    match &e.kind {
        ErrorKind::AccessDenied(action) => Some(permission_hint(*action, target)),
        _ => fix_for(&e.message, target),
    }
}

/// From an error's words, when they say something to change.
pub fn fix_for(message: &str, target: &ExecTarget) -> Option<String> {
    if message.contains("TargetNotConnected") || message.contains("execute command agent") {
        let b = Blocker::AgentNotRunning {
            container: target.container.clone(),
            status: None,
        };
        return Some(b.explain().1);
    }
    if message.contains("HTTP 403") || message.contains("HTTP 401") {
        return Some(
            "allow ssmmessages:OpenDataChannel for your role, and open the session again (its \
             token lasts a minute)"
                .into(),
        );
    }
    if message.contains("KMS") || message.contains("kms:") {
        return Some(permission_hint(Op::KmsGenerateDataKey, target));
    }
    None
}
