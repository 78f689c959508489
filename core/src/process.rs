//! supervisord's process states, shared by events (`from_state`) and XML-RPC (`state`).

use core::fmt;

/// The state of a supervised process (supervisord `ProcessStates`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ProcessState {
    /// Stopped on purpose, or never started (code 0).
    Stopped,
    /// Being started (code 10).
    Starting,
    /// Up and past `startsecs` (code 20).
    Running,
    /// Exited too quickly while starting; will be retried (code 30).
    Backoff,
    /// Being stopped (code 40).
    Stopping,
    /// Exited from RUNNING, expectedly or not (code 100).
    Exited,
    /// Could not be started after `startretries` tries (code 200).
    Fatal,
    /// supervisord lost track of it (code 1000).
    Unknown,
}

impl ProcessState {
    /// Every state, in code order.
    pub const ALL: [ProcessState; 8] = [
        ProcessState::Stopped,
        ProcessState::Starting,
        ProcessState::Running,
        ProcessState::Backoff,
        ProcessState::Stopping,
        ProcessState::Exited,
        ProcessState::Fatal,
        ProcessState::Unknown,
    ];

    /// The numeric code supervisord uses on the wire.
    pub const fn code(self) -> u16 {
        match self {
            ProcessState::Stopped => 0,
            ProcessState::Starting => 10,
            ProcessState::Running => 20,
            ProcessState::Backoff => 30,
            ProcessState::Stopping => 40,
            ProcessState::Exited => 100,
            ProcessState::Fatal => 200,
            ProcessState::Unknown => 1000,
        }
    }

    /// The state with numeric code `code`, if there is one.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| i64::from(s.code()) == code)
    }

    /// The upper-case name supervisord uses (`RUNNING`, `FATAL`...).
    pub const fn name(self) -> &'static str {
        match self {
            ProcessState::Stopped => "STOPPED",
            ProcessState::Starting => "STARTING",
            ProcessState::Running => "RUNNING",
            ProcessState::Backoff => "BACKOFF",
            ProcessState::Stopping => "STOPPING",
            ProcessState::Exited => "EXITED",
            ProcessState::Fatal => "FATAL",
            ProcessState::Unknown => "UNKNOWN",
        }
    }

    /// The state named `name` (exact upper-case spelling), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// STARTING, RUNNING or BACKOFF: the states in which `stopProcess` acts and
    /// `startProcess` answers ALREADY_STARTED.
    pub const fn is_running(self) -> bool {
        matches!(
            self,
            ProcessState::Starting | ProcessState::Running | ProcessState::Backoff
        )
    }
}

impl fmt::Display for ProcessState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for s in ProcessState::ALL {
            assert_eq!(ProcessState::from_code(i64::from(s.code())), Some(s));
            assert_eq!(ProcessState::from_name(s.name()), Some(s));
        }
        assert_eq!(ProcessState::from_code(5), None);
        assert_eq!(ProcessState::from_name("running"), None);
    }
}
