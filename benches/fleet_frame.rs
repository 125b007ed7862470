//! Key to frame on the fleet view while 20 contexts poll, with no server: the on-screen
//! context's services (5,000 by default) refreshed every 2 s as its pollers send them, and the
//! other contexts' reports (500 services each) arriving between keys, as the fleet worker
//! sends them. Each `j`/`k` is timed from the reducer taking it to a drawn 120x40 frame; the
//! figures are p50, p99 and max, and the reducer's time for each services refresh (where the
//! on-screen row's figures are counted) beside them.
//!
//! Run: cargo bench --bench fleet_frame
//! (`DECKWATCH_BENCH_CONTEXTS`, `DECKWATCH_BENCH_SERVICES`, `DECKWATCH_BENCH_KEYS` set the
//! sizes; under `cargo test --bench fleet_frame` it runs once, small, as a check, unless they
//! are set.)

#![allow(clippy::unwrap_used)] // a bench that fails should panic where it fails

#[path = "support/quick.rs"]
mod quick;
#[path = "../tests/support/testkit.rs"]
mod testkit;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deckwatch::demo::seed;
use deckwatch::model::fleet::{Figures, Findable};
use deckwatch::model::{At, Ms, Service};
use deckwatch::state::fleet::{FleetRead, FleetReport, FleetView};
use deckwatch::state::table::Prepared;
use deckwatch::state::{Msg, State, Target, update};
use quick::{median, setting};
use std::time::Instant;
use testkit::{EPOCH, StateBuilder};

/// Keys a second, as a user holding `j` gives them: a services refresh every 2 s is one every
/// 100 keys.
const KEYS_PER_REFRESH: usize = 100;

fn main() {
    let contexts = setting("DECKWATCH_BENCH_CONTEXTS", 20, 3);
    let services = setting("DECKWATCH_BENCH_SERVICES", 5_000, 50);
    let rounds = setting("DECKWATCH_BENCH_KEYS", 2_000, 40);
    let mut s = on_screen(contexts, services);
    let reports: Vec<FleetReport> = (1..contexts).map(|i| report(i, s.now)).collect();
    for r in &reports {
        let _ = update(&mut s, Msg::Fleet(Box::new(r.clone())));
    }
    let _ = update(&mut s, Msg::Resize(120, 40));
    let _ = update(&mut s, key('0'));
    let (frames, refreshes) = keys(&mut s, &reports, services, rounds);
    let p = |v: &[f64], q: usize| v[(v.len() * q / 100).min(v.len() - 1)];
    println!(
        "fleet_frame: key to frame on the fleet view, {contexts} contexts, {services} services on screen, {rounds} keys: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (goal: p99 ≤ 16 ms)",
        median(frames.clone()),
        p(&frames, 99),
        frames[frames.len() - 1]
    );
    println!(
        "fleet_frame: the reducer on a refresh of the {services} services: p50 {:.2} ms, max {:.2} ms ({} refreshes)",
        median(refreshes.clone()),
        refreshes[refreshes.len() - 1],
        refreshes.len()
    );
}

/// The demo on screen as one context of the fleet, with `n` services.
fn on_screen(contexts: usize, n: usize) -> State {
    let mut s = StateBuilder::demo(EPOCH).fleet_context().build();
    let mut targets = vec![Target {
        name: s.ctx.target.name.clone(),
        ..Target::default()
    }];
    targets.extend((1..contexts).map(target));
    s.fleet = FleetView::new(targets, true);
    let now = s.now;
    let _ = update(&mut s, Msg::Services(Prepared::from(services(n, 0)), now));
    s
}

fn target(i: usize) -> Target {
    Target {
        generation: 0,
        name: format!("acct-{i:02}"),
        region: Some("eu-west-1".into()),
    }
}

/// The demo's services, copied to `n` with names of their own (the demo's rollouts, hooks and
/// failures among them, so every figure has something to count).
fn services(n: usize, bump: u32) -> Vec<Service> {
    let base = seed::world(EPOCH).services();
    (0..n)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.name = format!("{}-{i:05}", s.name);
            s.cluster = format!("cluster-{:03}", i % 20);
            s.arn = format!("{}-{i}", s.arn);
            s.running += bump;
            s
        })
        .collect()
}

/// Context `i`'s read: 500 services, some of them wanting attention.
fn report(i: usize, now: At) -> FleetReport {
    let found = (0..500)
        .map(|j| Findable {
            cluster: "fleet".into(),
            service: format!("svc-{j:03}"),
            tags: vec![format!("sha-{i:02}{j:05}")],
            revision: format!("svc-{j:03}:{i}"),
        })
        .collect();
    let figures = Figures {
        services: 500,
        rolling: i % 3,
        hooks: usize::from(i.is_multiple_of(7)),
        hook_expires: i.is_multiple_of(7).then(|| now + Ms::secs(60 * i as i64)),
        firing: i % 4,
        ..Figures::default()
    };
    FleetReport {
        target: target(i),
        at: now,
        read: Ok(FleetRead {
            account: format!("2000000{i:05}"),
            region: "eu-west-1".into(),
            figures,
            cost: None,
            found,
        }),
        expiry: None,
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// `j`/`k` to a drawn frame, a report taken in every other key and a services refresh every
/// `KEYS_PER_REFRESH` keys (prepared off the clock, as the poller prepares it off the loop).
/// Returns the sorted key-to-frame times and refresh times, in ms.
fn keys(s: &mut State, reports: &[FleetReport], n: usize, rounds: usize) -> (Vec<f64>, Vec<f64>) {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let theme = deckwatch::theme::Themes::load(None)
        .unwrap()
        .get("dark")
        .unwrap();
    let (mut frames, mut refreshes) = (Vec::with_capacity(rounds), Vec::new());
    let mut last = services(n, 0);
    for i in 0..rounds {
        if i % 2 == 0 && !reports.is_empty() {
            let r = reports[i / 2 % reports.len()].clone();
            let _ = update(s, Msg::Fleet(Box::new(r)));
        }
        if i % KEYS_PER_REFRESH == KEYS_PER_REFRESH - 1 {
            let p = Prepared::new(services(n, i as u32), None, Some(&last));
            last = p.items.clone();
            let (t, now) = (Instant::now(), s.now);
            let _ = update(s, Msg::Services(p, now));
            refreshes.push(t.elapsed().as_secs_f64() * 1000.0);
            drop(s.take_discarded());
        }
        let t = Instant::now();
        let _ = update(s, key(if i % 40 < 20 { 'j' } else { 'k' }));
        term.draw(|f| {
            deckwatch::ui::draw(f, s, &theme);
        })
        .unwrap();
        frames.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    if refreshes.is_empty() {
        refreshes.push(0.0);
    }
    frames.sort_by(|a, b| a.total_cmp(b));
    refreshes.sort_by(|a, b| a.total_cmp(b));
    (frames, refreshes)
}
