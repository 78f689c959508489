//! [`MemorySpec`] and [`CpuSpec`]: limits on what a process uses.

use core::num::NonZeroU64;

use super::{SpecError, duration_from_secs_f64};
use crate::time::Duration;

/// How long CPU use may stay over the limit when no interval is configured (an hour).
pub const DEFAULT_CPU_INTERVAL: Duration = Duration::from_secs(3600);

/// A memory check: fail when the resident set is strictly above the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MemorySpec {
    /// The largest allowed RSS in KiB (1024 bytes). Not zero: every process uses some.
    pub max_rss_kib: NonZeroU64,
    /// Add the RSS of all descendants.
    pub cumulative: bool,
}

impl MemorySpec {
    /// A limit in whole KiB, not cumulative.
    ///
    /// # Errors
    /// [`SpecError::NotPositive`] for zero or less.
    pub fn from_kib(kib: i64) -> Result<Self, SpecError> {
        let kib = u64::try_from(kib).map_err(|_| SpecError::NotPositive)?;
        let max_rss_kib = NonZeroU64::new(kib).ok_or(SpecError::NotPositive)?;
        Ok(Self {
            max_rss_kib,
            cumulative: false,
        })
    }

    /// A limit in fractional KiB (supervisor_checks accepts floats). The RSS is
    /// a whole number of KiB, so `rss > 4194304.5` is `rss > 4194304`: the
    /// fraction is dropped without changing any outcome.
    ///
    /// # Errors
    /// [`SpecError::NotPositive`] below 1, [`SpecError::TooLarge`] beyond 2⁶³ or not finite.
    pub fn from_kib_f64(kib: f64) -> Result<Self, SpecError> {
        if kib.is_nan() || kib >= 9.2e18 {
            return Err(SpecError::TooLarge);
        }
        if kib < 1.0 {
            return Err(SpecError::NotPositive);
        }
        // 1 <= kib < 9.2e18: the cast only drops the fraction.
        Self::from_kib(kib as i64)
    }
}

/// A CPU percentage limit: finite and not negative. May exceed 100 on
/// multi-core hosts.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuPercent(f64);

impl CpuPercent {
    /// Checks a percentage.
    ///
    /// # Errors
    /// [`SpecError::Negative`], or [`SpecError::TooLarge`] when not finite.
    pub fn new(percent: f64) -> Result<Self, SpecError> {
        if !percent.is_finite() {
            return Err(SpecError::TooLarge);
        }
        if percent < 0.0 {
            return Err(SpecError::Negative);
        }
        Ok(Self(percent))
    }

    /// The percentage.
    pub const fn get(self) -> f64 {
        self.0
    }
}

/// A CPU check: fail when use stays above `max_cpu` for longer than `interval`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuSpec {
    /// The limit.
    pub max_cpu: CpuPercent,
    /// How long use may stay above the limit.
    pub interval: Duration,
}

impl CpuSpec {
    /// A check with the default interval.
    pub fn new(max_cpu: CpuPercent) -> Self {
        Self {
            max_cpu,
            interval: DEFAULT_CPU_INTERVAL,
        }
    }

    /// The interval from fractional seconds.
    ///
    /// # Errors
    /// Those of [`duration_from_secs_f64`].
    pub fn interval_from_secs_f64(secs: f64) -> Result<Duration, SpecError> {
        duration_from_secs_f64(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limit_must_be_positive() {
        assert_eq!(MemorySpec::from_kib(0), Err(SpecError::NotPositive));
        assert_eq!(MemorySpec::from_kib(-5), Err(SpecError::NotPositive));
        assert_eq!(MemorySpec::from_kib_f64(0.5), Err(SpecError::NotPositive));
        assert_eq!(
            MemorySpec::from_kib_f64(f64::INFINITY),
            Err(SpecError::TooLarge)
        );
    }

    #[test]
    fn fractional_memory_limit_drops_the_fraction() {
        let spec = MemorySpec::from_kib_f64(4_194_304.5).unwrap();
        assert_eq!(spec.max_rss_kib.get(), 4_194_304);
        assert!(!spec.cumulative);
    }

    #[test]
    fn cpu_percent_must_be_finite_and_not_negative() {
        assert_eq!(CpuPercent::new(250.0).map(CpuPercent::get), Ok(250.0));
        assert_eq!(CpuPercent::new(-1.0), Err(SpecError::Negative));
        assert_eq!(CpuPercent::new(f64::NAN), Err(SpecError::TooLarge));
        let spec = CpuSpec::new(CpuPercent::new(90.0).unwrap());
        assert_eq!(spec.interval, Duration::from_secs(3600));
    }
}
