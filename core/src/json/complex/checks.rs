//! One reader per check kind: the JSON keys each check takes and how they
//! become its [`CheckSpec`].
//!
//! Keys follow supervisor_checks (section 3.2 of the spec) plus our own:
//! `expected_status` / `expected_body` for http, `timeout` for xmlrpc, and the
//! `file`, `exec` and `heartbeat` checks. `null` means "not set" for every key.

use super::UnknownKeys;
use super::fields::Fields;
use crate::check::spec::{
    BasicAuth, Body, CheckKind, CheckSpec, CpuPercent, CpuSpec, ExecSpec, FileSpec, FsPath,
    HeartbeatSpec, HttpSpec, MemorySpec, Method, RpcMethod, SpecError, TcpSpec, UrlPath,
    XmlRpcSpec, XmlRpcTarget,
};
use crate::json::RawJson;
use crate::json::complex::compound::{command, device_bindings, headers, status_list};
use crate::json::complex::error::{ConfigError, Expected};
use crate::json::complex::fields::{float_of, integer_of};
use crate::json::scan::{Value, ValueKind};
use crate::json::scratch::Scratch;

/// Keys of the `http` check.
const HTTP_KEYS: [&str; 12] = [
    "url",
    "port",
    "method",
    "json",
    "body",
    "headers",
    "username",
    "password",
    "timeout",
    "num_retries",
    "expected_status",
    "expected_body",
];
const TCP_KEYS: [&str; 3] = ["port", "timeout", "num_retries"];
const XMLRPC_KEYS: [&str; 9] = [
    "url",
    "port",
    "sock_path",
    "sock_dir",
    "method",
    "username",
    "password",
    "num_retries",
    "timeout",
];
const MEMORY_KEYS: [&str; 2] = ["max_rss", "cumulative"];
const CPU_KEYS: [&str; 2] = ["max_cpu", "interval"];
const FILE_KEYS: [&str; 4] = ["timeout", "fail_on_error", "filepath", "root_dir"];
const EXEC_KEYS: [&str; 2] = ["command", "timeout"];
const HEARTBEAT_KEYS: [&str; 2] = ["timeout", "devices"];

/// The option keys a check of `kind` takes in the complex check's JSON.
pub fn option_keys(kind: CheckKind) -> &'static [&'static str] {
    match kind {
        CheckKind::Http => &HTTP_KEYS,
        CheckKind::Tcp => &TCP_KEYS,
        CheckKind::XmlRpc => &XMLRPC_KEYS,
        CheckKind::Memory => &MEMORY_KEYS,
        CheckKind::Cpu => &CPU_KEYS,
        CheckKind::File => &FILE_KEYS,
        CheckKind::Exec => &EXEC_KEYS,
        CheckKind::Heartbeat => &HEARTBEAT_KEYS,
    }
}

/// Reads the settings object `value` of a check of `kind`.
pub(crate) fn read_check<'a>(
    kind: CheckKind,
    value: Value<'a>,
    scratch: &mut Scratch<'a>,
    unknown: UnknownKeys,
) -> Result<CheckSpec<'a>, ConfigError<'a>> {
    match kind {
        CheckKind::Http => {
            http(&Fields::read(kind, value, &HTTP_KEYS, unknown)?, scratch).map(CheckSpec::Http)
        }
        CheckKind::Tcp => {
            tcp(&Fields::read(kind, value, &TCP_KEYS, unknown)?, scratch).map(CheckSpec::Tcp)
        }
        CheckKind::XmlRpc => xmlrpc(&Fields::read(kind, value, &XMLRPC_KEYS, unknown)?, scratch)
            .map(CheckSpec::XmlRpc),
        CheckKind::Memory => {
            memory(&Fields::read(kind, value, &MEMORY_KEYS, unknown)?).map(CheckSpec::Memory)
        }
        CheckKind::Cpu => cpu(&Fields::read(kind, value, &CPU_KEYS, unknown)?).map(CheckSpec::Cpu),
        CheckKind::File => {
            file(&Fields::read(kind, value, &FILE_KEYS, unknown)?, scratch).map(CheckSpec::File)
        }
        CheckKind::Exec => {
            exec(&Fields::read(kind, value, &EXEC_KEYS, unknown)?, scratch).map(CheckSpec::Exec)
        }
        CheckKind::Heartbeat => heartbeat(
            &Fields::read(kind, value, &HEARTBEAT_KEYS, unknown)?,
            scratch,
        )
        .map(CheckSpec::Heartbeat),
    }
}

fn auth<'a, const N: usize>(
    f: &Fields<'a, N>,
    scratch: &mut Scratch<'a>,
) -> Result<Option<BasicAuth<'a>>, ConfigError<'a>> {
    let username = f.string("username", scratch)?;
    let password = f.string("password", scratch)?;
    BasicAuth::from_parts(username, password).map_err(|e| match e {
        SpecError::CredentialsIncomplete => f.invalid(None, e),
        _ => f.invalid(Some("username"), e),
    })
}

fn http<'a>(
    f: &Fields<'a, 12>,
    scratch: &mut Scratch<'a>,
) -> Result<HttpSpec<'a>, ConfigError<'a>> {
    let url = f.required("url", f.string("url", scratch)?)?;
    let url = UrlPath::new(url).map_err(|e| f.invalid(Some("url"), e))?;
    let port = f.required("port", f.port("port", scratch)?)?;
    let mut spec = HttpSpec::new(port, url);
    if let Some(method) = f.string("method", scratch)? {
        spec.method = Method::new(method).map_err(|e| f.invalid(Some("method"), e))?;
    }
    let text_body = f.string("body", scratch)?;
    spec.body = match f.value("json") {
        Some(json) => Some(Body::Json(RawJson::validated(json.text))),
        None => text_body.map(Body::Text),
    };
    spec.headers = headers(f, "headers", scratch)?;
    spec.auth = auth(f, scratch)?;
    spec.timeout = f.timeout("timeout")?.unwrap_or(spec.timeout);
    spec.num_retries = f.retries("num_retries")?.unwrap_or(spec.num_retries);
    spec.expected_status = status_list(f, "expected_status", scratch)?;
    spec.expected_body = f.string("expected_body", scratch)?;
    if spec.expected_body == Some("") {
        return Err(f.invalid(Some("expected_body"), SpecError::Empty));
    }
    Ok(spec)
}

fn tcp<'a>(f: &Fields<'a, 3>, scratch: &mut Scratch<'a>) -> Result<TcpSpec<'a>, ConfigError<'a>> {
    let port = f.required("port", f.port("port", scratch)?)?;
    let mut spec = TcpSpec::new(port);
    spec.timeout = f.timeout("timeout")?.unwrap_or(spec.timeout);
    spec.num_retries = f.retries("num_retries")?.unwrap_or(spec.num_retries);
    Ok(spec)
}

fn xmlrpc<'a>(
    f: &Fields<'a, 9>,
    scratch: &mut Scratch<'a>,
) -> Result<XmlRpcSpec<'a>, ConfigError<'a>> {
    let url = f.string("url", scratch)?;
    let port = f.port("port", scratch)?;
    let sock_path = f.string("sock_path", scratch)?;
    let sock_dir = f.string("sock_dir", scratch)?;
    let target = XmlRpcTarget::from_parts(url, port, sock_path, sock_dir).map_err(|e| match e {
        SpecError::XmlRpcUrlNeedsPort => f.missing("port"),
        SpecError::XmlRpcPortNeedsUrl => f.invalid(Some("port"), e),
        SpecError::UrlPath => f.invalid(Some("url"), e),
        SpecError::Empty | SpecError::ControlCharacter if sock_path.is_some() => {
            f.invalid(Some("sock_path"), e)
        }
        SpecError::Empty | SpecError::ControlCharacter => f.invalid(Some("sock_dir"), e),
        _ => f.invalid(None, e),
    })?;
    let mut spec = XmlRpcSpec::new(target);
    if let Some(method) = f.string("method", scratch)? {
        spec.method = RpcMethod::new(method).map_err(|e| f.invalid(Some("method"), e))?;
    }
    spec.auth = auth(f, scratch)?;
    spec.num_retries = f.retries("num_retries")?.unwrap_or(spec.num_retries);
    spec.timeout = f.timeout("timeout")?.unwrap_or(spec.timeout);
    Ok(spec)
}

fn memory<'a>(f: &Fields<'a, 2>) -> Result<MemorySpec, ConfigError<'a>> {
    let key = "max_rss";
    let v = f.required(key, f.value(key))?;
    let mut spec = match v.kind {
        ValueKind::Number {
            text,
            integer: true,
        } => integer_of(text).and_then(MemorySpec::from_kib),
        ValueKind::Number { text, .. } => float_of(text).and_then(MemorySpec::from_kib_f64),
        _ => return Err(f.expected(&v, key, Expected::Number)),
    }
    .map_err(|e| f.invalid(Some(key), e))?;
    spec.cumulative = f.boolean("cumulative")?.unwrap_or(false);
    Ok(spec)
}

fn cpu<'a>(f: &Fields<'a, 2>) -> Result<CpuSpec, ConfigError<'a>> {
    let max_cpu = f.required("max_cpu", f.number("max_cpu")?)?;
    let max_cpu = CpuPercent::new(max_cpu).map_err(|e| f.invalid(Some("max_cpu"), e))?;
    let mut spec = CpuSpec::new(max_cpu);
    if let Some(secs) = f.number("interval")? {
        spec.interval =
            CpuSpec::interval_from_secs_f64(secs).map_err(|e| f.invalid(Some("interval"), e))?;
    }
    Ok(spec)
}

fn file<'a>(f: &Fields<'a, 4>, scratch: &mut Scratch<'a>) -> Result<FileSpec<'a>, ConfigError<'a>> {
    let secs = f.required("timeout", f.integer("timeout")?)?;
    let mut spec = u64::try_from(secs)
        .map_err(|_| SpecError::Negative)
        .and_then(FileSpec::from_secs)
        .map_err(|e| f.invalid(Some("timeout"), e))?;
    spec.fail_on_error = f.boolean("fail_on_error")?.unwrap_or(false);
    for (key, slot) in [
        ("filepath", &mut spec.filepath),
        ("root_dir", &mut spec.root_dir),
    ] {
        if let Some(path) = f.string(key, scratch)? {
            *slot = Some(FsPath::new(path).map_err(|e| f.invalid(Some(key), e))?);
        }
    }
    Ok(spec)
}

fn exec<'a>(f: &Fields<'a, 2>, scratch: &mut Scratch<'a>) -> Result<ExecSpec<'a>, ConfigError<'a>> {
    let mut spec = ExecSpec::new(command(f, "command", scratch)?);
    spec.timeout = f.timeout("timeout")?.unwrap_or(spec.timeout);
    Ok(spec)
}

/// `{"timeout": seconds, "devices": {"pump": "bridge"}}`, both optional.
fn heartbeat<'a>(
    f: &Fields<'a, 2>,
    scratch: &mut Scratch<'a>,
) -> Result<HeartbeatSpec<'a>, ConfigError<'a>> {
    let mut spec = HeartbeatSpec::new();
    spec.timeout = f.timeout("timeout")?.unwrap_or(spec.timeout);
    device_bindings(f, "devices", &mut spec, scratch)?;
    Ok(spec)
}
