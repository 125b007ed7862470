//! How a call to AWS or GitHub failed: one error type for both sides, so the panes, the
//! workers and the runner say what to do about a failure whichever API it came from.

use std::fmt;

/// What a call to AWS or GitHub returns.
pub type ApiResult<T> = Result<T, ApiError>;

/// How a call failed, so a pane can say what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No usable credentials, or they expired. The message says what to run.
    Credentials,
    /// The caller lacks an IAM permission; carries the refused action, e.g. `ecs:ListServices`.
    AccessDenied(crate::model::Op),
    /// Throttled: retried with backoff, and the API budget slows the operation down.
    Throttled,
    /// The service failed (HTTP 5xx): retried with backoff.
    ServerError,
    /// The endpoint could not be reached, or the connection broke mid-answer.
    Unreachable,
    /// The endpoint answered, but the answer could not be read as the API describes it (a
    /// body that does not parse). The message carries the parser's words.
    Unreadable,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// Only a part of a listing failed: the rest was read and is shown.
    pub partial: bool,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            partial: false,
        }
    }

    /// The same failure, of only a part of a listing.
    pub fn partial(mut self) -> Self {
        self.partial = true;
        self
    }

    /// The same failure, of the whole of a listing.
    pub fn whole(mut self) -> Self {
        self.partial = false;
        self
    }

    /// Worth retrying with backoff rather than at the normal pace.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Throttled | ErrorKind::ServerError | ErrorKind::Unreachable
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::AccessDenied(action) => {
                write!(f, "access denied: {action}: {}", self.message)
            }
            ErrorKind::Throttled => write!(f, "throttled: {}", self.message),
            ErrorKind::ServerError => write!(f, "service error: {}", self.message),
            ErrorKind::Unreachable => write!(f, "endpoint unreachable: {}", self.message),
            ErrorKind::Unreadable => write!(f, "unreadable answer: {}", self.message),
            ErrorKind::Credentials => write!(f, "credentials: {}", self.message),
            ErrorKind::Other => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}

/// The error and its causes on one line, without repeats.
pub fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    crate::model::text::clean(&parts.join(": "))
}
