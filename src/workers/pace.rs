//! How often the services are read, and what each refresh asks for, so the console asks only
//! what changed:
//! - polling, a full refresh every `normal` (the list compared, new, moving and due services
//!   read) and, while something visible moves, a refresh of only what moves every `fast`;
//! - with ECS's events arriving, a full refresh only every `reconcile` (five minutes by
//!   default) and between them the rotation, every `normal`, at a pace that keeps the steady
//!   state under one ECS call a second; an event has what it names read at once.
//!
//! The rotation reads every service again within its cover: the refresh interval for a small
//! fleet, longer for a big one, so DescribeServices stays at `POLL_DESCRIBES` (or
//! `EVENTS_DESCRIBES`) calls a second.

use crate::cloud::ServicesAsk;
use crate::model::ServiceKey;
use std::time::Duration;

/// DescribeServices calls a second the rotation may make when polling.
pub const POLL_DESCRIBES: f64 = 2.0;
/// The same with events: with ListServices every `reconcile` and ListClusters once a minute,
/// a fleet of 10,000 services stays under one ECS call a second.
pub const EVENTS_DESCRIBES: f64 = 0.5;
/// Services one DescribeServices call reads.
const PER_CALL: f64 = 10.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// The lists compared; new, moving and due services read.
    Full,
    /// Only what moves (polling, between full refreshes).
    Moving,
    /// Only the rotation (events arrive, between reconciliations).
    Rotate,
}

#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub fast: Duration,
    pub normal: Duration,
    pub reconcile: Duration,
}

impl Pace {
    /// What this refresh is. `since_full` is None before the first.
    pub fn tick(&self, live: bool, since_full: Option<Duration>) -> Tick {
        let every = if live { self.reconcile } else { self.normal };
        match since_full {
            Some(d) if d < every => {
                if live {
                    Tick::Rotate
                } else {
                    Tick::Moving
                }
            }
            _ => Tick::Full,
        }
    }

    /// How long until the next refresh.
    pub fn delay(&self, live: bool, moving: bool) -> Duration {
        if moving && !live {
            self.fast
        } else {
            self.normal
        }
    }

    /// How long the rotation takes to read all of `services`.
    pub fn cover(&self, live: bool, services: usize) -> Duration {
        let calls = (services as f64 / PER_CALL).ceil();
        let (floor, rate) = if live {
            (self.reconcile, EVENTS_DESCRIBES)
        } else {
            (self.normal, POLL_DESCRIBES)
        };
        floor.max(Duration::from_secs_f64(calls / rate))
    }

    /// The refresh `tick` asks for, of a fleet of `services`, `focus` on screen.
    pub fn ask(
        &self,
        tick: Tick,
        live: bool,
        services: usize,
        focus: Vec<ServiceKey>,
    ) -> ServicesAsk {
        ServicesAsk {
            list: tick == Tick::Full,
            rotate: tick != Tick::Moving,
            moving: tick != Tick::Rotate,
            changed: Vec::new(),
            cover: self.cover(live, services),
            focus,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACE: Pace = Pace {
        fast: Duration::from_secs(2),
        normal: Duration::from_secs(10),
        reconcile: Duration::from_secs(300),
    };

    fn secs(s: u64) -> Option<Duration> {
        Some(Duration::from_secs(s))
    }

    #[test]
    fn polling_refreshes_fully_every_normal_and_only_what_moves_between() {
        assert_eq!(PACE.tick(false, None), Tick::Full);
        assert_eq!(PACE.tick(false, secs(2)), Tick::Moving);
        assert_eq!(PACE.tick(false, secs(10)), Tick::Full);
        assert_eq!(PACE.delay(false, true), Duration::from_secs(2));
        assert_eq!(PACE.delay(false, false), Duration::from_secs(10));
    }

    #[test]
    fn with_events_the_full_refresh_is_a_slow_reconciliation() {
        assert_eq!(PACE.tick(true, None), Tick::Full);
        assert_eq!(PACE.tick(true, secs(290)), Tick::Rotate);
        assert_eq!(PACE.tick(true, secs(300)), Tick::Full);
        // Events say what moves: no fast pace.
        assert_eq!(PACE.delay(true, true), Duration::from_secs(10));
        let ask = PACE.ask(Tick::Rotate, true, 10_000, Vec::new());
        assert!(!ask.list && ask.rotate && !ask.moving);
    }

    #[test]
    fn the_rotation_covers_small_fleets_every_refresh_and_big_ones_at_a_capped_pace() {
        assert_eq!(PACE.cover(false, 4), Duration::from_secs(10));
        assert_eq!(PACE.cover(false, 2_000), Duration::from_secs(100));
        assert_eq!(PACE.cover(true, 2_000).as_secs(), 400);
        // 10,000 services: 1,000 calls at half a call a second.
        assert_eq!(PACE.cover(true, 10_000).as_secs(), 2_000);
    }
}
