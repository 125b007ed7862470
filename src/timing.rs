//! Time: the one wall clock every layer reads, and the time limits that more than one layer
//! shares (the runner waits on them, the activity line shows them).

use crate::model::{At, Ms};

/// The wall clock, now.
pub fn now_ms() -> At {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    At::EPOCH + Ms::from_std(since)
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Notes when the process started, for the startup figure in the log; the first call wins.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Time since `mark_start` (zero when it was never called).
pub fn since_start() -> std::time::Duration {
    STARTED
        .get()
        .map_or(std::time::Duration::ZERO, |t| t.elapsed())
}

/// How long the wait until stable runs before it says the service did not settle.
pub const STABLE_TIMEOUT_MS: Ms = Ms::mins(10);

/// How long the runner waits for the first service of a paired promote to be stable before it
/// leaves the rest of the plan unsent.
pub const RUNNER_STABLE_WAIT_MS: Ms = Ms::mins(15);
