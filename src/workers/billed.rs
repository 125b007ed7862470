//! The billed-cost worker: what Cost Explorer billed each service yesterday, read once an
//! hour, only when the backend says `[cost] explorer` is on. Off (the default), it ends at
//! once and no Cost Explorer request is ever made: each costs $0.01.

use crate::budget::{Priority, with_priority};
use crate::cloud::Fleet;
use crate::model::At;
use crate::state::Msg;
use crate::timing::now_ms;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often Cost Explorer is read: yesterday's figures settle slowly.
pub const EVERY: Duration = Duration::from_secs(3_600);

/// Yesterday and today (UTC) at `now`, as Cost Explorer writes days: the span of one day.
pub fn yesterday(now: At) -> Option<(String, String)> {
    let today = chrono::DateTime::from_timestamp_millis(now.millis())?.date_naive();
    let day = today.pred_opt()?;
    Some((
        day.format("%Y-%m-%d").to_string(),
        today.format("%Y-%m-%d").to_string(),
    ))
}

/// One read of yesterday's billed costs, sent to the loop; false when the loop is gone.
pub async fn read_once(fleet: &dyn Fleet, tx: &mpsc::Sender<Msg>, now: At) -> bool {
    let Some((day, next)) = yesterday(now) else {
        return true;
    };
    let answer = with_priority(Priority::Background, fleet.billed_day(&day, &next)).await;
    tx.send(Msg::Billed(answer)).await.is_ok()
}

pub async fn run(fleet: Arc<dyn Fleet>, tx: mpsc::Sender<Msg>) {
    if !fleet.cost_explorer() {
        return;
    }
    loop {
        if !read_once(fleet.as_ref(), &tx, now_ms()).await {
            return;
        }
        tokio::time::sleep(EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn yesterday_is_the_utc_day_before() {
        // 2026-12-06T00:30:00Z.
        let now = crate::model::At(1_796_517_000_000);
        assert_eq!(
            super::yesterday(now),
            Some(("2026-12-05".to_string(), "2026-12-06".to_string()))
        );
    }
}
