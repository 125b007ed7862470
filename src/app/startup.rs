//! The startup figures BENCHMARKS.md records, logged from the start of the process: the first
//! frame (no AWS answer is awaited before it), the first service rows drawn, and every row
//! drawn (the first load complete). `benches/first_load.rs` reads them from the log.

use crate::state::State;

#[derive(Default)]
pub(super) struct StartupFigures {
    first_rows: bool,
    all_rows: bool,
}

impl StartupFigures {
    /// After frame number `frames` was drawn of `state`.
    pub(super) fn drawn(&mut self, state: &State, frames: u64) {
        let ms = || crate::timing::since_start().as_secs_f64() * 1000.0;
        if frames == 1 {
            tracing::info!(ms = ms(), "first frame drawn");
        }
        let rows = state.ctx.services.items.len();
        if !self.first_rows && rows > 0 {
            self.first_rows = true;
            tracing::info!(ms = ms(), rows, "first service rows drawn");
        }
        let loaded =
            state.ctx.services_loading.is_none() && state.ctx.services.fetched_at.is_some();
        if !self.all_rows && loaded {
            self.all_rows = true;
            tracing::info!(ms = ms(), rows, "every service row drawn");
        }
    }
}
