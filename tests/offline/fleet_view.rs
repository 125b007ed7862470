//! The fleet view (`0`, `:fleet`): the fleet worker reads the demo's worlds off screen (free
//! calls only, at most N at once, never the context on screen), its reports fill the rows, the
//! rows sort by urgency (a hook about to time out first), the badge on another context's pane
//! names what waits, `Enter` switches, and `/` finds a service by image tag in every context.
//! Snapshots at 80x24 and 120x40.

use crate::support::screen::{dark, row as line, screen};
use crate::support::testkit::{EPOCH, StateBuilder};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::cloud::Fleet;
use deckwatch::demo::SimFleet;
use deckwatch::model::fleet::{Figures, Findable, figures};
use deckwatch::model::{AlarmState, ApiError, ErrorKind, RolloutState};
use deckwatch::model::{At, Ms};
use deckwatch::state::fleet::{FleetRead, FleetReport, FleetView, rows};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Effect, Mode, Msg, State, Target, update};
use deckwatch::workers::fleet::Member;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};

/// Seconds into the scenario: checkout waits at its PAUSE hook, payments' rollout fails and
/// its alarms fire.
const AT_S: i64 = 70;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn target(name: &str, region: Option<&str>) -> Target {
    Target {
        generation: 0,
        name: name.into(),
        region: region.map(str::to_string),
    }
}

/// The demo at `AT_S` on screen as context `demo`, in a fleet of four.
fn fleet_state() -> State {
    let d = StateBuilder::demo(EPOCH)
        .at_seconds(AT_S)
        .fleet_context()
        .with_every_pane(Ms(2_000));
    let mut s = d.build();
    s.fleet = FleetView::new(
        vec![
            target("demo", None),
            target("staging", Some("eu-west-1")),
            target("prod-us", Some("us-east-1")),
            target("sandbox", None),
        ],
        true,
    );
    s
}

fn report(name: &str, region: &str, figures: Figures, found: Vec<Findable>, at: At) -> Msg {
    Msg::Fleet(Box::new(FleetReport {
        target: target(name, Some(region)),
        at,
        read: Ok(FleetRead {
            account: "222222222222".into(),
            region: region.into(),
            figures,
            cost: None,
            found,
        }),
        expiry: None,
    }))
}

/// Another context: a hook with 3 minutes left, two alarms firing, and a service running
/// image tag `sha-3e1bbd7`.
fn prod_us(now: At) -> Msg {
    let f = Figures {
        services: 40,
        rolling: 1,
        hooks: 1,
        hook_expires: Some(now + Ms(3 * 60_000) + Ms(5_000)),
        firing: 2,
        ..Figures::default()
    };
    let found = vec![Findable {
        cluster: "core".into(),
        service: "ledger".into(),
        tags: vec!["sha-3e1bbd7".into()],
        revision: "ledger:12".into(),
    }];
    report("prod-us", "us-east-1", f, found, now - Ms(4_000))
}

fn staging(now: At) -> Msg {
    let f = Figures {
        services: 12,
        firing: 1,
        ..Figures::default()
    };
    report("staging", "eu-west-1", f, Vec::new(), now - Ms(20_000))
}

/// Staging's read failed for want of credentials, saying `why`.
fn staging_unread(now: At, why: &str) -> Msg {
    Msg::Fleet(Box::new(FleetReport {
        target: target("staging", Some("eu-west-1")),
        at: now,
        read: Err(ApiError::new(ErrorKind::Credentials, why)),
        expiry: None,
    }))
}

#[test]
fn the_demo_world_is_counted_as_its_panes_show_it() {
    let d = StateBuilder::demo(EPOCH).at_seconds(AT_S);
    let w = d.world();
    let services = w.services();
    let f = figures(&services, &w.alarms, d.build().now);
    assert_eq!(f.services, services.len());
    // checkout waits at its PAUSE hook (and so may others): each counted, the soonest's
    // expiry kept.
    let waiting: Vec<(&str, At)> = services
        .iter()
        .filter_map(|s| {
            let h = s.native.as_ref()?.waiting_hook()?;
            Some((s.name.as_str(), h.expires_at))
        })
        .collect();
    assert!(waiting.iter().any(|(n, _)| *n == "checkout"), "{waiting:?}");
    assert_eq!(f.hooks, waiting.len());
    assert_eq!(f.hook_expires, waiting.iter().map(|(_, at)| *at).min());
    // payments' rollout is failing, and it is one of the rollouts in flight.
    assert!(f.failing >= 1 && f.rolling >= f.failing, "{f:?}");
    let firing = w.alarms.iter().filter(|a| a.state == AlarmState::Alarm);
    assert_eq!(f.firing, firing.count());
    assert!(f.firing > 0);
}

#[test]
fn a_hook_about_to_time_out_sorts_first_and_shows_in_the_badge_of_another_pane() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, staging(now));
    let _ = update(&mut s, prod_us(now));
    let order: Vec<String> = rows(&s).iter().map(|r| r.member.target.label()).collect();
    // The demo on screen has its own hook, with more time left than prod-us's 3 minutes.
    assert_eq!(
        order,
        [
            "prod-us (us-east-1)",
            "demo",
            "staging (eu-west-1)",
            "sandbox"
        ]
    );
    let _ = update(&mut s, Msg::Resize(120, 40));
    let buf = draw(&s, 120, 40);
    let header = line(&buf, 0);
    assert!(header.contains("fleet: 1 hook 3m, 3 alarms"), "{header}");
}

/// The on-screen row is counted by the reducer when its services or alarms arrive, and again
/// on the tick only while a failure in the last hour can age out; a frame only reads it.
#[test]
fn the_on_screen_row_is_counted_when_its_data_changes_and_ages_on_the_tick() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, Msg::Tick(now));
    let counted = s
        .fleet
        .here
        .figures
        .clone()
        .expect("counted on the first message");
    assert_eq!(
        counted,
        figures(&s.ctx.services.items, &s.ctx.alarms.items, now)
    );
    // A refresh where one service's rollout failed a minute ago: counted at once.
    let mut services = s.ctx.services.items.clone();
    let failed = services[0].deployments.first_mut().expect("a deployment");
    failed.rollout_state = RolloutState::Failed;
    failed.id = "ecs-svc/failed-in-test".into();
    failed.updated_at = now - Ms(60_000);
    let _ = update(&mut s, Msg::Services(Prepared::from(services), now));
    let after = s.fleet.here.figures.clone().unwrap();
    assert_eq!(after.failed_recently, counted.failed_recently + 1);
    // An hour later the tick ages it out, with nothing read in between.
    let later = now + Ms::HOUR;
    let _ = update(&mut s, Msg::Tick(later));
    let aged = s.fleet.here.figures.clone().unwrap();
    assert!(aged.failed_recently < after.failed_recently, "{aged:?}");
    assert_eq!(
        aged,
        figures(&s.ctx.services.items, &s.ctx.alarms.items, later)
    );
    // A key changes nothing it is counted from: the row stays as counted.
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let row = rows(&s).into_iter().find(|r| r.on_screen).unwrap();
    assert_eq!(row.figures, Some(aged));
}

#[test]
fn the_badge_counts_only_the_other_contexts() {
    let mut s = fleet_state();
    let buf = draw(&s, 120, 40);
    assert!(
        !line(&buf, 0).contains("fleet:"),
        "nothing read off screen yet"
    );
    let now = s.now;
    let quiet = Figures {
        services: 3,
        ..Figures::default()
    };
    let _ = update(
        &mut s,
        report("staging", "eu-west-1", quiet, Vec::new(), now),
    );
    assert!(!line(&draw(&s, 120, 40), 0).contains("fleet:"));
}

#[test]
fn zero_opens_the_view_and_enter_switches_to_the_row_with_its_figures_kept() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, prod_us(now));
    let _ = update(&mut s, key(KeyCode::Char('0')));
    assert_eq!(s.mode, Mode::Fleet);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.mode, Mode::Normal);
    let switched = fx.iter().find_map(|e| match e {
        Effect::SwitchContext(t) => Some(t.clone()),
        _ => None,
    });
    let t = switched.expect("Enter switches");
    assert_eq!(
        (t.name.as_str(), t.region.as_deref()),
        ("prod-us", Some("us-east-1"))
    );
    // The row keeps what the fleet worker read; the context left is a row like the others.
    let prod = s.fleet.members.iter().find(|m| m.target.name == "prod-us");
    assert_eq!(prod.unwrap().figures.as_ref().map(|f| f.hooks), Some(1));
    assert!(
        rows(&s)
            .iter()
            .any(|r| r.on_screen && r.member.target.name == "prod-us")
    );
}

#[test]
fn the_palette_word_opens_it_too_and_esc_leaves() {
    let mut s = fleet_state();
    for c in ":fleet".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.mode, Mode::Fleet);
    let _ = update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn slash_finds_a_sha_in_every_context_with_its_context_and_cluster() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, prod_us(now));
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let _ = update(&mut s, key(KeyCode::Char('/')));
    assert_eq!(s.mode, Mode::FleetSearch);
    for c in "3E1BBD7".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    let hits = s.fleet.hits.clone().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].target.name, "prod-us");
    assert_eq!(
        (hits[0].cluster.as_str(), hits[0].service.as_str()),
        ("core", "ledger")
    );
    let text = screen(&draw(&s, 120, 40));
    assert!(
        text.contains("ledger") && text.contains("sha-3e1bbd7"),
        "{text}"
    );
    // The context on screen is searched from its own pane: the demo's tags are `v1.N.0`.
    let _ = update(&mut s, key(KeyCode::Char('/')));
    for c in "checkout".chars() {
        let _ = update(&mut s, key(KeyCode::Char(c)));
    }
    let _ = update(&mut s, key(KeyCode::Enter));
    let hits = s.fleet.hits.clone().unwrap();
    assert!(
        hits.iter()
            .all(|h| h.target.name == "demo" && h.service.contains("checkout"))
    );
    assert!(!hits.is_empty());
}

#[test]
fn a_context_that_cannot_be_read_says_so_and_keeps_its_last_figures() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, staging(now));
    let _ = update(
        &mut s,
        staging_unread(now, "the SSO session expired: run aws sso login"),
    );
    let m = s
        .fleet
        .members
        .iter()
        .find(|m| m.target.name == "staging")
        .unwrap();
    assert_eq!(m.figures.as_ref().map(|f| f.firing), Some(1));
    assert!(m.error.is_some());
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let text = screen(&draw(&s, 120, 40));
    let row = text.lines().find(|l| l.contains("staging")).unwrap();
    assert!(row.contains("expired"), "{row}");
    assert!(
        !text.contains("session expired"),
        "said only of the selected row"
    );

    // Selected, the row's error is said in full under the rows: what to run.
    let at = deckwatch::state::fleet::rows(&s)
        .iter()
        .position(|r| r.member.target.name == "staging")
        .unwrap();
    s.fleet.selected = at;
    let text = screen(&draw(&s, 120, 40));
    assert!(
        text.contains("staging (eu-west-1): the SSO session expired: run aws sso login"),
        "{text}"
    );
}

#[test]
fn credentials_that_are_missing_are_not_called_expired() {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(
        &mut s,
        staging_unread(
            now,
            "no valid AWS credentials: run `aws sso login --sso-session corp`",
        ),
    );
    let _ = update(&mut s, key(KeyCode::Char('0')));
    let text = screen(&draw(&s, 120, 40));
    let row = text.lines().find(|l| l.contains("staging")).unwrap();
    assert!(row.contains("invalid") && !row.contains("expired"), "{row}");
}

fn draw(s: &State, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        deckwatch::ui::draw(f, s, &dark());
    })
    .unwrap();
    t.backend().buffer().clone()
}

fn snapshot_at(w: u16, h: u16) -> String {
    let mut s = fleet_state();
    let now = s.now;
    let _ = update(&mut s, staging(now));
    let _ = update(&mut s, prod_us(now));
    let _ = update(&mut s, Msg::Resize(w, h));
    let _ = update(&mut s, key(KeyCode::Char('0')));
    screen(&draw(&s, w, h))
}

#[test]
fn snapshot_fleet_view_80x24() {
    insta::assert_snapshot!(snapshot_at(80, 24));
}

#[test]
fn snapshot_fleet_view_120x40() {
    insta::assert_snapshot!(snapshot_at(120, 40));
}

/// A demo world whose clock is tokio's, named for the test.
fn world() -> Arc<dyn Fleet> {
    Arc::new(SimFleet::new(EPOCH))
}

#[tokio::test(start_paused = true)]
async fn the_worker_reads_only_the_contexts_off_screen_and_the_one_left_at_once() {
    let (tx, mut rx) = mpsc::channel(16);
    let (on_screen, watching) = watch::channel(target("a", None));
    let worlds = [("a", world()), ("b", world())];
    // Into the scenario, where checkout waits at its PAUSE hook.
    tokio::time::sleep(Duration::from_secs(AT_S as u64)).await;
    let permits = Arc::new(Semaphore::new(1));
    for (name, fleet) in worlds {
        let m = Member {
            target: target(name, None),
            fleet,
            tx: tx.clone(),
            permits: permits.clone(),
            on_screen: watching.clone(),
            every: Duration::from_secs(60),
            prices: None,
        };
        tokio::spawn(m.run());
    }
    let first = next(&mut rx).await;
    assert_eq!(
        first.target.name, "b",
        "the context on screen is its pollers'"
    );
    let read = first.read.unwrap();
    assert!(read.figures.services > 0 && !read.found.is_empty());
    // The hook the world has waiting is in the row, with its expiry.
    assert!(read.figures.hooks >= 1, "{:?}", read.figures);
    assert!(read.figures.hook_expires.is_some());
    assert!(read.found.iter().any(|f| f.service == "checkout"));
    // The demo's prices are built in (no cache key): its cost is known without a call.
    assert!(read.cost.is_some_and(|c| c.known > 0), "{:?}", read.cost);
    // Nothing more until the fleet's slow rate comes round.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(rx.try_recv().is_err());
    // The user goes to b: a is read at once, b no more.
    on_screen.send(target("b", None)).unwrap();
    assert_eq!(next(&mut rx).await.target.name, "a");
    for _ in 0..3 {
        assert_eq!(next(&mut rx).await.target.name, "a");
    }
}

async fn next(rx: &mut mpsc::Receiver<Msg>) -> FleetReport {
    match rx.recv().await {
        Some(Msg::Fleet(r)) => *r,
        other => panic!("{other:?}"),
    }
}
