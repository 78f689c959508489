//! Custom checks on the loop: jobs go to the worker pool, verdicts come back
//! through its waker, and a per-check deadline on the timer queue turns a hung
//! call into an error (never a restart).

use std::io;
use std::time::{Duration, Instant};

use mio::{Registry, Token, Waker};
use supercheck_core::check::verdict::{CheckError, Verdict};
use supercheck_engine::ProbeTicket;

use super::{Listener, Timer};
use crate::config::{CheckWork, ListenerConfig};
use crate::custom::{CustomCheck, WorkerPool};
use supercheck_runtime::supervisor::client::ProcessSnapshot;

/// At most this many worker threads, however many custom checks there are.
const MAX_WORKERS: usize = 8;

/// Where a custom check's verdict goes: the attempt it answers.
#[derive(Debug)]
pub(super) struct CustomJob(ProbeTicket);

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
    /// Submits the attempt `ticket` of a custom check to the workers.
    pub(super) fn start_custom(
        &mut self,
        ticket: ProbeTicket,
        custom: CustomCheck,
        snapshot: ProcessSnapshot,
    ) {
        let Some(pool) = self.custom.as_mut() else {
            let error = CheckError::Custom("no worker thread for custom checks");
            return self.probe_done(ticket, Verdict::Error(error));
        };
        let after = custom.timeout();
        let check = ticket.check;
        let job = pool.submit(check, custom, snapshot, CustomJob(ticket));
        self.timers
            .at(Instant::now() + after, Timer::CustomDeadline { job, after });
    }

    /// The workers woke the loop: hand their verdicts to the rounds.
    pub(super) fn on_custom_results(&mut self) {
        let Some(pool) = self.custom.as_mut() else {
            return;
        };
        for (CustomJob(ticket), verdict) in pool.collect() {
            self.probe_done(ticket, verdict);
        }
    }

    /// A custom check's time is up: unless it answered, it is an error.
    pub(super) fn on_custom_deadline(&mut self, job: u64, after: Duration) {
        let Some(CustomJob(ticket)) = self.custom.as_mut().and_then(|pool| pool.expire(job)) else {
            return;
        };
        let verdict = Verdict::Error(CheckError::CheckTimeout {
            after: supercheck_runtime::clock::core_duration(after),
        });
        self.probe_done(ticket, verdict);
    }
}
