//! What [`crate::health::HealthMachine`] tells its driver: the [`State`] of a
//! target, the [`Decision`] after each input, and [`Counters`] for metrics.

use core::fmt;

use crate::check::verdict::FailReason;
use crate::time::Instant;

/// Where a target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// Not enough verdicts yet to call it healthy or unhealthy.
    Unknown,
    /// Passed `success_threshold` times in a row.
    Healthy,
    /// Failing, but not enough to be unhealthy.
    Degraded,
    /// The failure threshold was reached; a restart was asked (or, in monitor
    /// mode, reported) and not yet carried out.
    Unhealthy,
    /// Restarted (by the driver, or a new start time was seen); waiting for verdicts.
    Restarting,
    /// Unhealthy, but the next restart must wait for the back-off to end.
    Backoff,
    /// The restart budget ran out; failures are only reported.
    GaveUp,
}

impl State {
    /// Lower-case name for status pages and metrics labels.
    pub const fn name(self) -> &'static str {
        match self {
            State::Unknown => "unknown",
            State::Healthy => "healthy",
            State::Degraded => "degraded",
            State::Unhealthy => "unhealthy",
            State::Restarting => "restarting",
            State::Backoff => "backoff",
            State::GaveUp => "gave_up",
        }
    }

    pub(crate) const fn is_unhealthy(self) -> bool {
        matches!(self, State::Unhealthy | State::Backoff)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the driver should do after an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decision {
    /// Nothing to do.
    Nothing,
    /// Restart the target, then call [`crate::health::HealthMachine::restarted`]. Asked again on
    /// every further failure until `restarted` is called.
    Restart(FailReason),
    /// The target is unhealthy but is not restarted now.
    Suppressed(Suppression),
    /// The target just became unhealthy under a policy that never restarts
    /// (monitor mode): report it. Given once per transition.
    Unhealthy(FailReason),
    /// The restart budget ran out: no more restarts. Given once, on the transition.
    GaveUp(FailReason),
    /// Healthy again after having been unhealthy. Given once, on the transition.
    Recovered,
}

/// Why an unhealthy target is not restarted now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Suppression {
    /// The process started recently; failures until `until` are ignored.
    Grace {
        /// End of the grace period.
        until: Instant,
    },
    /// The previous restart was too recent; the next may happen at `until`.
    Backoff {
        /// End of the back-off.
        until: Instant,
    },
    /// The machine gave up; no restart until it is reset.
    BudgetExhausted,
}

/// Counters for metrics. Errors are counted apart and never touch the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    /// Failures in a row (ignored ones during grace excluded).
    pub consecutive_failures: u32,
    /// Passes in a row.
    pub consecutive_passes: u32,
    /// Errors in a row (the checker is blind while this grows).
    pub consecutive_errors: u32,
    /// Every pass observed.
    pub passes: u64,
    /// Every failure observed, those ignored during grace included.
    pub failures: u64,
    /// Every error observed.
    pub errors: u64,
}
