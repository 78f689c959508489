//! `PROCESS_STATE_*` events: a process moved from one state to another, with
//! exactly the fields supervisord sends for the new state.

use super::payload::{Fields, PayloadError};
use crate::names::ProcessId;
use crate::process::ProcessState;

/// A `PROCESS_STATE_<STATE>` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProcessStateChange<'a> {
    /// The process (`groupname`, `processname`).
    pub process: ProcessId<'a>,
    /// The state it left.
    pub from_state: ProcessState,
    /// The state it entered, with that state's fields.
    pub to: NewState,
}

/// The state a process entered, carrying exactly the fields supervisord sends for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NewState {
    /// `PROCESS_STATE_STARTING`: start attempt number `tries` (0 on the first).
    Starting {
        /// Failed starts so far.
        tries: u32,
    },
    /// `PROCESS_STATE_RUNNING`.
    Running {
        /// The new process id.
        pid: u32,
    },
    /// `PROCESS_STATE_BACKOFF`: it died before `startsecs`, will be retried.
    Backoff {
        /// Failed starts so far.
        tries: u32,
    },
    /// `PROCESS_STATE_STOPPING`.
    Stopping {
        /// The process id being stopped.
        pid: u32,
    },
    /// `PROCESS_STATE_EXITED`: it exited from RUNNING.
    Exited {
        /// Whether the exit code was one of `exitcodes`.
        expected: bool,
        /// The process id that exited.
        pid: u32,
    },
    /// `PROCESS_STATE_STOPPED`.
    Stopped {
        /// The process id that was stopped (supervisord keeps the old one).
        pid: u32,
    },
    /// `PROCESS_STATE_FATAL`: it could not be started.
    Fatal,
    /// `PROCESS_STATE_UNKNOWN`.
    Unknown,
}

impl NewState {
    /// The process state entered.
    pub const fn state(self) -> ProcessState {
        match self {
            NewState::Starting { .. } => ProcessState::Starting,
            NewState::Running { .. } => ProcessState::Running,
            NewState::Backoff { .. } => ProcessState::Backoff,
            NewState::Stopping { .. } => ProcessState::Stopping,
            NewState::Exited { .. } => ProcessState::Exited,
            NewState::Stopped { .. } => ProcessState::Stopped,
            NewState::Fatal => ProcessState::Fatal,
            NewState::Unknown => ProcessState::Unknown,
        }
    }

    /// The event name, e.g. `PROCESS_STATE_RUNNING`.
    pub const fn event_name(self) -> &'static str {
        match self.state() {
            ProcessState::Stopped => "PROCESS_STATE_STOPPED",
            ProcessState::Starting => "PROCESS_STATE_STARTING",
            ProcessState::Running => "PROCESS_STATE_RUNNING",
            ProcessState::Backoff => "PROCESS_STATE_BACKOFF",
            ProcessState::Stopping => "PROCESS_STATE_STOPPING",
            ProcessState::Exited => "PROCESS_STATE_EXITED",
            ProcessState::Fatal => "PROCESS_STATE_FATAL",
            ProcessState::Unknown => "PROCESS_STATE_UNKNOWN",
        }
    }
}

const FIELDS: [&str; 6] = [
    "processname",
    "groupname",
    "from_state",
    "tries",
    "pid",
    "expected",
];

/// The state named by an event name `PROCESS_STATE_<STATE>`, if it is one.
pub(crate) fn target_state(event_name: &str) -> Option<ProcessState> {
    event_name
        .strip_prefix("PROCESS_STATE_")
        .and_then(ProcessState::from_name)
}

/// Parses the payload of a `PROCESS_STATE_<to>` event.
pub(crate) fn parse(
    to: ProcessState,
    payload: &[u8],
) -> Result<ProcessStateChange<'_>, PayloadError> {
    let fields = Fields::read(payload, 0, FIELDS)?;
    let process = ProcessId {
        name: fields.text("processname")?.value,
        group: fields.text("groupname")?.value,
    };
    let from_state = fields.state("from_state")?;
    let to = match to {
        ProcessState::Starting => NewState::Starting {
            tries: fields.number("tries")?,
        },
        ProcessState::Running => NewState::Running {
            pid: fields.number("pid")?,
        },
        ProcessState::Backoff => NewState::Backoff {
            tries: fields.number("tries")?,
        },
        ProcessState::Stopping => NewState::Stopping {
            pid: fields.number("pid")?,
        },
        ProcessState::Exited => NewState::Exited {
            expected: fields.flag("expected")?,
            pid: fields.number("pid")?,
        },
        ProcessState::Stopped => NewState::Stopped {
            pid: fields.number("pid")?,
        },
        ProcessState::Fatal => NewState::Fatal,
        ProcessState::Unknown => NewState::Unknown,
    };
    Ok(ProcessStateChange {
        process,
        from_state,
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::PayloadErrorKind;

    #[test]
    fn every_state_event_name_maps_back_to_its_state() {
        for state in ProcessState::ALL {
            let to = match state {
                ProcessState::Starting => NewState::Starting { tries: 0 },
                ProcessState::Running => NewState::Running { pid: 1 },
                ProcessState::Backoff => NewState::Backoff { tries: 1 },
                ProcessState::Stopping => NewState::Stopping { pid: 1 },
                ProcessState::Exited => NewState::Exited {
                    expected: true,
                    pid: 1,
                },
                ProcessState::Stopped => NewState::Stopped { pid: 1 },
                ProcessState::Fatal => NewState::Fatal,
                ProcessState::Unknown => NewState::Unknown,
            };
            assert_eq!(to.state(), state);
            assert_eq!(target_state(to.event_name()), Some(state));
        }
        assert_eq!(target_state("PROCESS_STATE"), None);
        assert_eq!(target_state("PROCESS_STATE_running"), None);
    }

    #[test]
    fn exited_reads_expected_then_pid() {
        let e = parse(
            ProcessState::Exited,
            b"processname:cat groupname:cat from_state:RUNNING expected:0 pid:2766",
        )
        .unwrap();
        assert_eq!(
            e.process,
            ProcessId {
                group: "cat",
                name: "cat"
            }
        );
        assert_eq!(e.from_state, ProcessState::Running);
        assert_eq!(
            e.to,
            NewState::Exited {
                expected: false,
                pid: 2766
            }
        );
    }

    #[test]
    fn fatal_needs_no_pid_or_tries() {
        let e = parse(
            ProcessState::Fatal,
            b"processname:w groupname:g from_state:BACKOFF",
        )
        .unwrap();
        assert_eq!(
            (e.from_state, e.to),
            (ProcessState::Backoff, NewState::Fatal)
        );
    }

    #[test]
    fn running_without_pid_is_a_missing_field() {
        let err = parse(
            ProcessState::Running,
            b"processname:w groupname:g from_state:STARTING",
        )
        .unwrap_err();
        assert_eq!(err.kind, PayloadErrorKind::MissingField("pid"));
        assert_eq!(err.offset, 45);
    }

    #[test]
    fn unknown_from_state_and_bad_expected_are_refused_at_the_value() {
        let err = parse(
            ProcessState::Fatal,
            b"processname:w groupname:g from_state:running",
        )
        .unwrap_err();
        assert_eq!(
            (err.offset, err.kind),
            (37, PayloadErrorKind::UnknownState("from_state"))
        );
        let err = parse(
            ProcessState::Exited,
            b"processname:w groupname:g from_state:RUNNING expected:yes pid:1",
        )
        .unwrap_err();
        assert_eq!(
            (err.offset, err.kind),
            (54, PayloadErrorKind::BadFlag("expected"))
        );
    }
}
