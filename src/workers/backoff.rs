//! Exponential backoff with jitter for throttling and unreachable endpoints.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    failures: u32,
    seed: u64,
}

const BASE_MS: u64 = 1_000;
const MAX_MS: u64 = 60_000;

impl Backoff {
    pub fn new(seed: u64) -> Self {
        Self {
            failures: 0,
            seed: seed | 1,
        }
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The wait after one more failure: 1 s, 2 s, 4 s … up to 60 s, each with up to ±25 %
    /// jitter so many pollers never retry in step.
    pub fn next_delay(&mut self) -> Duration {
        let exp = BASE_MS
            .saturating_mul(1u64 << self.failures.min(16))
            .min(MAX_MS);
        self.failures += 1;
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let spread = exp / 4;
        let jitter = self.seed % (2 * spread + 1);
        Duration::from_millis(exp - spread + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_bounded_jitter() {
        let mut b = Backoff::new(42);
        let d: Vec<u64> = (0..10).map(|_| b.next_delay().as_millis() as u64).collect();
        assert!((750..=1250).contains(&d[0]), "{d:?}");
        assert!((1500..=2500).contains(&d[1]), "{d:?}");
        assert!(d[9] <= 75_000 && d[9] >= 45_000, "{d:?}");
        b.reset();
        assert!(b.next_delay().as_millis() <= 1250);
    }
}
