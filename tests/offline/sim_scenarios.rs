//! The demo fleet over time, through the same `Fleet` trait the pollers use, on tokio's paused
//! clock: a test moves simulated minutes with `tokio::time::advance` and takes no wall time.
//!
//! The scenario (see src/demo/scenario.rs): at 45 s `payments` starts a rolling deployment
//! whose tasks fail their health checks; the circuit breaker trips and ECS rolls back. Its alarms
//! fire while the bad tasks run and clear about a minute after. `checkout` opens waiting at the
//! PAUSE hook of a CANARY deployment and rolls back when the hook times out.

use deckwatch::cloud::Fleet;
use deckwatch::demo::{SimFleet, seed};
use deckwatch::model::{
    AlarmState, At, DeploymentStatus, Health, HookStatus, Level, LineMeta, LogQuery, LogTag,
    LogTarget, Ms, RawEvent, RolloutState, Service, ServiceKey, TaskDefRef,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::support::testkit::EPOCH;

/// The fleet, created on the paused clock: its simulated time is `EPOCH` plus what the test
/// advanced.
fn fleet() -> Arc<SimFleet> {
    Arc::new(SimFleet::new(EPOCH))
}

/// The fleet's simulated time.
fn now(f: &SimFleet) -> At {
    f.with_world(|w| w.now)
}

fn key(cluster: &str, name: &str) -> ServiceKey {
    ServiceKey {
        cluster: cluster.into(),
        name: name.into(),
    }
}

fn payments() -> ServiceKey {
    key("prod-core", "payments")
}

fn checkout() -> ServiceKey {
    key("prod-edge", "checkout")
}

fn td(family: &str, revision: u32) -> TaskDefRef {
    TaskDefRef {
        family: family.into(),
        revision,
    }
}

async fn advance_s(s: u64) {
    tokio::time::advance(Duration::from_secs(s)).await;
}

async fn service(f: &dyn Fleet, k: &ServiceKey) -> Service {
    f.services()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.cluster == k.cluster && s.name == k.name)
        .unwrap_or_else(|| panic!("no service {k}"))
}

async fn alarm_states(f: &dyn Fleet) -> HashMap<String, AlarmState> {
    f.alarms()
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.name, a.state))
        .collect()
}

const PAYMENTS_ALARMS: [&str; 3] = [
    "payments-5xx-rate",
    "payments-p99-latency",
    "payments-health",
];

fn all_payments_alarms(states: &HashMap<String, AlarmState>, want: AlarmState) -> bool {
    PAYMENTS_ALARMS.iter().all(|n| states[*n] == want)
}

// ---------------------------------------------------------------------------------------------
// (a) The bad rolling deployment trips the circuit breaker and rolls back; the alarms follow.

#[tokio::test(start_paused = true)]
async fn bad_rolling_deployment_trips_the_breaker_and_rolls_back_and_alarms_follow() {
    let f = fleet();

    // Before the deployment: payments steady on revision 42, its alarms OK.
    let p = service(&*f, &payments()).await;
    assert_eq!(p.task_def, td("payments", 42));
    assert_eq!(p.deployments.len(), 1);
    let primary = p.primary().unwrap();
    assert_eq!(primary.rollout_state, RolloutState::Completed);
    let breaker = p.circuit_breaker.expect("payments has a circuit breaker");
    assert!(breaker.rollback);
    assert_eq!(breaker.threshold, 3);
    assert!(all_payments_alarms(
        &alarm_states(&*f).await,
        AlarmState::Ok
    ));

    advance_s(44).await;
    assert_eq!(service(&*f, &payments()).await.deployments.len(), 1);

    // Sample once a second, as a fast poller would, and note when things happen.
    let mut started_at = None;
    let mut first_alarm_at = None;
    let mut tripped_at = None;
    let mut rolled_back_at = None;
    let mut alarms_clear_at = None;
    let mut saw_failed_deployment = None;
    for t in 45..=300 {
        advance_s(1).await;
        assert_eq!(
            now(&f),
            EPOCH + Ms(t * 1000),
            "the paused clock drives the fleet"
        );
        let p = service(&*f, &payments()).await;
        let states = alarm_states(&*f).await;
        let primary = p.primary().expect("always one PRIMARY").clone();

        if started_at.is_none() && primary.task_def == td("payments", 43) {
            started_at = Some(t);
            assert_eq!(primary.rollout_state, RolloutState::InProgress);
            assert_eq!(p.task_def, td("payments", 43));
            let old = p
                .deployments
                .iter()
                .find(|d| d.status == DeploymentStatus::Active)
                .expect("the old deployment stays ACTIVE while the new one rolls");
            assert_eq!(old.task_def, td("payments", 42));
        }
        if first_alarm_at.is_none() && states["payments-5xx-rate"] == AlarmState::Alarm {
            first_alarm_at = Some(t);
        }
        if let Some(failed) = p
            .deployments
            .iter()
            .find(|d| d.rollout_state == RolloutState::Failed)
        {
            if tripped_at.is_none() {
                tripped_at = Some(t);
                // The breaker tripped: the failing deployment is no longer PRIMARY, a new
                // PRIMARY on the last good task definition took over.
                assert_eq!(failed.task_def, td("payments", 43));
                assert!(failed.failed_tasks >= breaker.threshold, "{failed:?}");
                assert_eq!(failed.status, DeploymentStatus::Active);
                assert_eq!(primary.task_def, td("payments", 42));
                assert!(
                    primary.rollout_reason.contains("circuit breaker"),
                    "{}",
                    primary.rollout_reason
                );
                assert_eq!(p.task_def, td("payments", 42));
                assert_eq!(p.image_tag, "v1.42.0");
                // The alarms are already firing when the breaker trips.
                assert!(
                    all_payments_alarms(&states, AlarmState::Alarm),
                    "{states:?}"
                );
            }
            saw_failed_deployment = Some(failed.clone());
        }
        if tripped_at.is_some()
            && rolled_back_at.is_none()
            && p.deployments.len() == 1
            && primary.rollout_state == RolloutState::Completed
        {
            rolled_back_at = Some(t);
            assert_eq!(primary.task_def, td("payments", 42));
            assert_eq!(p.running, p.desired);
        }
        if rolled_back_at.is_some()
            && alarms_clear_at.is_none()
            && all_payments_alarms(&states, AlarmState::Ok)
        {
            alarms_clear_at = Some(t);
        }
        // Other services' alarms are not dragged in.
        assert_eq!(states["api-5xx-rate"], AlarmState::Ok, "t={t}");
        assert_eq!(states["checkout-canary-5xx"], AlarmState::Ok, "t={t}");
    }

    let started = started_at.expect("the bad deployment never started");
    let fired = first_alarm_at.expect("the 5xx alarm never fired");
    let tripped = tripped_at.expect("the circuit breaker never tripped");
    let rolled_back = rolled_back_at.expect("the rollback never completed");
    let cleared = alarms_clear_at.expect("the alarms never cleared");
    assert_eq!(started, 45);
    assert!(
        started < fired && fired < tripped && tripped < rolled_back && rolled_back < cleared,
        "order: start {started}, alarm {fired}, breaker {tripped}, rolled back {rolled_back}, \
         alarms clear {cleared}"
    );
    // Alarms recover a while after the errors stop (their window is a minute), not instantly.
    assert!(cleared - rolled_back >= 30, "{rolled_back} → {cleared}");
    assert!(saw_failed_deployment.is_some());

    // The end state: steady on 42, the failed revision's tasks all stopped for failing health
    // checks, and the events tell the story.
    let p = service(&*f, &payments()).await;
    assert_eq!(p.deployments.len(), 1);
    assert_eq!(p.primary().unwrap().task_def, td("payments", 42));
    assert_eq!(p.primary().unwrap().rollout_state, RolloutState::Completed);
    assert_eq!((p.running, p.pending), (4, 0));
    let tasks = f.tasks(Some(&payments())).await.unwrap();
    let bad: Vec<_> = tasks.iter().filter(|t| t.task_def.revision == 43).collect();
    assert!(bad.len() >= breaker.threshold as usize, "{bad:?}");
    for t in &bad {
        assert_eq!(t.last_status.to_string(), "STOPPED", "{t:?}");
    }
    let health_failures = bad
        .iter()
        .filter(|t| t.stop_reason.contains("failed ELB health checks"))
        .count();
    assert!(health_failures >= breaker.threshold as usize, "{bad:?}");
    let live_good = tasks
        .iter()
        .filter(|t| t.task_def.revision == 42 && t.last_status.as_str() == "RUNNING")
        .filter(|t| t.health == Health::Healthy)
        .count();
    assert_eq!(live_good, 4);
    let events: Vec<&str> = p.events.iter().map(|e| e.message.as_str()).collect();
    assert!(
        events.iter().any(|e| e.contains("deployment failed")),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| e.contains("rolling back")),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| e.contains("steady state")),
        "{events:#?}"
    );
    // Events are newest first.
    assert!(p.events.windows(2).all(|w| w[0].at >= w[1].at));
}

#[tokio::test(start_paused = true)]
async fn services_pane_data_shows_the_failure_count_climbing_to_the_threshold() {
    let f = fleet();
    advance_s(45).await;
    let mut failed_seen = Vec::new();
    for _ in 0..60 {
        advance_s(1).await;
        let p = service(&*f, &payments()).await;
        let failed = p
            .deployments
            .iter()
            .find(|d| d.task_def.revision == 43)
            .map_or(0, |d| d.failed_tasks);
        failed_seen.push(failed);
    }
    // Never decreasing while the deployment lives, and it reached the threshold.
    let first = failed_seen.iter().position(|&n| n > 0).unwrap();
    let run: Vec<u32> = failed_seen[first..]
        .iter()
        .copied()
        .take_while(|&n| n > 0)
        .collect();
    assert!(run.windows(2).all(|w| w[0] <= w[1]), "{failed_seen:?}");
    assert!(
        run.contains(&1) && run.contains(&2) && run.contains(&3),
        "{run:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_good_rolling_deployment_of_web_completes_without_alarms() {
    let f = fleet();
    advance_s(119).await;
    assert_eq!(
        service(&*f, &key("prod-core", "web"))
            .await
            .task_def
            .revision,
        87
    );
    let mut saw_two = false;
    for _ in 0..90 {
        advance_s(1).await;
        let web = service(&*f, &key("prod-core", "web")).await;
        assert!(
            web.deployments
                .iter()
                .all(|d| d.rollout_state != RolloutState::Failed && d.failed_tasks == 0),
            "{:?}",
            web.deployments
        );
        saw_two |= web.deployments.len() == 2;
        // Never fewer healthy tasks than desired minus one while it rolls.
        assert!(web.running + 1 >= web.desired, "{web:?}");
    }
    assert!(
        saw_two,
        "the old deployment was never ACTIVE beside the new"
    );
    let web = service(&*f, &key("prod-core", "web")).await;
    assert_eq!(web.deployments.len(), 1);
    let d = web.primary().unwrap();
    assert_eq!(d.task_def, td("web", 88));
    assert_eq!(d.rollout_state, RolloutState::Completed);
    assert_eq!(web.image_tag, "v1.88.0");
    assert_eq!(alarm_states(&*f).await["web-cpu-high"], AlarmState::Ok);
    // The new image was pushed and is the one in use.
    let images = f.images().await.unwrap();
    let v88 = images
        .iter()
        .find(|i| i.repository == "web" && i.tags.contains(&"v1.88.0".to_string()))
        .expect("web v1.88.0 in ECR");
    assert_eq!(v88.used_by, ["web"]);
}

// ---------------------------------------------------------------------------------------------
// (b) The canary waits at its hook, counts down, and rolls back when the hook times out.

#[tokio::test(start_paused = true)]
async fn canary_waits_at_its_hook_with_a_countdown_then_rolls_back_on_timeout() {
    let f = fleet();
    let c = service(&*f, &checkout()).await;
    let n = c.native.clone().expect("checkout has a native deployment");
    assert_eq!(n.strategy, deckwatch::model::Strategy::Canary);
    assert_eq!(n.status.to_string(), "IN_PROGRESS");
    assert_eq!(
        n.lifecycle_stage.to_string(),
        "PRE_PRODUCTION_TRAFFIC_SHIFT"
    );
    assert_eq!(n.target.task_def, td("checkout", 58));
    assert_eq!(n.sources.len(), 1);
    assert_eq!(n.sources[0].task_def, td("checkout", 57));
    assert_eq!(n.target.requested_production_weight, 0.0);
    assert_eq!(n.sources[0].requested_production_weight, 100.0);
    assert_eq!(
        n.target.running, 4,
        "the canary's tasks are up, taking test traffic"
    );
    let hook = n.hook.clone().expect("waiting at a hook");
    assert_eq!(hook.id, "manual-promote-gate");
    assert_eq!(
        hook.stage.map(|s| s.to_string()).as_deref(),
        Some("PRE_PRODUCTION_TRAFFIC_SHIFT")
    );
    assert_eq!(hook.status, HookStatus::AwaitingAction);
    assert_eq!(hook.timeout_action.to_string(), "ROLLBACK");
    assert_eq!(hook.expires_at - EPOCH, seed::HOOK_TIMEOUT_MS);
    assert!(c.in_progress());

    // The countdown moves with the clock and nothing else changes while it waits.
    let mut last_left = hook.expires_at - EPOCH;
    for step in [30u64, 60, 120, 300, 200] {
        advance_s(step).await;
        let c = service(&*f, &checkout()).await;
        let n = c.native.as_ref().unwrap();
        let h = n.hook.as_ref().expect("still at the hook");
        assert_eq!(h.status, HookStatus::AwaitingAction);
        assert_eq!(h.expires_at, hook.expires_at, "the deadline does not move");
        let left = h.expires_at - now(&f);
        assert!(left < last_left, "{left:?} !< {last_left:?}");
        assert_eq!(last_left - left, Ms::secs(step as i64));
        last_left = left;
        assert_eq!(n.status.to_string(), "IN_PROGRESS");
        assert_eq!(n.target.requested_production_weight, 0.0);
    }
    // 710 s in: 10 s left.
    assert_eq!(last_left, Ms(10_000));

    // Step through the deadline a second at a time and watch the statuses go by.
    let mut statuses = Vec::new();
    for _ in 0..15 {
        advance_s(1).await;
        let c = service(&*f, &checkout()).await;
        let s = c.native.as_ref().unwrap().status.to_string();
        if statuses.last() != Some(&s) {
            statuses.push(s);
        }
    }
    assert_eq!(statuses.first().map(String::as_str), Some("IN_PROGRESS"));
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("ROLLBACK_SUCCESSFUL"),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(
            |s| ["IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]
                .contains(&s.as_str())
        ),
        "{statuses:?}"
    );

    // Rolled back to the source revision: ECS's rollback, not a promote.
    let c = service(&*f, &checkout()).await;
    let n = c.native.as_ref().unwrap();
    assert_eq!(c.task_def, td("checkout", 57));
    assert_eq!(c.image_tag, "v1.57.0");
    assert_eq!(c.deployments.len(), 1);
    let d = c.primary().unwrap();
    assert_eq!(d.task_def, td("checkout", 57));
    assert_eq!(d.rollout_state, RolloutState::Completed);
    assert_eq!(n.target.requested_production_weight, 0.0);
    assert_eq!(n.sources[0].requested_production_weight, 100.0);
    let reason = n.rollback_reason.as_deref().expect("a rollback reason");
    assert!(reason.contains("manual-promote-gate"), "{reason}");
    assert!(reason.contains("timed out"), "{reason}");
    assert!(
        n.hook
            .as_ref()
            .is_none_or(|h| h.status != HookStatus::AwaitingAction),
        "no hook is waiting any more: {:?}",
        n.hook
    );
    assert!(!c.in_progress());
    // The canary's tasks are gone, the source's keep serving.
    let tasks = f.tasks(Some(&checkout())).await.unwrap();
    assert!(
        tasks
            .iter()
            .filter(|t| t.task_def.revision == 58)
            .all(|t| t.last_status.as_str() == "STOPPED" && t.stop_reason.contains("rolled back")),
        "{tasks:#?}"
    );
    assert_eq!(
        tasks
            .iter()
            .filter(|t| t.task_def.revision == 57 && t.last_status.as_str() == "RUNNING")
            .count(),
        4
    );
    assert_eq!((c.running, c.desired), (4, 4));

    // A while later the next canary starts from the same source.
    advance_s(120).await;
    let c = service(&*f, &checkout()).await;
    let n = c.native.as_ref().unwrap();
    assert_eq!(n.status.to_string(), "IN_PROGRESS", "{n:?}");
    assert!(n.started_at > hook.expires_at, "{n:?}");
    assert_eq!(n.sources[0].task_def, td("checkout", 57));
}

// ---------------------------------------------------------------------------------------------
// (c) The log stream: windows read page by page; payments errors show up during the bad
// deployment, from the bad revision only.

/// Every event of `target`'s groups in `[from, to)`, page by page, with each line's tag from
/// the sources' streams.
async fn read_window(
    f: &SimFleet,
    target: &LogTarget,
    from: At,
    to: At,
) -> Vec<(LogTag, RawEvent)> {
    let sources = f.log_sources(target).await.unwrap();
    let tags: HashMap<(String, String), LogTag> = sources
        .streams
        .iter()
        .map(|(g, s, t)| ((g.clone(), s.clone()), t.clone()))
        .collect();
    let mut out = Vec::new();
    for g in &sources.groups {
        let q = LogQuery {
            group: g.clone(),
            from,
            to: Some(to),
            pattern: None,
        };
        let mut token = None;
        loop {
            let page = f.log_page(&q, token.take()).await.unwrap();
            for e in page.events {
                let tag = tags
                    .get(&(e.group.clone(), e.stream.clone()))
                    .unwrap_or_else(|| panic!("{target}: line from an unlisted stream {e:?}"));
                out.push((tag.clone(), e));
            }
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn log_windows_hold_their_own_lines_and_errors_appear_during_the_bad_deployment() {
    let f = fleet();
    let target = LogTarget::service(payments());
    let mut seen: HashSet<u64> = HashSet::new();
    let (mut errors_before, mut errors_during, mut bad_revision_errors, mut total) = (0, 0, 0, 0);
    let mut from = EPOCH;
    for t in (5..=150).step_by(5) {
        advance_s(5).await;
        // Lines are written up to a second before "now": read to two seconds before it.
        let to = now(&f) - Ms(2_000);
        for (tag, e) in read_window(&f, &target, from, to).await {
            assert!(
                e.at >= from && e.at < to,
                "outside the window at t={t}: {e:?}"
            );
            assert!(seen.insert(e.id()), "line repeated at t={t}: {e:?}");
            let is_error = LineMeta::read(e.message.as_bytes()).level() >= Level::Error;
            if t <= 45 && is_error {
                errors_before += 1;
            }
            if (50..=80).contains(&t) && is_error {
                errors_during += 1;
                if tag.revision == 43 {
                    bad_revision_errors += 1;
                }
            }
            total += 1;
        }
        from = to;
    }
    assert!(total > 100, "payments wrote only {total} lines in 150 s");
    assert_eq!(errors_before, 0, "no errors before the bad deployment");
    assert!(errors_during >= 10, "only {errors_during} errors during it");
    assert_eq!(
        bad_revision_errors, errors_during,
        "every error comes from the bad revision"
    );
}

#[tokio::test(start_paused = true)]
async fn logs_of_an_unknown_service_have_no_source() {
    let f = fleet();
    advance_s(10).await;
    let s = f
        .log_sources(&LogTarget::service(key("prod-core", "nope")))
        .await
        .unwrap();
    assert!(s.groups.is_empty() && s.streams.is_empty());
}

// ---------------------------------------------------------------------------------------------
// (d) Every line is tagged with a task of its own service.

#[tokio::test(start_paused = true)]
async fn every_log_line_is_tagged_with_a_task_of_its_service() {
    let f = fleet();
    advance_s(90).await;
    let services = f.services().await.unwrap();
    let mut services_with_lines = 0;
    for s in &services {
        let k = s.key();
        let tasks = f.tasks(Some(&k)).await.unwrap();
        assert!(!tasks.is_empty(), "{k} has no tasks");
        assert!(
            tasks
                .iter()
                .all(|t| t.service == s.name && t.cluster == s.cluster),
            "tasks(Some({k})) returned another service's task"
        );
        let revision_of: HashMap<&str, u32> = tasks
            .iter()
            .map(|t| (t.id.as_str(), t.task_def.revision))
            .collect();
        let lines = read_window(&f, &LogTarget::service(k.clone()), EPOCH, now(&f)).await;
        if !lines.is_empty() {
            services_with_lines += 1;
        }
        for (tag, e) in &lines {
            let rev = revision_of
                .get(tag.task.as_str())
                .unwrap_or_else(|| panic!("{k}: line from unknown task {:?}", tag.task));
            assert_eq!(*rev, tag.revision, "{k}: {e:?}");
            assert!(e.stream.ends_with(&tag.task));
        }
    }
    assert_eq!(services_with_lines, services.len(), "every service logs");
}

#[tokio::test(start_paused = true)]
async fn all_tasks_is_the_union_of_each_service_s_tasks() {
    let f = fleet();
    advance_s(60).await;
    let all = f.tasks(None).await.unwrap();
    let mut sum = 0;
    for s in f.services().await.unwrap() {
        sum += f.tasks(Some(&s.key())).await.unwrap().len();
    }
    assert_eq!(all.len(), sum);
    let ids: HashSet<_> = all.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "task ids are unique");
}

#[tokio::test(start_paused = true)]
async fn the_context_names_the_demo_account_and_its_clusters() {
    let f = fleet();
    let c = f.context().await.unwrap();
    assert_eq!(c.account, seed::ACCOUNT);
    assert_eq!(c.region, seed::REGION);
    assert_eq!(c.clusters, ["prod-core", "prod-edge", "staging"]);
    assert!(!c.prod);
}

// ---------------------------------------------------------------------------------------------
// Determinism and the fleet's shape, without tokio

#[test]
fn the_seed_is_deterministic() {
    let a = seed::world(EPOCH);
    let b = seed::world(EPOCH);
    assert_eq!(a.services(), b.services());
    assert_eq!(a.tasks(), b.tasks());
    assert_eq!(a.images(), b.images());
    assert_eq!(a.alarms, b.alarms);
}

#[test]
fn the_same_steps_give_the_same_fleet() {
    let mut a = seed::world(EPOCH);
    let mut b = seed::world(EPOCH);
    a.advance_to(EPOCH + Ms(200_000));
    // Reaching the same time in other steps gives the same world.
    for s in [7, 50, 51, 130, 200] {
        b.advance_to(EPOCH + Ms(s * 1000));
    }
    assert_eq!(a.services(), b.services());
    assert_eq!(a.tasks(), b.tasks());
    assert_eq!(a.alarms, b.alarms);
    let la: Vec<_> = a.logs.iter().collect();
    let lb: Vec<_> = b.logs.iter().collect();
    assert_eq!(la, lb);
}

#[test]
fn another_epoch_gives_the_same_fleet_shifted_in_time() {
    let a = seed::world(EPOCH);
    let b = seed::world(EPOCH + Ms(3_600_000));
    let names = |w: &deckwatch::demo::World| -> Vec<(String, String, u32)> {
        w.services()
            .iter()
            .map(|s| (s.cluster.clone(), s.name.clone(), s.task_def.revision))
            .collect()
    };
    assert_eq!(names(&a), names(&b));
    for (x, y) in a.services().iter().zip(b.services()) {
        assert_eq!(y.created_at - x.created_at, Ms(3_600_000));
    }
}

#[test]
fn the_fleet_has_the_shape_the_demo_promises() {
    let w = seed::world(EPOCH);
    let services = w.services();
    let clusters: HashSet<_> = services.iter().map(|s| s.cluster.as_str()).collect();
    assert!(clusters.len() >= 2, "{clusters:?}");
    assert!(services.len() >= 8);
    for s in &services {
        assert!(s.desired > 0, "{}", s.name);
        // A canary runs its target's tasks beside the source's, a CodeDeploy replacement task
        // set beside the original.
        let want = if s.native.is_some() || s.cd_in_flight().is_some() {
            2 * s.desired
        } else {
            s.desired
        };
        assert_eq!(s.running, want, "{} is not at its desired count", s.name);
        assert_eq!(s.pending, 0, "{}", s.name);
        assert!(
            !s.cpu.is_empty() && !s.mem.is_empty(),
            "{} has no metrics",
            s.name
        );
    }
    let canaries = services
        .iter()
        .filter(|s| {
            s.native
                .as_ref()
                .is_some_and(|n| n.hook.is_some() && n.status.as_str() == "IN_PROGRESS")
        })
        .count();
    assert_eq!(
        canaries, 2,
        "checkout's CANARY and inventory's LINEAR deployments"
    );
    let waiting_for_reroute = services
        .iter()
        .filter(|s| s.cd_in_flight().and_then(|d| d.waiting()).is_some())
        .count();
    assert_eq!(waiting_for_reroute, 1, "cart's CodeDeploy canary");
    // Images with tags, digests and findings.
    let images = w.images();
    assert!(images.iter().all(|i| !i.tags.is_empty()));
    assert!(images.iter().all(|i| i.digest.starts_with("sha256:")));
    assert!(images.iter().any(|i| i.findings.is_some()));
    assert!(images.iter().any(|i| i.findings.is_none()));
    assert!(images.iter().any(|i| !i.used_by.is_empty()));
}

/// The health of all of a service's target groups together.
fn sum_groups(
    groups: &[deckwatch::model::TargetGroupHealth],
) -> deckwatch::model::TargetGroupHealth {
    let mut all = groups[0].clone();
    for g in &groups[1..] {
        all.healthy += g.healthy;
        all.unhealthy += g.unhealthy;
        all.other += g.other;
        all.reasons.extend(g.reasons.iter().cloned());
    }
    all
}

#[tokio::test(start_paused = true)]
async fn target_health_follows_the_tasks_through_the_bad_deployment() {
    let f = fleet();
    let mut saw_unhealthy = false;
    for _ in 0..24 {
        advance_s(10).await;
        for s in f.services().await.unwrap() {
            // A native canary has an alternate target group for its new revision: its own
            // target group then holds the other tasks.
            let groups = 1 + s.alternate_target_groups.len();
            assert_eq!(s.targets.len(), groups, "{}: {:?}", s.key(), s.targets);
            let tg = sum_groups(&s.targets);
            let live: Vec<_> = f
                .tasks(Some(&s.key()))
                .await
                .unwrap()
                .into_iter()
                .filter(|t| t.last_status.as_str() != "STOPPED")
                .collect();
            let ips: Vec<&str> = live.iter().map(|t| t.private_ip.as_str()).collect();
            let mut registered: Vec<&str> = s
                .targets
                .iter()
                .flat_map(|g| g.target_ids.iter().map(String::as_str))
                .collect();
            registered.sort_unstable();
            let mut expected = ips.clone();
            expected.sort_unstable();
            assert_eq!(registered, expected, "{}: every live task once", s.key());
            let healthy = live
                .iter()
                .filter(|t| t.last_status.as_str() == "RUNNING" && t.health == Health::Healthy)
                .count() as u32;
            let unhealthy = live
                .iter()
                .filter(|t| t.health == Health::Unhealthy)
                .count() as u32;
            assert_eq!(tg.healthy, healthy, "{}", s.key());
            assert_eq!(tg.unhealthy, unhealthy, "{}", s.key());
            assert_eq!(tg.healthy + tg.unhealthy + tg.other, live.len() as u32);
            assert_eq!(tg.reasons.is_empty(), unhealthy == 0);
            // A CodeDeploy service's original task set registers in its blue target group.
            let blue = if s.task_sets.is_empty() { "" } else { "-blue" };
            assert_eq!(
                s.targets[0].name(),
                format!("{}-{}{blue}", s.cluster, s.name)
            );
            saw_unhealthy |= s.key() == payments() && unhealthy > 0;
        }
    }
    assert!(
        saw_unhealthy,
        "payments' bad tasks show as unhealthy targets"
    );
}
