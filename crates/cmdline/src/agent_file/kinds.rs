//! Each kind's option keys, named as in the complex check's JSON, read from
//! a `[[check]]` table into [`Options`], every value checked at its place.

use supercheck_core::check::port::PortSpec;
use supercheck_core::check::spec::{
    BasicAuth, CheckKind, CpuPercent, CpuSpec, FsPath, MAX_ARGS, MemorySpec, Method, RpcMethod,
    SpecError, StatusItem, Timeout, UrlPath, XmlRpcTarget, retries_from_i64,
};
use supercheck_core::http::StatusSet;
use supercheck_wire::port::PortSource;
use toml::de::DeValue;

use super::duration::{duration, positive};
use super::error::{AgentFileError, ErrorKind};
use super::json::json_body;
use super::options::{
    BodyOption, CommandOption, Credentials, DEFAULT_TLS_NAME, ExecOptions, FileOptions,
    HeartbeatOptions, HttpOptions, Options, PortOption, StatusOption, TcpOptions, TlsOptions,
    XmlRpcOptions, XmlRpcTargetOption, command, devices, headers,
};
use super::reader::{Table, Value};
use super::source::element;
use super::value::{Refusal, boolean, integer, number, string};

/// The cpu check's over-limit time is `cpu_interval` here: `interval` is every
/// check's schedule in the agent's file.
const CPU: [&str; 2] = ["max_cpu", "cpu_interval"];

/// Keys of the agent's http check beyond the complex check's: TLS, as the
/// drop-in's `--https`, `--tls-name` and `--ca-file`.
const HTTPS: [&str; 3] = ["https", "tls_name", "ca_file"];

/// The option keys of `kind`: the complex check's JSON keys, but for the cpu
/// check's, and TLS for the http check.
pub(crate) fn keys(kind: CheckKind) -> impl Iterator<Item = &'static str> {
    let (base, extra): (&'static [&'static str], &'static [&'static str]) = match kind {
        CheckKind::Cpu => (&CPU, &[]),
        CheckKind::Http => (supercheck_core::json::option_keys(kind), &HTTPS),
        other => (supercheck_core::json::option_keys(other), &[]),
    };
    base.iter().chain(extra).copied()
}

/// The kinds that have option `key`.
pub(crate) fn kinds_with(key: &str) -> Vec<&'static str> {
    CheckKind::ALL
        .into_iter()
        .filter(|k| keys(*k).any(|known| known == key))
        .map(CheckKind::name)
        .collect()
}

/// "an http check", "a tcp check".
pub(crate) fn described(kind: CheckKind) -> String {
    let article = match kind {
        CheckKind::Http | CheckKind::XmlRpc | CheckKind::Exec => "an",
        _ => "a",
    };
    format!("{article} {kind} check")
}

fn spec_refusal(e: SpecError) -> Refusal {
    Refusal::invalid(e)
}

fn timeout(t: &Table<'_, '_>) -> Result<Option<Timeout>, AgentFileError> {
    t.read("timeout", |v| {
        positive(v).and_then(|d| Timeout::new(d).map_err(spec_refusal))
    })
}

fn retries(t: &Table<'_, '_>) -> Result<Option<u32>, AgentFileError> {
    t.read("num_retries", |v| {
        integer(v, "an integer").and_then(|n| retries_from_i64(n).map_err(spec_refusal))
    })
}

/// `key` checked by `check` (a core constructor), kept as a String.
fn checked(
    t: &Table<'_, '_>,
    key: &str,
    check: impl Fn(&str) -> Result<(), SpecError>,
) -> Result<Option<String>, AgentFileError> {
    t.read(key, |v| {
        let s = string(v)?;
        check(s).map_err(spec_refusal)?;
        Ok(s.to_string())
    })
}

/// A port: an integer, or a string holding one or a pattern with one
/// capture group (compiled here, so that a bad one stops the agent now).
pub(crate) fn port(
    t: &Table<'_, '_>,
    key: &str,
    value: &Value<'_>,
) -> Result<PortOption, AgentFileError> {
    let text = match value.get_ref() {
        DeValue::Integer(_) => {
            let n = integer(value.get_ref(), "a port").map_err(|w| t.refused(key, value, w))?;
            return match PortSpec::from_number(n) {
                Ok(_) => Ok(PortOption::Number(u16::try_from(n).unwrap_or_default())),
                Err(e) => Err(t.refused(key, value, Refusal::invalid(e))),
            };
        }
        DeValue::String(s) => s.as_ref(),
        _ => {
            return Err(t.refused(
                key,
                value,
                Refusal::WrongType("a port number or a pattern string"),
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(t.refused(key, value, Refusal::invalid("must not be empty")));
    }
    let bad = |reason: String| {
        t.error(
            value.span().start,
            key,
            ErrorKind::BadPort {
                pattern: text.to_string(),
                reason,
            },
        )
    };
    match PortSpec::parse(text) {
        Ok(PortSpec::Number(n)) => Ok(PortOption::Number(n)),
        Ok(PortSpec::Pattern(pattern)) => match PortSource::new(PortSpec::Pattern(pattern)) {
            Ok(PortSource::Pattern(regex)) if regex.captures_len() == 2 => {
                Ok(PortOption::Pattern(pattern.to_string()))
            }
            Ok(PortSource::Pattern(regex)) => Err(bad(format!(
                "must have exactly one capture group holding the port, it has {}",
                regex.captures_len().saturating_sub(1)
            ))),
            Ok(PortSource::Fixed(n)) => Ok(PortOption::Number(n)),
            Err(e) => Err(bad(e
                .strip_prefix(&format!("bad port pattern {pattern:?}: "))
                .unwrap_or(&e)
                .replace('\n', " "))),
        },
        Err(e) => Err(t.refused(key, value, Refusal::invalid(e))),
    }
}

fn required_port(t: &Table<'_, '_>, hint: &str) -> Result<PortOption, AgentFileError> {
    let value = t.get("port").ok_or_else(|| t.missing("port", hint))?;
    port(t, "port", value)
}

fn credentials(t: &Table<'_, '_>) -> Result<Option<Credentials>, AgentFileError> {
    let username = t.read("username", |v| string(v).map(str::to_string))?;
    let password = t.read("password", |v| string(v).map(str::to_string))?;
    match (username, password) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(t.missing("password", "username and password go together")),
        (None, Some(_)) => Err(t.missing("username", "username and password go together")),
        (Some(username), Some(password)) => {
            if let Err(e) = BasicAuth::new(&username, &password) {
                let value = t.get("username");
                return Err(match value {
                    Some(v) => t.refused("username", v, spec_refusal(e)),
                    None => t.missing("username", ""),
                });
            }
            Ok(Some(Credentials { username, password }))
        }
    }
}

fn status_item(
    t: &Table<'_, '_>,
    key: &str,
    value: &Value<'_>,
) -> Result<StatusOption, AgentFileError> {
    let refuse = |why| t.refused(key, value, why);
    match value.get_ref() {
        DeValue::Integer(_) => {
            let n = integer(value.get_ref(), "a status").map_err(refuse)?;
            match StatusItem::code(n) {
                Ok(StatusItem::Code(code)) => Ok(StatusOption::Code(code)),
                _ => Err(refuse(Refusal::invalid(SpecError::StatusCode))),
            }
        }
        DeValue::String(s) => {
            StatusItem::pattern(s).map_err(|e| refuse(spec_refusal(e)))?;
            StatusSet::parse(s).map_err(|e| {
                refuse(Refusal::invalid(format!(
                    "{:?} is not a status pattern: {e}",
                    s.as_ref()
                )))
            })?;
            Ok(StatusOption::Pattern(s.to_string()))
        }
        _ => Err(refuse(Refusal::WrongType(
            "a status code, a pattern string or an array of them",
        ))),
    }
}

fn expected_status(t: &Table<'_, '_>) -> Result<Vec<StatusOption>, AgentFileError> {
    const KEY: &str = "expected_status";
    let Some(value) = t.get(KEY) else {
        return Ok(Vec::new());
    };
    let DeValue::Array(items) = value.get_ref() else {
        return Ok(vec![status_item(t, KEY, value)?]);
    };
    if items.is_empty() {
        return Err(t.refused(KEY, value, Refusal::invalid("must not be empty")));
    }
    let mut list = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = element(KEY, i);
        if list.len() == supercheck_core::check::spec::MAX_STATUS_ITEMS {
            return Err(t.refused(&key, item, spec_refusal(SpecError::TooMany(list.len()))));
        }
        list.push(status_item(t, &key, item)?);
    }
    Ok(list)
}

/// A table of strings (`headers`, `devices`), each pair checked by `check`
/// along with those before it.
fn string_pairs(
    t: &Table<'_, '_>,
    key: &str,
    expected: &'static str,
    check: impl Fn(&[(String, String)]) -> Result<(), SpecError>,
) -> Result<Vec<(String, String)>, AgentFileError> {
    let Some(table) = t.table(key, expected)? else {
        return Ok(Vec::new());
    };
    let mut pairs = Vec::new();
    for (name, value) in table.entries() {
        let text = string(value.get_ref())
            .map_err(|_| table.refused(name.get_ref(), value, Refusal::WrongType("a string")))?;
        pairs.push((name.get_ref().to_string(), text.to_string()));
        check(&pairs).map_err(|e| {
            table.error(
                name.span().start,
                name.get_ref(),
                ErrorKind::Invalid(e.to_string()),
            )
        })?;
    }
    Ok(pairs)
}

fn http(t: &Table<'_, '_>) -> Result<HttpOptions, AgentFileError> {
    let url = t.require("url", "an http check needs url and port", |v| {
        let s = string(v)?;
        UrlPath::new(s).map_err(spec_refusal)?;
        Ok(s.to_string())
    })?;
    let port = required_port(t, "an http check needs url and port")?;
    let method = checked(t, "method", |m| Method::new(m).map(drop))?;
    let json = t.read("json", json_body)?;
    let body = t.read("body", |v| string(v).map(str::to_string))?;
    let body = match (json, body, t.get("body")) {
        (Some(_), Some(_), Some(value)) => {
            return Err(t.refused(
                "body",
                value,
                Refusal::invalid("give json or body, not both"),
            ));
        }
        (Some(json), _, _) => Some(BodyOption::Json(json)),
        (None, Some(text), _) => Some(BodyOption::Text(text)),
        _ => None,
    };
    let headers = string_pairs(
        t,
        "headers",
        "a table of header names and values",
        |pairs| headers(pairs).map(drop),
    )?;
    let expected_body = t.read("expected_body", non_empty)?;
    let tls = tls(t)?;
    Ok(HttpOptions {
        tls,
        url,
        port,
        method,
        body,
        headers,
        auth: credentials(t)?,
        timeout: timeout(t)?,
        num_retries: retries(t)?,
        expected_status: expected_status(t)?,
        expected_body,
    })
}

/// A string that is not empty.
fn non_empty(v: &DeValue<'_>) -> Result<String, Refusal> {
    let s = string(v)?;
    if s.is_empty() {
        return Err(Refusal::invalid("must not be empty"));
    }
    Ok(s.to_string())
}

/// `https`, `tls_name` and `ca_file`: the names only with `https = true`.
fn tls(t: &Table<'_, '_>) -> Result<Option<TlsOptions>, AgentFileError> {
    let https = t.read("https", boolean)?.unwrap_or(false);
    let name = t.read("tls_name", non_empty)?;
    let ca_file = t.read("ca_file", non_empty)?;
    if !https {
        for key in ["tls_name", "ca_file"] {
            if let Some(value) = t.get(key) {
                return Err(t.refused(key, value, Refusal::invalid("only with https = true")));
            }
        }
        return Ok(None);
    }
    Ok(Some(TlsOptions {
        name: name.unwrap_or_else(|| DEFAULT_TLS_NAME.to_string()),
        ca_file,
    }))
}

fn xmlrpc(t: &Table<'_, '_>) -> Result<XmlRpcOptions, AgentFileError> {
    let url = t.read("url", |v| string(v).map(str::to_string))?;
    let port = t.get("port").map(|v| port(t, "port", v)).transpose()?;
    let sock_path = t.read("sock_path", |v| string(v).map(str::to_string))?;
    let sock_dir = t.read("sock_dir", |v| string(v).map(str::to_string))?;
    let port_spec = port.as_ref().map(|p| match p {
        PortOption::Number(n) => PortSpec::Number(*n),
        PortOption::Pattern(p) => PortSpec::Pattern(p),
    });
    let target_check = XmlRpcTarget::from_parts(
        url.as_deref(),
        port_spec,
        sock_path.as_deref(),
        sock_dir.as_deref(),
    );
    let at = |key: &str, e: SpecError| match t.get(key) {
        Some(v) => t.refused(key, v, spec_refusal(e)),
        None => t.error(t.start(), key, ErrorKind::Invalid(e.to_string())),
    };
    if let Err(e) = target_check {
        return Err(match e {
            SpecError::XmlRpcNoTarget => t.missing(
                "url",
                "an xmlrpc check needs one of url (with port), sock_path or sock_dir",
            ),
            SpecError::XmlRpcUrlNeedsPort => t.missing("port", "url needs port"),
            SpecError::XmlRpcPortNeedsUrl => at("port", e),
            SpecError::XmlRpcManyTargets => {
                let second = ["url", "sock_path", "sock_dir"]
                    .into_iter()
                    .filter_map(|k| t.get(k).map(|v| (k, v.span().start)))
                    .max_by_key(|(_, at)| *at)
                    .map_or("url", |(k, _)| k);
                at(second, e)
            }
            SpecError::UrlPath => at("url", e),
            _ if sock_path.is_some() => at("sock_path", e),
            _ => at("sock_dir", e),
        });
    }
    let target = match (url, port, sock_path, sock_dir) {
        (Some(url), Some(port), _, _) => XmlRpcTargetOption::Http { url, port },
        (_, _, Some(path), _) => XmlRpcTargetOption::Socket(path),
        (_, _, _, Some(dir)) => XmlRpcTargetOption::SocketDir(dir),
        _ => {
            return Err(t.missing(
                "url",
                "an xmlrpc check needs one of url (with port), sock_path or sock_dir",
            ));
        }
    };
    Ok(XmlRpcOptions {
        target,
        method: checked(t, "method", |m| RpcMethod::new(m).map(drop))?,
        auth: credentials(t)?,
        num_retries: retries(t)?,
        timeout: timeout(t)?,
    })
}

fn memory(t: &Table<'_, '_>) -> Result<MemorySpec, AgentFileError> {
    let mut spec = t.require("max_rss", "the largest resident set allowed, in KiB", |v| {
        match v {
            DeValue::Integer(_) => MemorySpec::from_kib(integer(v, "a number of KiB")?),
            _ => MemorySpec::from_kib_f64(number(v, "a number of KiB")?),
        }
        .map_err(|e| match e {
            SpecError::NotPositive => Refusal::invalid("must be at least 1 KiB"),
            e => spec_refusal(e),
        })
    })?;
    spec.cumulative = t.read("cumulative", boolean)?.unwrap_or(false);
    Ok(spec)
}

fn cpu(t: &Table<'_, '_>) -> Result<CpuSpec, AgentFileError> {
    let max = t.require("max_cpu", "the CPU percentage allowed", |v| {
        CpuPercent::new(number(v, "a percentage")?).map_err(spec_refusal)
    })?;
    let mut spec = CpuSpec::new(max);
    if let Some(over) = t.read("cpu_interval", duration)? {
        spec.interval = over;
    }
    Ok(spec)
}

fn file(t: &Table<'_, '_>) -> Result<FileOptions, AgentFileError> {
    let timeout = t.require("timeout", "the largest age of the heartbeat file", |v| {
        positive(v).and_then(|d| Timeout::new(d).map_err(spec_refusal))
    })?;
    Ok(FileOptions {
        timeout,
        fail_on_error: t.read("fail_on_error", boolean)?.unwrap_or(false),
        filepath: checked(t, "filepath", |p| FsPath::new(p).map(drop))?,
        root_dir: checked(t, "root_dir", |p| FsPath::new(p).map(drop))?,
    })
}

fn exec(t: &Table<'_, '_>) -> Result<ExecOptions, AgentFileError> {
    const KEY: &str = "command";
    const EXPECTED: &str = "a command line or an array of program and arguments";
    let value = t.get(KEY).ok_or_else(|| {
        t.missing(
            KEY,
            "what to run: a shell command line or [program, args...]",
        )
    })?;
    let option = match value.get_ref() {
        DeValue::String(line) => CommandOption::Shell(line.to_string()),
        DeValue::Array(items) => {
            let mut args = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let key = element(KEY, i);
                let refuse = |why| t.refused(&key, item, why);
                let arg =
                    string(item.get_ref()).map_err(|_| refuse(Refusal::WrongType("a string")))?;
                if i >= MAX_ARGS {
                    return Err(refuse(spec_refusal(SpecError::TooMany(MAX_ARGS))));
                }
                if arg.contains('\0') {
                    return Err(refuse(spec_refusal(SpecError::ControlCharacter)));
                }
                if i == 0 && arg.is_empty() {
                    return Err(refuse(Refusal::invalid("the program must not be empty")));
                }
                args.push(arg.to_string());
            }
            CommandOption::Argv(args)
        }
        _ => return Err(t.refused(KEY, value, Refusal::WrongType(EXPECTED))),
    };
    command(&option).map_err(|e| t.refused(KEY, value, spec_refusal(e)))?;
    Ok(ExecOptions {
        command: option,
        timeout: timeout(t)?,
    })
}

fn heartbeat(t: &Table<'_, '_>) -> Result<HeartbeatOptions, AgentFileError> {
    let devices = string_pairs(
        t,
        "devices",
        "a table of device names and namespecs",
        |pairs| devices(pairs).map(drop),
    )?;
    Ok(HeartbeatOptions {
        timeout: timeout(t)?,
        devices,
    })
}

/// Reads the options of a check of `kind` (its keys already checked).
pub(crate) fn read(kind: CheckKind, t: &Table<'_, '_>) -> Result<Options, AgentFileError> {
    Ok(match kind {
        CheckKind::Http => Options::Http(http(t)?),
        CheckKind::Tcp => Options::Tcp(TcpOptions {
            port: required_port(t, "a tcp check needs port")?,
            timeout: timeout(t)?,
            num_retries: retries(t)?,
        }),
        CheckKind::XmlRpc => Options::XmlRpc(xmlrpc(t)?),
        CheckKind::Memory => Options::Memory(memory(t)?),
        CheckKind::Cpu => Options::Cpu(cpu(t)?),
        CheckKind::File => Options::File(file(t)?),
        CheckKind::Exec => Options::Exec(exec(t)?),
        CheckKind::Heartbeat => Options::Heartbeat(heartbeat(t)?),
        other => {
            return Err(t.error(
                t.start(),
                "kind",
                ErrorKind::Invalid(format!("{other} checks are not supported by the agent")),
            ));
        }
    })
}
