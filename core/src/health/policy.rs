//! [`Policy`]: how a target's verdicts turn into health states and restarts.
//!
//! The default is the Python tools' behaviour (drop-in): one failure restarts, one
//! pass is healthy, no grace, no limit on restarts. Everything the users asked for
//! (spec section 6, "Recurring themes" 1) is opt-in: thresholds, an X-of-Y window
//! that catches flapping, a start grace, a restart budget with exponential back-off
//! that ends in "gave up".

use core::fmt;

use crate::check::retry::Exponential;
use crate::time::Duration;

/// The largest restart budget (restarts per period) a [`Policy`] may set: the
/// machine remembers that many restart instants, without allocating.
pub const MAX_BUDGET: u8 = 16;

/// The widest X-of-Y window: the last 64 verdicts.
pub const MAX_WINDOW: u8 = 64;

/// The range HealthCheck.Server documents for its thresholds (spec 5.1).
pub const MONITOR_THRESHOLD_RANGE: core::ops::RangeInclusive<u16> = 2..=10;

/// Unhealthy when at least `failures` of the last `of` counted verdicts failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WindowSpec {
    /// Failures needed (X), at least 1.
    pub failures: u8,
    /// Verdicts looked at (Y), from X to [`MAX_WINDOW`].
    pub of: u8,
}

/// At most `max_restarts` restarts within any `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BudgetSpec {
    /// Restarts allowed within a period, up to [`MAX_BUDGET`]; 0 gives up at once.
    pub max_restarts: u8,
    /// The sliding period, not zero.
    pub period: Duration,
}

/// How one target's verdicts are judged and acted on.
///
/// Build it with struct update syntax from [`Policy::default`] (drop-in) or
/// [`Policy::monitor`]; [`crate::health::HealthMachine::new`] validates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Policy {
    /// Consecutive failures that make the target unhealthy (default 1).
    pub failure_threshold: u16,
    /// Consecutive passes that make it healthy again (default 1).
    pub success_threshold: u16,
    /// Also unhealthy when X of the last Y verdicts failed, even if never
    /// `failure_threshold` in a row (default none).
    pub window: Option<WindowSpec>,
    /// Failures within this time after the process started (or after our restart)
    /// are ignored (default zero: no grace).
    pub start_grace: Duration,
    /// Ask for restarts (default true). False only reports (monitor mode).
    pub restart: bool,
    /// Limit on restarts within a sliding period (default none: unlimited).
    pub budget: Option<BudgetSpec>,
    /// Minimum wait before the n-th restart of a streak, counted from the previous
    /// restart: `initial · factor^(n-2)`, capped at `max`. An `initial` of zero
    /// (the default) means no back-off. The streak ends when the target recovers.
    pub backoff: Exponential,
    /// Leave "gave up" once the target has passed continuously for this long
    /// (default none: gave up until [`crate::health::HealthMachine::reset`]).
    /// Past restarts still count against the budget until they leave its period.
    pub give_up_reset: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Self::DROP_IN
    }
}

impl Policy {
    /// The Python tools' behaviour: restart on every failure, nothing else.
    pub const DROP_IN: Policy = Policy {
        failure_threshold: 1,
        success_threshold: 1,
        window: None,
        start_grace: Duration::ZERO,
        restart: true,
        budget: None,
        backoff: Exponential {
            initial: Duration::ZERO,
            factor: 2,
            max: Duration::from_secs(300),
        },
        give_up_reset: None,
    };

    /// HealthCheck.Server's flavour, done right (spec 5.1): never restarts;
    /// DEGRADED on the first failure, UNHEALTHY after `unhealthy` consecutive
    /// failures, HEALTHY after `healthy` consecutive passes (both thresholds honoured,
    /// no hard-coded 2).
    ///
    /// # Errors
    /// [`PolicyError::OutOfRange`] when a threshold is outside the documented
    /// [`MONITOR_THRESHOLD_RANGE`] (2 to 10).
    pub fn monitor(unhealthy: u16, healthy: u16) -> Result<Self, PolicyError> {
        for (what, value) in [
            ("unhealthy_threshold", unhealthy),
            ("healthy_threshold", healthy),
        ] {
            if !MONITOR_THRESHOLD_RANGE.contains(&value) {
                return Err(PolicyError::OutOfRange {
                    what,
                    value: u32::from(value),
                    min: u32::from(*MONITOR_THRESHOLD_RANGE.start()),
                    max: u32::from(*MONITOR_THRESHOLD_RANGE.end()),
                });
            }
        }
        Ok(Policy {
            failure_threshold: unhealthy,
            success_threshold: healthy,
            restart: false,
            ..Self::DROP_IN
        })
    }

    /// Checks the invariants the state machine relies on.
    ///
    /// # Errors
    /// [`PolicyError::ZeroThreshold`], [`PolicyError::BadWindow`],
    /// [`PolicyError::BudgetTooLarge`] or [`PolicyError::ZeroPeriod`].
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.failure_threshold == 0 || self.success_threshold == 0 {
            return Err(PolicyError::ZeroThreshold);
        }
        if let Some(w) = self.window {
            if w.failures == 0 || w.failures > w.of || w.of > MAX_WINDOW {
                return Err(PolicyError::BadWindow {
                    failures: w.failures,
                    of: w.of,
                });
            }
        }
        if let Some(b) = self.budget {
            if b.max_restarts > MAX_BUDGET {
                return Err(PolicyError::BudgetTooLarge {
                    max_restarts: b.max_restarts,
                });
            }
            if b.period == Duration::ZERO {
                return Err(PolicyError::ZeroPeriod);
            }
        }
        Ok(())
    }
}

/// Why a [`Policy`] is not usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PolicyError {
    /// A failure or success threshold is zero.
    ZeroThreshold,
    /// The X-of-Y window is not `1 <= X <= Y <= 64`.
    BadWindow {
        /// X.
        failures: u8,
        /// Y.
        of: u8,
    },
    /// The restart budget is larger than [`MAX_BUDGET`].
    BudgetTooLarge {
        /// The requested budget.
        max_restarts: u8,
    },
    /// The restart budget's period is zero.
    ZeroPeriod,
    /// A value is outside its documented range.
    OutOfRange {
        /// The setting's name.
        what: &'static str,
        /// The value given.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::ZeroThreshold => {
                f.write_str("failure and success thresholds must be at least 1")
            }
            PolicyError::BadWindow { failures, of } => write!(
                f,
                "window {failures} of {of} must have 1 <= failures <= of <= {MAX_WINDOW}"
            ),
            PolicyError::BudgetTooLarge { max_restarts } => write!(
                f,
                "restart budget {max_restarts} is larger than the maximum {MAX_BUDGET}"
            ),
            PolicyError::ZeroPeriod => f.write_str("restart budget period must not be zero"),
            PolicyError::OutOfRange {
                what,
                value,
                min,
                max,
            } => write!(f, "{what} is {value}, must be in {min}..={max}"),
        }
    }
}

impl core::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn default_policy_is_the_drop_in_one() {
        let p = Policy::default();
        assert_eq!((p.failure_threshold, p.success_threshold), (1, 1));
        assert!(p.restart && p.budget.is_none() && p.window.is_none());
        assert_eq!(p.start_grace, Duration::ZERO);
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn monitor_accepts_two_to_ten_and_never_restarts() {
        let p = Policy::monitor(2, 10).unwrap();
        assert_eq!(
            (p.failure_threshold, p.success_threshold, p.restart),
            (2, 10, false)
        );
        let err = Policy::monitor(1, 10).unwrap_err();
        assert_eq!(
            format!("{err}"),
            "unhealthy_threshold is 1, must be in 2..=10"
        );
        assert!(Policy::monitor(2, 11).is_err());
    }

    #[test]
    fn impossible_windows_budgets_and_thresholds_are_rejected() {
        let base = Policy::default();
        let zero = Policy {
            success_threshold: 0,
            ..base
        };
        assert_eq!(zero.validate(), Err(PolicyError::ZeroThreshold));
        for (failures, of) in [(0, 5), (6, 5), (3, 65)] {
            let p = Policy {
                window: Some(WindowSpec { failures, of }),
                ..base
            };
            assert_eq!(p.validate(), Err(PolicyError::BadWindow { failures, of }));
        }
        let big = Policy {
            budget: Some(BudgetSpec {
                max_restarts: 17,
                period: Duration::from_secs(60),
            }),
            ..base
        };
        assert_eq!(
            big.validate(),
            Err(PolicyError::BudgetTooLarge { max_restarts: 17 })
        );
        let instant = Policy {
            budget: Some(BudgetSpec {
                max_restarts: 3,
                period: Duration::ZERO,
            }),
            ..base
        };
        assert_eq!(instant.validate(), Err(PolicyError::ZeroPeriod));
    }
}
