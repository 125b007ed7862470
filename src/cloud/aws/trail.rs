//! Changes made to a service from outside the console: CloudTrail's `LookupEvents`, one event
//! name at a time (a lookup takes one attribute), read in the span and matched to the service
//! by the request's parameters. The quota is 2 requests a second per account and region, so
//! it is asked only when a timeline is opened, through the API budget.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::trail::{APP_NAME, CHANGING_CALLS, TrailEvent, concerns, shown_params};
use crate::model::{ApiError, ApiResult, At, ErrorKind, Op, ServiceKey};
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use serde_json::Value;

/// Pages read per event name, at most (50 events a page).
const PAGES: usize = 4;

/// The events that changed `key` (or registered its `family`) between `from` and `until`,
/// newest first.
pub async fn lookup(
    client: &aws_sdk_cloudtrail::Client,
    gate: &CallGate,
    key: &ServiceKey,
    family: &str,
    span: (At, At),
) -> ApiResult<Vec<TrailEvent>> {
    let mut out = Vec::new();
    for name in CHANGING_CALLS {
        let attr = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventName)
            .attribute_value(name)
            .build()
            .map_err(|e| ApiError::new(ErrorKind::Other, e.to_string()))?;
        let mut token: Option<String> = None;
        for _ in 0..PAGES {
            let page = client
                .lookup_events()
                .lookup_attributes(attr.clone())
                .start_time(DateTime::from_millis(span.0.millis()))
                .end_time(DateTime::from_millis(span.1.millis()))
                .max_results(50)
                .set_next_token(token.take())
                .send()
                .within(gate, Op::CloudTrailLookupEvents)
                .await?;
            out.extend(page.events().iter().filter_map(|e| map(e, key, family)));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// One event, when it is about the service.
pub fn map(e: &Event, key: &ServiceKey, family: &str) -> Option<TrailEvent> {
    let raw: Value = serde_json::from_str(e.cloud_trail_event()?).ok()?;
    let params = &raw["requestParameters"];
    if !concerns(params, &key.cluster, &key.name, family) {
        return None;
    }
    let who = raw["userIdentity"]["arn"]
        .as_str()
        .or(e.username())
        .unwrap_or("unknown")
        .to_string();
    let agent = raw["userAgent"].as_str().unwrap_or_default();
    Some(TrailEvent {
        id: e.event_id().unwrap_or_default().to_string(),
        at: e
            .event_time()
            .and_then(|t| t.to_millis().ok())
            .map_or(At::EPOCH, At),
        name: e.event_name().unwrap_or_default().to_string(),
        who,
        params: shown_params(params),
        error: raw["errorCode"].as_str().map(str::to_string),
        by_console: agent.contains(&format!("app/{APP_NAME}")),
    })
}
