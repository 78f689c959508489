//! The core's clock on Linux: monotonic milliseconds from a process-wide
//! epoch, so that every part of the program (the listener's engine, the
//! notification throttles) reads instants on one scale.
//!
//! Core instants count from a point far enough in the past that a process
//! started long before the listener still has a start time on this clock.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use supercheck_core::time::{Duration as CoreDuration, Instant as CoreInstant};

/// Where the core's clock stands at the process-wide epoch: a hundred years.
const EPOCH_OFFSET_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// `at` on the core's clock.
pub fn to_core(at: Instant) -> CoreInstant {
    let epoch = epoch();
    let ms = match at.checked_duration_since(epoch) {
        Some(after) => EPOCH_OFFSET_MS.saturating_add(millis(after)),
        None => EPOCH_OFFSET_MS.saturating_sub(millis(epoch.saturating_duration_since(at))),
    };
    CoreInstant::from_millis(ms)
}

/// Now, on the core's clock.
pub fn now() -> CoreInstant {
    to_core(Instant::now())
}

/// A core instant on the monotonic clock (for timers the engine asks for).
pub fn to_std(at: CoreInstant) -> Instant {
    let epoch = epoch();
    match at.millis().checked_sub(EPOCH_OFFSET_MS) {
        Some(after) => epoch + Duration::from_millis(after),
        None => epoch
            .checked_sub(Duration::from_millis(EPOCH_OFFSET_MS - at.millis()))
            .unwrap_or(epoch),
    }
}

/// A std duration as a core duration (whole milliseconds, saturating).
pub fn core_duration(d: Duration) -> CoreDuration {
    CoreDuration::from_millis(millis(d))
}

/// A core duration as a std duration.
pub fn std_duration(d: CoreDuration) -> Duration {
    Duration::from_millis(d.millis())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_keep_their_order_and_distance_both_ways() {
        // Whole milliseconds from the epoch: no rounding on either side.
        let a = epoch() + Duration::from_millis(250);
        let b = a + Duration::from_millis(1500);
        assert_eq!(to_core(b).saturating_since(to_core(a)).millis(), 1500);
        let back = to_std(to_core(b)).duration_since(to_std(to_core(a)));
        assert_eq!(back.as_millis(), 1500);
    }

    #[test]
    fn an_instant_before_the_epoch_is_still_on_the_clock() {
        let before = epoch().checked_sub(Duration::from_secs(1));
        if let Some(before) = before {
            assert_eq!(to_core(before).millis(), EPOCH_OFFSET_MS - 1000);
        }
    }
}
