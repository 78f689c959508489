//! [`FailureWindow`]: the last 64 counted verdicts as bits, for "X of the last Y
//! failed" rules that catch a flapping service a consecutive-failure counter misses
//! (stack-notes C.10 point 10: F P F P F never makes two failures in a row).

/// The last up to 64 counted verdicts, newest in bit 0 (1 = failed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FailureWindow {
    bits: u64,
    len: u8,
}

impl FailureWindow {
    /// An empty window.
    pub const fn new() -> Self {
        Self { bits: 0, len: 0 }
    }

    /// Records one verdict, forgetting the oldest once 64 are held.
    pub fn record(&mut self, failed: bool) {
        self.bits = (self.bits << 1) | u64::from(failed);
        if self.len < 64 {
            self.len = self.len.saturating_add(1);
        }
    }

    /// Failures among the last `n` recorded verdicts (fewer if fewer were recorded;
    /// `n` above 64 is taken as 64).
    pub fn failures_in_last(&self, n: u8) -> u32 {
        let n = u32::from(n.min(self.len));
        let mask = 1u64
            .checked_shl(n)
            .map_or(u64::MAX, |bit| bit.wrapping_sub(1));
        (self.bits & mask).count_ones()
    }

    /// How many verdicts are held (at most 64).
    pub const fn len(&self) -> u8 {
        self.len
    }

    /// True when nothing has been recorded since creation or [`FailureWindow::clear`].
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every verdict.
    pub fn clear(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternating_verdicts_count_every_failure_in_the_window() {
        let mut w = FailureWindow::new();
        for failed in [true, false, true, false, true] {
            w.record(failed);
        }
        assert_eq!(w.failures_in_last(5), 3);
        assert_eq!(w.failures_in_last(2), 1);
        assert_eq!(w.len(), 5);
    }

    #[test]
    fn old_verdicts_slide_out() {
        let mut w = FailureWindow::new();
        w.record(true);
        for _ in 0..5 {
            w.record(false);
        }
        assert_eq!(w.failures_in_last(5), 0);
        assert_eq!(w.failures_in_last(6), 1);
    }

    #[test]
    fn window_holds_at_most_sixty_four_verdicts() {
        let mut w = FailureWindow::new();
        for _ in 0..100 {
            w.record(true);
        }
        assert_eq!(w.len(), 64);
        assert_eq!(w.failures_in_last(64), 64);
        assert_eq!(w.failures_in_last(200), 64);
        w.clear();
        assert!(w.is_empty());
        assert_eq!(w.failures_in_last(64), 0);
    }

    #[test]
    fn short_history_counts_only_what_was_recorded() {
        let mut w = FailureWindow::new();
        w.record(true);
        w.record(true);
        assert_eq!(w.failures_in_last(5), 2);
    }
}
