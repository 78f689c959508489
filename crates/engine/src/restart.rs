//! What a watch's verdict leads to: its health machine's decision, the
//! machine's wake-ups, the arbiter (one restart per process, whichever
//! watches asked, with every reason) and the restart sequence (stopProcess,
//! then startProcess) with its races against an operator.

use alloc::string::String;
use core::fmt::Write as _;

use supercheck_core::check::verdict::Verdict;
use supercheck_core::health::{Decision, Suppression};
use supercheck_core::rpc::FaultCode;
use supercheck_core::time::{Duration, Instant};

use crate::engine::{Engine, Wake};
use crate::output::{Call, CallFailure, Output, RecordUpdate, TargetKey};
use crate::process::Process;

/// When `process` started, on the engine's clock, from supervisord's epoch
/// seconds (its uptime counted back from `now`, the instant its process list
/// arrived).
pub(crate) fn started_at(now: Instant, process: &Process) -> Option<Instant> {
    if process.start <= 0 {
        return None;
    }
    Some(now - Duration::from_millis(process.uptime_secs().saturating_mul(1000)))
}

impl Engine {
    /// `key` as log lines name it for `watch`: the namespec, followed by the
    /// watch's name when it has one (an agent's checks).
    pub(crate) fn label(&self, key: &TargetKey, watch: usize) -> String {
        match self.config.watches.get(watch).map(|w| w.name.as_str()) {
            Some(name) if !name.is_empty() => alloc::format!("{key} [{name}]"),
            _ => String::from(&**key),
        }
    }

    /// Feeds `watch`'s verdict on `key` to its health machine and acts on the decision.
    pub(crate) fn decide(&mut self, now: Instant, key: &TargetKey, watch: usize, verdict: Verdict) {
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        let started_at = target.started_at;
        let Some(state) = target.watches.iter_mut().find(|w| w.watch == watch) else {
            return;
        };
        let decision = state.machine.observe(now, verdict, started_at);
        self.act(now, key, watch, decision);
    }

    fn act(&mut self, now: Instant, key: &TargetKey, watch: usize, decision: Decision) {
        let label = self.label(key, watch);
        match decision {
            Decision::Nothing => {}
            Decision::Restart(reason) => {
                if self.config.once {
                    self.out.push(Output::Print(alloc::format!(
                        "{label}: would restart ({reason})"
                    )));
                    return;
                }
                let Some(target) = self.targets.get_mut(&**key) else {
                    return;
                };
                if target.restarting {
                    // One restart at a time: this watch's machine learns of
                    // it too when it is done.
                    if !target.restart_asked.contains(&watch) {
                        target.restart_asked.push(watch);
                    }
                    line!(
                        self.out,
                        "{label}: failing ({reason}); already being restarted"
                    );
                } else {
                    target.pending_restart.push((watch, reason));
                }
            }
            Decision::Suppressed(Suppression::Grace { until }) => {
                let left = until.saturating_since(now);
                line!(
                    self.out,
                    "{label}: failing, but in its start grace period for {left} more: not restarting"
                );
            }
            Decision::Suppressed(Suppression::Backoff { until }) => {
                let left = until.saturating_since(now);
                line!(
                    self.out,
                    "{label}: failing; backing off, next restart allowed in {left}"
                );
            }
            Decision::Suppressed(_) => {
                line!(
                    self.out,
                    "{label}: failing; restart budget spent, not restarting"
                );
            }
            Decision::GaveUp(reason) => {
                line!(
                    self.out,
                    "{label}: giving up after too many restarts ({reason}); it will not be restarted again"
                );
                if let Some(notices) = self.notices.as_mut() {
                    notices.problem(
                        &mut self.out,
                        now,
                        key,
                        "given up: restart budget spent",
                        &reason,
                    );
                }
            }
            Decision::Unhealthy(reason) => {
                line!(self.out, "{label}: unhealthy ({reason})");
                if let Some(notices) = self.notices.as_mut() {
                    notices.problem(&mut self.out, now, key, "unhealthy", &reason);
                }
            }
            Decision::Recovered => {
                line!(self.out, "{label}: healthy again");
                if let Some(notices) = self.notices.as_mut() {
                    notices.healthy(&mut self.out, now, key);
                }
            }
        }
        self.schedule_health_wake(key);
    }

    /// The arbiter: asks for the restart the watches of `key` decided, once,
    /// with each of their reasons.
    pub(crate) fn settle_restart(&mut self, now: Instant, key: &TargetKey) {
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        if target.pending_restart.is_empty() || target.restarting {
            return;
        }
        let asked = core::mem::take(&mut target.pending_restart);
        target.restarting = true;
        target.restart_asked = asked.iter().map(|(watch, _)| *watch).collect();
        let mut reason = String::new();
        for (i, (watch, why)) in asked.iter().enumerate() {
            if i > 0 {
                reason.push_str("; ");
            }
            match self.config.watches.get(*watch).map(|w| w.name.as_str()) {
                Some(name) if !name.is_empty() && asked.len() > 1 => {
                    let _ = write!(reason, "{name}: {why}");
                }
                _ => {
                    let _ = write!(reason, "{why}");
                }
            }
        }
        line!(self.out, "{key}: restarting ({reason})");
        if let Some(notices) = self.notices.as_mut() {
            notices.problem(&mut self.out, now, key, "restarted", &reason);
        }
        self.out.push(Output::Record(RecordUpdate::RestartAsked {
            target: TargetKey::clone(key),
            reason,
        }));
        self.out.push(Output::Call(Call::Stop {
            target: TargetKey::clone(key),
        }));
    }

    fn schedule_health_wake(&mut self, key: &TargetKey) {
        let Some(target) = self.targets.get(&**key) else {
            return;
        };
        let at = target
            .watches
            .iter()
            .filter_map(|w| w.machine.poll_at())
            .min();
        if let Some(at) = at {
            self.timers.at(
                at,
                Wake::Health {
                    target: TargetKey::clone(key),
                },
            );
        }
    }

    pub(crate) fn on_health_timer(&mut self, now: Instant, key: &TargetKey) {
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        let started_at = target.started_at;
        let mut decisions = alloc::vec::Vec::new();
        for state in &mut target.watches {
            if state.machine.poll_at().is_some_and(|at| at <= now) {
                decisions.push((state.watch, state.machine.handle_timeout(now, started_at)));
            }
        }
        for (watch, decision) in decisions {
            self.act(now, key, watch, decision);
        }
        self.settle_restart(now, key);
    }

    /// supervisord answered a call (or did not): the halves of a restart.
    /// A process list given here instead of to
    /// [`Engine::handle_process_list`] counts as a failed list.
    pub fn handle_reply(&mut self, now: Instant, call: &Call, result: Result<(), CallFailure>) {
        if self.exiting() {
            return;
        }
        match call {
            Call::ListProcesses { cycle, .. } => {
                let error = result.err().unwrap_or_else(|| {
                    CallFailure::other("the process list was not read as it arrived")
                });
                return self.handle_process_list(now, *cycle, Err(error));
            }
            Call::Stop { target } => self.on_stopped(target, result),
            Call::Start { target } => self.on_started(now, target, result),
        }
        self.advance(now);
    }

    /// The stop half of a restart answered.
    fn on_stopped(&mut self, key: &TargetKey, result: Result<(), CallFailure>) {
        let Some(target) = self.targets.get_mut(&**key).filter(|t| t.restarting) else {
            return;
        };
        match result {
            Ok(()) => detail!(self.out, "{key}: stopped"),
            Err(e) if e.fault == Some(FaultCode::NotRunning) => {
                // Stopped by someone else (or exited) since the verdict: starting
                // it would undo an operator's `supervisorctl stop`. supervisord's
                // own autorestart decides about a process that exited.
                line!(
                    self.out,
                    "{key}: not running any more (stopped by someone else?): not starting it"
                );
                target.restarting = false;
                target.restart_asked.clear();
                return;
            }
            Err(e) => {
                line!(self.out, "{key}: could not stop it: {e}");
                target.restarting = false;
                target.restart_asked.clear();
                return;
            }
        }
        self.out.push(Output::Call(Call::Start {
            target: TargetKey::clone(key),
        }));
    }

    /// The start half of a restart answered.
    fn on_started(&mut self, now: Instant, key: &TargetKey, result: Result<(), CallFailure>) {
        let Some(target) = self.targets.get_mut(&**key).filter(|t| t.restarting) else {
            return;
        };
        let done = match result {
            Ok(()) => {
                line!(self.out, "{key}: restarted");
                true
            }
            Err(e) if e.fault == Some(FaultCode::AlreadyStarted) => {
                line!(self.out, "{key}: already started again by someone else");
                true
            }
            Err(e) => {
                line!(self.out, "{key}: could not start it: {e}");
                false
            }
        };
        target.restarting = false;
        let asked = core::mem::take(&mut target.restart_asked);
        if done {
            for state in &mut target.watches {
                if asked.contains(&state.watch) {
                    state.machine.restarted(now);
                }
            }
            self.out.push(Output::Record(RecordUpdate::RestartDone {
                target: TargetKey::clone(key),
            }));
        }
        self.schedule_health_wake(key);
    }
}
