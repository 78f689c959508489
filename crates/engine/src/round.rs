//! Per-process rounds: the attempts of each check, their retries, a cpu
//! check's usage judged over time, and how the checks' verdicts combine into
//! the process's verdict for the tick.

use alloc::vec::Vec;

use supercheck_core::check::cpu::{CpuLimit, CpuPercent, CpuWindow};
use supercheck_core::check::verdict::{CheckError, Verdict, VerdictKind};
use supercheck_core::health::HealthMachine;
use supercheck_core::time::Instant;

use crate::engine::{Engine, Wake};
use crate::output::{Output, ProbeOutcome, ProbeTicket, RecordUpdate, TargetKey};
use crate::process::Process;

/// One process's checks for one tick.
#[derive(Debug)]
pub(crate) struct Round {
    pub id: u64,
    pub cycle: u64,
    /// Checks without a verdict yet.
    pub pending: usize,
    /// The first check that could not run, and its verdict.
    pub first_error: Option<(usize, Verdict)>,
}

/// What the engine remembers about one process.
#[derive(Debug)]
pub(crate) struct Target {
    pub machine: HealthMachine,
    pub process: Process,
    pub round: Option<Round>,
    /// Each cpu check's window, by check index.
    pub cpu: Vec<(usize, CpuWindow)>,
    /// A restart was decided and has not finished.
    pub restarting: bool,
    pub seen_in_cycle: u64,
    /// When the process started, on the engine's clock: worked out once per
    /// start time supervisord reports (at the process list that showed it),
    /// so that it stays the same from one verdict to the next.
    pub started_at: Option<Instant>,
}

impl Target {
    pub(crate) fn new(
        machine: HealthMachine,
        process: Process,
        started_at: Option<Instant>,
    ) -> Self {
        Self {
            machine,
            process,
            round: None,
            cpu: Vec::new(),
            restarting: false,
            seen_in_cycle: 0,
            started_at,
        }
    }

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

    fn in_round(&self, round: u64) -> bool {
        self.round.as_ref().is_some_and(|r| r.id == round)
    }
}

impl Engine {
    /// Starts the round `cycle` gives `key`: the first attempt of every check.
    pub(crate) fn start_round(&mut self, key: &TargetKey, cycle: u64) {
        self.round_seq += 1;
        let round = self.round_seq;
        let checks = self.config.checks.len();
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        target.round = Some(Round {
            id: round,
            cycle,
            pending: checks,
            first_error: None,
        });
        for check in 0..checks {
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
            .get(&*ticket.target)
            .is_some_and(|t| t.in_round(ticket.round));
        if !current || ticket.check >= self.config.checks.len() {
            return;
        }
        self.out.push(Output::Record(RecordUpdate::ProbeStarted {
            target: TargetKey::clone(&ticket.target),
            check: ticket.check,
        }));
        self.out.push(Output::Probe(ticket));
    }

    /// The attempt `ticket` ended with `outcome`.
    pub fn handle_probe(&mut self, now: Instant, ticket: ProbeTicket, outcome: ProbeOutcome) {
        if self.exiting() {
            return;
        }
        let Some(target) = self.targets.get_mut(&*ticket.target) else {
            return;
        };
        let verdict = match outcome {
            ProbeOutcome::Verdict(verdict) => verdict,
            ProbeOutcome::CpuUsage(percent) => {
                match self.config.checks.get(ticket.check).and_then(|c| c.cpu) {
                    Some(limit) => target.observe_cpu(ticket.check, now, percent, limit),
                    None => Verdict::Error(CheckError::Config("the CPU limit is not a percentage")),
                }
            }
        };
        if target.in_round(ticket.round) {
            self.probe_ended(now, ticket, verdict);
        }
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
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        let Some(current) = target.round.as_mut().filter(|r| r.id == round) else {
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
        target.round = None;
        if self.config.once {
            self.out
                .push(Output::Print(alloc::format!("{key}: {verdict}")));
        }
        self.decide(now, key, verdict);
        let slot = match verdict.kind() {
            VerdictKind::Pass => 0,
            VerdictKind::Fail => 1,
            VerdictKind::Error => 2,
        };
        self.count_verdict(cycle, slot);
    }
}
