//! The virtual clock and the driver: a [`Harness`] owns the engine, feeds it
//! stdin bytes as it has room, carries out every [`Output`] as a driver would
//! (a call or a probe becomes a reply due after its scripted delay) and jumps
//! the clock from one due input to the next.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;

use supercheck_core::event::TickPeriod;
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::scripted;
use supercheck_engine::{
    Call, CallFailure, Engine, EngineConfig, Exit, Output, ProbeOutcome, ProbeTicket, Process,
};

use super::clock::{T0, at_secs};
use super::probes::{Answer, ProbeRequest, ProbeScript};
use super::supervisor::Supervisor;

/// More iterations than this in one drive is taken for a livelock.
pub const MAX_ITERATIONS: usize = 20_000;

/// A reply the harness owes the engine.
#[derive(Debug)]
pub(super) enum Due {
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
pub(super) struct Pending {
    due: Instant,
    seq: u64,
    pub(super) what: Due,
}

/// The virtual-time harness. See the [module docs](super).
pub struct Harness {
    /// The engine under test.
    pub engine: Engine,
    /// The virtual clock.
    pub now: Instant,
    /// The scripted supervisord.
    pub supervisor: Supervisor,
    probes: ProbeScript,
    probes_asked: HashMap<String, usize>,
    pub(super) pending: Vec<Pending>,
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

impl scripted::Drive for Harness {
    fn engine_and_pipe(&mut self) -> (&mut Engine, &mut VecDeque<u8>) {
        (&mut self.engine, &mut self.pipe)
    }

    fn now(&self) -> Instant {
        self.now
    }

    fn carry_out(&mut self, output: Output) {
        self.act_on(output);
    }
}

impl Harness {
    /// A harness for `config` at [`T0`], with `processes` listed and every probe passing.
    #[allow(
        clippy::expect_used,
        reason = "a test's configuration is valid, or the test itself is wrong"
    )]
    pub fn new(config: EngineConfig, processes: Vec<Process>) -> Self {
        let engine = Engine::new(config).expect("a valid policy");
        Self {
            engine,
            now: T0,
            supervisor: Supervisor::new(processes),
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

    /// A started harness whose every probe finds `answer`.
    pub fn answering(config: EngineConfig, processes: Vec<Process>, answer: Answer) -> Self {
        let mut h = Self::new(config, processes);
        h.set_probes(move |_| answer);
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
        let bytes = scripted::tick_bytes(period, self.serial, when);
        self.write_stdin(&bytes);
    }

    /// A tick ([`Harness::tick`]), then driven to idle ([`Harness::drive`]).
    pub fn tick_and_drive(&mut self, period: TickPeriod) {
        self.tick(period);
        self.drive();
    }

    /// Ticks of `period` at `T0 + k × period` for each `k` in `ks`, each
    /// written once the clock has been driven there; then driven to idle.
    pub fn ticks_at(&mut self, period: TickPeriod, ks: Range<u64>) {
        for k in ks {
            self.run_until(at_secs(period.seconds() * k));
            self.tick(period);
        }
        self.drive();
    }

    /// The first `n` ticks of `period` from [`T0`] ([`Harness::ticks_at`] `0..n`).
    pub fn ticks(&mut self, period: TickPeriod, n: u64) {
        self.ticks_at(period, 0..n);
    }

    /// Writes raw bytes into stdin (taken as the engine has room).
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        self.pipe.extend(bytes.iter().copied());
        self.pump();
    }

    /// Writes an event named `name` with `payload` into stdin.
    pub fn event(&mut self, name: &str, payload: &str) {
        self.serial += 1;
        let bytes = scripted::event_bytes(name, self.serial, payload);
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
    /// until neither gives anything more ([`scripted::pump`]).
    pub fn pump(&mut self) {
        scripted::pump(self);
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

    #[allow(clippy::panic, reason = "a livelock fails the test")]
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
            let reply = self
                .next_pending()
                .and_then(|i| self.pending.get(i))
                .map(|p| p.due);
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

    /// Records `output` and carries it out: a call or a probe becomes a
    /// reply due after its scripted delay.
    fn act_on(&mut self, output: Output) {
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
}
