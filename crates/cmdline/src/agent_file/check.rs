//! One `[[check]]` table: its name, kind, targets, states, interval, policy
//! and options, read into a [`CheckTable`] that owns all of it.

use supercheck_core::check::port::PortSpec;
use supercheck_core::check::spec::{CheckKind, CheckSpec, TcpSpec};
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;
use supercheck_core::time::Duration;
use supercheck_engine::{CheckRule, Selection};
use toml::de::DeValue;

use super::duration::positive;
use super::error::{AgentFileError, ErrorKind};
use super::kinds::{self, described, kinds_with};
use super::options::Options;
use super::policy;
use super::reader::{Table, Value};
use super::source::element;
use super::suggest::closest;
use super::targets::{Target, Targets};
use super::value::{Refusal, string};

/// The keys every check has, whatever its kind.
const COMMON: [&str; 5] = ["name", "kind", "targets", "states", "interval"];

/// The longest check name.
pub const MAX_NAME: usize = 64;

/// One `[[check]]`, checked and owned.
///
/// Two tables are equal when they say the same thing: `timeout = 2` and
/// `timeout = "2s"` are equal, and where the table is in the file does not
/// count, so a reload can keep the state of every check whose table did not
/// change.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckTable {
    name: String,
    options: Options,
    targets: Targets,
    states: Vec<ProcessState>,
    interval: Option<Duration>,
    policy: Policy,
}

impl CheckTable {
    /// The check's name (unique in the file, a simple identifier).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The check's kind.
    pub fn kind(&self) -> CheckKind {
        self.options.kind()
    }

    /// The kind's options, owned.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The processes it checks.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// The engine's selection of its targets; `own_group` is the agent's
    /// own pool (`SUPERVISOR_GROUP_NAME`), which `"*"` leaves out.
    pub fn selection(&self, own_group: Option<&str>) -> Selection {
        self.targets.selection(own_group)
    }

    /// The states in which a process is checked (RUNNING unless `states` says otherwise).
    pub fn states(&self) -> &[ProcessState] {
        &self.states
    }

    /// How often it runs on its own schedule; `None`: on every TICK.
    pub fn interval(&self) -> Option<Duration> {
        self.interval
    }

    /// Thresholds, window, grace, budget and back-off, accepted by
    /// [`supercheck_core::health::HealthMachine::new`].
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The core's specification, borrowing this table's text.
    pub fn spec(&self) -> CheckSpec<'_> {
        match self.options.build() {
            Ok(spec) => spec,
            // Not reached: `AgentFile::parse` built this same spec from these
            // same options, which nothing can change since, and refused the
            // table otherwise. Rather than panic, a check that can only
            // report a configuration error (a port pattern without a group),
            // which never restarts anything.
            Err(_) => CheckSpec::Tcp(TcpSpec::new(PortSpec::Pattern(""))),
        }
    }

    /// What the engine knows of the check: its retry plan and cpu limit, as
    /// [`CheckRule::for_spec`] has them, under the check's own name.
    pub fn rule(&self) -> CheckRule {
        CheckRule {
            name: self.name.clone(),
            ..CheckRule::for_spec(&self.spec())
        }
    }
}

/// Whether `key` is a key of every check, whatever its kind.
pub(crate) fn is_common_key(key: &str) -> bool {
    COMMON.contains(&key) || policy::KEYS.contains(&key)
}

/// Whether `name` can name a check: `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_NAME`].
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= MAX_NAME
}

fn name(value: &DeValue<'_>) -> Result<String, Refusal> {
    let name = string(value)?;
    if !valid_name(name) {
        return Err(Refusal::invalid(format!(
            "{name:?} is not a simple identifier: letters, digits and '_', not starting with a digit, at most {MAX_NAME} characters (it names the check in logs and metric labels)"
        )));
    }
    Ok(name.to_string())
}

fn kind(value: &DeValue<'_>) -> Result<CheckKind, Refusal> {
    let text = string(value)?;
    if let Some(kind) = CheckKind::from_name(text) {
        return Ok(kind);
    }
    let names: Vec<&'static str> = CheckKind::ALL.iter().map(|k| k.name()).collect();
    let mut message = format!("unknown kind {text:?}");
    if text == "complex" {
        message.push_str(": write one [[check]] per kind, with the same targets");
    } else if let Some(near) = closest(text, &names) {
        message.push_str(&format!("; did you mean {near:?}?"));
    }
    message.push_str(&format!(" (kinds: {})", names.join(", ")));
    Err(Refusal::Invalid(message))
}

fn targets(t: &Table<'_, '_>) -> Result<Targets, AgentFileError> {
    const KEY: &str = "targets";
    const EXPECTED: &str = "an array of targets such as [\"web:*\"]";
    let (value, items) = t
        .array(KEY, EXPECTED)?
        .ok_or_else(|| t.missing(KEY, "which processes to check, such as [\"web:*\"]"))?;
    let mut list: Vec<Target> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = element(KEY, i);
        let text = string(item.get_ref())
            .map_err(|_| t.refused(&key, item, Refusal::WrongType("a string")))?;
        let bad = |reason: String| {
            t.error(
                item.span().start,
                &key,
                ErrorKind::BadTarget {
                    target: text.to_string(),
                    reason,
                },
            )
        };
        let target = Target::parse(text).map_err(bad)?;
        if list.contains(&target) {
            return Err(bad("is listed twice".into()));
        }
        list.push(target);
    }
    Targets::new(list).ok_or_else(|| t.error(value.span().start, KEY, ErrorKind::EmptyTargets))
}

fn states(t: &Table<'_, '_>) -> Result<Vec<ProcessState>, AgentFileError> {
    const KEY: &str = "states";
    let Some((value, items)) = t.array(KEY, "an array of process states such as [\"RUNNING\"]")?
    else {
        return Ok(vec![ProcessState::Running]);
    };
    if items.is_empty() {
        return Err(t.refused(
            KEY,
            value,
            Refusal::invalid("must not be empty: a check in no state never runs"),
        ));
    }
    let mut list = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = element(KEY, i);
        let text = string(item.get_ref())
            .map_err(|_| t.refused(&key, item, Refusal::WrongType("a string")))?;
        let state =
            ProcessState::from_name(&text.trim().to_ascii_uppercase()).ok_or_else(|| {
                let names: Vec<&str> = ProcessState::ALL.iter().map(|s| s.name()).collect();
                t.refused(
                    &key,
                    item,
                    Refusal::invalid(format!(
                        "{text:?} is not a process state ({})",
                        names.join(", ")
                    )),
                )
            })?;
        if list.contains(&state) {
            return Err(t.refused(
                &key,
                item,
                Refusal::invalid(format!("{text:?} is listed twice")),
            ));
        }
        list.push(state);
    }
    Ok(list)
}

/// Reads the `index`th `[[check]]` (counted from 0), `value` being its table.
pub(crate) fn read(
    source: &super::source::Source<'_>,
    index: usize,
    value: &Value<'_>,
) -> Result<(CheckTable, usize), AgentFileError> {
    let path = element("check", index);
    let DeValue::Table(table) = value.get_ref() else {
        return Err(source.error(
            value.span().start,
            &path,
            ErrorKind::WrongType {
                expected: "a table ([[check]])",
                found: super::value::type_name(value.get_ref()),
            },
        ));
    };
    let mut t = Table::new(source, path.clone(), table, value.span().start);
    let name = t.require(
        "name",
        "every check has a unique name, such as \"web_http\"",
        name,
    )?;
    let name_at = t.get("name").map_or(t.start(), |v| v.span().start);
    t.set_path(format!("{path} ({name})"));
    let kind = t.require(
        "kind",
        "http, tcp, xmlrpc, memory, cpu, file, exec or heartbeat",
        kind,
    )?;
    let known: Vec<&'static str> = COMMON
        .iter()
        .chain(policy::KEYS.iter())
        .copied()
        .chain(kinds::keys(kind))
        .collect();
    t.refuse_unknown(&known, &described(kind), kinds_with)?;
    let targets = targets(&t)?;
    let states = states(&t)?;
    let interval = t.read("interval", positive)?;
    let policy = policy::read(&t)?;
    let options = kinds::read(kind, &t)?;
    if let Err(e) = options.build() {
        return Err(t.error(t.start(), "", ErrorKind::Invalid(e.to_string())));
    }
    Ok((
        CheckTable {
            name,
            options,
            targets,
            states,
            interval,
            policy,
        },
        name_at,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_simple_identifiers() {
        for good in ["web_http", "_x", "a1", "A"] {
            assert!(valid_name(good), "{good}");
        }
        let long = "a".repeat(MAX_NAME + 1);
        for bad in [
            "",
            "1web",
            "web-http",
            "web http",
            "wéb",
            "web.http",
            long.as_str(),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
