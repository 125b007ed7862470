//! Time: the one wall clock every layer reads, and the time limits that more than one layer
//! shares (the runner waits on them, the activity line shows them).

use crate::model::Millis;

/// Milliseconds since the unix epoch, now.
pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// How long the wait until stable runs before it says the service did not settle.
pub const STABLE_TIMEOUT_MS: Millis = 10 * 60 * 1000;

/// How long the runner waits for the first service of a paired promote to be stable before it
/// leaves the rest of the plan unsent.
pub const RUNNER_STABLE_WAIT_MS: Millis = 15 * 60 * 1000;
