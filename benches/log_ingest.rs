//! The log buffer with a million lines: what it holds in memory, how fast lines go in (the
//! worker's preparing and the loop's appending, apart), and what a filter keystroke costs.
//! Run: cargo bench --bench log_ingest

#![allow(clippy::unwrap_used)] // a test or bench that fails should panic where it fails

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use deckwatch::model::{At, LogChunk, LogLine};
use deckwatch::state::logs::LogBuffer;
use deckwatch::state::logs::search::Search;
use std::hint::black_box;

const MILLION: usize = 1_000_000;
/// Lines per prepared batch: what one FilterLogEvents page or a few Live Tail updates give.
const BATCH: usize = 10_000;

/// A line of about 120 bytes (115 to 135); every 50th an error, every 7th JSON.
fn line(i: usize) -> LogLine {
    let message = if i.is_multiple_of(7) {
        format!(
            r#"{{"level":"info","msg":"GET /api/orders/{i}","status":200,"ms":{},"user":"u{}","region":"eu-west-1","host":"ip-10-0-12-34"}}"#,
            i % 90,
            i % 1000
        )
    } else if i.is_multiple_of(50) {
        format!(
            "ERROR upstream connect error to db-primary:5432 after {}ms order={i} retry=3",
            i % 900
        )
    } else {
        format!(
            "INFO GET /api/orders/{i} 200 {}ms user=u{} region=eu-west-1 trace=ab{:08x} cache=hit host=ip-10-0-12-34",
            i % 90,
            i % 1000,
            i
        )
    };
    LogLine {
        at: At(1_790_000_000_000 + i as i64),
        task_id: format!("{:032x}", i % 40),
        revision: 42 + (i % 2) as u32,
        message,
    }
}

fn lines(n: usize) -> Vec<LogLine> {
    (0..n).map(line).collect()
}

/// A buffer big enough for a million lines, filled a batch at a time (as the worker sends
/// them), so nothing but the buffer stays in memory.
fn full() -> LogBuffer {
    let mut buf = LogBuffer::new(MILLION, 512 << 20);
    for b in 0..MILLION / BATCH {
        let lines: Vec<LogLine> = (b * BATCH..(b + 1) * BATCH).map(line).collect();
        buf.append(&LogChunk::from_lines(&lines));
    }
    buf
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Not a timing: the resident memory of a million held lines against their text bytes.
fn memory(_c: &mut Criterion) {
    let before = rss_kib();
    let buf = full();
    let after = rss_kib();
    let text = buf.bytes() as f64 / 1024.0 / 1024.0;
    let held = (after - before) as f64 / 1024.0;
    println!(
        "memory: {} lines of {:.0} B on average, text {text:.1} MiB, RSS grew {held:.1} MiB \
         ({:.2}x the text), process RSS {:.1} MiB; goal <= 1.25x text + 30 MiB = {:.1} MiB",
        buf.len(),
        buf.bytes() as f64 / buf.len() as f64,
        held / text,
        after as f64 / 1024.0,
        1.25 * text + 30.0
    );
    black_box(buf);
}

fn ingest(c: &mut Criterion) {
    let raw = lines(100_000);
    let prepared: Vec<LogChunk> = raw.chunks(BATCH).map(LogChunk::from_lines).collect();
    let mut g = c.benchmark_group("log ingest");
    g.throughput(Throughput::Elements(raw.len() as u64));
    g.bench_function(
        "worker: prepare 100k lines (clean, read level and format)",
        |b| {
            b.iter(|| {
                raw.chunks(BATCH)
                    .map(|c| LogChunk::from_lines(black_box(c)).len())
                    .sum::<usize>()
            })
        },
    );
    g.bench_function(
        "loop: append 100k prepared lines to a 200k-line buffer",
        |b| {
            b.iter_batched_ref(
                || LogBuffer::new(200_000, 64 << 20),
                |buf| {
                    for c in &prepared {
                        buf.append(black_box(c));
                    }
                    buf.len()
                },
                BatchSize::LargeInput,
            )
        },
    );
    g.bench_function(
        "loop: append 100k lines to a full 50k-line buffer (evicting)",
        |b| {
            let mut buf = LogBuffer::new(50_000, 64 << 20);
            for c in &prepared {
                buf.append(c);
            }
            b.iter(|| {
                for c in &prepared {
                    buf.append(black_box(c));
                }
                buf.len()
            })
        },
    );
    g.finish();
}

fn filter(c: &mut Criterion) {
    let buf = full();
    let mut g = c.benchmark_group("filter keystroke over 1M lines");
    g.sample_size(10);
    for text in [
        "ERROR",
        "r43",
        "timeout|refused",
        "ERROR|!order=1",
        "user=u999",
    ] {
        g.bench_function(format!("whole buffer: /{text}"), |b| {
            b.iter(|| {
                let mut s = Search::default();
                s.set(black_box(text), &buf);
                s.matches.len()
            })
        });
    }
    g.bench_function(
        "narrowing: /erro then /error (rechecks the matches only)",
        |b| {
            b.iter_batched_ref(
                || {
                    let mut s = Search::default();
                    s.set("erro", &buf);
                    s
                },
                |s| {
                    s.set(black_box("error"), &buf);
                    s.matches.len()
                },
                BatchSize::LargeInput,
            )
        },
    );
    g.bench_function("first keystroke: /e (nearly every line matches)", |b| {
        b.iter(|| {
            let mut s = Search::default();
            s.set(black_box("e"), &buf);
            s.matches.len()
        })
    });
    g.finish();
}

criterion_group!(benches, memory, ingest, filter);
criterion_main!(benches);
