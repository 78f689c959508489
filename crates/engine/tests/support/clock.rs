//! Virtual time: where the clock starts, and the units the tests write
//! instants and durations in. Nothing here reads a real clock.

use supercheck_core::time::{Duration, Instant};

/// Where the virtual clock starts: late enough for process start times in
/// the past to be positive epoch seconds.
pub const T0: Instant = Instant::from_secs(1_000_000);

/// `T0` plus `ms` milliseconds.
pub fn at_ms(ms: u64) -> Instant {
    T0 + Duration::from_millis(ms)
}

/// `T0` plus `secs` seconds.
pub fn at_secs(secs: u64) -> Instant {
    T0 + Duration::from_secs(secs)
}

/// `ms` milliseconds.
pub fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// `secs` seconds.
pub fn secs(secs: u64) -> Duration {
    Duration::from_secs(secs)
}
