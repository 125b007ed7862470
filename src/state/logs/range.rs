//! The times `:since` and `:range` take. Pure: "now" is passed in.

use crate::model::{At, Ms};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The longest window a backlog load reads.
pub const MAX_WINDOW: Ms = Ms::days(30);

/// Why a `:since` or `:range` argument was not taken; each quotes what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("{0:?} is not a duration like 5m, 1h or 24h")]
    NotDuration(String),
    #[error("{0:?}: the unit is s, m, h or d (5m, 1h, 24h)")]
    Unit(String),
    #[error("{0:?}: between 1s and 30d")]
    OutOfBounds(String),
    #[error(
        "{0:?} is not a time: use now, 2h (ago), 14:05 (UTC today), 2026-03-01T14:05 (UTC) \
         or 2026-03-01T14:05:00+02:00"
    )]
    NotTime(String),
    #[error("usage: :range FROM [TO], e.g. :range 14:00 14:30 or :range 2h 1h")]
    Usage,
    #[error("the range's start must come before its end")]
    Backwards,
    #[error("a range may span 30 days at most")]
    TooLong,
}

/// `5m`, `15m`, `1h`, `6h`, `24h`, `2d`, `90s`: a span back from now.
pub fn duration(text: &str) -> Result<Ms, RangeError> {
    let t = text.trim().trim_start_matches('-');
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| RangeError::NotDuration(text.to_string()))?;
    let unit = match unit {
        "s" => Ms::SECOND,
        "m" | "min" => Ms::MINUTE,
        "h" => Ms::HOUR,
        "d" => Ms::DAY,
        _ => return Err(RangeError::Unit(text.to_string())),
    };
    let ms = unit * n;
    if ms <= Ms::ZERO || ms > MAX_WINDOW {
        return Err(RangeError::OutOfBounds(text.to_string()));
    }
    Ok(ms)
}

/// One end of a `:range`: `now`, a duration ago (`2h`), a time today in UTC (`14:05`, or
/// yesterday if that is still to come), a date and time in UTC (`2026-03-01T14:05`), or one with
/// its own offset (`2026-03-01T14:05:00+02:00`).
pub fn instant(text: &str, now: At) -> Result<At, RangeError> {
    let t = text.trim();
    if t == "now" {
        return Ok(now);
    }
    if let Ok(ago) = duration(t) {
        return Ok(now - ago);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(At(dt.timestamp_millis()));
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), f) {
            return Ok(At(Utc.from_utc_datetime(&dt).timestamp_millis()));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let dt = d.and_time(NaiveTime::MIN);
        return Ok(At(Utc.from_utc_datetime(&dt).timestamp_millis()));
    }
    for f in ["%H:%M:%S", "%H:%M"] {
        if let Ok(time) = NaiveTime::parse_from_str(t, f) {
            let today = DateTime::from_timestamp_millis(now.millis()).unwrap_or_default();
            let at = At(Utc
                .from_utc_datetime(&today.date_naive().and_time(time))
                .timestamp_millis());
            return Ok(if at > now { at - Ms::DAY } else { at });
        }
    }
    Err(RangeError::NotTime(t.to_string()))
}

/// `FROM TO` of `:range`; TO may be left out (now).
pub fn window(text: &str, now: At) -> Result<(At, At), RangeError> {
    let mut words = text.split_whitespace();
    let from = instant(words.next().ok_or(RangeError::Usage)?, now)?;
    let to = match words.next() {
        Some(w) => instant(w, now)?,
        None => now,
    };
    if words.next().is_some() {
        return Err(RangeError::Usage);
    }
    if from >= to {
        return Err(RangeError::Backwards);
    }
    if to - from > MAX_WINDOW {
        return Err(RangeError::TooLong);
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-01T12:00:00Z
    const NOW: At = At(1_772_366_400_000);

    #[test]
    fn durations() {
        assert_eq!(duration("5m"), Ok(Ms(300_000)));
        assert_eq!(duration("24h"), Ok(Ms(86_400_000)));
        assert_eq!(duration("-90s"), Ok(Ms(90_000)));
        assert!(duration("5").is_err());
        assert!(duration("0m").is_err());
        assert!(duration("99d").is_err());
    }

    #[test]
    fn instants_and_windows() {
        assert_eq!(instant("now", NOW), Ok(NOW));
        assert_eq!(instant("2h", NOW), Ok(NOW - Ms(7_200_000)));
        assert_eq!(instant("11:30", NOW), Ok(NOW - Ms(1_800_000)));
        // Later than now today: yesterday.
        assert_eq!(instant("13:00", NOW), Ok(NOW + Ms::HOUR - Ms::DAY));
        assert_eq!(instant("2026-03-01T11:00", NOW), Ok(NOW - Ms::HOUR));
        assert_eq!(
            instant("2026-03-01T13:00:00+02:00", NOW),
            Ok(NOW - Ms::HOUR)
        );
        assert!(instant("yesterday", NOW).is_err());
        assert_eq!(
            window("2h 1h", NOW),
            Ok((NOW - Ms::hours(2), NOW - Ms::HOUR))
        );
        assert_eq!(window("30m", NOW), Ok((NOW - Ms::mins(30), NOW)));
        assert!(window("1h 2h", NOW).is_err());
        assert!(window("", NOW).is_err());
    }
}
