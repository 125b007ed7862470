//! The events already delivered, by id, for as long as a repeat can come: a poll asks again
//! from a little before its last event, and a new Live Tail session overlaps the old one.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// How long an id is remembered.
pub const KEEP: Duration = Duration::from_secs(120);
/// Ids remembered at most (a burst above this may repeat a few lines, never grow memory).
pub const MAX: usize = 200_000;

/// An id is remembered from when it was last seen: a source that keeps sending the same
/// events (an emulator's Live Tail sends everything it holds) never gets them shown twice.
#[derive(Debug, Default)]
pub struct Seen {
    last: HashMap<u64, Instant>,
    order: VecDeque<(Instant, u64)>,
}

impl Seen {
    /// True the first time `id` is seen (or the first time since it was forgotten).
    pub fn insert(&mut self, id: u64, now: Instant) -> bool {
        while let Some((at, old)) = self.order.front().copied() {
            let over = self.last.len() >= MAX || self.order.len() >= 2 * MAX;
            if now.saturating_duration_since(at) < KEEP && !over {
                break;
            }
            self.order.pop_front();
            // Only its latest sighting forgets it.
            if self.last.get(&old) == Some(&at) {
                self.last.remove(&old);
            }
        }
        let first = self.last.insert(id, now).is_none();
        self.order.push_back((now, id));
        first
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.last.len()
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
        // Seen again at 60 s: remembered until 60 s + KEEP.
        assert!(!s.insert(1, t0 + KEEP + Duration::from_secs(1)));
        assert!(s.insert(1, t0 + 2 * KEEP + Duration::from_secs(70)));
        for i in 0..(MAX as u64 + 10) {
            s.insert(1000 + i, t0);
        }
        assert!(s.len() <= MAX);
    }
}
