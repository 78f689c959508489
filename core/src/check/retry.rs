//! Retry plans for one probe: how many attempts, how long to wait after each
//! failed one, and which failures are worth retrying.
//!
//! The driver runs attempt 1; when it fails with a retryable reason it asks
//! [`RetryPolicy::retry_after`] and arms its timer (never a blocking sleep), and so
//! on until an attempt passes or the plan says give up.
//!
//! * supervisor_checks (spec 3.4): `num_retries + 1` attempts, sleeping `3·k` s after
//!   failed attempt `k` ([`RetryPolicy::supervisor_checks`]).
//! * httpok (spec 4.1): a fixed 10 s between `(timeout - 1) / 10 + 1` attempts, only
//!   on connection refused ([`RetryPolicy::httpok`]); at least one attempt even for a
//!   timeout below 10 s, the bug of superlance issue #110.

use crate::check::verdict::FailReason;
use crate::time::Duration;

/// Exponentially growing delays: `initial`, `initial·factor`, ... capped at `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Exponential {
    /// The first delay.
    pub initial: Duration,
    /// Growth per step (2 doubles).
    pub factor: u32,
    /// The largest delay.
    pub max: Duration,
}

impl Exponential {
    /// The delay for step `n` (1-based): `initial · factor^(n-1)`, at most `max`.
    /// Step 0 is treated as step 1, and a factor of 0 as 1.
    pub fn delay(&self, n: u32) -> Duration {
        let exponent = n.saturating_sub(1);
        let growth = u64::from(self.factor.max(1))
            .checked_pow(exponent)
            .unwrap_or(u64::MAX);
        let delay = self.initial.saturating_mul(growth);
        if delay > self.max { self.max } else { delay }
    }
}

/// How the wait grows between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Schedule {
    /// After failed attempt `k`, wait `k · step` (supervisor_checks: 3 s, 6 s, 9 s...).
    Linear {
        /// The increment.
        step: Duration,
    },
    /// The same wait after every failed attempt (httpok: 10 s).
    Fixed(Duration),
    /// Exponentially growing waits.
    Exponential(Exponential),
}

impl Schedule {
    /// The wait after failed attempt `k` (1-based), ignoring the attempt count.
    pub fn delay(&self, k: u32) -> Duration {
        match self {
            Schedule::Linear { step } => step.saturating_mul(u64::from(k)),
            Schedule::Fixed(delay) => *delay,
            Schedule::Exponential(exp) => exp.delay(k),
        }
    }
}

/// Which failures a plan retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetryOn {
    /// Connection-level failures and timeouts ([`FailReason::is_retryable`]).
    TransportFailures,
    /// Connection refused only (httpok).
    ConnectionRefused,
}

/// A retry plan: total attempts, the waits between them and what is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryPolicy {
    schedule: Schedule,
    attempts: u32,
    retry_on: RetryOn,
}

/// supervisor_checks' linear step (utils.py `retry_errors`).
pub const SUPERVISOR_CHECKS_STEP: Duration = Duration::from_secs(3);
/// httpok's hard-coded `retry_time`.
pub const HTTPOK_RETRY_DELAY: Duration = Duration::from_secs(10);

impl RetryPolicy {
    /// A plan of `attempts` attempts in all (0 is taken as 1: a probe always runs
    /// once), retrying transport failures.
    pub const fn new(schedule: Schedule, attempts: u32) -> Self {
        Self {
            schedule,
            attempts: if attempts == 0 { 1 } else { attempts },
            retry_on: RetryOn::TransportFailures,
        }
    }

    /// A single attempt, no retry.
    pub const fn once() -> Self {
        Self::new(Schedule::Fixed(Duration::ZERO), 1)
    }

    /// supervisor_checks' plan: `num_retries + 1` attempts, `3·k` s after failed attempt `k`.
    pub const fn supervisor_checks(num_retries: u32) -> Self {
        Self::new(
            Schedule::Linear {
                step: SUPERVISOR_CHECKS_STEP,
            },
            num_retries.saturating_add(1),
        )
    }

    /// httpok's plan for a socket timeout of `timeout_secs`: `(timeout - 1) / 10 + 1`
    /// attempts 10 s apart (10 → 1, 11 → 2, 60 → 6), at least 1 (also for 0),
    /// retrying only connection refused, so that retries span about the timeout
    /// while a server comes up.
    pub const fn httpok(timeout_secs: u64) -> Self {
        let attempts = timeout_secs.saturating_sub(1) / 10 + 1;
        let attempts = if attempts > u32::MAX as u64 {
            u32::MAX
        } else {
            attempts as u32
        };
        Self::new(Schedule::Fixed(HTTPOK_RETRY_DELAY), attempts)
            .with_retry_on(RetryOn::ConnectionRefused)
    }

    /// The same plan retrying `retry_on` failures.
    pub const fn with_retry_on(mut self, retry_on: RetryOn) -> Self {
        self.retry_on = retry_on;
        self
    }

    /// Total attempts, at least 1.
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How the waits grow.
    pub const fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// Which failures are retried.
    pub const fn retry_on(&self) -> RetryOn {
        self.retry_on
    }

    /// The wait after failed attempt `failed_attempt` (1-based) before the next one,
    /// or `None` when that was the last attempt (or for attempt 0, which does not exist).
    pub fn delay_after(&self, failed_attempt: u32) -> Option<Duration> {
        if failed_attempt == 0 || failed_attempt >= self.attempts {
            return None;
        }
        Some(self.schedule.delay(failed_attempt))
    }

    /// Whether this plan retries a failure for `reason`.
    pub fn retries(&self, reason: FailReason) -> bool {
        match self.retry_on {
            RetryOn::TransportFailures => reason.is_retryable(),
            RetryOn::ConnectionRefused => reason == FailReason::ConnectionRefused,
        }
    }

    /// The wait before the next attempt after attempt `failed_attempt` failed for
    /// `reason`, or `None` to give up and report the failure.
    pub fn retry_after(&self, failed_attempt: u32, reason: FailReason) -> Option<Duration> {
        if self.retries(reason) {
            self.delay_after(failed_attempt)
        } else {
            None
        }
    }

    /// The sum of every wait when all attempts fail (each attempt's own timeout not
    /// included): what a probe adds to the worst-case check time (spec 3.6 bug 13).
    pub fn total_delay(&self) -> Duration {
        let gaps = u64::from(self.attempts.saturating_sub(1));
        match self.schedule {
            // step · (1 + 2 + ... + gaps)
            Schedule::Linear { step } => {
                step.saturating_mul(gaps.saturating_mul(gaps.saturating_add(1)) / 2)
            }
            Schedule::Fixed(delay) => delay.saturating_mul(gaps),
            Schedule::Exponential(exp) => {
                if exp.initial == Duration::ZERO || exp.max == Duration::ZERO {
                    return Duration::ZERO;
                }
                let mut total = Duration::ZERO;
                let mut k: u32 = 1;
                while u64::from(k) <= gaps {
                    let delay = exp.delay(k);
                    if delay == exp.max || exp.factor <= 1 {
                        // Constant from here on: the rest is one multiplication.
                        let rest = gaps.saturating_sub(u64::from(k)).saturating_add(1);
                        return total.saturating_add(delay.saturating_mul(rest));
                    }
                    total = total.saturating_add(delay);
                    k = k.saturating_add(1);
                }
                total
            }
        }
    }
}

impl FailReason {
    /// True for failures another attempt may cure: refused, reset and timed-out
    /// connections. A bad status, a body mismatch or an XML-RPC fault is an answer,
    /// and asking again gives the same answer.
    pub const fn is_retryable(&self) -> bool {
        matches!(
            self,
            FailReason::ConnectionRefused
                | FailReason::ConnectTimeout { .. }
                | FailReason::ResponseTimeout { .. }
                | FailReason::ConnectionReset
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn supervisor_checks_waits_three_k_seconds_after_attempt_k() {
        let plan = RetryPolicy::supervisor_checks(2);
        assert_eq!(plan.attempts(), 3);
        assert_eq!(plan.delay_after(1), Some(secs(3)));
        assert_eq!(plan.delay_after(2), Some(secs(6)));
        assert_eq!(plan.delay_after(3), None);
        assert_eq!(plan.total_delay(), secs(9));
    }

    #[test]
    fn zero_retries_is_one_attempt() {
        let plan = RetryPolicy::supervisor_checks(0);
        assert_eq!(plan.attempts(), 1);
        assert_eq!(plan.delay_after(1), None);
        assert_eq!(plan.total_delay(), Duration::ZERO);
    }

    #[test]
    fn httpok_attempt_count_follows_the_timeout() {
        for (timeout, attempts) in [(10, 1), (11, 2), (20, 2), (21, 3), (60, 6)] {
            assert_eq!(
                RetryPolicy::httpok(timeout).attempts(),
                attempts,
                "t={timeout}"
            );
        }
        let plan = RetryPolicy::httpok(60);
        assert_eq!(plan.delay_after(1), Some(secs(10)));
        assert_eq!(plan.delay_after(5), Some(secs(10)));
        assert_eq!(plan.delay_after(6), None);
        assert_eq!(plan.total_delay(), secs(50));
    }

    #[test]
    fn httpok_with_a_timeout_below_ten_still_makes_one_attempt() {
        assert_eq!(RetryPolicy::httpok(5).attempts(), 1);
        assert_eq!(RetryPolicy::httpok(0).attempts(), 1);
        assert_eq!(RetryPolicy::httpok(u64::MAX).attempts(), u32::MAX);
    }

    #[test]
    fn httpok_retries_connection_refused_only() {
        let plan = RetryPolicy::httpok(30);
        assert_eq!(
            plan.retry_after(1, FailReason::ConnectionRefused),
            Some(secs(10))
        );
        assert_eq!(plan.retry_after(1, FailReason::ConnectionReset), None);
    }

    #[test]
    fn answers_are_not_retried_but_connection_failures_are() {
        let plan = RetryPolicy::supervisor_checks(2);
        for answer in [
            FailReason::BadStatus { code: 503 },
            FailReason::BodyMismatch,
            FailReason::XmlRpcFault { code: 10 },
        ] {
            assert!(!answer.is_retryable());
            assert_eq!(plan.retry_after(1, answer), None);
        }
        for transport in [
            FailReason::ConnectionRefused,
            FailReason::ConnectionReset,
            FailReason::ConnectTimeout { after: secs(15) },
            FailReason::ResponseTimeout { after: secs(15) },
        ] {
            assert_eq!(plan.retry_after(1, transport), Some(secs(3)));
        }
    }

    #[test]
    fn exponential_delays_double_up_to_the_cap() {
        let exp = Exponential {
            initial: secs(1),
            factor: 2,
            max: secs(10),
        };
        let plan = RetryPolicy::new(Schedule::Exponential(exp), 6);
        let delays = [1, 2, 3, 4, 5].map(|k| plan.delay_after(k));
        assert_eq!(
            delays,
            [
                Some(secs(1)),
                Some(secs(2)),
                Some(secs(4)),
                Some(secs(8)),
                Some(secs(10))
            ]
        );
        assert_eq!(plan.total_delay(), secs(25));
        assert_eq!(exp.delay(u32::MAX), secs(10));
    }

    #[test]
    fn attempt_zero_does_not_exist_and_zero_attempts_means_one() {
        let plan = RetryPolicy::new(Schedule::Fixed(secs(1)), 0);
        assert_eq!(plan.attempts(), 1);
        assert_eq!(RetryPolicy::supervisor_checks(3).delay_after(0), None);
    }

    #[test]
    fn huge_plans_saturate_instead_of_overflowing_or_looping() {
        let linear = RetryPolicy::supervisor_checks(u32::MAX);
        assert_eq!(linear.attempts(), u32::MAX);
        assert_eq!(linear.total_delay(), Duration::MAX);
        let flat = RetryPolicy::new(
            Schedule::Exponential(Exponential {
                initial: secs(1),
                factor: 1,
                max: secs(5),
            }),
            u32::MAX,
        );
        assert_eq!(flat.total_delay(), secs(u64::from(u32::MAX) - 1));
    }
}
