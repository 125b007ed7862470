//! The team's audit records read back from its CloudWatch Logs group (`FilterLogEvents` on the
//! console's stream), so a timeline shows what the whole team did, not only this machine.

use crate::cloud::aws::AwsFleet;
use crate::cloud::aws::gate::Within;
use crate::cloud::aws::mutations::AUDIT_STREAM;
use crate::model::{ApiResult, At, Op};

/// Pages read at most (up to 10,000 events each).
const PAGES: usize = 5;

/// The records written to `group` between `from` and `until`, oldest first, as written.
pub async fn read(f: &AwsFleet, group: &str, from: At, until: At) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..PAGES {
        let page = f
            .logs
            .filter_log_events()
            .log_group_name(group)
            .log_stream_names(AUDIT_STREAM)
            .start_time(from.millis())
            .end_time(until.millis())
            .set_next_token(token.take())
            .send()
            .within(&f.gate, Op::LogsFilterLogEvents)
            .await?;
        out.extend(
            page.events()
                .iter()
                .filter_map(|e| e.message().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}
