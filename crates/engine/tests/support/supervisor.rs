//! A scripted supervisord: the process table it lists, the restarts it
//! carries out on it, the failures and faults it is scripted to answer with,
//! and how long each kind of call takes.

use std::collections::{HashMap, VecDeque};

use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::{Call, CallFailure, Process};

/// A scripted supervisord: its process table (changed by the restarts it
/// carries out), scripted failures, and the delay of each kind of reply.
#[derive(Debug)]
pub struct Supervisor {
    /// The processes it lists, in order.
    pub processes: Vec<Process>,
    /// Scripted answers to the next process lists, in order: `Some(failure)`
    /// fails that list, `None` answers it; when empty, every list is answered.
    pub lists: VecDeque<Option<CallFailure>>,
    /// Scripted answers to the next `stopProcess` calls, per process; `Ok` when none.
    pub stops: HashMap<String, VecDeque<Result<(), CallFailure>>>,
    /// Scripted answers to the next `startProcess` calls, per process; `Ok` when none.
    pub starts: HashMap<String, VecDeque<Result<(), CallFailure>>>,
    /// How long a process list takes.
    pub list_delay: Duration,
    /// How long `stopProcess` (waiting) takes.
    pub stop_delay: Duration,
    /// How long `startProcess` takes.
    pub start_delay: Duration,
    /// Next pid handed to a started process.
    next_pid: u32,
}

impl Default for Supervisor {
    fn default() -> Self {
        Self {
            processes: Vec::new(),
            lists: VecDeque::new(),
            stops: HashMap::new(),
            starts: HashMap::new(),
            list_delay: Duration::from_millis(50),
            stop_delay: Duration::from_millis(200),
            start_delay: Duration::from_millis(50),
            next_pid: 1000,
        }
    }
}

impl Supervisor {
    /// A supervisord listing `processes`, with no scripted failure and the
    /// default delays.
    pub fn new(processes: Vec<Process>) -> Self {
        Self {
            processes,
            ..Self::default()
        }
    }

    /// The process `namespec`, to change it.
    pub fn process_mut(&mut self, namespec: &str) -> Option<&mut Process> {
        self.processes.iter_mut().find(|p| p.namespec() == namespec)
    }

    /// Answers the next `stopProcess(namespec)` with `result`.
    pub fn script_stop(&mut self, namespec: &str, result: Result<(), CallFailure>) {
        self.stops
            .entry(namespec.to_owned())
            .or_default()
            .push_back(result);
    }

    /// Answers the next `startProcess(namespec)` with `result`.
    pub fn script_start(&mut self, namespec: &str, result: Result<(), CallFailure>) {
        self.starts
            .entry(namespec.to_owned())
            .or_default()
            .push_back(result);
    }

    /// Fails the next process list with `failure`.
    pub fn fail_next_list(&mut self, failure: CallFailure) {
        self.lists.push_back(Some(failure));
    }

    pub(super) fn listing(&self, now: Instant) -> Vec<Process> {
        let now = i64::try_from(now.secs()).unwrap_or(i64::MAX);
        self.processes
            .iter()
            .cloned()
            .map(|p| Process { now, ..p })
            .collect()
    }

    pub(super) fn carry_out(&mut self, call: &Call, now: Instant) -> Result<(), CallFailure> {
        let (script, target) = match call {
            Call::Stop { target } => (&mut self.stops, target),
            Call::Start { target } => (&mut self.starts, target),
            Call::ListProcesses { .. } => return Ok(()),
        };
        let result = script
            .get_mut(&**target)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Ok(()));
        if result.is_ok() {
            let pid = self.next_pid;
            self.next_pid += 1;
            let starting = matches!(call, Call::Start { .. });
            if let Some(p) = self.process_mut(target) {
                if starting {
                    p.state = ProcessState::Running;
                    p.pid = pid;
                    p.start = i64::try_from(now.secs()).unwrap_or(i64::MAX);
                } else {
                    p.state = ProcessState::Stopped;
                    p.pid = 0;
                }
            }
        }
        result
    }
}

/// A fault answer from supervisord.
pub fn fault(code: FaultCode) -> CallFailure {
    CallFailure::fault(code, format!("fault {code:?}"))
}
