//! The host-wide tables: `[supervisor]`, `[frontend]`, `[notify]` and
//! `[heartbeat]`, with the drop-in flags' meanings and defaults.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use supercheck_core::json::HealthStatus;
use supercheck_wire::http_url::HttpUrl;
use supercheck_wire::supervisor::server_url::ServerUrl;
use toml::de::DeValue;

use super::duration::{duration, positive};
use super::error::AgentFileError;
use super::reader::Table;
use super::source::element;
use super::value::{Refusal, boolean, integer_in, string, text};
use crate::heartbeat::{DEFAULT_BIND, HeartbeatListen};

fn std_duration(d: supercheck_core::time::Duration) -> Duration {
    Duration::from_millis(d.millis())
}

fn no_unknown(t: &Table<'_, '_>, keys: &[&'static str], name: &str) -> Result<(), AgentFileError> {
    t.refuse_unknown(keys, &format!("the [{name}] table"), |_| Vec::new())
}

/// `[supervisor]`: where supervisord is. Each key left out falls back to
/// what supervisord gives its event listeners (`SUPERVISOR_SERVER_URL`,
/// `SUPERVISOR_USERNAME`, `SUPERVISOR_PASSWORD`), as with the drop-ins.
#[derive(Clone, PartialEq, Eq)]
pub struct SupervisorSettings {
    /// `server_url`: `unix:///path/to.sock` or `http://host:port` (`--server-url`).
    pub server_url: Option<ServerUrl>,
    /// `username`.
    pub username: Option<String>,
    /// `password`.
    pub password: Option<String>,
    /// `rpc_timeout`: the limit of each call to supervisord (`--rpc-timeout`, 10 s).
    pub rpc_timeout: Duration,
}

/// Never shows the password.
impl std::fmt::Debug for SupervisorSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupervisorSettings")
            .field("server_url", &self.server_url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("rpc_timeout", &self.rpc_timeout)
            .finish()
    }
}

impl Default for SupervisorSettings {
    fn default() -> Self {
        Self {
            server_url: None,
            username: None,
            password: None,
            rpc_timeout: Duration::from_secs(10),
        }
    }
}

pub(crate) fn supervisor(t: &Table<'_, '_>) -> Result<SupervisorSettings, AgentFileError> {
    no_unknown(
        t,
        &["server_url", "username", "password", "rpc_timeout"],
        "supervisor",
    )?;
    let server_url = t.read("server_url", |v| {
        let url = text(v)?;
        if url.strip_prefix("unix://").is_some_and(str::is_empty) {
            return Err(Refusal::invalid(
                "unix:// needs the socket's path, such as unix:///var/run/supervisor.sock",
            ));
        }
        ServerUrl::parse(url).map_err(Refusal::invalid)
    })?;
    Ok(SupervisorSettings {
        server_url,
        username: t.read("username", |v| string(v).map(str::to_string))?,
        password: t.read("password", |v| string(v).map(str::to_string))?,
        rpc_timeout: t
            .read("rpc_timeout", positive)?
            .map_or(Duration::from_secs(10), std_duration),
    })
}

/// The HTTP status of `/health` for pass, warn and fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthStatusCodes {
    /// For pass (200-399).
    pub pass: u16,
    /// For warn (200-399).
    pub warn: u16,
    /// For fail (400-599).
    pub fail: u16,
}

impl Default for HealthStatusCodes {
    fn default() -> Self {
        Self {
            pass: 200,
            warn: 200,
            fail: 503,
        }
    }
}

/// `[frontend]`: `/health`, `/metrics` and the status page for the whole host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendSettings {
    /// `listen`: `ADDR:PORT` (`--listen`), required in the table.
    pub listen: SocketAddr,
    /// `health_status_codes` (`--health-status-codes`, 200, 200, 503).
    pub health_status_codes: HealthStatusCodes,
    /// `ttl_pass`: how long a passing `/health` answer is reused (`--health-ttl-pass`, 27 s; 0: never).
    pub ttl_pass: Duration,
    /// `ttl_fail`: the same for warn and fail (`--health-ttl-fail`, 9 s; 0: never).
    pub ttl_fail: Duration,
    /// `expose_env`: also serve `/env` (`--expose-env`, false).
    pub expose_env: bool,
    /// `http_timeout`: the time a client has (`--http-timeout`, 10 s).
    pub http_timeout: Duration,
    /// `http_max_connections`: connections served at once (`--http-max-connections`, 64).
    pub http_max_connections: usize,
}

fn socket_addr(value: &DeValue<'_>, example: &str) -> Result<SocketAddr, Refusal> {
    let addr = string(value)?;
    addr.trim().parse().map_err(|_| {
        Refusal::invalid(format!(
            "{addr:?} is not an ADDRESS:PORT (such as {example})"
        ))
    })
}

fn health_codes(t: &Table<'_, '_>) -> Result<Option<HealthStatusCodes>, AgentFileError> {
    const KEY: &str = "health_status_codes";
    const EXPECTED: &str =
        "three codes for pass, warn and fail: [200, 200, 503] or \"200,200,503\"";
    let Some(value) = t.get(KEY) else {
        return Ok(None);
    };
    let refuse = |why| t.refused(KEY, value, why);
    let codes: Vec<u16> = match value.get_ref() {
        DeValue::String(s) => s
            .split(',')
            .map(|part| {
                part.trim().parse::<u16>().map_err(|_| {
                    refuse(Refusal::invalid(format!(
                        "{:?} is not an HTTP status code",
                        part.trim()
                    )))
                })
            })
            .collect::<Result<_, _>>()?,
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                integer_in(item.get_ref(), "an HTTP status code", 100, 599)
                    .map(|n| u16::try_from(n).unwrap_or_default())
                    .map_err(|why| t.refused(&element(KEY, i), item, why))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(refuse(Refusal::WrongType(EXPECTED))),
    };
    let [pass, warn, fail] = codes.as_slice() else {
        return Err(refuse(Refusal::invalid(format!(
            "has {} codes, expected {EXPECTED}",
            codes.len()
        ))));
    };
    for (code, status) in [
        (*pass, HealthStatus::Pass),
        (*warn, HealthStatus::Warn),
        (*fail, HealthStatus::Fail),
    ] {
        if !status.allows_http_status(code) {
            let range = status.http_status_range();
            return Err(refuse(Refusal::invalid(format!(
                "{code} is not allowed for {}: use {}-{}",
                status.as_str(),
                range.start(),
                range.end()
            ))));
        }
    }
    Ok(Some(HealthStatusCodes {
        pass: *pass,
        warn: *warn,
        fail: *fail,
    }))
}

pub(crate) fn frontend(t: &Table<'_, '_>) -> Result<FrontendSettings, AgentFileError> {
    no_unknown(
        t,
        &[
            "listen",
            "health_status_codes",
            "ttl_pass",
            "ttl_fail",
            "expose_env",
            "http_timeout",
            "http_max_connections",
        ],
        "frontend",
    )?;
    let listen = t.require(
        "listen",
        "the address of /health and /metrics, such as \"127.0.0.1:9101\"",
        |v| socket_addr(v, "127.0.0.1:9101"),
    )?;
    let secs =
        |key: &str,
         default: u64,
         read: fn(&DeValue<'_>) -> Result<supercheck_core::time::Duration, Refusal>| {
            t.read(key, read)
                .map(|d| d.map_or(Duration::from_secs(default), std_duration))
        };
    Ok(FrontendSettings {
        listen,
        health_status_codes: health_codes(t)?.unwrap_or_default(),
        ttl_pass: secs("ttl_pass", 27, duration)?,
        ttl_fail: secs("ttl_fail", 9, duration)?,
        expose_env: t.read("expose_env", boolean)?.unwrap_or(false),
        http_timeout: secs("http_timeout", 10, positive)?,
        http_max_connections: t
            .read("http_max_connections", |v| {
                integer_in(v, "an integer", 1, 1_000_000).map(|n| usize::try_from(n).unwrap_or(1))
            })?
            .unwrap_or(64),
    })
}

/// `[notify]`: mail and webhook messages on each restart, give-up and
/// recovery. The table needs `mail_to`, `webhook` or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `mail_to`: the address mailed through `sendmail` (`--mail-to`).
    pub mail_to: Option<String>,
    /// `sendmail`: the mail command, split on whitespace, no shell
    /// (`--sendmail`, `/usr/sbin/sendmail -t -i`).
    pub sendmail: String,
    /// `webhook`: an `http://` URL each notification is POSTed to as JSON (`--webhook`).
    pub webhook: Option<String>,
    /// `window`: at most one message per process per window (`--notify-window`, 600 s).
    pub window: Duration,
}

pub(crate) fn notify(t: &Table<'_, '_>) -> Result<NotifySettings, AgentFileError> {
    no_unknown(t, &["mail_to", "sendmail", "webhook", "window"], "notify")?;
    let mail_to = t.read("mail_to", |v| {
        let address = text(v)?;
        if address.contains(char::is_whitespace) {
            return Err(Refusal::invalid("must be one address, without spaces"));
        }
        Ok(address.to_string())
    })?;
    let sendmail = t
        .read("sendmail", |v| text(v).map(str::to_string))?
        .unwrap_or_else(|| "/usr/sbin/sendmail -t -i".to_string());
    let webhook = t.read("webhook", |v| {
        let url = string(v)?;
        let parsed = HttpUrl::parse(url).map_err(Refusal::invalid)?;
        if parsed.tls {
            return Err(Refusal::invalid(format!(
                "{url:?}: https webhooks are not supported, only http://"
            )));
        }
        Ok(url.to_string())
    })?;
    if mail_to.is_none() && webhook.is_none() {
        return Err(t.missing(
            "mail_to",
            "[notify] sends nothing without mail_to, webhook or both",
        ));
    }
    let window = t
        .read("window", positive)?
        .map_or(Duration::from_secs(600), std_duration);
    Ok(NotifySettings {
        mail_to,
        sendmail,
        webhook,
        window,
    })
}

pub(crate) fn heartbeat(t: &Table<'_, '_>) -> Result<HeartbeatListen, AgentFileError> {
    no_unknown(t, &["bind", "allow_from"], "heartbeat")?;
    let mut listen = HeartbeatListen::default();
    if let Some(bind) = t.read("bind", |v| {
        let addr = socket_addr(v, &DEFAULT_BIND.to_string())?;
        if addr.port() == 0 {
            return Err(Refusal::invalid("port 0: devices need a fixed port"));
        }
        Ok(addr)
    })? {
        listen.bind = bind;
    }
    if let Some((_, items)) = t.array("allow_from", "an array of IP addresses")? {
        for (i, item) in items.iter().enumerate() {
            let key = element("allow_from", i);
            let ip = string(item.get_ref()).and_then(|s| {
                s.trim()
                    .parse::<IpAddr>()
                    .map_err(|_| Refusal::invalid(format!("{s:?} is not an IP address")))
            });
            listen
                .allow_from
                .push(ip.map_err(|why| t.refused(&key, item, why))?);
        }
    }
    Ok(listen)
}
