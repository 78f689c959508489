//! The engine's clock under WASI: the monotonic clock (`std::time::Instant`,
//! `wasi:clocks/monotonic-clock`) in milliseconds since the listener started,
//! counted from a hundred years on, so that a process started long before the
//! listener still has a start instant on this clock.

use std::time::{Duration, Instant};

use supercheck_core::time::Instant as CoreInstant;

/// Where the engine's clock stands when the listener starts.
const START_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// Monotonic milliseconds from the listener's start.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Now, on the engine's clock (whole milliseconds, rounded down).
    pub fn now(&self) -> CoreInstant {
        let elapsed = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        CoreInstant::from_millis(START_MS.saturating_add(elapsed))
    }

    /// How long until `at` (zero once it has come). Waiting that long always
    /// reaches `at`: `now` is rounded down.
    pub fn until(&self, at: CoreInstant) -> Duration {
        Duration::from_millis(at.millis().saturating_sub(self.now().millis()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_of_until_reaches_the_instant() {
        let clock = Clock::new();
        let at = CoreInstant::from_millis(clock.now().millis() + 30);
        std::thread::sleep(clock.until(at));
        assert!(clock.now() >= at);
        assert_eq!(clock.until(at), Duration::ZERO);
        assert!(clock.now().millis() >= START_MS);
    }
}
