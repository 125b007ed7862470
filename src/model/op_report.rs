//! What the API budget allowed in the last minute, per operation, as `:budget` shows it. A
//! model type: the budget makes it, the state keeps it and the ui draws it.

/// One operation's figures, for `:budget`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpReport {
    pub op: crate::model::Op,
    /// The account and region its bucket is for (`111111111111/eu-west-1`); empty for
    /// GitHub's calls and a budget asked without one.
    pub scope: String,
    pub calls_last_minute: usize,
    /// Calls a second allowed now, and as configured.
    pub rate: f64,
    pub max_rate: f64,
    /// Calls that had to wait for a token.
    pub deferred: u64,
    /// Of those, confirmed actions' calls (they jump the queue, so this stays 0).
    pub actions_deferred: u64,
    /// Throttling answers seen.
    pub throttled: u64,
    /// The last minute's calls by the pane or worker that made them, busiest first.
    pub by_caller: Vec<(&'static str, usize)>,
}

impl OpReport {
    /// The operation, with the account and region when the bucket has one.
    pub fn label(&self) -> String {
        if self.scope.is_empty() {
            self.op.name().to_string()
        } else {
            format!("{} · {}", self.op.name(), self.scope)
        }
    }
}
