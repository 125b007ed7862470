//! Live Tail: one `StartLiveTail` session for the followed groups (at most 10; stream prefixes
//! only when there is one group, as the API requires), read as the SDK's event stream and
//! mapped into `LiveUpdate`s. How a session cannot start or ends is told apart, so the log
//! worker knows whether to poll instead (`Unavailable`), start another (`Timeout`, after three
//! hours) or reconnect (`Broken`).

use crate::cloud::LiveStream;
use crate::cloud::aws::gate::CallGate;
use crate::model::At;
use crate::model::Op;
use crate::model::{LiveEnd, LiveQuery, LiveUpdate, RawEvent, chain_text};
use aws_sdk_cloudwatchlogs::operation::start_live_tail::StartLiveTailError;
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream as Frame;
use aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError as StreamError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::StreamExt;

/// The most log groups one session takes.
pub const MAX_GROUPS: usize = 10;

/// A log group's ARN, as StartLiveTail wants it (without the trailing `:*`).
pub fn group_arn(region: &str, account: &str, group: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:logs:{region}:{account}:log-group:{group}")
}

/// Opens a session for `q`; `arn` turns a group's name into its ARN.
pub async fn start(
    logs: &aws_sdk_cloudwatchlogs::Client,
    gate: &CallGate,
    arn: impl Fn(&str) -> String,
    q: &LiveQuery,
) -> Result<LiveStream, LiveEnd> {
    if q.groups.is_empty() {
        return Err(LiveEnd::Unavailable("no log group to follow".into()));
    }
    if q.groups.len() > MAX_GROUPS {
        return Err(LiveEnd::Unavailable(format!(
            "{} log groups: a Live Tail session takes at most {MAX_GROUPS}",
            q.groups.len()
        )));
    }
    let mut req = logs
        .start_live_tail()
        .set_log_group_identifiers(Some(q.groups.iter().map(|g| arn(&g.group)).collect()))
        .set_log_event_filter_pattern(q.pattern.clone());
    if let [one] = q.groups.as_slice()
        && !one.prefixes.is_empty()
    {
        req = req.set_log_stream_name_prefixes(Some(one.prefixes.clone()));
    }
    gate.acquire(Op::LogsStartLiveTail).await;
    match req.send().await {
        Ok(out) => Ok(updates(out)),
        Err(e) => Err(start_failure(gate, e)),
    }
}

type Session = aws_sdk_cloudwatchlogs::operation::start_live_tail::StartLiveTailOutput;

/// The session's frames as updates, ending with how the session ended. A session that ends
/// before it started was not a Live Tail session at all (an endpoint that answers the call but
/// does not serve it).
fn updates(session: Session) -> LiveStream {
    futures::stream::unfold(Some((session, false)), |state| async move {
        let (mut rx, started) = state?;
        let item = match rx.response_stream.recv().await {
            Ok(Some(Frame::SessionStart(s))) => Ok(LiveUpdate::Started {
                session: s.session_id().unwrap_or_default().to_string(),
            }),
            Ok(Some(Frame::SessionUpdate(u))) => Ok(LiveUpdate::Events {
                sampled: u.session_metadata().is_some_and(|m| m.sampled()),
                events: u
                    .session_results()
                    .iter()
                    .map(|e| RawEvent {
                        group: group_name(e.log_group_identifier().unwrap_or_default()),
                        stream: e.log_stream_name().unwrap_or_default().to_string(),
                        at: At(e.timestamp().unwrap_or(0)),
                        ingested: At(e.ingestion_time().unwrap_or(0)),
                        message: e.message().unwrap_or_default().to_string(),
                    })
                    .collect(),
            }),
            Ok(Some(_)) => Ok(LiveUpdate::Events {
                events: Vec::new(),
                sampled: false,
            }),
            Ok(None) if !started => {
                let why = "the endpoint answered StartLiveTail without a session";
                return Some((Err(LiveEnd::Unavailable(why.into())), None));
            }
            // Ended without saying why: the stream just ends; the worker decides.
            Ok(None) => return None,
            Err(e) if !started && !matches!(e, SdkError::ServiceError(_)) => {
                let why = format!("the endpoint does not serve Live Tail ({})", chain_text(&e));
                return Some((Err(LiveEnd::Unavailable(why)), None));
            }
            Err(e) => return Some((Err(stream_failure(&e)), None)),
        };
        let started = started || matches!(item, Ok(LiveUpdate::Started { .. }));
        Some((item, Some((rx, started))))
    })
    .boxed()
}

/// `arn:…:log-group:NAME` (or a bare name) → `NAME`.
fn group_name(identifier: &str) -> String {
    match identifier.split_once(":log-group:") {
        Some((_, name)) => name.trim_end_matches(":*").to_string(),
        None => identifier.to_string(),
    }
}

fn stream_failure(
    e: &SdkError<StreamError, aws_smithy_types::event_stream::RawMessage>,
) -> LiveEnd {
    match e.as_service_error() {
        Some(StreamError::SessionTimeoutException(_)) => LiveEnd::Timeout,
        Some(s) => LiveEnd::Broken(format!(
            "{}: {}",
            s.code().unwrap_or("SessionStreamingException"),
            s.message().unwrap_or("the session failed")
        )),
        None => LiveEnd::Broken(match e {
            SdkError::ResponseError(_) => "an update could not be decoded".to_string(),
            other => chain_text(other),
        }),
    }
}

/// Why a session could not start: the endpoint does not serve Live Tail, the account's
/// sessions are used up, or the credentials may not start one (poll instead), or a passing
/// failure (try again).
fn start_failure(gate: &CallGate, e: SdkError<StartLiveTailError, HttpResponse>) -> LiveEnd {
    let unavailable = |why: String| LiveEnd::Unavailable(why);
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or_default();
            let json = ctx
                .raw()
                .headers()
                .get("content-type")
                .is_some_and(|c| c.contains("json"));
            match code {
                "LimitExceededException" => unavailable(
                    "the account's Live Tail sessions are all in use (LimitExceededException)"
                        .into(),
                ),
                "" if !json || status == 404 || status == 501 => unavailable(format!(
                    "the endpoint does not serve Live Tail (HTTP {status})"
                )),
                _ => {
                    let err = gate.classify(
                        Op::LogsStartLiveTail,
                        status,
                        code,
                        ctx.err().message().unwrap_or_default(),
                    );
                    match err.kind {
                        crate::model::ErrorKind::Throttled
                        | crate::model::ErrorKind::Unreachable => LiveEnd::Broken(err.message),
                        crate::model::ErrorKind::AccessDenied(op) => {
                            unavailable(format!("not allowed to call {op}"))
                        }
                        _ => unavailable(err.message),
                    }
                }
            }
        }
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => unavailable(format!(
            "the endpoint does not serve Live Tail ({})",
            chain_text(&e)
        )),
        _ => LiveEnd::Broken(chain_text(&e)),
    }
}

/// The SDK sends StartLiveTail to `stream-<host>`, even with a custom endpoint. For a local
/// endpoint (an address or `localhost`, as an emulator has) that name does not resolve: this
/// puts the host back.
#[derive(Debug, Default)]
pub struct LocalStreamHost;

impl Intercept for LocalStreamHost {
    fn name(&self) -> &'static str {
        "LocalStreamHost"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let req = context.request_mut();
        if let Some(uri) = local_host(req.uri()) {
            req.set_uri(uri)?;
        }
        Ok(())
    }
}

/// `http://stream-127.0.0.1:5000/` → `http://127.0.0.1:5000/`; None for any other URI.
pub fn local_host(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let rest = rest.strip_prefix("stream-")?;
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    let local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok();
    local.then(|| format!("{scheme}://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_stream_hosts_are_put_back() {
        assert_eq!(
            local_host("http://stream-127.0.0.1:5000/"),
            Some("http://127.0.0.1:5000/".into())
        );
        assert_eq!(
            local_host("http://stream-localhost:4566"),
            Some("http://localhost:4566".into())
        );
        assert_eq!(
            local_host("https://stream-logs.eu-west-1.amazonaws.com/"),
            None
        );
        assert_eq!(local_host("http://127.0.0.1:5000/"), None);
    }

    #[test]
    fn arns_and_names() {
        assert_eq!(
            group_arn("eu-west-1", "123456789012", "/ecs/web"),
            "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web"
        );
        assert_eq!(
            group_arn("cn-north-1", "1", "g"),
            "arn:aws-cn:logs:cn-north-1:1:log-group:g"
        );
        assert_eq!(
            group_name("arn:aws:logs:eu-west-1:1:log-group:/ecs/web:*"),
            "/ecs/web"
        );
        assert_eq!(group_name("/ecs/web"), "/ecs/web");
    }
}
