//! The per-target health state machine: thresholds, X-of-Y window, start grace,
//! restart budget with exponential back-off, sans-IO.
//!
//! The Python tools restart on the first failed probe, with no grace, no
//! threshold and no limit (spec 3.3, 3.6 bug 10, superlance #10/#60/#70/#100);
//! HealthCheck.Server has thresholds but hard-codes one of them to 2 (spec 5.1).
//! [`HealthMachine`] does all of it in one place, driven by a [`Policy`] whose
//! default is the drop-in behaviour.
//!
//! ## Driving it (quinn-proto / smoltcp style)
//!
//! 1. [`HealthMachine::observe`]`(now, verdict, started_at)` for each verdict;
//!    carry out the returned [`Decision`].
//! 2. After restarting the target, [`HealthMachine::restarted`]`(now)`.
//! 3. Arm a timer for [`HealthMachine::poll_at`] and call
//!    [`HealthMachine::handle_timeout`]`(now, started_at)` when it fires; carry out its decision.
//!
//! ## Rules
//!
//! * A [`Verdict::Error`](crate::check::verdict::Verdict::Error) never counts as a
//!   failure, never resets a count and never restarts; it is counted apart.
//! * A failure within `start_grace` of the process's start (or of our restart) is
//!   ignored: [`Suppression::Grace`]. Passes during grace count.
//! * Unhealthy = `failure_threshold` failures in a row, **or** X of the last Y
//!   verdicts failed (a flapping service never fails twice in a row).
//! * A restart (ours, or a newer start time seen in `started_at`) resets the
//!   consecutive counters and the window (stack-notes C.10 point 10).
//! * Restart `n` of a streak waits `backoff.delay(n - 1)` after restart `n - 1`; the
//!   streak ends when the target recovers. A restart that would exceed the budget
//!   (`max_restarts` within any `period`) gives up instead. Only [`HealthMachine::reset`]
//!   forgets past restarts: the budget holds in every period, whatever happens.
//!
//! ## Transitions
//!
//! "threshold" = consecutive or windowed threshold reached by this failure;
//! "restart gate" = back-off and budget checked in that order.
//!
//! | from | input | condition | to | decision |
//! |---|---|---|---|---|
//! | any | error | | same | `Nothing` |
//! | any but GaveUp | fail | in grace | same | `Suppressed(Grace)` |
//! | Unknown, Healthy, Restarting, Degraded | fail | below threshold | Degraded | `Nothing` |
//! | Unknown, Healthy, Restarting, Degraded | fail | threshold, monitor mode | Unhealthy | `Unhealthy(reason)` |
//! | Unhealthy | fail | monitor mode | Unhealthy | `Nothing` |
//! | any unhealthy or at threshold | fail | gate: back-off running | Backoff | `Suppressed(Backoff { until })` |
//! | any unhealthy or at threshold | fail | gate: budget exhausted | GaveUp | `GaveUp(reason)` (once) |
//! | any unhealthy or at threshold | fail | gate open | Unhealthy | `Restart(reason)` |
//! | Backoff | timeout at `until` | last verdict failed | as the gate says | `Restart` / `GaveUp` |
//! | Backoff | timeout at `until` | last verdict passed | Unhealthy | `Nothing` |
//! | GaveUp | fail | | GaveUp | `Suppressed(BudgetExhausted)` |
//! | Unknown, Restarting, Degraded | pass | `success_threshold` in a row | Healthy | `Recovered` if it was unhealthy, else `Nothing` |
//! | Unhealthy, Backoff | pass | `success_threshold` in a row | Healthy | `Recovered` |
//! | GaveUp | pass | passing for `give_up_reset` (if set) | Healthy (the budget keeps sliding) | `Recovered` |
//! | any other | pass | below threshold | same | `Nothing` |
//! | any but GaveUp | `restarted` or newer `started_at` | | Restarting | — |
//! | any | `reset` | | Unknown, budget reset | — |
//!
//! ## Example
//!
//! Three failures in a row restart; the fourth is ignored during the new grace.
//!
//! ```
//! use supercheck_core::check::verdict::{FailReason, Verdict};
//! use supercheck_core::health::{Decision, HealthMachine, Policy, State, Suppression};
//! use supercheck_core::time::{Duration, Instant};
//!
//! let policy = Policy {
//!     failure_threshold: 3,
//!     start_grace: Duration::from_secs(30),
//!     ..Policy::default()
//! };
//! let mut machine = HealthMachine::new(policy)?;
//! let refused = Verdict::Fail(FailReason::ConnectionRefused);
//! let started = Some(Instant::from_secs(0));
//! assert_eq!(machine.observe(Instant::from_secs(60), refused, started), Decision::Nothing);
//! assert_eq!(machine.state(), State::Degraded);
//! machine.observe(Instant::from_secs(65), refused, started);
//! let decision = machine.observe(Instant::from_secs(70), refused, started);
//! assert_eq!(decision, Decision::Restart(FailReason::ConnectionRefused));
//!
//! machine.restarted(Instant::from_secs(70));
//! assert_eq!(machine.poll_at(), Some(Instant::from_secs(100)));
//! assert_eq!(
//!     machine.observe(Instant::from_secs(75), refused, Some(Instant::from_secs(71))),
//!     Decision::Suppressed(Suppression::Grace { until: Instant::from_secs(101) })
//! );
//! # Ok::<(), supercheck_core::health::PolicyError>(())
//! ```

mod budget;
mod decision;
mod machine;
mod policy;
mod window;

pub use budget::RestartLedger;
pub use decision::{Counters, Decision, State, Suppression};
pub use machine::HealthMachine;
pub use policy::{
    BudgetSpec, MAX_BUDGET, MAX_WINDOW, MONITOR_THRESHOLD_RANGE, Policy, PolicyError, WindowSpec,
};
pub use window::FailureWindow;
