//! The data channel's delivery rules, without I/O: every stream message carries a sequence
//! number and is kept until the other side acknowledges it, and resent when no
//! acknowledgement comes within the retransmission timeout (smoothed from the measured round
//! trips, as TCP does); messages that arrive out of order are held until the gap is filled.

use super::frame::Frame;
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// Before any round trip is measured.
const INITIAL_RTO: Duration = Duration::from_millis(200);
const INITIAL_RTT_MS: f64 = 100.0;
const MAX_RTO: Duration = Duration::from_secs(1);
const GRANULARITY_MS: f64 = 10.0;
/// Resends of one message before the channel counts as lost (5 minutes at the longest timeout).
pub const MAX_ATTEMPTS: u32 = 300;
/// Messages held unacknowledged, or held out of order, at most.
pub const CAPACITY: usize = 10_000;

struct Pending {
    sequence: i64,
    bytes: Vec<u8>,
    sent_at: Instant,
    attempts: u32,
}

/// What this side sent and the other has not acknowledged.
pub struct Outbox {
    next: i64,
    pending: VecDeque<Pending>,
    rtt_ms: f64,
    rtt_var_ms: f64,
    rto: Duration,
}

impl Default for Outbox {
    fn default() -> Self {
        Self {
            next: 0,
            pending: VecDeque::new(),
            rtt_ms: INITIAL_RTT_MS,
            rtt_var_ms: 0.0,
            rto: INITIAL_RTO,
        }
    }
}

impl Outbox {
    /// The sequence number the next stream message takes.
    pub fn next_sequence(&mut self) -> i64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Keeps an encoded message until it is acknowledged. When the box is full the oldest is
    /// given up, as the reference client does.
    pub fn keep(&mut self, sequence: i64, bytes: Vec<u8>, now: Instant) {
        if self.pending.len() >= CAPACITY {
            self.pending.pop_front();
        }
        self.pending.push_back(Pending {
            sequence,
            bytes,
            sent_at: now,
            attempts: 0,
        });
    }

    /// An acknowledgement of `sequence` arrived: the message is done, and its first send
    /// measured a round trip.
    pub fn acknowledged(&mut self, sequence: i64, now: Instant) {
        let Some(i) = self.pending.iter().position(|p| p.sequence == sequence) else {
            return;
        };
        if let Some(p) = self.pending.remove(i)
            && p.attempts == 0
        {
            self.measure(now.saturating_duration_since(p.sent_at));
        }
    }

    fn measure(&mut self, sample: Duration) {
        let s = sample.as_secs_f64() * 1000.0;
        self.rtt_var_ms = 0.75 * self.rtt_var_ms + 0.25 * (self.rtt_ms - s).abs();
        self.rtt_ms = 0.875 * self.rtt_ms + 0.125 * s;
        let rto = self.rtt_ms + (4.0 * self.rtt_var_ms).max(GRANULARITY_MS);
        self.rto = Duration::from_secs_f64(rto / 1000.0).min(MAX_RTO);
    }

    /// The messages whose timeout passed, to send again now; Err when one was resent too often
    /// (the other side is gone).
    pub fn due(&mut self, now: Instant) -> Result<Vec<Vec<u8>>, i64> {
        let rto = self.rto;
        let mut out = Vec::new();
        for p in self.pending.iter_mut() {
            if now.saturating_duration_since(p.sent_at) < rto {
                continue;
            }
            if p.attempts >= MAX_ATTEMPTS {
                return Err(p.sequence);
            }
            p.attempts += 1;
            p.sent_at = now;
            out.push(p.bytes.clone());
        }
        Ok(out)
    }

    /// Every unacknowledged message, oldest first: what a resumed connection sends again.
    pub fn all(&self) -> Vec<Vec<u8>> {
        self.pending.iter().map(|p| p.bytes.clone()).collect()
    }

    pub fn unacknowledged(&self) -> usize {
        self.pending.len()
    }

    pub fn timeout(&self) -> Duration {
        self.rto
    }
}

/// What to do with a stream message that arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival {
    /// These messages, in order, are next (the one that came and any held after it).
    Deliver(Vec<Frame>),
    /// Ahead of a gap: held until the gap is filled.
    Held,
    /// Seen before (our acknowledgement was lost): acknowledge it again, deliver nothing.
    Duplicate,
    /// Ahead of a gap, and no room to hold it: dropped unacknowledged, so it comes again.
    Dropped,
}

/// The other side's stream messages, put back in order.
#[derive(Default)]
pub struct Inbox {
    expected: i64,
    held: BTreeMap<i64, Frame>,
}

impl Inbox {
    pub fn arrive(&mut self, frame: Frame) -> Arrival {
        let seq = frame.sequence;
        if seq < self.expected || self.held.contains_key(&seq) {
            return Arrival::Duplicate;
        }
        if seq > self.expected {
            if self.held.len() >= CAPACITY {
                return Arrival::Dropped;
            }
            self.held.insert(seq, frame);
            return Arrival::Held;
        }
        let mut out = vec![frame];
        self.expected += 1;
        while let Some(next) = self.held.remove(&self.expected) {
            out.push(next);
            self.expected += 1;
        }
        Arrival::Deliver(out)
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::frame::{MessageType, PayloadType};

    fn msg(seq: i64) -> Frame {
        Frame::stream(
            MessageType::OutputStreamData,
            seq,
            PayloadType::OUTPUT,
            vec![seq as u8],
            1,
        )
    }

    #[test]
    fn out_of_order_messages_come_out_in_order_once_the_gap_fills() {
        let mut inbox = Inbox::default();
        assert_eq!(inbox.arrive(msg(1)), Arrival::Held);
        assert_eq!(inbox.arrive(msg(2)), Arrival::Held);
        let Arrival::Deliver(out) = inbox.arrive(msg(0)) else {
            panic!("the gap filled")
        };
        let seqs: Vec<i64> = out.iter().map(|f| f.sequence).collect();
        assert_eq!(seqs, [0, 1, 2]);
        assert_eq!(inbox.arrive(msg(1)), Arrival::Duplicate);
        assert_eq!(inbox.held(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn unacknowledged_messages_are_resent_after_the_timeout_and_acked_ones_are_not() {
        let mut out = Outbox::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            let s = out.next_sequence();
            out.keep(s, vec![s as u8], t0);
        }
        out.acknowledged(1, t0 + Duration::from_millis(50));
        assert_eq!(out.due(t0 + Duration::from_millis(100)).unwrap().len(), 0);
        let again = out.due(t0 + Duration::from_millis(400)).unwrap();
        assert_eq!(again, vec![vec![0u8], vec![2u8]]);
        // Resent just now: not due again at once.
        assert!(out.due(t0 + Duration::from_millis(410)).unwrap().is_empty());
        out.acknowledged(0, t0 + Duration::from_millis(420));
        out.acknowledged(2, t0 + Duration::from_millis(420));
        assert_eq!(out.unacknowledged(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_timeout_follows_the_measured_round_trips() {
        let mut out = Outbox::default();
        let t0 = Instant::now();
        for i in 0..20 {
            let s = out.next_sequence();
            let at = t0 + Duration::from_millis(i * 10);
            out.keep(s, vec![], at);
            out.acknowledged(s, at + Duration::from_millis(2));
        }
        assert!(out.timeout() < INITIAL_RTO, "{:?}", out.timeout());
        assert!(out.timeout() >= Duration::from_millis(10));
    }
}
