//! Time as the domain speaks it: a point in time (`At`, milliseconds since the unix epoch) and
//! a span (`Ms`, milliseconds). Two types, so a span is what two points differ by and a point
//! moved by a span is a point: adding two points, or passing a span where a point is meant,
//! does not compile. The wire and the screen see the same milliseconds as before.

use std::ops::{Add, AddAssign, Div, Mul, Neg, Rem, Sub, SubAssign};

/// A point in time: milliseconds since the unix epoch (UTC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At(pub i64);

/// A span of time in milliseconds; negative when it runs backwards (an end before its start).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ms(pub i64);

impl At {
    /// The earliest and latest points a value can name: an order's "never" at either end.
    pub const MIN: At = At(i64::MIN);
    pub const MAX: At = At(i64::MAX);
    /// The unix epoch itself: also what a missing wire timestamp reads as.
    pub const EPOCH: At = At(0);

    /// Milliseconds since the epoch, for the wire and for clocks that count them.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// The span from `earlier` to this point, never negative.
    pub fn since(self, earlier: At) -> Ms {
        (self - earlier).max(Ms::ZERO)
    }

    /// The start of the `unit` this point falls in (the minute, for `Ms::MINUTE`).
    pub const fn floor(self, unit: Ms) -> At {
        At(self.0 - self.0.rem_euclid(unit.0))
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1_000)
    }
}

impl Ms {
    pub const ZERO: Ms = Ms(0);
    pub const SECOND: Ms = Ms(1_000);
    pub const MINUTE: Ms = Ms(60_000);
    pub const HOUR: Ms = Ms(3_600_000);
    pub const DAY: Ms = Ms(86_400_000);

    pub const fn secs(n: i64) -> Ms {
        Ms(n * 1_000)
    }

    pub const fn mins(n: i64) -> Ms {
        Ms(n * 60_000)
    }

    pub const fn hours(n: i64) -> Ms {
        Ms(n * 3_600_000)
    }

    pub const fn days(n: i64) -> Ms {
        Ms(n * 86_400_000)
    }

    /// The span in milliseconds.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds (towards zero).
    pub const fn as_secs(self) -> i64 {
        self.0 / 1_000
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    pub const fn abs(self) -> Ms {
        Ms(self.0.abs())
    }

    /// As a std duration for a timer; a negative span is no wait at all.
    pub const fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(if self.0 < 0 { 0 } else { self.0 as u64 })
    }

    /// A std duration, in whole milliseconds (saturating).
    pub fn from_std(d: std::time::Duration) -> Ms {
        Ms(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

impl Sub for At {
    type Output = Ms;
    fn sub(self, earlier: At) -> Ms {
        Ms(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Ms> for At {
    type Output = At;
    fn add(self, d: Ms) -> At {
        At(self.0.saturating_add(d.0))
    }
}

impl Sub<Ms> for At {
    type Output = At;
    fn sub(self, d: Ms) -> At {
        At(self.0.saturating_sub(d.0))
    }
}

impl AddAssign<Ms> for At {
    fn add_assign(&mut self, d: Ms) {
        *self = *self + d;
    }
}

impl SubAssign<Ms> for At {
    fn sub_assign(&mut self, d: Ms) {
        *self = *self - d;
    }
}

impl Add for Ms {
    type Output = Ms;
    fn add(self, o: Ms) -> Ms {
        Ms(self.0.saturating_add(o.0))
    }
}

impl Sub for Ms {
    type Output = Ms;
    fn sub(self, o: Ms) -> Ms {
        Ms(self.0.saturating_sub(o.0))
    }
}

impl AddAssign for Ms {
    fn add_assign(&mut self, o: Ms) {
        *self = *self + o;
    }
}

impl SubAssign for Ms {
    fn sub_assign(&mut self, o: Ms) {
        *self = *self - o;
    }
}

impl Neg for Ms {
    type Output = Ms;
    fn neg(self) -> Ms {
        Ms(self.0.saturating_neg())
    }
}

impl Mul<i64> for Ms {
    type Output = Ms;
    fn mul(self, n: i64) -> Ms {
        Ms(self.0.saturating_mul(n))
    }
}

impl Div<i64> for Ms {
    type Output = Ms;
    fn div(self, n: i64) -> Ms {
        Ms(self.0 / n)
    }
}

/// How many whole `unit`s fit in the span (towards zero): minutes in a window, buckets.
impl Div for Ms {
    type Output = i64;
    fn div(self, unit: Ms) -> i64 {
        self.0 / unit.0
    }
}

impl Rem for Ms {
    type Output = Ms;
    fn rem(self, unit: Ms) -> Ms {
        Ms(self.0 % unit.0)
    }
}

impl std::iter::Sum for Ms {
    fn sum<I: Iterator<Item = Ms>>(iter: I) -> Ms {
        iter.fold(Ms::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_differ_by_spans_and_move_by_spans() {
        let start = At(1_772_366_400_000);
        let later = start + Ms::mins(5);
        assert_eq!(later - start, Ms(300_000));
        assert_eq!(start - later, Ms(-300_000));
        assert_eq!(start.since(later), Ms::ZERO, "never negative");
        assert_eq!(later - Ms::mins(5), start);
        let mut t = start;
        t += Ms::SECOND * 3;
        assert_eq!(t.millis(), 1_772_366_403_000);
        assert_eq!(t.secs(), 1_772_366_403);
        assert_eq!(At(-1).secs(), -1, "rounded down before the epoch");
        assert_eq!(t.floor(Ms::MINUTE), start);
        assert_eq!(
            At(-1).floor(Ms::MINUTE),
            At(-60_000),
            "rounded down before the epoch"
        );
    }

    #[test]
    fn spans_add_scale_divide_and_convert() {
        assert_eq!(Ms::hours(1) / Ms::MINUTE, 60);
        assert_eq!(Ms(90_500) % Ms::MINUTE, Ms(30_500));
        assert_eq!(Ms::DAY / 4, Ms::hours(6));
        assert_eq!(-Ms::SECOND, Ms(-1_000));
        assert_eq!([Ms(1), Ms(2)].into_iter().sum::<Ms>(), Ms(3));
        assert_eq!(Ms(-5).to_std(), std::time::Duration::ZERO);
        assert_eq!(Ms::from_std(std::time::Duration::from_secs(2)), Ms::secs(2));
        assert_eq!(Ms(1_500).as_secs(), 1);
        assert_eq!(Ms(1_500).as_secs_f64(), 1.5);
        assert_eq!(At::MAX + Ms::SECOND, At::MAX, "saturates");
    }
}
