//! One API budget for the whole process. Every call to AWS (and to GitHub) asks it first.
//!
//! Quotas are per account and region and shared with CI and every other console on the
//! account, so each operation gets a token bucket at a safe fraction of its published rate.
//! Priorities come from who is asking, set on the calling task with [`with_priority`]:
//! - `Action` always goes at once (a confirmed action may run the bucket into debt);
//! - `Visible` (the pane on screen) takes any token there is;
//! - `Rollout` (a live rollout watched in the background) leaves a quarter of the burst;
//! - `Background` (alarms, metrics, freshness) leaves half of it, so it never takes the
//!   tokens a visible pane is about to need.
//!
//! A throttling answer halves the operation's rate; every second without one adds back a
//! twentieth of the configured rate (additive increase, multiplicative decrease), so the whole
//! process backs off together instead of each poller on its own.
//!
//! A cold start may go faster: while a context's first services load runs, its operations may
//! use their whole published rate ([`Budget::boost`]), then settle back to the safe fraction.
//! Every call is counted for the pane or worker that made it ([`with_caller`]), so `:budget`
//! shows who asks what.
//!
//! AWS's quotas are per account and region, so every bucket is one (scope, operation): the
//! scope names the account and region a call goes to (`cloud::aws::gate::CallGate` gives it),
//! and throttling in one account never slows another's calls. GitHub's calls use the empty
//! scope.

use crate::model::{Op, OpReport};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Action,
    Visible,
    Rollout,
    Background,
}

impl Priority {
    /// The share of the burst this priority must leave in the bucket; an action may go into
    /// debt down to a whole burst.
    fn floor(self) -> f64 {
        match self {
            Priority::Action => -1.0,
            Priority::Visible => 0.0,
            Priority::Rollout => 0.25,
            Priority::Background => 0.5,
        }
    }
}

tokio::task_local! {
    static PRIORITY: Priority;
    static CALLER: &'static str;
}

/// Runs `f` with the calls made inside it counted for `caller` (a pane or a worker).
pub async fn with_caller<F: Future>(caller: &'static str, f: F) -> F::Output {
    CALLER.scope(caller, f).await
}

/// Who the calling task counts its calls for; "other" when none was set.
pub fn current_caller() -> &'static str {
    CALLER.try_with(|c| *c).unwrap_or("other")
}

/// Runs `f` with calls made inside it asking the budget at priority `p`.
pub async fn with_priority<F: Future>(p: Priority, f: F) -> F::Output {
    PRIORITY.scope(p, f).await
}

/// The priority of the calling task; background when none was set.
pub fn current_priority() -> Priority {
    PRIORITY.try_with(|p| *p).unwrap_or(Priority::Background)
}

/// What the budget allows by default: this fraction of the published rates.
pub const SAFE_FRACTION: f64 = 0.5;

/// Calls counted for the last minute's figure, at most.
const CALLS_KEPT: usize = 10_000;

#[derive(Debug)]
struct Bucket {
    /// The rate allowed now, in calls a second (lowered after throttling).
    rate: f64,
    /// The rate this operation is configured for.
    max_rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
    /// When each recent call was made, and for whom.
    calls: VecDeque<(Instant, &'static str)>,
    /// Callers waiting for a token, by priority then arrival: tokens go to them in this order.
    waiting: Vec<(Priority, u64)>,
    next_ticket: u64,
    deferred: u64,
    /// Actions that had to wait: none, unless an action ran a whole burst into debt.
    actions_deferred: u64,
    throttled: u64,
}

impl Bucket {
    fn new(rate: f64, now: Instant) -> Self {
        // A burst of ten seconds' worth, at least two calls: a first load may use it at once.
        let burst = (rate * 10.0).max(2.0);
        Self {
            rate,
            max_rate: rate,
            burst,
            tokens: burst,
            last: now,
            calls: VecDeque::new(),
            waiting: Vec::new(),
            next_ticket: 0,
            deferred: 0,
            actions_deferred: 0,
            throttled: 0,
        }
    }

    fn refill(&mut self, now: Instant) {
        let secs = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + secs * self.rate).min(self.burst);
        self.rate = (self.rate + self.max_rate / 20.0 * secs).min(self.max_rate);
        self.last = now;
    }

    /// Takes a token for the caller with `ticket` (None: not waiting yet), or queues it and
    /// says how long to wait before asking again. Waiting callers of a higher priority, or of
    /// the same priority but earlier, are served first; an action never waits.
    fn take(
        &mut self,
        (p, caller): (Priority, &'static str),
        ticket: Option<u64>,
        now: Instant,
    ) -> Result<(), (u64, Duration)> {
        self.refill(now);
        let me = ticket.map(|t| (p, t));
        let ahead = p != Priority::Action
            && self
                .waiting
                .first()
                .is_some_and(|w| Some(*w) != me && w.0 <= p);
        let floor = p.floor() * self.burst;
        if !ahead && self.tokens - 1.0 >= floor - 1e-9 {
            self.tokens -= 1.0;
            self.waiting.retain(|w| Some(*w) != me);
            self.calls.push_back((now, caller));
            if self.calls.len() > CALLS_KEPT {
                self.calls.pop_front();
            }
            return Ok(());
        }
        let ticket = ticket.unwrap_or_else(|| {
            self.next_ticket += 1;
            self.deferred += 1;
            if p == Priority::Action {
                self.actions_deferred += 1;
            }
            self.waiting.push((p, self.next_ticket));
            self.waiting.sort();
            self.next_ticket
        });
        let short = (floor + 1.0 - self.tokens).max(0.0);
        let wait = if ahead {
            1.0 / self.rate.max(1e-6)
        } else {
            short / self.rate.max(1e-6)
        };
        Err((
            ticket,
            Duration::from_secs_f64(wait).max(Duration::from_millis(1)),
        ))
    }

    fn per_minute(&mut self, now: Instant) -> usize {
        while self
            .calls
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) > Duration::from_secs(60))
        {
            self.calls.pop_front();
        }
        self.calls.len()
    }

    /// The last minute's calls by caller, busiest first (call `per_minute` first).
    fn by_caller(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for (_, c) in &self.calls {
            match counts.iter_mut().find(|(n, _)| n == c) {
                Some((_, k)) => *k += 1,
                None => counts.push((c, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }
}

#[derive(Debug)]
pub struct Budget {
    /// One bucket per (scope, operation).
    buckets: Mutex<HashMap<(String, Op), Bucket>>,
    /// Rates set by the config, by operation.
    overrides: HashMap<Op, f64>,
    /// The share of each published rate allowed where the config sets none.
    fraction: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(HashMap::new())
    }
}

impl Budget {
    /// A budget at the safe fraction of the published rates, with `overrides` (calls a second
    /// by operation, e.g. `logs:FilterLogEvents = 2.5`) taking precedence.
    pub fn new(overrides: HashMap<Op, f64>) -> Self {
        Self::with_fraction(SAFE_FRACTION, overrides)
    }

    /// A budget at `fraction` of the published rates: a benchmark that measures the backend
    /// rather than the budget sets it far above 1.
    pub fn with_fraction(fraction: f64, overrides: HashMap<Op, f64>) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            overrides,
            fraction,
        }
    }

    fn rate_of(&self, op: Op) -> f64 {
        self.overrides
            .get(&op)
            .copied()
            .unwrap_or_else(|| op.published_rate() * self.fraction)
    }

    fn with_bucket<T>(
        &self,
        (scope, op): (&str, Op),
        now: Instant,
        f: impl FnOnce(&mut Bucket) -> T,
    ) -> T {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let rate = self.rate_of(op);
        f(buckets
            .entry((scope.to_string(), op))
            .or_insert_with(|| Bucket::new(rate, now)))
    }

    /// Waits until `op` may be called at the calling task's priority (the empty scope).
    pub async fn acquire(&self, op: Op) {
        self.acquire_in("", op).await;
    }

    /// Waits until `op` may be called in `scope` (an account and region) at the calling
    /// task's priority.
    pub async fn acquire_in(&self, scope: &str, op: Op) {
        let p = (current_priority(), current_caller());
        let mut ticket = None;
        let mut queued = Queued {
            budget: self,
            key: (scope, op),
            ticket: None,
            p: p.0,
        };
        loop {
            let now = Instant::now();
            match self.with_bucket((scope, op), now, |b| b.take(p, ticket, now)) {
                Ok(()) => {
                    queued.ticket = None;
                    return;
                }
                Err((t, d)) => {
                    ticket = Some(t);
                    queued.ticket = ticket;
                    tokio::time::sleep(d).await;
                }
            }
        }
    }

    /// `op` was answered with throttling (the empty scope).
    pub fn throttled(&self, op: Op) {
        self.throttled_in("", op);
    }

    /// `op` was answered with throttling in `scope`: halve its rate there (not below a tenth
    /// of the configured rate) and spend what is left of its burst.
    pub fn throttled_in(&self, scope: &str, op: Op) {
        self.with_bucket((scope, op), Instant::now(), |b| {
            b.throttled += 1;
            b.rate = (b.rate / 2.0).max(b.max_rate / 10.0);
            b.tokens = b.tokens.min(0.0);
        });
    }

    /// A cold start: `op` may use its whole published rate (or the configured one, if higher)
    /// until [`settle`](Self::settle). Its burst stays as it is.
    pub fn boost(&self, op: Op) {
        self.boost_in("", op);
    }

    /// [`boost`](Self::boost) in `scope`.
    pub fn boost_in(&self, scope: &str, op: Op) {
        let full = op.published_rate().max(self.rate_of(op));
        self.with_bucket((scope, op), Instant::now(), |b| {
            b.max_rate = full;
            b.rate = full;
        });
    }

    /// The cold start is over: `op` goes back to its configured rate.
    pub fn settle(&self, op: Op) {
        self.settle_in("", op);
    }

    /// [`settle`](Self::settle) in `scope`.
    pub fn settle_in(&self, scope: &str, op: Op) {
        let rate = self.rate_of(op);
        self.with_bucket((scope, op), Instant::now(), |b| {
            b.max_rate = rate;
            b.rate = b.rate.min(rate);
        });
    }

    /// Every operation asked for so far, busiest first.
    pub fn report(&self) -> Vec<OpReport> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<OpReport> = buckets
            .iter_mut()
            .map(|((scope, op), b)| OpReport {
                op: *op,
                scope: scope.clone(),
                calls_last_minute: b.per_minute(now),
                by_caller: b.by_caller(),
                rate: b.rate,
                max_rate: b.max_rate,
                deferred: b.deferred,
                actions_deferred: b.actions_deferred,
                throttled: b.throttled,
            })
            .collect();
        out.sort_by(|a, b| {
            b.calls_last_minute
                .cmp(&a.calls_last_minute)
                .then(a.op.name().cmp(b.op.name()))
                .then(a.scope.cmp(&b.scope))
        });
        out
    }
}

/// Leaves the queue if the caller stops waiting (its task was cancelled), so it never holds
/// up the callers behind it.
struct Queued<'a> {
    budget: &'a Budget,
    key: (&'a str, Op),
    ticket: Option<u64>,
    p: Priority,
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        if let Some(t) = self.ticket {
            let me = (self.p, t);
            self.budget
                .with_bucket(self.key, Instant::now(), |b| b.waiting.retain(|w| *w != me));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Calls made by `tasks` tasks at priority `p`, each calling as fast as allowed, for `secs`.
    async fn race(budget: Arc<Budget>, op: Op, p: Priority, tasks: usize) -> Vec<Arc<AtomicUsize>> {
        let mut counts = Vec::new();
        for _ in 0..tasks {
            let (b, n) = (budget.clone(), Arc::new(AtomicUsize::new(0)));
            counts.push(n.clone());
            tokio::spawn(with_priority(p, async move {
                loop {
                    b.acquire(op).await;
                    n.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        counts
    }

    fn total(c: &[Arc<AtomicUsize>]) -> usize {
        c.iter().map(|n| n.load(Ordering::Relaxed)).sum()
    }

    #[tokio::test(start_paused = true)]
    async fn calls_settle_at_the_rate_after_the_burst() {
        let budget = Arc::new(Budget::new(HashMap::from([(Op::EcrDescribeImages, 4.0)])));
        let c = race(budget.clone(), Op::EcrDescribeImages, Priority::Visible, 3).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        // The burst (40) plus 4 a second for a minute.
        let n = total(&c);
        assert!((270..=285).contains(&n), "{n} calls");
        assert_eq!(budget.report()[0].calls_last_minute, n.min(CALLS_KEPT));
    }

    #[tokio::test(start_paused = true)]
    async fn visible_calls_come_before_background_ones_and_share_fairly() {
        let budget = Arc::new(Budget::new(HashMap::from([(Op::EcrDescribeImages, 2.0)])));
        let background = race(
            budget.clone(),
            Op::EcrDescribeImages,
            Priority::Background,
            2,
        )
        .await;
        let visible = race(budget.clone(), Op::EcrDescribeImages, Priority::Visible, 2).await;
        tokio::time::sleep(Duration::from_secs(120)).await;
        // Background took only what was above half the burst before the visible callers
        // drained it; after that every token went to the visible ones, shared about evenly.
        assert!(
            total(&background) <= 12,
            "background {}",
            total(&background)
        );
        let (a, b) = (
            visible[0].load(Ordering::Relaxed),
            visible[1].load(Ordering::Relaxed),
        );
        assert!(a + b >= 220, "visible {a} + {b}");
        assert!(a.abs_diff(b) <= (a + b) / 5, "unfair: {a} vs {b}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_action_goes_at_once_even_when_the_bucket_is_empty() {
        let budget = Arc::new(Budget::new(HashMap::from([(Op::EcsUpdateService, 0.5)])));
        let _hog = race(budget.clone(), Op::EcsUpdateService, Priority::Visible, 1).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        let before = Instant::now();
        with_priority(Priority::Action, budget.acquire(Op::EcsUpdateService)).await;
        assert_eq!(Instant::now(), before, "the action waited");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_halves_the_rate_and_quiet_seconds_bring_it_back() {
        let budget = Budget::new(HashMap::from([(Op::EcrDescribeImages, 8.0)]));
        budget.acquire(Op::EcrDescribeImages).await;
        budget.throttled(Op::EcrDescribeImages);
        budget.throttled(Op::EcrDescribeImages);
        assert_eq!(budget.report()[0].rate, 2.0);
        assert_eq!(budget.report()[0].throttled, 2);
        // A twentieth of the configured rate back per quiet second.
        tokio::time::sleep(Duration::from_secs(5)).await;
        with_priority(Priority::Visible, budget.acquire(Op::EcrDescribeImages)).await;
        assert_eq!(budget.report()[0].rate, 4.0);
        tokio::time::sleep(Duration::from_secs(60)).await;
        with_priority(Priority::Visible, budget.acquire(Op::EcrDescribeImages)).await;
        assert_eq!(budget.report()[0].rate, 8.0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cold_start_may_use_the_full_published_rate_then_settles_back() {
        let budget = Arc::new(Budget::default());
        budget.boost(Op::EcsDescribeServices);
        let c = race(
            budget.clone(),
            Op::EcsDescribeServices,
            Priority::Visible,
            4,
        )
        .await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        // The burst (100) then 20 a second, the published rate, for 10 s.
        let n = total(&c);
        assert!((295..=305).contains(&n), "{n} calls while boosted");
        budget.settle(Op::EcsDescribeServices);
        tokio::time::sleep(Duration::from_secs(10)).await;
        let later = total(&c) - n;
        assert!((95..=105).contains(&later), "{later} calls after settling");
        assert_eq!(budget.report()[0].max_rate, 10.0);
    }

    #[tokio::test(start_paused = true)]
    async fn calls_are_counted_for_whoever_made_them() {
        let budget = Budget::default();
        for _ in 0..3 {
            with_caller("services", budget.acquire(Op::EcsListServices)).await;
        }
        with_caller("tasks", budget.acquire(Op::EcsListServices)).await;
        budget.acquire(Op::EcsListServices).await;
        let r = budget.report();
        assert_eq!(
            r[0].by_caller,
            vec![("services", 3), ("other", 1), ("tasks", 1)]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_in_one_account_leaves_another_alone() {
        let op = Op::EcsListServices;
        let budget = Arc::new(Budget::new(HashMap::from([(op, 2.0)])));
        let (a, b) = ("111111111111/us-east-1", "222222222222/us-east-1");
        budget.throttled_in(a, op);
        let of = |scope: &str| {
            let r = budget.report();
            r.iter()
                .find(|o| o.scope == scope)
                .map(|o| (o.rate, o.throttled))
        };
        assert_eq!(of(a), Some((1.0, 1)));
        // The throttled account waits for a token; the other has its whole burst at once.
        let before = Instant::now();
        for _ in 0..20 {
            with_priority(Priority::Visible, budget.acquire_in(b, op)).await;
        }
        assert_eq!(Instant::now(), before, "the other account waited");
        assert_eq!(of(b), Some((2.0, 0)));
        with_priority(Priority::Visible, budget.acquire_in(a, op)).await;
        assert!(
            Instant::now() > before,
            "the throttled account did not wait"
        );
    }

    #[test]
    fn defaults_are_half_the_published_rates() {
        let b = Budget::new(HashMap::new());
        assert_eq!(b.rate_of(Op::EcsDescribeServices), 10.0);
        assert_eq!(b.rate_of(Op::EcsUpdateService), 2.5);
        assert_eq!(b.rate_of(Op::LogsFilterLogEvents), 5.0);
        assert_eq!(b.rate_of(Op::StsGetCallerIdentity), 5.0);
        assert_eq!(b.rate_of(Op::CloudTrailLookupEvents), 1.0);
        assert!((b.rate_of(Op::GitHubGetWorkflowRun) * 3_600.0 - 2_500.0).abs() < 1e-6);
        let b = Budget::new(HashMap::from([(Op::LogsFilterLogEvents, 12.5)]));
        assert_eq!(b.rate_of(Op::LogsFilterLogEvents), 12.5);
    }
}
