//! A minimum interval between calls, shared by every caller of one API, so a fleet stays
//! under a per-account rate such as the 5 TPS of `filter_log_events`.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub struct RateGate {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateGate {
    /// At most `per_second` calls a second, spaced evenly.
    pub fn per_second(per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let delay = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            reserve(&mut next, Instant::now(), self.interval)
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// Takes the next free slot at or after `now` and says how long to wait for it.
fn reserve(next: &mut Option<Instant>, now: Instant, interval: Duration) -> Duration {
    let slot = match *next {
        Some(n) if n > now => n,
        _ => now,
    };
    *next = Some(slot + interval);
    slot - now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_by_the_interval() {
        let now = Instant::now();
        let iv = Duration::from_millis(200);
        let mut next = None;
        assert_eq!(reserve(&mut next, now, iv), Duration::ZERO);
        assert_eq!(reserve(&mut next, now, iv), iv);
        assert_eq!(reserve(&mut next, now, iv), iv * 2);
        // After a quiet spell the next call goes at once.
        assert_eq!(reserve(&mut next, now + iv * 10, iv), Duration::ZERO);
    }

    #[test]
    fn five_per_second_is_200ms() {
        assert_eq!(RateGate::per_second(5).interval, Duration::from_millis(200));
    }
}
