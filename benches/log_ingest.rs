//! Cost of taking log lines into the bounded buffer, and of drawing the logs pane from it.
//! Run: cargo bench --bench log_ingest

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deckwatch::model::LogLine;
use deckwatch::state::logs::LogBuffer;
use std::hint::black_box;

fn lines(n: usize) -> Vec<LogLine> {
    (0..n)
        .map(|i| LogLine {
            at: 1_790_000_000_000 + i as i64,
            task_id: format!("{:032x}", i % 40),
            revision: 42,
            message: format!(
                "INFO GET /api/orders/{i} 200 {}ms user=u{} region=eu-west-1",
                i % 90,
                i % 1000
            ),
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    let batch = lines(100_000);
    let mut g = c.benchmark_group("log ingest");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("100k lines into a 20k-line / 8 MiB buffer", |b| {
        b.iter(|| {
            let mut buf = LogBuffer::new(20_000, 8 * 1024 * 1024);
            for l in &batch {
                buf.push(black_box(l));
            }
            buf.len()
        })
    });
    g.bench_function("100k lines into a 1 MiB buffer (byte bound binds)", |b| {
        b.iter(|| {
            let mut buf = LogBuffer::new(usize::MAX, 1024 * 1024);
            for l in &batch {
                buf.push(black_box(l));
            }
            buf.len()
        })
    });
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
