//! What the engine decides with: the selection, each check's rules, the
//! health policy and the notification settings. Built once by a driver from a
//! command line or a configuration file; how probes are carried out stays
//! with the driver.

use alloc::string::String;
use alloc::vec::Vec;

use supercheck_core::check::cpu::{CpuLimit, CpuPercent};
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::spec::CheckSpec;
use supercheck_core::event::LenMode;
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration;

use crate::selection::Selection;

/// The engine's configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The processes checked.
    pub selection: Selection,
    /// The states in which a process is checked (RUNNING by default).
    pub states: Vec<ProcessState>,
    /// The checks, in order: a probe names its check by index in this list.
    pub checks: Vec<CheckRule>,
    /// Thresholds, grace and restart budget.
    pub policy: Policy,
    /// Dry run: one round of checks, verdicts printed, no restart, no protocol.
    pub once: bool,
    /// Write a log line for every check's result (otherwise they are not even formatted).
    pub verbose: bool,
    /// How `len` is counted in event headers.
    pub len_mode: LenMode,
    /// Notifications of restarts, give-ups and recoveries; `None`: none at all.
    pub notify: Option<NotifyRule>,
}

impl EngineConfig {
    /// A configuration with the drop-in defaults (RUNNING processes, the
    /// drop-in policy, supervisord 4.x lengths) for `checks` on `selection`.
    pub fn new(selection: Selection, checks: Vec<CheckRule>) -> Self {
        Self {
            selection,
            states: alloc::vec![ProcessState::Running],
            checks,
            policy: Policy::DROP_IN,
            once: false,
            verbose: false,
            len_mode: LenMode::Chars,
            notify: None,
        }
    }

    /// Whether a process of `group:name` in `state` is one the engine checks now.
    pub fn wants(&self, group: &str, name: &str, state: ProcessState) -> bool {
        self.selection.selects(group, name) && self.states.contains(&state)
    }
}

/// What the engine knows of one check: its name in logs, its retry plan and,
/// for a cpu check, the limit its usage samples are judged by.
#[derive(Debug, Clone)]
pub struct CheckRule {
    /// The check's name in logs: its kind (`http`, `memory`...) or a custom check's name.
    pub name: String,
    /// Attempts and waits of one probe.
    pub retry: RetryPolicy,
    /// A cpu check's limit: its probes report usage, the engine judges it over time.
    pub cpu: Option<CpuLimit>,
}

impl CheckRule {
    /// A check called `name` with one attempt per round.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            retry: RetryPolicy::once(),
            cpu: None,
        }
    }

    /// A built-in check as its specification asks: named by its kind, with
    /// supervisor_checks' `num_retries` for the socket checks and the limit of
    /// a cpu check.
    pub fn for_spec(spec: &CheckSpec<'_>) -> Self {
        let rule = Self::new(spec.kind().name());
        match spec {
            CheckSpec::Http(s) => rule.with_retry(RetryPolicy::supervisor_checks(s.num_retries)),
            CheckSpec::Tcp(s) => rule.with_retry(RetryPolicy::supervisor_checks(s.num_retries)),
            CheckSpec::XmlRpc(s) => rule.with_retry(RetryPolicy::supervisor_checks(s.num_retries)),
            CheckSpec::Cpu(spec) => match CpuPercent::from_percent_f64(spec.max_cpu.get()) {
                Some(max) => rule.with_cpu_limit(CpuLimit {
                    max,
                    interval: spec.interval,
                }),
                None => rule,
            },
            _ => rule,
        }
    }

    /// The same check with a retry plan.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same check judging cpu usage against `limit`.
    #[must_use]
    pub fn with_cpu_limit(mut self, limit: CpuLimit) -> Self {
        self.cpu = Some(limit);
        self
    }
}

/// How notifications are worded and throttled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyRule {
    /// How the messages name their sender (the tool's program name).
    pub tool: &'static str,
    /// The listener's name (`-n`), quoted in the message body.
    pub check_name: String,
    /// At most one message per process per window.
    pub window: Duration,
    /// Whether any channel sends (otherwise a problem is only logged).
    pub sends: bool,
}
