//! Text for times, sizes and small inline charts.

use crate::model::{At, Ms};

/// `12s`, `5m`, `3h`, `4d`: how long ago, as a glance wants it; `-` when the time is not known
/// (the backends give 0 for a timestamp AWS did not send).
pub fn age(now: At, then: At) -> String {
    if then <= At::EPOCH {
        return "-".into();
    }
    crate::model::text::short_span(now.since(then))
}

/// `in 11m35s` until `until` (rounded up to the second), `now` once it has passed: a countdown
/// in words, so it never reads as a time of day beside the header's clock.
pub fn countdown(now: At, until: At) -> String {
    let left = until - now;
    if left <= Ms::ZERO {
        return "now".into();
    }
    format!("in {}", duration(Ms::secs((left + Ms(999)).as_secs())))
}

/// `48s`, `11m35s`, `1h02m05s`: how long something took or has left (whole seconds, rounded
/// down). The seconds keep two digits past the first minute, so a ticking value keeps its width.
pub fn duration(ms: Ms) -> String {
    let s = ms.max(Ms::ZERO).as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60),
    }
}

pub use crate::model::text::clock;

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` points as block characters, scaled between the window's low and high so a
/// small change still shows; the number beside it gives the level.
pub fn sparkline(points: &[f64], width: usize) -> String {
    let tail = &points[points.len().saturating_sub(width)..];
    let lo = tail.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = tail.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(5.0);
    let mut s: String = tail
        .iter()
        .map(|v| BLOCKS[(((v - lo) / span) * 7.0).round().clamp(0.0, 7.0) as usize])
        .collect();
    for _ in tail.len()..width {
        s.insert(0, ' ');
    }
    s
}

/// A bar `width` cells wide, filled to `fraction`.
pub fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0)) * width as f64).round() as usize;
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(width - filled));
    s
}

/// Cuts `s` to `max` characters, ending in `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_pick_a_unit() {
        assert_eq!(age(At(100_000), At(95_000)), "5s");
        assert_eq!(age(At(3_601_000), At(1_000)), "1h");
        assert_eq!(age(At(5 * 86_400_000 + 1), At(1)), "5d");
        assert_eq!(age(At(0), At(10_000)), "0s");
        assert_eq!(age(At(5_000), At(0)), "-", "not known is not 1970");
    }

    #[test]
    fn countdown_rounds_up_and_says_now_once_passed() {
        assert_eq!(countdown(At(0), At(372_001)), "in 6m13s");
        assert_eq!(countdown(At(0), At(695_000)), "in 11m35s");
        assert_eq!(countdown(At(0), At(500)), "in 1s");
        assert_eq!(countdown(At(10), At(0)), "now");
        assert_eq!(countdown(At(0), At(3_725_000)), "in 1h02m05s");
    }

    #[test]
    fn durations_read_as_durations() {
        assert_eq!(duration(Ms(48_900)), "48s");
        assert_eq!(duration(Ms(83_000)), "1m23s");
        assert_eq!(duration(Ms(600_000)), "10m00s");
        assert_eq!(duration(Ms(-5)), "0s");
    }

    #[test]
    fn sparkline_pads_and_scales() {
        assert_eq!(sparkline(&[0.0, 100.0], 4), "  ▁█");
        assert_eq!(sparkline(&[50.0, 50.0], 2), "▁▁");
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
