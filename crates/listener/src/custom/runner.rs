//! [`Runner::builder`]: a listener configuration for custom (and built-in)
//! checks, checked before anything runs.

use std::fmt;
use std::io;
use std::time::Duration;

use supercheck_core::check::spec::CheckSpec;
use supercheck_core::event::LenMode;
use supercheck_core::health::{HealthMachine, Policy};
use supercheck_core::process::ProcessState;

use super::{Check, CustomCheck};
use crate::config::{CheckPlan, ListenerConfig, Selection};
use crate::driver::{Exit, Listener};
use supercheck_runtime::supervisor::url::ServerUrl;

/// Why [`RunnerBuilder::build`] refused a configuration. Nothing has run yet:
/// the program should print it and exit non-zero, before `READY`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// Not one check was given.
    NoChecks,
    /// `SUPERVISOR_SERVER_URL` is not set and no server URL was given.
    NotUnderSupervisord,
    /// The server URL is not usable.
    ServerUrl(String),
    /// A built-in check's port pattern does not compile.
    Port(String),
    /// The policy is inconsistent.
    Policy(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoChecks => f.write_str("no check given: add one with .check(...)"),
            BuildError::NotUnderSupervisord => f.write_str(
                "not running under supervisord: SUPERVISOR_SERVER_URL is not set (run this as \
                 an [eventlistener:x] program, or give .server_url(...))",
            ),
            BuildError::ServerUrl(e) => f.write_str(e),
            BuildError::Port(e) => write!(f, "port: {e}"),
            BuildError::Policy(e) => write!(f, "policy: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<BuildError> for io::Error {
    fn from(e: BuildError) -> Self {
        io::Error::new(io::ErrorKind::InvalidInput, e)
    }
}

/// A listener ready to run: speaks supervisord's event protocol on stdin and
/// stdout, like the built-in `supervisor_*_check` programs.
#[derive(Debug)]
pub struct Runner {
    config: ListenerConfig,
}

impl Runner {
    /// Starts a configuration: name it, select processes, add checks.
    pub fn builder() -> RunnerBuilder {
        RunnerBuilder::default()
    }

    /// The listener configuration that [`Runner::run`] uses.
    pub fn config(&self) -> &ListenerConfig {
        &self.config
    }

    /// Runs the listener until supervisord closes stdin or a stop signal
    /// (SIGTERM, SIGINT, SIGHUP, SIGQUIT) arrives. Use [`Exit::code`] as the
    /// program's exit status.
    ///
    /// # Errors
    /// When the poll, the signal handlers or the workers cannot be set up, or
    /// stdout is closed.
    pub fn run(self) -> io::Result<Exit> {
        Listener::new(self.config)?.run()
    }
}

/// Builds a [`Runner`]. Defaults: the drop-in policy (restart on every
/// failure), RUNNING processes only, every process except the listener's own
/// group when neither [`group`](Self::group) nor [`process`](Self::process) is
/// given, supervisord from `SUPERVISOR_SERVER_URL`.
#[derive(Debug)]
pub struct RunnerBuilder {
    check_name: String,
    selection: Option<Selection>,
    checks: Vec<CheckPlan>,
    port_error: Option<String>,
    policy: Policy,
    states: Vec<ProcessState>,
    server_url: Option<String>,
    rpc_timeout: Duration,
    verbose: bool,
}

impl Default for RunnerBuilder {
    fn default() -> Self {
        Self {
            check_name: "custom".into(),
            selection: None,
            checks: Vec::new(),
            port_error: None,
            policy: Policy::DROP_IN,
            states: vec![ProcessState::Running],
            server_url: None,
            rpc_timeout: Duration::from_secs(10),
            verbose: false,
        }
    }
}

impl RunnerBuilder {
    /// The name in every log line (`-n` of the built-in checks).
    pub fn check_name(mut self, name: impl Into<String>) -> Self {
        self.check_name = name.into();
        self
    }

    /// Checks every process of `group` (`-g`).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.selection = Some(Selection::Group(group.into()));
        self
    }

    /// Checks the processes matching `namespec`: `group:name`, `name` or
    /// `group:*` (`-N`).
    pub fn process(mut self, namespec: impl Into<String>) -> Self {
        self.selection = Some(Selection::Namespec(namespec.into()));
        self
    }

    /// Adds a custom check. Checks run in the order given; the first failure
    /// decides a process's verdict.
    pub fn check(mut self, check: impl Check + 'static) -> Self {
        self.checks.push(CheckPlan::custom(CustomCheck::new(check)));
        self
    }

    /// Adds a built-in check (http, tcp, memory, file...).
    pub fn builtin(mut self, spec: CheckSpec<'static>) -> Self {
        match CheckPlan::new(spec) {
            Ok(plan) => self.checks.push(plan),
            Err(e) => self.port_error = Some(e),
        }
        self
    }

    /// Thresholds, start grace, restart budget and back-off.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The process states in which a process is checked (RUNNING by default).
    pub fn states(mut self, states: &[ProcessState]) -> Self {
        self.states = states.to_vec();
        self
    }

    /// supervisord's URL (`unix:///path/to.sock` or `http://host:port`),
    /// instead of `SUPERVISOR_SERVER_URL`. Credentials still come from
    /// `SUPERVISOR_USERNAME` and `SUPERVISOR_PASSWORD`.
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.server_url = Some(url.into());
        self
    }

    /// Timeout of each call to supervisord (10 s by default).
    pub fn rpc_timeout(mut self, timeout: Duration) -> Self {
        self.rpc_timeout = timeout;
        self
    }

    /// Logs every check's result, passes included.
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    /// A [`BuildError`] saying what is missing or wrong.
    pub fn build(self) -> Result<Runner, BuildError> {
        if let Some(e) = self.port_error {
            return Err(BuildError::Port(e));
        }
        if self.checks.is_empty() {
            return Err(BuildError::NoChecks);
        }
        HealthMachine::new(self.policy).map_err(|e| BuildError::Policy(e.to_string()))?;
        let env = |key: &str| std::env::var(key).ok();
        let server = match &self.server_url {
            Some(url) => ServerUrl::parse(url).map(|url| {
                Some(url.with_credentials(env("SUPERVISOR_USERNAME"), env("SUPERVISOR_PASSWORD")))
            }),
            None => ServerUrl::from_env(env),
        }
        .map_err(|e| BuildError::ServerUrl(e.to_string()))?
        .ok_or(BuildError::NotUnderSupervisord)?;
        let selection = self
            .selection
            .unwrap_or_else(|| Selection::AllExcept(env("SUPERVISOR_GROUP_NAME")));
        Ok(Runner {
            config: ListenerConfig {
                check_name: self.check_name,
                watches: vec![crate::command_line::drop_in_watch(
                    selection,
                    self.states,
                    self.policy,
                    self.checks.len(),
                )],
                checks: self.checks,
                server,
                rpc_timeout: self.rpc_timeout,
                stop_timeout: self.rpc_timeout.max(Duration::from_secs(60)),
                verbose: self.verbose,
                len_mode: LenMode::Chars,
                once: false,
                frontend: None,
                notify: None,
                heartbeat: None,
                reload: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom::{FailReason, ProcessInfo, Verdict};

    struct AlwaysFails;

    impl Check for AlwaysFails {
        fn name(&self) -> &str {
            "always-fails"
        }
        fn check(&mut self, _: &ProcessInfo) -> Verdict {
            Verdict::Fail(FailReason::Custom("always"))
        }
        fn timeout(&self) -> Duration {
            Duration::from_millis(1500)
        }
    }

    #[test]
    fn builder_makes_a_listener_config_with_the_custom_check() {
        let runner = Runner::builder()
            .check_name("x")
            .process("web:web_1")
            .check(AlwaysFails)
            .server_url("unix:///tmp/none.sock")
            .build()
            .unwrap();
        let config = runner.config();
        assert_eq!(config.check_name, "x");
        assert_eq!(
            config.watches[0].selection,
            Selection::Namespec("web:web_1".into())
        );
        assert_eq!(config.checks.len(), 1);
        assert_eq!(config.checks[0].kind(), "always-fails");
        assert!(config.checks[0].builtin().is_none());
        assert_eq!(config.watches[0].states, vec![ProcessState::Running]);
    }

    #[test]
    fn builder_refuses_no_checks_and_bad_urls_before_running() {
        let none = Runner::builder().server_url("unix:///x").build();
        assert_eq!(none.unwrap_err(), BuildError::NoChecks);
        let bad = Runner::builder()
            .check(AlwaysFails)
            .server_url("ftp://x")
            .build();
        assert!(matches!(bad, Err(BuildError::ServerUrl(e)) if e.contains("ftp://x")));
    }
}
