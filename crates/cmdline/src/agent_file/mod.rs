//! The agent's configuration file (`supercheck agent --config FILE`): one
//! TOML file for a whole host, read into owned, checked values.
//!
//! ```toml
//! [[check]]
//! name = "web_http"
//! kind = "http"
//! targets = ["web:*"]
//! url = "/ping"
//! port = ".+_(\\d+)"
//! timeout = 2
//! num_retries = 0
//! interval = 1
//! ```
//!
//! [`AgentFile::parse`] checks everything the drop-ins check before
//! `READY` (every value, every port pattern compiled, every policy accepted
//! by the health machine), so what it returns can be run as it is. A
//! refusal is an [`AgentFileError`] naming the file, the line and column
//! and the key: `agent.toml:7:11: check[2] (web_http).timeout: ...`.
//! Everything returned owns its data: a reload drops the old file whole.
//! The format is documented in `docs/agent.md`.
//!
//! | module | what it holds |
//! |---|---|
//! | `mod.rs` | [`AgentFile`]: the top level, `parse` and `load` |
//! | [`error`] | [`AgentFileError`], [`ErrorKind`] and how they display |
//! | `source` | byte offsets to lines and columns; key paths |
//! | `reader` | one TOML table read key by key, refusals placed |
//! | `value` | one TOML value read as a string, integer, number, boolean |
//! | `suggest` | the known key closest to a misspelt one |
//! | `duration` | durations: seconds, or strings with units |
//! | [`check`] | one `[[check]]`: [`CheckTable`], its name, kind, targets, states |
//! | [`targets`] | `targets`: [`Targets`] and the engine's selection |
//! | `policy` | the policy keys into a [`supercheck_core::health::Policy`] |
//! | `kinds` | each kind's option keys, read and checked |
//! | [`options`] | each kind's options, owned, and the core's spec built from them |
//! | `json` | the http check's `json` body from a TOML value |
//! | [`globals`] | `[supervisor]`, `[frontend]`, `[notify]`, `[heartbeat]` |

pub mod check;
mod duration;
pub mod error;
pub mod globals;
mod json;
mod kinds;
pub mod options;
mod policy;
mod reader;
mod source;
mod suggest;
pub mod targets;
mod value;

use std::collections::HashMap;
use std::path::Path;

use supercheck_core::check::spec::CheckKind;
use toml::de::{DeTable, DeValue};

pub use check::CheckTable;
pub use error::{AgentFileError, ErrorKind};
pub use globals::{FrontendSettings, HealthStatusCodes, NotifySettings, SupervisorSettings};
pub use options::{Options, TlsOptions};
pub use targets::{Target, Targets};

use crate::heartbeat::HeartbeatListen;
use reader::Table;
use source::Source;
use value::type_name;

/// The top-level keys.
const TOP: [&str; 5] = ["check", "supervisor", "frontend", "notify", "heartbeat"];

/// A checked agent file.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentFile {
    checks: Vec<CheckTable>,
    supervisor: SupervisorSettings,
    frontend: Option<FrontendSettings>,
    notify: Option<NotifySettings>,
    heartbeat: Option<HeartbeatListen>,
}

impl AgentFile {
    /// Reads and checks `text`; `file` names it in messages.
    ///
    /// # Errors
    /// The first problem in the file, as an [`AgentFileError`] at its line,
    /// column and key.
    pub fn parse(file: &str, text: &str) -> Result<Self, AgentFileError> {
        let source = Source::new(file, text);
        let document = DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or_default();
            let mut message = e.message().to_string();
            // Name the key a "duplicate key" is about: the span covers it.
            if let Some(key) = text
                .get(span.clone())
                .filter(|k| !k.is_empty() && k.len() <= 64)
            {
                if message == "duplicate key" {
                    message = format!("duplicate key {:?}", key.trim_matches(['"', '\'']));
                }
            }
            source.error(span.start, "", ErrorKind::Syntax(message))
        })?;
        let top = Table::new(&source, String::new(), document.get_ref(), 0);
        top.refuse_unknown(&TOP, "the top level of the file, which holds only [[check]], [supervisor], [frontend], [notify] and [heartbeat]", |key| {
            if check::is_common_key(key) {
                vec!["all"]
            } else {
                kinds::kinds_with(key)
            }
        })?;
        let checks = checks(&top)?;
        let supervisor = table(&top, "supervisor")?
            .map(|t| globals::supervisor(&t))
            .transpose()?
            .unwrap_or_default();
        let frontend = table(&top, "frontend")?
            .map(|t| globals::frontend(&t))
            .transpose()?;
        let notify = table(&top, "notify")?
            .map(|t| globals::notify(&t))
            .transpose()?;
        let heartbeat_table = table(&top, "heartbeat")?
            .map(|t| globals::heartbeat(&t))
            .transpose()?;
        let heartbeat = checks
            .iter()
            .any(|c| c.kind() == CheckKind::Heartbeat)
            .then(|| heartbeat_table.unwrap_or_default());
        Ok(Self {
            checks,
            supervisor,
            frontend,
            notify,
            heartbeat,
        })
    }

    /// Reads the file at `path` and checks it.
    ///
    /// # Errors
    /// [`ErrorKind::Unreadable`] with the OS error when the file cannot be
    /// read; [`ErrorKind::Syntax`] at the first byte that is not UTF-8; then
    /// those of [`AgentFile::parse`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, AgentFileError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| AgentFileError {
            file: shown.clone(),
            line: 0,
            column: 0,
            key: String::new(),
            kind: Box::new(ErrorKind::Unreadable(e.to_string())),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(e.as_bytes().get(..valid).unwrap_or_default());
            Source::new(&shown, &prefix).error(
                valid,
                "",
                ErrorKind::Syntax("the file is not UTF-8 text".into()),
            )
        })?;
        Self::parse(&shown, &text)
    }

    /// The checks, in file order.
    pub fn checks(&self) -> &[CheckTable] {
        &self.checks
    }

    /// The check called `name`.
    pub fn check(&self, name: &str) -> Option<&CheckTable> {
        self.checks.iter().find(|c| c.name() == name)
    }

    /// `[supervisor]`, with its defaults when the table is left out.
    pub fn supervisor(&self) -> &SupervisorSettings {
        &self.supervisor
    }

    /// `[frontend]`; `None`: no frontend.
    pub fn frontend(&self) -> Option<&FrontendSettings> {
        self.frontend.as_ref()
    }

    /// `[notify]`; `None`: no notifications.
    pub fn notify(&self) -> Option<&NotifySettings> {
        self.notify.as_ref()
    }

    /// Where heartbeat datagrams are received (`[heartbeat]`, or its
    /// defaults): `Some` exactly when there is a heartbeat check.
    pub fn heartbeat(&self) -> Option<&HeartbeatListen> {
        self.heartbeat.as_ref()
    }
}

/// `key` as a table, if present.
fn table<'a, 'i>(top: &Table<'a, 'i>, key: &str) -> Result<Option<Table<'a, 'i>>, AgentFileError> {
    match top.get(key) {
        Some(value) if !matches!(value.get_ref(), DeValue::Table(_)) => Err(top.error(
            value.span().start,
            key,
            ErrorKind::WrongType {
                expected: "a table",
                found: type_name(value.get_ref()),
            },
        )),
        _ => top.table(key, "a table"),
    }
}

fn checks(top: &Table<'_, '_>) -> Result<Vec<CheckTable>, AgentFileError> {
    let Some(value) = top.get("check") else {
        return Ok(Vec::new());
    };
    let DeValue::Array(items) = value.get_ref() else {
        let message = match value.get_ref() {
            DeValue::Table(_) => {
                "must be [[check]] tables (an array of tables), not [check]".to_string()
            }
            other => format!(
                "must be [[check]] tables (an array of tables), not {}",
                type_name(other)
            ),
        };
        return Err(top.error(value.span().start, "check", ErrorKind::Invalid(message)));
    };
    let source = top.source();
    let mut checks = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let (check, name_at) = check::read(source, index, item)?;
        let (line, column) = source.position(name_at);
        if let Some(&(first_line, first_column)) = seen.get(check.name()) {
            return Err(source.error(
                name_at,
                &format!(
                    "{} ({}).name",
                    source::element("check", index),
                    check.name()
                ),
                ErrorKind::DuplicateName {
                    name: check.name().to_string(),
                    first_line,
                    first_column,
                },
            ));
        }
        seen.insert(check.name().to_string(), (line, column));
        checks.push(check);
    }
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str) -> String {
        format!("[[check]]\nname = \"c\"\n{body}\n")
    }

    fn refusal(text: &str) -> String {
        match AgentFile::parse("a.toml", text) {
            Ok(file) => panic!("accepted: {file:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn heartbeats_are_received_only_with_a_heartbeat_check() {
        let beats = check("kind = \"heartbeat\"\ntargets = [\"*\"]");
        let file = AgentFile::parse("a.toml", &beats).unwrap();
        assert_eq!(file.heartbeat(), Some(&HeartbeatListen::default()));
        let tcp = format!(
            "[heartbeat]\nbind = \"127.0.0.1:7000\"\n{}",
            check("kind = \"tcp\"\ntargets = [\"*\"]\nport = 1")
        );
        assert_eq!(AgentFile::parse("a.toml", &tcp).unwrap().heartbeat(), None);
    }

    #[test]
    fn a_cpu_check_has_its_own_interval_and_a_schedule() {
        let text = check(
            "kind = \"cpu\"\ntargets = [\"w:*\"]\nmax_cpu = 80\ncpu_interval = \"10m\"\ninterval = 5",
        );
        let file = AgentFile::parse("a.toml", &text).unwrap();
        let cpu = file.check("c").unwrap();
        assert_eq!(cpu.interval().map(|d| d.secs()), Some(5));
        assert_eq!(cpu.rule().cpu.map(|l| l.interval.secs()), Some(600));
        let default = check("kind = \"cpu\"\ntargets = [\"w:*\"]\nmax_cpu = 80");
        let file = AgentFile::parse("a.toml", &default).unwrap();
        assert_eq!(
            file.check("c")
                .and_then(|c| c.rule().cpu)
                .map(|l| l.interval.secs()),
            Some(3600)
        );
    }

    #[test]
    fn misplaced_and_misnamed_things_are_explained() {
        assert_eq!(
            refusal("url = \"/x\"\n"),
            "a.toml:1:1: url: unknown key \"url\" in the top level of the file, which holds only \
             [[check]], [supervisor], [frontend], [notify] and [heartbeat] (\"url\" is a key of \
             http, xmlrpc checks)"
        );
        let e = refusal(&check("kind = \"complex\""));
        assert!(e.contains("write one [[check]] per kind"), "{e}");
        let e = refusal(&check("kind = \"tcp\"\ntargets = [\"all\"]\nport = 1"));
        assert!(
            e.contains("a.toml:4:12: check[1] (c).targets[1]: target \"all\": write \"*\""),
            "{e}"
        );
        let e = refusal(&check(
            "kind = \"tcp\"\ntargets = [\"web:*\", \"web:\"]\nport = 1",
        ));
        assert!(
            e.contains("targets[2]: target \"web:\": is listed twice"),
            "{e}"
        );
        let e = refusal(&check(
            "kind = \"memory\"\ntargets = [\"*\"]\nmax_rss = 1\ninterval = 1\nfail_treshold = 2",
        ));
        assert!(e.contains("did you mean \"fail_threshold\"?"), "{e}");
        let e = refusal("[supervisor]\nrpc_timeout = 0\n");
        assert!(
            e.starts_with("a.toml:2:15: supervisor.rpc_timeout: must be greater than zero"),
            "{e}"
        );
        let e = refusal("[supervisor]\nserver_url = \"ftp://x\"\n");
        assert!(e.starts_with("a.toml:2:14: supervisor.server_url: "), "{e}");
        let e = refusal("frontend = 1\n");
        assert_eq!(
            e,
            "a.toml:1:12: frontend: expected a table, found an integer"
        );
    }

    #[test]
    fn xmlrpc_targets_go_one_at_a_time_and_url_with_port() {
        let e = refusal(&check(
            "kind = \"xmlrpc\"\ntargets = [\"*\"]\nurl = \"/RPC2\"",
        ));
        assert!(
            e.starts_with(
                "a.toml:1:1: check[1] (c).port: required key is missing (url needs port)"
            ),
            "{e}"
        );
        let e = refusal(&check("kind = \"xmlrpc\"\ntargets = [\"*\"]"));
        assert!(
            e.contains("(c).url: required key is missing (an xmlrpc check needs one of"),
            "{e}"
        );
        let ok =
            check("kind = \"xmlrpc\"\ntargets = [\"*\"]\nurl = \"/RPC2\"\nport = \"x_(\\\\d+)\"");
        let file = AgentFile::parse("a.toml", &ok).unwrap();
        assert!(matches!(
            file.check("c").map(CheckTable::spec),
            Some(supercheck_core::check::spec::CheckSpec::XmlRpc(_))
        ));
    }

    #[test]
    fn exec_commands_are_shell_lines_or_argv() {
        let shell = check(
            "kind = \"exec\"\ntargets = [\"*\"]\ncommand = \"test -f /tmp/ok\"\ntimeout = \"500ms\"",
        );
        let file = AgentFile::parse("a.toml", &shell).unwrap();
        let spec = file.check("c").map(CheckTable::spec);
        assert!(matches!(
            spec,
            Some(supercheck_core::check::spec::CheckSpec::Exec(ref e))
                if e.command == supercheck_core::check::spec::Command::Shell("test -f /tmp/ok")
                    && e.timeout.get().millis() == 500
        ));
        let e = refusal(&check(
            "kind = \"exec\"\ntargets = [\"*\"]\ncommand = [\"\", \"x\"]",
        ));
        assert!(
            e.contains("command[1]: the program must not be empty"),
            "{e}"
        );
        let e = refusal(&check(
            "kind = \"exec\"\ntargets = [\"*\"]\ncommand = [\"a\", 1]",
        ));
        assert!(
            e.contains("command[2]: expected a string, found an integer"),
            "{e}"
        );
        let e = refusal(&check("kind = \"exec\"\ntargets = [\"*\"]"));
        assert!(e.contains("(c).command: required key is missing"), "{e}");
    }
}
