//! `supercheck agent --config FILE`: one listener for the whole host, from
//! the agent's file ([`supercheck_cmdline::agent_file`]) into a
//! [`ListenerConfig`] with one watch per `[[check]]` table, and the
//! [`Reloader`] SIGHUP uses to read the file again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use supercheck_cmdline::agent_file::globals::{FrontendSettings, NotifySettings};
use supercheck_cmdline::agent_file::{AgentFile, AgentFileError};
use supercheck_cmdline::plan::Env;
use supercheck_core::event::LenMode;
use supercheck_engine::Watch;
use supercheck_frontend::{FrontendConfig, HealthCodes};
use supercheck_wire::supervisor::server_url::ServerUrl;

use crate::config::{CheckPlan, ListenerConfig, NotifyConfig};

/// The name in the agent's log lines and notifications.
pub const AGENT_NAME: &str = "supercheck-agent";

/// Why the agent cannot run from its file.
#[derive(Debug)]
pub enum AgentError {
    /// The file cannot be read or is refused: its file, line, column and key.
    File(AgentFileError),
    /// Neither `[supervisor] server_url` nor `SUPERVISOR_SERVER_URL` says where supervisord is.
    NoServer,
    /// A check cannot be prepared (its port pattern, or TLS: an unreadable `ca_file`).
    Check {
        /// The check's name.
        name: String,
        /// What is wrong.
        message: String,
    },
}

impl std::fmt::Display for AgentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentError::File(e) => write!(f, "{e}"),
            AgentError::NoServer => f.write_str(
                "not running under supervisord: SUPERVISOR_SERVER_URL is not set. Run the agent \
                 as an [eventlistener:x] program, or set server_url in its [supervisor] table",
            ),
            AgentError::Check { name, message } => write!(f, "check {name}: {message}"),
        }
    }
}

impl std::error::Error for AgentError {}

impl From<AgentFileError> for AgentError {
    fn from(e: AgentFileError) -> Self {
        AgentError::File(e)
    }
}

/// Reads the agent's file again (SIGHUP): a whole new configuration, or why not.
#[derive(Clone)]
pub struct Reloader(Arc<dyn Fn() -> Result<ListenerConfig, AgentError> + Send + Sync>);

impl Reloader {
    /// The configuration the file says now.
    ///
    /// # Errors
    /// The file cannot be read or is refused.
    pub fn reload(&self) -> Result<ListenerConfig, AgentError> {
        (self.0)()
    }
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reloader")
    }
}

/// The agent's configuration from the file at `path`, reloadable on SIGHUP.
///
/// # Errors
/// The file cannot be read or is refused, or supervisord cannot be found.
pub fn load(path: &Path, env: &dyn Env, verbose: bool) -> Result<ListenerConfig, AgentError> {
    let file = AgentFile::load(path)?;
    let mut config = agent_config(&file, env, verbose)?;
    // The reload sees the environment supervisord gave the agent at start.
    let vars: Vec<(&str, Option<String>)> = [
        "SUPERVISOR_SERVER_URL",
        "SUPERVISOR_USERNAME",
        "SUPERVISOR_PASSWORD",
        "SUPERVISOR_GROUP_NAME",
    ]
    .into_iter()
    .map(|key| (key, env.var(key)))
    .collect();
    let path = PathBuf::from(path);
    config.reload = Some(Reloader(Arc::new(move || {
        let env = Snapshot(vars.clone());
        let file = AgentFile::load(&path)?;
        let mut config = agent_config(&file, &env, verbose)?;
        config.reload = None;
        Ok(config)
    })));
    Ok(config)
}

/// Environment variables read once.
struct Snapshot(Vec<(&'static str, Option<String>)>);

impl Env for Snapshot {
    fn var(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.clone())
    }
}

/// What the agent runs for `file`: check `i` is the `i`-th table, watched
/// by watch `i` with its targets, states, policy and interval.
///
/// # Errors
/// supervisord cannot be found, or a check cannot be prepared.
pub fn agent_config(
    file: &AgentFile,
    env: &dyn Env,
    verbose: bool,
) -> Result<ListenerConfig, AgentError> {
    let own_group = env.var("SUPERVISOR_GROUP_NAME");
    let checks = check_plans(file)?;
    let mut watches = Vec::with_capacity(file.checks().len());
    for (i, table) in file.checks().iter().enumerate() {
        let mut watch = Watch::new(
            table.name(),
            table.selection(own_group.as_deref()),
            i..i + 1,
        );
        watch.states = table.states().to_vec();
        watch.policy = table.policy();
        watch.interval = table.interval();
        watches.push(watch);
    }
    let settings = file.supervisor();
    let server: ServerUrl = match settings.server_url.clone() {
        Some(url) => url,
        None => env
            .var("SUPERVISOR_SERVER_URL")
            .and_then(|url| ServerUrl::parse(&url).ok())
            .ok_or(AgentError::NoServer)?,
    }
    .with_credentials(
        settings
            .username
            .clone()
            .or_else(|| env.var("SUPERVISOR_USERNAME")),
        settings
            .password
            .clone()
            .or_else(|| env.var("SUPERVISOR_PASSWORD")),
    );
    Ok(ListenerConfig {
        check_name: AGENT_NAME.to_string(),
        checks,
        watches,
        server,
        rpc_timeout: settings.rpc_timeout,
        stop_timeout: settings
            .rpc_timeout
            .max(std::time::Duration::from_secs(3600)),
        verbose,
        len_mode: LenMode::Chars,
        once: false,
        frontend: file.frontend().map(frontend),
        heartbeat: file.heartbeat().cloned(),
        notify: file.notify().map(notify),
        reload: None,
    })
}

/// Every check of `file` prepared to run: port patterns compiled, TLS set up
/// (its CA file read), as `--check-config` and the agent both need.
///
/// # Errors
/// The first check that cannot be prepared.
pub fn check_plans(file: &AgentFile) -> Result<Vec<CheckPlan>, AgentError> {
    file.checks()
        .iter()
        .map(|table| {
            CheckPlan::table(Arc::new(table.clone())).map_err(|message| AgentError::Check {
                name: table.name().to_string(),
                message,
            })
        })
        .collect()
}

fn frontend(settings: &FrontendSettings) -> FrontendConfig {
    let codes = &settings.health_status_codes;
    FrontendConfig {
        health_codes: HealthCodes {
            pass: codes.pass,
            warn: codes.warn,
            fail: codes.fail,
        },
        ttl_pass: settings.ttl_pass,
        ttl_fail: settings.ttl_fail,
        expose_env: settings.expose_env,
        client_timeout: settings.http_timeout,
        max_connections: settings.http_max_connections,
        ..FrontendConfig::new(settings.listen)
    }
}

fn notify(settings: &NotifySettings) -> NotifyConfig {
    NotifyConfig {
        tool: AGENT_NAME,
        mail_to: settings.mail_to.clone(),
        sendmail: settings.sendmail.clone(),
        webhook: settings.webhook.clone(),
        window: settings.window,
    }
}
