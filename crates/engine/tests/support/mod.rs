//! A virtual-time driver for the engine, in the manner of quinn-proto's
//! `Pair`: one [`Engine`], a virtual clock, a scripted supervisord, scripted
//! probes, and a record of everything the engine asked for.
//!
//! The harness carries out [`Output`]s exactly as a driver would: a call to
//! supervisord or a probe becomes a reply due after its scripted delay, kept
//! in a queue ordered by due time (then by the order it was asked); driving
//! jumps the clock to the earliest of [`Engine::poll_timeout`] and the next
//! reply (never backwards) and feeds that input. On a tie the reply is
//! delivered before the timer fires. Nothing sleeps.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};

use supercheck_core::check::cpu::CpuPercent;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::event::TickPeriod;
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::{
    ACK_AND_READY, Call, CallFailure, CheckRule, Engine, EngineConfig, Exit, LogLine, Notice,
    Output, ProbeOutcome, ProbeTicket, Process, RecordUpdate, Selection, TargetKey,
};

/// Where the virtual clock starts: late enough for process start times in
/// the past to be positive epoch seconds.
pub const T0: Instant = Instant::from_secs(1_000_000);

/// The acknowledgement written after each event.
pub const RESULT_OK: &[u8] = b"RESULT 2\nOK";

/// More iterations than this in one drive is taken for a livelock.
pub const MAX_ITERATIONS: usize = 20_000;

/// `T0` plus `ms` milliseconds.
pub fn at_ms(ms: u64) -> Instant {
    T0 + Duration::from_millis(ms)
}

/// `T0` plus `secs` seconds.
pub fn at_secs(secs: u64) -> Instant {
    T0 + Duration::from_secs(secs)
}

/// `ms` milliseconds.
pub fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// `secs` seconds.
pub fn secs(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// A configuration checking every process with `checks`, verbose (detail
/// lines are written), the drop-in policy.
pub fn config(checks: Vec<CheckRule>) -> EngineConfig {
    let mut config = EngineConfig::new(Selection::AllExcept(None), checks);
    config.verbose = true;
    config
}

/// A configuration with one `http` check, one attempt per round.
pub fn http_config() -> EngineConfig {
    config(vec![CheckRule::new("http")])
}

/// A RUNNING process `namespec` (`group:name`) started at epoch second `start`.
pub fn running(namespec: &str, start: u64) -> Process {
    let (group, name) = namespec.split_once(':').unwrap_or((namespec, namespec));
    Process {
        group: group.to_owned(),
        name: name.to_owned(),
        state: ProcessState::Running,
        pid: 100,
        start: i64::try_from(start).unwrap_or(i64::MAX),
        now: 0,
    }
}

/// A process started a day before [`T0`].
pub fn long_running(namespec: &str) -> Process {
    running(namespec, T0.secs() - 86_400)
}

/// The bytes of a `TICK_*` event as supervisord writes them.
pub fn tick_bytes(period: TickPeriod, serial: u64, when: u64) -> Vec<u8> {
    event_bytes(period.event_name(), serial, &format!("when:{when}"))
}

/// The bytes of an event named `name` with `payload`.
pub fn event_bytes(name: &str, serial: u64, payload: &str) -> Vec<u8> {
    format!(
        "ver:3.0 server:supervisor serial:{serial} pool:c poolserial:{serial} eventname:{name} len:{}\n{payload}",
        payload.chars().count()
    )
    .into_bytes()
}

/// Counts the occurrences of `needle` in `haystack`.
pub fn count_occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || haystack.len() < needle.len() {
        return 0;
    }
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// What a probe is asked, for the probe script.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The process.
    pub target: String,
    /// The check index.
    pub check: usize,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The round.
    pub round: u64,
    /// When the probe was asked for.
    pub now: Instant,
    /// How many probes this target was asked before this one.
    pub nth: usize,
}

/// A scripted probe answer: its outcome, after a delay.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// How long the probe takes.
    pub delay: Duration,
    /// What it reports.
    pub outcome: ProbeOutcome,
}

/// The delay of a probe when the script does not say.
pub const PROBE_DELAY: Duration = Duration::from_millis(100);

impl Answer {
    /// Passes after [`PROBE_DELAY`].
    pub fn pass() -> Self {
        Self::verdict(Verdict::Pass)
    }

    /// Fails with HTTP status 500 (not retryable) after [`PROBE_DELAY`].
    pub fn fail() -> Self {
        Self::fail_with(FailReason::BadStatus { code: 500 })
    }

    /// Fails with `reason` after [`PROBE_DELAY`].
    pub fn fail_with(reason: FailReason) -> Self {
        Self::verdict(Verdict::Fail(reason))
    }

    /// Connection refused (retryable) after [`PROBE_DELAY`].
    pub fn refused() -> Self {
        Self::fail_with(FailReason::ConnectionRefused)
    }

    /// Cannot tell (the process vanished) after [`PROBE_DELAY`].
    pub fn error() -> Self {
        Self::verdict(Verdict::Error(CheckError::ProcessVanished))
    }

    /// A hung probe: answers only at its deadline `timeout`, with the
    /// timeout's verdict.
    pub fn hung(timeout: Duration) -> Self {
        Self {
            delay: timeout,
            outcome: ProbeOutcome::Verdict(Verdict::Fail(FailReason::ResponseTimeout {
                after: timeout,
            })),
        }
    }

    /// A cpu usage of `percent` % after [`PROBE_DELAY`].
    pub fn cpu(percent: u32) -> Self {
        Self {
            delay: PROBE_DELAY,
            outcome: ProbeOutcome::CpuUsage(CpuPercent::from_percent(percent)),
        }
    }

    /// `verdict` after [`PROBE_DELAY`].
    pub fn verdict(verdict: Verdict) -> Self {
        Self {
            delay: PROBE_DELAY,
            outcome: ProbeOutcome::Verdict(verdict),
        }
    }

    /// The same answer after `delay`.
    #[must_use]
    pub fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

/// The probe script: what each attempt finds.
pub type ProbeScript = Box<dyn FnMut(&ProbeRequest) -> Answer>;

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

    fn listing(&self, now: Instant) -> Vec<Process> {
        let now = i64::try_from(now.secs()).unwrap_or(i64::MAX);
        self.processes
            .iter()
            .cloned()
            .map(|p| Process { now, ..p })
            .collect()
    }

    fn carry_out(&mut self, call: &Call, now: Instant) -> Result<(), CallFailure> {
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

/// A reply the harness owes the engine.
#[derive(Debug)]
enum Due {
    List {
        cycle: u64,
        failure: Option<CallFailure>,
    },
    Reply {
        call: Call,
    },
    Probe {
        ticket: ProbeTicket,
        outcome: ProbeOutcome,
    },
}

#[derive(Debug)]
struct Pending {
    due: Instant,
    seq: u64,
    what: Due,
}

/// The virtual-time harness. See the [module docs](self).
pub struct Harness {
    /// The engine under test.
    pub engine: Engine,
    /// The virtual clock.
    pub now: Instant,
    /// The scripted supervisord.
    pub supervisor: Supervisor,
    probes: ProbeScript,
    probes_asked: HashMap<String, usize>,
    pending: Vec<Pending>,
    seq: u64,
    /// stdin bytes the engine has not taken yet (the pipe).
    pub pipe: VecDeque<u8>,
    serial: u64,
    /// Every output, with the instant it was drained at.
    pub outputs: Vec<(Instant, Output)>,
    /// Everything written on stdout as protocol.
    pub stdout: Vec<u8>,
    /// The exit, once the engine asked for it.
    pub exited: Option<(Instant, Exit)>,
    /// Outputs drained after the exit (must stay 0).
    pub after_exit: usize,
    /// Livelock bound of one drive.
    pub max_iterations: usize,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("now", &self.now)
            .field("pending", &self.pending)
            .field("exited", &self.exited)
            .finish_non_exhaustive()
    }
}

impl Harness {
    /// A harness for `config` at [`T0`], with `processes` listed and every probe passing.
    pub fn new(config: EngineConfig, processes: Vec<Process>) -> Self {
        let engine = Engine::new(config).expect("a valid policy");
        Self {
            engine,
            now: T0,
            supervisor: Supervisor {
                processes,
                ..Supervisor::default()
            },
            probes: Box::new(|_| Answer::pass()),
            probes_asked: HashMap::new(),
            pending: Vec::new(),
            seq: 0,
            pipe: VecDeque::new(),
            serial: 0,
            outputs: Vec::new(),
            stdout: Vec::new(),
            exited: None,
            after_exit: 0,
            max_iterations: MAX_ITERATIONS,
        }
    }

    /// A started harness (READY written, or the `--once` round begun).
    pub fn started(config: EngineConfig, processes: Vec<Process>) -> Self {
        let mut h = Self::new(config, processes);
        h.start();
        h
    }

    /// Replaces the probe script.
    pub fn set_probes(&mut self, script: impl FnMut(&ProbeRequest) -> Answer + 'static) {
        self.probes = Box::new(script);
    }

    /// Probes answer per target with `script`; unnamed targets pass.
    pub fn set_probes_by_target(
        &mut self,
        mut script: impl FnMut(&str, &ProbeRequest) -> Option<Answer> + 'static,
    ) {
        self.probes = Box::new(move |req| script(&req.target, req).unwrap_or_else(Answer::pass));
    }

    // --- inputs --------------------------------------------------------------

    /// `handle_start`, then the outputs carried out.
    pub fn start(&mut self) {
        self.engine.handle_start(self.now);
        self.pump();
    }

    /// Writes a `TICK_*` event into stdin (taken as the engine has room).
    pub fn tick(&mut self, period: TickPeriod) {
        let step = period.seconds();
        let when = self.now.secs() / step * step;
        self.serial += 1;
        let bytes = tick_bytes(period, self.serial, when);
        self.write_stdin(&bytes);
    }

    /// Writes raw bytes into stdin (taken as the engine has room).
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        self.pipe.extend(bytes.iter().copied());
        self.pump();
    }

    /// Writes an event named `name` with `payload` into stdin.
    pub fn event(&mut self, name: &str, payload: &str) {
        self.serial += 1;
        let bytes = event_bytes(name, self.serial, payload);
        self.write_stdin(&bytes);
    }

    /// stdin reaches its end (after the bytes still in the pipe were taken).
    pub fn close_stdin(&mut self) {
        self.engine.handle_input_closed(self.now);
        self.pump();
    }

    /// A stop signal.
    pub fn signal(&mut self, signal: i32) {
        self.engine.handle_stop_signal(signal);
        self.pump();
    }

    // --- driving -------------------------------------------------------------

    /// Feeds the pipe as the engine has room and carries out every output,
    /// until neither gives anything more.
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(output) = self.engine.poll_output() {
                progressed = true;
                self.carry_out(output);
            }
            let room = self.engine.input_room();
            if room > 0 && !self.pipe.is_empty() {
                let chunk: Vec<u8> = self.pipe.iter().take(room).copied().collect();
                let taken = self.engine.handle_input(self.now, &chunk);
                assert!(taken <= room, "took {taken} bytes with room for {room}");
                assert!(taken <= chunk.len());
                self.pipe.drain(..taken);
                progressed |= taken > 0;
            }
            if !progressed {
                return;
            }
        }
    }

    /// Drives until nothing is due (no timer, no reply) or the engine exited.
    pub fn drive(&mut self) {
        self.drive_bounded(self.max_iterations);
    }

    /// [`Harness::drive`] with a livelock bound of `limit` iterations.
    pub fn drive_bounded(&mut self, limit: usize) {
        self.run(None, limit, &mut |_| false);
    }

    /// Drives until `done` holds (checked after every input) or nothing is
    /// due; returns whether `done` held.
    pub fn drive_until(&mut self, mut done: impl FnMut(&Harness) -> bool) -> bool {
        let limit = self.max_iterations;
        self.run(None, limit, &mut done)
    }

    /// Drives every input due up to `until`, then sets the clock to `until`
    /// (never backwards).
    pub fn run_until(&mut self, until: Instant) {
        let limit = self.max_iterations;
        self.run(Some(until), limit, &mut |_| false);
        self.now = self.now.max(until);
    }

    /// Drives for `duration` of virtual time from now.
    pub fn run_for(&mut self, duration: Duration) {
        self.run_until(self.now + duration);
    }

    fn run(
        &mut self,
        horizon: Option<Instant>,
        limit: usize,
        done: &mut dyn FnMut(&Harness) -> bool,
    ) -> bool {
        for _ in 0..limit {
            self.pump();
            if done(self) {
                return true;
            }
            if self.exited.is_some() {
                return false;
            }
            let timer = self.engine.poll_timeout();
            let reply = self.next_pending().map(|i| self.pending[i].due);
            let next = match (timer, reply) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => match a.or(b) {
                    Some(next) => next,
                    None => return false,
                },
            };
            if horizon.is_some_and(|h| next > h) {
                return false;
            }
            self.now = self.now.max(next);
            match reply {
                Some(due) if due <= next => self.deliver_next(),
                _ => self.engine.handle_timeout(self.now),
            }
        }
        panic!("livelock: more than {limit} iterations at {}", self.now);
    }

    fn next_pending(&self) -> Option<usize> {
        self.pending
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| (p.due, p.seq))
            .map(|(i, _)| i)
    }

    fn deliver_next(&mut self) {
        let Some(i) = self.next_pending() else {
            return;
        };
        let pending = self.pending.remove(i);
        let now = self.now;
        match pending.what {
            Due::List { cycle, failure } => {
                let result = match failure {
                    Some(failure) => Err(failure),
                    None => Ok(self.supervisor.listing(now)),
                };
                self.engine.handle_process_list(now, cycle, result);
            }
            Due::Reply { call } => {
                let result = self.supervisor.carry_out(&call, now);
                self.engine.handle_reply(now, &call, result);
            }
            Due::Probe { ticket, outcome } => self.engine.handle_probe(now, ticket, outcome),
        }
    }

    fn schedule(&mut self, delay: Duration, what: Due) {
        self.seq += 1;
        self.pending.push(Pending {
            due: self.now + delay,
            seq: self.seq,
            what,
        });
    }

    fn carry_out(&mut self, output: Output) {
        if self.exited.is_some() {
            self.after_exit += 1;
        }
        self.outputs.push((self.now, output.clone()));
        match output {
            Output::Protocol(bytes) => self.stdout.extend_from_slice(bytes),
            Output::Call(call) => match call {
                Call::ListProcesses { cycle, .. } => {
                    let failure = self.supervisor.lists.pop_front().flatten();
                    let delay = self.supervisor.list_delay;
                    self.schedule(delay, Due::List { cycle, failure });
                }
                Call::Stop { .. } => {
                    let delay = self.supervisor.stop_delay;
                    self.schedule(delay, Due::Reply { call });
                }
                Call::Start { .. } => {
                    let delay = self.supervisor.start_delay;
                    self.schedule(delay, Due::Reply { call });
                }
            },
            Output::Probe(ticket) => {
                let asked = self
                    .probes_asked
                    .entry(ticket.target.to_string())
                    .or_default();
                let request = ProbeRequest {
                    target: ticket.target.to_string(),
                    check: ticket.check,
                    attempt: ticket.attempt,
                    round: ticket.round,
                    now: self.now,
                    nth: *asked,
                };
                *asked += 1;
                let answer = (self.probes)(&request);
                self.schedule(
                    answer.delay,
                    Due::Probe {
                        ticket,
                        outcome: answer.outcome,
                    },
                );
            }
            Output::Exit(exit) => {
                if self.exited.is_none() {
                    self.exited = Some((self.now, exit));
                }
            }
            Output::Log(_)
            | Output::Print(_)
            | Output::Notify(_)
            | Output::Record(_)
            | Output::Forget(_) => {}
        }
    }

    // --- what happened -------------------------------------------------------

    /// Acknowledgements written so far (`RESULT 2\nOK`).
    pub fn acks(&self) -> usize {
        count_occurrences(&self.stdout, RESULT_OK)
    }

    /// When each acknowledgement was written.
    pub fn ack_instants(&self) -> Vec<Instant> {
        self.outputs
            .iter()
            .filter(|(_, o)| *o == Output::Protocol(ACK_AND_READY))
            .map(|(t, _)| *t)
            .collect()
    }

    /// Index in [`Harness::outputs`] of each acknowledgement.
    pub fn ack_indices(&self) -> Vec<usize> {
        self.indices(|o| *o == Output::Protocol(ACK_AND_READY))
    }

    /// Indices in [`Harness::outputs`] of outputs matching `pred`.
    pub fn indices(&self, pred: impl Fn(&Output) -> bool) -> Vec<usize> {
        self.outputs
            .iter()
            .enumerate()
            .filter(|(_, (_, o))| pred(o))
            .map(|(i, _)| i)
            .collect()
    }

    /// Every log line, with its instant.
    pub fn logs(&self) -> Vec<(Instant, &LogLine)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Log(line) => Some((*t, line)),
                _ => None,
            })
            .collect()
    }

    /// Log lines containing `needle`, with their instants.
    pub fn logs_with(&self, needle: &str) -> Vec<(Instant, String)> {
        self.logs()
            .into_iter()
            .filter(|(_, l)| l.text.contains(needle))
            .map(|(t, l)| (t, l.text.clone()))
            .collect()
    }

    /// How many log lines contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.logs_with(needle).len()
    }

    /// Every log line's text, for failure messages.
    pub fn log_texts(&self) -> Vec<String> {
        self.logs()
            .into_iter()
            .map(|(_, l)| l.text.clone())
            .collect()
    }

    /// Every printed line (`--once`).
    pub fn prints(&self) -> Vec<String> {
        self.outputs
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Print(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every call to supervisord, with its instant.
    pub fn calls(&self) -> Vec<(Instant, Call)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Call(c) => Some((*t, c.clone())),
                _ => None,
            })
            .collect()
    }

    /// When each process list was asked for.
    pub fn lists(&self) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::ListProcesses { .. }))
            .map(|(t, _)| t)
            .collect()
    }

    /// When `stopProcess(target)` was asked for.
    pub fn stops(&self, target: &str) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::Stop { target: t } if &**t == target))
            .map(|(t, _)| t)
            .collect()
    }

    /// Every `stopProcess`, whatever the target.
    pub fn all_stops(&self) -> Vec<(Instant, String)> {
        self.calls()
            .into_iter()
            .filter_map(|(t, c)| match c {
                Call::Stop { target } => Some((t, target.to_string())),
                _ => None,
            })
            .collect()
    }

    /// When `startProcess(target)` was asked for.
    pub fn starts(&self, target: &str) -> Vec<Instant> {
        self.calls()
            .into_iter()
            .filter(|(_, c)| matches!(c, Call::Start { target: t } if &**t == target))
            .map(|(t, _)| t)
            .collect()
    }

    /// Every probe asked for, with its instant.
    pub fn probes(&self) -> Vec<(Instant, ProbeTicket)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Probe(p) => Some((*t, p.clone())),
                _ => None,
            })
            .collect()
    }

    /// The probes of `target`, with their instants.
    pub fn probes_of(&self, target: &str) -> Vec<(Instant, ProbeTicket)> {
        self.probes()
            .into_iter()
            .filter(|(_, p)| &*p.target == target)
            .collect()
    }

    /// Probes still owed an answer.
    pub fn probes_in_flight(&self) -> usize {
        self.pending
            .iter()
            .filter(|p| matches!(p.what, Due::Probe { .. }))
            .count()
    }

    /// Every notification, with its instant.
    pub fn notices(&self) -> Vec<(Instant, Notice)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Notify(n) => Some((*t, n.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every record update, with its instant.
    pub fn records(&self) -> Vec<(Instant, RecordUpdate)> {
        self.outputs
            .iter()
            .filter_map(|(t, o)| match o {
                Output::Record(r) => Some((*t, r.clone())),
                _ => None,
            })
            .collect()
    }

    /// The final verdicts recorded for `target`, with their instants.
    pub fn verdicts_of(&self, target: &str) -> Vec<(Instant, Verdict)> {
        self.records()
            .into_iter()
            .filter_map(|(t, r)| match r {
                RecordUpdate::Verdict {
                    target: key,
                    verdict,
                    ..
                } if &*key == target => Some((t, verdict)),
                _ => None,
            })
            .collect()
    }

    /// Every process the engine said to forget.
    pub fn forgets(&self) -> Vec<TargetKey> {
        self.outputs
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Forget(k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    /// The exit, if the engine asked for one.
    pub fn exit(&self) -> Option<Exit> {
        self.exited.map(|(_, e)| e)
    }
}

/// A fault answer from supervisord.
pub fn fault(code: FaultCode) -> CallFailure {
    CallFailure::fault(code, format!("fault {code:?}"))
}
