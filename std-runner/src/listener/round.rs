//! Tick cycles and per-process rounds: which processes a tick checks, how
//! their checks' verdicts combine, what the health machine decides, and the
//! restarts that follow.

use std::collections::HashMap;
use std::io;
use std::time::{Duration, Instant};

use rustc_hash::FxHashSet;
use supercheck_core::check::cpu::CpuWindow;
use supercheck_core::check::port::PortError;
use supercheck_core::check::verdict::{Verdict, VerdictKind};
use supercheck_core::event::TickPeriod;
use supercheck_core::health::{Decision, HealthMachine, Suppression};
use supercheck_core::rpc::{FaultCode, SupervisorCall};
use supercheck_core::time::Instant as CoreInstant;

use super::config::PortSource;
use super::tasks::TaskKind;
use super::timers::TimerId;
use super::{Listener, TargetKey, Timer};
use crate::log_line;
use crate::supervisor::client::{CallError, ProcessSnapshot};

/// The processes one tick selected, until each has a verdict.
#[derive(Debug)]
pub(super) struct Cycle {
    pub id: u64,
    pub started: Instant,
    /// Processes whose verdict this cycle still waits for.
    pub outstanding: usize,
    /// Whether the tick has been acknowledged.
    pub acknowledged: bool,
    /// Whether supervisord's process list has arrived.
    pub listed: bool,
    /// Whether asking for it failed (nothing could be checked).
    pub list_failed: bool,
    /// Verdict counts, for the summary line.
    pub counts: [usize; 3],
    /// Processes selected.
    pub selected: usize,
    /// Whether the summary line has been written.
    pub summarized: bool,
    /// The acknowledgement deadline, cancelled once every verdict is in.
    pub ack_timer: Option<TimerId>,
}

/// One process's checks for one tick.
#[derive(Debug)]
pub(super) struct Round {
    pub id: u64,
    pub cycle: u64,
    pub pending: usize,
    pub first_error: Option<(usize, Verdict)>,
}

/// What the listener remembers about one process.
#[derive(Debug)]
pub(super) struct TargetState {
    pub machine: HealthMachine,
    pub snapshot: ProcessSnapshot,
    pub round: Option<Round>,
    pub cpu: HashMap<usize, CpuWindow>,
    pub restarting: bool,
    pub seen_in_cycle: u64,
    /// Each check's port for this process, found from its name once (the name
    /// does not change), not by running the pattern on every tick.
    pub ports: Vec<Option<Result<u16, PortError>>>,
}

impl TargetState {
    /// Check `check`'s port for this process, from its name with `source`:
    /// found the first time only, since the name does not change.
    pub fn port(&mut self, check: usize, source: &PortSource) -> Result<u16, PortError> {
        if let Some(Some(known)) = self.ports.get(check) {
            return *known;
        }
        let found = source.port_for(&self.snapshot.name);
        if self.ports.len() <= check {
            self.ports.resize(check + 1, None);
        }
        if let Some(slot) = self.ports.get_mut(check) {
            *slot = Some(found);
        }
        found
    }
}

fn period_duration(period: TickPeriod) -> Duration {
    Duration::from_secs(match period {
        TickPeriod::Secs5 => 5,
        TickPeriod::Secs60 => 60,
        _ => 3600,
    })
}

impl Listener {
    /// A tick arrived: start a cycle, or coalesce a stale tick into the last one.
    pub(super) fn start_cycle(&mut self, period: TickPeriod, when: u64) {
        self.record.tick();
        let period = period_duration(period);
        if let Some(cycle) = &self.cycle {
            if cycle.started.elapsed() < period / 2 {
                crate::log_detail!(
                    self.log,
                    "tick {when} coalesced into the round started {:?} ago",
                    cycle.started.elapsed()
                );
                let _ = self.acknowledge();
                return;
            }
        }
        self.cycle_seq += 1;
        let id = self.cycle_seq;
        self.cycle = Some(Cycle {
            id,
            started: Instant::now(),
            outstanding: 0,
            acknowledged: false,
            listed: false,
            list_failed: false,
            counts: [0; 3],
            selected: 0,
            summarized: false,
            ack_timer: None,
        });
        let ack_after = period
            .saturating_sub(Duration::from_secs(1))
            .max(Duration::from_millis(500));
        let ack_timer = self
            .timers
            .at(Instant::now() + ack_after, Timer::AckDeadline { cycle: id });
        if let Some(cycle) = self.cycle.as_mut() {
            cycle.ack_timer = Some(ack_timer);
        }
        self.proc_snapshot.clear();
        self.call_supervisor(
            SupervisorCall::GetAllProcessInfo,
            TaskKind::ProcessList { cycle: id },
        );
    }

    /// supervisord's process list for cycle `cycle` arrived (or did not).
    pub(super) fn on_process_list(
        &mut self,
        cycle: u64,
        result: Result<Vec<ProcessSnapshot>, CallError>,
    ) {
        let Some(current) = self.cycle.as_mut().filter(|c| c.id == cycle) else {
            return;
        };
        current.listed = true;
        let processes = match result {
            Ok(processes) => {
                self.listed_last = processes.len();
                processes
            }
            Err(e) => {
                current.list_failed = true;
                log_line!(
                    self.log,
                    "cannot list processes: {e}; nothing is checked or restarted this tick"
                );
                return;
            }
        };
        self.report_unmatched(&processes);
        let keys: Vec<String> = processes.iter().map(ProcessSnapshot::namespec).collect();
        let present: FxHashSet<&str> = keys.iter().map(String::as_str).collect();
        self.targets.retain(|key, _| present.contains(&**key));
        self.record.retain(|key| present.contains(key));
        for mut stream in self.keep_alive.take_unless(|key| present.contains(key)) {
            let _ = self.poll.registry().deregister(&mut stream);
        }
        let mut selected: Vec<TargetKey> = Vec::new();
        for (process, key) in processes.into_iter().zip(&keys) {
            if !self.config.wants(&process) {
                continue;
            }
            if let Some(known) = self.targets.get_mut(key.as_str()) {
                known.snapshot = process;
            } else {
                let Ok(machine) = HealthMachine::new(self.config.policy) else {
                    continue;
                };
                let state = TargetState {
                    machine,
                    snapshot: process,
                    round: None,
                    cpu: HashMap::new(),
                    restarting: false,
                    seen_in_cycle: 0,
                    ports: Vec::new(),
                };
                self.targets.insert(TargetKey::from(key.as_str()), state);
            }
            let Some(target) = self.targets.get_mut(key.as_str()) else {
                continue;
            };
            target.seen_in_cycle = cycle;
            if target.round.is_some() || target.restarting {
                crate::log_detail!(
                    self.log,
                    "{key}: still being checked or restarted, skipped this tick"
                );
                continue;
            }
            if let Some((shared, _)) = self.targets.get_key_value(key.as_str()) {
                selected.push(TargetKey::clone(shared));
            }
        }
        if let Some(c) = self.cycle.as_mut() {
            c.selected = selected.len();
            c.outstanding = selected.len();
        }
        if selected.is_empty() {
            log_line!(
                self.log,
                "No processes in state {} found for {}",
                self.states_label(),
                self.config.selection
            );
        }
        // Room for every exchange of the tick at once, not a series of regrowths.
        self.tasks
            .reserve(selected.len().saturating_mul(self.config.checks.len()));
        for key in selected {
            self.start_round(&key, cycle);
        }
    }

    /// Logs the named programs that do not exist, once each time that list
    /// changes (superlance's httpok said so on every failure; a typo in `-N`
    /// used to check nothing, silently).
    fn report_unmatched(&mut self, processes: &[ProcessSnapshot]) {
        let unmatched = self.config.selection.unmatched(processes);
        if unmatched
            .iter()
            .copied()
            .eq(self.unmatched.iter().map(String::as_str))
        {
            return;
        }
        if !unmatched.is_empty() {
            let names: Vec<String> = unmatched.iter().map(|n| format!("'{n}'")).collect();
            log_line!(
                self.log,
                "Programs not restarted because they did not exist: [{}]",
                names.join(", ")
            );
        }
        self.unmatched = unmatched.into_iter().map(str::to_string).collect();
    }

    fn states_label(&self) -> String {
        self.config
            .states
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn start_round(&mut self, key: &str, cycle: u64) {
        self.round_seq += 1;
        let round = self.round_seq;
        let checks = self.config.checks.len();
        if let Some(target) = self.targets.get_mut(key) {
            target.round = Some(Round {
                id: round,
                cycle,
                pending: checks,
                first_error: None,
            });
        }
        for check in 0..checks {
            self.start_check(key, check, round, 1);
        }
    }

    /// The start time of a process on the core's clock (from supervisord's epoch seconds).
    pub(super) fn started_at(&self, snapshot: &ProcessSnapshot) -> Option<CoreInstant> {
        if snapshot.start <= 0 {
            return None;
        }
        let uptime_ms = u64::try_from(snapshot.now.saturating_sub(snapshot.start))
            .unwrap_or(0)
            .saturating_mul(1000);
        let listed_at = self.core_now();
        Some(listed_at - supercheck_core::time::Duration::from_millis(uptime_ms))
    }

    /// A check of a round produced its final verdict.
    pub(super) fn finish_check(&mut self, key: &str, check: usize, round: u64, verdict: Verdict) {
        let kind = self.config.checks.get(check).map_or("?", |c| c.kind());
        let Some(target) = self.targets.get_mut(key) else {
            return;
        };
        let Some(current) = target.round.as_mut().filter(|r| r.id == round) else {
            return;
        };
        current.pending = current.pending.saturating_sub(1);
        self.record.verdict(key, check, verdict);
        match verdict {
            Verdict::Pass => crate::log_detail!(self.log, "{key}: {kind} check passed"),
            Verdict::Fail(reason) => log_line!(self.log, "{key}: {kind} check failed: {reason}"),
            Verdict::Error(error) => log_line!(
                self.log,
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
        if let Some(verdict) = finished {
            if self.config.once {
                println!("{key}: {verdict}");
            }
            let cycle = current.cycle;
            target.round = None;
            self.decide(key, verdict);
            if let Some(c) = self.cycle.as_mut().filter(|c| c.id == cycle) {
                c.outstanding = c.outstanding.saturating_sub(1);
                let slot = match verdict.kind() {
                    VerdictKind::Pass => 0,
                    VerdictKind::Fail => 1,
                    VerdictKind::Error => 2,
                };
                if let Some(n) = c.counts.get_mut(slot) {
                    *n += 1;
                }
            }
        }
    }

    /// Feeds a process's verdict to its health machine and acts on the decision.
    fn decide(&mut self, key: &str, verdict: Verdict) {
        let now = self.core_now();
        let Some(target) = self.targets.get(key) else {
            return;
        };
        let started_at = self.started_at(&target.snapshot);
        let Some(target) = self.targets.get_mut(key) else {
            return;
        };
        let decision = target.machine.observe(now, verdict, started_at);
        self.act(key, decision);
    }

    fn act(&mut self, key: &str, decision: Decision) {
        match decision {
            Decision::Nothing => {}
            Decision::Restart(reason) => {
                let Some(target) = self.targets.get_mut(key) else {
                    return;
                };
                if target.restarting {
                    return;
                }
                if self.config.once {
                    println!("{key}: would restart ({reason})");
                    return;
                }
                target.restarting = true;
                log_line!(self.log, "{key}: restarting ({reason})");
                self.notify_problem(key, "restarted", &reason);
                self.record.restart_asked(key, reason.to_string());
                let name = key.to_string();
                self.call_supervisor(
                    SupervisorCall::StopProcess {
                        name: &name,
                        wait: true,
                    },
                    TaskKind::Stop {
                        target: name.clone(),
                    },
                );
            }
            Decision::Suppressed(Suppression::Grace { until }) => {
                let left = until.saturating_since(self.core_now());
                log_line!(
                    self.log,
                    "{key}: failing, but in its start grace period for {left} more: not restarting"
                );
            }
            Decision::Suppressed(Suppression::Backoff { until }) => {
                let left = until.saturating_since(self.core_now());
                log_line!(
                    self.log,
                    "{key}: failing; backing off, next restart allowed in {left}"
                );
            }
            Decision::Suppressed(_) => {
                log_line!(
                    self.log,
                    "{key}: failing; restart budget spent, not restarting"
                );
            }
            Decision::GaveUp(reason) => {
                log_line!(
                    self.log,
                    "{key}: giving up after too many restarts ({reason}); it will not be restarted again"
                );
                self.notify_problem(key, "given up: restart budget spent", &reason);
            }
            Decision::Unhealthy(reason) => {
                log_line!(self.log, "{key}: unhealthy ({reason})");
                self.notify_problem(key, "unhealthy", &reason);
            }
            Decision::Recovered => {
                log_line!(self.log, "{key}: healthy again");
                self.notify_healthy(key);
            }
        }
        self.schedule_health_wake(key);
    }

    fn schedule_health_wake(&mut self, key: &str) {
        if let Some(at) = self.targets.get(key).and_then(|t| t.machine.poll_at()) {
            let at = self.std_instant(at);
            self.timers.at(
                at,
                Timer::Health {
                    target: key.to_string(),
                },
            );
        }
    }

    pub(super) fn on_health_timer(&mut self, key: &str) {
        let now = self.core_now();
        let Some(target) = self.targets.get(key) else {
            return;
        };
        let started_at = self.started_at(&target.snapshot);
        let Some(target) = self.targets.get_mut(key) else {
            return;
        };
        if target.machine.poll_at().is_some_and(|at| at <= now) {
            let decision = target.machine.handle_timeout(now, started_at);
            self.act(key, decision);
        }
    }

    /// The stop half of a restart answered.
    pub(super) fn on_stopped(&mut self, key: &str, result: Result<(), CallError>) {
        match result {
            Ok(()) => crate::log_detail!(self.log, "{key}: stopped"),
            Err(e) if e.fault() == Some(FaultCode::NotRunning) => {
                // Stopped by someone else (or exited) since the verdict: starting
                // it would undo an operator's `supervisorctl stop`. supervisord's
                // own autorestart decides about a process that exited.
                log_line!(
                    self.log,
                    "{key}: not running any more (stopped by someone else?): not starting it"
                );
                if let Some(target) = self.targets.get_mut(key) {
                    target.restarting = false;
                }
                return;
            }
            Err(e) => {
                log_line!(self.log, "{key}: could not stop it: {e}");
                if let Some(target) = self.targets.get_mut(key) {
                    target.restarting = false;
                }
                return;
            }
        }
        let name = key.to_string();
        self.call_supervisor(
            SupervisorCall::StartProcess {
                name: &name,
                wait: false,
            },
            TaskKind::Start {
                target: name.clone(),
            },
        );
    }

    /// The start half of a restart answered.
    pub(super) fn on_started(&mut self, key: &str, result: Result<(), CallError>) {
        let now = self.core_now();
        let done = match result {
            Ok(()) => {
                log_line!(self.log, "{key}: restarted");
                true
            }
            Err(e) if e.fault() == Some(FaultCode::AlreadyStarted) => {
                log_line!(self.log, "{key}: already started again by someone else");
                true
            }
            Err(e) => {
                log_line!(self.log, "{key}: could not start it: {e}");
                false
            }
        };
        if let Some(target) = self.targets.get_mut(key) {
            target.restarting = false;
            if done {
                target.machine.restarted(now);
                self.record.restart_done(key);
            }
        }
        self.schedule_health_wake(key);
    }

    /// Acknowledges the tick once every selected process has its verdict, and
    /// writes the tick's summary line.
    pub(super) fn maybe_finish_cycle(&mut self) -> io::Result<()> {
        let Some(cycle) = self.cycle.as_mut() else {
            return Ok(());
        };
        if !cycle.listed || cycle.outstanding > 0 || cycle.summarized {
            return Ok(());
        }
        cycle.summarized = true;
        if let Some(timer) = cycle.ack_timer.take() {
            self.timers.cancel(timer);
        }
        let Some(cycle) = self.cycle.as_mut() else {
            return Ok(());
        };
        let [pass, fail, error] = cycle.counts;
        let elapsed = cycle.started.elapsed().as_millis();
        let selected = cycle.selected;
        let acknowledged = std::mem::replace(&mut cycle.acknowledged, true);
        let list_failed = cycle.list_failed;
        if selected > 0 && fail == 0 && error == 0 {
            log_line!(
                self.log,
                "{selected} process(es) checked: all passed ({elapsed} ms)"
            );
        } else if selected > 0 {
            log_line!(
                self.log,
                "{selected} process(es) checked: {pass} passed, {fail} failed, {error} could not be checked ({elapsed} ms)"
            );
        }
        if self.config.once {
            self.exit = Some(if fail == 0 && error == 0 && !list_failed {
                super::Exit::Clean
            } else {
                super::Exit::OnceFailed
            });
        } else if !acknowledged {
            self.acknowledge()?;
        }
        // The task table grew to hold every exchange of the tick; between ticks
        // it holds none, so its memory goes back to the allocator.
        if self.tasks.is_empty() {
            self.tasks.shrink_to_fit();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::check::port::PortSpec;
    use supercheck_core::health::Policy;
    use supercheck_core::process::ProcessState;

    fn target(name: &str) -> TargetState {
        TargetState {
            machine: HealthMachine::new(Policy::default()).unwrap(),
            snapshot: ProcessSnapshot {
                group: "web".into(),
                name: name.into(),
                state: ProcessState::Running,
                pid: 42,
                start: 0,
                now: 0,
            },
            round: None,
            cpu: HashMap::new(),
            restarting: false,
            seen_in_cycle: 0,
            ports: Vec::new(),
        }
    }

    #[test]
    fn each_check_finds_its_port_once_and_keeps_it() {
        let by_name = PortSource::new(PortSpec::Pattern(r".+_(\d+)")).unwrap();
        let fixed = PortSource::new(PortSpec::Number(9000)).unwrap();
        let mut web = target("web_8101");
        assert_eq!(web.port(1, &by_name), Ok(8101));
        assert_eq!(web.port(0, &fixed), Ok(9000));
        // Kept: the pattern is not run again (a renamed process is a new target).
        web.snapshot.name = "web_1".into();
        assert_eq!(web.port(1, &by_name), Ok(8101));
        assert_eq!(web.ports, vec![Some(Ok(9000)), Some(Ok(8101))]);
    }

    #[test]
    fn a_name_the_pattern_misses_is_a_config_error_kept_as_such() {
        let by_name = PortSource::new(PortSpec::Pattern(r".+_(\d+)")).unwrap();
        let mut odd = target("worker");
        assert_eq!(odd.port(0, &by_name), Err(PortError::NoMatch));
        assert_eq!(odd.port(0, &by_name), Err(PortError::NoMatch));
    }
}
