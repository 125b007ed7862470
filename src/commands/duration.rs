//! Durations as the command line writes them: `90s`, `15m`, `1h30m`, `24h`, `7d`.

use std::time::Duration;

/// The longest duration accepted: a year, so a typo cannot overflow a deadline.
const MAX_SECS: u64 = 366 * 86_400;

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "{0:?} is not a duration: write a number with a unit, s, m, h or d (90s, 15m, 1h30m, \
         24h, 7d)"
    )]
    NotADuration(String),
    #[error("{0:?} is longer than a year")]
    TooLong(String),
}

/// Reads `90s`, `15m`, `1h30m`, `24h` or `7d`: numbers each with a unit (s, m, h, d).
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let bad = || DurationError::NotADuration(text.to_string());
    let mut secs: u64 = 0;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        secs = n
            .checked_mul(unit)
            .and_then(|s| secs.checked_add(s))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() || secs == 0 && text.trim().is_empty() {
        return Err(bad());
    }
    if secs > MAX_SECS {
        return Err(DurationError::TooLong(text.to_string()));
    }
    Ok(Duration::from_secs(secs))
}

/// `1h30m`, `15m`, `45s`: how a duration reads back.
pub fn text(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3_600, s / 60 % 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_add_up() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse("24H"), Ok(Duration::from_secs(86_400)));
    }

    #[test]
    fn a_number_without_a_unit_or_a_word_is_refused() {
        for bad in [
            "15",
            "",
            "m",
            "1x",
            "fifteen minutes",
            "1h 30m",
            "99999999999999999999d",
        ] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("not a duration"), "{bad}: {err}");
        }
        assert!(
            parse("400d")
                .unwrap_err()
                .to_string()
                .contains("longer than a year")
        );
    }

    #[test]
    fn durations_read_back() {
        assert_eq!(text(Duration::from_secs(5_400)), "1h30m");
        assert_eq!(text(Duration::from_secs(900)), "15m");
        assert_eq!(text(Duration::from_secs(0)), "0s");
        assert_eq!(text(Duration::from_secs(61)), "1m1s");
    }
}
