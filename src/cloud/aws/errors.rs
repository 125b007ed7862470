//! Turns SDK errors into `ApiError`s a pane can act on: what kind of failure, and for
//! credentials and permissions, what the user should do about it.

use crate::model::Op;
use crate::model::text::clean;
use crate::model::{ApiError, ErrorKind, chain_text};
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;
use std::sync::Arc;

/// Error codes that mean the credentials are missing, wrong or expired.
const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
    "RequestExpired",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
];

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Knows the profile in use, so a credentials error can say which login to run.
#[derive(Debug, Clone, Default)]
pub struct ErrorMapper {
    /// The profile named explicitly (option or `AWS_PROFILE`); `None` for the default chain.
    profile: Option<String>,
    /// Told when credentials were refused, so renewed ones are read before the next call.
    credentials: Option<Arc<crate::cloud::aws::credentials::CredentialState>>,
    /// The SSO session the credentials come from (`[fleet] sso_session`), over the profile.
    sso_session: Option<String>,
}

impl ErrorMapper {
    pub fn new(profile: Option<String>) -> Self {
        Self {
            profile,
            credentials: None,
            sso_session: None,
        }
    }

    /// The credentials come from the SSO session `session`: its login is the one to run.
    pub fn for_sso_session(mut self, session: &str) -> Self {
        self.sso_session = Some(session.to_string());
        self
    }

    /// Tells `state` when the service refuses the credentials.
    pub fn with_credentials(
        mut self,
        state: Arc<crate::cloud::aws::credentials::CredentialState>,
    ) -> Self {
        self.credentials = Some(state);
        self
    }

    /// The message for missing or expired credentials, saying what to run.
    pub fn credentials_hint(&self) -> String {
        if let Some(s) = &self.sso_session {
            return format!("run `aws sso login --sso-session {s}`");
        }
        match &self.profile {
            Some(p) => format!(
                "run `aws sso login --profile {p}` (or refresh the credentials of profile {p})"
            ),
            None => {
                "set AWS credentials (env, profile or SSO), e.g. run `aws sso login --profile NAME`"
                    .to_string()
            }
        }
    }

    fn credentials(&self, detail: &str) -> ApiError {
        if let Some(state) = &self.credentials {
            state.refused();
        }
        // One line: the provider chain lists what it tried on separate lines.
        let mut flat = String::new();
        for line in detail.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !flat.is_empty() {
                flat.push_str(if flat.ends_with(':') { " " } else { "; " });
            }
            flat.push_str(line);
        }
        let flat = clean(&flat);
        let detail = flat.as_str();
        let message = if detail.is_empty() {
            format!("no valid AWS credentials: {}", self.credentials_hint())
        } else if detail.contains("aws sso login") {
            // The provider said what to run (an SSO session's credentials do): once is enough.
            format!("no valid AWS credentials: {detail}")
        } else {
            format!(
                "no valid AWS credentials: {}. ({detail})",
                self.credentials_hint()
            )
        };
        ApiError::new(ErrorKind::Credentials, message)
    }

    /// Maps one SDK error. `action` is the IAM action of the call, e.g. `ecs:ListServices`.
    pub fn map<E>(&self, action: Op, err: SdkError<E, HttpResponse>) -> ApiError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        match &err {
            SdkError::ServiceError(ctx) => {
                let status = ctx.raw().status().as_u16();
                let fallback = raw_code(ctx.raw());
                let code = ctx.err().code().unwrap_or(&fallback);
                let message = ctx.err().message().unwrap_or_default();
                if code.is_empty() && message.is_empty() {
                    // No code, no message: the SDK could not read the answer (a body that does
                    // not parse comes back this way). Its own words say what failed.
                    return self.unreadable(action, status, &err);
                }
                self.classify(action, status, code, message)
            }
            SdkError::ResponseError(ctx) => {
                let status = ctx.raw().status().as_u16();
                if status >= 500 || status == 429 || status == 403 {
                    self.classify(action, status, &raw_code(ctx.raw()), "")
                } else {
                    self.unreadable(action, status, &err)
                }
            }
            SdkError::TimeoutError(_) => ApiError::new(
                ErrorKind::Unreachable,
                format!("{action}: the endpoint did not answer in time"),
            ),
            SdkError::DispatchFailure(d) => {
                if let Some(detail) = credentials_failure(&err) {
                    return self.credentials(&detail);
                }
                if d.is_timeout() {
                    ApiError::new(
                        ErrorKind::Unreachable,
                        format!(
                            "{action}: the endpoint did not answer in time ({})",
                            chain_text(&err)
                        ),
                    )
                } else if d.is_io() {
                    ApiError::new(
                        ErrorKind::Unreachable,
                        format!("{action}: {}", chain_text(&err)),
                    )
                } else {
                    ApiError::new(ErrorKind::Other, format!("{action}: {}", chain_text(&err)))
                }
            }
            SdkError::ConstructionFailure(_) => {
                if let Some(detail) = credentials_failure(&err) {
                    return self.credentials(&detail);
                }
                ApiError::new(ErrorKind::Other, format!("{action}: {}", chain_text(&err)))
            }
            _ => ApiError::new(ErrorKind::Other, format!("{action}: {}", chain_text(&err))),
        }
    }

    /// An answer that could not be read: cut off mid-body (the connection broke, so it is
    /// worth retrying) or not what the API describes (the parser's words say where).
    fn unreadable<E>(&self, action: Op, status: u16, err: &SdkError<E, HttpResponse>) -> ApiError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let detail = clean(&chain_text(err));
        if !(200..300).contains(&status) {
            // An error answer without a code: its status and the SDK's words (a 5xx or 429
            // says its status itself).
            let words = if status >= 500 || status == 429 {
                detail
            } else {
                format!("HTTP {status}: {detail}")
            };
            return self.classify(action, status, "", &words);
        }
        if broke_off(err) {
            return ApiError::new(
                ErrorKind::Unreachable,
                format!("{action}: the answer broke off (HTTP {status}): {detail}"),
            );
        }
        ApiError::new(
            ErrorKind::Unreadable,
            format!("{action}: HTTP {status}, the answer could not be read: {detail}"),
        )
    }

    /// Classifies an answer from the service by its error code and HTTP status.
    pub fn classify(&self, action: Op, status: u16, code: &str, message: &str) -> ApiError {
        // What the service says is from outside: cleaned before it reaches a pane.
        let (code, message) = (&clean(code), &clean(message.trim()));
        let (code, message) = (code.as_str(), message.as_str());
        if CREDENTIAL_CODES.contains(&code) {
            return self.credentials(&format!("{code}: {message}"));
        }
        if ACCESS_DENIED_CODES.contains(&code) || status == 403 && code.is_empty() {
            return ApiError::new(
                ErrorKind::AccessDenied(action),
                if message.is_empty() {
                    format!("not allowed to call {action}")
                } else {
                    message.to_string()
                },
            );
        }
        if THROTTLING_CODES.contains(&code) || status == 429 {
            return ApiError::new(
                ErrorKind::Throttled,
                format!("{action}: {}", or_code(code, message, status)),
            );
        }
        if status >= 500 {
            let what = if message.is_empty() || message.starts_with('<') {
                format!("HTTP {status} from the endpoint")
            } else {
                format!("HTTP {status}: {}", or_code(code, message, status))
            };
            return ApiError::new(ErrorKind::ServerError, format!("{action}: {what}"));
        }
        ApiError::new(
            ErrorKind::Other,
            format!("{action}: {}", or_code(code, message, status)),
        )
    }
}

/// The error code of an answer the protocol's parser could not read: the `x-amzn-errortype`
/// header the JSON protocols carry (`Code:uri` or `Code`), else an XML error body's `<Code>`.
/// A front end, a proxy or an emulator may answer a JSON call in XML, and an invalid or
/// expired token must still be known as one.
fn raw_code(raw: &HttpResponse) -> String {
    if let Some(h) = raw.headers().get("x-amzn-errortype") {
        return h.split(':').next().unwrap_or_default().to_string();
    }
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    body.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.trim().to_string())
        .filter(|c| c.len() < 100 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.'))
        .unwrap_or_default()
}

/// The code and message; with neither, the HTTP status, so a message is never empty.
fn or_code(code: &str, message: &str, status: u16) -> String {
    match (code.is_empty(), message.is_empty()) {
        (false, false) => format!("{code}: {message}"),
        (false, true) => code.to_string(),
        (true, false) => message.to_string(),
        (true, true) => format!("HTTP {status} with no error code or message"),
    }
}

/// Whether reading the answer failed because the connection broke (an I/O error in the
/// chain), rather than because what arrived does not parse.
fn broke_off(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<std::io::Error>().is_some() {
            return true;
        }
        let text = e.to_string().to_lowercase();
        if [
            "connection reset",
            "connection closed",
            "broken pipe",
            "unexpected eof",
            "incomplete",
        ]
        .iter()
        .any(|w| text.contains(w))
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The innermost credentials-provider failure in the chain, if the call failed for want of
/// credentials before it was sent.
fn credentials_failure(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut found = None;
    while let Some(e) = cur {
        if e.downcast_ref::<CredentialsError>().is_some() {
            found = Some(e);
        }
        cur = e.source();
    }
    let first = found?;
    // The provider's own words, below the wrapper, say what was tried.
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(first);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        cur = e.source();
    }
    Some(parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper() -> ErrorMapper {
        ErrorMapper::new(Some("prod".into()))
    }

    #[test]
    fn expired_token_says_what_to_run() {
        let e = mapper().classify(Op::EcsListServices, 400, "ExpiredTokenException", "expired");
        assert_eq!(e.kind, ErrorKind::Credentials);
        assert!(
            e.message.contains("aws sso login --profile prod"),
            "{}",
            e.message
        );
    }

    #[test]
    fn no_profile_hint_names_the_sources() {
        let e = ErrorMapper::new(None).classify(
            Op::StsGetCallerIdentity,
            403,
            "InvalidClientTokenId",
            "",
        );
        assert_eq!(e.kind, ErrorKind::Credentials);
        assert!(
            e.message
                .contains("set AWS credentials (env, profile or SSO)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn access_denied_carries_the_action() {
        let e = mapper().classify(Op::EcsListServices, 400, "AccessDeniedException", "nope");
        assert_eq!(e.kind, ErrorKind::AccessDenied(Op::EcsListServices));
        assert_eq!(e.message, "nope");
    }

    #[test]
    fn throttling_is_throttled_and_a_5xx_a_server_error() {
        let m = mapper();
        assert_eq!(
            m.classify(Op::LogsFilterLogEvents, 400, "ThrottlingException", "")
                .kind,
            ErrorKind::Throttled
        );
        assert_eq!(
            m.classify(Op::CloudWatchDescribeAlarms, 400, "Throttling", "")
                .kind,
            ErrorKind::Throttled
        );
        assert_eq!(
            m.classify(Op::EcsDescribeTasks, 429, "", "").kind,
            ErrorKind::Throttled
        );
        let e = m.classify(Op::EcsListServiceDeployments, 500, "", "<!doctype html>");
        // Retried with backoff as throttling is, but never called throttling.
        assert_eq!(e.kind, ErrorKind::ServerError);
        assert!(e.is_transient());
        assert_eq!(
            e.message,
            "ecs:ListServiceDeployments: HTTP 500 from the endpoint"
        );
    }

    #[test]
    fn other_client_errors_are_other() {
        let e = mapper().classify(
            Op::EcsDescribeServices,
            400,
            "ClusterNotFoundException",
            "Cluster not found.",
        );
        assert_eq!(e.kind, ErrorKind::Other);
        assert!(e.message.contains("ClusterNotFoundException"));
    }
}
