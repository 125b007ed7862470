//! The log buffer: one byte arena plus offsets, bounded by lines and by bytes, so following a
//! noisy service for hours keeps memory flat.
//!
//! The arena is a ring of fixed-size blocks: a line never straddles two blocks, and when the
//! oldest lines go, whole blocks are freed, so the arena never holds more than one block beyond
//! the live text. Each line costs 24 bytes of offsets besides its text: its task and revision
//! are interned once per task, and its level and format are read once, when it arrives. Lines
//! are numbered (`seq`) from the first ever taken, so a position survives the oldest lines
//! being dropped.

use crate::model::{At, LineMeta, LogChunk, LogTag};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
struct Entry {
    at: At,
    /// Absolute offset of the text in the arena.
    start: u64,
    len: u32,
    tag: u16,
    meta: LineMeta,
}

/// One stored line, borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRef<'a> {
    pub seq: u64,
    pub at: At,
    pub tag: &'a LogTag,
    pub message: &'a str,
    pub meta: LineMeta,
}

/// The tags of the lines held, each stored once.
#[derive(Debug, Clone, Default)]
struct Tags {
    list: Vec<LogTag>,
    index: HashMap<LogTag, u16>,
}

impl Tags {
    fn id(&mut self, tag: &LogTag) -> Option<u16> {
        if let Some(id) = self.index.get(tag) {
            return Some(*id);
        }
        if self.list.len() >= u16::MAX as usize {
            return None;
        }
        let id = self.list.len() as u16;
        self.list.push(tag.clone());
        self.index.insert(tag.clone(), id);
        Some(id)
    }
}

#[derive(Debug, Clone)]
pub struct LogBuffer {
    blocks: VecDeque<Arc<Vec<u8>>>,
    block: usize,
    /// Absolute offset of `blocks[0]`: a multiple of `block`.
    base: u64,
    /// Where the next line's text goes.
    write: u64,
    entries: VecDeque<Entry>,
    /// The number of `entries[0]`.
    first_seq: u64,
    tags: Tags,
    /// Bumped when tag ids are renumbered, so caches keyed by them know to start again.
    pub tags_epoch: u64,
    max_lines: usize,
    max_bytes: usize,
    live_bytes: usize,
    /// Lines dropped to stay within the bounds, shown in the pane's title.
    pub dropped: u64,
}

/// The largest arena block; small buffers use smaller ones.
const MAX_BLOCK: usize = 1 << 20;

impl LogBuffer {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        let max_bytes = max_bytes.max(crate::model::MAX_LINE * 4);
        let block = (max_bytes / 16)
            .next_power_of_two()
            .clamp(crate::model::MAX_LINE * 4, MAX_BLOCK);
        Self {
            blocks: VecDeque::new(),
            block,
            base: 0,
            write: 0,
            entries: VecDeque::new(),
            first_seq: 0,
            tags: Tags::default(),
            tags_epoch: 0,
            max_lines: max_lines.max(1),
            max_bytes,
            live_bytes: 0,
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of text held by live lines.
    pub fn bytes(&self) -> usize {
        self.live_bytes
    }

    /// The number of the oldest line held, and one past the newest.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    /// Empties the buffer. Line numbers go on from where they were, so nothing that pointed
    /// at an old line can point at a new one.
    pub fn clear(&mut self) {
        self.first_seq = self.end_seq();
        self.blocks.clear();
        self.entries.clear();
        self.tags = Tags::default();
        self.tags_epoch += 1;
        self.base = 0;
        self.write = 0;
        self.live_bytes = 0;
        self.dropped = 0;
    }

    /// Appends a prepared batch; returns the numbers of the lines added.
    pub fn append(&mut self, chunk: &LogChunk) -> std::ops::Range<u64> {
        let from = self.end_seq();
        let mut ids = self.tag_ids(chunk);
        for l in &chunk.lines {
            let text = &chunk.text[l.start as usize..(l.start + l.len) as usize];
            let tag = ids.get(l.tag as usize).copied().unwrap_or(0);
            let start = self.place(text);
            self.entries.push_back(Entry {
                at: l.at,
                start,
                len: text.len() as u32,
                tag,
                meta: l.meta,
            });
            self.live_bytes += text.len();
        }
        self.evict();
        ids.clear();
        from.max(self.first_seq)..self.end_seq()
    }

    /// The buffer's ids of the chunk's tags; renumbers the buffer's tags first if they are full.
    fn tag_ids(&mut self, chunk: &LogChunk) -> Vec<u16> {
        let mut ids: Vec<Option<u16>> = chunk.tags.iter().map(|t| self.tags.id(t)).collect();
        if ids.iter().any(Option::is_none) {
            self.renumber_tags();
            ids = chunk.tags.iter().map(|t| self.tags.id(t)).collect();
        }
        ids.into_iter().map(|i| i.unwrap_or(0)).collect()
    }

    /// Keeps only the tags live lines use (called when 65,535 tags have been seen).
    fn renumber_tags(&mut self) {
        let mut old = std::mem::take(&mut self.tags);
        let mut map: HashMap<u16, u16> = HashMap::new();
        for e in &mut self.entries {
            let next = map.len() as u16;
            let new = *map.entry(e.tag).or_insert_with(|| {
                let t = std::mem::take(&mut old.list[e.tag as usize]);
                self.tags.list.push(t.clone());
                self.tags.index.insert(t, next);
                next
            });
            e.tag = new;
        }
        self.tags_epoch += 1;
    }

    /// Copies `text` into the arena where it fits whole; returns its absolute offset.
    fn place(&mut self, text: &[u8]) -> u64 {
        let block = self.block as u64;
        if self.write % block + text.len() as u64 > block {
            self.write = self.write.div_ceil(block) * block;
        }
        let index = ((self.write - self.base) / block) as usize;
        while self.blocks.len() <= index {
            self.blocks
                .push_back(Arc::new(Vec::with_capacity(self.block)));
        }
        let start = self.write;
        if let Some(b) = self.blocks.get_mut(index) {
            // A saved snapshot may share the block: copy it once rather than change it.
            Arc::make_mut(b).extend_from_slice(text);
        }
        self.write += text.len() as u64;
        start
    }

    /// Drops the oldest lines beyond the bounds, then every block no live line uses.
    fn evict(&mut self) {
        while self.entries.len() > self.max_lines || self.live_bytes > self.max_bytes {
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            self.live_bytes -= e.len as usize;
            self.first_seq += 1;
            self.dropped += 1;
        }
        let live = self.entries.front().map_or(self.write, |e| e.start);
        while self.blocks.len() > 1 && self.base + self.block as u64 <= live {
            self.blocks.pop_front();
            self.base += self.block as u64;
        }
    }

    /// Line number `seq`, if it is still held.
    pub fn get(&self, seq: u64) -> Option<LogRef<'_>> {
        let i = seq.checked_sub(self.first_seq)? as usize;
        let e = self.entries.get(i)?;
        let block = self.block as u64;
        let b = self.blocks.get(((e.start - self.base) / block) as usize)?;
        let off = (e.start % block) as usize;
        let bytes = b.get(off..off + e.len as usize)?;
        // The arena only ever holds whole UTF-8 strings, placed at their own boundaries.
        let message = std::str::from_utf8(bytes).unwrap_or("");
        Some(LogRef {
            seq,
            at: e.at,
            tag: self.tags.list.get(e.tag as usize)?,
            message,
            meta: e.meta,
        })
    }

    /// Line `seq`'s text and tag id, as they are stored (the filter's fast path).
    pub fn raw(&self, seq: u64) -> Option<(&[u8], u16)> {
        let i = seq.checked_sub(self.first_seq)? as usize;
        let e = self.entries.get(i)?;
        let block = self.block as u64;
        let b = self.blocks.get(((e.start - self.base) / block) as usize)?;
        let off = (e.start % block) as usize;
        Some((b.get(off..off + e.len as usize)?, e.tag))
    }

    /// Where line `i` (counting from the oldest held) is: its absolute offset and length.
    pub fn span(&self, i: usize) -> Option<(u64, usize)> {
        self.entries.get(i).map(|e| (e.start, e.len as usize))
    }

    /// The arena's blocks, each with its absolute offset, oldest first: a search runs over
    /// whole blocks rather than line by line.
    pub fn blocks(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let block = self.block as u64;
        self.blocks
            .iter()
            .enumerate()
            .map(move |(k, b)| (self.base + k as u64 * block, b.as_slice()))
    }

    /// How many tags are held (ids are below this).
    pub fn tag_count(&self) -> usize {
        self.tags.list.len()
    }

    /// The tag id of line `seq` (for caches keyed by tag).
    pub fn tag_id(&self, seq: u64) -> Option<u16> {
        let i = seq.checked_sub(self.first_seq)? as usize;
        self.entries.get(i).map(|e| e.tag)
    }

    /// Tag `id`.
    pub fn tag(&self, id: u16) -> Option<&LogTag> {
        self.tags.list.get(id as usize)
    }

    /// Bytes the arena has allocated, for the bound tests.
    pub fn arena_capacity(&self) -> usize {
        self.blocks.iter().map(|b| b.capacity()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LogLine;

    fn line(i: usize) -> LogLine {
        LogLine {
            at: At(i as i64),
            task_id: format!("task{}", i % 3),
            revision: 7,
            message: format!("message number {i} ünïcode"),
        }
    }

    fn push(b: &mut LogBuffer, l: LogLine) {
        b.append(&LogChunk::from_lines(&[l]));
    }

    #[test]
    fn keeps_the_newest_lines_within_the_line_bound() {
        let mut b = LogBuffer::new(100, 1 << 20);
        for i in 0..1000 {
            push(&mut b, line(i));
        }
        assert_eq!(b.len(), 100);
        assert_eq!(b.dropped, 900);
        let first = b.get(b.first_seq()).unwrap();
        assert_eq!(first.message, "message number 900 ünïcode");
        assert_eq!(first.tag.task, "task0");
        assert_eq!(first.tag.revision, 7);
        assert_eq!(b.get(b.end_seq() - 1).unwrap().at, At(999));
        assert_eq!(b.get(b.first_seq() - 1), None);
    }

    #[test]
    fn stays_within_the_byte_bound_and_frees_whole_blocks() {
        let max = 256 * 1024;
        let mut b = LogBuffer::new(usize::MAX, max);
        for i in 0..50_000 {
            push(&mut b, line(i));
            assert!(b.bytes() <= max);
        }
        // The arena holds the live text and at most one block more.
        assert!(
            b.arena_capacity() <= max + 2 * b.block,
            "arena grew to {}",
            b.arena_capacity()
        );
        assert_eq!(b.get(b.end_seq() - 1).unwrap().at, At(49_999));
        // Every held line reads back whole.
        for s in b.first_seq()..b.end_seq() {
            assert!(b.get(s).unwrap().message.starts_with("message number"));
        }
    }

    #[test]
    fn cuts_an_overlong_line_at_a_char_boundary() {
        let mut b = LogBuffer::new(10, 1 << 20);
        let long = "é".repeat(crate::model::MAX_LINE);
        push(
            &mut b,
            LogLine {
                at: At(1),
                task_id: "t".into(),
                revision: 1,
                message: long,
            },
        );
        let got = b.get(0).unwrap().message;
        assert!(got.len() <= crate::model::MAX_LINE, "{}", got.len());
        assert!(got.starts_with('é') && got.ends_with("bytes cut]"));
    }

    #[test]
    fn a_snapshot_keeps_its_lines_while_the_buffer_moves_on() {
        let mut b = LogBuffer::new(100, 1 << 20);
        for i in 0..50 {
            push(&mut b, line(i));
        }
        let snap = b.clone();
        for i in 50..300 {
            push(&mut b, line(i));
        }
        assert_eq!(snap.get(49).unwrap().message, "message number 49 ünïcode");
        assert_eq!(b.get(299).unwrap().message, "message number 299 ünïcode");
    }

    #[test]
    fn tags_are_renumbered_when_full_and_lines_keep_theirs() {
        let mut b = LogBuffer::new(1000, 1 << 22);
        for i in 0..70_000usize {
            push(
                &mut b,
                LogLine {
                    at: At(i as i64),
                    task_id: format!("t{i}"),
                    revision: 1,
                    message: format!("m{i}"),
                },
            );
        }
        assert!(b.tags_epoch >= 1);
        let last = b.get(b.end_seq() - 1).unwrap();
        assert_eq!((last.tag.task.as_str(), last.message), ("t69999", "m69999"));
        let first = b.get(b.first_seq()).unwrap();
        assert_eq!(first.tag.task, format!("t{}", b.first_seq()));
    }
}
