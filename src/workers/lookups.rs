//! One-off lookups the reducer asks for: who owns a batch of services (CloudFormation, in the
//! background), and the commits behind a dialog's deploy (GitHub's compare, for the screen).

use crate::budget::{Priority, with_priority};
use crate::ci::Ci;
use crate::cloud::Fleet;
use crate::model::ServiceKey;
use crate::model::commits::CompareQuery;
use crate::state::Msg;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The stack of each service (key, ARN), answered in one message.
pub async fn owners(
    fleet: Arc<dyn Fleet>,
    batch: Vec<(ServiceKey, String)>,
    tx: mpsc::Sender<Msg>,
) {
    let ask = async {
        let mut out = Vec::with_capacity(batch.len());
        for (key, arn) in batch {
            let found = fleet.stack_of(&arn).await;
            out.push((key, found));
        }
        out
    };
    let answers = with_priority(Priority::Background, ask).await;
    let _ = tx.send(Msg::Owners(answers)).await;
}

pub async fn compare(ci: Arc<dyn Ci>, q: CompareQuery, tx: mpsc::Sender<Msg>) {
    let r = with_priority(Priority::Visible, ci.compare(&q)).await;
    let _ = tx.send(Msg::Compared(q, r)).await;
}
