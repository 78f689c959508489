//! Properties over arbitrary sequences of inputs: ticks of every period,
//! other events, malformed events and junk bytes, stdin closing, process
//! lists (random states and start times, or failures), probe outcomes for
//! outstanding tickets in random order, stop/start replies with random
//! faults, clock jumps and stop signals.
//!
//! - the engine never panics;
//! - it never asks to stop a process unless a failing verdict was fed for it;
//! - every event is acknowledged at most once: RESULTs never outnumber the
//!   events whose bytes the engine has taken, and once everything has been
//!   answered (stdin open, no junk, no signal) they equal the events sent;
//! - `READY` comes first, once, and nothing comes out after the exit;
//! - stdin closing never leaves a process stopped: when the engine ends
//!   (no signal), no stop is still awaited and every stop that worked was
//!   followed by a start.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::{HashSet, VecDeque};

use proptest::prelude::*;
use supercheck_core::check::retry::{Exponential, RetryPolicy};
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::event::{READY, TickPeriod};
use supercheck_core::health::{BudgetSpec, Policy};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::{
    ACK_AND_READY, Call, CallFailure, CheckRule, Engine, EngineConfig, Exit, Output, ProbeOutcome,
    ProbeTicket, Process, Selection,
};
use support::{T0, event_bytes, tick_bytes};

const NAMES: [&str; 3] = ["g:a", "g:b", "h:c"];

/// One input of a generated run.
#[derive(Debug, Clone)]
enum Step {
    Tick(TickPeriod),
    OtherEvent,
    /// A header that reads, a payload that does not.
    Malformed,
    /// Bytes that are no event at all (no `:` in them: never a header).
    Junk(Vec<u8>),
    CloseStdin,
    /// Answers an outstanding process list (picked by index) with these
    /// processes (name, state, seconds since start; 0 = never started), or fails it.
    List {
        pick: usize,
        answer: Option<Vec<(usize, ProcessState, u64)>>,
    },
    /// Answers an outstanding probe: 0 pass, 1 refused, 2 status 500, 3 error.
    Probe {
        pick: usize,
        outcome: u8,
    },
    /// Answers an outstanding stop or start: 0 ok, 1 NOT_RUNNING,
    /// 2 ALREADY_STARTED, 3 FAILED, 4 transport error.
    Reply {
        pick: usize,
        result: u8,
    },
    Advance(u64),
    Signal,
}

fn period() -> impl Strategy<Value = TickPeriod> {
    prop_oneof![
        4 => Just(TickPeriod::Secs5),
        2 => Just(TickPeriod::Secs60),
        1 => Just(TickPeriod::Secs3600),
    ]
}

fn state() -> impl Strategy<Value = ProcessState> {
    prop_oneof![
        6 => Just(ProcessState::Running),
        1 => proptest::sample::select(ProcessState::ALL.to_vec()),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let listing = proptest::collection::vec((0..NAMES.len(), state(), 0u64..100_000), 0..4);
    prop_oneof![
        6 => period().prop_map(Step::Tick),
        1 => Just(Step::OtherEvent),
        1 => Just(Step::Malformed),
        1 => proptest::collection::vec(
            proptest::sample::select(b"abc xyz019\n".to_vec()),
            1..12
        )
        .prop_map(Step::Junk),
        1 => Just(Step::CloseStdin),
        5 => (any::<usize>(), proptest::option::weighted(0.85, listing))
            .prop_map(|(pick, answer)| Step::List { pick, answer }),
        8 => (any::<usize>(), 0u8..4).prop_map(|(pick, outcome)| Step::Probe { pick, outcome }),
        4 => (any::<usize>(), 0u8..5).prop_map(|(pick, result)| Step::Reply { pick, result }),
        5 => prop_oneof![0u64..2_000, 0u64..70_000, Just(3_600_000)].prop_map(Step::Advance),
        1 => Just(Step::Signal),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::DROP_IN),
        Just(Policy {
            failure_threshold: 2,
            ..Policy::DROP_IN
        }),
        Just(Policy {
            start_grace: Duration::from_secs(20),
            ..Policy::DROP_IN
        }),
        Just(Policy {
            budget: Some(BudgetSpec {
                max_restarts: 1,
                period: Duration::from_secs(600),
            }),
            ..Policy::DROP_IN
        }),
        Just(Policy {
            backoff: Exponential {
                initial: Duration::from_secs(10),
                factor: 2,
                max: Duration::from_secs(60),
            },
            ..Policy::DROP_IN
        }),
        Just(Policy::monitor(2, 2).unwrap()),
    ]
}

fn engine_config() -> impl Strategy<Value = EngineConfig> {
    (policy(), 1usize..3, any::<bool>(), any::<bool>()).prop_map(
        |(policy, checks, retry, verbose)| {
            let retry = if retry {
                RetryPolicy::supervisor_checks(1)
            } else {
                RetryPolicy::once()
            };
            let checks = (0..checks)
                .map(|i| CheckRule::new(format!("check{i}")).with_retry(retry))
                .collect();
            let mut config = EngineConfig::new(Selection::AllExcept(None), checks);
            config.policy = policy;
            config.verbose = verbose;
            config
        },
    )
}

/// The driver of a generated run, checking the properties as outputs come.
struct Sim {
    engine: Engine,
    now: Instant,
    pipe: VecDeque<u8>,
    serial: u64,
    /// Bytes of the stream the engine has taken.
    taken: usize,
    /// Bytes written to the stream.
    written: usize,
    /// Where each complete event written ends in the stream.
    event_ends: Vec<usize>,
    lists: Vec<u64>,
    calls: Vec<Call>,
    probes: Vec<ProbeTicket>,
    /// Targets a failing verdict was fed for.
    failed: HashSet<String>,
    readies: usize,
    results: usize,
    exited: bool,
    signalled: bool,
    /// Stopped (stopProcess answered OK), not yet started again.
    awaiting_start: HashSet<String>,
    /// Forgotten (gone from the list) while a restart may have been under way.
    forgotten: HashSet<String>,
    /// Junk, a closed stdin or a signal: the exact count is not expected.
    dirty: bool,
}

impl Sim {
    fn new(config: EngineConfig) -> Self {
        let mut sim = Self {
            engine: Engine::new(config).unwrap(),
            now: T0,
            pipe: VecDeque::new(),
            serial: 0,
            taken: 0,
            written: 0,
            event_ends: Vec::new(),
            lists: Vec::new(),
            calls: Vec::new(),
            probes: Vec::new(),
            failed: HashSet::new(),
            readies: 0,
            results: 0,
            exited: false,
            signalled: false,
            awaiting_start: HashSet::new(),
            forgotten: HashSet::new(),
            dirty: false,
        };
        sim.engine.handle_start(sim.now);
        sim.drain();
        assert_eq!(sim.readies, 1, "READY first");
        sim
    }

    fn events_taken(&self) -> usize {
        self.event_ends
            .iter()
            .filter(|&&end| end <= self.taken)
            .count()
    }

    fn write(&mut self, bytes: &[u8], event: bool) {
        self.pipe.extend(bytes.iter().copied());
        self.written += bytes.len();
        if event {
            self.event_ends.push(self.written);
        }
    }

    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(output) = self.engine.poll_output() {
                progressed = true;
                self.check(output);
            }
            let room = self.engine.input_room();
            if room > 0 && !self.pipe.is_empty() {
                let chunk: Vec<u8> = self.pipe.iter().take(room).copied().collect();
                let taken = self.engine.handle_input(self.now, &chunk);
                assert!(taken <= room && taken <= chunk.len());
                self.pipe.drain(..taken);
                self.taken += taken;
                progressed |= taken > 0;
            }
            if !progressed {
                return;
            }
        }
    }

    fn check(&mut self, output: Output) {
        assert!(!self.exited, "output after the exit: {output:?}");
        match output {
            Output::Protocol(bytes) if bytes == READY => {
                assert_eq!(self.readies, 0, "READY once, first");
                self.readies += 1;
            }
            Output::Protocol(bytes) => {
                assert_eq!(bytes, ACK_AND_READY);
                self.results += 1;
                assert!(
                    self.results <= self.events_taken(),
                    "RESULT {} with {} events taken",
                    self.results,
                    self.events_taken()
                );
            }
            Output::Call(Call::ListProcesses { cycle, .. }) => self.lists.push(cycle),
            Output::Call(call) => {
                match &call {
                    Call::Stop { target } => assert!(
                        self.failed.contains(&**target),
                        "Stop of {target} without a failing verdict"
                    ),
                    Call::Start { target } => {
                        self.awaiting_start.remove(&**target);
                    }
                    Call::ListProcesses { .. } => {}
                }
                self.calls.push(call);
            }
            Output::Probe(ticket) => self.probes.push(ticket),
            Output::Exit(exit) => {
                self.exited = true;
                if exit == Exit::Clean && !self.signalled {
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
            }
            Output::Forget(key) => {
                self.awaiting_start.remove(&*key);
                self.forgotten.insert(key.to_string());
            }
            Output::Log(_) | Output::Print(_) | Output::Notify(_) | Output::Record(_) => {}
        }
    }

    fn listing(&self, answer: &[(usize, ProcessState, u64)]) -> Vec<Process> {
        let now = i64::try_from(self.now.secs()).unwrap();
        let mut seen = HashSet::new();
        answer
            .iter()
            .filter(|(name, ..)| seen.insert(*name))
            .map(|&(name, state, age)| {
                let (group, name) = NAMES[name].split_once(':').unwrap();
                Process {
                    group: group.into(),
                    name: name.into(),
                    state,
                    pid: 10,
                    start: if age == 0 {
                        0
                    } else {
                        now - i64::try_from(age).unwrap()
                    },
                    now,
                }
            })
            .collect()
    }

    fn apply(&mut self, step: &Step) {
        match step {
            Step::Tick(period) => {
                self.serial += 1;
                let bytes = tick_bytes(*period, self.serial, self.now.secs());
                self.write(&bytes, true);
            }
            Step::OtherEvent => {
                self.serial += 1;
                let bytes = event_bytes("SUPERVISOR_STATE_CHANGE_RUNNING", self.serial, "");
                self.write(&bytes, true);
            }
            Step::Malformed => {
                self.serial += 1;
                let bytes = event_bytes("TICK_5", self.serial, "nope");
                self.write(&bytes, true);
            }
            Step::Junk(bytes) => {
                self.dirty = true;
                self.write(bytes, false);
            }
            Step::CloseStdin => {
                self.dirty = true;
                // A driver sees the end of the pipe after its bytes.
                self.drain();
                self.engine.handle_input_closed(self.now);
            }
            Step::List { pick, answer } => {
                if !self.lists.is_empty() {
                    let cycle = self.lists.remove(pick % self.lists.len());
                    let result = match answer {
                        Some(answer) => Ok(self.listing(answer)),
                        None => Err(CallFailure::other("connection refused")),
                    };
                    self.engine.handle_process_list(self.now, cycle, result);
                }
            }
            Step::Probe { pick, outcome } => {
                if !self.probes.is_empty() {
                    let ticket = self.probes.remove(pick % self.probes.len());
                    self.feed_probe(ticket, *outcome);
                }
            }
            Step::Reply { pick, result } => {
                if !self.calls.is_empty() {
                    let call = self.calls.remove(pick % self.calls.len());
                    let result = match result {
                        0 => Ok(()),
                        1 => Err(CallFailure::fault(FaultCode::NotRunning, "NOT_RUNNING")),
                        2 => Err(CallFailure::fault(
                            FaultCode::AlreadyStarted,
                            "ALREADY_STARTED",
                        )),
                        3 => Err(CallFailure::fault(FaultCode::Failed, "FAILED")),
                        _ => Err(CallFailure::other("connection reset")),
                    };
                    self.replied(&call, result.is_ok());
                    self.engine.handle_reply(self.now, &call, result);
                }
            }
            Step::Advance(ms) => {
                self.now = self.now + Duration::from_millis(*ms);
                if self.engine.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.engine.handle_timeout(self.now);
                }
            }
            Step::Signal => {
                self.dirty = true;
                self.signalled = true;
                self.engine.handle_stop_signal(15);
            }
        }
        self.drain();
    }

    /// A stop that worked must be followed by a start (unless the engine
    /// forgot the process meanwhile, or was not restarting it any more).
    fn replied(&mut self, call: &Call, ok: bool) {
        if let Call::Stop { target } = call {
            let restarting = self.engine.target_key(target).is_some();
            if ok && restarting && !self.forgotten.contains(&**target) && !self.exited {
                self.awaiting_start.insert(target.to_string());
            }
        }
    }

    fn feed_probe(&mut self, ticket: ProbeTicket, outcome: u8) {
        let verdict = match outcome {
            0 => Verdict::Pass,
            1 => Verdict::Fail(FailReason::ConnectionRefused),
            2 => Verdict::Fail(FailReason::BadStatus { code: 500 }),
            _ => Verdict::Error(CheckError::ProcessVanished),
        };
        if matches!(verdict, Verdict::Fail(_)) {
            self.failed.insert(ticket.target.to_string());
        }
        self.engine
            .handle_probe(self.now, ticket, ProbeOutcome::Verdict(verdict));
    }

    /// Answers everything (probes pass, lists and calls succeed) and lets
    /// every timer fire, until nothing is left.
    fn settle(&mut self) {
        for _ in 0..5_000 {
            if self.exited {
                return;
            }
            if let Some(ticket) = self.probes.pop() {
                self.feed_probe(ticket, 0);
            } else if let Some(cycle) = self.lists.pop() {
                let listing = self.listing(&[(0, ProcessState::Running, 500)]);
                self.engine
                    .handle_process_list(self.now, cycle, Ok(listing));
            } else if let Some(call) = self.calls.pop() {
                self.replied(&call, true);
                self.engine.handle_reply(self.now, &call, Ok(()));
            } else if let Some(at) = self.engine.poll_timeout() {
                self.now = self.now.max(at);
                self.engine.handle_timeout(self.now);
            } else if self.pipe.is_empty() {
                return;
            }
            self.drain();
        }
        panic!("the run does not settle");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn engine_keeps_its_promises_under_arbitrary_inputs(
        config in engine_config(),
        steps in proptest::collection::vec(step(), 0..60),
    ) {
        let mut sim = Sim::new(config);
        for step in &steps {
            sim.apply(step);
        }
        sim.settle();
        prop_assert!(sim.results <= sim.events_taken());
        if !sim.dirty && !sim.exited {
            prop_assert!(sim.pipe.is_empty());
            prop_assert_eq!(sim.results, sim.event_ends.len());
            prop_assert!(!sim.engine.is_busy());
        }
    }
}
