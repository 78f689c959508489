//! What a listener does, once its command line has been read: which processes
//! it selects, which checks it runs on them, and its policies.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use regex_lite::Regex;
use supercheck_core::check::port::{PortError, PortSpec, port_from_captures};
use supercheck_core::check::spec::{CheckSpec, XmlRpcTarget};
use supercheck_core::check::verdict::CheckError;
use supercheck_core::event::LenMode;
use supercheck_core::health::Policy;
use supercheck_core::names::Namespec;
use supercheck_core::process::ProcessState;

use crate::custom::CustomCheck;
use crate::probe::net::Judge;
use crate::supervisor::client::ProcessSnapshot;
use crate::supervisor::url::ServerUrl;

/// Which processes a listener checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `-N`: a namespec (`group:name`, `name` or `group:*`).
    Namespec(String),
    /// `-g`: every process of a group.
    Group(String),
    /// Neither: every process but those of the listener's own pool.
    AllExcept(Option<String>),
    /// Any of these namespecs (superlance's repeatable `-p`/`-g`).
    AnyOf(Vec<String>),
}

impl Selection {
    /// Whether the process `group:name` is selected.
    pub fn selects(&self, group: &str, name: &str) -> bool {
        match self {
            Selection::Namespec(spec) => Namespec::parse(spec).matches(group, name),
            Selection::Group(g) => g == group,
            Selection::AllExcept(own) => own.as_deref() != Some(group),
            Selection::AnyOf(specs) => specs
                .iter()
                .any(|spec| Namespec::parse(spec).matches(group, name)),
        }
    }
}

impl Selection {
    /// The named namespecs (`-N`, superlance's `-p`/`-g`) that match none of
    /// `processes`, whatever their state: a typo or a removed program.
    pub fn unmatched<'a>(&'a self, processes: &[ProcessSnapshot]) -> Vec<&'a str> {
        let specs: &[String] = match self {
            Selection::Namespec(spec) => std::slice::from_ref(spec),
            Selection::AnyOf(specs) => specs,
            Selection::Group(_) | Selection::AllExcept(_) => &[],
        };
        specs
            .iter()
            .filter(|spec| {
                let spec = Namespec::parse(spec);
                !processes.iter().any(|p| spec.matches(&p.group, &p.name))
            })
            .map(String::as_str)
            .collect()
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selection::Namespec(spec) => f.write_str(spec),
            Selection::Group(group) => write!(f, "{group}:*"),
            Selection::AllExcept(_) => f.write_str("every process"),
            Selection::AnyOf(specs) => f.write_str(&specs.join(", ")),
        }
    }
}

/// How a check finds the port of a process.
#[derive(Debug, Clone)]
pub enum PortSource {
    /// A fixed port.
    Fixed(u16),
    /// A pattern matched at the start of the process name (Python's `re.match`).
    Pattern(Regex),
}

impl PortSource {
    /// Compiles a port spec.
    ///
    /// # Errors
    /// A regular expression that does not compile, with the reason.
    pub fn new(spec: PortSpec<'_>) -> Result<Self, String> {
        match spec {
            PortSpec::Number(port) => Ok(PortSource::Fixed(port)),
            PortSpec::Pattern(pattern) => Regex::new(&format!("^(?:{pattern})"))
                .map(PortSource::Pattern)
                .map_err(|e| format!("bad port pattern {pattern:?}: {e}")),
        }
    }

    /// The port of the process called `name`.
    ///
    /// # Errors
    /// A pattern that does not give exactly one number: a configuration error,
    /// never a reason to restart.
    pub fn port_for(&self, name: &str) -> Result<u16, PortError> {
        match self {
            PortSource::Fixed(port) => Ok(*port),
            PortSource::Pattern(regex) => port_from_captures(regex.captures(name).map(|c| {
                c.iter()
                    .skip(1)
                    .map(|m| m.map(|m| m.as_str()))
                    .collect::<Vec<_>>()
            })),
        }
    }
}

/// What a planned check runs.
// Plans are built once at start-up and held in a small Vec: the size of the
// inline built-in spec does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum CheckWork {
    /// One of the built-in checks (shared: every probe of a tick reads it).
    Builtin(Arc<CheckSpec<'static>>),
    /// A check written against the library API ([`crate::custom`]).
    Custom(CustomCheck),
}

/// One configured check, ready to run.
#[derive(Debug, Clone)]
pub struct CheckPlan {
    /// What the check runs.
    pub work: CheckWork,
    /// Its port source, for the checks that connect to a port.
    pub port: Option<PortSource>,
    /// An http check over TLS (`--https`): where certificates are verified.
    pub https: Option<Arc<crate::probe::https::HttpsTarget>>,
    /// How a socket check's responses are judged, worked out once (an
    /// expected-status list that does not parse makes every probe an error).
    pub judge: Option<Result<Arc<Judge>, CheckError>>,
}

impl CheckPlan {
    /// Prepares a built-in check: compiles its port pattern.
    ///
    /// # Errors
    /// A port pattern that does not compile.
    pub fn new(spec: CheckSpec<'static>) -> Result<Self, String> {
        let port = match &spec {
            CheckSpec::Http(http) => Some(http.port),
            CheckSpec::Tcp(tcp) => Some(tcp.port),
            CheckSpec::XmlRpc(xml) => match xml.target {
                XmlRpcTarget::Http { port, .. } => Some(port),
                _ => None,
            },
            _ => None,
        };
        Ok(Self {
            port: port.map(PortSource::new).transpose()?,
            judge: Judge::for_check(&spec).map(|judge| judge.map(Arc::new)),
            work: CheckWork::Builtin(Arc::new(spec)),
            https: None,
        })
    }

    /// A custom check.
    pub fn custom(check: CustomCheck) -> Self {
        Self {
            work: CheckWork::Custom(check),
            port: None,
            https: None,
            judge: None,
        }
    }

    /// The built-in check's specification (`None` for a custom check).
    pub fn builtin(&self) -> Option<&CheckSpec<'static>> {
        match &self.work {
            CheckWork::Builtin(spec) => Some(spec.as_ref()),
            CheckWork::Custom(_) => None,
        }
    }

    /// The check's name in logs: its kind (`http`, `memory`...) or a custom
    /// check's own name.
    pub fn kind(&self) -> &str {
        match &self.work {
            CheckWork::Builtin(spec) => spec.kind().name(),
            CheckWork::Custom(check) => check.name(),
        }
    }
}

/// Everything a listener needs to run.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// The name in every log line (`-n`).
    pub check_name: String,
    /// The processes checked.
    pub selection: Selection,
    /// The states in which a process is checked (RUNNING by default).
    pub states: Vec<ProcessState>,
    /// The checks, in order.
    pub checks: Vec<CheckPlan>,
    /// Thresholds, grace and restart budget.
    pub policy: Policy,
    /// Where supervisord is.
    pub server: ServerUrl,
    /// Timeout of each call to supervisord.
    pub rpc_timeout: Duration,
    /// Timeout of a `stopProcess` call (it waits for the process to stop).
    pub stop_timeout: Duration,
    /// Log every check's result.
    pub verbose: bool,
    /// How `len` is counted in event headers.
    pub len_mode: LenMode,
    /// Dry run: one round of checks, verdicts on stdout, no restart, no protocol.
    pub once: bool,
    /// The HTTP frontend (`--listen`), off by default.
    pub frontend: Option<crate::frontend::FrontendConfig>,
    /// Where heartbeat datagrams are received, when a heartbeat check is configured.
    pub heartbeat: Option<super::heartbeat::HeartbeatListen>,
    /// Where restarts, give-ups and recoveries are reported (`--mail-to`,
    /// `--webhook`), off by default.
    pub notify: Option<NotifyConfig>,
}

/// Notification settings of a check listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// How the messages name their sender (the tool's program name).
    pub tool: &'static str,
    /// Mail recipient (`--mail-to`).
    pub mail_to: Option<String>,
    /// The sendmail argument vector, split on whitespace (`--sendmail`).
    pub sendmail: String,
    /// JSON webhook (`--webhook`).
    pub webhook: Option<String>,
    /// At most one message per process per window (`--notify-window`).
    pub window: Duration,
}

impl ListenerConfig {
    /// Whether `process` is one this listener checks now.
    pub fn wants(&self, process: &ProcessSnapshot) -> bool {
        self.selection.selects(&process.group, &process.name)
            && self.states.contains(&process.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_pattern_is_anchored_at_the_start_only() {
        let source = PortSource::new(PortSpec::Pattern(r".+_(\d+)")).unwrap();
        assert_eq!(source.port_for("web_8101"), Ok(8101));
        assert_eq!(
            source.port_for("web_8101_extra"),
            Ok(8101),
            "not anchored at the end"
        );
        let anchored = PortSource::new(PortSpec::Pattern(r"(\d+)")).unwrap();
        assert_eq!(anchored.port_for("web_8101"), Err(PortError::NoMatch));
    }

    #[test]
    fn pattern_misses_are_config_errors() {
        let two = PortSource::new(PortSpec::Pattern(r"(\w+)_(\d+)")).unwrap();
        assert_eq!(two.port_for("web_1"), Err(PortError::GroupCount(2)));
        let optional = PortSource::new(PortSpec::Pattern(r"web(_\d+)?")).unwrap();
        assert_eq!(optional.port_for("web"), Err(PortError::GroupUnset));
        assert!(PortSource::new(PortSpec::Pattern("(")).is_err());
    }

    #[test]
    fn named_programs_missing_from_the_list_are_unmatched() {
        let list: Vec<ProcessSnapshot> = [("web", "web_1"), ("db", "db")]
            .iter()
            .map(|(group, name)| ProcessSnapshot {
                group: (*group).into(),
                name: (*name).into(),
                state: ProcessState::Stopped,
                pid: 0,
                start: 0,
                now: 0,
            })
            .collect();
        let any = Selection::AnyOf(vec![
            "web_1".into(),
            "ghost".into(),
            "db:*".into(),
            "x:y".into(),
        ]);
        assert_eq!(any.unmatched(&list), ["ghost", "x:y"]);
        assert_eq!(
            Selection::Namespec("web:web_2".into()).unmatched(&list),
            ["web:web_2"]
        );
        assert!(Selection::Group("nope".into()).unmatched(&list).is_empty());
    }

    #[test]
    fn bare_name_and_full_namespec_select_the_same_process() {
        assert!(Selection::Namespec("web_1".into()).selects("web", "web_1"));
        assert!(Selection::Namespec("web:web_1".into()).selects("web", "web_1"));
        assert!(Selection::Namespec("web:*".into()).selects("web", "web_2"));
        assert!(!Selection::AllExcept(Some("checks".into())).selects("checks", "checks"));
    }
}
