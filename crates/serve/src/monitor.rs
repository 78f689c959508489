//! One registered monitor: its [`MonitorSpec`], its health machine (the
//! core's [`HealthMachine`] under [`Policy::monitor`]), what its probes saw,
//! and the [`Saved`] form that the store writes.
//!
//! ## States and transitions
//!
//! The machine runs in monitor mode: it never restarts anything, it only
//! reports. `u` is `unhealthy_threshold`, `h` is `healthy_threshold` (both 2-10).
//!
//! | from | probe | condition | to |
//! |---|---|---|---|
//! | UNKNOWN | pass | fewer than `h` passes in a row | UNKNOWN |
//! | UNKNOWN, DEGRADED, UNHEALTHY | pass | `h` passes in a row | HEALTHY |
//! | UNKNOWN, HEALTHY | fail | fewer than `u` failures in a row | DEGRADED |
//! | UNKNOWN, HEALTHY, DEGRADED | fail | `u` failures in a row | UNHEALTHY |
//! | DEGRADED | pass | fewer than `h` passes in a row | DEGRADED |
//! | UNHEALTHY | pass | fewer than `h` passes in a row | UNHEALTHY |
//! | HEALTHY | pass | | HEALTHY |
//! | UNHEALTHY | fail | | UNHEALTHY |
//!
//! A failure resets the run of passes and a pass the run of failures, so
//! both thresholds mean "in a row" (HealthCheck.Server hard-codes DEGRADING
//! at the second failure and lets passes in UNHEALTHY accumulate across
//! failures; spec 5.1). Pausing stops the probes and keeps the state.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use supercheck_core::check::verdict::{FailReason, Verdict};
use supercheck_core::health::{HealthMachine, Policy, PolicyError, State};
use supercheck_core::time::Instant as CoreInstant;

use super::spec::MonitorSpec;
use supercheck_frontend::state::unix_now;
use supercheck_runtime::timers::TimerId;
use supercheck_wire::http_url::HttpUrl;

/// Probe results kept per monitor for `info` and the API.
pub const HISTORY: usize = 10;

/// The state names the API shows (HealthCheck.Server's, upper case).
pub fn state_name(state: State) -> &'static str {
    match state {
        State::Unknown => "UNKNOWN",
        State::Healthy => "HEALTHY",
        State::Degraded => "DEGRADED",
        // Restarting, Backoff and GaveUp never happen in monitor mode.
        _ => "UNHEALTHY",
    }
}

/// The machine state for a saved name.
fn parse_state(name: &str) -> Option<State> {
    Some(match name {
        "UNKNOWN" => State::Unknown,
        "HEALTHY" => State::Healthy,
        "DEGRADED" => State::Degraded,
        "UNHEALTHY" => State::Unhealthy,
        _ => return None,
    })
}

/// One probe's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Unix time the probe ended.
    pub time: f64,
    /// The HTTP status; 0 when there was no response.
    pub code: u16,
    /// Whether it counted as healthy.
    pub healthy: bool,
}

/// What a probe found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The HTTP status; 0 without a response.
    pub code: u16,
    /// Why it was not healthy (`None` when it was).
    pub problem: Option<String>,
    /// The verdict for the machine.
    pub verdict: Verdict,
    /// How long the probe took.
    pub duration: Duration,
}

/// A state change, for notifications and the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
}

/// Everything the store keeps of one monitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// The registration.
    pub spec: MonitorSpec,
    /// Whether probing is paused.
    pub paused: bool,
    /// `UNKNOWN`, `HEALTHY`, `DEGRADED` or `UNHEALTHY`.
    pub state: String,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// Passes in a row.
    pub consecutive_passes: u32,
    /// Healthy probes so far.
    pub passes: u64,
    /// Unhealthy probes so far.
    pub failures: u64,
    /// State changes so far.
    pub transitions: u64,
    /// Unix time of the latest probe.
    pub last_check: Option<f64>,
    /// Unix time of the latest healthy probe.
    pub last_healthy: Option<f64>,
    /// Why the latest probe was unhealthy.
    pub last_output: Option<String>,
    /// The latest probes, oldest first.
    pub history: Vec<ProbeRecord>,
}

/// A registered monitor at run time.
#[derive(Debug)]
pub struct Monitor {
    /// The registration.
    pub spec: MonitorSpec,
    /// The parsed probe URL.
    pub target: HttpUrl,
    /// Whether probing is paused.
    pub paused: bool,
    machine: HealthMachine,
    /// Healthy probes so far.
    pub passes: u64,
    /// Unhealthy probes so far.
    pub failures: u64,
    /// State changes so far.
    pub transitions: u64,
    /// Unix time of the latest probe.
    pub last_check: Option<f64>,
    /// Unix time of the latest healthy probe.
    pub last_healthy: Option<f64>,
    /// Why the latest probe was unhealthy.
    pub last_output: Option<String>,
    /// The latest probe's duration.
    pub last_duration: Option<Duration>,
    /// Sum of probe durations, seconds (metrics).
    pub duration_sum: f64,
    /// Probes timed (metrics).
    pub duration_count: u64,
    /// The latest probes.
    pub history: VecDeque<ProbeRecord>,
    /// Bumped on every pause, resume and re-registration, so that a probe or
    /// timer of an older generation is ignored.
    pub generation: u64,
    /// The timer of the next probe, when one is scheduled.
    pub next_probe: Option<TimerId>,
}

impl Monitor {
    /// A new monitor in UNKNOWN.
    ///
    /// # Errors
    /// A [`PolicyError`] when a threshold is out of range (validated before).
    pub fn new(spec: MonitorSpec, target: HttpUrl) -> Result<Self, PolicyError> {
        let policy = Policy::monitor(spec.unhealthy_threshold, spec.healthy_threshold)?;
        Ok(Self {
            spec,
            target,
            paused: false,
            machine: HealthMachine::new(policy)?,
            passes: 0,
            failures: 0,
            transitions: 0,
            last_check: None,
            last_healthy: None,
            last_output: None,
            last_duration: None,
            duration_sum: 0.0,
            duration_count: 0,
            history: VecDeque::new(),
            generation: 0,
            next_probe: None,
        })
    }

    /// The URL probed.
    pub fn target_url(&self) -> String {
        self.spec.probe_url()
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.machine.state()
    }

    /// Failures and passes in a row.
    pub fn runs(&self) -> (u32, u32) {
        let c = self.machine.counters();
        (c.consecutive_failures, c.consecutive_passes)
    }

    /// Feeds one probe's outcome at `now`; the transition, if the state changed.
    pub fn observe(&mut self, now: CoreInstant, outcome: &Outcome) -> Option<Transition> {
        let from = self.machine.state();
        self.machine.observe(now, outcome.verdict, None);
        let time = unix_now();
        let healthy = outcome.problem.is_none();
        if healthy {
            self.passes = self.passes.saturating_add(1);
            self.last_healthy = Some(time);
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        self.last_check = Some(time);
        self.last_output.clone_from(&outcome.problem);
        self.last_duration = Some(outcome.duration);
        self.duration_sum += outcome.duration.as_secs_f64();
        self.duration_count = self.duration_count.saturating_add(1);
        if self.history.len() >= HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(ProbeRecord {
            time,
            code: outcome.code,
            healthy,
        });
        let to = self.machine.state();
        (from != to).then(|| {
            self.transitions = self.transitions.saturating_add(1);
            Transition { from, to }
        })
    }

    /// The form the store writes.
    pub fn saved(&self) -> Saved {
        let (consecutive_failures, consecutive_passes) = self.runs();
        Saved {
            spec: self.spec.clone(),
            paused: self.paused,
            state: state_name(self.state()).to_string(),
            consecutive_failures,
            consecutive_passes,
            passes: self.passes,
            failures: self.failures,
            transitions: self.transitions,
            last_check: self.last_check,
            last_healthy: self.last_healthy,
            last_output: self.last_output.clone(),
            history: self.history.iter().cloned().collect(),
        }
    }

    /// A monitor back from the store, in the saved state with the saved runs
    /// of failures and passes.
    ///
    /// The core machine has no setter (on purpose: its invariants hold by
    /// construction), so the state is reached by replaying the shortest run
    /// of verdicts that leads to it, at instant 0, before any real probe. A
    /// run longer than its threshold comes back as the threshold (the machine
    /// decides nothing more from it).
    ///
    /// # Errors
    /// A message when the spec, the URL or the state name is not valid.
    pub fn restore(saved: Saved) -> Result<Self, String> {
        let target = saved
            .spec
            .validate()
            .map_err(|e| format!("monitor {:?}: {e}", saved.spec.name))?;
        let state = parse_state(&saved.state).ok_or_else(|| {
            format!(
                "monitor {:?}: unknown state {:?}",
                saved.spec.name, saved.state
            )
        })?;
        let mut monitor = Self::new(saved.spec, target).map_err(|e| e.to_string())?;
        let (u, h) = (
            u32::from(monitor.spec.unhealthy_threshold),
            u32::from(monitor.spec.healthy_threshold),
        );
        let fails = |n: u32| (0..n).map(|_| Verdict::Fail(FailReason::ConnectionRefused));
        let passes = |n: u32| (0..n).map(|_| Verdict::Pass);
        let f = saved.consecutive_failures;
        let p = saved.consecutive_passes;
        let replay: Vec<Verdict> = match state {
            State::Unknown => passes(p.min(h - 1)).collect(),
            State::Healthy => passes(h).collect(),
            State::Degraded if f > 0 => fails(f.min(u - 1)).collect(),
            State::Degraded => fails(1).chain(passes(p.min(h - 1))).collect(),
            _ => fails(u).chain(passes(p.min(h - 1))).collect(),
        };
        for verdict in replay {
            monitor.machine.observe(CoreInstant::ZERO, verdict, None);
        }
        monitor.paused = saved.paused;
        monitor.passes = saved.passes;
        monitor.failures = saved.failures;
        monitor.transitions = saved.transitions;
        monitor.last_check = saved.last_check;
        monitor.last_healthy = saved.last_healthy;
        monitor.last_output = saved.last_output;
        monitor.history = saved
            .history
            .into_iter()
            .rev()
            .take(HISTORY)
            .rev()
            .collect();
        Ok(monitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::spec::{NotifyTargets, Origin};

    fn monitor(u: u16, h: u16) -> Monitor {
        let spec = MonitorSpec {
            name: "web".into(),
            url: "http://127.0.0.1:1/".into(),
            timeout_s: 2,
            interval_s: 5,
            unhealthy_threshold: u,
            healthy_threshold: h,
            notify: NotifyTargets::default(),
            origin: Origin::Api,
        };
        let target = spec.validate().unwrap();
        Monitor::new(spec, target).unwrap()
    }

    fn outcome(pass: bool) -> Outcome {
        Outcome {
            code: if pass { 200 } else { 500 },
            problem: (!pass).then(|| "HTTP 500".to_string()),
            verdict: if pass {
                Verdict::Pass
            } else {
                Verdict::Fail(FailReason::BadStatus { code: 500 })
            },
            duration: Duration::from_millis(3),
        }
    }

    fn feed(m: &mut Monitor, seq: &[bool]) -> Vec<&'static str> {
        seq.iter()
            .enumerate()
            .map(|(i, &pass)| {
                m.observe(CoreInstant::from_secs(i as u64), &outcome(pass));
                state_name(m.state())
            })
            .collect()
    }

    #[test]
    fn thresholds_in_a_row_drive_the_four_states() {
        let mut m = monitor(3, 2);
        assert_eq!(
            feed(
                &mut m,
                &[true, true, false, false, false, true, false, true, true]
            ),
            [
                "UNKNOWN",
                "HEALTHY",
                "DEGRADED",
                "DEGRADED",
                "UNHEALTHY",
                "UNHEALTHY",
                "UNHEALTHY",
                "UNHEALTHY",
                "HEALTHY"
            ]
        );
        assert_eq!(m.transitions, 4);
        assert_eq!(m.history.len(), 9);
    }

    #[test]
    fn every_saved_state_comes_back_with_its_runs() {
        for seq in [
            &[true][..],
            &[true, true, true],
            &[false],
            &[true, true, false, true],
            &[false, false, false, true],
            &[false, false],
        ] {
            let mut m = monitor(3, 3);
            feed(&mut m, seq);
            let saved = m.saved();
            let back = Monitor::restore(saved.clone()).unwrap();
            assert_eq!(back.saved(), saved, "{seq:?}");
        }
    }
}
