//! Behaviours of the health state machine, in virtual time: a fake clock that
//! jumps from tick to tick and to the deadlines the machine asks for.
#![allow(clippy::unwrap_used)]

use supercheck_core::check::retry::Exponential;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::health::{
    BudgetSpec, Decision, HealthMachine, Policy, State, Suppression, WindowSpec,
};
use supercheck_core::time::{Duration, Instant};

const REFUSED: FailReason = FailReason::ConnectionRefused;
const FAIL: Verdict = Verdict::Fail(REFUSED);
const PASS: Verdict = Verdict::Pass;
const ERROR: Verdict = Verdict::Error(CheckError::ProcessVanished);

/// A target under test: its machine, a fake clock and the process start time.
struct Target {
    machine: HealthMachine,
    now: Instant,
    started: Option<Instant>,
}

impl Target {
    fn new(policy: Policy) -> Self {
        Self {
            machine: HealthMachine::new(policy).unwrap(),
            now: Instant::ZERO,
            started: None,
        }
    }

    /// Advances the clock by `secs` and feeds `verdict`.
    fn after(&mut self, secs: u64, verdict: Verdict) -> Decision {
        self.now = self.now + Duration::from_secs(secs);
        self.machine.observe(self.now, verdict, self.started)
    }

    /// Feeds verdicts one tick (5 s) apart and returns every decision.
    fn ticks<const N: usize>(&mut self, verdicts: [Verdict; N]) -> [Decision; N] {
        verdicts.map(|v| self.after(5, v))
    }

    /// Restarts the target now, as a driver does after `Decision::Restart`.
    fn restart(&mut self) {
        self.machine.restarted(self.now);
        self.started = Some(self.now);
    }

    /// Jumps the clock to the machine's deadline and handles it.
    fn jump_to_deadline(&mut self) -> Decision {
        self.now = self.machine.poll_at().unwrap();
        self.machine.handle_timeout(self.now, self.started)
    }
}

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

#[test]
fn default_policy_restarts_on_the_first_failure() {
    let mut t = Target::new(Policy::default());
    assert_eq!(t.after(5, PASS), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Healthy);
    assert_eq!(t.after(5, FAIL), Decision::Restart(REFUSED));
    assert_eq!(t.machine.state(), State::Unhealthy);
}

#[test]
fn threshold_three_needs_three_consecutive_failures() {
    let mut t = Target::new(Policy {
        failure_threshold: 3,
        ..Policy::default()
    });
    let decisions = t.ticks([FAIL, FAIL, FAIL]);
    assert_eq!(
        decisions,
        [
            Decision::Nothing,
            Decision::Nothing,
            Decision::Restart(REFUSED)
        ]
    );
}

#[test]
fn a_pass_in_between_resets_the_failure_count() {
    let mut t = Target::new(Policy {
        failure_threshold: 3,
        ..Policy::default()
    });
    let decisions = t.ticks([FAIL, FAIL, PASS, FAIL, FAIL]);
    assert!(decisions.iter().all(|d| *d == Decision::Nothing));
    assert_eq!(t.machine.state(), State::Degraded);
    assert_eq!(t.machine.counters().consecutive_failures, 2);
    assert_eq!(t.after(5, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn three_of_five_window_catches_flapping_that_consecutive_counting_misses() {
    let flapping = [FAIL, PASS, FAIL, PASS, FAIL, PASS, FAIL];
    let consecutive_only = Policy {
        failure_threshold: 2,
        ..Policy::default()
    };
    let mut plain = Target::new(consecutive_only);
    assert!(
        plain
            .ticks(flapping)
            .iter()
            .all(|d| *d == Decision::Nothing)
    );

    let mut windowed = Target::new(Policy {
        window: Some(WindowSpec { failures: 3, of: 5 }),
        ..consecutive_only
    });
    let decisions = windowed.ticks(flapping);
    assert_eq!(decisions[4], Decision::Restart(REFUSED));
    assert!(decisions[..4].iter().all(|d| *d == Decision::Nothing));
}

#[test]
fn grace_suppresses_failures_then_expires() {
    let mut t = Target::new(Policy {
        start_grace: Duration::from_secs(30),
        ..Policy::default()
    });
    t.started = Some(secs(0));
    let until = secs(30);
    assert_eq!(
        t.after(10, FAIL),
        Decision::Suppressed(Suppression::Grace { until })
    );
    assert_eq!(t.machine.counters().consecutive_failures, 0);
    assert_eq!(t.machine.poll_at(), Some(until));
    assert_eq!(t.jump_to_deadline(), Decision::Nothing);
    assert_eq!(t.machine.poll_at(), None);
    assert_eq!(t.after(0, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn our_restart_starts_a_new_grace() {
    let mut t = Target::new(Policy {
        start_grace: Duration::from_secs(30),
        ..Policy::default()
    });
    t.started = Some(secs(0));
    assert_eq!(t.after(40, FAIL), Decision::Restart(REFUSED));
    t.restart();
    assert_eq!(t.machine.state(), State::Restarting);
    assert_eq!(t.machine.poll_at(), Some(secs(70)));
    assert_eq!(
        t.after(29, FAIL),
        Decision::Suppressed(Suppression::Grace { until: secs(70) })
    );
    assert_eq!(t.after(1, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn error_never_restarts_nor_breaks_a_failure_run() {
    let mut t = Target::new(Policy {
        failure_threshold: 2,
        ..Policy::default()
    });
    for _ in 0..100 {
        assert_eq!(t.after(5, ERROR), Decision::Nothing);
    }
    assert_eq!(t.machine.state(), State::Unknown);
    assert_eq!(t.machine.counters().errors, 100);
    assert_eq!(t.machine.last_error(), Some(CheckError::ProcessVanished));
    let decisions = t.ticks([FAIL, ERROR, FAIL]);
    assert_eq!(
        decisions,
        [
            Decision::Nothing,
            Decision::Nothing,
            Decision::Restart(REFUSED)
        ]
    );
    assert_eq!(t.machine.counters().consecutive_errors, 0);
}

fn limited() -> Policy {
    Policy {
        budget: Some(BudgetSpec {
            max_restarts: 3,
            period: Duration::from_secs(600),
        }),
        backoff: Exponential {
            initial: Duration::from_secs(10),
            factor: 2,
            max: Duration::from_secs(300),
        },
        ..Policy::default()
    }
}

/// Restarts at 0, 10 and 30 s, backs off (10 s, then 20 s), and gives up at 70 s.
fn exhaust_budget(t: &mut Target) {
    assert_eq!(t.after(0, FAIL), Decision::Restart(REFUSED));
    t.restart();
    for (wait_until, restarted_at) in [(10, 10), (30, 30)] {
        assert_eq!(
            t.after(5, FAIL),
            Decision::Suppressed(Suppression::Backoff {
                until: secs(wait_until)
            })
        );
        assert_eq!(t.machine.state(), State::Backoff);
        assert_eq!(t.machine.poll_at(), Some(secs(wait_until)));
        assert_eq!(t.jump_to_deadline(), Decision::Restart(REFUSED));
        assert_eq!(t.now, secs(restarted_at));
        t.restart();
    }
    assert_eq!(t.machine.budget_left(t.now), Some(0));
    assert_eq!(
        t.after(5, FAIL),
        Decision::Suppressed(Suppression::Backoff { until: secs(70) })
    );
    assert_eq!(t.jump_to_deadline(), Decision::GaveUp(REFUSED));
    assert_eq!(t.machine.state(), State::GaveUp);
}

#[test]
fn budget_of_three_per_ten_minutes_backs_off_doubling_then_gives_up_once() {
    let mut t = Target::new(limited());
    exhaust_budget(&mut t);
    assert_eq!(t.machine.restarts_in_period(t.now), 3);
    for _ in 0..10 {
        assert_eq!(
            t.after(5, FAIL),
            Decision::Suppressed(Suppression::BudgetExhausted)
        );
    }
    assert_eq!(t.machine.poll_at(), None);
    // Without give_up_reset, passing does not leave GaveUp; reset() does.
    t.ticks([PASS, PASS, PASS]);
    assert_eq!(t.machine.state(), State::GaveUp);
    t.machine.reset();
    assert_eq!(t.machine.state(), State::Unknown);
    assert_eq!(t.after(5, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn gave_up_recovers_after_a_healthy_period_if_configured() {
    let mut t = Target::new(Policy {
        give_up_reset: Some(Duration::from_secs(300)),
        ..limited()
    });
    exhaust_budget(&mut t);
    assert_eq!(t.after(30, PASS), Decision::Nothing);
    assert_eq!(t.after(200, PASS), Decision::Nothing);
    // A failure restarts the healthy period.
    assert_eq!(
        t.after(5, FAIL),
        Decision::Suppressed(Suppression::BudgetExhausted)
    );
    assert_eq!(t.after(5, PASS), Decision::Nothing);
    assert_eq!(t.after(299, PASS), Decision::Nothing);
    assert_eq!(t.after(1, PASS), Decision::Recovered);
    assert_eq!(t.machine.state(), State::Healthy);
    // At 610 s the restart at 30 s is still within the period; the others left it.
    assert_eq!(t.machine.budget_left(t.now), Some(2));
    assert_eq!(t.after(5, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn recovery_from_gave_up_does_not_refill_the_budget_early() {
    let mut t = Target::new(Policy {
        give_up_reset: Some(Duration::from_secs(30)),
        ..limited()
    });
    exhaust_budget(&mut t);
    t.after(5, PASS);
    assert_eq!(t.after(30, PASS), Decision::Recovered);
    // Restarts at 0, 10 and 30 s are still within the 10 min period.
    assert_eq!(t.after(5, FAIL), Decision::GaveUp(REFUSED));
}

#[test]
fn backoff_end_after_a_pass_waits_for_the_next_failure() {
    let mut t = Target::new(Policy {
        success_threshold: 3,
        ..limited()
    });
    assert_eq!(t.after(0, FAIL), Decision::Restart(REFUSED));
    t.restart();
    t.after(5, FAIL);
    assert_eq!(t.after(1, PASS), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Backoff);
    assert_eq!(t.jump_to_deadline(), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Unhealthy);
    assert_eq!(t.machine.poll_at(), None);
    assert_eq!(t.after(5, FAIL), Decision::Restart(REFUSED));
}

#[test]
fn restart_is_asked_again_until_the_driver_confirms_it() {
    let mut t = Target::new(Policy::default());
    assert_eq!(t.ticks([FAIL, FAIL]), [Decision::Restart(REFUSED); 2]);
    assert_eq!(t.machine.ledger().total(), 0);
    t.restart();
    assert_eq!(t.machine.ledger().total(), 1);
}

#[test]
fn recovery_after_a_restart_is_reported_once() {
    let mut t = Target::new(Policy::default());
    t.after(5, FAIL);
    t.restart();
    assert_eq!(
        t.ticks([PASS, PASS]),
        [Decision::Recovered, Decision::Nothing]
    );
}

#[test]
fn degraded_back_to_healthy_is_not_a_recovery() {
    let mut t = Target::new(Policy {
        failure_threshold: 2,
        ..Policy::default()
    });
    assert_eq!(t.ticks([PASS, FAIL, PASS]), [Decision::Nothing; 3]);
    assert_eq!(t.machine.state(), State::Healthy);
}

#[test]
fn newer_start_time_means_an_outside_restart_and_resets_the_counts() {
    let mut t = Target::new(Policy {
        failure_threshold: 3,
        ..Policy::default()
    });
    t.started = Some(secs(0));
    t.ticks([FAIL, FAIL]);
    t.started = Some(secs(9));
    assert_eq!(t.after(5, FAIL), Decision::Nothing);
    assert_eq!(t.machine.counters().consecutive_failures, 1);
    assert_eq!(t.machine.ledger().total(), 0);
}

#[test]
fn poll_at_points_at_the_grace_end_only_while_grace_lasts() {
    let mut t = Target::new(Policy {
        start_grace: Duration::from_secs(60),
        ..limited()
    });
    assert_eq!(t.machine.poll_at(), None);
    t.started = Some(secs(100));
    t.after(110, PASS);
    assert_eq!(t.machine.poll_at(), Some(secs(160)));
    t.after(50, PASS);
    assert_eq!(t.machine.poll_at(), None);
}

#[test]
fn healthcheck_server_flavour_degrades_on_the_first_failure_and_needs_both_thresholds() {
    let mut t = Target::new(Policy::monitor(3, 4).unwrap());
    t.ticks([PASS; 4]);
    assert_eq!(t.machine.state(), State::Healthy);
    assert_eq!(t.after(5, FAIL), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Degraded);
    assert_eq!(t.after(5, FAIL), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Degraded);
    assert_eq!(t.after(5, FAIL), Decision::Unhealthy(REFUSED));
    assert_eq!(t.machine.state(), State::Unhealthy);
    assert_eq!(t.after(5, FAIL), Decision::Nothing);
    // Healthy again only after four passes in a row; a failure starts over.
    assert_eq!(t.ticks([PASS, PASS, PASS, FAIL]), [Decision::Nothing; 4]);
    assert_eq!(t.machine.state(), State::Unhealthy);
    assert_eq!(
        t.ticks([PASS, PASS, PASS, PASS]),
        [
            Decision::Nothing,
            Decision::Nothing,
            Decision::Nothing,
            Decision::Recovered
        ]
    );
    assert_eq!(t.machine.state(), State::Healthy);
}

#[test]
fn healthcheck_server_flavour_starts_unknown_until_enough_passes() {
    let mut t = Target::new(Policy::monitor(2, 3).unwrap());
    t.ticks([PASS, PASS]);
    assert_eq!(t.machine.state(), State::Unknown);
    t.after(5, PASS);
    assert_eq!(t.machine.state(), State::Healthy);
    // A degraded target needs the full healthy threshold too, and it is no recovery.
    assert_eq!(t.ticks([FAIL, PASS, PASS]), [Decision::Nothing; 3]);
    assert_eq!(t.machine.state(), State::Degraded);
    assert_eq!(t.after(5, PASS), Decision::Nothing);
    assert_eq!(t.machine.state(), State::Healthy);
}
