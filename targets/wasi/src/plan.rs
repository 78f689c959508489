//! A drop-in command line read for WASI: the same flags, defaults and checks
//! as on Linux ([`supercheck_cmdline::plan::drop_in`]), then refused before
//! `READY` where WASI cannot do what it asks (a check that reads `/proc`,
//! starts a command or listens for datagrams; unix sockets; TLS; the HTTP
//! frontend; mail and webhooks).

use std::net::SocketAddr;
use std::time::Duration;

use clap::ArgMatches;
use supercheck_cmdline::plan::{self, ConfigError, Env, err, flag_set, text};
use supercheck_cmdline::tool::Tool;
use supercheck_core::check::spec::{CheckSpec, XmlRpcTarget};
use supercheck_core::check::verdict::CheckError;
use supercheck_core::event::LenMode;
use supercheck_engine::{CheckRule, EngineConfig};
use supercheck_wire::endpoint::Endpoint;
use supercheck_wire::port::PortSource;
use supercheck_wire::probe::{self, Judge};
use supercheck_wire::supervisor::server_url::ServerUrl;

use crate::net::ProbeRequest;

/// The drop-ins that run under WASI.
pub const AVAILABLE: &str = "supervisor_http_check, supervisor_tcp_check, \
supervisor_xmlrpc_check, and supervisor_complex_check made of http, tcp and xmlrpc checks";

/// Why a tool cannot run under WASI, if it cannot.
pub fn unavailable(tool: Tool) -> Option<String> {
    let why = match tool {
        Tool::Http | Tool::Tcp | Tool::XmlRpc | Tool::Complex => return None,
        Tool::Memory => "it reads the process's memory in /proc",
        Tool::Cpu => "it reads the process's CPU time in /proc",
        Tool::File => "it reads the heartbeat files' times of the host",
        Tool::Exec => "WASI cannot start a command",
        Tool::Heartbeat => "it receives UDP datagrams",
    };
    let name = tool.program_name().unwrap_or(tool.subcommand());
    Some(format!(
        "{name} is not available on WASI ({why}); the checks that run here: {AVAILABLE}"
    ))
}

/// One configured check, ready to probe.
#[derive(Debug, Clone)]
pub struct Check {
    spec: CheckSpec<'static>,
    /// How its port is found from a process name.
    port: Option<PortSource>,
    /// How its answers are judged.
    pub judge: Judge,
}

impl Check {
    /// The request of one attempt on the process called `name`.
    ///
    /// # Errors
    /// The port pattern does not give a port, or the request cannot be encoded.
    pub fn request(&self, name: &str) -> Result<ProbeRequest, CheckError> {
        let port = self
            .port
            .as_ref()
            .map(|source| source.port_for(name))
            .transpose()
            .map_err(CheckError::Port)?;
        let local = || vec![SocketAddr::from((probe::LOCALHOST, port.unwrap_or(80)))];
        let (addrs, bytes, connect_only, timeout) = match &self.spec {
            CheckSpec::Http(http) => (
                local(),
                probe::http_request(http, port.unwrap_or(80))?,
                false,
                http.timeout.get(),
            ),
            CheckSpec::Tcp(tcp) => (local(), Vec::new(), true, tcp.timeout.get()),
            CheckSpec::XmlRpc(xml) => match probe::xmlrpc_endpoint(xml, port, name) {
                (Endpoint::Tcp(addr), path) => (
                    vec![addr],
                    probe::xmlrpc_request(xml, port, &path)?,
                    false,
                    xml.timeout.get(),
                ),
                (Endpoint::Unix(_), _) => {
                    return Err(CheckError::Config("unix sockets are not available on WASI"));
                }
            },
            _ => return Err(CheckError::Config("this check is not available on WASI")),
        };
        Ok(ProbeRequest {
            addrs,
            bytes,
            connect_only,
            timeout,
        })
    }
}

/// What the WASI listener runs, checked.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The name in every log line (`-n`).
    pub check_name: String,
    /// What the engine decides with.
    pub engine: EngineConfig,
    /// The checks, in the engine's order.
    pub checks: Vec<Check>,
    /// supervisord, over TCP, with its credentials.
    pub server: ServerUrl,
    /// Timeout of each call to supervisord (`--rpc-timeout`).
    pub rpc_timeout: Duration,
    /// Timeout of a `stopProcess` call, which waits for the process to stop.
    pub stop_timeout: Duration,
}

/// Reads `tool`'s parsed flags and the environment into a [`Plan`].
///
/// # Errors
/// A [`ConfigError`] naming what is wrong or not available on WASI.
pub fn plan(tool: Tool, m: &ArgMatches, env: &dyn Env) -> Result<Plan, ConfigError> {
    if let Some(why) = unavailable(tool) {
        return Err(ConfigError(why));
    }
    if flag_set(m, "https") {
        return Err(err("--https", "there is no TLS on WASI"));
    }
    for (id, flag, what) in [
        ("listen", "--listen", "no HTTP frontend"),
        (
            "mail_to",
            "--mail-to",
            "no mail (restarts and give-ups are logged)",
        ),
        (
            "webhook",
            "--webhook",
            "no webhook (restarts and give-ups are logged)",
        ),
    ] {
        if text(m, id).is_some() {
            return Err(err(flag, format!("not available on WASI: {what}")));
        }
    }
    if text(m, "server_url").is_none() && env.var("SUPERVISOR_SERVER_URL").is_none() {
        return Err(ConfigError(
            "not running under supervisord: SUPERVISOR_SERVER_URL is not set. Run this as an \
             [eventlistener:x] program of a supervisord with an [inet_http_server], or give \
             --server-url http://127.0.0.1:PORT (with --once to try the checks by hand)"
                .into(),
        ));
    }
    let drop_in = plan::drop_in(tool, m, env)?;
    if let Endpoint::Unix(path) = &drop_in.server.endpoint {
        return Err(ConfigError(format!(
            "supervisord is at unix://{}: WASI has no unix sockets. Configure supervisord's \
             [inet_http_server] (port=127.0.0.1:PORT, username, password) and no \
             [unix_http_server], so that SUPERVISOR_SERVER_URL is http://127.0.0.1:PORT",
            path.display()
        )));
    }
    let checks = drop_in
        .specs
        .iter()
        .map(|spec| check(tool, spec))
        .collect::<Result<Vec<_>, _>>()?;
    let mut engine = EngineConfig::new(
        drop_in.selection,
        drop_in.specs.iter().map(CheckRule::for_spec).collect(),
    );
    engine.single_mut().states = drop_in.states;
    engine.single_mut().policy = drop_in.policy;
    engine.once = drop_in.once;
    engine.verbose = drop_in.verbose;
    engine.len_mode = LenMode::Chars;
    engine.notify = None;
    Ok(Plan {
        check_name: drop_in.check_name,
        engine,
        checks,
        server: drop_in.server,
        rpc_timeout: drop_in.rpc_timeout,
        stop_timeout: drop_in.rpc_timeout.max(Duration::from_secs(3600)),
    })
}

/// A check of the command line, if WASI can run it.
fn check(tool: Tool, spec: &CheckSpec<'static>) -> Result<Check, ConfigError> {
    let kind = spec.kind().name();
    // A setting of the complex check's JSON is named by its key, not a flag.
    let name = |flag: &str| match tool {
        Tool::Complex => format!("-c/--check-config: {kind}"),
        _ => flag.to_string(),
    };
    let port = match spec {
        CheckSpec::Http(http) => Some(http.port),
        CheckSpec::Tcp(tcp) => Some(tcp.port),
        CheckSpec::XmlRpc(xml) => match xml.target {
            XmlRpcTarget::Http { port, .. } => Some(port),
            XmlRpcTarget::Socket(_) | XmlRpcTarget::SocketDir(_) => {
                return Err(err(
                    &name("-s/-S"),
                    "unix sockets are not available on WASI: give -p PORT (and -u PATH)",
                ));
            }
        },
        _ => {
            return Err(err(
                &name("-c/--check-config"),
                format!(
                    "the {kind} check is not available on WASI; the checks that run here: {AVAILABLE}"
                ),
            ));
        }
    };
    let judge = match Judge::for_check(spec) {
        Some(Ok(judge)) => judge,
        Some(Err(e)) => return Err(err(&name("--expect-status"), e)),
        None => {
            return Err(err(
                &name("-c/--check-config"),
                "no way to judge this check",
            ));
        }
    };
    Ok(Check {
        spec: spec.clone(),
        port: port
            .map(PortSource::new)
            .transpose()
            .map_err(|e| err(&name("-p/--port"), e))?,
        judge,
    })
}
