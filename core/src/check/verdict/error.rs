//! [`CheckError`]: why a checker could not tell whether its target is healthy.
//! Never a reason to restart (spec 3.6 bugs 5 and 14).

use core::fmt;

use crate::check::port::PortError;
use crate::time::Duration;

/// Why the checker could not tell whether the target is healthy. Never a reason
/// to restart it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CheckError {
    /// The port pattern did not resolve against the process name.
    Port(PortError),
    /// The configured URL is not usable.
    BadUrl,
    /// Another configuration problem, described by a static text.
    Config(&'static str),
    /// The process exited or its pid was reused while it was being examined.
    ProcessVanished,
    /// The checker may not read the process's information (`/proc`).
    PermissionDenied,
    /// The checker ran out of an operating-system resource.
    ResourceExhausted(Resource),
    /// One of the checker's own bounds was reached.
    LimitHit(Limit),
    /// A custom check did not return within its timeout (the check is stuck,
    /// not necessarily the target).
    CheckTimeout {
        /// The timeout that ran out.
        after: Duration,
    },
    /// A custom check could not tell, for the reason it gives.
    Custom(&'static str),
}

impl CheckError {
    /// True for problems in the checker's configuration (fix the config, not the target).
    pub const fn is_config(&self) -> bool {
        matches!(
            self,
            CheckError::Port(_) | CheckError::BadUrl | CheckError::Config(_)
        )
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Port(e) => write!(f, "configuration error: {e}"),
            CheckError::BadUrl => f.write_str("configuration error: the URL is not valid"),
            CheckError::Config(what) => write!(f, "configuration error: {what}"),
            CheckError::ProcessVanished => {
                f.write_str("the process vanished while it was being examined")
            }
            CheckError::PermissionDenied => {
                f.write_str("permission denied reading the process's information")
            }
            CheckError::ResourceExhausted(resource) => write!(f, "checker out of {resource}"),
            CheckError::LimitHit(limit) => write!(f, "checker limit reached: {limit}"),
            CheckError::CheckTimeout { after } => {
                write!(f, "the check did not return within {after}")
            }
            CheckError::Custom(why) => f.write_str(why),
        }
    }
}

impl core::error::Error for CheckError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            CheckError::Port(e) => Some(e),
            _ => None,
        }
    }
}

impl From<PortError> for CheckError {
    fn from(e: PortError) -> Self {
        CheckError::Port(e)
    }
}

/// An operating-system resource the checker can run out of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Resource {
    /// File descriptors (EMFILE, ENFILE).
    FileDescriptors,
    /// Memory (ENOMEM).
    Memory,
    /// Local ports or sockets (EADDRNOTAVAIL, ENOBUFS).
    Sockets,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::FileDescriptors => "file descriptors",
            Resource::Memory => "memory",
            Resource::Sockets => "sockets",
        })
    }
}

/// A bound of the checker itself that was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Limit {
    /// The process tree is deeper than the walk allows.
    ProcessTreeDepth {
        /// The maximum depth walked.
        cap: u32,
    },
    /// A response was larger than the buffer for it.
    ResponseSize {
        /// The buffer size in bytes.
        cap: u32,
    },
    /// More targets than the checker has slots for.
    Targets {
        /// The number of slots.
        cap: u32,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::ProcessTreeDepth { cap } => {
                write!(f, "process tree deeper than {cap} levels")
            }
            Limit::ResponseSize { cap } => write!(f, "response larger than {cap} bytes"),
            Limit::Targets { cap } => write!(f, "more than {cap} targets"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::verdict::{Verdict, VerdictKind};
    use std::format;

    #[test]
    fn port_pattern_miss_is_a_config_error_not_a_failure() {
        let verdict = Verdict::Error(PortError::NoMatch.into());
        assert_eq!(verdict.kind(), VerdictKind::Error);
        assert_eq!(verdict.fail_reason(), None);
        assert!(matches!(verdict, Verdict::Error(e) if e.is_config()));
        assert_eq!(
            format!("{verdict}"),
            "error: configuration error: port pattern does not match the process name"
        );
    }

    #[test]
    fn resource_and_limit_errors_name_what_ran_out() {
        assert_eq!(
            format!(
                "{}",
                CheckError::ResourceExhausted(Resource::FileDescriptors)
            ),
            "checker out of file descriptors"
        );
        assert_eq!(
            format!(
                "{}",
                CheckError::LimitHit(Limit::ProcessTreeDepth { cap: 64 })
            ),
            "checker limit reached: process tree deeper than 64 levels"
        );
        assert!(!CheckError::ProcessVanished.is_config());
    }

    #[test]
    fn custom_check_errors_read_as_given_and_are_not_config_errors() {
        let hung = CheckError::CheckTimeout {
            after: Duration::from_secs(2),
        };
        assert_eq!(
            format!("{}", Verdict::Error(hung)),
            "error: the check did not return within 2.000s"
        );
        assert_eq!(
            format!("{}", CheckError::Custom("no such cgroup")),
            "no such cgroup"
        );
        assert!(!hung.is_config());
    }
}
