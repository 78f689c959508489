//! `supercheck heartbeat`: its flags, and how they become a
//! [`HeartbeatSpec`] and a [`HeartbeatListen`].
//!
//! ```text
//! supercheck heartbeat -n beats --device pump=bridge --timeout 15 \
//!     --bind 127.0.0.1:9110 --allow-from 127.0.0.1
//! ```
//!
//! Without `--device`, each selected process depends on the device named
//! like the process. With `--device` and neither `-g` nor `-N`, the bound
//! processes are the ones checked.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use supercheck_core::check::spec::{CheckSpec, DeviceBinding, HeartbeatSpec, Timeout};

use supercheck_engine::Selection;

use crate::plan::ConfigError;

/// The port heartbeats are received on unless `--bind` says otherwise.
pub const DEFAULT_PORT: u16 = 9110;
/// Where heartbeats are received unless `--bind` says otherwise.
pub const DEFAULT_BIND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT);

/// Where heartbeat datagrams are received (`--bind`, `--allow-from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatListen {
    /// The UDP address bound.
    pub bind: SocketAddr,
    /// When not empty, the only source addresses whose datagrams are read.
    pub allow_from: Vec<IpAddr>,
}

impl Default for HeartbeatListen {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND,
            allow_from: Vec::new(),
        }
    }
}

fn refuse(flag: &str, what: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("{flag}: {what}"))
}

/// The flags of the receiving socket (`--bind`, `--allow-from`), shared by
/// the heartbeat and complex tools.
pub fn listen_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("bind")
            .long("bind")
            .value_name("ADDR:PORT")
            .help(format!(
                "UDP address heartbeats are received on; a non-loopback address only when given [default: {DEFAULT_BIND}]"
            )),
    )
    .arg(
        Arg::new("allow_from")
            .long("allow-from")
            .value_name("IP")
            .action(ArgAction::Append)
            .help("Read datagrams from this source address only (repeatable); others are counted as spoofed and ignored [default: any]"),
    )
}

/// Adds the heartbeat tool's flags to `cmd`.
pub fn args(cmd: Command) -> Command {
    listen_args(
        cmd.about("Restart processes whose device stops sending UDP heartbeats")
            .arg(
                Arg::new("timeout")
                    .short('t')
                    .long("timeout")
                    .value_name("SECONDS")
                    .help("Silence allowed before a device counts as dead (3 × its beat period or more)")
                    .value_parser(value_parser!(f64))
                    .default_value("15"),
            )
            .arg(
                Arg::new("device")
                    .long("device")
                    .value_name("DEVICE=PROCESS")
                    .action(ArgAction::Append)
                    .help("Beats of DEVICE keep PROCESS (NAME, GROUP:NAME or GROUP:*) alive (repeatable) [default: the device named like each process]"),
            ),
    )
}

fn texts<'m>(m: &'m ArgMatches, id: &str) -> impl Iterator<Item = &'m String> {
    m.try_get_many::<String>(id)
        .ok()
        .flatten()
        .into_iter()
        .flatten()
}

/// The check `--timeout` and `--device` describe.
///
/// # Errors
/// A timeout that is not positive, a binding that is not `DEVICE=PROCESS`
/// with a valid device name, a process bound twice, too many bindings.
pub fn spec(m: &ArgMatches) -> Result<HeartbeatSpec<'static>, ConfigError> {
    let mut spec = HeartbeatSpec::new();
    let secs = m
        .try_get_one::<f64>("timeout")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(15.0);
    spec.timeout = Timeout::from_secs_f64(secs).map_err(|e| refuse("-t/--timeout", e))?;
    for text in texts(m, "device") {
        let text: &'static str = Box::leak(text.clone().into_boxed_str());
        DeviceBinding::parse(text)
            .and_then(|binding| spec.bind(binding))
            .map_err(|e| refuse("--device", format!("{text:?}: {e}")))?;
    }
    Ok(spec)
}

/// Where heartbeats are received: `--bind` and `--allow-from`.
///
/// # Errors
/// An address that is not `ADDR:PORT`, port 0, or a source that is not an IP address.
pub fn listen(m: &ArgMatches) -> Result<HeartbeatListen, ConfigError> {
    let mut listen = HeartbeatListen::default();
    if let Some(bind) = m.try_get_one::<String>("bind").ok().flatten() {
        let addr: SocketAddr = bind.parse().map_err(|_| {
            refuse(
                "--bind",
                format!("{bind:?} is not an ADDRESS:PORT (e.g. 127.0.0.1:9110)"),
            )
        })?;
        if addr.port() == 0 {
            return Err(refuse("--bind", "port 0: devices need a fixed port"));
        }
        listen.bind = addr;
    }
    for source in texts(m, "allow_from") {
        let ip: IpAddr = source
            .parse()
            .map_err(|_| refuse("--allow-from", format!("{source:?} is not an IP address")))?;
        listen.allow_from.push(ip);
    }
    Ok(listen)
}

/// With device bindings and no `-g`/`-N`: the bound processes.
pub fn bound_selection(checks: &[CheckSpec<'_>]) -> Option<Selection> {
    let processes: Vec<String> = checks
        .iter()
        .filter_map(|spec| match spec {
            CheckSpec::Heartbeat(spec) => Some(spec.bindings()),
            _ => None,
        })
        .flatten()
        .map(|binding| binding.process().to_string())
        .collect();
    (!processes.is_empty()).then_some(Selection::AnyOf(processes))
}

/// Whether any check is a heartbeat check (the receiver is needed).
pub fn needs_receiver(checks: &[CheckSpec<'_>]) -> bool {
    checks
        .iter()
        .any(|spec| matches!(spec, CheckSpec::Heartbeat(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drop_in::command;
    use crate::tool::Tool;

    fn parse(line: &str) -> ArgMatches {
        command(Tool::Heartbeat, "supercheck")
            .try_get_matches_from(std::iter::once("supercheck").chain(line.split_whitespace()))
            .unwrap()
    }

    #[test]
    fn defaults_are_loopback_and_fifteen_seconds() {
        let m = parse("-n beats");
        assert_eq!(listen(&m).unwrap(), HeartbeatListen::default());
        assert_eq!(DEFAULT_BIND.to_string(), "127.0.0.1:9110");
        let spec = spec(&m).unwrap();
        assert_eq!(spec.timeout.get().millis(), 15_000);
        assert!(spec.bindings().is_empty());
    }

    #[test]
    fn devices_and_sources_are_read() {
        let m = parse(
            "-n b -t 2.5 --device pump=bridge --device fan=fans:* --bind 0.0.0.0:7000 --allow-from 10.0.0.7",
        );
        let s = spec(&m).unwrap();
        assert_eq!(s.timeout.get().millis(), 2_500);
        assert_eq!(s.device_for("bridge", "bridge"), Some("pump"));
        assert_eq!(s.device_for("fans", "fan_2"), Some("fan"));
        let l = listen(&m).unwrap();
        assert_eq!(l.bind.to_string(), "0.0.0.0:7000");
        assert_eq!(l.allow_from, vec!["10.0.0.7".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn bad_values_name_their_flag() {
        for (line, flag) in [
            ("-n b --bind nowhere", "--bind"),
            ("-n b --bind 127.0.0.1:0", "--bind"),
            ("-n b --allow-from example.com", "--allow-from"),
        ] {
            let e = listen(&parse(line)).unwrap_err();
            assert!(e.0.starts_with(flag), "{line}: {e}");
        }
        for (line, flag) in [
            ("-n b --device pump", "--device"),
            ("-n b --device bad/name=bridge", "--device"),
            ("-n b --device a=x --device b=x", "--device"),
            ("-n b -t 0", "-t/--timeout"),
        ] {
            let e = spec(&parse(line)).unwrap_err();
            assert!(e.0.starts_with(flag), "{line}: {e}");
        }
    }
}
