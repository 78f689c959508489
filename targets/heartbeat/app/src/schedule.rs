//! [`BeatSchedule`]: when the next heartbeat is due, its sequence number, and
//! the counters the health document reports. Pure: the caller sends.

/// Beat timing and counters. Beats are due at boot and then every period,
/// on a fixed grid (no drift); after a stall longer than a period the grid
/// restarts from the time the beat finally went out, so there is no burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BeatSchedule {
    period_ms: u64,
    next_due_ms: u64,
    next_seq: u32,
    sent: u32,
    send_errors: u32,
    last_failed: bool,
}

impl BeatSchedule {
    /// A schedule whose first beat is due at `now_ms`. A zero period counts as 1 ms.
    pub const fn new(period_ms: u32, now_ms: u64) -> Self {
        let period_ms = if period_ms == 0 { 1 } else { period_ms as u64 };
        Self {
            period_ms,
            next_due_ms: now_ms,
            next_seq: 0,
            sent: 0,
            send_errors: 0,
            last_failed: false,
        }
    }

    /// When the next beat is due.
    pub const fn next_due_ms(&self) -> u64 {
        self.next_due_ms
    }

    /// True when a beat is due at `now_ms`.
    pub const fn is_due(&self, now_ms: u64) -> bool {
        now_ms >= self.next_due_ms
    }

    /// The sequence number of the next beat (0 for the first after boot).
    pub const fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// Beats handed to the network.
    pub const fn sent(&self) -> u32 {
        self.sent
    }

    /// Beats that could not be handed to the network.
    pub const fn send_errors(&self) -> u32 {
        self.send_errors
    }

    /// True when the most recent attempt failed.
    pub const fn last_failed(&self) -> bool {
        self.last_failed
    }

    /// Records an attempt at `now_ms` and moves to the next slot. The sequence
    /// number advances either way, so the collector sees the gap.
    pub fn record(&mut self, now_ms: u64, sent: bool) {
        if sent {
            self.sent = self.sent.wrapping_add(1);
        } else {
            self.send_errors = self.send_errors.wrapping_add(1);
        }
        self.last_failed = !sent;
        self.next_seq = self.next_seq.wrapping_add(1);
        let on_grid = self.next_due_ms.saturating_add(self.period_ms);
        self.next_due_ms = if on_grid > now_ms {
            on_grid
        } else {
            now_ms.saturating_add(self.period_ms)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_beat_is_due_at_boot_then_every_period_on_a_grid() {
        let mut s = BeatSchedule::new(1_000, 0);
        assert!(s.is_due(0));
        s.record(3, true); // sent a little late: the grid holds
        assert_eq!(s.next_due_ms(), 1_000);
        assert!(!s.is_due(999));
        s.record(1_002, true);
        assert_eq!(s.next_due_ms(), 2_000);
        assert_eq!((s.next_seq(), s.sent(), s.send_errors()), (2, 2, 0));
    }

    #[test]
    fn a_stall_restarts_the_grid_instead_of_bursting() {
        let mut s = BeatSchedule::new(1_000, 0);
        s.record(0, true);
        s.record(5_500, true);
        assert_eq!(s.next_due_ms(), 6_500);
    }

    #[test]
    fn failed_sends_count_and_still_use_a_sequence_number() {
        let mut s = BeatSchedule::new(500, 10);
        s.record(10, false);
        assert!(s.last_failed());
        s.record(510, true);
        assert!(!s.last_failed());
        assert_eq!((s.next_seq(), s.sent(), s.send_errors()), (2, 1, 1));
    }

    #[test]
    fn zero_period_is_one_millisecond() {
        let mut s = BeatSchedule::new(0, 0);
        s.record(0, true);
        assert_eq!(s.next_due_ms(), 1);
    }
}
