//! [`Driver`]: applies [`Step`]s to an engine and checks every output
//! against the promises listed in the [module docs](super).

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::HashSet;
use rustc_hash::FxBuildHasher;
use supercheck_core::check::verdict::Verdict;
use supercheck_core::event::READY;
use supercheck_core::process::ProcessState;
use supercheck_core::time::{Duration, Instant};

use super::{Drive, Listed, NAMES, START, Step, event_bytes, pump, reload_config, tick_bytes};
use crate::engine::{ACK_AND_READY, Engine};
use crate::output::{Call, CallFailure, Exit, Output, ProbeOutcome, ProbeTicket, RecordUpdate};
use crate::process::Process;
use crate::reload::Reloaded;

type Set = HashSet<String, FxBuildHasher>;

/// How many rounds of answers [`Driver::settle`] gives at the least before
/// it takes the run for one that never settles (more with more events).
const SETTLE_ROUNDS: usize = 5_000;

/// What the outputs being drained follow, for the promises about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// Any input.
    Input,
    /// A new configuration taken.
    Reload,
    /// The outcome of a probe the engine no longer awaited.
    Stale,
}

/// What a run asked for, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// `RESULT`s written.
    pub results: usize,
    /// Process lists asked for.
    pub lists: usize,
    /// Probes asked for.
    pub probes: usize,
    /// `stopProcess` calls.
    pub stops: usize,
    /// `startProcess` calls.
    pub starts: usize,
    /// New configurations taken ([`Step::Reload`]).
    pub reloads: usize,
    /// New configurations refused.
    pub refused: usize,
    /// Log lines written.
    pub logs: usize,
    /// How the engine ended, if it did.
    pub exit: Option<Exit>,
}

/// An engine driven by scripted steps, its outputs checked as they come.
#[derive(Debug)]
pub struct Driver {
    tally: Tally,
    engine: Engine,
    once: bool,
    now: Instant,
    pipe: VecDeque<u8>,
    serial: u64,
    /// Bytes of the stream the engine has taken.
    taken: usize,
    /// Bytes written to the stream.
    written: usize,
    /// Where each whole event written ends in the stream.
    event_ends: Vec<usize>,
    /// Raw bytes written (they may hold events of their own).
    raw: usize,
    lists: Vec<u64>,
    calls: Vec<Call>,
    probes: Vec<ProbeTicket>,
    /// Targets a failing verdict (or a cpu sample) was fed for, in a round
    /// the engine awaited.
    failed: Set,
    /// The same, since the last `stopProcess` for them.
    failed_since_stop: Set,
    /// When the last process list was asked for.
    last_list: Option<Instant>,
    /// What the outputs being drained follow.
    after: After,
    readies: usize,
    results: usize,
    exited: bool,
    signalled: bool,
    /// Stopped (stopProcess answered OK), not yet started again.
    awaiting_start: Set,
    /// Forgotten (gone from the list) while a restart may have been under way.
    forgotten: Set,
    /// Junk or raw bytes, a closed stdin or a signal: the exact count of
    /// acknowledgements is not expected.
    dirty: bool,
}

impl Drive for Driver {
    fn engine_and_pipe(&mut self) -> (&mut Engine, &mut VecDeque<u8>) {
        (&mut self.engine, &mut self.pipe)
    }

    fn now(&self) -> Instant {
        self.now
    }

    fn carry_out(&mut self, output: Output) {
        self.check(output);
    }

    fn took(&mut self, bytes: usize) {
        self.taken += bytes;
    }
}

impl Driver {
    /// An engine for `config`, started at [`START`].
    ///
    /// # Errors
    /// The configuration is not valid ([`ConfigError`](crate::ConfigError)).
    pub fn new(config: crate::EngineConfig) -> Result<Self, crate::ConfigError> {
        let once = config.once;
        let mut driver = Self {
            tally: Tally::default(),
            engine: Engine::new(config)?,
            once,
            now: START,
            pipe: VecDeque::new(),
            serial: 0,
            taken: 0,
            written: 0,
            event_ends: Vec::new(),
            raw: 0,
            lists: Vec::new(),
            calls: Vec::new(),
            probes: Vec::new(),
            failed: Set::default(),
            failed_since_stop: Set::default(),
            last_list: None,
            after: After::Input,
            readies: 0,
            results: 0,
            exited: false,
            signalled: false,
            awaiting_start: Set::default(),
            forgotten: Set::default(),
            dirty: false,
        };
        driver.engine.handle_start(driver.now);
        pump(&mut driver);
        assert_eq!(driver.readies, usize::from(!once), "READY first");
        Ok(driver)
    }

    /// The engine driven.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// What the run has asked for so far.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// Every step in turn, everything answered, and the result checked:
    /// [`Driver::apply`], [`Driver::settle`], [`Driver::assert_settled`].
    pub fn run(mut self, steps: &[Step]) -> Self {
        for step in steps {
            self.apply(step);
        }
        self.settle();
        self.assert_settled();
        self
    }

    /// How many whole events the engine has taken.
    fn events_taken(&self) -> usize {
        self.event_ends
            .iter()
            .filter(|&&end| end <= self.taken)
            .count()
    }

    /// The most `RESULT`s the bytes taken so far allow.
    fn most_results(&self) -> usize {
        if self.raw == 0 {
            self.events_taken()
        } else {
            self.event_ends.len() + self.raw
        }
    }

    fn write(&mut self, bytes: &[u8], event: bool) {
        self.pipe.extend(bytes.iter().copied());
        self.written += bytes.len();
        if event {
            self.event_ends.push(self.written);
        }
    }

    fn event(&mut self, name: &str, payload: &str) {
        self.serial += 1;
        let bytes = event_bytes(name, self.serial, payload);
        self.write(&bytes, true);
    }

    fn check(&mut self, output: Output) {
        assert!(!self.exited, "output after the exit: {output:?}");
        self.count(&output);
        match output {
            Output::Protocol(bytes) => {
                assert!(!self.once, "protocol bytes with --once");
                if bytes == READY {
                    assert_eq!(self.readies, 0, "READY once, first");
                    self.readies += 1;
                } else {
                    assert_eq!(bytes, ACK_AND_READY);
                    self.results += 1;
                    assert!(
                        self.results <= self.most_results(),
                        "RESULT {} with {} events taken",
                        self.results,
                        self.events_taken()
                    );
                }
            }
            Output::Call(Call::ListProcesses { cycle, .. }) => {
                self.lists.push(cycle);
                self.last_list = Some(self.now);
            }
            Output::Call(call) => {
                match &call {
                    Call::Stop { target } => self.check_stop(target),
                    Call::Start { target } => {
                        self.awaiting_start.remove(&**target);
                    }
                    Call::ListProcesses { .. } => {}
                }
                self.calls.push(call);
            }
            Output::Probe(ticket) => self.probes.push(ticket),
            Output::Exit(_) => {
                self.exited = true;
                // Whatever ended it (stdin closed, the stream lost, --once),
                // short of a signal.
                if !self.signalled {
                    self.assert_no_process_left_stopped();
                }
            }
            Output::Forget(key) => {
                self.awaiting_start.remove(&*key);
                self.forgotten.insert(key.to_string());
            }
            Output::Log(line) => assert!(!line.text.is_empty(), "an empty log line"),
            Output::Record(RecordUpdate::Verdict { target, .. }) => assert!(
                self.after != After::Stale,
                "a verdict on {target} from a probe no longer awaited"
            ),
            Output::Print(_) | Output::Notify(_) | Output::Record(_) => {}
        }
    }

    /// A `stopProcess` for `target`: after a failing verdict, never with
    /// `--once`, never from a stale probe, from a reload only if a failing
    /// verdict came since the last one, and never while a restart of
    /// `target` is under way (processes forgotten meanwhile aside).
    fn check_stop(&mut self, target: &str) {
        assert!(
            self.failed.contains(target),
            "Stop of {target} without a failing verdict"
        );
        assert!(!self.once, "stop with --once");
        assert!(
            self.after != After::Stale,
            "Stop of {target} for a probe no longer awaited"
        );
        assert!(
            self.after != After::Reload || self.failed_since_stop.contains(target),
            "Stop of {target} by a reload, no failing verdict since the last one"
        );
        if !self.forgotten.contains(target) {
            let under_way = self.calls.iter().find(|c| {
                matches!(c, Call::Stop { target: t } | Call::Start { target: t } if &**t == target)
            });
            assert!(
                under_way.is_none(),
                "Stop of {target} with {under_way:?} unanswered"
            );
        }
        self.failed_since_stop.remove(target);
    }

    fn count(&mut self, output: &Output) {
        let tally = &mut self.tally;
        match output {
            Output::Protocol(bytes) if *bytes == ACK_AND_READY => tally.results += 1,
            Output::Call(Call::ListProcesses { .. }) => tally.lists += 1,
            Output::Call(Call::Stop { .. }) => tally.stops += 1,
            Output::Call(Call::Start { .. }) => tally.starts += 1,
            Output::Probe(_) => tally.probes += 1,
            Output::Log(_) => tally.logs += 1,
            Output::Exit(exit) => tally.exit = Some(*exit),
            _ => {}
        }
    }

    /// No `stopProcess` still awaited, every one that worked followed by a
    /// `startProcess` (processes forgotten meanwhile aside).
    fn assert_no_process_left_stopped(&self) {
        let forgotten = &self.forgotten;
        let awaited: Vec<&Call> = self
            .calls
            .iter()
            .filter(|c| matches!(c, Call::Stop { target } if !forgotten.contains(&**target)))
            .collect();
        assert!(awaited.is_empty(), "ended with {awaited:?} unanswered");
        assert!(
            self.awaiting_start.is_empty(),
            "ended with {:?} stopped and not started",
            self.awaiting_start
        );
    }

    fn listing(&self, answer: &[Listed]) -> Vec<Process> {
        let now = i64::try_from(self.now.secs()).unwrap_or(i64::MAX);
        answer
            .iter()
            .map(|listed| {
                let (group, name) = NAMES
                    .get(listed.name % NAMES.len())
                    .copied()
                    .unwrap_or_default();
                let age = i64::try_from(listed.age_secs).unwrap_or(i64::MAX);
                Process {
                    group: group.into(),
                    name: name.into(),
                    state: listed.state,
                    pid: 10,
                    start: if age == 0 { 0 } else { now.saturating_sub(age) },
                    now,
                }
            })
            .collect()
    }

    /// Removes and returns the element `pick` designates (modulo the length).
    fn pick<T>(list: &mut Vec<T>, pick: usize) -> Option<T> {
        if list.is_empty() {
            None
        } else {
            Some(list.remove(pick % list.len()))
        }
    }

    /// Feeds one step, then drains the outputs and feeds the pipe.
    pub fn apply(&mut self, step: &Step) {
        match step {
            Step::Tick(period) => {
                self.serial += 1;
                let bytes = tick_bytes(*period, self.serial, self.now.secs());
                self.write(&bytes, true);
            }
            Step::OtherEvent => self.event("SUPERVISOR_STATE_CHANGE_RUNNING", ""),
            Step::Malformed => self.event("TICK_5", "nope"),
            Step::Junk(bytes) => {
                self.dirty = true;
                self.write(bytes, false);
            }
            Step::Raw(bytes) => {
                self.dirty = true;
                self.raw += bytes.len();
                self.write(bytes, false);
            }
            Step::CloseStdin => {
                self.dirty = true;
                // A driver sees the end of the pipe after its bytes.
                pump(self);
                self.engine.handle_input_closed(self.now);
            }
            Step::List { pick, answer } => {
                let result = match answer {
                    Ok(answer) => Ok(self.listing(answer)),
                    Err(failure) => Err(failure.clone()),
                };
                if let Some(cycle) = Self::pick(&mut self.lists, *pick) {
                    self.engine.handle_process_list(self.now, cycle, result);
                }
            }
            Step::Probe { pick, outcome } => {
                if let Some(ticket) = Self::pick(&mut self.probes, *pick) {
                    self.feed_probe(ticket, *outcome);
                }
            }
            Step::Reply { pick, result } => {
                if let Some(call) = Self::pick(&mut self.calls, *pick) {
                    self.reply(&call, result.clone());
                }
            }
            Step::Advance(by) => {
                self.now = self.now + *by;
                if self.engine.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.engine.handle_timeout(self.now);
                }
            }
            Step::Timeout => self.engine.handle_timeout(self.now),
            Step::Signal => {
                self.dirty = true;
                self.signalled = true;
                self.engine.handle_stop_signal(15);
            }
            Step::Reload(byte) => self.reload(*byte),
        }
        self.drain();
    }

    /// Drains the outputs (feeding the pipe), then checks the schedule.
    fn drain(&mut self) {
        pump(self);
        self.after = After::Input;
        self.assert_on_schedule();
    }

    /// A new configuration: taken exactly when it is valid, every watch
    /// kept when it is the same, no probe under way awaited any more;
    /// refused, nothing changed and nothing to carry out.
    fn reload(&mut self, byte: u8) {
        let config = reload_config(self.engine.config(), byte);
        let valid = config.validate().is_ok();
        let watches = config.watches.len();
        let before = alloc::format!("{:?}", self.engine);
        match self.engine.reconfigure(self.now, config) {
            Ok(reloaded) => {
                assert!(valid, "an invalid configuration taken");
                self.tally.reloads += 1;
                self.after = After::Reload;
                if self.exited {
                    // Nothing changes after the exit.
                    assert_eq!(reloaded, Reloaded::default(), "a reload after the exit");
                    return;
                }
                if byte.is_multiple_of(4) {
                    assert_eq!(
                        reloaded.kept, watches,
                        "the same configuration: {reloaded:?}"
                    );
                }
                let awaited = self.probes.iter().find(|t| self.engine.awaits(t));
                assert!(
                    awaited.is_none(),
                    "{awaited:?} still awaited after a reload"
                );
            }
            Err(error) => {
                assert!(!valid, "a valid configuration refused: {error}");
                self.tally.refused += 1;
                assert_eq!(
                    before,
                    alloc::format!("{:?}", self.engine),
                    "a refused configuration changed the engine"
                );
            }
        }
    }

    /// With a watch every `I` (the shortest), the engine running and not
    /// `--once`: a timer is due within `I`, and a process list was asked
    /// within the last `I` unless a timer is due already.
    fn assert_on_schedule(&self) {
        let config = self.engine.config();
        if self.exited || config.once {
            return;
        }
        let Some(every) = config.watches.iter().filter_map(|w| w.interval).min() else {
            return;
        };
        let next = self.engine.poll_timeout();
        assert!(
            next.is_some_and(|at| at <= self.now + every),
            "a watch every {every}, next timer {next:?} at {:?}",
            self.now
        );
        let due = next.is_some_and(|at| at <= self.now);
        let listed = self
            .last_list
            .is_some_and(|at| self.now.saturating_since(at) <= every);
        assert!(
            due || listed,
            "a watch every {every}, last process list asked at {:?}, now {:?}",
            self.last_list,
            self.now
        );
    }

    /// The longest interval of a watch, if the engine runs one.
    fn longest_interval(&self) -> Option<Duration> {
        let config = self.engine.config();
        if config.once {
            return None;
        }
        config.watches.iter().filter_map(|w| w.interval).max()
    }

    /// Feeds a probe's outcome; one the engine no longer awaits (a round
    /// abandoned by a reload, a process forgotten) counts for nothing.
    fn feed_probe(&mut self, ticket: ProbeTicket, outcome: ProbeOutcome) {
        if !self.engine.awaits(&ticket) {
            self.after = After::Stale;
        } else if matches!(
            outcome,
            ProbeOutcome::Verdict(Verdict::Fail(_)) | ProbeOutcome::CpuUsage(_)
        ) {
            // A cpu sample may fail the check from usage alone: its stop is allowed.
            self.failed.insert(ticket.target.to_string());
            self.failed_since_stop.insert(ticket.target.to_string());
        }
        self.engine.handle_probe(self.now, ticket, outcome);
    }

    /// Answers `call`. A stop that worked must be followed by a start (unless
    /// the engine forgot the process meanwhile, or was not restarting it any more).
    fn reply(&mut self, call: &Call, result: Result<(), CallFailure>) {
        if let Call::Stop { target } = call {
            let known = self.engine.target_key(target).is_some();
            if result.is_ok() && known && !self.forgotten.contains(&**target) && !self.exited {
                self.awaiting_start.insert(target.to_string());
            }
        }
        self.engine.handle_reply(self.now, call, result);
    }

    /// Answers everything (probes pass, lists list one running process,
    /// calls succeed) and lets every timer fire, until nothing is left or
    /// the engine has exited. With watches on intervals, whose timers never
    /// run out, it ends once the engine has been idle (nothing to answer,
    /// stdin all taken, no event being handled) for twice the longest one.
    pub fn settle(&mut self) {
        let rounds = SETTLE_ROUNDS.max(50 * self.event_ends.len());
        let mut horizon = None;
        for _ in 0..rounds {
            if self.exited {
                return;
            }
            if let Some(ticket) = self.probes.pop() {
                self.feed_probe(ticket, ProbeOutcome::Verdict(Verdict::Pass));
            } else if let Some(cycle) = self.lists.pop() {
                let listing = self.listing(&[Listed {
                    name: 0,
                    state: ProcessState::Running,
                    age_secs: 500,
                }]);
                self.engine
                    .handle_process_list(self.now, cycle, Ok(listing));
            } else if let Some(call) = self.calls.pop() {
                self.reply(&call, Ok(()));
            } else if let Some(at) = self.engine.poll_timeout() {
                let idle = self.pipe.is_empty() && !self.engine.is_busy();
                if let Some(every) = self.longest_interval().filter(|_| idle) {
                    if at > *horizon.get_or_insert(self.now + every + every) {
                        return;
                    }
                }
                self.now = self.now.max(at);
                self.engine.handle_timeout(self.now);
            } else if self.pipe.is_empty() {
                return;
            }
            self.drain();
        }
        assert!(self.exited, "the run does not settle");
    }

    /// After [`Driver::settle`]: never more `RESULT`s than events; and with
    /// stdin open, only whole events written and no signal, every event
    /// acknowledged exactly once, nothing left in the pipe, the engine idle.
    pub fn assert_settled(&self) {
        assert!(self.results <= self.most_results());
        if !self.dirty && !self.exited {
            assert!(
                self.pipe.is_empty(),
                "{} bytes never taken",
                self.pipe.len()
            );
            assert_eq!(
                self.results,
                self.event_ends.len(),
                "RESULTs against events written"
            );
            assert!(!self.engine.is_busy(), "still handling an event");
        }
    }
}
