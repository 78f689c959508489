//! Heartbeat ages: the file check (a file whose ctime the program bumps) and
//! heartbeat datagrams (a UDP beat whose arrival the driver records).
//!
//! The file rule is supervisor_checks' (spec 3.2, `file`): pass when
//! `now - ctime <= timeout`. When the file cannot be examined the check logs and
//! passes, unless `fail_on_error` (`-x`) is set, in which case it fails; unlike the
//! original, the failure says why (missing, permission denied, errno) and how old
//! the file was. A ctime in the future (clock skew) counts as age zero.

use crate::check::verdict::{FailReason, FileProblem, Verdict};
use crate::time::{Duration, Instant};

/// What `lstat` on the heartbeat file gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StatOutcome {
    /// The file exists; its ctime, on the same clock as `now` (Unix epoch milliseconds).
    Found {
        /// Last status change of the file.
        ctime: Instant,
    },
    /// The file could not be examined.
    Failed(FileProblem),
}

/// The file check's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileAgeCheck {
    /// Longest allowed time since the file's ctime (`-t`).
    pub timeout: Duration,
    /// Fail, rather than pass, when the file cannot be examined (`-x`).
    pub fail_on_error: bool,
}

impl FileAgeCheck {
    /// The verdict for a file examined at `now` (both instants on the wall clock,
    /// milliseconds since the Unix epoch).
    ///
    /// When the file cannot be examined and `fail_on_error` is off, this passes:
    /// the driver should log `outcome`'s [`FileProblem`] with the path.
    pub fn verdict(&self, now: Instant, outcome: StatOutcome) -> Verdict {
        match outcome {
            StatOutcome::Found { ctime } => {
                let age = now.saturating_since(ctime);
                if age <= self.timeout {
                    Verdict::Pass
                } else {
                    Verdict::Fail(FailReason::HeartbeatFileStale {
                        age,
                        limit: self.timeout,
                    })
                }
            }
            StatOutcome::Failed(problem) => {
                if self.fail_on_error {
                    Verdict::Fail(FailReason::HeartbeatFileUnavailable(problem))
                } else {
                    debug!("heartbeat file unavailable, passing: {}", problem);
                    Verdict::Pass
                }
            }
        }
    }

    /// The age of the file at `now`, zero when its ctime is in the future.
    pub fn age(now: Instant, ctime: Instant) -> Duration {
        now.saturating_since(ctime)
    }
}

/// The verdict for heartbeat datagrams: pass when the last one arrived at most
/// `timeout` before `now`.
///
/// `last_seen` is `None` until the first datagram; the age then counts from
/// `watching_since` (when the driver began listening), so a target that never
/// beats fails once `timeout` has passed instead of being ignored forever.
pub fn heartbeat_verdict(
    now: Instant,
    last_seen: Option<Instant>,
    watching_since: Instant,
    timeout: Duration,
) -> Verdict {
    let age = now.saturating_since(last_seen.unwrap_or(watching_since));
    if age <= timeout {
        Verdict::Pass
    } else if last_seen.is_some() {
        Verdict::Fail(FailReason::HeartbeatSilent {
            age,
            limit: timeout,
        })
    } else {
        Verdict::Fail(FailReason::HeartbeatNeverHeard {
            waited: age,
            limit: timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: FileAgeCheck = FileAgeCheck {
        timeout: Duration::from_secs(8),
        fail_on_error: false,
    };
    const STRICT: FileAgeCheck = FileAgeCheck {
        fail_on_error: true,
        ..CHECK
    };

    fn found(secs: u64) -> StatOutcome {
        StatOutcome::Found {
            ctime: Instant::from_secs(secs),
        }
    }

    #[test]
    fn file_touched_within_the_timeout_passes() {
        let now = Instant::from_secs(1_700_000_008);
        assert_eq!(CHECK.verdict(now, found(1_700_000_000)), Verdict::Pass);
    }

    #[test]
    fn stale_file_fails_with_its_age_and_the_limit() {
        let now = Instant::from_millis(1_700_000_008_001);
        assert_eq!(
            CHECK.verdict(now, found(1_700_000_000)),
            Verdict::Fail(FailReason::HeartbeatFileStale {
                age: Duration::from_millis(8_001),
                limit: Duration::from_secs(8),
            })
        );
    }

    #[test]
    fn ctime_in_the_future_counts_as_fresh() {
        let now = Instant::from_secs(100);
        assert_eq!(CHECK.verdict(now, found(500)), Verdict::Pass);
        assert_eq!(
            FileAgeCheck::age(now, Instant::from_secs(500)),
            Duration::ZERO
        );
    }

    #[test]
    fn missing_file_passes_unless_fail_on_error() {
        let now = Instant::from_secs(100);
        let missing = StatOutcome::Failed(FileProblem::Missing);
        assert_eq!(CHECK.verdict(now, missing), Verdict::Pass);
        assert_eq!(
            STRICT.verdict(now, missing),
            Verdict::Fail(FailReason::HeartbeatFileUnavailable(FileProblem::Missing))
        );
    }

    #[test]
    fn other_stat_errors_follow_the_same_rule_and_keep_the_reason() {
        let now = Instant::from_secs(100);
        let denied = StatOutcome::Failed(FileProblem::PermissionDenied);
        assert_eq!(CHECK.verdict(now, denied), Verdict::Pass);
        assert_eq!(
            STRICT.verdict(now, StatOutcome::Failed(FileProblem::Os(5))),
            Verdict::Fail(FailReason::HeartbeatFileUnavailable(FileProblem::Os(5)))
        );
    }

    #[test]
    fn heartbeat_within_timeout_passes_and_silence_fails() {
        let timeout = Duration::from_secs(10);
        let start = Instant::from_secs(0);
        assert_eq!(
            heartbeat_verdict(
                Instant::from_secs(15),
                Some(Instant::from_secs(5)),
                start,
                timeout
            ),
            Verdict::Pass
        );
        assert_eq!(
            heartbeat_verdict(
                Instant::from_secs(16),
                Some(Instant::from_secs(5)),
                start,
                timeout
            ),
            Verdict::Fail(FailReason::HeartbeatSilent {
                age: Duration::from_secs(11),
                limit: timeout,
            })
        );
    }

    #[test]
    fn target_that_never_beats_fails_after_the_timeout_from_watch_start() {
        let timeout = Duration::from_secs(10);
        let start = Instant::from_secs(100);
        assert_eq!(
            heartbeat_verdict(Instant::from_secs(110), None, start, timeout),
            Verdict::Pass
        );
        assert_eq!(
            heartbeat_verdict(Instant::from_secs(111), None, start, timeout),
            Verdict::Fail(FailReason::HeartbeatNeverHeard {
                waited: Duration::from_secs(11),
                limit: timeout,
            })
        );
        assert_eq!(
            std::format!(
                "{}",
                heartbeat_verdict(Instant::from_secs(111), None, start, timeout)
            ),
            "fail: no heartbeat heard since watching began 11.000s ago, limit 10.000s"
        );
    }
}
