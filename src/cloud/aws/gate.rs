//! The gate every AWS call passes: it asks the API budget before the call is sent, and after a
//! failure maps the SDK's error (`ErrorMapper`) and tells the budget of throttling, so the whole
//! process slows down for that operation.

use crate::budget::Budget;
use crate::cloud::aws::credentials::CredentialState;
use crate::cloud::aws::errors::ErrorMapper;
use crate::model::{ApiError, ApiResult, ErrorKind, Op};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// The budget a call asks first, and the mapper its failure goes through.
#[derive(Debug, Clone, Default)]
pub struct CallGate {
    budget: Arc<Budget>,
    errors: ErrorMapper,
    scope: Scope,
}

/// The account and region a backend's calls go to: the budget's buckets are theirs, since
/// AWS's quotas are. The account is known from the first STS answer; until then the profile
/// stands for it.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub account: Arc<OnceLock<String>>,
    pub profile: String,
    pub region: String,
}

impl Scope {
    /// The scope of a backend on `profile` (None: the default one) in `region`, its account
    /// not known yet.
    pub fn new(profile: Option<&str>, region: &str) -> Self {
        Self {
            account: Arc::default(),
            profile: profile.unwrap_or("default").to_string(),
            region: region.to_string(),
        }
    }

    /// `111111111111/eu-west-1`, or `profile prod/eu-west-1` before the account is known.
    pub fn key(&self) -> String {
        match self.account.get() {
            Some(a) => format!("{a}/{}", self.region),
            None => format!("profile {}/{}", self.profile, self.region),
        }
    }
}

/// An SDK call made within the budget: `.send().within(gate, Op::EcsListServices).await`.
/// The call's future is lazy, so nothing is sent before the budget allows it.
pub trait Within<T, E>: Future<Output = Result<T, SdkError<E, HttpResponse>>> + Sized {
    fn within(self, gate: &CallGate, action: Op) -> impl Future<Output = ApiResult<T>>;
}

impl<T, E, F> Within<T, E> for F
where
    F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    async fn within(self, gate: &CallGate, action: Op) -> ApiResult<T> {
        gate.acquire(action).await;
        self.await.map_err(|e| gate.fail(action, e))
    }
}

impl CallGate {
    pub fn new(budget: Arc<Budget>, errors: ErrorMapper) -> Self {
        Self {
            budget,
            errors,
            scope: Scope::default(),
        }
    }

    /// The account and region its calls are budgeted for.
    pub fn in_scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The budget's key for this backend's calls (`account/region`).
    pub fn scope(&self) -> String {
        self.scope.key()
    }

    /// Tells `state` when the service refuses the credentials.
    pub fn with_credentials(mut self, state: Arc<CredentialState>) -> Self {
        self.errors = self.errors.with_credentials(state);
        self
    }

    /// How failures are put into words (the credentials hint names the profile).
    pub fn errors(&self) -> &ErrorMapper {
        &self.errors
    }

    /// The API budget every call asks (a first load boosts it).
    pub fn budget(&self) -> &Arc<Budget> {
        &self.budget
    }

    /// Waits until the budget allows a call of `action`.
    pub async fn acquire(&self, action: Op) {
        self.budget.acquire_in(&self.scope.key(), action).await;
    }

    /// The error a failed call of `action` returns; throttling slows the operation down.
    pub fn fail<E>(&self, action: Op, err: SdkError<E, HttpResponse>) -> ApiError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        self.report(action, self.errors.map(action, err))
    }

    /// The error of an answer read by its code and HTTP status (a stream's own error event);
    /// throttling slows the operation down.
    pub fn classify(&self, action: Op, status: u16, code: &str, message: &str) -> ApiError {
        self.report(action, self.errors.classify(action, status, code, message))
    }

    fn report(&self, action: Op, e: ApiError) -> ApiError {
        if e.kind == ErrorKind::Throttled {
            // The quota is the account's: the process slows down for this operation there.
            self.budget.throttled_in(&self.scope.key(), action);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_slows_the_operation_down_and_other_failures_do_not() {
        let budget = Arc::new(Budget::default());
        let gate = CallGate::new(budget.clone(), ErrorMapper::default());
        let e = gate.classify(Op::EcsDescribeTasks, 400, "AccessDeniedException", "no");
        assert!(matches!(e.kind, ErrorKind::AccessDenied(_)));
        assert!(budget.report().iter().all(|r| r.throttled == 0));
        let e = gate.classify(Op::EcsDescribeTasks, 429, "", "");
        assert_eq!(e.kind, ErrorKind::Throttled);
        let r = budget.report();
        let op = r
            .iter()
            .find(|r| r.op == Op::EcsDescribeTasks)
            .expect("reported");
        assert_eq!(op.throttled, 1);
    }
}
