//! [`FaultCode`]: supervisord's XML-RPC fault codes (`supervisor.xmlrpc.Faults`).
//!
//! The same numbers appear as `status` in the per-process results of group
//! start/stop/signal calls, where 80 (`SUCCESS`) means it worked.

use core::fmt;

/// A supervisord fault code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FaultCode {
    /// 1: no such method.
    UnknownMethod,
    /// 2: wrong number of parameters.
    IncorrectParameters,
    /// 3: parameters of the wrong type.
    BadArguments,
    /// 4: `system.methodSignature` cannot describe the method.
    SignatureUnsupported,
    /// 6: supervisord is shutting down or restarting.
    ShutdownState,
    /// 10: no such process or group (also `group:*` where one process is meant).
    BadName,
    /// 11: not a signal name or number.
    BadSignal,
    /// 20: the command was not found.
    NoFile,
    /// 21: the command is not executable.
    NotExecutable,
    /// 30: the action failed (for example on a process in the UNKNOWN state).
    Failed,
    /// 40: the process left STARTING without reaching RUNNING.
    AbnormalTermination,
    /// 50: the process could not be spawned.
    SpawnError,
    /// 60: the process is already STARTING, RUNNING or BACKOFF.
    AlreadyStarted,
    /// 70: the process is not running.
    NotRunning,
    /// 80: success (only seen as a group result `status`).
    Success,
    /// 90: the group is already active.
    AlreadyAdded,
    /// 91: the group still has running processes.
    StillRunning,
    /// 92: the configuration could not be re-read.
    CantReread,
    /// A code supervisord does not define.
    Other(i32),
}

/// The number and name of each code of [`FaultCode::ALL`], in the same order.
const NUMBERS_AND_NAMES: [(i32, &str); 18] = [
    (1, "UNKNOWN_METHOD"),
    (2, "INCORRECT_PARAMETERS"),
    (3, "BAD_ARGUMENTS"),
    (4, "SIGNATURE_UNSUPPORTED"),
    (6, "SHUTDOWN_STATE"),
    (10, "BAD_NAME"),
    (11, "BAD_SIGNAL"),
    (20, "NO_FILE"),
    (21, "NOT_EXECUTABLE"),
    (30, "FAILED"),
    (40, "ABNORMAL_TERMINATION"),
    (50, "SPAWN_ERROR"),
    (60, "ALREADY_STARTED"),
    (70, "NOT_RUNNING"),
    (80, "SUCCESS"),
    (90, "ALREADY_ADDED"),
    (91, "STILL_RUNNING"),
    (92, "CANT_REREAD"),
];

impl FaultCode {
    /// Every code supervisord defines, in number order.
    pub const ALL: [FaultCode; 18] = [
        FaultCode::UnknownMethod,
        FaultCode::IncorrectParameters,
        FaultCode::BadArguments,
        FaultCode::SignatureUnsupported,
        FaultCode::ShutdownState,
        FaultCode::BadName,
        FaultCode::BadSignal,
        FaultCode::NoFile,
        FaultCode::NotExecutable,
        FaultCode::Failed,
        FaultCode::AbnormalTermination,
        FaultCode::SpawnError,
        FaultCode::AlreadyStarted,
        FaultCode::NotRunning,
        FaultCode::Success,
        FaultCode::AlreadyAdded,
        FaultCode::StillRunning,
        FaultCode::CantReread,
    ];

    /// The code for number `code`; [`FaultCode::Other`] when it is not defined.
    pub fn from_code(code: i32) -> Self {
        Self::known()
            .find(|(_, (n, _))| *n == code)
            .map_or(FaultCode::Other(code), |(c, _)| c)
    }

    /// The number on the wire.
    pub fn code(self) -> i32 {
        match self {
            FaultCode::Other(n) => n,
            known => Self::known()
                .find(|(c, _)| *c == known)
                .map_or(0, |(_, (n, _))| n),
        }
    }

    /// The upper-case name (`BAD_NAME`); `None` for [`FaultCode::Other`].
    pub fn name(self) -> Option<&'static str> {
        Self::known()
            .find(|(c, _)| *c == self)
            .map(|(_, (_, name))| name)
    }

    /// The code named `name` (exact upper-case spelling).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::known().find(|(_, (_, n))| *n == name).map(|(c, _)| c)
    }

    fn known() -> impl Iterator<Item = (FaultCode, (i32, &'static str))> {
        Self::ALL.into_iter().zip(NUMBERS_AND_NAMES)
    }
}

impl fmt::Display for FaultCode {
    /// The name (`BAD_NAME`), or `fault N` for an undefined code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "fault {}", self.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_spec_code_round_trips_through_number_and_name() {
        let spec = [
            ("UNKNOWN_METHOD", 1),
            ("INCORRECT_PARAMETERS", 2),
            ("BAD_ARGUMENTS", 3),
            ("SIGNATURE_UNSUPPORTED", 4),
            ("SHUTDOWN_STATE", 6),
            ("BAD_NAME", 10),
            ("BAD_SIGNAL", 11),
            ("NO_FILE", 20),
            ("NOT_EXECUTABLE", 21),
            ("FAILED", 30),
            ("ABNORMAL_TERMINATION", 40),
            ("SPAWN_ERROR", 50),
            ("ALREADY_STARTED", 60),
            ("NOT_RUNNING", 70),
            ("SUCCESS", 80),
            ("ALREADY_ADDED", 90),
            ("STILL_RUNNING", 91),
            ("CANT_REREAD", 92),
        ];
        for ((name, number), code) in spec.into_iter().zip(FaultCode::ALL) {
            assert_eq!(FaultCode::from_code(number), code);
            assert_eq!(code.code(), number);
            assert_eq!(code.name(), Some(name));
            assert_eq!(FaultCode::from_name(name), Some(code));
            assert_eq!(code.to_string(), name);
        }
    }

    #[test]
    fn undefined_codes_are_kept_as_other() {
        assert_eq!(FaultCode::from_code(5), FaultCode::Other(5));
        assert_eq!(FaultCode::from_code(-1).code(), -1);
        assert_eq!(FaultCode::Other(5).name(), None);
        assert_eq!(FaultCode::Other(5).to_string(), "fault 5");
        assert_eq!(FaultCode::from_name("bad_name"), None);
    }
}
