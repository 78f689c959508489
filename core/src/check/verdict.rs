//! What a check concluded: [`Verdict`], the shared vocabulary between probes and
//! the health state machine.
//!
//! * [`Verdict::Pass`]: the target is healthy.
//! * [`Verdict::Fail`]: the target is unhealthy; this may lead to a restart. The
//!   [`FailReason`] says why, with numbers, for logs and notifications.
//! * [`Verdict::Error`]: the checker could not tell (bad configuration, the process
//!   vanished, no permission, out of file descriptors...). An error **never** leads to a
//!   restart: supervisor_checks restarted on a port-pattern miss (spec 3.6 bug 5) and
//!   treated psutil errors and HTTP errors inconsistently (bug 14); here the rule is one.

use core::fmt;

use crate::check::cpu::CpuPercent;
use crate::time::Duration;

mod error;

pub use error::{CheckError, Limit, Resource};

/// The outcome of one check of one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict {
    /// The target is healthy.
    Pass,
    /// The target is unhealthy (may lead to a restart).
    Fail(FailReason),
    /// The checker could not tell; never leads to a restart.
    Error(CheckError),
}

impl Verdict {
    /// Pass, Fail or Error without the details, for counters and metrics.
    pub const fn kind(&self) -> VerdictKind {
        match self {
            Verdict::Pass => VerdictKind::Pass,
            Verdict::Fail(_) => VerdictKind::Fail,
            Verdict::Error(_) => VerdictKind::Error,
        }
    }

    /// The failure reason, if this is a failure.
    pub const fn fail_reason(&self) -> Option<FailReason> {
        match self {
            Verdict::Fail(reason) => Some(*reason),
            _ => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Pass => f.write_str("pass"),
            Verdict::Fail(reason) => write!(f, "fail: {reason}"),
            Verdict::Error(error) => write!(f, "error: {error}"),
        }
    }
}

/// The three kinds of [`Verdict`], without their details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum VerdictKind {
    /// Healthy.
    Pass,
    /// Unhealthy.
    Fail,
    /// Could not tell.
    Error,
}

impl VerdictKind {
    /// Lower-case name for metrics labels and JSON: `pass`, `fail`, `error`.
    pub const fn name(self) -> &'static str {
        match self {
            VerdictKind::Pass => "pass",
            VerdictKind::Fail => "fail",
            VerdictKind::Error => "error",
        }
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a target was found unhealthy. Its `Display` is a sentence fragment an
/// operator can read in a log line or a mail ("RSS 2048 KiB is over the limit of 1024 KiB").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FailReason {
    /// Nothing listens on the port (ECONNREFUSED).
    ConnectionRefused,
    /// The connection was not established within the timeout.
    ConnectTimeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// Connected, but no complete response arrived within the timeout.
    ResponseTimeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// The target reset or closed the connection before answering.
    ConnectionReset,
    /// The HTTP status is not one of the expected codes.
    BadStatus {
        /// The status code received.
        code: u16,
    },
    /// The response body does not contain the expected text.
    BodyMismatch,
    /// The XML-RPC call returned a fault.
    XmlRpcFault {
        /// The `faultCode`.
        code: i32,
    },
    /// The resident set size is strictly greater than the limit.
    RssOverLimit {
        /// The measured RSS in KiB.
        rss_kib: u64,
        /// The configured limit in KiB.
        limit_kib: u64,
    },
    /// The CPU usage stayed above the limit for longer than the interval.
    CpuOverLimit {
        /// The last measured usage.
        percent: CpuPercent,
        /// How long it has been above the limit.
        over_for: Duration,
        /// The configured limit.
        limit: CpuPercent,
        /// The configured interval it may stay above the limit.
        interval: Duration,
    },
    /// The heartbeat file was not touched within the timeout (its ctime is too old).
    HeartbeatFileStale {
        /// Age of the file's ctime.
        age: Duration,
        /// The configured timeout.
        limit: Duration,
    },
    /// The heartbeat file could not be examined and `fail_on_error` is set.
    HeartbeatFileUnavailable(FileProblem),
    /// The check command exited with a non-zero status.
    CommandExit {
        /// The exit status.
        status: i32,
    },
    /// The check command was killed by a signal.
    CommandSignal {
        /// The signal number.
        signal: i32,
    },
    /// The check command did not finish within the timeout.
    CommandTimeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// No heartbeat datagram arrived within the timeout.
    HeartbeatSilent {
        /// Time since the last datagram (or since watching began, if none ever came).
        age: Duration,
        /// The configured timeout.
        limit: Duration,
    },
    /// No heartbeat datagram was ever accepted, and the timeout has passed
    /// since watching began.
    HeartbeatNeverHeard {
        /// Time since watching began.
        waited: Duration,
        /// The configured timeout.
        limit: Duration,
    },
    /// The target answered with bytes that are not valid for the protocol.
    ProtocolGarbage(Protocol),
    /// A custom check (user code run by the runner's library API) found the
    /// target unhealthy, for the reason it gives.
    Custom(&'static str),
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::ConnectionRefused => f.write_str("connection refused"),
            FailReason::ConnectTimeout { after } => write!(f, "no connection within {after}"),
            FailReason::ResponseTimeout { after } => write!(f, "no response within {after}"),
            FailReason::ConnectionReset => f.write_str("connection reset by the target"),
            FailReason::BadStatus { code } => write!(f, "bad HTTP status {code}"),
            FailReason::BodyMismatch => {
                f.write_str("response body does not contain the expected text")
            }
            FailReason::XmlRpcFault { code } => write!(f, "XML-RPC fault {code}"),
            FailReason::RssOverLimit { rss_kib, limit_kib } => {
                write!(f, "RSS {rss_kib} KiB is over the limit of {limit_kib} KiB")
            }
            FailReason::CpuOverLimit {
                percent,
                over_for,
                limit,
                interval,
            } => write!(
                f,
                "CPU {percent} has been over the limit of {limit} for {over_for} (allowed {interval})"
            ),
            FailReason::HeartbeatFileStale { age, limit } => {
                write!(f, "heartbeat file last touched {age} ago, limit {limit}")
            }
            FailReason::HeartbeatFileUnavailable(problem) => {
                write!(f, "heartbeat file unavailable: {problem}")
            }
            FailReason::CommandExit { status } => write!(f, "command exited with status {status}"),
            FailReason::CommandSignal { signal } => write!(f, "command killed by signal {signal}"),
            FailReason::CommandTimeout { after } => {
                write!(f, "command still running after {after}")
            }
            FailReason::HeartbeatSilent { age, limit } => {
                write!(f, "no heartbeat datagram for {age}, limit {limit}")
            }
            FailReason::HeartbeatNeverHeard { waited, limit } => write!(
                f,
                "no heartbeat heard since watching began {waited} ago, limit {limit}"
            ),
            FailReason::ProtocolGarbage(protocol) => {
                write!(f, "malformed {protocol} response from the target")
            }
            FailReason::Custom(why) => f.write_str(why),
        }
    }
}

/// Why a file could not be examined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FileProblem {
    /// The file does not exist (ENOENT).
    Missing,
    /// The file or a directory on its path may not be examined (EACCES).
    PermissionDenied,
    /// Any other operating-system error, by its code (errno on Unix).
    Os(i32),
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Missing => f.write_str("file does not exist"),
            FileProblem::PermissionDenied => f.write_str("permission denied"),
            FileProblem::Os(code) => write!(f, "OS error {code}"),
        }
    }
}

/// A protocol a target speaks, to say whose answer was garbage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Protocol {
    /// HTTP/1.x.
    Http,
    /// XML-RPC over HTTP.
    XmlRpc,
    /// Heartbeat datagrams.
    Heartbeat,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Http => "HTTP",
            Protocol::XmlRpc => "XML-RPC",
            Protocol::Heartbeat => "heartbeat",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn fail_reasons_read_with_their_numbers() {
        let rss = FailReason::RssOverLimit {
            rss_kib: 2048,
            limit_kib: 1024,
        };
        assert_eq!(
            format!("{rss}"),
            "RSS 2048 KiB is over the limit of 1024 KiB"
        );
        let stale = FailReason::HeartbeatFileStale {
            age: Duration::from_millis(9_250),
            limit: Duration::from_secs(8),
        };
        assert_eq!(
            format!("{}", Verdict::Fail(stale)),
            "fail: heartbeat file last touched 9.250s ago, limit 8.000s"
        );
        let cpu = FailReason::CpuOverLimit {
            percent: CpuPercent::from_hundredths(15_320),
            over_for: Duration::from_secs(3_601),
            limit: CpuPercent::from_percent(100),
            interval: Duration::from_secs(3_600),
        };
        assert_eq!(
            format!("{cpu}"),
            "CPU 153.20% has been over the limit of 100.00% for 3601.000s (allowed 3600.000s)"
        );
        assert_eq!(
            format!("{}", FailReason::BadStatus { code: 503 }),
            "bad HTTP status 503"
        );
        assert_eq!(
            format!("{}", FailReason::ProtocolGarbage(Protocol::XmlRpc)),
            "malformed XML-RPC response from the target"
        );
    }

    #[test]
    fn custom_fail_reason_is_the_checks_own_text() {
        let verdict = Verdict::Fail(FailReason::Custom("marker file present"));
        assert_eq!(format!("{verdict}"), "fail: marker file present");
        assert_eq!(verdict.kind(), VerdictKind::Fail);
    }

    #[test]
    fn verdict_kinds_have_metric_names() {
        assert_eq!(Verdict::Pass.kind().name(), "pass");
        assert_eq!(
            Verdict::Fail(FailReason::ConnectionRefused).kind().name(),
            "fail"
        );
        assert_eq!(VerdictKind::Error.name(), "error");
    }
}
