//! What every bench shares: whether it runs for figures or once, small, as a check that it
//! still works, and the median it reports.

#![allow(dead_code)] // each bench uses a part of it

/// Once, small: under `cargo test --benches` (no `--bench` argument, as CI runs every bench
/// through scripts/test.sh) or `cargo bench -- --test`, as criterion's own benches decide.
pub fn quick() -> bool {
    let args: Vec<String> = std::env::args().collect();
    !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test")
}

/// `default`, or the number in the environment variable `name`; `small` in quick mode.
pub fn setting(name: &str, default: usize, small: usize) -> usize {
    let set = std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0);
    match set {
        Some(v) => v,
        None if quick() => small,
        None => default,
    }
}

/// The middle value; of an even count, the mean of the two middle ones (of two, their mean,
/// not the larger).
pub fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty(), "a median of nothing");
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
