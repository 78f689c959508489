//! Watches with an `interval`: checked on the engine's own timers, not only
//! when a TICK arrives, so that a hung service is found within its interval
//! plus its timeout. Watches due at the same instant share one cycle, hence
//! one process list.

use alloc::vec::Vec;

use supercheck_core::time::{Duration, Instant};

use crate::engine::{Engine, Wake};

/// The first instant after `now` on the schedule that was due at `at`
/// every `interval` (missed instants are skipped, not caught up).
pub(crate) fn next_due(at: Instant, interval: Duration, now: Instant) -> Instant {
    let step = interval.millis().max(1);
    let late = now.saturating_since(at).millis();
    at + Duration::from_millis((late / step + 1).saturating_mul(step))
}

impl Engine {
    /// Schedules every watch with an interval, first at `first(watch)`.
    pub(crate) fn schedule_intervals(&mut self, first: impl Fn(usize) -> Instant) {
        let intervals: Vec<bool> = self
            .config
            .watches
            .iter()
            .map(|w| w.interval.is_some() && !self.config.once)
            .collect();
        self.due = intervals
            .into_iter()
            .enumerate()
            .map(|(watch, scheduled)| {
                scheduled.then(|| {
                    let at = first(watch);
                    (self.timers.at(at, Wake::Due { watch }), at)
                })
            })
            .collect();
    }

    /// `watch` is due at `now` (its timer fired): reschedules it and notes it
    /// for the cycle [`Engine::run_due`] opens.
    pub(crate) fn on_due(&mut self, now: Instant, watch: usize, due: &mut Vec<usize>) {
        let Some(interval) = self.config.watches.get(watch).and_then(|w| w.interval) else {
            return;
        };
        let at = self
            .due
            .get(watch)
            .copied()
            .flatten()
            .map_or(now, |(_, at)| at);
        let next = next_due(at, interval, now);
        let timer = self.timers.at(next, Wake::Due { watch });
        if let Some(slot) = self.due.get_mut(watch) {
            *slot = Some((timer, next));
        }
        due.push(watch);
    }

    /// Opens one cycle for the watches that came due together.
    pub(crate) fn run_due(&mut self, now: Instant, due: Vec<usize>) {
        if !due.is_empty() && !self.exiting() && self.started {
            self.open_cycle(now, due, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missed_instants_are_skipped_on_the_same_phase() {
        let at = Instant::from_secs(10);
        let second = Duration::from_secs(1);
        assert_eq!(next_due(at, second, at), Instant::from_secs(11));
        assert_eq!(
            next_due(at, second, at + Duration::from_millis(3_500)),
            Instant::from_secs(14)
        );
    }
}
