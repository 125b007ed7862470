//! What a frame and a refresh cost with 10,000 services.
//! Run: cargo bench --bench render
//!
//! - Frames: the services pane at 200×60, drawn into a `TestBackend` terminal. Each iteration
//!   draws a state different from the one before it (two states take turns), so ratatui's diff
//!   writes a real change every frame, as on a live console.
//! - The loop's share of a refresh: `state::update` taking in 10,000 services that all changed,
//!   as the poller prepares them (sorted, compared with the last refresh, off the loop), then,
//!   for comparison, as a plain list the loop must sort and compare itself. The old list is
//!   handed to the dropper, as the loop does; freeing it is not the loop's time.

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

#[path = "../tests/support/testkit.rs"]
mod testkit;

use crate::testkit::StateBuilder;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use deckwatch::demo::seed;
use deckwatch::model::{ContextInfo, Service};
use deckwatch::state::table::Prepared;
use deckwatch::state::{self, Msg, State};
use deckwatch::theme::Themes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

use crate::testkit::EPOCH;

/// `n` services from the demo's seed, renamed across 20 clusters; `bump` changes every one.
fn fleet(n: usize, bump: u32) -> Vec<Service> {
    let base = seed::world(EPOCH).services();
    (0..n)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.name = format!("{}-{i:05}", s.name);
            s.cluster = format!("cluster-{:02}", i % 20);
            s.arn = format!("{}-{i}", s.arn);
            s.running += bump;
            s
        })
        .collect()
}

fn state_with(services: Vec<Service>) -> State {
    let mut st = StateBuilder::demo(EPOCH)
        .context(ContextInfo::default())
        .build();
    let _ = state::update(&mut st, Msg::Services(services.into(), EPOCH));
    st.take_discarded();
    st
}

fn frames(c: &mut Criterion) {
    let theme = Themes::load(None).unwrap().get("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut draw = |st: &State| {
        term.draw(|f| {
            deckwatch::ui::draw(f, black_box(st), &theme);
        })
        .unwrap();
    };
    // Two states whose every visible row differs (running counts), drawn in turn.
    let mut pair = [state_with(fleet(10_000, 0)), state_with(fleet(10_000, 1))];
    let mut turn = 0;
    c.bench_function("frame: services pane, 10k services, 200x60, top", |b| {
        b.iter(|| {
            turn ^= 1;
            draw(&pair[turn]);
        })
    });
    for st in &mut pair {
        st.ctx.services.bottom();
    }
    c.bench_function("frame: services pane, 10k services, 200x60, bottom", |b| {
        b.iter(|| {
            turn ^= 1;
            draw(&pair[turn]);
        })
    });
    let small = [state_with(fleet(10, 0)), state_with(fleet(10, 1))];
    c.bench_function("frame: services pane, 10 services, 200x60", |b| {
        b.iter(|| {
            turn ^= 1;
            draw(&small[turn]);
        })
    });
}

fn refreshes(c: &mut Criterion) {
    let mut st = state_with(fleet(10_000, 0));
    let lists = [fleet(10_000, 1), fleet(10_000, 2)];
    let mut turn = 0;
    // What the poller does off the loop, timed on its own for the record.
    c.bench_function("worker: prepare a refresh of 10k changed services", |b| {
        b.iter_batched(
            || {
                turn ^= 1;
                (lists[turn].clone(), lists[turn ^ 1].clone())
            },
            |(v, last)| Prepared::new(v, None, Some(&last)),
            BatchSize::LargeInput,
        )
    });
    c.bench_function(
        "loop: take in a prepared refresh of 10k changed services",
        |b| {
            b.iter_batched(
                || {
                    turn ^= 1;
                    Prepared::new(lists[turn].clone(), None, None)
                },
                |p| {
                    let _ = state::update(&mut st, Msg::Services(p, EPOCH));
                    st.take_discarded()
                },
                BatchSize::LargeInput,
            )
        },
    );
    c.bench_function(
        "loop, for comparison: sort, compare and free 10k changed services itself",
        |b| {
            b.iter_batched(
                || {
                    turn ^= 1;
                    lists[turn].clone()
                },
                |v| {
                    let p: Prepared<Service> = v.into();
                    let _ = state::update(&mut st, Msg::Services(p, EPOCH));
                    drop(st.take_discarded());
                },
                BatchSize::LargeInput,
            )
        },
    );
}

criterion_group!(benches, frames, refreshes);
criterion_main!(benches);
