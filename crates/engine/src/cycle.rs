//! Tick cycles: admission and coalescing of ticks, the acknowledgement
//! deadline, the process list and which processes a tick checks, and the
//! end of a cycle (its summary line and its acknowledgement).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::HashSet;
use rustc_hash::FxBuildHasher;
use supercheck_core::event::TickPeriod;
use supercheck_core::health::HealthMachine;
use supercheck_core::time::{Duration, Instant};

use crate::engine::{Engine, Wake};
use crate::output::{Call, CallFailure, Exit, Output, RecordUpdate, TargetKey};
use crate::process::Process;
use crate::restart::started_at;
use crate::round::Target;
use crate::timers::TimerId;

/// The processes one tick selected, until each has a verdict.
#[derive(Debug)]
pub(crate) struct Cycle {
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
    /// Verdict counts (pass, fail, error), for the summary line.
    pub counts: [usize; 3],
    /// Processes selected.
    pub selected: usize,
    /// Whether the summary line has been written.
    pub summarized: bool,
    /// The acknowledgement deadline, cancelled once every verdict is in.
    pub ack_timer: Option<TimerId<Instant>>,
}

/// A tick period as a duration.
pub(crate) fn period_duration(period: TickPeriod) -> Duration {
    Duration::from_secs(match period {
        TickPeriod::Secs5 => 5,
        TickPeriod::Secs60 => 60,
        _ => 3600,
    })
}

/// When a tick of `period` is acknowledged at the latest, after its round
/// started: one second before the next tick is due, at least half a second.
pub(crate) fn ack_after(period: Duration) -> Duration {
    Duration::from_millis(period.millis().saturating_sub(1000).max(500))
}

impl Engine {
    /// A tick arrived: start a cycle, or coalesce a stale tick into the last one.
    pub(crate) fn start_cycle(&mut self, now: Instant, period: TickPeriod, when: u64) {
        self.out.push(Output::Record(RecordUpdate::Tick));
        let period = period_duration(period);
        if let Some(cycle) = &self.cycle {
            let since = now.saturating_since(cycle.started);
            if since.millis() < period.millis() / 2 {
                detail!(
                    self.out,
                    "tick {when} coalesced into the round started {:?} ago",
                    core::time::Duration::from_millis(since.millis())
                );
                self.acknowledge();
                return;
            }
        }
        self.cycle_seq += 1;
        let id = self.cycle_seq;
        let ack_timer = self
            .timers
            .at(now + ack_after(period), Wake::AckDeadline { cycle: id });
        self.cycle = Some(Cycle {
            id,
            started: now,
            outstanding: 0,
            acknowledged: false,
            listed: false,
            list_failed: false,
            counts: [0; 3],
            selected: 0,
            summarized: false,
            ack_timer: Some(ack_timer),
        });
        let expected = self.listed_last.max(self.targets.len());
        self.out.push(Output::Call(Call::ListProcesses {
            cycle: id,
            expected,
        }));
    }

    /// The acknowledgement deadline of cycle `cycle` passed.
    pub(crate) fn on_ack_deadline(&mut self, cycle: u64) {
        let Some(current) = self
            .cycle
            .as_mut()
            .filter(|c| c.id == cycle && !c.acknowledged)
        else {
            return;
        };
        current.acknowledged = true;
        current.ack_timer = None;
        let outstanding = current.outstanding;
        detail!(
            self.out,
            "acknowledging the tick with {outstanding} process(es) still being checked"
        );
        self.acknowledge();
    }

    /// supervisord's process list for cycle `cycle` arrived (or did not).
    pub fn handle_process_list(
        &mut self,
        now: Instant,
        cycle: u64,
        result: Result<Vec<Process>, CallFailure>,
    ) {
        if self.exiting() {
            return;
        }
        self.on_process_list(now, cycle, result);
        self.advance(now);
    }

    fn on_process_list(
        &mut self,
        now: Instant,
        cycle: u64,
        result: Result<Vec<Process>, CallFailure>,
    ) {
        let Some(current) = self.cycle.as_mut().filter(|c| c.id == cycle && !c.listed) else {
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
                line!(
                    self.out,
                    "cannot list processes: {e}; nothing is checked or restarted this tick"
                );
                return;
            }
        };
        self.report_unmatched(&processes);
        let keys: Vec<String> = processes.iter().map(Process::namespec).collect();
        let present: HashSet<&str, FxBuildHasher> = keys.iter().map(String::as_str).collect();
        if self.targets.keys().any(|key| !present.contains(&**key)) {
            let gone: Vec<TargetKey> = self
                .targets
                .keys()
                .filter(|key| !present.contains(&***key))
                .cloned()
                .collect();
            for key in gone {
                self.targets.remove(&key);
                self.out.push(Output::Forget(key));
            }
        }
        let mut selected: Vec<TargetKey> = Vec::new();
        let mut wanted = 0usize;
        for (process, key) in processes.into_iter().zip(&keys) {
            if !self
                .config
                .wants(&process.group, &process.name, process.state)
            {
                continue;
            }
            wanted += 1;
            if let Some(known) = self.targets.get_mut(key.as_str()) {
                if known.process.start != process.start {
                    known.started_at = started_at(now, &process);
                }
                known.process = process;
            } else {
                let Ok(machine) = HealthMachine::new(self.config.policy) else {
                    continue;
                };
                let started = started_at(now, &process);
                self.targets.insert(
                    TargetKey::from(key.as_str()),
                    Target::new(machine, process, started),
                );
            }
            let Some((shared, target)) = self.targets.get_key_value_mut(key.as_str()) else {
                continue;
            };
            if target.seen_in_cycle == cycle {
                // Listed twice: one round, or the cycle would wait for the
                // verdict of a round the second replaced.
                continue;
            }
            target.seen_in_cycle = cycle;
            if self.config.checks.is_empty() {
                // No check, no verdict to wait for: known, never selected.
                continue;
            }
            if target.round.is_some() || target.restarting {
                detail!(
                    self.out,
                    "{key}: still being checked or restarted, skipped this tick"
                );
                continue;
            }
            selected.push(TargetKey::clone(shared));
        }
        if let Some(c) = self.cycle.as_mut() {
            c.selected = selected.len();
            c.outstanding = selected.len();
        }
        // Processes all skipped (still being checked) are not "not found".
        if wanted == 0 {
            let states: Vec<&str> = self.config.states.iter().map(|s| s.name()).collect();
            line!(
                self.out,
                "No processes in state {} found for {}",
                states.join("/"),
                self.config.selection
            );
        }
        for key in selected {
            self.start_round(&key, cycle);
        }
    }

    /// Logs the named programs that do not exist, once each time that list
    /// changes (superlance's httpok said so on every failure; a typo in `-N`
    /// used to check nothing, silently).
    fn report_unmatched(&mut self, processes: &[Process]) {
        let unmatched = self.config.selection.unmatched(processes);
        if unmatched
            .iter()
            .copied()
            .eq(self.unmatched.iter().map(String::as_str))
        {
            return;
        }
        if !unmatched.is_empty() {
            let names: Vec<String> = unmatched.iter().map(|n| alloc::format!("'{n}'")).collect();
            line!(
                self.out,
                "Programs not restarted because they did not exist: [{}]",
                names.join(", ")
            );
        }
        self.unmatched = unmatched.into_iter().map(str::to_string).collect();
    }

    /// A process of cycle `cycle` has its verdict.
    pub(crate) fn count_verdict(&mut self, cycle: u64, slot: usize) {
        if let Some(c) = self.cycle.as_mut().filter(|c| c.id == cycle) {
            c.outstanding = c.outstanding.saturating_sub(1);
            if let Some(n) = c.counts.get_mut(slot) {
                *n += 1;
            }
        }
    }

    /// Acknowledges the tick once every selected process has its verdict, and
    /// writes the tick's summary line.
    pub(crate) fn maybe_finish_cycle(&mut self, now: Instant) {
        let Some(cycle) = self.cycle.as_mut() else {
            return;
        };
        if !cycle.listed || cycle.outstanding > 0 || cycle.summarized {
            return;
        }
        cycle.summarized = true;
        if let Some(timer) = cycle.ack_timer.take() {
            self.timers.cancel(timer);
        }
        let Some(cycle) = self.cycle.as_mut() else {
            return;
        };
        let [pass, fail, error] = cycle.counts;
        let elapsed = now.saturating_since(cycle.started).millis();
        let selected = cycle.selected;
        let acknowledged = core::mem::replace(&mut cycle.acknowledged, true);
        let list_failed = cycle.list_failed;
        if selected > 0 && fail == 0 && error == 0 {
            line!(
                self.out,
                "{selected} process(es) checked: all passed ({elapsed} ms)"
            );
        } else if selected > 0 {
            line!(
                self.out,
                "{selected} process(es) checked: {pass} passed, {fail} failed, {error} could not be checked ({elapsed} ms)"
            );
        }
        if self.config.once {
            self.set_exit(if fail == 0 && error == 0 && !list_failed {
                Exit::Clean
            } else {
                Exit::OnceFailed
            });
        } else if !acknowledged {
            self.acknowledge();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_is_acknowledged_a_second_before_the_next_one_at_the_latest() {
        assert_eq!(ack_after(Duration::from_secs(5)), Duration::from_secs(4));
        assert_eq!(ack_after(Duration::from_secs(60)), Duration::from_secs(59));
        assert_eq!(
            ack_after(Duration::from_millis(800)),
            Duration::from_millis(500)
        );
    }
}
