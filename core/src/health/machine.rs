//! [`HealthMachine`]: one target's health state machine, sans-IO.
//!
//! The driver feeds it verdicts ([`HealthMachine::observe`]), tells it when it
//! restarted the target ([`HealthMachine::restarted`]), wakes it at
//! [`HealthMachine::poll_at`] ([`HealthMachine::handle_timeout`]) and carries out
//! the returned [`Decision`]s. The transition table is in the [`crate::health`] docs.

use crate::check::verdict::{CheckError, FailReason, Verdict};
use crate::health::budget::RestartLedger;
use crate::health::decision::{Counters, Decision, State, Suppression};
use crate::health::policy::{Policy, PolicyError};
use crate::health::window::FailureWindow;
use crate::time::Instant;

/// The health state machine of one target. See the [`crate::health`] docs.
#[derive(Clone, Debug)]
pub struct HealthMachine {
    policy: Policy,
    state: State,
    counters: Counters,
    window: FailureWindow,
    ledger: RestartLedger,
    /// Latest process start time seen (None right after our own restart).
    started_at: Option<Instant>,
    /// When the driver last restarted the target.
    restarted_at: Option<Instant>,
    backoff_until: Option<Instant>,
    /// First pass of the current run of passes.
    passing_since: Option<Instant>,
    last_reason: Option<FailReason>,
    last_error: Option<CheckError>,
    was_unhealthy: bool,
    /// Latest `now` given by any input.
    now: Option<Instant>,
}

impl HealthMachine {
    /// A machine in state [`State::Unknown`].
    ///
    /// # Errors
    /// The [`PolicyError`] of [`Policy::validate`].
    pub fn new(policy: Policy) -> Result<Self, PolicyError> {
        policy.validate()?;
        Ok(Self {
            policy,
            state: State::Unknown,
            counters: Counters::default(),
            window: FailureWindow::new(),
            ledger: RestartLedger::new(),
            started_at: None,
            restarted_at: None,
            backoff_until: None,
            passing_since: None,
            last_reason: None,
            last_error: None,
            was_unhealthy: false,
            now: None,
        })
    }

    /// Feeds one verdict observed at `now`. `started_at` is when the process
    /// started (supervisord's process-info `start`, on the same clock as `now`),
    /// if known: the start grace counts from it, and a later start time than
    /// before means someone else restarted the process, which resets the failure counters.
    pub fn observe(
        &mut self,
        now: Instant,
        verdict: Verdict,
        started_at: Option<Instant>,
    ) -> Decision {
        self.touch(now);
        self.note_start(started_at);
        match verdict {
            Verdict::Pass => self.on_pass(now),
            Verdict::Fail(reason) => self.on_fail(now, reason),
            Verdict::Error(error) => {
                self.counters.consecutive_errors =
                    self.counters.consecutive_errors.saturating_add(1);
                self.counters.errors = self.counters.errors.saturating_add(1);
                self.last_error = Some(error);
                Decision::Nothing
            }
        }
    }

    /// Records that the driver restarted the target at `now`: counts against the
    /// budget, extends the back-off streak, resets the failure counters and
    /// restarts the grace period. The state becomes [`State::Restarting`] (a machine
    /// that gave up stays [`State::GaveUp`]).
    pub fn restarted(&mut self, now: Instant) {
        self.touch(now);
        self.ledger.record(now);
        self.restarted_at = Some(now);
        self.started_at = None;
        self.clear_run();
        if self.state != State::GaveUp {
            self.state = State::Restarting;
        }
    }

    /// The next instant the machine wants [`HealthMachine::handle_timeout`] called:
    /// the end of a back-off (the restart is due then) or of the start grace (the
    /// driver may probe at once). `None` when nothing is pending.
    pub fn poll_at(&self) -> Option<Instant> {
        let backoff = match self.state {
            State::Backoff => self.backoff_until,
            _ => None,
        };
        let grace = self
            .grace_until()
            .filter(|&until| self.now.is_none_or(|now| now < until));
        match (backoff, grace) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Advances the machine to `now`. When a back-off has ended and the target is
    /// still failing, this is where the delayed [`Decision::Restart`] (or
    /// [`Decision::GaveUp`]) comes out. `started_at` is the latest process start
    /// time the driver knows, as for [`HealthMachine::observe`]: a restart by
    /// someone else during the back-off cancels the delayed restart.
    pub fn handle_timeout(&mut self, now: Instant, started_at: Option<Instant>) -> Decision {
        self.touch(now);
        self.note_start(started_at);
        match (self.state, self.backoff_until, self.last_reason) {
            (State::Backoff, Some(until), Some(reason)) if now >= until => {
                if self.counters.consecutive_failures > 0 {
                    self.try_restart(now, reason)
                } else {
                    // A pass came in meanwhile: restart only on the next failure.
                    self.state = State::Unhealthy;
                    self.backoff_until = None;
                    Decision::Nothing
                }
            }
            _ => Decision::Nothing,
        }
    }

    /// Forgets everything but the totals: back to [`State::Unknown`] with a full
    /// budget (an operator's "try again" after [`State::GaveUp`]).
    pub fn reset(&mut self) {
        self.ledger.forget();
        self.clear_run();
        self.state = State::Unknown;
        self.was_unhealthy = false;
        self.restarted_at = None;
        self.started_at = None;
    }

    /// The current state.
    pub const fn state(&self) -> State {
        self.state
    }

    /// The policy the machine applies.
    pub const fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verdict counters.
    pub const fn counters(&self) -> Counters {
        self.counters
    }

    /// The restart history (streak, total, last restart).
    pub const fn ledger(&self) -> &RestartLedger {
        &self.ledger
    }

    /// Restarts within the budget period ending at `now` (0 without a budget).
    pub fn restarts_in_period(&self, now: Instant) -> u32 {
        self.policy
            .budget
            .map_or(0, |b| self.ledger.restarts_within(now, b.period))
    }

    /// Restarts the budget still allows at `now`; `None` when unlimited.
    pub fn budget_left(&self, now: Instant) -> Option<u32> {
        self.ledger.budget_left(now, self.policy.budget)
    }

    /// The reason of the latest failure, for status pages.
    pub const fn last_reason(&self) -> Option<FailReason> {
        self.last_reason
    }

    /// The latest checker error.
    pub const fn last_error(&self) -> Option<CheckError> {
        self.last_error
    }

    /// End of the current start grace, if a start or restart time is known and a
    /// grace is configured (it may already be past).
    pub fn grace_until(&self) -> Option<Instant> {
        if self.policy.start_grace == crate::time::Duration::ZERO {
            return None;
        }
        let from = match (self.started_at, self.restarted_at) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        };
        Some(from + self.policy.start_grace)
    }

    fn touch(&mut self, now: Instant) {
        self.now = Some(self.now.map_or(now, |seen| seen.max(now)));
    }

    fn note_start(&mut self, started_at: Option<Instant>) {
        let Some(start) = started_at else { return };
        match self.started_at {
            None => self.started_at = Some(start),
            Some(seen) if start > seen => {
                info!("process restarted outside this checker; failure counters reset");
                self.started_at = Some(start);
                self.clear_run();
                if self.state != State::GaveUp {
                    self.state = State::Restarting;
                }
            }
            Some(_) => {}
        }
    }

    /// Resets the per-run counters: consecutive counts, window, back-off wait.
    fn clear_run(&mut self) {
        self.counters.consecutive_failures = 0;
        self.counters.consecutive_passes = 0;
        self.window.clear();
        self.backoff_until = None;
        self.passing_since = None;
    }

    fn on_pass(&mut self, now: Instant) -> Decision {
        let c = &mut self.counters;
        c.passes = c.passes.saturating_add(1);
        c.consecutive_errors = 0;
        c.consecutive_failures = 0;
        if c.consecutive_passes == 0 {
            self.passing_since = Some(now);
        }
        c.consecutive_passes = c.consecutive_passes.saturating_add(1);
        let enough = c.consecutive_passes >= u32::from(self.policy.success_threshold);
        self.window.record(false);
        match self.state {
            State::Healthy => Decision::Nothing,
            State::GaveUp => {
                let lasted = self.passing_since.map(|since| now.saturating_since(since));
                match (self.policy.give_up_reset, lasted) {
                    (Some(needed), Some(lasted)) if enough && lasted >= needed => {
                        // The budget keeps sliding: restarts resume only as it frees up.
                        info!("healthy again after giving up; restarts resume");
                        self.window.clear();
                        self.become_healthy()
                    }
                    _ => Decision::Nothing,
                }
            }
            _ if enough => self.become_healthy(),
            _ => Decision::Nothing,
        }
    }

    fn become_healthy(&mut self) -> Decision {
        self.state = State::Healthy;
        self.backoff_until = None;
        if self.was_unhealthy {
            self.was_unhealthy = false;
            self.ledger.end_streak();
            info!("target recovered");
            Decision::Recovered
        } else {
            Decision::Nothing
        }
    }

    fn on_fail(&mut self, now: Instant, reason: FailReason) -> Decision {
        self.counters.failures = self.counters.failures.saturating_add(1);
        self.counters.consecutive_errors = 0;
        self.last_reason = Some(reason);
        if self.state == State::GaveUp {
            self.count_failure();
            return Decision::Suppressed(Suppression::BudgetExhausted);
        }
        if let Some(until) = self.grace_until().filter(|&until| now < until) {
            debug!("failure ignored during the start grace");
            return Decision::Suppressed(Suppression::Grace { until });
        }
        self.count_failure();
        self.window.record(true);
        let consecutive =
            self.counters.consecutive_failures >= u32::from(self.policy.failure_threshold);
        let windowed = self
            .policy
            .window
            .is_some_and(|w| self.window.failures_in_last(w.of) >= u32::from(w.failures));
        let already = self.state.is_unhealthy();
        if !already && !consecutive && !windowed {
            self.state = State::Degraded;
            return Decision::Nothing;
        }
        self.was_unhealthy = true;
        if self.policy.restart {
            return self.try_restart(now, reason);
        }
        self.state = State::Unhealthy;
        if already {
            Decision::Nothing
        } else {
            warn!("target unhealthy: {}", reason);
            Decision::Unhealthy(reason)
        }
    }

    fn count_failure(&mut self) {
        let c = &mut self.counters;
        c.consecutive_failures = c.consecutive_failures.saturating_add(1);
        c.consecutive_passes = 0;
        self.passing_since = None;
    }

    /// Restart now if back-off and budget allow; else back off or give up.
    fn try_restart(&mut self, now: Instant, reason: FailReason) -> Decision {
        if let Some(until) = self.ledger.next_allowed(&self.policy.backoff) {
            if now < until {
                self.state = State::Backoff;
                self.backoff_until = Some(until);
                return Decision::Suppressed(Suppression::Backoff { until });
            }
        }
        self.backoff_until = None;
        if self.ledger.exhausted(now, self.policy.budget) {
            self.state = State::GaveUp;
            self.passing_since = None;
            self.counters.consecutive_passes = 0;
            error!("restart budget exhausted, giving up: {}", reason);
            return Decision::GaveUp(reason);
        }
        self.state = State::Unhealthy;
        info!("restart asked: {}", reason);
        Decision::Restart(reason)
    }
}
