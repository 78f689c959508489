//! [`RestartLedger`]: the restarts a target has had, for the restart budget
//! ("at most N within any period") and the exponential back-off between restarts
//! of one streak. A fixed array of instants, no allocation.

use crate::check::retry::Exponential;
use crate::health::policy::{BudgetSpec, MAX_BUDGET};
use crate::time::{Duration, Instant};

const SLOTS: usize = MAX_BUDGET as usize;

/// The most recent restarts of one target and the current back-off streak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RestartLedger {
    /// Ring of the last [`MAX_BUDGET`] restart instants; `next` is the oldest once full.
    recent: [Instant; SLOTS],
    held: u8,
    next: u8,
    /// Restarts since the target was last healthy.
    streak: u32,
    last: Option<Instant>,
    total: u32,
}

impl Default for RestartLedger {
    fn default() -> Self {
        Self::new()
    }
}

impl RestartLedger {
    /// A ledger with no restart.
    pub const fn new() -> Self {
        Self {
            recent: [Instant::ZERO; SLOTS],
            held: 0,
            next: 0,
            streak: 0,
            last: None,
            total: 0,
        }
    }

    /// Records a restart at `now`.
    pub fn record(&mut self, now: Instant) {
        let index = usize::from(self.next);
        if let Some(slot) = self.recent.get_mut(index) {
            *slot = now;
        }
        self.next = if index + 1 >= SLOTS {
            0
        } else {
            self.next.saturating_add(1)
        };
        if usize::from(self.held) < SLOTS {
            self.held = self.held.saturating_add(1);
        }
        self.streak = self.streak.saturating_add(1);
        self.last = Some(now);
        self.total = self.total.saturating_add(1);
    }

    /// Restarts within the `period` ending at `now`: those at `t` with `now - t < period`
    /// (only the last [`MAX_BUDGET`] are remembered).
    pub fn restarts_within(&self, now: Instant, period: Duration) -> u32 {
        let held = usize::from(self.held);
        let count = self
            .recent
            .iter()
            .take(held)
            .filter(|&&t| now.saturating_since(t) < period)
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Restarts still allowed at `now` under `budget`; `None` when unlimited.
    pub fn budget_left(&self, now: Instant, budget: Option<BudgetSpec>) -> Option<u32> {
        let b = budget?;
        Some(u32::from(b.max_restarts).saturating_sub(self.restarts_within(now, b.period)))
    }

    /// True when `budget` allows no restart at `now`.
    pub fn exhausted(&self, now: Instant, budget: Option<BudgetSpec>) -> bool {
        self.budget_left(now, budget) == Some(0)
    }

    /// The earliest instant the next restart of the streak may happen, `None` when
    /// nothing holds it back (no restart yet in this streak, or no back-off).
    pub fn next_allowed(&self, backoff: &Exponential) -> Option<Instant> {
        let last = self.last?;
        if self.streak == 0 || backoff.initial == Duration::ZERO {
            return None;
        }
        Some(last + backoff.delay(self.streak))
    }

    /// Ends the back-off streak: the target was healthy again.
    pub fn end_streak(&mut self) {
        self.streak = 0;
    }

    /// Forgets every restart (budget and streak); the total is kept for metrics.
    pub fn forget(&mut self) {
        *self = Self {
            total: self.total,
            ..Self::new()
        };
    }

    /// Restarts in the current streak.
    pub const fn streak(&self) -> u32 {
        self.streak
    }

    /// All restarts ever recorded.
    pub const fn total(&self) -> u32 {
        self.total
    }

    /// The last restart, if any.
    pub const fn last(&self) -> Option<Instant> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Option<BudgetSpec> = Some(BudgetSpec {
        max_restarts: 3,
        period: Duration::from_secs(600),
    });

    fn at(secs: u64) -> Instant {
        Instant::from_secs(secs)
    }

    #[test]
    fn budget_counts_restarts_in_a_sliding_period() {
        let mut ledger = RestartLedger::new();
        for t in [0, 100, 200] {
            ledger.record(at(t));
        }
        assert!(ledger.exhausted(at(599), BUDGET));
        assert_eq!(ledger.budget_left(at(600), BUDGET), Some(1));
        assert_eq!(ledger.budget_left(at(900), BUDGET), Some(3));
        assert_eq!(ledger.budget_left(at(900), None), None);
    }

    #[test]
    fn ring_keeps_the_newest_sixteen_restarts() {
        let mut ledger = RestartLedger::new();
        for t in 0..40 {
            ledger.record(at(t));
        }
        assert_eq!(
            ledger.restarts_within(at(40), Duration::from_secs(1_000)),
            16
        );
        assert_eq!(ledger.restarts_within(at(40), Duration::from_secs(5)), 4);
        assert_eq!(ledger.total(), 40);
    }

    #[test]
    fn back_off_doubles_from_the_last_restart_until_the_streak_ends() {
        let backoff = Exponential {
            initial: Duration::from_secs(10),
            factor: 2,
            max: Duration::from_secs(25),
        };
        let mut ledger = RestartLedger::new();
        assert_eq!(ledger.next_allowed(&backoff), None);
        ledger.record(at(0));
        assert_eq!(ledger.next_allowed(&backoff), Some(at(10)));
        ledger.record(at(10));
        assert_eq!(ledger.next_allowed(&backoff), Some(at(30)));
        ledger.record(at(30));
        assert_eq!(ledger.next_allowed(&backoff), Some(at(55)));
        ledger.end_streak();
        assert_eq!(ledger.next_allowed(&backoff), None);
    }

    #[test]
    fn forgetting_clears_budget_and_streak_but_keeps_the_total() {
        let mut ledger = RestartLedger::new();
        ledger.record(at(1));
        ledger.forget();
        assert_eq!(ledger.budget_left(at(2), BUDGET), Some(3));
        assert_eq!(
            (ledger.streak(), ledger.total(), ledger.last()),
            (0, 1, None)
        );
    }
}
