//! The header's figures: deploys in the last 30 days, the share that failed or was rolled
//! back, and the median time to restore, from the deployments the console knows.

use crate::model::{At, Ms, Outcome, PastDeployment};

/// The window the figures cover.
pub const WINDOW_MS: Ms = Ms::days(30);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Deployments started in the window (rollbacks themselves not counted).
    pub deploys: usize,
    /// Of them, failed or rolled back.
    pub bad: usize,
    /// The median time from a bad deployment's start until the service ran a stable revision
    /// again; None when none was restored (or none went bad).
    pub median_restore: Option<Ms>,
    /// The oldest deployment known: the figures reach back no further than this.
    pub known_since: Option<At>,
}

impl Stats {
    /// Failed or rolled back, in percent of the deploys.
    pub fn bad_percent(&self) -> Option<u32> {
        (self.deploys > 0).then(|| ((self.bad * 100 + self.deploys / 2) / self.deploys) as u32)
    }
}

/// The figures of `history` (any order) at `now`.
pub fn of(history: &[PastDeployment], now: At) -> Stats {
    let mut deploys: Vec<&PastDeployment> = history
        .iter()
        .filter(|d| !d.is_rollback && d.started_at > At::EPOCH && now - d.started_at <= WINDOW_MS)
        .collect();
    deploys.sort_by_key(|d| d.started_at);
    let bad: Vec<&&PastDeployment> = deploys.iter().filter(|d| d.outcome.is_bad()).collect();
    let mut restores: Vec<Ms> = bad
        .iter()
        .filter_map(|d| restored_at(d, history).map(|at| at - d.started_at))
        .filter(|ms| *ms >= Ms::ZERO)
        .collect();
    restores.sort_unstable();
    Stats {
        deploys: deploys.len(),
        bad: bad.len(),
        median_restore: median(&restores),
        known_since: history
            .iter()
            .map(|d| d.started_at)
            .filter(|t| *t > At::EPOCH)
            .min(),
    }
}

/// When the service was back on a stable revision after `bad`: the end of its own rollback
/// (ECS returned it to the last revision that worked), else the end of the next deployment
/// that completed.
fn restored_at(bad: &PastDeployment, all: &[PastDeployment]) -> Option<At> {
    if matches!(bad.outcome, Outcome::RolledBack { .. })
        && let Some(end) = bad.ended_at
    {
        return Some(end);
    }
    all.iter()
        .filter(|d| d.started_at >= bad.started_at && d.id != bad.id)
        .filter(|d| d.outcome == Outcome::Completed)
        .filter_map(|d| d.ended_at)
        .min()
}

fn median(sorted: &[Ms]) -> Option<Ms> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RollbackCause, TaskDefRef};

    fn d(id: &str, start: At, end: Option<At>, outcome: Outcome) -> PastDeployment {
        PastDeployment {
            id: id.into(),
            revision: TaskDefRef {
                family: "p".into(),
                revision: 1,
            },
            from: None,
            outcome,
            is_rollback: false,
            started_at: start,
            ended_at: end,
            reason: String::new(),
        }
    }

    #[test]
    fn deploys_bad_share_and_median_restore() {
        let day = 86_400_000;
        let now = 40 * day;
        let rolled = Outcome::RolledBack {
            by: RollbackCause::CircuitBreaker,
            to: None,
        };
        let h = vec![
            d(
                "old",
                At(5 * day),
                Some(At(5 * day + 1)),
                Outcome::Completed,
            ),
            d(
                "a",
                At(20 * day),
                Some(At(20 * day + 60_000)),
                rolled.clone(),
            ),
            d(
                "b",
                At(21 * day),
                Some(At(21 * day + 10_000)),
                Outcome::Completed,
            ),
            d("c", At(30 * day), None, Outcome::Failed),
            d(
                "e",
                At(30 * day + 1000),
                Some(At(30 * day + 301_000)),
                Outcome::Completed,
            ),
        ];
        let s = of(&h, At(now));
        assert_eq!(s.deploys, 4);
        assert_eq!(s.bad, 2);
        assert_eq!(s.bad_percent(), Some(50));
        // 60 s for the rollback, 301 s until the next completed deployment ended.
        assert_eq!(s.median_restore, Some(Ms((60_000 + 301_000) / 2)));
        assert_eq!(s.known_since, Some(At(5 * day)));
        assert_eq!(of(&[], At(now)), Stats::default());
        assert_eq!(Stats::default().bad_percent(), None);
    }
}
