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
pub use options::Options;
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
            let offset = e.span().map_or(0, |s| s.start);
            source.error(offset, "", ErrorKind::Syntax(e.message().to_string()))
        })?;
        let top = Table::new(&source, String::new(), document.get_ref(), 0);
        top.refuse_unknown(&TOP, "the file (its tables are [[check]], [supervisor], [frontend], [notify] and [heartbeat])", |key| {
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
        return Err(top.error(
            value.span().start,
            "check",
            ErrorKind::WrongType {
                expected: "an array of tables: write [[check]], not [check]",
                found: type_name(value.get_ref()),
            },
        ));
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
                &format!("{}.name", source::element("check", index)),
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
