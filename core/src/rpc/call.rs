//! Encoding a `methodCall` body into a [`Writer`], byte for byte as Python's
//! `xmlrpc.client` writes it (so supervisord sees what supervisorctl sends).
//!
//! [`SupervisorCall`] covers the calls a checker makes; [`MethodCall`] with
//! [`Param`]s encodes any other (for example `system.multicall`).

use super::entity::{EncodeError, escape_into};
use super::scan::MAX_DEPTH;
use crate::wire::Writer;

/// One parameter of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Param<'p> {
    /// `<string>`, escaped.
    Str(&'p str),
    /// `<int>`.
    Int(i32),
    /// `<boolean>`.
    Bool(bool),
    /// `<array>` of parameters.
    Array(&'p [Param<'p>]),
    /// `<struct>` of named parameters.
    Struct(&'p [(&'p str, Param<'p>)]),
}

#[cfg(feature = "defmt")]
impl defmt::Format for Param<'_> {
    // Written by hand: a derive cannot bound the recursive `&[Param]`.
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Param::Str(s) => defmt::write!(f, "Str({=str})", s),
            Param::Int(n) => defmt::write!(f, "Int({=i32})", n),
            Param::Bool(b) => defmt::write!(f, "Bool({=bool})", b),
            Param::Array(items) => defmt::write!(f, "Array({=usize} items)", items.len()),
            Param::Struct(members) => {
                defmt::write!(f, "Struct({=usize} members)", members.len())
            }
        }
    }
}

/// A method call: a method name and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MethodCall<'p> {
    /// The method, for example `supervisor.getState`.
    pub method: &'p str,
    /// The parameters, in order.
    pub params: &'p [Param<'p>],
}

impl MethodCall<'_> {
    /// Writes the whole `methodCall` body.
    ///
    /// # Errors
    /// [`EncodeError::Overflow`] when `w` is too small, [`EncodeError::ForbiddenChar`]
    /// for a string XML cannot carry, [`EncodeError::TooDeep`] for parameters
    /// nested deeper than [`MAX_DEPTH`]. `w` then holds a partial body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.put_str("<?xml version='1.0'?>\n<methodCall>\n<methodName>")?;
        escape_into(self.method, w)?;
        w.put_str("</methodName>\n<params>\n")?;
        for param in self.params {
            w.put_str("<param>\n")?;
            encode_value(param, w, 1)?;
            w.put_str("</param>\n")?;
        }
        w.put_str("</params>\n</methodCall>\n")?;
        Ok(())
    }
}

/// Writes `<value>...</value>\n` for one parameter.
fn encode_value(param: &Param<'_>, w: &mut Writer<'_>, depth: usize) -> Result<(), EncodeError> {
    match *param {
        Param::Str(s) => {
            w.put_str("<value><string>")?;
            escape_into(s, w)?;
            w.put_str("</string></value>\n")?;
        }
        Param::Int(n) => {
            w.put_str("<value><int>")?;
            w.put_i64(i64::from(n))?;
            w.put_str("</int></value>\n")?;
        }
        Param::Bool(b) => {
            w.put_str(if b {
                "<value><boolean>1</boolean></value>\n"
            } else {
                "<value><boolean>0</boolean></value>\n"
            })?;
        }
        Param::Array(items) => {
            if depth > MAX_DEPTH {
                return Err(EncodeError::TooDeep);
            }
            w.put_str("<value><array><data>\n")?;
            for item in items {
                encode_value(item, w, depth.saturating_add(1))?;
            }
            w.put_str("</data></array></value>\n")?;
        }
        Param::Struct(members) => {
            if depth > MAX_DEPTH {
                return Err(EncodeError::TooDeep);
            }
            w.put_str("<value><struct>\n")?;
            for (name, value) in members {
                w.put_str("<member>\n<name>")?;
                escape_into(name, w)?;
                w.put_str("</name>\n")?;
                encode_value(value, w, depth.saturating_add(1))?;
                w.put_str("</member>\n")?;
            }
            w.put_str("</struct></value>\n")?;
        }
    }
    Ok(())
}

/// The supervisord calls a checker makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SupervisorCall<'a> {
    /// `supervisor.getAllProcessInfo()`.
    GetAllProcessInfo,
    /// `supervisor.getProcessInfo(name)`, `name` a namespec (`group:name`).
    GetProcessInfo(&'a str),
    /// `supervisor.startProcess(name, wait)`.
    StartProcess {
        /// Namespec; `group:*` starts the whole group.
        name: &'a str,
        /// Answer only once the process is RUNNING (or failed to get there).
        wait: bool,
    },
    /// `supervisor.stopProcess(name, wait)`.
    StopProcess {
        /// Namespec; `group:*` stops the whole group.
        name: &'a str,
        /// Answer only once the process has stopped.
        wait: bool,
    },
    /// `supervisor.signalProcess(name, signal)`.
    SignalProcess {
        /// Namespec; `group:*` signals the whole group.
        name: &'a str,
        /// Signal name (`HUP`, `SIGUSR1`) or number, as text.
        signal: &'a str,
    },
    /// `supervisor.getState()`.
    GetState,
    /// `supervisor.getAPIVersion()`.
    GetApiVersion,
}

impl SupervisorCall<'_> {
    /// The XML-RPC method name.
    pub const fn method(&self) -> &'static str {
        match self {
            SupervisorCall::GetAllProcessInfo => "supervisor.getAllProcessInfo",
            SupervisorCall::GetProcessInfo(_) => "supervisor.getProcessInfo",
            SupervisorCall::StartProcess { .. } => "supervisor.startProcess",
            SupervisorCall::StopProcess { .. } => "supervisor.stopProcess",
            SupervisorCall::SignalProcess { .. } => "supervisor.signalProcess",
            SupervisorCall::GetState => "supervisor.getState",
            SupervisorCall::GetApiVersion => "supervisor.getAPIVersion",
        }
    }

    /// Writes the `methodCall` body.
    ///
    /// # Errors
    /// As [`MethodCall::encode`].
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        let single: Param<'_>;
        let pair: [Param<'_>; 2];
        let params: &[Param<'_>] = match *self {
            SupervisorCall::GetAllProcessInfo
            | SupervisorCall::GetState
            | SupervisorCall::GetApiVersion => &[],
            SupervisorCall::GetProcessInfo(name) => {
                single = Param::Str(name);
                core::slice::from_ref(&single)
            }
            SupervisorCall::StartProcess { name, wait }
            | SupervisorCall::StopProcess { name, wait } => {
                pair = [Param::Str(name), Param::Bool(wait)];
                &pair
            }
            SupervisorCall::SignalProcess { name, signal } => {
                pair = [Param::Str(name), Param::Str(signal)];
                &pair
            }
        };
        MethodCall {
            method: self.method(),
            params,
        }
        .encode(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(call: SupervisorCall<'_>) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        call.encode(&mut w).unwrap();
        w.written().to_vec()
    }

    // Expected bodies are what Python 3.11's xmlrpc.client.dumps writes.

    #[test]
    fn get_all_process_info_has_empty_params() {
        assert_eq!(
            encoded(SupervisorCall::GetAllProcessInfo),
            b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getAllProcessInfo</methodName>\n<params>\n</params>\n</methodCall>\n"
        );
    }

    #[test]
    fn start_process_sends_name_and_wait_flag() {
        assert_eq!(
            encoded(SupervisorCall::StartProcess { name: "web:web_8101", wait: true }),
            &b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n<params>\n<param>\n<value><string>web:web_8101</string></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n"[..]
        );
    }

    #[test]
    fn stop_process_without_wait_sends_false() {
        let body = encoded(SupervisorCall::StopProcess {
            name: "solo",
            wait: false,
        });
        let text = core::str::from_utf8(&body).unwrap();
        assert!(text.contains("<methodName>supervisor.stopProcess</methodName>"));
        assert!(text.contains(
            "<param>\n<value><string>solo</string></value>\n</param>\n<param>\n<value><boolean>0</boolean></value>\n</param>\n"
        ));
    }

    #[test]
    fn get_process_info_sends_one_escaped_name() {
        assert_eq!(
            encoded(SupervisorCall::GetProcessInfo("a&b:<c>")),
            &b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getProcessInfo</methodName>\n<params>\n<param>\n<value><string>a&amp;b:&lt;c&gt;</string></value>\n</param>\n</params>\n</methodCall>\n"[..]
        );
    }

    #[test]
    fn signal_process_sends_signal_name_as_string() {
        let body = encoded(SupervisorCall::SignalProcess {
            name: "web:*",
            signal: "USR1",
        });
        let text = core::str::from_utf8(&body).unwrap();
        assert!(text.contains(
            "<param>\n<value><string>web:*</string></value>\n</param>\n<param>\n<value><string>USR1</string></value>\n</param>\n"
        ));
    }

    #[test]
    fn nested_params_are_encoded_like_python_does() {
        // xmlrpc.client.dumps(([{'methodName': 'supervisor.getState', 'params': []},
        //   {'methodName': 'supervisor.signalProcess', 'params': ['web:*', 10]}],), 'system.multicall')
        let get_state = [
            ("methodName", Param::Str("supervisor.getState")),
            ("params", Param::Array(&[])),
        ];
        let signal_args = [Param::Str("web:*"), Param::Int(10)];
        let signal = [
            ("methodName", Param::Str("supervisor.signalProcess")),
            ("params", Param::Array(&signal_args)),
        ];
        let calls = [Param::Struct(&get_state), Param::Struct(&signal)];
        let params = [Param::Array(&calls)];
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        MethodCall {
            method: "system.multicall",
            params: &params,
        }
        .encode(&mut w)
        .unwrap();
        assert_eq!(
            w.written(),
            &b"<?xml version='1.0'?>\n<methodCall>\n<methodName>system.multicall</methodName>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.getState</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n</data></array></value>\n</member>\n</struct></value>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.signalProcess</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n<value><string>web:*</string></value>\n<value><int>10</int></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodCall>\n"[..]
        );
    }

    #[test]
    fn ints_cover_the_whole_i32_range() {
        let params = [Param::Int(i32::MIN), Param::Int(i32::MAX)];
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        MethodCall {
            method: "m",
            params: &params,
        }
        .encode(&mut w)
        .unwrap();
        let text = core::str::from_utf8(w.written()).unwrap();
        assert!(text.contains("<int>-2147483648</int>"));
        assert!(text.contains("<int>2147483647</int>"));
    }

    #[test]
    fn a_too_small_buffer_is_an_overflow_error() {
        let mut buf = [0u8; 40];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            SupervisorCall::GetState.encode(&mut w),
            Err(EncodeError::Overflow)
        );
    }

    #[test]
    fn a_control_character_in_a_name_is_refused() {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            SupervisorCall::GetProcessInfo("bad\u{7}").encode(&mut w),
            Err(EncodeError::ForbiddenChar('\u{7}'))
        );
    }

    fn nested_arrays(depth: usize) -> &'static [Param<'static>] {
        let mut level: &'static [Param<'static>] = &[Param::Int(1)];
        for _ in 0..depth {
            level = std::boxed::Box::leak(std::boxed::Box::new([Param::Array(level)]));
        }
        level
    }

    #[test]
    fn params_nested_deeper_than_max_depth_are_refused() {
        let mut buf = [0u8; 8192];
        let mut w = Writer::new(&mut buf);
        let call = MethodCall {
            method: "m",
            params: nested_arrays(MAX_DEPTH),
        };
        assert_eq!(call.encode(&mut w), Ok(()));
        let mut w = Writer::new(&mut buf);
        let call = MethodCall {
            method: "m",
            params: nested_arrays(MAX_DEPTH + 1),
        };
        assert_eq!(call.encode(&mut w), Err(EncodeError::TooDeep));
    }
}
