//! What the engine decides with: the selection, each check's rules, the
//! health policy and the notification settings. Built once by a driver from a
//! command line or a configuration file; how probes are carried out stays
//! with the driver.

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use supercheck_core::check::cpu::{CpuLimit, CpuPercent};
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::spec::CheckSpec;
use supercheck_core::event::LenMode;
use supercheck_core::health::{Policy, PolicyError};
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration;

use crate::selection::Selection;

/// The engine's configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Every check, in order: a probe names its check by index in this list.
    pub checks: Vec<CheckRule>,
    /// What is checked, how and when: a drop-in has one watch, an agent one
    /// per `[[check]]` table. Each watch's checks are a range of [`EngineConfig::checks`].
    pub watches: Vec<Watch>,
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
    /// A drop-in's configuration: one watch of `checks` on `selection`, with
    /// the drop-in defaults (RUNNING processes, the drop-in policy, every
    /// TICK, supervisord 4.x lengths).
    pub fn new(selection: Selection, checks: Vec<CheckRule>) -> Self {
        let watch = Watch::new("", selection, 0..checks.len());
        Self::with_watches(checks, alloc::vec![watch])
    }

    /// A configuration of several watches over `checks`.
    pub fn with_watches(checks: Vec<CheckRule>, watches: Vec<Watch>) -> Self {
        Self {
            checks,
            watches,
            once: false,
            verbose: false,
            len_mode: LenMode::Chars,
            notify: None,
        }
    }

    /// The first watch, the only one of a drop-in's configuration (one of
    /// every check on every process is made if there is none).
    #[allow(clippy::indexing_slicing, reason = "not empty: a watch was pushed")]
    pub fn single_mut(&mut self) -> &mut Watch {
        if self.watches.is_empty() {
            let all = Watch::new("", Selection::AllExcept(None), 0..self.checks.len());
            self.watches.push(all);
        }
        &mut self.watches[0]
    }

    /// Whether every watch's checks are in [`EngineConfig::checks`], every
    /// policy is consistent and no interval is zero.
    ///
    /// # Errors
    /// The first problem found, naming its watch.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for watch in &self.watches {
            let named = || String::from(watch.name.as_str());
            if watch.checks.start > watch.checks.end || watch.checks.end > self.checks.len() {
                return Err(ConfigError::ChecksOutOfRange { watch: named() });
            }
            if watch.interval.is_some_and(|i| i == Duration::ZERO) {
                return Err(ConfigError::ZeroInterval { watch: named() });
            }
            watch
                .policy
                .validate()
                .map_err(|error| ConfigError::Policy {
                    watch: named(),
                    error,
                })?;
        }
        Ok(())
    }

    /// The check rules of `watch`.
    pub fn checks_of(&self, watch: &Watch) -> &[CheckRule] {
        self.checks.get(watch.checks.clone()).unwrap_or_default()
    }

    /// Whether a watch is the same in `self` and in `other`: same settings,
    /// same check rules (their indices may differ).
    pub fn same_watch(&self, watch: &Watch, other: &EngineConfig, theirs: &Watch) -> bool {
        watch.name == theirs.name
            && watch.selection == theirs.selection
            && watch.states == theirs.states
            && watch.policy == theirs.policy
            && watch.interval == theirs.interval
            && self.checks_of(watch) == other.checks_of(theirs)
    }
}

/// What `watches` check, as a start-up line says it: a drop-in's selection,
/// or how many checks an agent runs.
pub fn describe_watches(watches: &[Watch]) -> String {
    match watches {
        [one] => alloc::format!("{}", one.selection),
        many => alloc::format!("{} check table(s)", many.len()),
    }
}

/// Why an [`EngineConfig`] cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A watch names checks beyond [`EngineConfig::checks`].
    ChecksOutOfRange {
        /// The watch's name.
        watch: String,
    },
    /// A watch's interval is zero.
    ZeroInterval {
        /// The watch's name.
        watch: String,
    },
    /// A watch's policy is inconsistent.
    Policy {
        /// The watch's name.
        watch: String,
        /// What is wrong with it.
        error: PolicyError,
    },
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let of = |watch: &str| {
            if watch.is_empty() {
                String::new()
            } else {
                alloc::format!("check {watch}: ")
            }
        };
        match self {
            ConfigError::ChecksOutOfRange { watch } => {
                write!(f, "{}its checks are not configured", of(watch))
            }
            ConfigError::ZeroInterval { watch } => write!(f, "{}interval is zero", of(watch)),
            ConfigError::Policy { watch, error } => write!(f, "{}{error}", of(watch)),
        }
    }
}

impl core::error::Error for ConfigError {}

/// One thing to watch: which processes, with which checks, by which policy,
/// on which schedule. Each (watch, process) pair has its own health machine;
/// each process one arbiter (one restart however many watches fail it).
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    /// Its name in logs and combined restart reasons (`""` for a drop-in's only watch).
    pub name: String,
    /// The processes checked.
    pub selection: Selection,
    /// The states in which a process is checked (RUNNING by default).
    pub states: Vec<ProcessState>,
    /// Its checks, as indices of [`EngineConfig::checks`].
    pub checks: Range<usize>,
    /// Thresholds, grace and restart budget.
    pub policy: Policy,
    /// Checked on the engine's own timers this often; `None`: on every TICK.
    pub interval: Option<Duration>,
}

impl Watch {
    /// A watch with the drop-in defaults: RUNNING processes, the drop-in
    /// policy, every TICK.
    pub fn new(name: impl Into<String>, selection: Selection, checks: Range<usize>) -> Self {
        Self {
            name: name.into(),
            selection,
            states: alloc::vec![ProcessState::Running],
            checks,
            policy: Policy::DROP_IN,
            interval: None,
        }
    }

    /// Whether a process of `group:name` in `state` is one this watch checks now.
    pub fn wants(&self, group: &str, name: &str, state: ProcessState) -> bool {
        self.selection.selects(group, name) && self.states.contains(&state)
    }
}

/// What the engine knows of one check: its name in logs, its retry plan and,
/// for a cpu check, the limit its usage samples are judged by.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRule {
    /// The check's name in logs: its kind (`http`, `memory`...) or a custom check's name.
    pub name: String,
    /// Attempts and waits of one probe.
    pub retry: RetryPolicy,
    /// A cpu check's limit: its probes report usage, the engine judges it over time.
    pub cpu: Option<CpuLimit>,
    /// What the driver probes, summed up (an agent's table): a reload keeps
    /// a check's state only when this is unchanged too. 0 when not given.
    pub fingerprint: u64,
}

impl CheckRule {
    /// A check called `name` with one attempt per round.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            retry: RetryPolicy::once(),
            cpu: None,
            fingerprint: 0,
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
