//! Numeric values shared by several checks: [`Timeout`], retry counts, seconds.

use super::SpecError;
use crate::time::Duration;

/// Retries after the first attempt when none are configured (supervisor_checks' default).
pub const DEFAULT_NUM_RETRIES: u32 = 2;

/// Whole seconds accepted anywhere: about 31 years, far below `u64` milliseconds.
const MAX_SECS: f64 = 1.0e9;

/// A positive time limit. Zero is refused: a zero timeout makes every probe fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timeout(Duration);

impl Timeout {
    /// 15 seconds, supervisor_checks' default.
    pub const DEFAULT: Timeout = Timeout(Duration::from_secs(15));

    /// A timeout of `duration`.
    ///
    /// # Errors
    /// [`SpecError::NotPositive`] for zero.
    pub fn new(duration: Duration) -> Result<Self, SpecError> {
        if duration == Duration::ZERO {
            return Err(SpecError::NotPositive);
        }
        Ok(Self(duration))
    }

    /// A timeout of whole seconds.
    ///
    /// # Errors
    /// [`SpecError::NotPositive`] for zero, [`SpecError::TooLarge`] beyond 10⁹ s.
    pub fn from_secs(secs: u64) -> Result<Self, SpecError> {
        if secs > 1_000_000_000 {
            return Err(SpecError::TooLarge);
        }
        Self::new(Duration::from_secs(secs))
    }

    /// A timeout of fractional seconds, rounded down to the millisecond.
    ///
    /// # Errors
    /// As [`duration_from_secs_f64`], plus [`SpecError::NotPositive`] below 1 ms.
    pub fn from_secs_f64(secs: f64) -> Result<Self, SpecError> {
        Self::new(duration_from_secs_f64(secs)?)
    }

    /// The time limit.
    pub const fn get(self) -> Duration {
        self.0
    }
}

impl Default for Timeout {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Converts non-negative fractional seconds to a [`Duration`], rounding down
/// to the millisecond.
///
/// # Errors
/// [`SpecError::Negative`] below zero, [`SpecError::TooLarge`] beyond 10⁹ s
/// or for a value that is not finite.
pub fn duration_from_secs_f64(secs: f64) -> Result<Duration, SpecError> {
    if secs.is_nan() || secs > MAX_SECS {
        return Err(SpecError::TooLarge);
    }
    if secs < 0.0 {
        return Err(SpecError::Negative);
    }
    // In range 0..=1e12 after scaling: the cast only drops the fraction.
    let millis = (secs * 1000.0) as u64;
    Ok(Duration::from_millis(millis))
}

/// Checks a retry count given as any integer.
///
/// # Errors
/// [`SpecError::Negative`] below zero, [`SpecError::TooLarge`] above `u32::MAX`.
pub fn retries_from_i64(n: i64) -> Result<u32, SpecError> {
    if n < 0 {
        return Err(SpecError::Negative);
    }
    u32::try_from(n).map_err(|_| SpecError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_timeout_is_refused() {
        assert_eq!(Timeout::from_secs(0), Err(SpecError::NotPositive));
        assert_eq!(Timeout::from_secs_f64(0.0004), Err(SpecError::NotPositive));
    }

    #[test]
    fn fractional_timeouts_round_down_to_milliseconds() {
        assert_eq!(
            Timeout::from_secs_f64(2.5).map(Timeout::get),
            Ok(Duration::from_millis(2500))
        );
        assert_eq!(duration_from_secs_f64(0.0019), Ok(Duration::from_millis(1)));
    }

    #[test]
    fn absurd_seconds_are_refused() {
        assert_eq!(duration_from_secs_f64(-1.0), Err(SpecError::Negative));
        assert_eq!(
            duration_from_secs_f64(f64::INFINITY),
            Err(SpecError::TooLarge)
        );
        assert_eq!(duration_from_secs_f64(f64::NAN), Err(SpecError::TooLarge));
        assert_eq!(Timeout::from_secs(u64::MAX), Err(SpecError::TooLarge));
    }

    #[test]
    fn retry_counts_must_fit_u32() {
        assert_eq!(retries_from_i64(3), Ok(3));
        assert_eq!(retries_from_i64(-1), Err(SpecError::Negative));
        assert_eq!(retries_from_i64(1 << 40), Err(SpecError::TooLarge));
    }
}
