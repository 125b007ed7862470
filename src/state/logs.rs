//! The log buffer: one byte arena plus offsets, bounded by lines and by bytes, so following a
//! noisy service for hours keeps memory flat.

use crate::cloud::CloudError;
use crate::model::{LogLine, Millis, ServiceKey};
use std::collections::VecDeque;

/// The logs pane: the buffer of the followed service's lines and how the pane looks at it.
#[derive(Debug)]
pub struct LogView {
    pub buf: LogBuffer,
    pub service: Option<ServiceKey>,
    /// Keep the newest line in view. Scrolling up pauses it.
    pub follow: bool,
    /// Lines above the bottom when not following.
    pub scroll: usize,
    pub filter: String,
    pub fetched_at: Option<Millis>,
    pub error: Option<CloudError>,
}

impl LogView {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            buf: LogBuffer::new(max_lines, max_bytes),
            service: None,
            follow: true,
            scroll: 0,
            filter: String::new(),
            fetched_at: None,
            error: None,
        }
    }

    /// Starts following `service` afresh, unless it is followed already.
    pub fn follow_service(&mut self, service: Option<ServiceKey>) {
        if service != self.service {
            self.buf.clear();
            self.service = service;
            self.fetched_at = None;
            self.error = None;
            self.resume();
        }
    }

    /// Back to the newest line, following.
    pub fn resume(&mut self) {
        self.follow = true;
        self.scroll = 0;
    }

    /// Takes in lines of the followed service. A paused view stays where it was: it moves up
    /// by the new lines the filter shows.
    pub fn take(&mut self, lines: &[LogLine], at: Millis) {
        for l in lines {
            self.buf.push(l);
        }
        if !self.follow {
            let needle = self.filter.to_lowercase();
            let shown = lines
                .iter()
                .filter(|l| passes(&l.task_id, &l.message, &needle))
                .count();
            let max = self.buf.len().saturating_sub(1);
            self.scroll = (self.scroll + shown).min(max);
        }
        self.fetched_at = Some(at);
        self.error = None;
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Absolute offset of the line's bytes (task id, then message) in the arena.
    start: u64,
    task_len: u16,
    msg_len: u32,
    at: Millis,
    revision: u32,
}

/// One stored line, borrowed from the arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRef<'a> {
    pub at: Millis,
    pub task_id: &'a str,
    pub revision: u32,
    pub message: &'a str,
}

#[derive(Debug)]
pub struct LogBuffer {
    arena: Vec<u8>,
    /// Absolute offset of `arena[0]`: dropped bytes are counted, not moved each time.
    base: u64,
    entries: VecDeque<Entry>,
    max_lines: usize,
    max_bytes: usize,
    /// Lines dropped to stay within the bounds, shown in the pane's title.
    pub dropped: u64,
}

/// Longest message kept; longer lines are cut (with a marker) so one line cannot evict all.
const MAX_LINE: usize = 16 * 1024;

impl LogBuffer {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            arena: Vec::new(),
            base: 0,
            entries: VecDeque::new(),
            max_lines: max_lines.max(1),
            max_bytes: max_bytes.max(MAX_LINE * 2),
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held by live lines.
    pub fn bytes(&self) -> usize {
        match (self.entries.front(), self.entries.back()) {
            (Some(f), Some(b)) => {
                (b.start + b.task_len as u64 + b.msg_len as u64 - f.start) as usize
            }
            _ => 0,
        }
    }

    pub fn clear(&mut self) {
        self.arena.clear();
        self.entries.clear();
        self.base = 0;
        self.dropped = 0;
    }

    pub fn push(&mut self, line: &LogLine) {
        let task = truncate(&line.task_id, u16::MAX as usize);
        let msg = truncate(&line.message, MAX_LINE);
        let start = self.base + self.arena.len() as u64;
        self.arena.extend_from_slice(task.as_bytes());
        self.arena.extend_from_slice(msg.as_bytes());
        self.entries.push_back(Entry {
            start,
            task_len: task.len() as u16,
            msg_len: msg.len() as u32,
            at: line.at,
            revision: line.revision,
        });
        while self.entries.len() > self.max_lines || self.bytes() > self.max_bytes {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.compact();
    }

    /// Drops the arena's dead prefix once it is at least half the arena, so the copy is
    /// amortised over many pushes.
    fn compact(&mut self) {
        let live_start = self
            .entries
            .front()
            .map_or(self.base + self.arena.len() as u64, |e| e.start);
        let dead = (live_start - self.base) as usize;
        if dead > 0 && dead * 2 >= self.arena.len() {
            self.arena.drain(..dead);
            self.base = live_start;
        }
    }

    pub fn get(&self, i: usize) -> Option<LogRef<'_>> {
        let e = self.entries.get(i)?;
        let off = (e.start - self.base) as usize;
        let task_end = off + e.task_len as usize;
        let end = task_end + e.msg_len as usize;
        // The arena only ever holds whole UTF-8 strings split at their own boundaries.
        let task_id = std::str::from_utf8(&self.arena[off..task_end]).unwrap_or("?");
        let message = std::str::from_utf8(&self.arena[task_end..end]).unwrap_or("?");
        Some(LogRef {
            at: e.at,
            task_id,
            revision: e.revision,
            message,
        })
    }

    /// Capacity actually allocated, for the bound tests.
    pub fn arena_capacity(&self) -> usize {
        self.arena.capacity()
    }
}

/// Whether a line passes the logs pane's filter (`needle` already lower-case; empty passes).
pub fn passes(task_id: &str, message: &str, needle: &str) -> bool {
    use super::table::contains;
    contains(message, needle) || contains(task_id, needle)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize) -> LogLine {
        LogLine {
            at: i as i64,
            task_id: format!("task{}", i % 3),
            revision: 7,
            message: format!("message number {i} ünïcode"),
        }
    }

    #[test]
    fn keeps_the_newest_lines_within_the_line_bound() {
        let mut b = LogBuffer::new(100, 1 << 20);
        for i in 0..1000 {
            b.push(&line(i));
        }
        assert_eq!(b.len(), 100);
        assert_eq!(b.dropped, 900);
        let first = b.get(0).unwrap();
        assert_eq!(first.message, "message number 900 ünïcode");
        assert_eq!(first.task_id, "task0");
        assert_eq!(b.get(99).unwrap().at, 999);
    }

    #[test]
    fn stays_within_the_byte_bound() {
        let max = 64 * 1024;
        let mut b = LogBuffer::new(usize::MAX, max);
        for i in 0..50_000 {
            b.push(&line(i));
            assert!(b.bytes() <= max);
        }
        // The arena may hold a dead prefix up to the size of the live part, no more.
        assert!(
            b.arena_capacity() <= 4 * max,
            "arena grew to {}",
            b.arena_capacity()
        );
        assert_eq!(b.get(b.len() - 1).unwrap().at, 49_999);
    }

    #[test]
    fn cuts_an_overlong_line_at_a_char_boundary() {
        let mut b = LogBuffer::new(10, 1 << 20);
        let long = "é".repeat(MAX_LINE);
        b.push(&LogLine {
            at: 1,
            task_id: "t".into(),
            revision: 1,
            message: long,
        });
        let got = b.get(0).unwrap().message;
        assert!(got.len() <= MAX_LINE && got.chars().all(|c| c == 'é'));
    }
}
