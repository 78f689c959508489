//! `supercheck serve`'s settings and where each comes from.
//!
//! Resolution order, per setting (HealthCheck.Server's, spec 5.1): the
//! command line, then the environment, then `--config FILE`, then the
//! default. `--print-config` shows the result and each value's source.
//!
//! | setting | flag | environment | file key | default |
//! |---|---|---|---|---|
//! | bind address | `-ba`, `--bind_addr`, `--bind-addr` | `BIND_ADDR` | `bind_addr` | `127.0.0.1` |
//! | port | `-p`, `--port` | `PORT` | `port` | 9876 (0: any free port) |
//! | debug | `-d`, `--debug` | `DEBUG` | `debug` | off |
//! | verbose | `-v`, `--verbose` | | `verbose` | off |
//! | state directory | `--state-dir` | `SUPERCHECK_STATE_DIR` | `state_dir` | none (memory only) |
//! | mDNS | `--no-mdns` / `--mdns` | `SUPERCHECK_MDNS` | `mdns` (or `no_mdns`) | on |
//! | sendmail command | `--sendmail` | | `sendmail` | none (mail off) |
//! | mail sender | `--mail-from` | | `mail_from` | `supercheck@<hostname>` |
//! | default recipients | `--mail-to` (repeatable) | | `mail_to` | none |
//! | default webhooks | `--webhook` (repeatable) | | `webhook` | none |
//! | throttle window | `--notify-window SECS` | | `notify_window` | 600 |
//! | monitors at most | `--max-monitors` | | `max_monitors` | 1000 |
//! | client connections at once | `--http-max-connections` | | `http_max_connections` | 256 |

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;

use super::config_file::{self, Settings, Value};

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A flag.
    CommandLine,
    /// An environment variable.
    Environment(&'static str),
    /// A line of the config file.
    ConfigFile(usize),
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::CommandLine => f.write_str("command line"),
            Source::Environment(var) => write!(f, "environment {var}"),
            Source::ConfigFile(line) => write!(f, "config file line {line}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// The default port: fixed, so that registered clients find the server again
/// after a restart (HealthCheck.Server picked a random free one).
pub const DEFAULT_PORT: u16 = 9876;

/// Everything `serve` runs with.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address to bind.
    pub bind_addr: IpAddr,
    /// Port to bind (0: any).
    pub port: u16,
    /// Debug logging (each request).
    pub debug: bool,
    /// Verbose logging (each probe).
    pub verbose: bool,
    /// Where registrations are kept; `None`: in memory only.
    pub state_dir: Option<PathBuf>,
    /// Advertise over mDNS.
    pub mdns: bool,
    /// The sendmail command (argv, split on whitespace).
    pub sendmail: Option<String>,
    /// `From:` of mails.
    pub mail_from: Option<String>,
    /// Recipients of every monitor's mails.
    pub mail_to: Vec<String>,
    /// Webhooks told of every monitor's transitions.
    pub webhooks: Vec<String>,
    /// One message per monitor and state per this window.
    pub notify_window: Duration,
    /// Registrations allowed at once.
    pub max_monitors: usize,
    /// Client connections served at once; more get 503.
    pub max_connections: usize,
    /// Each setting's source, in table order, for `--print-config`.
    pub sources: Vec<(&'static str, String, Source)>,
}

fn from_cli(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

struct Resolver<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    file: Settings,
    sources: Vec<(&'static str, String, Source)>,
}

impl Resolver<'_> {
    /// One setting: `cli` from the matches, else `var`, else `key` in the
    /// file, else `default`. `parse` reads the environment's text and the
    /// file's value.
    fn get<T: std::fmt::Debug>(
        &mut self,
        key: &'static str,
        cli: Option<T>,
        var: Option<&'static str>,
        parse_env: impl Fn(&str) -> Option<T>,
        parse_file: impl Fn(&Value) -> Option<T>,
        default: T,
    ) -> Result<T, String> {
        // Taken out first: what is left at the end are unknown keys.
        let from_file = self.file.remove(key);
        let (value, source) = if let Some(value) = cli {
            (value, Source::CommandLine)
        } else if let Some((var, text)) = var.and_then(|v| (self.env)(v).map(|t| (v, t))) {
            let value = parse_env(&text)
                .ok_or_else(|| format!("environment {var}={text:?} is not a valid {key}"))?;
            (value, Source::Environment(var))
        } else if let Some((value, line)) = from_file {
            let parsed = parse_file(&value).ok_or_else(|| {
                format!("config file line {line}: {key} = {value} is not a valid {key}")
            })?;
            (parsed, Source::ConfigFile(line))
        } else {
            (default, Source::Default)
        };
        self.sources.push((key, format!("{value:?}"), source));
        Ok(value)
    }
}

fn file_str(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn file_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Int(n @ (0 | 1)) => Some(*n == 1),
        _ => None,
    }
}

fn file_uint<T: TryFrom<i64>>(v: &Value) -> Option<T> {
    match v {
        Value::Int(n) => T::try_from(*n).ok(),
        _ => None,
    }
}

fn file_strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Str(s) => Some(vec![s.clone()]),
        Value::List(items) => items.iter().map(file_str).collect(),
        Value::None => Some(Vec::new()),
        _ => None,
    }
}

/// Resolves every setting from the matches, `env` and the config file.
///
/// # Errors
/// An unreadable or malformed config file, an unknown key in it, or a value
/// that does not parse; the message names the source.
pub fn resolve(
    matches: &ArgMatches,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServeConfig, String> {
    let file = match matches.get_one::<PathBuf>("config") {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--config {}: {e}", path.display()))?;
            config_file::parse(&text).map_err(|e| format!("--config {}: {e}", path.display()))?
        }
        None => Settings::new(),
    };
    let mut r = Resolver {
        env,
        file,
        sources: Vec::new(),
    };
    let m = matches;
    let bind_addr = r.get(
        "bind_addr",
        m.get_one::<IpAddr>("bind_addr").copied(),
        Some("BIND_ADDR"),
        |t| t.trim().parse().ok(),
        |v| file_str(v)?.parse().ok(),
        IpAddr::from([127, 0, 0, 1]),
    )?;
    let port = r.get(
        "port",
        m.get_one::<u16>("port").copied(),
        Some("PORT"),
        |t| t.trim().parse().ok(),
        file_uint,
        DEFAULT_PORT,
    )?;
    let debug = r.get(
        "debug",
        from_cli(m, "debug").then_some(true),
        Some("DEBUG"),
        parse_bool,
        file_bool,
        false,
    )?;
    let verbose = r.get(
        "verbose",
        from_cli(m, "verbose").then_some(true),
        None,
        parse_bool,
        file_bool,
        false,
    )?;
    let state_dir = r.get(
        "state_dir",
        m.get_one::<PathBuf>("state-dir").cloned().map(Some),
        Some("SUPERCHECK_STATE_DIR"),
        |t| Some((!t.is_empty()).then(|| PathBuf::from(t))),
        |v| match v {
            Value::None => Some(None),
            v => file_str(v).map(|s| Some(PathBuf::from(s))),
        },
        None,
    )?;
    let cli_mdns = if from_cli(m, "no-mdns") {
        Some(false)
    } else {
        from_cli(m, "mdns").then_some(true)
    };
    match r.file.remove("no_mdns") {
        Some((Value::Bool(off), line)) => {
            r.file.insert("mdns".into(), (Value::Bool(!off), line));
        }
        Some((value, line)) => {
            return Err(format!(
                "config file line {line}: no_mdns = {value} is not True or False"
            ));
        }
        None => {}
    }
    let mdns = r.get(
        "mdns",
        cli_mdns,
        Some("SUPERCHECK_MDNS"),
        parse_bool,
        file_bool,
        true,
    )?;
    let text_opt = |id: &str| m.get_one::<String>(id).cloned().map(Some);
    let sendmail = r.get(
        "sendmail",
        text_opt("sendmail"),
        None,
        |_| None,
        |v| Some(file_str(v)),
        None,
    )?;
    let mail_from = r.get(
        "mail_from",
        text_opt("mail-from"),
        None,
        |_| None,
        |v| Some(file_str(v)),
        None,
    )?;
    let many = |id: &str| {
        m.get_many::<String>(id)
            .map(|values| values.cloned().collect::<Vec<_>>())
    };
    let mail_to = r.get(
        "mail_to",
        many("mail-to"),
        None,
        |_| None,
        file_strings,
        Vec::new(),
    )?;
    let webhooks = r.get(
        "webhook",
        many("webhook"),
        None,
        |_| None,
        file_strings,
        Vec::new(),
    )?;
    let window = r.get(
        "notify_window",
        m.get_one::<u64>("notify-window").copied(),
        None,
        |_| None,
        file_uint,
        600,
    )?;
    let max_monitors = r.get(
        "max_monitors",
        m.get_one::<usize>("max-monitors").copied(),
        None,
        |_| None,
        file_uint,
        1000,
    )?;
    let max_connections = r.get(
        "http_max_connections",
        m.get_one::<u32>("http-max-connections")
            .map(|n| usize::try_from(*n).unwrap_or(usize::MAX)),
        None,
        |_| None,
        file_uint,
        256,
    )?;
    for address in &mail_to {
        super::spec::validate_email("mail_to", address).map_err(|e| e.to_string())?;
    }
    for hook in &webhooks {
        super::spec::validate_url("webhook", hook).map_err(|e| e.to_string())?;
    }
    if let Some((key, (_, line))) = r.file.iter().next() {
        return Err(format!("config file line {line}: unknown option {key:?}"));
    }
    Ok(ServeConfig {
        bind_addr,
        port,
        debug,
        verbose: verbose || debug,
        state_dir,
        mdns,
        sendmail,
        mail_from,
        mail_to,
        webhooks,
        notify_window: Duration::from_secs(window),
        max_monitors,
        max_connections: max_connections.max(1),
        sources: r.sources,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cli::{command, normalise_args};

    #[test]
    fn two_letter_ba_becomes_bind_addr() {
        let args = normalise_args(["-ba", "0.0.0.0", "-ba=::1", "-p", "1"].map(String::from));
        assert_eq!(
            args,
            ["--bind_addr", "0.0.0.0", "--bind_addr=::1", "-p", "1"]
        );
    }

    #[test]
    fn command_line_beats_environment_beats_default() {
        let m = command().get_matches_from(["serve", "--port", "1"]);
        let env = |var: &str| match var {
            "PORT" => Some("2".to_string()),
            "BIND_ADDR" => Some("127.0.0.2".to_string()),
            "DEBUG" => Some("True".to_string()),
            _ => None,
        };
        let c = resolve(&m, &env).unwrap();
        assert_eq!(c.port, 1);
        assert_eq!(c.bind_addr, IpAddr::from([127, 0, 0, 2]));
        assert!(c.debug && c.verbose && c.mdns);
        assert_eq!(c.sources[0].2, Source::Environment("BIND_ADDR"));
        assert_eq!(c.sources[1].2, Source::CommandLine);
        let bad = |var: &str| (var == "PORT").then(|| "http".to_string());
        let m = command().get_matches_from(["serve"]);
        assert!(resolve(&m, &bad).unwrap_err().contains("PORT"));
    }
}
