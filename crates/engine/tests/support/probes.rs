//! Scripted probes: what each attempt of a check finds, and how long it takes.

use supercheck_core::check::cpu::CpuPercent;
use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::time::{Duration, Instant};
use supercheck_engine::ProbeOutcome;

/// What a probe is asked, for the probe script.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The process.
    pub target: String,
    /// The check index.
    pub check: usize,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The round.
    pub round: u64,
    /// When the probe was asked for.
    pub now: Instant,
    /// How many probes this target was asked before this one.
    pub nth: usize,
}

/// A scripted probe answer: its outcome, after a delay.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// How long the probe takes.
    pub delay: Duration,
    /// What it reports.
    pub outcome: ProbeOutcome,
}

/// The delay of a probe when the script does not say.
pub const PROBE_DELAY: Duration = Duration::from_millis(100);

impl Answer {
    /// Passes after [`PROBE_DELAY`].
    pub fn pass() -> Self {
        Self::verdict(Verdict::Pass)
    }

    /// [`Answer::pass`] if `passes`, else [`Answer::fail`].
    pub fn pass_if(passes: bool) -> Self {
        if passes { Self::pass() } else { Self::fail() }
    }

    /// Fails with HTTP status 500 (not retryable) after [`PROBE_DELAY`].
    pub fn fail() -> Self {
        Self::fail_with(FailReason::BadStatus { code: 500 })
    }

    /// Fails with `reason` after [`PROBE_DELAY`].
    pub fn fail_with(reason: FailReason) -> Self {
        Self::verdict(Verdict::Fail(reason))
    }

    /// Connection refused (retryable) after [`PROBE_DELAY`].
    pub fn refused() -> Self {
        Self::fail_with(FailReason::ConnectionRefused)
    }

    /// Cannot tell (the process vanished) after [`PROBE_DELAY`].
    pub fn error() -> Self {
        Self::verdict(Verdict::Error(CheckError::ProcessVanished))
    }

    /// A hung probe: answers only at its deadline `timeout`, with the
    /// timeout's verdict.
    pub fn hung(timeout: Duration) -> Self {
        Self {
            delay: timeout,
            outcome: ProbeOutcome::Verdict(Verdict::Fail(FailReason::ResponseTimeout {
                after: timeout,
            })),
        }
    }

    /// A cpu usage of `percent` % after [`PROBE_DELAY`].
    pub fn cpu(percent: u32) -> Self {
        Self {
            delay: PROBE_DELAY,
            outcome: ProbeOutcome::CpuUsage(CpuPercent::from_percent(percent)),
        }
    }

    /// `verdict` after [`PROBE_DELAY`].
    pub fn verdict(verdict: Verdict) -> Self {
        Self {
            delay: PROBE_DELAY,
            outcome: ProbeOutcome::Verdict(verdict),
        }
    }

    /// The same answer after `delay`.
    #[must_use]
    pub fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

/// The probe script: what each attempt finds.
pub type ProbeScript = Box<dyn FnMut(&ProbeRequest) -> Answer>;

/// A probe script: each target's first `n` probes find `first`, the later
/// ones `then`.
pub fn first_then(n: usize, first: Answer, then: Answer) -> impl FnMut(&ProbeRequest) -> Answer {
    move |req| if req.nth < n { first } else { then }
}
