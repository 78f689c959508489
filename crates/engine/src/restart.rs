//! What a process's verdict leads to: the health machine's decision, its
//! wake-ups, and the restart sequence (stopProcess, then startProcess) with
//! its races against an operator.

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
    /// Feeds a process's verdict to its health machine and acts on the decision.
    pub(crate) fn decide(&mut self, now: Instant, key: &TargetKey, verdict: Verdict) {
        let Some(target) = self.targets.get_mut(&**key) else {
            return;
        };
        let decision = target.machine.observe(now, verdict, target.started_at);
        self.act(now, key, decision);
    }

    fn act(&mut self, now: Instant, key: &TargetKey, decision: Decision) {
        match decision {
            Decision::Nothing => {}
            Decision::Restart(reason) => {
                let Some(target) = self.targets.get_mut(&**key) else {
                    return;
                };
                if target.restarting {
                    return;
                }
                if self.config.once {
                    self.out.push(Output::Print(alloc::format!(
                        "{key}: would restart ({reason})"
                    )));
                    return;
                }
                target.restarting = true;
                line!(self.out, "{key}: restarting ({reason})");
                if let Some(notices) = self.notices.as_mut() {
                    notices.problem(&mut self.out, now, key, "restarted", &reason);
                }
                self.out.push(Output::Record(RecordUpdate::RestartAsked {
                    target: TargetKey::clone(key),
                    reason: alloc::string::ToString::to_string(&reason),
                }));
                self.out.push(Output::Call(Call::Stop {
                    target: TargetKey::clone(key),
                }));
            }
            Decision::Suppressed(Suppression::Grace { until }) => {
                let left = until.saturating_since(now);
                line!(
                    self.out,
                    "{key}: failing, but in its start grace period for {left} more: not restarting"
                );
            }
            Decision::Suppressed(Suppression::Backoff { until }) => {
                let left = until.saturating_since(now);
                line!(
                    self.out,
                    "{key}: failing; backing off, next restart allowed in {left}"
                );
            }
            Decision::Suppressed(_) => {
                line!(
                    self.out,
                    "{key}: failing; restart budget spent, not restarting"
                );
            }
            Decision::GaveUp(reason) => {
                line!(
                    self.out,
                    "{key}: giving up after too many restarts ({reason}); it will not be restarted again"
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
                line!(self.out, "{key}: unhealthy ({reason})");
                if let Some(notices) = self.notices.as_mut() {
                    notices.problem(&mut self.out, now, key, "unhealthy", &reason);
                }
            }
            Decision::Recovered => {
                line!(self.out, "{key}: healthy again");
                if let Some(notices) = self.notices.as_mut() {
                    notices.healthy(&mut self.out, now, key);
                }
            }
        }
        self.schedule_health_wake(key);
    }

    fn schedule_health_wake(&mut self, key: &TargetKey) {
        if let Some(at) = self.targets.get(&**key).and_then(|t| t.machine.poll_at()) {
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
        if target.machine.poll_at().is_some_and(|at| at <= now) {
            let decision = target.machine.handle_timeout(now, target.started_at);
            self.act(now, key, decision);
        }
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
                return;
            }
            Err(e) => {
                line!(self.out, "{key}: could not stop it: {e}");
                target.restarting = false;
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
        if done {
            target.machine.restarted(now);
            self.out.push(Output::Record(RecordUpdate::RestartDone {
                target: TargetKey::clone(key),
            }));
        }
        self.schedule_health_wake(key);
    }
}
