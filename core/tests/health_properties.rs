//! Properties of the health state machine over arbitrary verdict sequences,
//! driven like a real driver would: restart when told, wake at `poll_at`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use supercheck_core::check::retry::Exponential;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::health::{BudgetSpec, Decision, HealthMachine, Policy, State, WindowSpec};
use supercheck_core::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
enum Input {
    Pass,
    Fail,
    Error,
    /// Jump to `poll_at` (if any) and handle the timeout.
    Timeout,
    /// Someone else restarted the process now.
    OutsideRestart,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => Just(Input::Pass),
        5 => Just(Input::Fail),
        1 => Just(Input::Error),
        2 => Just(Input::Timeout),
        1 => Just(Input::OutsideRestart),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        1u16..5,
        1u16..4,
        proptest::option::of((1u8..6, 0u8..4).prop_map(|(x, extra)| WindowSpec {
            failures: x,
            of: x + extra,
        })),
        0u64..90,
        (0u8..6, 30u64..900),
        0u64..30,
        proptest::option::of(0u64..600),
        any::<bool>(),
    )
        .prop_map(
            |(fail, pass, window, grace, (max, period), backoff, reset, restart)| Policy {
                failure_threshold: fail,
                success_threshold: pass,
                window,
                start_grace: Duration::from_secs(grace),
                restart,
                budget: Some(BudgetSpec {
                    max_restarts: max,
                    period: Duration::from_secs(period),
                }),
                backoff: Exponential {
                    initial: Duration::from_secs(backoff),
                    factor: 2,
                    max: Duration::from_secs(120),
                },
                give_up_reset: reset.map(Duration::from_secs),
            },
        )
}

/// What happened while driving a machine.
#[derive(Default)]
struct Trace {
    restarts: Vec<Instant>,
    decisions: Vec<Decision>,
}

/// Drives a machine through `steps` (gap in seconds, input), restarting on every
/// `Restart` unless `ignore` says the driver could not. Checks the grace rule on
/// every restart decision.
fn drive(policy: Policy, steps: &[(u64, Input, bool)]) -> Trace {
    let mut machine = HealthMachine::new(policy).unwrap();
    let mut now = Instant::ZERO;
    let mut started = Instant::ZERO;
    let mut last_restart: Option<Instant> = None;
    let mut trace = Trace::default();
    for &(gap, input, ignore) in steps {
        now = now + Duration::from_secs(gap);
        let decision = match input {
            Input::Pass => machine.observe(now, Verdict::Pass, Some(started)),
            Input::Fail => machine.observe(
                now,
                Verdict::Fail(FailReason::ConnectionRefused),
                Some(started),
            ),
            Input::Error => machine.observe(
                now,
                Verdict::Error(CheckError::ProcessVanished),
                Some(started),
            ),
            Input::Timeout => match machine.poll_at() {
                Some(at) => {
                    now = now.max(at);
                    machine.handle_timeout(now, Some(started))
                }
                None => Decision::Nothing,
            },
            Input::OutsideRestart => {
                started = now;
                Decision::Nothing
            }
        };
        if let Decision::Restart(_) = decision {
            let grace = policy.start_grace;
            assert!(
                now >= started + grace,
                "restart at {now} in grace from start {started}"
            );
            if let Some(r) = last_restart {
                assert!(
                    now >= r + grace,
                    "restart at {now} in grace from restart {r}"
                );
            }
            assert!(policy.restart, "monitor policy asked for a restart");
            if !ignore {
                machine.restarted(now);
                trace.restarts.push(now);
                last_restart = Some(now);
                started = now;
            }
        }
        trace.decisions.push(decision);
    }
    trace
}

fn steps() -> impl Strategy<Value = Vec<(u64, Input, bool)>> {
    proptest::collection::vec((0u64..40, input(), proptest::bool::weighted(0.2)), 0..200)
}

proptest! {
    #[test]
    fn restarts_never_exceed_the_budget_within_its_period(policy in policy(), steps in steps()) {
        let trace = drive(policy, &steps);
        let budget = policy.budget.unwrap();
        for (i, &t) in trace.restarts.iter().enumerate() {
            let in_period = trace.restarts[..=i]
                .iter()
                .filter(|&&earlier| t.saturating_since(earlier) < budget.period)
                .count();
            prop_assert!(in_period <= usize::from(budget.max_restarts));
        }
    }

    #[test]
    fn gave_up_is_reported_once_until_recovered(policy in policy(), steps in steps()) {
        let trace = drive(policy, &steps);
        let mut gave_up = false;
        for d in trace.decisions {
            match d {
                Decision::GaveUp(_) => {
                    prop_assert!(!gave_up);
                    gave_up = true;
                }
                Decision::Recovered => gave_up = false,
                Decision::Restart(_) => prop_assert!(!gave_up),
                _ => {}
            }
        }
    }

    #[test]
    fn errors_alone_never_restart_nor_change_the_state(
        policy in policy(),
        gaps in proptest::collection::vec((0u64..40, any::<bool>()), 0..200),
    ) {
        let steps: Vec<_> = gaps
            .into_iter()
            .map(|(gap, timeout)| (gap, if timeout { Input::Timeout } else { Input::Error }, false))
            .collect();
        let trace = drive(policy, &steps);
        prop_assert!(trace.decisions.iter().all(|d| *d == Decision::Nothing));
    }

    #[test]
    fn state_matches_the_last_decision(policy in policy(), steps in steps()) {
        let mut machine = HealthMachine::new(policy).unwrap();
        let mut now = Instant::ZERO;
        for (gap, input, _) in steps {
            now = now + Duration::from_secs(gap);
            let verdict = match input {
                Input::Pass => Verdict::Pass,
                Input::Error => Verdict::Error(CheckError::ProcessVanished),
                _ => Verdict::Fail(FailReason::ConnectionRefused),
            };
            match machine.observe(now, verdict, None) {
                Decision::Restart(_) | Decision::Unhealthy(_) => {
                    prop_assert_eq!(machine.state(), State::Unhealthy);
                }
                Decision::GaveUp(_) => prop_assert_eq!(machine.state(), State::GaveUp),
                Decision::Recovered => prop_assert_eq!(machine.state(), State::Healthy),
                _ => {}
            }
            prop_assert!(machine.counters().consecutive_failures == 0
                || machine.counters().consecutive_passes == 0);
        }
    }

    #[test]
    fn any_policy_is_validated_without_panicking(
        fail in any::<u16>(), pass in any::<u16>(), x in any::<u8>(), y in any::<u8>(),
        max in any::<u8>(), period in any::<u64>(),
    ) {
        let policy = Policy {
            failure_threshold: fail,
            success_threshold: pass,
            window: Some(WindowSpec { failures: x, of: y }),
            budget: Some(BudgetSpec { max_restarts: max, period: Duration::from_millis(period) }),
            ..Policy::default()
        };
        let valid = fail > 0 && pass > 0 && x > 0 && x <= y && y <= 64 && max <= 16 && period > 0;
        prop_assert_eq!(HealthMachine::new(policy).is_ok(), valid);
    }
}
