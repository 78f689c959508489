//! Custom checks on the loop: jobs go to the worker pool, verdicts come back
//! through its waker, and a per-check deadline on the timer queue turns a hung
//! call into an error (never a restart).

use std::io;
use std::time::{Duration, Instant};

use mio::{Registry, Token, Waker};
use supercheck_core::check::verdict::{CheckError, Verdict};

use super::config::{CheckWork, ListenerConfig};
use super::tasks::to_core;
use super::{Listener, Timer};
use crate::custom::{CustomCheck, WorkerPool};
use crate::supervisor::client::ProcessSnapshot;

/// At most this many worker threads, however many custom checks there are.
const MAX_WORKERS: usize = 8;

/// Where a custom check's verdict goes.
#[derive(Debug)]
pub(super) struct CustomJob {
    target: String,
    check: usize,
    round: u64,
}

/// The worker pool for `config`'s custom checks (none without any): one thread
/// per custom check, up to [`MAX_WORKERS`]. A check runs for one process at a
/// time, so more threads than checks would never be used.
///
/// # Errors
/// When the waker or a thread cannot be created.
pub(super) fn pool_for(
    config: &ListenerConfig,
    registry: &Registry,
    token: Token,
) -> io::Result<Option<WorkerPool<CustomJob>>> {
    let custom = config
        .checks
        .iter()
        .filter(|plan| matches!(plan.work, CheckWork::Custom(_)))
        .count();
    if custom == 0 {
        return Ok(None);
    }
    let waker = Waker::new(registry, token)?;
    WorkerPool::new(custom.min(MAX_WORKERS), waker).map(Some)
}

impl Listener {
    /// Submits check `check` of round `round` of `key` to the workers.
    pub(super) fn start_custom(
        &mut self,
        key: &str,
        check: usize,
        round: u64,
        custom: CustomCheck,
        snapshot: ProcessSnapshot,
    ) {
        let Some(pool) = self.custom.as_mut() else {
            let error = CheckError::Custom("no worker thread for custom checks");
            return self.finish_check(key, check, round, Verdict::Error(error));
        };
        let after = custom.timeout();
        let job = CustomJob {
            target: key.to_string(),
            check,
            round,
        };
        let job = pool.submit(check, custom, snapshot, job);
        self.timers
            .at(Instant::now() + after, Timer::CustomDeadline { job, after });
    }

    /// The workers woke the loop: hand their verdicts to the rounds.
    pub(super) fn on_custom_results(&mut self) {
        let Some(pool) = self.custom.as_mut() else {
            return;
        };
        for (job, verdict) in pool.collect() {
            self.finish_check(&job.target, job.check, job.round, verdict);
        }
    }

    /// A custom check's time is up: unless it answered, it is an error.
    pub(super) fn on_custom_deadline(&mut self, job: u64, after: Duration) {
        let Some(job) = self.custom.as_mut().and_then(|pool| pool.expire(job)) else {
            return;
        };
        let verdict = Verdict::Error(CheckError::CheckTimeout {
            after: to_core(after),
        });
        self.finish_check(&job.target, job.check, job.round, verdict);
    }
}
