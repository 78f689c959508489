//! CPU usage: a percentage from two samples of a process's cumulative CPU time,
//! and the "over the limit for longer than the interval" rule of supervisor_checks.
//!
//! The driver reads `utime + stime` from `/proc/<pid>/stat` (clock ticks, see
//! [`cpu_time_from_ticks`]) twice, some seconds apart on its timer instead of
//! blocking 3 s per process as psutil did (spec 3.6 bug 13), and hands both
//! [`CpuSample`]s to [`cpu_percent`]. A process using several cores goes above 100 %.
//!
//! [`CpuWindow`] keeps the per-process state (a small `Copy` value the driver stores
//! per target) and follows the spec 3.2 table exactly:
//!
//! | condition | action | verdict |
//! |---|---|---|
//! | over the limit, not yet marked | mark, remember `since = now` | pass |
//! | over the limit, marked, `now - since > interval` | clear the mark | **fail** |
//! | over the limit, marked, interval not exceeded | nothing | pass |
//! | at or below the limit | clear the mark | pass |

use core::fmt;

use crate::check::verdict::{CheckError, FailReason, Verdict};
use crate::time::{Duration, Instant};

/// A CPU usage in hundredths of a percent (`15320` is 153.20 %, one and a half cores).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuPercent(u32);

impl CpuPercent {
    /// A whole percentage, saturating at the largest representable value.
    pub const fn from_percent(percent: u32) -> Self {
        Self(percent.saturating_mul(100))
    }

    /// A value in hundredths of a percent.
    pub const fn from_hundredths(hundredths: u32) -> Self {
        Self(hundredths)
    }

    /// A fractional percentage from a configuration file (`max_cpu` may be a float),
    /// rounded to the nearest hundredth. `None` for a negative or NaN value.
    pub fn from_percent_f64(percent: f64) -> Option<Self> {
        if percent.is_nan() || percent < 0.0 {
            return None;
        }
        // `as` saturates: huge values become u32::MAX, never undefined behaviour.
        Some(Self((percent * 100.0 + 0.5) as u32))
    }

    /// The value in hundredths of a percent.
    pub const fn hundredths(self) -> u32 {
        self.0
    }
}

impl fmt::Display for CpuPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
    }
}

/// The cumulative CPU time (user + system) of a process at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuSample {
    /// When the sample was taken.
    pub at: Instant,
    /// CPU time consumed since the process started.
    pub cpu_time: Duration,
}

/// Why two samples give no percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CpuSampleError {
    /// The later sample is not later than the earlier one.
    NoTimeElapsed,
    /// The CPU time decreased: the pid now belongs to another process.
    CpuTimeWentBackwards,
}

impl fmt::Display for CpuSampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CpuSampleError::NoTimeElapsed => "CPU samples taken at the same instant",
            CpuSampleError::CpuTimeWentBackwards => {
                "CPU time went backwards: the pid belongs to another process now"
            }
        })
    }
}

impl core::error::Error for CpuSampleError {}

impl From<CpuSampleError> for CheckError {
    fn from(e: CpuSampleError) -> Self {
        match e {
            CpuSampleError::NoTimeElapsed => {
                CheckError::Config("CPU samples taken at the same instant")
            }
            CpuSampleError::CpuTimeWentBackwards => CheckError::ProcessVanished,
        }
    }
}

/// Converts a CPU time in clock ticks (`/proc/<pid>/stat` fields 14 and 15) to a
/// [`Duration`], given the ticks per second (`sysconf(_SC_CLK_TCK)`, usually 100).
/// `None` when `ticks_per_second` is zero.
pub fn cpu_time_from_ticks(ticks: u64, ticks_per_second: u64) -> Option<Duration> {
    let millis = u128::from(ticks)
        .saturating_mul(1000)
        .checked_div(u128::from(ticks_per_second))?;
    Some(Duration::from_millis(
        u64::try_from(millis).unwrap_or(u64::MAX),
    ))
}

/// CPU usage between two samples: CPU time used over wall time elapsed.
///
/// # Errors
/// [`CpuSampleError::NoTimeElapsed`] when `later` is not after `earlier`;
/// [`CpuSampleError::CpuTimeWentBackwards`] when the CPU time decreased.
pub fn cpu_percent(earlier: CpuSample, later: CpuSample) -> Result<CpuPercent, CpuSampleError> {
    let wall = later.at.saturating_since(earlier.at).millis();
    if wall == 0 {
        return Err(CpuSampleError::NoTimeElapsed);
    }
    let used = later
        .cpu_time
        .millis()
        .checked_sub(earlier.cpu_time.millis())
        .ok_or(CpuSampleError::CpuTimeWentBackwards)?;
    let hundredths = u128::from(used)
        .saturating_mul(10_000)
        .checked_div(u128::from(wall))
        .unwrap_or(0);
    Ok(CpuPercent(u32::try_from(hundredths).unwrap_or(u32::MAX)))
}

/// The CPU check's configuration: fail when usage stays above `max` for longer than `interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuLimit {
    /// Usage strictly above this is "over" (`max_cpu`, `-p`).
    pub max: CpuPercent,
    /// How long usage may stay over before the check fails (`interval`, default 3600 s).
    pub interval: Duration,
}

/// Per-process memory of the CPU check: since when the usage has been over the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CpuWindow {
    over_since: Option<Instant>,
}

impl CpuWindow {
    /// A window with no over-limit sample yet.
    pub const fn new() -> Self {
        Self { over_since: None }
    }

    /// When the current over-limit stretch began, if usage is over the limit now.
    pub const fn over_since(&self) -> Option<Instant> {
        self.over_since
    }

    /// Feeds one sample of usage taken at `now` and returns the verdict (spec 3.2 table).
    pub fn observe(&mut self, now: Instant, percent: CpuPercent, limit: CpuLimit) -> Verdict {
        if percent <= limit.max {
            if let Some(since) = self.over_since.take() {
                debug!(
                    "cpu dropped below the limit after {} ms over",
                    now.saturating_since(since).millis()
                );
            }
            return Verdict::Pass;
        }
        let Some(since) = self.over_since else {
            self.over_since = Some(now);
            return Verdict::Pass;
        };
        let over_for = now.saturating_since(since);
        if over_for > limit.interval {
            self.over_since = None;
            Verdict::Fail(FailReason::CpuOverLimit {
                percent,
                over_for,
                limit: limit.max,
                interval: limit.interval,
            })
        } else {
            Verdict::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: CpuLimit = CpuLimit {
        max: CpuPercent::from_percent(80),
        interval: Duration::from_secs(60),
    };

    fn at(secs: u64) -> Instant {
        Instant::from_secs(secs)
    }

    #[test]
    fn percent_is_cpu_time_over_wall_time_and_may_exceed_100() {
        let a = CpuSample {
            at: at(10),
            cpu_time: Duration::from_millis(5_000),
        };
        let b = CpuSample {
            at: at(13),
            cpu_time: Duration::from_millis(9_596),
        };
        assert_eq!(cpu_percent(a, b), Ok(CpuPercent::from_hundredths(15_320)));
        let idle = CpuSample { at: at(13), ..a };
        assert_eq!(cpu_percent(a, idle), Ok(CpuPercent::from_percent(0)));
    }

    #[test]
    fn samples_without_elapsed_time_or_with_shrinking_cpu_time_are_errors() {
        let a = CpuSample {
            at: at(10),
            cpu_time: Duration::from_secs(5),
        };
        assert_eq!(cpu_percent(a, a), Err(CpuSampleError::NoTimeElapsed));
        let reused = CpuSample {
            at: at(13),
            cpu_time: Duration::from_secs(1),
        };
        assert_eq!(
            cpu_percent(a, reused),
            Err(CpuSampleError::CpuTimeWentBackwards)
        );
        assert_eq!(
            CheckError::from(CpuSampleError::CpuTimeWentBackwards),
            CheckError::ProcessVanished
        );
    }

    #[test]
    fn clock_ticks_convert_to_milliseconds() {
        assert_eq!(
            cpu_time_from_ticks(250, 100),
            Some(Duration::from_millis(2_500))
        );
        assert_eq!(cpu_time_from_ticks(1, 0), None);
        assert_eq!(
            cpu_time_from_ticks(u64::MAX, 1),
            Some(Duration::from_millis(u64::MAX))
        );
    }

    #[test]
    fn fractional_config_percent_rounds_to_hundredths() {
        assert_eq!(
            CpuPercent::from_percent_f64(12.345),
            Some(CpuPercent::from_hundredths(1_235))
        );
        assert_eq!(CpuPercent::from_percent_f64(-1.0), None);
        assert_eq!(CpuPercent::from_percent_f64(f64::NAN), None);
        assert_eq!(
            CpuPercent::from_percent_f64(1e300),
            Some(CpuPercent::from_hundredths(u32::MAX))
        );
    }

    #[test]
    fn first_over_sample_marks_and_passes() {
        let mut w = CpuWindow::new();
        assert_eq!(
            w.observe(at(0), CpuPercent::from_percent(95), LIMIT),
            Verdict::Pass
        );
        assert_eq!(w.over_since(), Some(at(0)));
    }

    #[test]
    fn over_for_exactly_the_interval_still_passes() {
        let mut w = CpuWindow::new();
        let hot = CpuPercent::from_percent(95);
        w.observe(at(0), hot, LIMIT);
        assert_eq!(w.observe(at(30), hot, LIMIT), Verdict::Pass);
        assert_eq!(w.observe(at(60), hot, LIMIT), Verdict::Pass);
        assert_eq!(w.over_since(), Some(at(0)));
    }

    #[test]
    fn over_for_longer_than_the_interval_fails_once_and_resets() {
        let mut w = CpuWindow::new();
        let hot = CpuPercent::from_percent(95);
        w.observe(at(0), hot, LIMIT);
        assert_eq!(
            w.observe(at(61), hot, LIMIT),
            Verdict::Fail(FailReason::CpuOverLimit {
                percent: hot,
                over_for: Duration::from_secs(61),
                limit: LIMIT.max,
                interval: LIMIT.interval,
            })
        );
        assert_eq!(w.over_since(), None);
        assert_eq!(w.observe(at(62), hot, LIMIT), Verdict::Pass);
        assert_eq!(w.over_since(), Some(at(62)));
    }

    #[test]
    fn usage_at_or_below_the_limit_resets_the_stretch() {
        let mut w = CpuWindow::new();
        let hot = CpuPercent::from_percent(95);
        w.observe(at(0), hot, LIMIT);
        assert_eq!(w.observe(at(40), LIMIT.max, LIMIT), Verdict::Pass);
        assert_eq!(w.over_since(), None);
        w.observe(at(50), hot, LIMIT);
        assert_eq!(w.observe(at(100), hot, LIMIT), Verdict::Pass);
    }
}
