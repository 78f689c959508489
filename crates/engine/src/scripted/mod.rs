//! Scripted input sequences, for the property test and the fuzz target
//! (feature `scripted-inputs`, not for drivers): a [`Step`] is one input a
//! driver could feed the engine; [`decode`] turns arbitrary bytes into a
//! configuration and steps (the fuzz target's format); a [`Driver`] applies
//! steps to an [`Engine`], drains its outputs after each, and asserts what the
//! engine promises whatever the order:
//!
//! - no panic; nothing comes out after [`Output::Exit`];
//! - `READY` once, first (none with `--once`), and no protocol bytes at all
//!   with `--once`;
//! - no `stopProcess` for a process unless a failing verdict (or a cpu
//!   sample, which may fail) was fed for it in a round the engine awaited
//!   ([`Engine::awaits`]), and none with `--once`;
//! - one restart per process at a time (the arbiter, however many watches
//!   fail it): no `stopProcess` for a process while a `stopProcess` or a
//!   `startProcess` for it is unanswered (processes forgotten meanwhile
//!   aside);
//! - an outcome for a probe the engine no longer awaits (its round
//!   abandoned by a reload, replaced, or its process forgotten) is taken
//!   without a panic and counts for nothing: no verdict recorded, no
//!   `stopProcess`, in the outputs it drains;
//! - a new configuration ([`Step::Reload`]) is taken exactly when it is
//!   valid. Taken, it keeps every watch when it is the same, leaves no probe
//!   under way awaited, and restarts nothing by itself: a `stopProcess` among
//!   the outputs drained right after it is only for a process failed since
//!   its last `stopProcess` (a restart decided before the reload, waiting
//!   for that process's other checks of the cycle, is asked for then). After
//!   the exit it changes nothing. Refused, the engine is left exactly as it
//!   was, with nothing to carry out;
//! - with a watch every `I` (the shortest; not `--once`, not exited): after
//!   every step a timer is due within `I`, and a process list was asked
//!   within the last `I` unless a timer is due already, so lists come on
//!   time without any TICK;
//! - never more `RESULT`s than events: than the whole events the engine has
//!   taken while only whole events were written, else than the events plus
//!   the raw bytes written;
//! - an exit not asked by a signal (stdin closed, the event stream lost,
//!   `--once` done) leaves no process stopped: no `stopProcess` still
//!   awaited, every one that worked followed by a `startProcess` (processes
//!   forgotten meanwhile aside);
//! - once everything is answered ([`Driver::settle`]) with stdin open and
//!   only whole events written, every event was acknowledged exactly once
//!   ([`Driver::assert_settled`]).
//!
//! The configurations are a drop-in's ([`config_from_byte`]: one watch of
//! every process but `checks`) or an agent's ([`agent_config`]: two or three
//! watches over [`NAMES`], some on intervals, some on ticks, each with its
//! own policy and checks); [`reload_config`] makes the new ones.
//!
//! [`pump`] is the drain-and-feed loop every driver of this kind runs; the
//! virtual-time tests' harness uses it too.

mod decode;
mod driver;

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use supercheck_core::event::TickPeriod;
use supercheck_core::health::{BudgetSpec, Policy};
use supercheck_core::process::ProcessState;
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};

use crate::engine::Engine;
use crate::output::{CallFailure, Output, ProbeOutcome};

pub use decode::{AGENT, MAX_STEPS, agent_config, config_from_byte, decode, reload_config};
pub use driver::{Driver, Tally};

/// Where a [`Driver`]'s clock starts: late enough for start times in the past
/// to be positive epoch seconds.
pub const START: Instant = Instant::from_secs(1_000_000);

/// The processes a scripted supervisord may list, as (group, name), picked by
/// index. The last one is the `checks` program a drop-in listener excludes
/// from its own checks ([`config_from_byte`] does).
pub const NAMES: [(&str, &str); 4] = [("g", "a"), ("g", "b"), ("h", "c"), ("checks", "checks")];

/// One input a driver could feed the engine.
#[derive(Debug, Clone)]
pub enum Step {
    /// A `TICK_*` event written on stdin.
    Tick(TickPeriod),
    /// An event the engine has nothing to do for (`SUPERVISOR_STATE_CHANGE_RUNNING`).
    OtherEvent,
    /// A header that reads, a payload that does not (`TICK_5` saying `nope`).
    Malformed,
    /// Bytes that are no event at all: no `:` in them, never a header.
    Junk(Vec<u8>),
    /// Arbitrary bytes, which may hold whole events of their own.
    Raw(Vec<u8>),
    /// stdin reaches its end (after the bytes already written).
    CloseStdin,
    /// Answers an outstanding process list (picked by index, modulo how many
    /// there are) with these processes, or fails it.
    List {
        /// Which outstanding list.
        pick: usize,
        /// What supervisord answers.
        answer: Result<Vec<Listed>, CallFailure>,
    },
    /// Answers an outstanding probe (picked as a list is).
    Probe {
        /// Which outstanding probe.
        pick: usize,
        /// What it found.
        outcome: ProbeOutcome,
    },
    /// Answers an outstanding `stopProcess` or `startProcess` (picked as a list is).
    Reply {
        /// Which outstanding call.
        pick: usize,
        /// What supervisord answers.
        result: Result<(), CallFailure>,
    },
    /// Time passes; the timers due by then fire.
    Advance(Duration),
    /// [`Engine::handle_timeout`] now, whether a timer is due or not.
    Timeout,
    /// A stop signal (TERM).
    Signal,
    /// [`Engine::reconfigure`] with the configuration [`reload_config`]
    /// makes of this byte and the one running.
    Reload(u8),
}

/// One process of a scripted process list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// Index in [`NAMES`] (modulo its length).
    pub name: usize,
    /// Its state.
    pub state: ProcessState,
    /// Seconds since it started; 0: never started.
    pub age_secs: u64,
}

/// A policy for scripted runs, by index (modulo 7): the drop-in one, then
/// variations of each of its knobs (threshold, grace, budget, back-off), the
/// monitor policy, and a budget that is given back.
pub fn policy(index: u8) -> Policy {
    match index % 7 {
        0 => Policy::DROP_IN,
        1 => Policy {
            failure_threshold: 2,
            ..Policy::DROP_IN
        },
        2 => Policy {
            start_grace: Duration::from_secs(20),
            ..Policy::DROP_IN
        },
        3 => Policy {
            budget: Some(BudgetSpec {
                max_restarts: 1,
                period: Duration::from_secs(600),
            }),
            ..Policy::DROP_IN
        },
        4 => Policy {
            backoff: supercheck_core::check::retry::Exponential {
                initial: Duration::from_secs(10),
                factor: 2,
                max: Duration::from_secs(60),
            },
            ..Policy::DROP_IN
        },
        5 => monitor(),
        _ => Policy {
            give_up_reset: Some(Duration::from_secs(30)),
            budget: Some(BudgetSpec {
                max_restarts: 2,
                period: Duration::from_secs(60),
            }),
            ..Policy::DROP_IN
        },
    }
}

#[allow(clippy::expect_used, reason = "2 and 2 are within the monitor range")]
fn monitor() -> Policy {
    Policy::monitor(2, 2).expect("a valid monitor policy")
}

/// supervisord answering with fault `code`, named as on the wire (`NOT_RUNNING`).
pub fn fault(code: FaultCode) -> CallFailure {
    CallFailure::fault(code, code.name().unwrap_or("fault"))
}

/// The bytes of a `TICK_*` event as supervisord writes them.
pub fn tick_bytes(period: TickPeriod, serial: u64, when: u64) -> Vec<u8> {
    event_bytes(period.event_name(), serial, &alloc::format!("when:{when}"))
}

/// The bytes of an event named `name` with `payload`, as supervisord writes them.
pub fn event_bytes(name: &str, serial: u64, payload: &str) -> Vec<u8> {
    alloc::format!(
        "ver:3.0 server:supervisor serial:{serial} pool:c poolserial:{serial} eventname:{name} len:{}\n{payload}",
        payload.chars().count()
    )
    .into_bytes()
}

/// What drives an engine from a pipe: the engine, the stdin bytes it has not
/// taken yet, the driver's clock, and what becomes of each output.
pub trait Drive {
    /// The engine, and the bytes waiting for it in the pipe.
    fn engine_and_pipe(&mut self) -> (&mut Engine, &mut VecDeque<u8>);
    /// The driver's clock.
    fn now(&self) -> Instant;
    /// Carries out (or checks) one output, in the order drained.
    fn carry_out(&mut self, output: Output);
    /// The engine took `bytes` more bytes from the pipe.
    fn took(&mut self, bytes: usize) {
        let _ = bytes;
    }
}

/// Carries out every output and feeds the pipe as the engine has room, until
/// neither gives anything more. Asserts that the engine never takes more than
/// the room it gave.
pub fn pump(driver: &mut impl Drive) {
    loop {
        let mut progressed = false;
        while let Some(output) = driver.engine_and_pipe().0.poll_output() {
            progressed = true;
            driver.carry_out(output);
        }
        let now = driver.now();
        let (engine, pipe) = driver.engine_and_pipe();
        let room = engine.input_room();
        if room > 0 && !pipe.is_empty() {
            let chunk: Vec<u8> = pipe.iter().take(room).copied().collect();
            let taken = engine.handle_input(now, &chunk);
            assert!(taken <= room, "took {taken} bytes with room for {room}");
            assert!(taken <= chunk.len());
            pipe.drain(..taken);
            driver.took(taken);
            progressed |= taken > 0;
        }
        if !progressed {
            return;
        }
    }
}
