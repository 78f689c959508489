//! What the tests hand the engine: configurations, processes as supervisord
//! lists them, and the bytes of events as supervisord writes them on stdin
//! (the engine's `scripted` module's, shared with the property test and the
//! fuzz target).

use supercheck_core::check::cpu::{CpuLimit, CpuPercent};
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration;
use supercheck_engine::{CheckRule, EngineConfig, Process, Selection, Watch};

pub use supercheck_engine::scripted::{event_bytes, tick_bytes};

use super::clock::T0;

/// A configuration checking every process with `checks`, verbose (detail
/// lines are written), the drop-in policy.
pub fn config(checks: Vec<CheckRule>) -> EngineConfig {
    let mut config = EngineConfig::new(Selection::AllExcept(None), checks);
    config.verbose = true;
    config
}

/// A configuration with one `http` check, one attempt per round.
pub fn http_config() -> EngineConfig {
    config(vec![CheckRule::new("http")])
}

/// [`http_config`] with `policy` instead of the drop-in one.
pub fn with_policy(policy: Policy) -> EngineConfig {
    let mut config = http_config();
    config.single_mut().policy = policy;
    config
}

/// One `http` check on supervisor_checks' retry plan with `retries` retries.
pub fn retrying(retries: u32) -> EngineConfig {
    config(vec![
        CheckRule::new("http").with_retry(RetryPolicy::supervisor_checks(retries)),
    ])
}

/// One `cpu` check: failing once usage has been over `max_percent` % for
/// longer than `interval`.
pub fn cpu_config(max_percent: u32, interval: Duration) -> EngineConfig {
    let limit = CpuLimit {
        max: CpuPercent::from_percent(max_percent),
        interval,
    };
    config(vec![CheckRule::new("cpu").with_cpu_limit(limit)])
}

/// A RUNNING process `namespec` (`group:name`) started at epoch second `start`.
pub fn running(namespec: &str, start: u64) -> Process {
    let (group, name) = namespec.split_once(':').unwrap_or((namespec, namespec));
    Process {
        group: group.to_owned(),
        name: name.to_owned(),
        state: ProcessState::Running,
        pid: 100,
        start: i64::try_from(start).unwrap_or(i64::MAX),
        now: 0,
    }
}

/// A process started a day before [`T0`].
pub fn long_running(namespec: &str) -> Process {
    running(namespec, T0.secs() - 86_400)
}

/// `web:web`, started a day before [`T0`].
pub fn web() -> Vec<Process> {
    vec![long_running("web:web")]
}

/// `web:web` and `db:db`, both started a day before [`T0`].
pub fn web_and_db() -> Vec<Process> {
    vec![long_running("web:web"), long_running("db:db")]
}

/// An agent's configuration: one watch per `(name, namespec, interval)`,
/// each with one check named after it (check `i` is watch `i`'s), verbose,
/// the drop-in policy.
pub fn agent(watches: &[(&str, &str, Option<Duration>)]) -> EngineConfig {
    let checks = watches
        .iter()
        .map(|(name, _, _)| CheckRule::new(*name))
        .collect();
    let watches = watches
        .iter()
        .enumerate()
        .map(|(i, (name, spec, interval))| {
            let selection = match *spec {
                "*" => Selection::AllExcept(None),
                spec => Selection::Namespec(spec.into()),
            };
            let mut watch = Watch::new(*name, selection, i..i + 1);
            watch.interval = *interval;
            watch
        })
        .collect();
    let mut config = EngineConfig::with_watches(checks, watches);
    config.verbose = true;
    config
}
