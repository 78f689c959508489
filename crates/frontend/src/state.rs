//! What the frontend shows: the listener's latest readings, kept as it runs.
//!
//! The listener feeds this record with what its engine reports
//! (`Output::Record`: verdicts, decisions, restarts); the serving code only
//! reads it. Everything is bounded: one entry per process and check, and a ring of the last
//! [`RESTART_HISTORY`] restarts.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use supercheck_core::check::verdict::{Verdict, VerdictKind};

/// How many restarts the record remembers (all processes together).
pub const RESTART_HISTORY: usize = 20;

/// The current Unix time in seconds (0 before 1970, which never happens).
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A measured value that goes with a check's verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    /// Resident set size, KiB (memory checks).
    RssKib(u64),
    /// Age of a file, seconds (heartbeat file checks).
    AgeSecs(u64),
}

/// The latest reading of one check of one process.
#[derive(Debug, Clone, Default)]
pub struct CheckRecord {
    /// The check's kind (`http`, `memory`...) or a custom check's name.
    pub kind: String,
    /// The latest verdict's kind; `None` before the first.
    pub last: Option<VerdictKind>,
    /// Why the latest verdict was not a pass.
    pub output: Option<String>,
    /// How long the latest probe took (its last attempt).
    pub latency: Option<Duration>,
    /// The latest measured value (memory, file age).
    pub observed: Option<Observed>,
    /// Unix time of the latest verdict.
    pub time: f64,
    /// Verdicts so far: passes, failures, checker errors.
    pub passes: u64,
    /// Failures so far.
    pub failures: u64,
    /// Checker errors so far (never a reason to restart).
    pub errors: u64,
    /// Sum of every probe's duration, seconds (for the summary metric).
    pub duration_sum: f64,
    /// Probes timed.
    pub duration_count: u64,
}

/// Where a process stands, as the health machine sees it.
#[derive(Debug, Clone, Default)]
pub struct ProcessRecord {
    /// The health machine's state name (`healthy`, `degraded`...).
    pub state: &'static str,
    /// Restarts the budget still allows; `None` when unlimited.
    pub budget_left: Option<u32>,
    /// Restarts this listener carried out.
    pub restarts: u64,
    /// One entry per configured check, in order.
    pub checks: Vec<CheckRecord>,
    /// When each check's current probe started (for its latency).
    pub started: Vec<Option<std::time::Instant>>,
}

/// One restart the listener asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartRecord {
    /// The process (`group:name`).
    pub process: String,
    /// Why.
    pub reason: String,
    /// Unix time it was decided.
    pub time: f64,
}

/// Everything the frontend shows.
#[derive(Debug, Clone)]
pub struct Record {
    /// The configured checks' kinds, in order.
    pub kinds: Vec<String>,
    /// Per process (`group:name`); [`Record::sorted`] gives them in name order.
    pub processes: FxHashMap<String, ProcessRecord>,
    /// The latest restarts, oldest first.
    pub restarts: VecDeque<RestartRecord>,
    /// Ticks received.
    pub ticks: u64,
    /// Unix time of the latest tick.
    pub last_tick: Option<f64>,
    /// Unix time the listener started.
    pub started: f64,
}

impl Record {
    /// An empty record for checks of these kinds.
    pub fn new(kinds: Vec<String>) -> Self {
        Self {
            kinds,
            processes: FxHashMap::default(),
            restarts: VecDeque::new(),
            ticks: 0,
            last_tick: None,
            started: unix_now(),
        }
    }

    /// The checks changed (an agent's reload): their per-process results
    /// go, the restarts and counters stay.
    pub fn reconfigure(&mut self, kinds: Vec<String>) {
        self.kinds = kinds;
        self.processes.clear();
    }

    /// A tick arrived.
    pub fn tick(&mut self) {
        self.ticks = self.ticks.saturating_add(1);
        self.last_tick = Some(unix_now());
    }

    /// The processes, sorted by name (for the pages, which list them in order).
    pub fn sorted(&self) -> Vec<(&String, &ProcessRecord)> {
        let mut all: Vec<_> = self.processes.iter().collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Forgets the processes supervisord no longer lists.
    pub fn retain(&mut self, present: impl Fn(&str) -> bool) {
        self.processes.retain(|name, _| present(name));
    }

    /// The record of `key`, made on first use. Looked up by `&str`: a probe
    /// of a known process allocates nothing here.
    fn process(&mut self, key: &str) -> Option<&mut ProcessRecord> {
        if !self.processes.contains_key(key) {
            let record = ProcessRecord {
                state: "unknown",
                budget_left: None,
                restarts: 0,
                checks: self
                    .kinds
                    .iter()
                    .map(|kind| CheckRecord {
                        kind: kind.clone(),
                        ..CheckRecord::default()
                    })
                    .collect(),
                started: vec![None; self.kinds.len()],
            };
            self.processes.insert(key.to_string(), record);
        }
        self.processes.get_mut(key)
    }

    /// A probe of check `check` of `key` started.
    pub fn probe_started(&mut self, key: &str, check: usize) {
        if let Some(slot) = self.process(key).and_then(|p| p.started.get_mut(check)) {
            *slot = Some(std::time::Instant::now());
        }
    }

    /// A measured value of check `check` of `key`, ahead of its verdict.
    pub fn observed(&mut self, key: &str, check: usize, value: Observed) {
        if let Some(c) = self.process(key).and_then(|p| p.checks.get_mut(check)) {
            c.observed = Some(value);
        }
    }

    /// Check `check` of `key` has its final verdict.
    pub fn verdict(&mut self, key: &str, check: usize, verdict: Verdict) {
        let Some(process) = self.process(key) else {
            return;
        };
        let latency = process
            .started
            .get_mut(check)
            .and_then(Option::take)
            .map(|at| at.elapsed());
        let Some(c) = process.checks.get_mut(check) else {
            return;
        };
        c.last = Some(verdict.kind());
        c.output = match verdict {
            Verdict::Pass => None,
            other => Some(other.to_string()),
        };
        c.time = unix_now();
        c.latency = latency;
        if let Some(d) = latency {
            c.duration_sum += d.as_secs_f64();
            c.duration_count = c.duration_count.saturating_add(1);
        }
        let counter = match verdict.kind() {
            VerdictKind::Pass => &mut c.passes,
            VerdictKind::Fail => &mut c.failures,
            VerdictKind::Error => &mut c.errors,
        };
        *counter = counter.saturating_add(1);
    }

    /// The health machine of `key` is now in `state`, with `budget_left` restarts left.
    pub fn machine(&mut self, key: &str, state: &'static str, budget_left: Option<u32>) {
        let Some(process) = self.process(key) else {
            return;
        };
        process.state = state;
        process.budget_left = budget_left;
    }

    /// A restart of `key` was decided because of `reason` (the ring of recent restarts).
    pub fn restart_asked(&mut self, key: &str, reason: String) {
        self.process(key);
        if self.restarts.len() >= RESTART_HISTORY {
            self.restarts.pop_front();
        }
        self.restarts.push_back(RestartRecord {
            process: key.to_string(),
            reason,
            time: unix_now(),
        });
    }

    /// A restart of `key` was carried out (stopped and started again).
    pub fn restart_done(&mut self, key: &str) {
        let Some(process) = self.process(key) else {
            return;
        };
        process.restarts = process.restarts.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::check::verdict::FailReason;

    #[test]
    fn restart_ring_keeps_only_the_latest() {
        let mut record = Record::new(vec!["http".into()]);
        for i in 0..(RESTART_HISTORY + 5) {
            record.restart_asked("web:a", format!("reason {i}"));
            record.restart_done("web:a");
        }
        assert_eq!(record.restarts.len(), RESTART_HISTORY);
        assert_eq!(
            record.restarts.front().map(|r| r.reason.as_str()),
            Some("reason 5")
        );
        assert_eq!(
            record.processes.get("web:a").map(|p| p.restarts),
            Some(RESTART_HISTORY as u64 + 5)
        );
    }

    #[test]
    fn verdicts_are_counted_and_timed() {
        let mut record = Record::new(vec!["http".into(), "memory".into()]);
        record.probe_started("web:a", 0);
        record.verdict("web:a", 0, Verdict::Fail(FailReason::ConnectionRefused));
        record.verdict("web:a", 1, Verdict::Pass);
        let p = &record.processes["web:a"];
        assert_eq!(p.checks[0].failures, 1);
        assert!(p.checks[0].latency.is_some());
        assert!(p.checks[0].output.is_some());
        assert_eq!(p.checks[1].passes, 1);
        assert!(p.checks[1].latency.is_none(), "never started: no latency");
        assert!(p.checks[1].output.is_none());
    }

    #[test]
    fn pages_see_the_processes_in_name_order() {
        let mut record = Record::new(vec!["http".into()]);
        for key in ["web:web_10", "api:b", "web:web_9", "api:a"] {
            record.probe_started(key, 0);
        }
        let names: Vec<&str> = record.sorted().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["api:a", "api:b", "web:web_10", "web:web_9"]);
        record.retain(|key| key.starts_with("web:"));
        let names: Vec<&str> = record.sorted().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["web:web_10", "web:web_9"]);
    }
}
