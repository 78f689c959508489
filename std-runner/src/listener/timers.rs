//! The event loop's timers: deadlines kept in a heap, fired in order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// A queue of `(deadline, T)`; ties fire in insertion order.
#[derive(Debug)]
pub struct Timers<T> {
    heap: BinaryHeap<Reverse<(Instant, u64, Slot<T>)>>,
    seq: u64,
}

/// Wrapper so that the payload never takes part in the ordering.
#[derive(Debug)]
struct Slot<T>(T);

impl<T> PartialEq for Slot<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Slot<T> {}
impl<T> PartialOrd for Slot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Slot<T> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<T> Default for Timers<T> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<T> Timers<T> {
    /// Schedules `what` at `at`.
    pub fn at(&mut self, at: Instant, what: T) {
        self.seq = self.seq.wrapping_add(1);
        self.heap.push(Reverse((at, self.seq, Slot(what))));
    }

    /// The earliest deadline, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Removes and returns the earliest timer due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<T> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => {
                self.heap.pop().map(|Reverse((_, _, Slot(t)))| t)
            }
            _ => None,
        }
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timers_fire_in_deadline_then_insertion_order() {
        let t0 = Instant::now();
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
}
