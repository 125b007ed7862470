//! The demo left open for hours, on tokio's paused clock: the simulator's stores and the
//! console's state level off instead of growing with time. (BENCHMARKS.md has the memory of
//! the real binary over ten minutes.)

use crate::support::testkit::{Feed, StateBuilder, sim_lines};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::demo::world::{Footprint, IMAGES_RETAIN, LOG_RETAIN};
use deckwatch::model::{LogTarget, Ms, ServiceKey};
use deckwatch::state::{Msg, Pane, State, update};
use std::time::Duration;

use crate::support::testkit::EPOCH;
const HOURS: u64 = 6;
/// How often the console polls in the soak: as the logs pane and the services pane would.
const POLL: Duration = Duration::from_secs(10);

/// What the console's state holds that could grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Held {
    log_lines: usize,
    services: usize,
    tasks: usize,
    alarms: usize,
}

fn held(s: &State) -> Held {
    Held {
        log_lines: s.ctx.logs.buf.len(),
        services: s.ctx.services.items.len(),
        tasks: s.ctx.tasks.items.len(),
        alarms: s.ctx.alarms.items.len(),
    }
}

/// One store's size in a footprint.
type Pick = fn(&Footprint) -> usize;

fn max_of(f: &[Footprint], pick: impl Fn(&Footprint) -> usize) -> usize {
    f.iter().map(pick).max().unwrap_or(0)
}

#[tokio::test(start_paused = true)]
async fn six_hours_of_demo_level_off() {
    let fleet = SimFleet::new(EPOCH);
    let mut s = StateBuilder::demo(EPOCH)
        .log_capacity(5_000, 1 << 20)
        .build();
    let mut feed = Feed::default();
    feed.services(&mut s, fleet.services().await.unwrap(), EPOCH);
    // Follow the noisiest service's logs, as the logs pane does.
    let payments = ServiceKey {
        cluster: "prod-core".into(),
        name: "payments".into(),
    };
    s.ctx
        .logs
        .follow_selection(Some(LogTarget::service(payments.clone())));
    s.ctx.pane = Pane::Logs;
    let mut cursor = 0;
    let mut hourly: Vec<(Footprint, Held)> = Vec::new();
    let polls_per_hour = 3600 / POLL.as_secs();
    for i in 1..=HOURS * polls_per_hour {
        tokio::time::advance(POLL).await;
        let now = EPOCH + Ms::from_std(POLL) * i as i64;
        let (lines, next) = sim_lines(&fleet, &payments, cursor);
        cursor = next;
        let _ = update(&mut s, Msg::Logs(payments.clone(), lines, now));
        feed.services(&mut s, fleet.services().await.unwrap(), now);
        let _ = update(
            &mut s,
            Msg::Tasks(None, fleet.tasks(None).await.unwrap(), now),
        );
        feed.alarms(&mut s, fleet.alarms().await.unwrap(), now);
        let _ = update(&mut s, Msg::Tick(now));
        if i % polls_per_hour == 0 {
            hourly.push((fleet.with_world(|w| w.footprint()), held(&s)));
        }
    }
    for (h, (f, c)) in hourly.iter().enumerate() {
        println!("hour {}: {f:?} {c:?}", h + 1);
    }
    let (first, later): (Vec<_>, Vec<_>) = hourly.iter().enumerate().partition(|(h, _)| *h < 3);
    let first: Vec<Footprint> = first.into_iter().map(|(_, (f, _))| *f).collect();
    let later: Vec<Footprint> = later.into_iter().map(|(_, (f, _))| *f).collect();
    // Past the first three hours, no store holds more than it did within them (give or take a
    // deployment in flight).
    let picks: [(&str, Pick); 6] = [
        ("tasks", |f| f.tasks),
        ("images", |f| f.images),
        ("log lines", |f| f.log_lines),
        ("events", |f| f.events),
        ("deployments", |f| f.deployments),
        ("bad revisions", |f| f.bad_revisions),
    ];
    for (what, pick) in picks {
        let (early, late) = (max_of(&first, pick), max_of(&later, pick));
        assert!(
            late <= early + early / 10 + 2,
            "{what} grew: {early} in the first three hours, {late} later"
        );
    }
    assert!(max_of(&later, |f| f.log_lines) <= LOG_RETAIN);
    assert!(max_of(&later, |f| f.log_bytes) <= LOG_RETAIN * 200);
    let repos = 13;
    assert!(max_of(&later, |f| f.images) <= repos * IMAGES_RETAIN);
    // The console's own state: the log buffer at its bound, the lists as long as the fleet.
    let last = hourly.last().unwrap().1;
    assert!(last.log_lines <= 5_000, "{last:?}");
    assert!(hourly.iter().all(|(_, c)| c.services == 13), "{hourly:?}");
}
