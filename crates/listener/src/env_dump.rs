//! `GET /env` (only with `--expose-env`): an environment dump in the spirit
//! of Runscope healthcheck's `EnvironmentDump`, with sections `os`,
//! `process`, `build` and `config`, and stricter scrubbing:
//!
//! - any key whose lower-cased name contains `key`, `token`, `pass`,
//!   `secret`, `credential`, `auth` or `dsn`, at any depth, has its whole
//!   value (a mapping included) replaced by `********`;
//! - every value so masked, and every password of the configuration, is a
//!   known secret: any occurrence of one in any other string of the dump
//!   (the command line `-P hunter2`, a debug rendering of a check) is masked
//!   too. Nothing is dropped silently.

use std::fmt::Write as _;

use crate::config::{CheckWork, ListenerConfig};

/// The mask put in place of a secret.
pub const MASK: &str = "********";

const SECRET_WORDS: [&str; 7] = [
    "key",
    "token",
    "pass",
    "secret",
    "credential",
    "auth",
    "dsn",
];

/// A value of the dump.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A mapping, in order.
    Map(Vec<(String, Value)>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

/// Whether a key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Str(s) => out.push(s.clone()),
        Value::Int(n) => out.push(n.to_string()),
        Value::Bool(_) => {}
        Value::List(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Map(members) => members.iter().for_each(|(_, v)| collect_strings(v, out)),
    }
}

/// Masks the values of secret keys, at any depth; returns what was masked.
fn mask_keys(value: &mut Value, secrets: &mut Vec<String>) {
    match value {
        Value::Map(members) => {
            for (key, v) in members.iter_mut() {
                if is_secret_key(key) {
                    collect_strings(v, secrets);
                    *v = Value::Str(MASK.to_string());
                } else {
                    mask_keys(v, secrets);
                }
            }
        }
        Value::List(items) => items.iter_mut().for_each(|v| mask_keys(v, secrets)),
        _ => {}
    }
}

fn mask_known(value: &mut Value, secrets: &[String]) {
    match value {
        Value::Str(s) => {
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), MASK);
                }
            }
        }
        Value::List(items) => items.iter_mut().for_each(|v| mask_known(v, secrets)),
        Value::Map(members) => members.iter_mut().for_each(|(_, v)| mask_known(v, secrets)),
        _ => {}
    }
}

/// Scrubs `value`: secret keys masked at any depth, then every masked value
/// and every one of `extra_secrets` masked wherever else it appears.
pub fn scrub(value: &mut Value, extra_secrets: &[String]) {
    let mut secrets: Vec<String> = extra_secrets.to_vec();
    mask_keys(value, &mut secrets);
    secrets.retain(|s| !s.is_empty() && s != MASK);
    // Longest first, so a secret containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    mask_known(value, &secrets);
}

/// The passwords in a listener's configuration.
pub fn config_secrets(config: &ListenerConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((_, password)) = &config.server.credentials {
        out.push(password.clone());
    }
    for plan in &config.checks {
        if let Some(spec) = plan.builtin() {
            use supercheck_core::check::spec::CheckSpec;
            let auth = match spec {
                CheckSpec::Http(http) => http.auth,
                CheckSpec::XmlRpc(xml) => xml.auth,
                _ => None,
            };
            if let Some(auth) = auth {
                out.push(auth.password().to_string());
            }
        }
    }
    out
}

fn read_proc(path: &str) -> Value {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
        .into()
}

fn map(members: Vec<(&str, Value)>) -> Value {
    Value::Map(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn config_section(config: &ListenerConfig) -> Value {
    let checks = config
        .checks
        .iter()
        .map(|plan| {
            let spec = match &plan.work {
                CheckWork::Builtin(spec) => format!("{spec:?}"),
                CheckWork::Table(table) => format!("{:?}", table.spec()),
                CheckWork::Custom(check) => format!("custom check {}", check.name()),
            };
            map(vec![("kind", plan.kind().into()), ("spec", spec.into())])
        })
        .collect();
    let server = &config.server;
    let mut server_members = vec![
        ("endpoint", server.endpoint.to_string().into()),
        ("host", server.host.as_str().into()),
        ("port", Value::Int(i64::from(server.port))),
        ("path", server.path.as_str().into()),
    ];
    if let Some((user, password)) = &server.credentials {
        server_members.push(("username", user.as_str().into()));
        server_members.push(("password", password.as_str().into()));
    }
    map(vec![
        ("check_name", config.check_name.as_str().into()),
        ("selection", config.describe_selection().into()),
        (
            "states",
            Value::List(
                config
                    .watches
                    .first()
                    .map(|w| w.states.iter().map(|s| s.name().into()).collect())
                    .unwrap_or_default(),
            ),
        ),
        ("checks", Value::List(checks)),
        (
            "policy",
            format!("{:?}", config.watches.first().map(|w| w.policy)).into(),
        ),
        ("server", map(server_members)),
        (
            "rpc_timeout_s",
            Value::Int(i64::try_from(config.rpc_timeout.as_secs()).unwrap_or(i64::MAX)),
        ),
        ("verbose", Value::Bool(config.verbose)),
        (
            "frontend",
            config
                .frontend
                .as_ref()
                .map_or(Value::Bool(false), |f| format!("{f:?}").into()),
        ),
    ])
}

/// The whole dump, scrubbed.
pub fn dump(config: &ListenerConfig) -> Value {
    let os = map(vec![
        ("platform", std::env::consts::OS.into()),
        ("arch", std::env::consts::ARCH.into()),
        ("name", read_proc("/proc/sys/kernel/hostname")),
        ("release", read_proc("/proc/sys/kernel/osrelease")),
        ("version", read_proc("/proc/sys/kernel/version")),
    ]);
    let environ = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                Value::Str(v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let process = map(vec![
        (
            "argv",
            Value::List(
                std::env::args_os()
                    .map(|a| a.to_string_lossy().into_owned().into())
                    .collect(),
            ),
        ),
        (
            "cwd",
            std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
                .into(),
        ),
        (
            "uid",
            Value::Int(i64::from(rustix::process::getuid().as_raw())),
        ),
        ("pid", Value::Int(i64::from(std::process::id()))),
        ("environ", Value::Map(environ)),
    ]);
    let build = map(vec![
        ("name", env!("CARGO_PKG_NAME").into()),
        ("version", env!("CARGO_PKG_VERSION").into()),
        ("debug", Value::Bool(cfg!(debug_assertions))),
    ]);
    let mut all = map(vec![
        ("os", os),
        ("process", process),
        ("build", build),
        ("config", config_section(config)),
    ]);
    scrub(&mut all, &config_secrets(config));
    all
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The value as JSON.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Str(s) => write_string(out, s),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::List(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, v);
            }
            out.push(']');
        }
        Value::Map(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_masked_at_any_depth_and_elsewhere() {
        let deep = map(vec![(
            "a",
            map(vec![(
                "b",
                map(vec![(
                    "c",
                    map(vec![(
                        "d",
                        map(vec![(
                            "e",
                            map(vec![("f", map(vec![("Sentry_DSN", "https://x@y".into())]))]),
                        )]),
                    )]),
                )]),
            )]),
        )]);
        let mut value = map(vec![
            ("DB_PASSWORD", "hunter2".into()),
            ("api", map(vec![("AccessKeyId", "AKIA1".into())])),
            (
                "argv",
                Value::List(vec!["-P".into(), "hunter2".into(), "-Phunter2".into()]),
            ),
            ("github_token", map(vec![("value", "ghp_1".into())])),
            ("deep", deep),
            ("plain", "visible".into()),
        ]);
        scrub(&mut value, &["extra-secret".to_string()]);
        let json = to_json(&value);
        for secret in ["hunter2", "AKIA1", "ghp_1", "https://x@y"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        assert!(json.contains("visible"));
        assert!(json.contains(r#"["-P","********","-P********"]"#), "{json}");
    }

    #[test]
    fn strings_are_valid_json() {
        assert_eq!(
            to_json(&map(vec![("k", "a\"\\\n\u{1}".into())])),
            r#"{"k":"a\"\\\n\u0001"}"#
        );
    }
}
