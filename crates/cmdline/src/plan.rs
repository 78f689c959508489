//! From a drop-in command line's parsed flags to what the listener is asked
//! to do ([`DropIn`]): every value is checked here, before `READY` is ever
//! written, and every refusal names its flag. What only a platform can set up
//! (TLS roots, the HTTP frontend, notification channels) is the driver's.

use std::fmt;
use std::time::Duration;

use clap::ArgMatches;
use supercheck_core::check::port::PortSpec;
use supercheck_core::check::retry::Exponential;
use supercheck_core::check::spec::{
    Argv, BasicAuth, Body, CheckSpec, Command, CpuPercent, CpuSpec, ExecSpec, FileSpec, FsPath,
    HttpSpec, MemorySpec, Method, RpcMethod, StatusItem, TcpSpec, Timeout, UrlPath, XmlRpcSpec,
    XmlRpcTarget,
};
use supercheck_core::health::{BudgetSpec, HealthMachine, Policy, WindowSpec};
use supercheck_core::json::{ComplexConfig, RawJson, UnknownKeys, parse_headers};
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration as CoreDuration;
use supercheck_engine::Selection;
use supercheck_wire::probe::status_set;
use supercheck_wire::supervisor::server_url::ServerUrl;

use crate::heartbeat::HeartbeatListen;
use crate::tool::Tool;

/// A configuration mistake, named: the listener exits with it before `READY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A refusal of `flag`'s value, saying why.
pub fn err(flag: &str, what: impl fmt::Display) -> ConfigError {
    ConfigError(format!("{flag}: {what}"))
}

/// Keeps a flag's text for the life of the process: check specs borrow it.
fn keep(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// A flag's text, if given.
pub fn text<'m>(m: &'m ArgMatches, id: &str) -> Option<&'m str> {
    m.try_get_one::<String>(id)
        .ok()
        .flatten()
        .map(String::as_str)
}

/// A flag's number, if given.
pub fn num<T: Copy + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Option<T> {
    m.try_get_one::<T>(id).ok().flatten().copied()
}

/// Whether a switch was given.
pub fn flag_set(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// The environment a listener reads.
pub trait Env {
    /// A variable's value, if set.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

/// What a drop-in command line asks of the listener, checked.
#[derive(Debug, Clone)]
pub struct DropIn {
    /// The tool the command line is for.
    pub tool: Tool,
    /// The name in every log line (`-n`).
    pub check_name: String,
    /// The processes checked.
    pub selection: Selection,
    /// The states in which a process is checked (RUNNING by default).
    pub states: Vec<ProcessState>,
    /// The checks, in order.
    pub specs: Vec<CheckSpec<'static>>,
    /// Thresholds, grace and restart budget.
    pub policy: Policy,
    /// Where supervisord is, with its credentials.
    pub server: ServerUrl,
    /// Timeout of each call to supervisord (`--rpc-timeout`).
    pub rpc_timeout: Duration,
    /// Log every check's result (`-v`).
    pub verbose: bool,
    /// Dry run: one round of checks, verdicts on stdout, no restart, no protocol.
    pub once: bool,
    /// Where heartbeat datagrams are received, when a heartbeat check is configured.
    pub heartbeat: Option<HeartbeatListen>,
}

/// Reads `tool`'s parsed flags and the environment into a [`DropIn`].
///
/// # Errors
/// A [`ConfigError`] naming the flag (or JSON key) at fault, or saying that
/// supervisord cannot be found.
pub fn drop_in(tool: Tool, m: &ArgMatches, env: &dyn Env) -> Result<DropIn, ConfigError> {
    let check_name = text(m, "check_name").unwrap_or("check").to_string();
    let mut selection = match (text(m, "process_name"), text(m, "process_group")) {
        (Some(name), _) => Selection::Namespec(name.to_string()),
        (None, Some(group)) => Selection::Group(group.to_string()),
        (None, None) => Selection::AllExcept(env.var("SUPERVISOR_GROUP_NAME")),
    };
    let specs = check_specs(tool, m)?;
    if matches!(selection, Selection::AllExcept(_)) {
        if let Some(bound) = crate::heartbeat::bound_selection(&specs) {
            selection = bound;
        }
    }
    let heartbeat = crate::heartbeat::needs_receiver(&specs)
        .then(|| crate::heartbeat::listen(m))
        .transpose()?;
    let server = match text(m, "server_url")
        .map(str::to_string)
        .or_else(|| env.var("SUPERVISOR_SERVER_URL"))
    {
        Some(url) => ServerUrl::parse(&url)
            .map_err(|e| err("--server-url", e))?
            .with_credentials(
                env.var("SUPERVISOR_USERNAME"),
                env.var("SUPERVISOR_PASSWORD"),
            ),
        None => {
            return Err(ConfigError(
                "not running under supervisord: SUPERVISOR_SERVER_URL is not set. Run this as an \
                 [eventlistener:x] program, or give --server-url unix:///path/to/supervisor.sock \
                 (with --once to try the checks by hand)"
                    .into(),
            ));
        }
    };
    Ok(DropIn {
        tool,
        check_name,
        selection,
        states: states(text(m, "states"))?,
        specs,
        policy: policy(m)?,
        server,
        rpc_timeout: Duration::from_secs(num::<u64>(m, "rpc_timeout").unwrap_or(10)),
        verbose: flag_set(m, "verbose"),
        once: flag_set(m, "once"),
        heartbeat,
    })
}

fn states(list: Option<&str>) -> Result<Vec<ProcessState>, ConfigError> {
    let Some(list) = list else {
        return Ok(vec![ProcessState::Running]);
    };
    list.split(',')
        .map(|name| {
            ProcessState::from_name(&name.trim().to_ascii_uppercase()).ok_or_else(|| {
                err(
                    "--states",
                    format!("{name:?} is not a process state (RUNNING, STARTING, BACKOFF...)"),
                )
            })
        })
        .collect()
}

fn fraction(flag: &str, text: &str) -> Result<(u64, u64), ConfigError> {
    let bad = || err(flag, format!("{text:?} is not of the form N/M"));
    let (a, b) = text.split_once('/').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

fn policy(m: &ArgMatches) -> Result<Policy, ConfigError> {
    let mut policy = Policy::DROP_IN;
    policy.failure_threshold = u16::try_from(num::<u32>(m, "fail_threshold").unwrap_or(1))
        .map_err(|_| err("--fail-threshold", "too large"))?;
    policy.success_threshold = u16::try_from(num::<u32>(m, "success_threshold").unwrap_or(1))
        .map_err(|_| err("--success-threshold", "too large"))?;
    policy.start_grace = CoreDuration::from_secs(num::<u64>(m, "grace").unwrap_or(0));
    if let Some(window) = text(m, "window") {
        let (failures, of) = fraction("--window", window)?;
        policy.window = Some(WindowSpec {
            failures: u8::try_from(failures).map_err(|_| err("--window", "X is too large"))?,
            of: u8::try_from(of).map_err(|_| err("--window", "Y is too large"))?,
        });
    }
    if let Some(budget) = text(m, "restart_budget") {
        let (max_restarts, period) = fraction("--restart-budget", budget)?;
        policy.budget = Some(BudgetSpec {
            max_restarts: u8::try_from(max_restarts)
                .map_err(|_| err("--restart-budget", "N is too large"))?,
            period: CoreDuration::from_secs(period),
        });
        let initial = CoreDuration::from_secs(num::<u64>(m, "backoff").unwrap_or(60));
        policy.backoff = Exponential {
            initial,
            factor: 2,
            max: initial.saturating_mul(32),
        };
    }
    HealthMachine::new(policy).map_err(|e| err("policy", e))?;
    Ok(policy)
}

fn port(m: &ArgMatches) -> Result<PortSpec<'static>, ConfigError> {
    let text = text(m, "port").ok_or_else(|| err("-p/--port", "required"))?;
    PortSpec::parse(keep(text)).map_err(|e| err("-p/--port", e))
}

fn timeout(m: &ArgMatches, flag: &str) -> Result<Timeout, ConfigError> {
    Timeout::from_secs(num::<u64>(m, "timeout").unwrap_or(15)).map_err(|e| err(flag, e))
}

fn auth(m: &ArgMatches) -> Result<Option<BasicAuth<'static>>, ConfigError> {
    BasicAuth::from_parts(text(m, "username").map(keep), text(m, "password").map(keep))
        .map_err(|e| err("-U/--username and -P/--password", e))
}

fn check_specs(tool: Tool, m: &ArgMatches) -> Result<Vec<CheckSpec<'static>>, ConfigError> {
    let retries = num::<u32>(m, "num_retries").unwrap_or(2);
    let spec = match tool {
        Tool::Http => {
            let url = text(m, "url").ok_or_else(|| err("-u/--url", "required"))?;
            let url = UrlPath::new(keep(url)).map_err(|e| err("-u/--url", e))?;
            let mut http = HttpSpec::new(port(m)?, url);
            http.method = Method::new(keep(text(m, "method").unwrap_or("GET")))
                .map_err(|e| err("-m/--method", e))?;
            http.body = match (text(m, "json"), text(m, "body")) {
                (Some(json), _) => Some(Body::Json(
                    RawJson::parse(keep(json)).map_err(|e| err("-j/--json", e))?,
                )),
                (None, Some(body)) => Some(Body::Text(keep(body))),
                (None, None) => None,
            };
            if let Some(headers) = text(m, "headers") {
                let bytes = keep(headers).as_bytes();
                let scratch: &'static mut [u8] =
                    Box::leak(vec![0u8; bytes.len()].into_boxed_slice());
                http.headers = parse_headers(bytes, scratch).map_err(|e| err("-H/--headers", e))?;
            }
            http.auth = auth(m)?;
            http.timeout = timeout(m, "-t/--timeout")?;
            http.num_retries = retries;
            if let Some(statuses) = text(m, "expect_status") {
                let item =
                    StatusItem::pattern(keep(statuses)).map_err(|e| err("--expect-status", e))?;
                http.expected_status
                    .push(item)
                    .map_err(|e| err("--expect-status", e))?;
                status_set(&http.expected_status).map_err(|e| err("--expect-status", e))?;
            }
            http.expected_body = text(m, "expect_body").map(keep);
            CheckSpec::Http(http)
        }
        Tool::Tcp => {
            let mut tcp = TcpSpec::new(port(m)?);
            tcp.timeout = timeout(m, "-t/--timeout")?;
            tcp.num_retries = retries;
            CheckSpec::Tcp(tcp)
        }
        Tool::XmlRpc => {
            let port = text(m, "port")
                .map(|p| PortSpec::parse(keep(p)))
                .transpose()
                .map_err(|e| err("-p/--port", e))?;
            let target = XmlRpcTarget::from_parts(
                text(m, "url").map(keep),
                port,
                text(m, "sock_path").map(keep),
                text(m, "sock_dir").map(keep),
            )
            .map_err(|e| err("-u/-s/-S", e))?;
            let mut xml = XmlRpcSpec::new(target);
            xml.method = RpcMethod::new(keep(text(m, "method").unwrap_or("status")))
                .map_err(|e| err("-m/--method", e))?;
            xml.auth = auth(m)?;
            xml.num_retries = retries;
            xml.timeout = timeout(m, "--timeout")?;
            CheckSpec::XmlRpc(xml)
        }
        Tool::Memory => {
            let kib = num::<f64>(m, "max_rss").ok_or_else(|| err("-m/--msx-rss", "required"))?;
            let mut memory = MemorySpec::from_kib_f64(kib).map_err(|e| err("-m/--msx-rss", e))?;
            memory.cumulative = flag_set(m, "cumulative");
            CheckSpec::Memory(memory)
        }
        Tool::Cpu => {
            let max =
                num::<f64>(m, "max_cpu").ok_or_else(|| err("-p/--max-cpu-percent", "required"))?;
            let mut cpu =
                CpuSpec::new(CpuPercent::new(max).map_err(|e| err("-p/--max-cpu-percent", e))?);
            cpu.interval = CoreDuration::from_secs(num::<u64>(m, "interval").unwrap_or(3600));
            CheckSpec::Cpu(cpu)
        }
        Tool::File => {
            let mut file = FileSpec::from_secs(num::<u64>(m, "timeout").unwrap_or(0))
                .map_err(|e| err("-t/--timeout", e))?;
            file.fail_on_error = flag_set(m, "fail_on_error");
            file.filepath = text(m, "filepath")
                .map(|p| FsPath::new(keep(p)))
                .transpose()
                .map_err(|e| err("-f/--filepath", e))?;
            file.root_dir = text(m, "root_dir")
                .map(|p| FsPath::new(keep(p)))
                .transpose()
                .map_err(|e| err("-d/--root-dir", e))?;
            CheckSpec::File(file)
        }
        Tool::Complex => {
            let json =
                text(m, "check_config").ok_or_else(|| err("-c/--check-config", "required"))?;
            let bytes = keep(json).as_bytes();
            let scratch: &'static mut [u8] = Box::leak(vec![0u8; bytes.len()].into_boxed_slice());
            let config = ComplexConfig::parse_with(bytes, scratch, UnknownKeys::Ignore)
                .map_err(|e| err("-c/--check-config", e))?;
            return Ok(config.iter().cloned().collect());
        }
        Tool::Exec => {
            let mut argv = Argv::new();
            for arg in m
                .try_get_many::<String>("command")
                .ok()
                .flatten()
                .into_iter()
                .flatten()
            {
                argv.push(keep(arg)).map_err(|e| err("command", e))?;
            }
            let mut exec = ExecSpec::new(Command::argv(argv).map_err(|e| err("command", e))?);
            exec.timeout = timeout(m, "-t/--timeout")?;
            CheckSpec::Exec(exec)
        }
        Tool::Heartbeat => CheckSpec::Heartbeat(crate::heartbeat::spec(m)?),
    };
    Ok(vec![spec])
}
