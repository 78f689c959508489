//! [`Engine`]: the state, the inputs that are not about a tick's work (the
//! event stream, a stop request, time), the outputs and the queries.

use alloc::string::String;
use alloc::vec::Vec;

use hashbrown::HashMap;
use rustc_hash::FxBuildHasher;
use supercheck_core::event::TickPeriod;
use supercheck_core::health::State;
use supercheck_core::time::Instant;

use crate::config::{ConfigError, EngineConfig};
use crate::cycle::Cycle;
use crate::input::{EventInput, Incoming};
use crate::notice::Notices;
use crate::outbox::Outbox;
use crate::output::{Exit, Output, ProbeTicket, TargetKey};
use crate::process::Process;
use crate::round::Target;
use crate::timers::{TimerId, Timers};

/// How badly off a watch in `state` is, to show a process's worst watch.
fn severity(state: State) -> u8 {
    match state {
        State::Healthy => 0,
        State::Unknown => 1,
        State::Degraded => 2,
        State::Restarting => 3,
        State::Unhealthy => 4,
        State::Backoff => 5,
        State::GaveUp => 6,
    }
}

/// `RESULT 2\nOK` then `READY\n`: the acknowledgement and the request for the
/// next event, in one write. The answer is always OK: a FAIL would make
/// supervisord re-send the same event at once, thousands of times a second.
pub const ACK_AND_READY: &[u8] = b"RESULT 2\nOKREADY\n";

/// Something the engine must do at a given instant.
#[derive(Debug)]
pub(crate) enum Wake {
    /// Acknowledge the tick of this cycle even if probes are still running.
    AckDeadline { cycle: u64 },
    /// Try a probe again.
    Retry(ProbeTicket),
    /// A health machine asked to be woken (end of back-off or grace).
    Health { target: TargetKey },
    /// A watch with an interval is due.
    Due { watch: usize },
}

/// The listener's decisions, sans-IO. See the [crate docs](crate).
#[derive(Debug)]
pub struct Engine {
    pub(crate) config: EngineConfig,
    input: EventInput,
    input_closed: bool,
    /// The event stream was lost while a restart was under way: nothing more
    /// is read, and the engine exits [`Exit::ProtocolLost`] once it is finished.
    stream_lost: bool,
    /// The event being handled, not yet acknowledged.
    pub(crate) busy: bool,
    pub(crate) started: bool,
    exit: Option<Exit>,
    pub(crate) out: Outbox,
    pub(crate) timers: Timers<Instant, Wake>,
    pub(crate) targets: HashMap<TargetKey, Target, FxBuildHasher>,
    /// Cycles whose rounds are not all in, oldest first.
    pub(crate) cycles: Vec<Cycle>,
    /// When the last tick's cycle started (ticks coalesce against it).
    pub(crate) last_tick_cycle: Option<Instant>,
    /// Each interval watch's next timer and its instant, by watch.
    pub(crate) due: Vec<Option<(TimerId<Instant>, Instant)>>,
    /// Whether the last process list failed (an interval's failures are logged once).
    pub(crate) list_failing: bool,
    /// Whether each watch found no process at its last cycle (logged when it changes).
    pub(crate) found_none: Vec<bool>,
    pub(crate) cycle_seq: u64,
    pub(crate) round_seq: u64,
    /// How many processes supervisord listed last time (all groups).
    pub(crate) listed_last: usize,
    /// Named programs found missing at the last process list (logged when it changes).
    pub(crate) unmatched: Vec<String>,
    pub(crate) notices: Option<Notices>,
}

impl Engine {
    /// An engine for `config`, before its start.
    ///
    /// # Errors
    /// The configuration is not valid ([`ConfigError`]).
    pub fn new(config: EngineConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            input: EventInput::new(config.len_mode),
            input_closed: false,
            stream_lost: false,
            busy: false,
            started: false,
            exit: None,
            out: Outbox::new(config.verbose),
            timers: Timers::default(),
            targets: HashMap::default(),
            cycles: Vec::new(),
            last_tick_cycle: None,
            due: Vec::new(),
            list_failing: false,
            found_none: alloc::vec![false; config.watches.len()],
            cycle_seq: 0,
            round_seq: 0,
            listed_last: 0,
            unmatched: Vec::new(),
            notices: config.notify.clone().map(Notices::new),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Starts: `READY` for supervisord, or with `once` the one round of checks.
    /// Only the first call does anything.
    pub fn handle_start(&mut self, now: Instant) {
        if core::mem::replace(&mut self.started, true) {
            return;
        }
        if self.config.watches.iter().all(|w| w.checks.is_empty()) {
            line!(
                self.out,
                "no check configured: processes are listed, never checked"
            );
        }
        if self.config.once {
            self.busy = true;
            self.start_cycle(now, TickPeriod::Secs3600, 0);
        } else {
            self.out
                .push(Output::Protocol(supercheck_core::event::READY));
            self.schedule_intervals(|_| now);
        }
        self.advance(now);
    }

    /// How many more stdin bytes the engine takes now: a driver reads no
    /// more than that (the rest waits in the pipe until an event is consumed).
    pub fn input_room(&self) -> usize {
        if self.input_closed || self.stream_lost {
            0
        } else {
            self.input.room()
        }
    }

    /// Bytes read from stdin. Returns how many were taken (at most
    /// [`Engine::input_room`]); events are decoded one at a time, the next
    /// only once the previous one is acknowledged.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.exit.is_some() || self.input_closed || self.stream_lost {
            return 0;
        }
        let taken = self.input.push(bytes);
        self.advance(now);
        taken
    }

    /// stdin reached its end (or cannot be read): supervisord is gone.
    pub fn handle_input_closed(&mut self, now: Instant) {
        if self.exit.is_some() || self.input_closed {
            return;
        }
        self.input_closed = true;
        self.advance(now);
    }

    /// A stop signal (TERM, INT, HUP, QUIT) arrived.
    pub fn handle_stop_signal(&mut self, signal: i32) {
        if self.exit.is_none() {
            line!(self.out, "told to stop (signal {signal})");
            self.set_exit(Exit::Clean);
        }
    }

    /// Time passed: fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.exit.is_some() {
            return;
        }
        let mut due = Vec::new();
        while let Some(wake) = self.timers.pop_due(now) {
            match wake {
                Wake::AckDeadline { cycle } => self.on_ack_deadline(cycle),
                Wake::Retry(ticket) => self.start_attempt(ticket),
                Wake::Health { target } => self.on_health_timer(now, &target),
                Wake::Due { watch } => self.on_due(now, watch, &mut due),
            }
        }
        self.run_due(now, due);
        self.advance(now);
    }

    /// The next output, in the order decided. Drain until `None` after every input.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    /// When [`Engine::handle_timeout`] wants to be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.exit.is_some() {
            return None;
        }
        self.timers.next_deadline()
    }

    /// How the engine decided to end, once it has.
    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// Whether an event is being handled and not yet acknowledged.
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// What supervisord last said about the process `target`, if it is a target.
    pub fn process(&self, target: &str) -> Option<&Process> {
        self.targets.get(target).map(|t| &t.process)
    }

    /// The shared key of `target`, if it is a target.
    pub fn target_key(&self, target: &str) -> Option<TargetKey> {
        self.targets
            .get_key_value(target)
            .map(|(key, _)| TargetKey::clone(key))
    }

    /// How many processes supervisord listed last time (all groups).
    pub fn listed_last(&self) -> usize {
        self.listed_last
    }

    /// Each target's health state name and restart budget left at `now`:
    /// of the watch that is worst off, when several check it.
    pub fn health(
        &self,
        now: Instant,
    ) -> impl Iterator<Item = (&TargetKey, &'static str, Option<u32>)> {
        self.targets.iter().filter_map(move |(key, target)| {
            let worst = target
                .watches
                .iter()
                .max_by_key(|w| severity(w.machine.state()))?;
            let budget = target
                .watches
                .iter()
                .filter_map(|w| w.machine.budget_left(now))
                .min();
            Some((key, worst.machine.state().name(), budget))
        })
    }

    /// Each watch's health state name and restart budget left at `now` on
    /// each process it checks, by watch index.
    pub fn watch_health(
        &self,
        now: Instant,
    ) -> impl Iterator<Item = (&TargetKey, usize, &'static str, Option<u32>)> {
        self.targets.iter().flat_map(move |(key, target)| {
            target.watches.iter().map(move |w| {
                (
                    key,
                    w.watch,
                    w.machine.state().name(),
                    w.machine.budget_left(now),
                )
            })
        })
    }

    pub(crate) fn set_exit(&mut self, exit: Exit) {
        if self.exit.is_none() {
            self.exit = Some(exit);
            self.out.push(Output::Exit(exit));
        }
    }

    pub(crate) fn exiting(&self) -> bool {
        self.exit.is_some()
    }

    /// Acknowledges the event being handled (never with `once`, where stdout
    /// is not the protocol).
    pub(crate) fn acknowledge(&mut self) {
        if self.busy && !self.config.once {
            self.busy = false;
            self.out.push(Output::Protocol(ACK_AND_READY));
        }
    }

    /// After every input: end the cycles that are done, then admit events.
    pub(crate) fn advance(&mut self, now: Instant) {
        self.finish_cycles(now);
        self.admit_events(now);
    }

    /// Whether a restart was decided and is not finished (stopped, not yet started).
    fn restart_in_flight(&self) -> bool {
        self.targets.values().any(|t| t.restarting)
    }

    /// Decodes the next events while idle; acknowledges non-tick events at once.
    fn admit_events(&mut self, now: Instant) {
        if self.config.once || self.exiting() {
            return;
        }
        if self.stream_lost {
            if !self.restart_in_flight() {
                self.set_exit(Exit::ProtocolLost);
            }
            return;
        }
        if self.input_closed && self.busy && !self.restart_in_flight() {
            // Nobody is left to read the acknowledgement: end now rather than
            // when the round or its acknowledgement deadline ends. A restart
            // already asked for is finished first, so no process is left stopped.
            line!(
                self.out,
                "stdin closed while an event was being handled: supervisord is gone; the round is abandoned"
            );
            self.set_exit(Exit::Clean);
        }
        while !self.busy && !self.exiting() {
            let Some(incoming) = self.input.next_event() else {
                // A restart asked for is finished first here too (the tick
                // that decided it may be acknowledged already).
                if self.input_closed && !self.restart_in_flight() {
                    if self.input.pending() > 0 {
                        line!(
                            self.out,
                            "stdin closed in the middle of an event ({} bytes received): it is ignored",
                            self.input.pending()
                        );
                    } else {
                        line!(self.out, "stdin closed: supervisord is gone");
                    }
                    self.set_exit(Exit::Clean);
                }
                return;
            };
            match incoming {
                Incoming::Tick { period, when } => {
                    detail!(self.out, "received {} (when {when})", period.event_name());
                    self.busy = true;
                    self.start_cycle(now, period, when);
                    // It may have ended already (supervisord unreachable, no
                    // process checkable): acknowledge now, not at the deadline.
                    self.finish_cycles(now);
                }
                Incoming::Exited { .. } => {
                    detail!(self.out, "received PROCESS_STATE_EXITED: nothing to do");
                    self.out.push(Output::Protocol(ACK_AND_READY));
                }
                Incoming::Other(name) => {
                    detail!(self.out, "received {name}: nothing to do");
                    self.out.push(Output::Protocol(ACK_AND_READY));
                }
                Incoming::Skipped(error) => {
                    line!(self.out, "malformed event skipped: {error}");
                    self.out.push(Output::Protocol(ACK_AND_READY));
                }
                Incoming::Lost(error) => {
                    line!(
                        self.out,
                        "protocol error: {error}; exiting so that supervisord restarts the listener in step"
                    );
                    if self.restart_in_flight() {
                        // Exiting now would leave a process stopped: supervisord
                        // finishes a stopProcess asked, nobody asks its start.
                        line!(
                            self.out,
                            "finishing the restart under way first; nothing more is read"
                        );
                        self.stream_lost = true;
                        return;
                    }
                    self.set_exit(Exit::ProtocolLost);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_and_ready_is_result_ok_then_ready() {
        let mut both = Vec::new();
        both.extend_from_slice(supercheck_core::event::RESULT_OK);
        both.extend_from_slice(supercheck_core::event::READY);
        assert_eq!(both, ACK_AND_READY);
    }
}
