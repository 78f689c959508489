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

/// The processes one tick (or one due interval) selected, until each
/// selected round has its verdict.
#[derive(Debug)]
pub(crate) struct Cycle {
    pub id: u64,
    pub started: Instant,
    /// The watches this cycle runs, by index.
    pub watches: Vec<usize>,
    /// Whether a TICK started it (it is acknowledged); otherwise an interval did.
    pub tick: bool,
    /// Rounds whose verdict this cycle still waits for.
    pub outstanding: usize,
    /// Whether the tick has been acknowledged.
    pub acknowledged: bool,
    /// Whether supervisord's process list has arrived.
    pub listed: bool,
    /// Whether asking for it failed (nothing could be checked).
    pub list_failed: bool,
    /// Verdict counts of the rounds (pass, fail, error), for the summary line.
    pub counts: [usize; 3],
    /// Processes selected.
    pub selected: usize,
    /// Rounds started (a process has one per watch that checks it).
    pub rounds: usize,
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
    /// A tick arrived: start a cycle of the watches checked on every TICK,
    /// or coalesce a stale tick into the last one.
    pub(crate) fn start_cycle(&mut self, now: Instant, period: TickPeriod, when: u64) {
        self.out.push(Output::Record(RecordUpdate::Tick));
        let period = period_duration(period);
        if let Some(started) = self.last_tick_cycle {
            let since = now.saturating_since(started);
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
        let watches: Vec<usize> = (0..self.config.watches.len())
            .filter(|&w| {
                self.config.once
                    || self
                        .config
                        .watches
                        .get(w)
                        .is_some_and(|watch| watch.interval.is_none())
            })
            .collect();
        if watches.is_empty() {
            // Every watch keeps its own schedule: nothing waits on this tick.
            detail!(
                self.out,
                "tick {when}: every check runs on its own interval"
            );
            self.acknowledge();
            return;
        }
        self.last_tick_cycle = Some(now);
        self.open_cycle(now, watches, Some(period));
    }

    /// Starts a cycle of `watches`: asks for the process list. A tick's
    /// cycle (`tick_period`) is acknowledged at its deadline at the latest.
    pub(crate) fn open_cycle(
        &mut self,
        now: Instant,
        watches: Vec<usize>,
        tick_period: Option<Duration>,
    ) {
        self.supersede_unlisted(&watches);
        self.cycle_seq += 1;
        let id = self.cycle_seq;
        let ack_timer = tick_period.map(|period| {
            self.timers
                .at(now + ack_after(period), Wake::AckDeadline { cycle: id })
        });
        self.cycles.push(Cycle {
            id,
            started: now,
            watches,
            tick: tick_period.is_some(),
            outstanding: 0,
            acknowledged: false,
            listed: false,
            list_failed: false,
            counts: [0; 3],
            selected: 0,
            rounds: 0,
            ack_timer,
        });
        let expected = self.listed_last.max(self.targets.len());
        self.out.push(Output::Call(Call::ListProcesses {
            cycle: id,
            expected,
        }));
    }

    /// A list still awaited by an older cycle is stale for `watches`: that
    /// cycle no longer runs them, and ends if nothing is left to it.
    fn supersede_unlisted(&mut self, watches: &[usize]) {
        for cycle in self.cycles.iter_mut().filter(|c| !c.listed) {
            cycle.watches.retain(|w| !watches.contains(w));
        }
        while let Some(i) = self
            .cycles
            .iter()
            .position(|c| !c.listed && c.watches.is_empty())
        {
            let stale = self.cycles.remove(i);
            if let Some(timer) = stale.ack_timer {
                self.timers.cancel(timer);
            }
            if stale.tick && !stale.acknowledged {
                self.acknowledge();
            }
        }
    }

    /// The acknowledgement deadline of cycle `cycle` passed.
    pub(crate) fn on_ack_deadline(&mut self, cycle: u64) {
        let Some(current) = self
            .cycles
            .iter_mut()
            .find(|c| c.id == cycle && c.tick && !c.acknowledged)
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
        let Some(current) = self.cycles.iter_mut().find(|c| c.id == cycle && !c.listed) else {
            return;
        };
        current.listed = true;
        let tick = current.tick;
        let watches = current.watches.clone();
        let processes = match result {
            Ok(processes) => {
                self.listed_last = processes.len();
                processes
            }
            Err(e) => {
                current.list_failed = true;
                if tick || !self.list_failing {
                    line!(
                        self.out,
                        "cannot list processes: {e}; nothing is checked or restarted this tick"
                    );
                }
                self.list_failing = true;
                return;
            }
        };
        self.list_failing = false;
        self.report_unmatched(&processes);
        self.forget_gone(&processes);
        let mut selected: Vec<(TargetKey, usize)> = Vec::new();
        let mut processes_selected = 0usize;
        // How many processes each watch wants, selected or not.
        let mut wanted: Vec<(usize, usize)> = watches.iter().map(|&w| (w, 0)).collect();
        // The watches of this cycle that want one process: one buffer for the whole list.
        let mut wanting: Vec<usize> = Vec::with_capacity(watches.len());
        for process in processes {
            let key = process.namespec();
            wanting.clear();
            wanting.extend(watches.iter().copied().filter(|&w| {
                self.config
                    .watches
                    .get(w)
                    .is_some_and(|watch| watch.wants(&process.group, &process.name, process.state))
            }));
            if wanting.is_empty() {
                continue;
            }
            for (w, n) in &mut wanted {
                if wanting.contains(w) {
                    *n += 1;
                }
            }
            if let Some(known) = self.targets.get_mut(key.as_str()) {
                if known.process.start != process.start {
                    known.started_at = started_at(now, &process);
                }
                known.process = process;
            } else {
                let started = started_at(now, &process);
                self.targets
                    .insert(TargetKey::from(key.as_str()), Target::new(process, started));
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
            let mut any = false;
            for &w in &wanting {
                let Some(watch) = self.config.watches.get(w) else {
                    continue;
                };
                if watch.checks.is_empty() {
                    // No check, no verdict to wait for: known, never selected.
                    continue;
                }
                let policy = watch.policy;
                let busy = target.restarting
                    || target
                        .watch_or_insert(w, || HealthMachine::new(policy).ok())
                        .is_none_or(|state| state.round.is_some());
                if busy {
                    detail!(
                        self.out,
                        "{key}: still being checked or restarted, skipped this tick"
                    );
                    continue;
                }
                any = true;
                selected.push((TargetKey::clone(shared), w));
            }
            processes_selected += usize::from(any);
        }
        if let Some(c) = self.cycles.iter_mut().find(|c| c.id == cycle) {
            c.selected = processes_selected;
            c.rounds = selected.len();
            c.outstanding = selected.len();
        }
        // Processes all skipped (still being checked) are not "not found".
        for (w, n) in wanted {
            let none = n == 0;
            let Some(was_none) = self
                .found_none
                .get_mut(w)
                .map(|f| core::mem::replace(f, none))
            else {
                continue;
            };
            let Some(watch) = self.config.watches.get(w) else {
                continue;
            };
            if none && (tick || !was_none) {
                let states: Vec<&str> = watch.states.iter().map(|s| s.name()).collect();
                line!(
                    self.out,
                    "No processes in state {} found for {}",
                    states.join("/"),
                    watch.selection
                );
            }
        }
        for (key, watch) in selected {
            self.start_round(&key, watch, cycle);
        }
    }

    /// Forgets the targets supervisord no longer lists; their rounds no
    /// longer hold up their cycles.
    fn forget_gone(&mut self, processes: &[Process]) {
        let keys: Vec<String> = processes.iter().map(Process::namespec).collect();
        let present: HashSet<&str, FxBuildHasher> = keys.iter().map(String::as_str).collect();
        if !self.targets.keys().any(|key| !present.contains(&**key)) {
            return;
        }
        let gone: Vec<TargetKey> = self
            .targets
            .keys()
            .filter(|key| !present.contains(&***key))
            .cloned()
            .collect();
        for key in gone {
            if let Some(target) = self.targets.remove(&key) {
                for round in target.watches.iter().filter_map(|w| w.round.as_ref()) {
                    self.abandon_round(round.cycle);
                }
            }
            self.out.push(Output::Forget(key));
        }
    }

    /// A round of cycle `cycle` will never have a verdict.
    pub(crate) fn abandon_round(&mut self, cycle: u64) {
        if let Some(c) = self.cycles.iter_mut().find(|c| c.id == cycle) {
            c.outstanding = c.outstanding.saturating_sub(1);
        }
    }

    /// Logs the named programs that do not exist, once each time that list
    /// changes (superlance's httpok said so on every failure; a typo in `-N`
    /// used to check nothing, silently).
    fn report_unmatched(&mut self, processes: &[Process]) {
        let mut unmatched: Vec<&str> = Vec::new();
        for watch in &self.config.watches {
            for name in watch.selection.unmatched(processes) {
                if !unmatched.contains(&name) {
                    unmatched.push(name);
                }
            }
        }
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

    /// A round of cycle `cycle` has its verdict.
    pub(crate) fn count_verdict(&mut self, cycle: u64, slot: usize) {
        if let Some(c) = self.cycles.iter_mut().find(|c| c.id == cycle) {
            c.outstanding = c.outstanding.saturating_sub(1);
            if let Some(n) = c.counts.get_mut(slot) {
                *n += 1;
            }
        }
    }

    /// Ends every cycle whose rounds all have their verdict: its summary
    /// line, and the acknowledgement of its tick.
    pub(crate) fn finish_cycles(&mut self, now: Instant) {
        while let Some(i) = self
            .cycles
            .iter()
            .position(|c| c.listed && c.outstanding == 0)
        {
            let cycle = self.cycles.remove(i);
            self.finish_cycle(now, cycle);
        }
    }

    fn finish_cycle(&mut self, now: Instant, cycle: Cycle) {
        if let Some(timer) = cycle.ack_timer {
            self.timers.cancel(timer);
        }
        let [pass, fail, error] = cycle.counts;
        let elapsed = now.saturating_since(cycle.started).millis();
        let (rounds, selected) = (cycle.rounds, cycle.selected);
        let what = if rounds == selected {
            alloc::format!("{selected} process(es) checked")
        } else {
            alloc::format!("{rounds} check(s) of {selected} process(es)")
        };
        let summary = if selected > 0 && fail == 0 && error == 0 {
            Some(alloc::format!("{what}: all passed ({elapsed} ms)"))
        } else if selected > 0 {
            Some(alloc::format!(
                "{what}: {pass} passed, {fail} failed, {error} could not be checked ({elapsed} ms)"
            ))
        } else {
            None
        };
        // An interval's cycles come often: their summary is a detail.
        match summary {
            Some(text) if cycle.tick || self.config.once => line!(self.out, "{text}"),
            Some(text) => detail!(self.out, "{text}"),
            None => {}
        }
        if self.config.once {
            self.set_exit(if fail == 0 && error == 0 && !cycle.list_failed {
                Exit::Clean
            } else {
                Exit::OnceFailed
            });
        } else if cycle.tick && !cycle.acknowledged {
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
