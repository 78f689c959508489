//! Check specifications: what each check is configured to do, typed and
//! borrowed from the configuration text.
//!
//! The command-line parser and the complex check's JSON
//! ([`crate::json::ComplexConfig`]) both build these types. Each field's type
//! only holds values the check can use (a positive [`Timeout`], a [`UrlPath`]
//! starting with `/`, credentials in pairs...), so a configuration that would
//! make every check fail is refused at start-up with a [`SpecError`], never
//! discovered on every tick.

mod error;
mod exec;
mod file;
mod heartbeat;
mod http;
mod resource;
mod text;
mod values;
mod xmlrpc;

use core::fmt;

pub use error::SpecError;
pub use exec::{Argv, Command, ExecSpec, MAX_ARGS};
pub use file::FileSpec;
pub use heartbeat::{
    DEFAULT_HEARTBEAT_TIMEOUT, DeviceBinding, HeartbeatSpec, MAX_DEVICE_BINDINGS, valid_device_name,
};
pub use http::{
    Body, Header, Headers, HttpSpec, MAX_HEADERS, MAX_STATUS_ITEMS, StatusItem, StatusList,
};
pub use resource::{CpuPercent, CpuSpec, DEFAULT_CPU_INTERVAL, MemorySpec};
pub use text::{BasicAuth, FsPath, Method, RpcMethod, UrlPath};
pub use values::{DEFAULT_NUM_RETRIES, Timeout, duration_from_secs_f64, retries_from_i64};
pub use xmlrpc::{XmlRpcSpec, XmlRpcTarget};

use crate::check::port::PortSpec;

/// The kinds of check, named as in the complex check's JSON keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CheckKind {
    /// `http`
    Http,
    /// `tcp`
    Tcp,
    /// `xmlrpc`
    XmlRpc,
    /// `memory`
    Memory,
    /// `cpu`
    Cpu,
    /// `file` (which supervisor_checks' complex check forgot, bug 18)
    File,
    /// `exec`
    Exec,
    /// `heartbeat`: UDP heartbeat datagrams from a device
    Heartbeat,
}

impl CheckKind {
    /// Every kind, in declaration order.
    pub const ALL: [CheckKind; 8] = [
        CheckKind::Http,
        CheckKind::Tcp,
        CheckKind::XmlRpc,
        CheckKind::Memory,
        CheckKind::Cpu,
        CheckKind::File,
        CheckKind::Exec,
        CheckKind::Heartbeat,
    ];

    /// The name used in configuration and logs.
    pub const fn name(self) -> &'static str {
        match self {
            CheckKind::Http => "http",
            CheckKind::Tcp => "tcp",
            CheckKind::XmlRpc => "xmlrpc",
            CheckKind::Memory => "memory",
            CheckKind::Cpu => "cpu",
            CheckKind::File => "file",
            CheckKind::Exec => "exec",
            CheckKind::Heartbeat => "heartbeat",
        }
    }

    /// The kind called `name` (exact, lowercase).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A TCP check: connecting to `127.0.0.1:<port>` within the timeout passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TcpSpec<'a> {
    /// The port, or a pattern that extracts it from the process name.
    pub port: PortSpec<'a>,
    /// Limit for each attempt.
    pub timeout: Timeout,
    /// Attempts after the first when the connection fails.
    pub num_retries: u32,
}

impl<'a> TcpSpec<'a> {
    /// A check of `port` with the default timeout and retries.
    pub fn new(port: PortSpec<'a>) -> Self {
        Self {
            port,
            timeout: Timeout::DEFAULT,
            num_retries: DEFAULT_NUM_RETRIES,
        }
    }
}

/// One configured check of any kind.
///
/// Held inline (an HTTP spec with its bounded header and status lists is the
/// largest, under 1 KiB): without `alloc` there is nothing to box into, and
/// specs are built once at start-up.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CheckSpec<'a> {
    /// An HTTP request.
    Http(HttpSpec<'a>),
    /// A TCP connect.
    Tcp(TcpSpec<'a>),
    /// An XML-RPC call.
    XmlRpc(XmlRpcSpec<'a>),
    /// A memory limit.
    Memory(MemorySpec),
    /// A CPU limit over time.
    Cpu(CpuSpec),
    /// A heartbeat file's age.
    File(FileSpec<'a>),
    /// A command's exit status.
    Exec(ExecSpec<'a>),
    /// Heartbeat datagrams from the device a process depends on.
    Heartbeat(HeartbeatSpec<'a>),
}

impl CheckSpec<'_> {
    /// Which kind of check this is.
    pub const fn kind(&self) -> CheckKind {
        match self {
            CheckSpec::Http(_) => CheckKind::Http,
            CheckSpec::Tcp(_) => CheckKind::Tcp,
            CheckSpec::XmlRpc(_) => CheckKind::XmlRpc,
            CheckSpec::Memory(_) => CheckKind::Memory,
            CheckSpec::Cpu(_) => CheckKind::Cpu,
            CheckSpec::File(_) => CheckKind::File,
            CheckSpec::Exec(_) => CheckKind::Exec,
            CheckSpec::Heartbeat(_) => CheckKind::Heartbeat,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in CheckKind::ALL {
            assert_eq!(CheckKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(CheckKind::from_name("HTTP"), None);
        assert_eq!(std::format!("{}", CheckKind::XmlRpc), "xmlrpc");
    }

    #[test]
    fn spec_reports_its_kind() {
        let tcp = CheckSpec::Tcp(TcpSpec::new(PortSpec::Number(22)));
        assert_eq!(tcp.kind(), CheckKind::Tcp);
        let mem = CheckSpec::Memory(MemorySpec::from_kib(1024).unwrap());
        assert_eq!(mem.kind().name(), "memory");
    }
}
