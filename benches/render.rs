//! Frame cost of the services pane with 10,000 services at 200×60.
//! Run: cargo bench --bench render

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

use criterion::{Criterion, criterion_group, criterion_main};
use deckwatch::cloud::sim::seed;
use deckwatch::model::{ContextInfo, Service};
use deckwatch::state::{self, Msg, State};
use deckwatch::testkit::StateBuilder;
use deckwatch::theme::Themes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const EPOCH: i64 = 1_790_000_000_000;

fn fleet(n: usize) -> Vec<Service> {
    let base = seed::world(EPOCH).services();
    (0..n)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            s.name = format!("{}-{i:05}", s.name);
            s.cluster = format!("cluster-{:02}", i % 20);
            s.arn = format!("{}-{i}", s.arn);
            s
        })
        .collect()
}

fn state_with(n: usize) -> State {
    let mut st = StateBuilder::demo(EPOCH)
        .context(ContextInfo::default())
        .build();
    state::update(&mut st, Msg::Services(fleet(n), EPOCH));
    st
}

fn render(c: &mut Criterion) {
    let theme = Themes::load(None).unwrap().get("dark").unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut st = state_with(10_000);
    c.bench_function("services pane, 10k services, 200x60, top", |b| {
        b.iter(|| {
            term.draw(|f| {
                deckwatch::ui::draw(f, black_box(&st), &theme);
            })
            .unwrap();
        })
    });
    st.services.bottom();
    c.bench_function("services pane, 10k services, 200x60, bottom", |b| {
        b.iter(|| {
            term.draw(|f| {
                deckwatch::ui::draw(f, black_box(&st), &theme);
            })
            .unwrap();
        })
    });
    let small = state_with(10);
    c.bench_function("services pane, 10 services, 200x60", |b| {
        b.iter(|| {
            term.draw(|f| {
                deckwatch::ui::draw(f, black_box(&small), &theme);
            })
            .unwrap();
        })
    });
    let items = fleet(10_000);
    let mut at = EPOCH;
    c.bench_function(
        "reducer: take in 10k changed services (sort, filter, keep selection)",
        |b| {
            b.iter_batched(
                || {
                    at += 1;
                    let mut v = items.clone();
                    // A real change each time, so the no-change shortcut is not what is timed.
                    v[(at % 10_000) as usize].running += 1;
                    (v, at)
                },
                |(v, t)| state::update(&mut st, Msg::Services(v, t)),
                criterion::BatchSize::LargeInput,
            )
        },
    );
}

criterion_group!(benches, render);
criterion_main!(benches);
