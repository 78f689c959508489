//! What a listener does, once its command line has been read: which processes
//! it selects, which checks it runs on them, and its policies.

use std::sync::Arc;
use std::time::Duration;

use supercheck_cmdline::agent_file::check::CheckTable;
use supercheck_core::check::port::PortSpec;
use supercheck_core::check::spec::{CheckSpec, XmlRpcTarget};
use supercheck_core::check::verdict::CheckError;
use supercheck_core::event::LenMode;

use supercheck_engine::{CheckRule, EngineConfig, NotifyRule, Watch};

use crate::custom::CustomCheck;
use supercheck_runtime::probe::net::Judge;
use supercheck_runtime::supervisor::url::ServerUrl;

pub use supercheck_engine::Selection;
pub use supercheck_wire::port::PortSource;

/// What a planned check runs.
// Plans are built once at start-up and held in a small Vec: the size of the
// inline built-in spec does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum CheckWork {
    /// One of the built-in checks (shared: every probe of a tick reads it).
    Builtin(Arc<CheckSpec<'static>>),
    /// A built-in check of the agent's file: its specification borrows the
    /// table's own text, so that a reload frees what it replaces.
    Table(Arc<CheckTable>),
    /// A check written against the library API ([`crate::custom`]).
    Custom(CustomCheck),
}

/// One configured check, ready to run.
#[derive(Debug, Clone)]
pub struct CheckPlan {
    /// What the check runs.
    pub work: CheckWork,
    /// Its port source, for the checks that connect to a port.
    pub port: Option<PortSource>,
    /// An http check over TLS (`--https`): where certificates are verified.
    pub https: Option<Arc<supercheck_runtime::probe::https::HttpsTarget>>,
    /// How a socket check's responses are judged, worked out once (an
    /// expected-status list that does not parse makes every probe an error).
    pub judge: Option<Result<Arc<Judge>, CheckError>>,
}

impl CheckPlan {
    /// Prepares a built-in check: compiles its port pattern.
    ///
    /// # Errors
    /// A port pattern that does not compile.
    pub fn new(spec: CheckSpec<'static>) -> Result<Self, String> {
        Ok(Self {
            port: port_spec(&spec).map(PortSource::new).transpose()?,
            judge: Judge::for_check(&spec).map(|judge| judge.map(Arc::new)),
            work: CheckWork::Builtin(Arc::new(spec)),
            https: None,
        })
    }

    /// A custom check.
    pub fn custom(check: CustomCheck) -> Self {
        Self {
            work: CheckWork::Custom(check),
            port: None,
            https: None,
            judge: None,
        }
    }

    /// An agent's check, from its `[[check]]` table.
    ///
    /// # Errors
    /// A port pattern that does not compile (the file's parser compiled it
    /// already), or TLS that cannot be set up (an unreadable `ca_file`).
    pub fn table(table: Arc<CheckTable>) -> Result<Self, String> {
        let (port, judge) = {
            let spec = table.spec();
            let port = port_spec(&spec).map(PortSource::new).transpose()?;
            (
                port,
                Judge::for_check(&spec).map(|judge| judge.map(Arc::new)),
            )
        };
        let https = table
            .options()
            .tls()
            .map(|tls| {
                supercheck_runtime::probe::https::HttpsTarget::new(
                    &tls.name,
                    tls.ca_file.as_deref().map(std::path::Path::new),
                )
                .map(Arc::new)
                .map_err(|e| format!("https: {e}"))
            })
            .transpose()?;
        Ok(Self {
            port,
            judge,
            work: CheckWork::Table(table),
            https,
        })
    }

    /// The built-in check's specification (`None` for a custom check).
    pub fn builtin(&self) -> Option<CheckSpec<'_>> {
        self.work.spec()
    }

    /// What the engine knows of this check: its name, its retry plan
    /// (supervisor_checks' `num_retries`) and a cpu check's limit.
    pub fn rule(&self) -> CheckRule {
        match &self.work {
            CheckWork::Builtin(spec) => CheckRule::for_spec(spec),
            CheckWork::Table(table) => CheckRule {
                fingerprint: fingerprint(table),
                ..table.rule()
            },
            CheckWork::Custom(check) => CheckRule::new(check.name()),
        }
    }

    /// The check's kind (`http`, `memory`...) or a custom check's own name.
    pub fn kind(&self) -> &str {
        match &self.work {
            CheckWork::Builtin(spec) => spec.kind().name(),
            CheckWork::Table(table) => table.kind().name(),
            CheckWork::Custom(check) => check.name(),
        }
    }
}

impl CheckPlan {
    /// The check's name on the frontend: an agent's check by its table's
    /// name, a drop-in's by its kind.
    pub fn label(&self) -> &str {
        match &self.work {
            CheckWork::Table(table) => table.name(),
            _ => self.kind(),
        }
    }
}

impl CheckWork {
    /// The built-in check's specification, borrowed (`None` for a custom check).
    pub fn spec(&self) -> Option<CheckSpec<'_>> {
        match self {
            CheckWork::Builtin(spec) => Some(CheckSpec::clone(spec)),
            CheckWork::Table(table) => Some(table.spec()),
            CheckWork::Custom(_) => None,
        }
    }
}

/// A table summed up: equal tables give equal numbers within a process.
fn fingerprint(table: &CheckTable) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    format!("{table:?}").hash(&mut hasher);
    hasher.finish()
}

/// The port a check connects to, for the kinds that connect to one.
fn port_spec<'a>(spec: &CheckSpec<'a>) -> Option<PortSpec<'a>> {
    match spec {
        CheckSpec::Http(http) => Some(http.port),
        CheckSpec::Tcp(tcp) => Some(tcp.port),
        CheckSpec::XmlRpc(xml) => match xml.target {
            XmlRpcTarget::Http { port, .. } => Some(port),
            _ => None,
        },
        _ => None,
    }
}

/// Everything a listener needs to run.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// The name in every log line (`-n`).
    pub check_name: String,
    /// The checks, in order: a probe names its check by index here.
    pub checks: Vec<CheckPlan>,
    /// What is checked with which checks, by which policy and schedule: a
    /// drop-in's one watch, an agent's one per `[[check]]`.
    pub watches: Vec<Watch>,
    /// Where supervisord is.
    pub server: ServerUrl,
    /// Timeout of each call to supervisord.
    pub rpc_timeout: Duration,
    /// Timeout of a `stopProcess` call (it waits for the process to stop).
    pub stop_timeout: Duration,
    /// Log every check's result.
    pub verbose: bool,
    /// How `len` is counted in event headers.
    pub len_mode: LenMode,
    /// Dry run: one round of checks, verdicts on stdout, no restart, no protocol.
    pub once: bool,
    /// The HTTP frontend (`--listen`), off by default.
    pub frontend: Option<supercheck_frontend::FrontendConfig>,
    /// Where heartbeat datagrams are received, when a heartbeat check is configured.
    pub heartbeat: Option<supercheck_cmdline::heartbeat::HeartbeatListen>,
    /// Where restarts, give-ups and recoveries are reported (`--mail-to`,
    /// `--webhook`), off by default.
    pub notify: Option<NotifyConfig>,
    /// The agent's: SIGHUP reads its file again (a drop-in stops on SIGHUP).
    pub reload: Option<crate::agent::Reloader>,
}

/// Notification settings of a check listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// How the messages name their sender (the tool's program name).
    pub tool: &'static str,
    /// Mail recipient (`--mail-to`).
    pub mail_to: Option<String>,
    /// The sendmail argument vector, split on whitespace (`--sendmail`).
    pub sendmail: String,
    /// JSON webhook (`--webhook`).
    pub webhook: Option<String>,
    /// At most one message per process per window (`--notify-window`).
    pub window: Duration,
}

impl ListenerConfig {
    /// What the engine decides with: the selection, each check's retry plan
    /// (and a cpu check's limit), the policy; `sends` says whether a
    /// notification channel works (otherwise problems are only logged).
    pub fn engine_config(&self, sends: bool) -> EngineConfig {
        EngineConfig {
            checks: self.checks.iter().map(CheckPlan::rule).collect(),
            watches: self.watches.clone(),
            once: self.once,
            verbose: self.verbose,
            len_mode: self.len_mode,
            notify: self.notify.as_ref().map(|n| NotifyRule {
                tool: n.tool,
                check_name: self.check_name.clone(),
                window: supercheck_runtime::clock::core_duration(n.window),
                sends,
            }),
        }
    }

    /// The processes checked, as the start-up line says: a drop-in's
    /// selection, or how many checks an agent runs.
    pub fn describe_selection(&self) -> String {
        supercheck_engine::config::describe_watches(&self.watches)
    }
}
