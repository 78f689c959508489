//! Per-process rounds: the attempts of each check of a watch, their retries,
//! a cpu check's usage judged over time, and how the checks' verdicts
//! combine into the watch's verdict on the process for the cycle.

use alloc::vec::Vec;

use supercheck_core::check::cpu::{CpuLimit, CpuPercent, CpuWindow};
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict, VerdictKind};
use supercheck_core::health::HealthMachine;
use supercheck_core::time::Instant;

use crate::engine::{Engine, Wake};
use crate::output::{Output, ProbeOutcome, ProbeTicket, RecordUpdate, TargetKey};
use crate::process::Process;

/// One watch's checks of one process, for one cycle.
#[derive(Debug)]
pub(crate) struct Round {
    pub id: u64,
    pub cycle: u64,
    /// Checks without a verdict yet.
    pub pending: usize,
    /// The first check that could not run, and its verdict.
    pub first_error: Option<(usize, Verdict)>,
}

/// What one watch remembers about one process.
#[derive(Debug)]
pub(crate) struct WatchState {
    /// The watch, by index in [`crate::EngineConfig::watches`].
    pub watch: usize,
    pub machine: HealthMachine,
    pub round: Option<Round>,
    /// Each cpu check's window, by check index.
    pub cpu: Vec<(usize, CpuWindow)>,
}

/// What the engine remembers about one process: what supervisord says of
/// it, its arbiter (one restart at a time, whichever watch asks) and each
/// watch's state.
#[derive(Debug)]
pub(crate) struct Target {
    pub process: Process,
    /// A restart was asked for and has not finished.
    pub restarting: bool,
    /// The watches whose machines asked for the restart under way: each is
    /// told when it is done.
    pub restart_asked: Vec<usize>,
    /// Restart decisions of a cycle, waiting for the process's other rounds
    /// of that cycle so that one restart carries every reason.
    pub pending_restart: Vec<(usize, FailReason)>,
    pub seen_in_cycle: u64,
    /// When the process started, on the engine's clock: worked out once per
    /// start time supervisord reports (at the process list that showed it),
    /// so that it stays the same from one verdict to the next.
    pub started_at: Option<Instant>,
    pub watches: Vec<WatchState>,
}

impl Target {
    pub(crate) fn new(process: Process, started_at: Option<Instant>) -> Self {
        Self {
            process,
            restarting: false,
            restart_asked: Vec::new(),
            pending_restart: Vec::new(),
            seen_in_cycle: 0,
            started_at,
            watches: Vec::new(),
        }
    }

    /// The state of `watch`, made with `machine` on its first use.
    pub(crate) fn watch_or_insert(
        &mut self,
        watch: usize,
        machine: impl FnOnce() -> Option<HealthMachine>,
    ) -> Option<&mut WatchState> {
        if let Some(i) = self.watches.iter().position(|w| w.watch == watch) {
            return self.watches.get_mut(i);
        }
        self.watches.push(WatchState {
            watch,
            machine: machine()?,
            round: None,
            cpu: Vec::new(),
        });
        self.watches.last_mut()
    }

    /// The watch whose round is `round`.
    pub(crate) fn in_round_mut(&mut self, round: u64) -> Option<&mut WatchState> {
        self.watches
            .iter_mut()
            .find(|w| w.round.as_ref().is_some_and(|r| r.id == round))
    }

    /// Whether a round of cycle `cycle` is still under way.
    pub(crate) fn has_round_in(&self, cycle: u64) -> bool {
        self.watches
            .iter()
            .any(|w| w.round.as_ref().is_some_and(|r| r.cycle == cycle))
    }
}

impl WatchState {
    /// Judges cpu `percent` with the window of `check`, made on its first sample.
    fn observe_cpu(
        &mut self,
        check: usize,
        now: Instant,
        percent: CpuPercent,
        limit: CpuLimit,
    ) -> Verdict {
        if let Some((_, window)) = self.cpu.iter_mut().find(|(c, _)| *c == check) {
            return window.observe(now, percent, limit);
        }
        let mut window = CpuWindow::new();
        let verdict = window.observe(now, percent, limit);
        self.cpu.push((check, window));
        verdict
    }
}

impl Engine {
    /// Starts the round of `watch` on `key` for `cycle`: the first attempt of
    /// each of its checks.
    pub(crate) fn start_round(&mut self, key: &TargetKey, watch: usize, cycle: u64) {
        self.round_seq += 1;
        let round = self.round_seq;
        let Some(checks) = self.config.watches.get(watch).map(|w| w.checks.clone()) else {
            return;
        };
        let Some(state) = self
            .targets
            .get_mut(&**key)
            .and_then(|t| t.watches.iter_mut().find(|w| w.watch == watch))
        else {
            return;
        };
        state.round = Some(Round {
            id: round,
            cycle,
            pending: checks.len(),
            first_error: None,
        });
        for check in checks {
            self.start_attempt(ProbeTicket {
                target: TargetKey::clone(key),
                check,
                round,
                attempt: 1,
            });
        }
    }

    /// Asks the driver for one attempt, if its round is still under way.
    pub(crate) fn start_attempt(&mut self, ticket: ProbeTicket) {
        let current = self
            .targets
            .get_mut(&*ticket.target)
            .is_some_and(|t| t.in_round_mut(ticket.round).is_some());
        if !current || ticket.check >= self.config.checks.len() {
            return;
        }
        self.out.push(Output::Record(RecordUpdate::ProbeStarted {
            target: TargetKey::clone(&ticket.target),
            check: ticket.check,
        }));
        self.out.push(Output::Probe(ticket));
    }

    /// Whether the round of `ticket` still waits for its outcome. After a
    /// reload an older ticket's check index may name another check: a
    /// driver keeps nothing of such an attempt (no connection kept alive
    /// for that index, no new attempt).
    pub fn awaits(&self, ticket: &ProbeTicket) -> bool {
        self.targets.get(&*ticket.target).is_some_and(|t| {
            t.watches
                .iter()
                .any(|w| w.round.as_ref().is_some_and(|r| r.id == ticket.round))
        })
    }

    /// The attempt `ticket` ended with `outcome`.
    pub fn handle_probe(&mut self, now: Instant, ticket: ProbeTicket, outcome: ProbeOutcome) {
        if self.exiting() {
            return;
        }
        let limit = self.config.checks.get(ticket.check).and_then(|c| c.cpu);
        let Some(state) = self
            .targets
            .get_mut(&*ticket.target)
            .and_then(|t| t.in_round_mut(ticket.round))
        else {
            // A round abandoned (reload, process gone) or replaced: nothing counts.
            return self.advance(now);
        };
        let verdict = match outcome {
            ProbeOutcome::Verdict(verdict) => verdict,
            ProbeOutcome::CpuUsage(percent) => match limit {
                Some(limit) => state.observe_cpu(ticket.check, now, percent, limit),
                None => Verdict::Error(CheckError::Config("the CPU limit is not a percentage")),
            },
        };
        self.probe_ended(now, ticket, verdict);
        self.advance(now);
    }

    /// An attempt ended with `verdict`: retry it if the plan says so, else
    /// it is the check's verdict.
    fn probe_ended(&mut self, now: Instant, ticket: ProbeTicket, verdict: Verdict) {
        if let Verdict::Fail(reason) = verdict {
            let retry = self.config.checks.get(ticket.check).map(|c| c.retry);
            if let Some(delay) = retry.and_then(|r| r.retry_after(ticket.attempt, reason)) {
                detail!(
                    self.out,
                    "{}: attempt {} failed ({reason}); retrying in {delay}",
                    ticket.target,
                    ticket.attempt
                );
                let next = ProbeTicket {
                    attempt: ticket.attempt.saturating_add(1),
                    ..ticket
                };
                self.timers.at(now + delay, Wake::Retry(next));
                return;
            }
        }
        self.finish_check(now, &ticket.target, ticket.check, ticket.round, verdict);
    }

    /// A check of a round produced its final verdict.
    fn finish_check(
        &mut self,
        now: Instant,
        key: &TargetKey,
        check: usize,
        round: u64,
        verdict: Verdict,
    ) {
        let kind = self
            .config
            .checks
            .get(check)
            .map_or("?", |c| c.name.as_str());
        let Some(state) = self
            .targets
            .get_mut(&**key)
            .and_then(|t| t.in_round_mut(round))
        else {
            return;
        };
        let watch = state.watch;
        let Some(current) = state.round.as_mut() else {
            return;
        };
        current.pending = current.pending.saturating_sub(1);
        self.out.push(Output::Record(RecordUpdate::Verdict {
            target: TargetKey::clone(key),
            check,
            verdict,
        }));
        match verdict {
            Verdict::Pass => detail!(self.out, "{key}: {kind} check passed"),
            Verdict::Fail(reason) => line!(self.out, "{key}: {kind} check failed: {reason}"),
            Verdict::Error(error) => line!(
                self.out,
                "{key}: {kind} check could not run: {error}; not restarting"
            ),
        }
        let finished = match verdict {
            // The first failure decides: the other checks' verdicts cannot change it.
            Verdict::Fail(_) => Some(verdict),
            Verdict::Error(_) if current.first_error.is_none() => {
                current.first_error = Some((check, verdict));
                (current.pending == 0).then_some(verdict)
            }
            _ if current.pending == 0 => {
                Some(current.first_error.map_or(Verdict::Pass, |(_, v)| v))
            }
            _ => None,
        };
        let Some(verdict) = finished else {
            return;
        };
        let cycle = current.cycle;
        state.round = None;
        if self.config.once {
            self.out
                .push(Output::Print(alloc::format!("{key}: {verdict}")));
        }
        self.decide(now, key, watch, verdict);
        // The arbiter: one restart once the process's rounds of this cycle are all in.
        if !self
            .targets
            .get(&**key)
            .is_some_and(|t| t.has_round_in(cycle))
        {
            self.settle_restart(now, key);
        }
        let slot = match verdict.kind() {
            VerdictKind::Pass => 0,
            VerdictKind::Fail => 1,
            VerdictKind::Error => 2,
        };
        self.count_verdict(cycle, slot);
    }
}
