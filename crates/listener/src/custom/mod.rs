//! Custom checks: your own health check in a few lines, run by the same
//! listener as the built-in ones (same protocol handling, health policies,
//! non-blocking restarts).
//!
//! Implement [`Check`], give it to [`Runner::builder`], and run the result as
//! an `[eventlistener:x]` program with `events=TICK_5`:
//!
//! ```no_run
//! // The same items are `supercheck::custom` in the `supercheck` crate.
//! use supercheck_listener::custom::{Check, FailReason, ProcessInfo, Runner, Verdict};
//!
//! /// Unhealthy while `/run/<name>.broken` exists.
//! struct Marker;
//!
//! impl Check for Marker {
//!     fn name(&self) -> &str {
//!         "marker"
//!     }
//!     fn check(&mut self, process: &ProcessInfo) -> Verdict {
//!         if std::path::Path::new(&format!("/run/{}.broken", process.name)).exists() {
//!             Verdict::Fail(FailReason::Custom("marker file present"))
//!         } else {
//!             Verdict::Pass
//!         }
//!     }
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let exit = Runner::builder().check_name("marker").group("web").check(Marker).build()?.run()?;
//!     std::process::exit(exit.code().into())
//! }
//! ```
//!
//! ## How custom checks run
//! The listener's loop never calls your code. Each check runs on a small pool
//! of worker threads created once at start-up; verdicts come back through a
//! channel and wake the loop. A check instance is called for one process at a
//! time (calls for the processes of a group queue behind each other), so
//! `&mut self` state needs no locking.
//!
//! A call that does not return within [`Check::timeout`] gives
//! `Verdict::Error(CheckError::CheckTimeout)`: logged, **never** a restart.
//! Its worker stays with it until it returns (a thread cannot be cancelled);
//! calls of that check queue meanwhile and time out the same way, while the
//! other checks and the ticks go on. [`Verdict::Error`] in general means "the
//! checker could not tell"; only [`Verdict::Fail`] counts towards a restart.
//!
//! A panic in a check is caught and gives `Verdict::Error` (with the default
//! `panic = "unwind"`; a binary built with `panic = "abort"` exits instead).

mod pool;
mod runner;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub(crate) use self::pool::WorkerPool;
pub use self::runner::{BuildError, Runner, RunnerBuilder};
pub use crate::Exit;
pub use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
pub use supercheck_core::health::Policy;
pub use supercheck_core::process::ProcessState;

/// One process as supervisord describes it on this tick: group, name, state,
/// pid, start time (see [`supercheck_runtime::supervisor::client::ProcessSnapshot`]).
pub type ProcessInfo = supercheck_runtime::supervisor::client::ProcessSnapshot;

/// How long a check may take when it does not say ([`Check::timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A health check written in Rust.
pub trait Check: Send {
    /// The check's name, in log lines (`web:web_1: <name> check failed: ...`).
    fn name(&self) -> &str;

    /// Examines one process: [`Verdict::Pass`], [`Verdict::Fail`] (may lead to
    /// a restart, per the policy) or [`Verdict::Error`] (could not tell; never
    /// a restart). Runs on a worker thread; blocking here is fine.
    fn check(&mut self, process: &ProcessInfo) -> Verdict;

    /// How long one call may take before it counts as an error. Read once,
    /// when the check is given to the runner.
    fn timeout(&self) -> Duration {
        DEFAULT_TIMEOUT
    }
}

/// A [`Check`] ready for the listener: shared, with its name and timeout read
/// once.
#[derive(Clone)]
pub struct CustomCheck {
    name: Arc<str>,
    timeout: Duration,
    check: Arc<Mutex<dyn Check>>,
}

impl CustomCheck {
    /// Wraps `check`, reading its name and timeout.
    pub fn new(check: impl Check + 'static) -> Self {
        let name: Arc<str> = Arc::from(check.name());
        let timeout = check.timeout();
        Self {
            name,
            timeout,
            check: Arc::new(Mutex::new(check)),
        }
    }

    /// The check's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How long one call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Calls the check (on a worker thread). A panic is caught and gives an error.
    pub(crate) fn run(&self, process: &ProcessInfo) -> Verdict {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            // A check that panicked earlier poisoned the lock; its state is
            // whatever the check left, which is its own business.
            let mut check = self.check.lock().unwrap_or_else(PoisonError::into_inner);
            check.check(process)
        }));
        outcome.unwrap_or(Verdict::Error(CheckError::Custom("the check panicked")))
    }
}

impl fmt::Debug for CustomCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomCheck")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
