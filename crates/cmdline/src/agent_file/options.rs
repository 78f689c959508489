//! Each kind's options, owned ([`Options`]), and the core's [`CheckSpec`]
//! built from them, borrowing their text.
//!
//! The options are read and checked once, by [`super::AgentFile::parse`],
//! which also builds the spec from them; building it again later
//! ([`super::CheckTable::spec`]) then succeeds, since nothing can change
//! them.

use supercheck_core::check::port::PortSpec;
use supercheck_core::check::spec::{
    Argv, BasicAuth, Body, CheckKind, CheckSpec, Command, CpuSpec, DeviceBinding, ExecSpec,
    FileSpec, FsPath, Headers, HeartbeatSpec, HttpSpec, MemorySpec, Method, RpcMethod, SpecError,
    StatusItem, StatusList, TcpSpec, Timeout, UrlPath, XmlRpcSpec, XmlRpcTarget,
};
use supercheck_core::json::RawJson;

/// A port: a number, or a pattern with one capture group read from the
/// process name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortOption {
    /// A fixed port.
    Number(u16),
    /// A pattern (already compiled once, and with exactly one group).
    Pattern(String),
}

impl PortOption {
    fn spec(&self) -> PortSpec<'_> {
        match self {
            PortOption::Number(n) => PortSpec::Number(*n),
            PortOption::Pattern(p) => PortSpec::Pattern(p),
        }
    }
}

/// An http check's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyOption {
    /// JSON text (`json`), sent with `Content-Type: application/json`.
    Json(String),
    /// Text (`body`), sent as is.
    Text(String),
}

/// One entry of `expected_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusOption {
    /// A code.
    Code(u16),
    /// A pattern such as `"2xx"` or `"200-299"`.
    Pattern(String),
}

/// Basic-auth credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
}

/// Never shows the password.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The options of an http check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    pub(crate) url: String,
    pub(crate) port: PortOption,
    pub(crate) method: Option<String>,
    pub(crate) body: Option<BodyOption>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) auth: Option<Credentials>,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) num_retries: Option<u32>,
    pub(crate) expected_status: Vec<StatusOption>,
    pub(crate) expected_body: Option<String>,
    pub(crate) tls: Option<TlsOptions>,
}

/// An http check over TLS (`https = true`): where its certificate is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// The name the certificate must carry, sent as SNI (`tls_name`, default `localhost`).
    pub name: String,
    /// A PEM file of the CA certificates to trust instead of the system's (`ca_file`).
    pub ca_file: Option<String>,
}

/// The default `tls_name`, as the drop-in's `--tls-name`.
pub const DEFAULT_TLS_NAME: &str = "localhost";

/// The options of a tcp check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpOptions {
    pub(crate) port: PortOption,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) num_retries: Option<u32>,
}

/// Where an xmlrpc check calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlRpcTargetOption {
    /// `url` and `port`.
    Http {
        /// The path.
        url: String,
        /// The port.
        port: PortOption,
    },
    /// `sock_path`.
    Socket(String),
    /// `sock_dir`.
    SocketDir(String),
}

/// The options of an xmlrpc check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlRpcOptions {
    pub(crate) target: XmlRpcTargetOption,
    pub(crate) method: Option<String>,
    pub(crate) auth: Option<Credentials>,
    pub(crate) num_retries: Option<u32>,
    pub(crate) timeout: Option<Timeout>,
}

/// The options of a file check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOptions {
    pub(crate) timeout: Timeout,
    pub(crate) fail_on_error: bool,
    pub(crate) filepath: Option<String>,
    pub(crate) root_dir: Option<String>,
}

/// What an exec check runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOption {
    /// A command line for `/bin/sh -c`.
    Shell(String),
    /// A program and its arguments, run directly.
    Argv(Vec<String>),
}

/// The options of an exec check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOptions {
    pub(crate) command: CommandOption,
    pub(crate) timeout: Option<Timeout>,
}

/// The options of a heartbeat check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatOptions {
    pub(crate) timeout: Option<Timeout>,
    pub(crate) devices: Vec<(String, String)>,
}

/// One check's kind and its options, owned.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Options {
    /// `kind = "http"`.
    Http(HttpOptions),
    /// `kind = "tcp"`.
    Tcp(TcpOptions),
    /// `kind = "xmlrpc"`.
    XmlRpc(XmlRpcOptions),
    /// `kind = "memory"`.
    Memory(MemorySpec),
    /// `kind = "cpu"`.
    Cpu(CpuSpec),
    /// `kind = "file"`.
    File(FileOptions),
    /// `kind = "exec"`.
    Exec(ExecOptions),
    /// `kind = "heartbeat"`.
    Heartbeat(HeartbeatOptions),
}

fn auth(credentials: Option<&Credentials>) -> Result<Option<BasicAuth<'_>>, SpecError> {
    credentials
        .map(|c| BasicAuth::new(&c.username, &c.password))
        .transpose()
}

pub(crate) fn headers(list: &[(String, String)]) -> Result<Headers<'_>, SpecError> {
    let mut headers = Headers::new();
    for (name, value) in list {
        headers.push(name, value)?;
    }
    Ok(headers)
}

pub(crate) fn status_list(list: &[StatusOption]) -> Result<StatusList<'_>, SpecError> {
    let mut statuses = StatusList::new();
    for item in list {
        statuses.push(match item {
            StatusOption::Code(code) => StatusItem::code(i64::from(*code))?,
            StatusOption::Pattern(p) => StatusItem::pattern(p)?,
        })?;
    }
    Ok(statuses)
}

pub(crate) fn command(option: &CommandOption) -> Result<Command<'_>, SpecError> {
    match option {
        CommandOption::Shell(line) => Command::shell(line),
        CommandOption::Argv(args) => {
            let mut argv = Argv::new();
            for arg in args {
                argv.push(arg)?;
            }
            Command::argv(argv)
        }
    }
}

pub(crate) fn devices(list: &[(String, String)]) -> Result<HeartbeatSpec<'_>, SpecError> {
    let mut spec = HeartbeatSpec::new();
    for (device, process) in list {
        spec.bind(DeviceBinding::new(device, process)?)?;
    }
    Ok(spec)
}

impl Options {
    /// Where an http check over TLS verifies the certificate; `None` for plain HTTP.
    pub fn tls(&self) -> Option<&TlsOptions> {
        match self {
            Options::Http(http) => http.tls.as_ref(),
            _ => None,
        }
    }

    /// The kind of check.
    pub fn kind(&self) -> CheckKind {
        match self {
            Options::Http(_) => CheckKind::Http,
            Options::Tcp(_) => CheckKind::Tcp,
            Options::XmlRpc(_) => CheckKind::XmlRpc,
            Options::Memory(_) => CheckKind::Memory,
            Options::Cpu(_) => CheckKind::Cpu,
            Options::File(_) => CheckKind::File,
            Options::Exec(_) => CheckKind::Exec,
            Options::Heartbeat(_) => CheckKind::Heartbeat,
        }
    }

    /// The core's specification, borrowing the options' text.
    ///
    /// # Errors
    /// A [`SpecError`] for options the core refuses; never for options
    /// [`super::AgentFile::parse`] accepted.
    pub(crate) fn build(&self) -> Result<CheckSpec<'_>, SpecError> {
        Ok(match self {
            Options::Http(o) => {
                let mut http = HttpSpec::new(o.port.spec(), UrlPath::new(&o.url)?);
                if let Some(method) = &o.method {
                    http.method = Method::new(method)?;
                }
                http.body = match &o.body {
                    Some(BodyOption::Json(json)) => Some(Body::Json(
                        RawJson::parse(json).map_err(|_| SpecError::Empty)?,
                    )),
                    Some(BodyOption::Text(text)) => Some(Body::Text(text)),
                    None => None,
                };
                http.headers = headers(&o.headers)?;
                http.auth = auth(o.auth.as_ref())?;
                http.timeout = o.timeout.unwrap_or(http.timeout);
                http.num_retries = o.num_retries.unwrap_or(http.num_retries);
                http.expected_status = status_list(&o.expected_status)?;
                http.expected_body = o.expected_body.as_deref();
                CheckSpec::Http(http)
            }
            Options::Tcp(o) => {
                let mut tcp = TcpSpec::new(o.port.spec());
                tcp.timeout = o.timeout.unwrap_or(tcp.timeout);
                tcp.num_retries = o.num_retries.unwrap_or(tcp.num_retries);
                CheckSpec::Tcp(tcp)
            }
            Options::XmlRpc(o) => {
                let target = match &o.target {
                    XmlRpcTargetOption::Http { url, port } => {
                        XmlRpcTarget::from_parts(Some(url), Some(port.spec()), None, None)?
                    }
                    XmlRpcTargetOption::Socket(path) => {
                        XmlRpcTarget::from_parts(None, None, Some(path), None)?
                    }
                    XmlRpcTargetOption::SocketDir(dir) => {
                        XmlRpcTarget::from_parts(None, None, None, Some(dir))?
                    }
                };
                let mut xml = XmlRpcSpec::new(target);
                if let Some(method) = &o.method {
                    xml.method = RpcMethod::new(method)?;
                }
                xml.auth = auth(o.auth.as_ref())?;
                xml.num_retries = o.num_retries.unwrap_or(xml.num_retries);
                xml.timeout = o.timeout.unwrap_or(xml.timeout);
                CheckSpec::XmlRpc(xml)
            }
            Options::Memory(spec) => CheckSpec::Memory(*spec),
            Options::Cpu(spec) => CheckSpec::Cpu(*spec),
            Options::File(o) => CheckSpec::File(FileSpec {
                timeout: o.timeout,
                fail_on_error: o.fail_on_error,
                filepath: o.filepath.as_deref().map(FsPath::new).transpose()?,
                root_dir: o.root_dir.as_deref().map(FsPath::new).transpose()?,
            }),
            Options::Exec(o) => {
                let mut exec = ExecSpec::new(command(&o.command)?);
                exec.timeout = o.timeout.unwrap_or(exec.timeout);
                CheckSpec::Exec(exec)
            }
            Options::Heartbeat(o) => {
                let mut spec = devices(&o.devices)?;
                spec.timeout = o.timeout.unwrap_or(spec.timeout);
                CheckSpec::Heartbeat(spec)
            }
        })
    }
}
