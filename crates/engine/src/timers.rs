//! A queue of deadlines, each cancellable, so that a finished piece of work
//! never wakes its owner for nothing. Generic over the instant: the engine
//! runs it on the core's virtual clock, drivers on their own.

use alloc::collections::BTreeMap;

/// Names one scheduled timer, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId<I>(I, u64);

/// A queue of `(deadline, T)`; ties fire in insertion order.
#[derive(Debug)]
pub struct Timers<I, T> {
    queue: BTreeMap<TimerId<I>, T>,
    seq: u64,
}

impl<I: Ord, T> Default for Timers<I, T> {
    fn default() -> Self {
        Self {
            queue: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<I: Ord + Copy, T> Timers<I, T> {
    /// Schedules `what` at `at`.
    pub fn at(&mut self, at: I, what: T) -> TimerId<I> {
        self.seq = self.seq.wrapping_add(1);
        let id = TimerId(at, self.seq);
        self.queue.insert(id, what);
        id
    }

    /// Cancels a timer that has not fired yet, returning its payload.
    pub fn cancel(&mut self, id: TimerId<I>) -> Option<T> {
        self.queue.remove(&id)
    }

    /// The earliest deadline, if any.
    pub fn next_deadline(&self) -> Option<I> {
        self.queue.first_key_value().map(|(TimerId(at, _), _)| *at)
    }

    /// Removes and returns the earliest timer due at `now`.
    pub fn pop_due(&mut self, now: I) -> Option<T> {
        match self.queue.first_key_value() {
            Some((TimerId(at, _), _)) if *at <= now => self.queue.pop_first().map(|(_, t)| t),
            _ => None,
        }
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::time::{Duration, Instant};

    #[test]
    fn timers_fire_in_deadline_then_insertion_order() {
        let t0 = Instant::from_secs(10);
        let mut timers = Timers::default();
        timers.at(t0 + Duration::from_secs(2), "late");
        timers.at(t0 + Duration::from_secs(1), "first");
        timers.at(t0 + Duration::from_secs(1), "second");
        assert_eq!(timers.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(timers.pop_due(t0), None);
        let now = t0 + Duration::from_secs(1);
        assert_eq!(timers.pop_due(now), Some("first"));
        assert_eq!(timers.pop_due(now), Some("second"));
        assert_eq!(timers.pop_due(now), None);
        assert_eq!(timers.len(), 1);
    }

    #[test]
    fn a_cancelled_timer_never_fires_nor_sets_the_next_deadline() {
        let t0 = Instant::from_secs(10);
        let mut timers = Timers::default();
        let early = timers.at(t0 + Duration::from_secs(1), "early");
        timers.at(t0 + Duration::from_secs(5), "late");
        assert_eq!(timers.cancel(early), Some("early"));
        assert_eq!(timers.cancel(early), None);
        assert_eq!(timers.next_deadline(), Some(t0 + Duration::from_secs(5)));
        assert_eq!(timers.pop_due(t0 + Duration::from_secs(2)), None);
    }
}
