//! The events already delivered, by id, for as long as a repeat can come: a poll asks again
//! from a little before its last event, and a new Live Tail session overlaps the old one.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// How long an id is remembered.
pub const KEEP: Duration = Duration::from_secs(120);
/// Ids remembered at most (a burst above this may repeat a few lines, never grow memory).
pub const MAX: usize = 200_000;

#[derive(Debug, Default)]
pub struct Seen {
    ids: HashSet<u64>,
    order: VecDeque<(Instant, u64)>,
}

impl Seen {
    /// True the first time `id` is seen.
    pub fn insert(&mut self, id: u64, now: Instant) -> bool {
        while let Some((at, old)) = self.order.front().copied() {
            if now.saturating_duration_since(at) < KEEP && self.order.len() < MAX {
                break;
            }
            self.order.pop_front();
            self.ids.remove(&old);
        }
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back((now, id));
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn repeats_are_dropped_while_remembered_and_memory_is_bounded() {
        let mut s = Seen::default();
        let t0 = Instant::now();
        assert!(s.insert(1, t0));
        assert!(!s.insert(1, t0 + Duration::from_secs(60)));
        assert!(s.insert(1, t0 + KEEP + Duration::from_secs(1)));
        for i in 0..(MAX as u64 + 10) {
            s.insert(1000 + i, t0);
        }
        assert!(s.len() <= MAX);
    }
}
