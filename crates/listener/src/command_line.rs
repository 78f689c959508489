//! From a drop-in command line to a [`ListenerConfig`]: the checked plan of
//! [`supercheck_cmdline::plan`], with what only this platform sets up (TLS
//! roots for `--https`, the HTTP frontend, notification channels), all before
//! `READY` is ever written.

use std::time::Duration;

use clap::ArgMatches;
use supercheck_cmdline::plan::{self, ConfigError, Env, err, flag_set, num, text};
use supercheck_cmdline::tool::Tool;
use supercheck_core::event::LenMode;

use crate::config::{CheckPlan, ListenerConfig, NotifyConfig};
use supercheck_frontend::{FrontendConfig, HealthCodes};
use supercheck_notification::webhook::Webhook;

/// Builds the listener's configuration from `tool`'s parsed flags.
///
/// # Errors
/// A [`ConfigError`] naming the flag (or JSON key) at fault, or saying that
/// supervisord cannot be found.
pub fn listener_config(
    tool: Tool,
    m: &ArgMatches,
    env: &dyn Env,
) -> Result<ListenerConfig, ConfigError> {
    let drop_in = plan::drop_in(tool, m, env)?;
    let checks = drop_in
        .specs
        .into_iter()
        .map(|spec| {
            // A pattern from the complex check's JSON is named by its key, not `-p`.
            let flag = match tool {
                Tool::Complex => format!("-c/--check-config: {}.port", spec.kind().name()),
                _ => "-p/--port".to_string(),
            };
            CheckPlan::new(spec).map_err(|e| err(&flag, e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let checks = with_https(tool, m, checks)?;
    Ok(ListenerConfig {
        check_name: drop_in.check_name,
        watches: vec![drop_in_watch(
            drop_in.selection,
            drop_in.states,
            drop_in.policy,
            checks.len(),
        )],
        checks,
        server: drop_in.server,
        rpc_timeout: drop_in.rpc_timeout,
        stop_timeout: drop_in.rpc_timeout.max(Duration::from_secs(3600)),
        verbose: drop_in.verbose,
        len_mode: LenMode::Chars,
        once: drop_in.once,
        frontend: frontend(m)?,
        notify: notify(tool, m)?,
        heartbeat: drop_in.heartbeat,
        reload: None,
    })
}

/// A drop-in's one watch: every check on its selection, on every TICK.
pub fn drop_in_watch(
    selection: supercheck_engine::Selection,
    states: Vec<supercheck_core::process::ProcessState>,
    policy: supercheck_core::health::Policy,
    checks: usize,
) -> supercheck_engine::Watch {
    let mut watch = supercheck_engine::Watch::new("", selection, 0..checks);
    watch.states = states;
    watch.policy = policy;
    watch
}

/// Notification settings: off without `--mail-to` or `--webhook`. Both are
/// checked here, so a bad one stops the listener before `READY`.
fn notify(tool: Tool, m: &ArgMatches) -> Result<Option<NotifyConfig>, ConfigError> {
    let mail_to = text(m, "mail_to").map(str::to_string);
    let webhook = text(m, "webhook").map(str::to_string);
    if mail_to.is_none() && webhook.is_none() {
        return Ok(None);
    }
    let sendmail = text(m, "sendmail")
        .unwrap_or("/usr/sbin/sendmail -t -i")
        .to_string();
    if mail_to.is_some() && sendmail.split_whitespace().next().is_none() {
        return Err(err("--sendmail", "an empty command cannot send mail"));
    }
    if let Some(url) = &webhook {
        Webhook::parse(url).map_err(|e| err("--webhook", format!("{url}: {e}")))?;
    }
    Ok(Some(NotifyConfig {
        tool: tool.program_name().unwrap_or("supercheck"),
        mail_to,
        sendmail,
        webhook,
        window: Duration::from_secs(num::<u64>(m, "notify_window").unwrap_or(600)),
    }))
}

/// The http check's `--https`, `--tls-name` and `--ca-file`: TLS set up (and
/// the CA file read) now, so a mistake stops the listener before `READY`.
fn with_https(
    tool: Tool,
    m: &ArgMatches,
    mut checks: Vec<CheckPlan>,
) -> Result<Vec<CheckPlan>, ConfigError> {
    let (name, ca_file) = (text(m, "tls_name"), text(m, "ca_file"));
    if tool != Tool::Http || !flag_set(m, "https") {
        return match (name, ca_file) {
            (None, None) => Ok(checks),
            _ => Err(err("--tls-name/--ca-file", "only used with --https")),
        };
    }
    let target = supercheck_runtime::probe::https::HttpsTarget::new(
        name.unwrap_or("localhost"),
        ca_file.map(std::path::Path::new),
    )
    .map_err(|e| err("--https", e))?;
    let target = std::sync::Arc::new(target);
    for plan in &mut checks {
        plan.https = Some(std::sync::Arc::clone(&target));
    }
    Ok(checks)
}

/// The HTTP frontend's settings: off without `--listen`.
fn frontend(m: &ArgMatches) -> Result<Option<FrontendConfig>, ConfigError> {
    let Some(listen) = text(m, "listen") else {
        return Ok(None);
    };
    let listen: std::net::SocketAddr = listen.parse().map_err(|_| {
        err(
            "--listen",
            format!("{listen:?} is not an ADDRESS:PORT (e.g. 127.0.0.1:9101)"),
        )
    })?;
    let defaults = FrontendConfig::new(listen);
    let secs = |id: &str, default: Duration| num::<u64>(m, id).map_or(default, Duration::from_secs);
    Ok(Some(FrontendConfig {
        health_codes: text(m, "health_status_codes")
            .map(HealthCodes::parse)
            .transpose()
            .map_err(|e| err("--health-status-codes", e))?
            .unwrap_or_default(),
        ttl_pass: secs("health_ttl_pass", defaults.ttl_pass),
        ttl_fail: secs("health_ttl_fail", defaults.ttl_fail),
        expose_env: flag_set(m, "expose_env"),
        client_timeout: secs("http_timeout", defaults.client_timeout),
        max_connections: num::<usize>(m, "http_max_connections")
            .unwrap_or(defaults.max_connections),
        ..defaults
    }))
}
