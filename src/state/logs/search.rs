//! The logs pane's filter: the tables' syntax (`a|b`, `!x`) over each line's message and its
//! task and revision tags, kept as the list of matching line numbers. New lines are checked
//! as they arrive; a keystroke that only narrows the filter rechecks the previous matches, not
//! the whole buffer.

use crate::state::logs::buffer::LogBuffer;
use crate::state::table::filter::Filter;
use std::collections::VecDeque;

/// A lower-case term, searched for without allocating (ASCII) from its rarest byte.
#[derive(Debug, Clone)]
pub struct Needle {
    lower: Vec<u8>,
    /// The byte searched for first, and where it sits in the term.
    anchor: usize,
    ascii: bool,
}

/// Bytes by how common they are in log text, most common first: the rarer the byte a search
/// starts from, the fewer places it has to check.
const COMMON: &[u8] = b" etaoinsrlhdcu0123456789mfpgwybv.:/-_=\"k,x[]{}jqz";

fn commonness(b: u8) -> usize {
    COMMON
        .iter()
        .position(|c| *c == b.to_ascii_lowercase())
        .map_or(0, |i| COMMON.len() - i)
}

impl Needle {
    pub fn new(term: &str) -> Self {
        Self::with_counts(term, None)
    }

    /// A needle whose first byte searched for is the one rarest in `counts` (how often each
    /// byte occurs in a sample of the text to search), else in log text in general.
    pub fn with_counts(term: &str, counts: Option<&[u32; 256]>) -> Self {
        let lower = term.to_lowercase().into_bytes();
        let rarity = |b: u8| match counts {
            Some(c) => {
                c[b.to_ascii_lowercase() as usize] as usize
                    + c[b.to_ascii_uppercase() as usize] as usize
            }
            None => commonness(b),
        };
        let anchor = (0..lower.len())
            .min_by_key(|&i| rarity(lower[i]))
            .unwrap_or(0);
        Self {
            ascii: lower.is_ascii(),
            lower,
            anchor,
        }
    }

    /// Whether `hay` contains the term, ignoring case.
    pub fn is_in(&self, hay: &[u8]) -> bool {
        self.find(hay, 0).is_some()
    }

    /// The first place at or after `from` where the term starts, ignoring case (ASCII terms;
    /// other terms compare lower-cased text).
    pub fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        let n = self.lower.len();
        if n == 0 {
            return Some(from);
        }
        if !self.ascii {
            let text = std::str::from_utf8(hay.get(from..)?).ok()?;
            let needle = std::str::from_utf8(&self.lower).ok()?;
            return lower_find(text, needle).map(|i| i + from);
        }
        let k = self.anchor;
        let b = self.lower[k];
        let mut at = from + k;
        while at < hay.len() {
            let rest = &hay[at..];
            let hit = if b.is_ascii_alphabetic() {
                memchr::memchr2(b, b.to_ascii_uppercase(), rest)
            } else {
                memchr::memchr(b, rest)
            }?;
            let start = at + hit - k;
            if hay
                .get(start..start + n)
                .is_some_and(|w| w.eq_ignore_ascii_case(&self.lower))
            {
                return Some(start);
            }
            at += hit + 1;
        }
        None
    }

    pub fn len(&self) -> usize {
        self.lower.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }
}

/// Byte offset in `text` of `needle` (lower-case), comparing lower-cased characters, mapped
/// back to `text`'s own offsets.
fn lower_find(text: &str, needle: &str) -> Option<usize> {
    let first = needle.chars().next()?;
    for (i, c) in text.char_indices() {
        if c.to_lowercase().next() != Some(first) {
            continue;
        }
        let mut t = text[i..].chars().flat_map(char::to_lowercase);
        if needle.chars().all(|n| t.next() == Some(n)) {
            return Some(i);
        }
    }
    None
}

/// Terms beyond these many are not used (the filter keeps at most 16 anyway).
const MAX_TERMS: usize = 16;

/// The filter, ready to run over lines, and the numbers of the lines it keeps.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub filter: Filter,
    include: Vec<Needle>,
    exclude: Vec<Needle>,
    /// Which terms each tag matches (bit i: include term i; bit 16 + i: exclude term i),
    /// computed the first time the tag is met.
    tag_hits: Vec<Option<u32>>,
    /// Some tag matches a term: without one, lines are checked on their text alone.
    tags_hit: bool,
    tags_epoch: u64,
    /// The matching lines, oldest first.
    pub matches: VecDeque<u64>,
}

impl Search {
    pub fn is_active(&self) -> bool {
        !self.filter.is_empty()
    }

    pub fn include(&self) -> &[Needle] {
        &self.include
    }

    /// Sets the filter's text; rechecks the previous matches when the new filter can only keep
    /// fewer lines, and the whole buffer otherwise.
    pub fn set(&mut self, text: &str, buf: &LogBuffer) {
        let filter = Filter::parse(text);
        if filter == self.filter {
            return;
        }
        let narrower = self.is_active() && filter.narrows(&self.filter);
        let counts = sample_counts(buf);
        let needle = |t: &String| Needle::with_counts(t, Some(&counts));
        self.include = filter.highlights().iter().map(needle).collect();
        self.exclude = filter.excludes().iter().map(needle).collect();
        self.include.truncate(MAX_TERMS);
        self.exclude.truncate(MAX_TERMS);
        self.filter = filter;
        self.tag_hits.clear();
        self.tags_epoch = buf.tags_epoch;
        // Every tag held, once, so lines need not ask about theirs.
        self.tags_hit = false;
        for id in 0..buf.tag_count() {
            self.tag_mask(buf, id as u16);
        }
        if !self.is_active() {
            self.matches.clear();
            return;
        }
        if narrower {
            let old = std::mem::take(&mut self.matches);
            self.matches = old.into_iter().filter(|s| self.admits(buf, *s)).collect();
        } else {
            self.scan(buf);
        }
    }

    /// Every line held, checked a term at a time over whole arena blocks: the search skips
    /// lines without the term at memchr's speed instead of starting again on each line.
    fn scan(&mut self, buf: &LogBuffer) {
        let n = buf.len();
        let words = n.div_ceil(64);
        let mut inc = vec![0u64; words];
        let mut exc = vec![0u64; words];
        for needle in &self.include {
            hits(buf, needle, &mut inc);
        }
        for needle in &self.exclude {
            hits(buf, needle, &mut exc);
        }
        self.matches.clear();
        let first = buf.first_seq();
        for i in 0..n {
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            let (mut yes, mut no) = (
                self.include.is_empty() || inc[w] & bit != 0,
                exc[w] & bit != 0,
            );
            if self.tags_hit && (no || !yes) {
                let tag = buf.tag_id(first + i as u64).unwrap_or(0);
                let mask = self.tag_mask(buf, tag);
                yes |= mask & 0xffff != 0;
                no |= mask >> 16 != 0;
            }
            if yes && !no {
                self.matches.push_back(first + i as u64);
            }
        }
    }

    /// Checks new lines; forgets matches the buffer no longer holds.
    pub fn take(&mut self, buf: &LogBuffer, added: std::ops::Range<u64>) {
        while self.matches.front().is_some_and(|s| *s < buf.first_seq()) {
            self.matches.pop_front();
        }
        if !self.is_active() {
            return;
        }
        for seq in added {
            if self.admits(buf, seq) {
                self.matches.push_back(seq);
            }
        }
    }

    /// Whether line `seq` passes the filter.
    pub fn admits(&mut self, buf: &LogBuffer, seq: u64) -> bool {
        let Some((msg, tag)) = buf.raw(seq) else {
            return false;
        };
        if self.tags_epoch != buf.tags_epoch || tag as usize >= self.tag_hits.len() {
            self.tag_mask(buf, tag);
        }
        if !self.tags_hit {
            // The common case: the text alone decides.
            let inc = self.include.is_empty() || self.include.iter().any(|n| n.is_in(msg));
            return inc && !self.exclude.iter().any(|n| n.is_in(msg));
        }
        let mask = self.tag_mask(buf, tag);
        let inc = self.include.is_empty()
            || self
                .include
                .iter()
                .enumerate()
                .any(|(i, n)| mask & (1 << i) != 0 || n.is_in(msg));
        inc && !self
            .exclude
            .iter()
            .enumerate()
            .any(|(i, n)| mask & (1 << (16 + i)) != 0 || n.is_in(msg))
    }

    fn tag_mask(&mut self, buf: &LogBuffer, id: u16) -> u32 {
        if self.tags_epoch != buf.tags_epoch {
            self.tags_epoch = buf.tags_epoch;
            self.tag_hits.clear();
            self.tags_hit = false;
            for other in 0..buf.tag_count().min(id as usize) {
                self.tag_mask(buf, other as u16);
            }
        }
        if let Some(Some(m)) = self.tag_hits.get(id as usize) {
            return *m;
        }
        let text = buf.tag(id).map(tag_text).unwrap_or_default();
        let mut mask = 0u32;
        for (i, n) in self.include.iter().enumerate() {
            if n.is_in(text.as_bytes()) {
                mask |= 1 << i;
            }
        }
        for (i, n) in self.exclude.iter().enumerate() {
            if n.is_in(text.as_bytes()) {
                mask |= 1 << (16 + i);
            }
        }
        if self.tag_hits.len() <= id as usize {
            self.tag_hits.resize(id as usize + 1, None);
        }
        self.tag_hits[id as usize] = Some(mask);
        self.tags_hit |= mask != 0;
        mask
    }

    /// Where line `seq` stands among the matches: (how many matches come before it, whether
    /// it is one).
    pub fn rank(&self, seq: u64) -> (usize, bool) {
        match self.matches.binary_search(&seq) {
            Ok(i) => (i, true),
            Err(i) => (i, false),
        }
    }
}

/// How often each byte occurs in the newest text held (at most 64 KiB of it): what a search
/// should start from is what is rare here.
fn sample_counts(buf: &LogBuffer) -> [u32; 256] {
    let mut counts = [0u32; 256];
    if let Some((_, block)) = buf.blocks().last() {
        for b in &block[block.len().saturating_sub(64 * 1024)..] {
            counts[*b as usize] += 1;
        }
    }
    counts
}

/// Marks in `bits` (by line, counting from the oldest held) every line whose text holds
/// `needle`. Lines sit one after another in a block, so a hit is kept only when it lies
/// within one line.
fn hits(buf: &LogBuffer, needle: &Needle, bits: &mut [u64]) {
    let mut i = 0;
    let n = buf.len();
    for (base, block) in buf.blocks() {
        let end = base + block.len() as u64;
        // Lines of earlier blocks with no hit left behind: the scan starts at this block's
        // first line (a line lies within one block).
        while buf.span(i).is_some_and(|(s, _)| s < base) {
            i += 1;
        }
        let Some((start, _)) = buf.span(i) else {
            return;
        };
        if start >= end {
            continue;
        }
        let mut pos = (start - base) as usize;
        while let Some(at) = needle.find(block, pos) {
            let abs = base + at as u64;
            // The line the hit starts in.
            while let Some((s, len)) = buf.span(i) {
                if s + len as u64 > abs || i >= n {
                    break;
                }
                i += 1;
            }
            let Some((s, len)) = buf.span(i) else {
                return;
            };
            if s >= end {
                break;
            }
            if abs + needle.len() as u64 <= s + len as u64 && abs >= s {
                bits[i / 64] |= 1 << (i % 64);
                // On to the next line.
                pos = (s + len as u64 - base) as usize;
                i += 1;
            } else {
                pos = at + 1;
            }
            if pos >= block.len() {
                break;
            }
        }
        // The next block starts with the first line not yet passed.
        while let Some((s, _)) = buf.span(i) {
            if s >= end {
                break;
            }
            i += 1;
        }
    }
}

/// The searchable text of a tag: `TASK rREV`, and `canary` for the canary's lines.
pub fn tag_text(t: &crate::model::LogTag) -> String {
    let mut s = format!("{} r{}", t.task, t.revision);
    if t.side == crate::model::LogSide::Canary {
        s.push_str(" canary");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::At;
    use crate::model::{LogChunk, LogLine};

    #[test]
    fn a_needle_finds_its_term_in_any_case_from_its_rarest_byte() {
        let n = Needle::new("Timeout");
        assert!(n.is_in(b"upstream TIMEOUT after 3s"));
        assert!(!n.is_in(b"time out"));
        assert_eq!(n.find(b"timeout timeout", 1), Some(8));
        assert!(Needle::new("x=1").is_in(b"a x=1 b"));
        assert!(Needle::new("ünï").is_in("Ünïcode".as_bytes()));
        assert!(!Needle::new("ünï").is_in(b"unicode"));
    }

    fn buf(lines: &[(&str, u32, &str)]) -> LogBuffer {
        let mut b = LogBuffer::new(1000, 1 << 20);
        let lines: Vec<LogLine> = lines
            .iter()
            .enumerate()
            .map(|(i, (task, rev, msg))| LogLine {
                at: At(i as i64),
                task_id: task.to_string(),
                revision: *rev,
                message: msg.to_string(),
            })
            .collect();
        b.append(&LogChunk::from_lines(&lines));
        b
    }

    #[test]
    fn alternatives_exclusions_and_tags_all_count() {
        let b = buf(&[
            ("aaaa", 42, "INFO ok"),
            ("bbbb", 43, "ERROR db down"),
            ("aaaa", 42, "WARN slow"),
            ("cccc", 43, "INFO ok"),
        ]);
        let mut s = Search::default();
        s.set("ERROR|WARN", &b);
        assert_eq!(Vec::from(s.matches.clone()), vec![1, 2]);
        s.set("r43", &b);
        assert_eq!(Vec::from(s.matches.clone()), vec![1, 3]);
        s.set("r43|!error", &b);
        assert_eq!(Vec::from(s.matches.clone()), vec![3]);
        s.set("bbbb", &b);
        assert_eq!(Vec::from(s.matches.clone()), vec![1]);
        s.set("", &b);
        assert!(s.matches.is_empty() && !s.is_active());
    }

    #[test]
    fn the_block_scan_agrees_with_checking_each_line() {
        let mut b = LogBuffer::new(100_000, 1 << 20);
        let lines: Vec<LogLine> = (0..30_000)
            .map(|i| LogLine {
                at: At(i),
                task_id: format!("t{}", i % 5),
                revision: (i % 3) as u32,
                message: match i % 4 {
                    0 => format!("ERROR refused {i}"),
                    1 => format!("ERR{}", i % 10),
                    2 => format!("OR error {i} ünï"),
                    _ => format!("info {i}"),
                },
            })
            .collect();
        for c in lines.chunks(777) {
            b.append(&LogChunk::from_lines(c));
        }
        assert!(b.dropped > 0 || b.first_seq() == 0);
        for text in [
            "error",
            "or",
            "err|!refused",
            "r1",
            "ünï",
            "9 ü",
            "!info",
            "t3|r2",
        ] {
            let mut s = Search::default();
            s.set(text, &b);
            let want: Vec<u64> = (b.first_seq()..b.end_seq())
                .filter(|q| s.admits(&b, *q))
                .collect();
            assert_eq!(Vec::from(s.matches.clone()), want, "{text}");
        }
    }

    #[test]
    fn a_term_across_two_lines_matches_neither() {
        let b = buf(&[
            ("t", 1, "first ERR"),
            ("t", 1, "OR second"),
            ("t", 1, "an error"),
        ]);
        let mut s = Search::default();
        s.set("error", &b);
        assert_eq!(Vec::from(s.matches.clone()), vec![2]);
    }

    #[test]
    fn a_narrowing_keystroke_gives_what_a_full_scan_gives() {
        let b = buf(&[
            ("t", 1, "error one"),
            ("t", 1, "errand"),
            ("t", 1, "terror"),
            ("t", 1, "nothing"),
        ]);
        let mut inc = Search::default();
        for text in ["e", "er", "err", "erro", "error"] {
            inc.set(text, &b);
            let mut full = Search::default();
            full.set(text, &b);
            assert_eq!(inc.matches, full.matches, "{text}");
        }
        assert_eq!(Vec::from(inc.matches.clone()), vec![0, 2]);
    }
}
