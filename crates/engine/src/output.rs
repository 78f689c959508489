//! What the engine asks its driver to do, drained through
//! [`Engine::poll_output`](crate::Engine::poll_output) in the order decided.

use alloc::rc::Rc;
use alloc::string::String;

use supercheck_core::check::cpu::CpuPercent;
use supercheck_core::check::verdict::Verdict;

/// A process's namespec (`group:name`), shared by everything that refers to
/// the process: a probe in flight or a timer holds a counted reference, not a copy.
pub type TargetKey = Rc<str>;

/// One thing for the driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Write these bytes to stdout and flush (`READY`, `RESULT 2\nOKREADY\n`).
    Protocol(&'static [u8]),
    /// Write a log line (stderr, with a timestamp and the listener's name).
    Log(LogLine),
    /// Print a line on stdout (`--once` only, where stdout is not the protocol).
    Print(String),
    /// Call supervisord; answer with [`Engine::handle_process_list`] or
    /// [`Engine::handle_reply`](crate::Engine::handle_reply).
    ///
    /// [`Engine::handle_process_list`]: crate::Engine::handle_process_list
    Call(Call),
    /// Run one attempt of a check on a process; answer with
    /// [`Engine::handle_probe`](crate::Engine::handle_probe), always, once.
    Probe(ProbeTicket),
    /// Send a notification through every configured channel.
    Notify(Notice),
    /// Update what the frontend shows.
    Record(RecordUpdate),
    /// A process is gone from supervisord's list: drop what the driver keeps for it.
    Forget(TargetKey),
    /// Stop: shut down and exit with this status.
    Exit(Exit),
}

/// A log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// A line written only with `--verbose`.
    pub detail: bool,
    /// The text, without timestamp or newline.
    pub text: String,
}

/// A call to supervisord's XML-RPC interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `supervisor.getAllProcessInfo` for cycle `cycle`; `expected` processes
    /// were listed last time (room to read the reply into).
    ListProcesses {
        /// The cycle the list is for.
        cycle: u64,
        /// How many processes the previous list had (all groups).
        expected: usize,
    },
    /// `supervisor.stopProcess(target, wait=True)`: the first half of a restart.
    Stop {
        /// The process.
        target: TargetKey,
    },
    /// `supervisor.startProcess(target, wait=False)`: the second half.
    Start {
        /// The process.
        target: TargetKey,
    },
}

/// Names one attempt of one check on one process; the driver hands it back
/// with the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProbeTicket {
    /// The process.
    pub target: TargetKey,
    /// The check, by index in [`EngineConfig::checks`](crate::EngineConfig::checks).
    pub check: usize,
    /// The round of the process this attempt belongs to.
    pub round: u64,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// What an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// A verdict, judged by the driver with the core's judges.
    Verdict(Verdict),
    /// A cpu check's usage over its sample window, judged by the engine.
    CpuUsage(CpuPercent),
}

impl From<Verdict> for ProbeOutcome {
    fn from(verdict: Verdict) -> Self {
        ProbeOutcome::Verdict(verdict)
    }
}

/// A notification, already throttled and worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `alert` or `recovered` (the webhook's `kind`).
    pub kind: &'static str,
    /// The process.
    pub process: TargetKey,
    /// The subject line.
    pub subject: String,
    /// The body, with the count of messages held back since the last one.
    pub body: String,
    /// Messages held back for this process since the last one sent.
    pub suppressed: u32,
}

/// A change to what the frontend shows.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordUpdate {
    /// A tick arrived.
    Tick,
    /// An attempt of `check` started on `target`.
    ProbeStarted {
        /// The process.
        target: TargetKey,
        /// The check.
        check: usize,
    },
    /// `check` on `target` ended with `verdict`.
    Verdict {
        /// The process.
        target: TargetKey,
        /// The check.
        check: usize,
        /// Its verdict.
        verdict: Verdict,
    },
    /// A restart of `target` was decided.
    RestartAsked {
        /// The process.
        target: TargetKey,
        /// Why.
        reason: String,
    },
    /// The restart of `target` finished (it was started again).
    RestartDone {
        /// The process.
        target: TargetKey,
    },
}

/// How the listener ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Told to stop (signal) or stdin closed: status 0.
    Clean,
    /// The event stream could not be followed: status 1.
    ProtocolLost,
    /// `--once` found a process failing or could not check it: status 1.
    OnceFailed,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::ProtocolLost | Exit::OnceFailed => 1,
        }
    }
}

/// Why a call to supervisord gave no answer, as the driver saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    /// supervisord's fault code, when it answered with a fault.
    pub fault: Option<supercheck_core::rpc::FaultCode>,
    /// What went wrong, for the log (the driver's own error text).
    pub message: String,
}

impl CallFailure {
    /// A failure that is not a fault (transport, timeout, malformed reply).
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            fault: None,
            message: message.into(),
        }
    }

    /// A fault answered by supervisord.
    pub fn fault(code: supercheck_core::rpc::FaultCode, message: impl Into<String>) -> Self {
        Self {
            fault: Some(code),
            message: message.into(),
        }
    }
}

impl core::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for CallFailure {}
