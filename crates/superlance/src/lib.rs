//! superlance's `httpok` and `memmon`, run by the same listener as every
//! other check (protocol, process list, non-blocking restarts) through the
//! custom-check interface.
//!
//! - `httpok`: one `GET` of the URL per tick decides for every selected
//!   process ([`httpok`]); a failure restarts the RUNNING ones.
//! - `memmon`: each selected process's RSS against its limit ([`memmon`]).
//!
//! Notifications (`-m`, `-s`, `-n`, `-u`, `--webhook`) go through
//! [`supercheck_notification`]: mail by a sendmail program and/or a JSON webhook,
//! at most one per process per ten minutes.

pub mod crashmail;
pub mod httpok;
pub mod memmon;
pub mod transport;
pub mod url_probe;

use std::io::Write;
use std::time::Duration;

use supercheck_core::event::LenMode;
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;

use supercheck_cmdline::crashmail::parse_crashmail;
use supercheck_cmdline::superlance::{
    HttpokOptions, MemmonOptions, Parsed, SuperlanceTool, parse_httpok, parse_memmon,
};
use supercheck_listener::Listener;
use supercheck_listener::command_line::drop_in_watch;
use supercheck_listener::config::{CheckPlan, ListenerConfig, Selection};
use supercheck_listener::custom::CustomCheck;
use supercheck_notification::Notifier;
use supercheck_notification::sendmail::Mailer;
use supercheck_notification::throttle::DEFAULT_WINDOW;
use supercheck_notification::webhook::Webhook;
use supercheck_runtime::log::Logger;
use supercheck_runtime::supervisor::url::ServerUrl;

/// Exit status of a refused command line (getopt's `usage()` in superlance).
pub const USAGE_STATUS: u8 = 255;

fn say(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Runs `tool` with `args` (without the program name) and returns the exit status.
pub fn main(tool: SuperlanceTool, args: &[String]) -> u8 {
    let name = tool.name();
    let refused = |why: &dyn std::fmt::Display| {
        say(&format!("{name}: {why}\n{}", tool.usage()));
        USAGE_STATUS
    };
    let config = match tool {
        SuperlanceTool::Crashmail => return crashmail_main(args),
        SuperlanceTool::Httpok => match parse_httpok(args) {
            Ok(Parsed::Help) => return help(tool),
            Ok(Parsed::Version) => return version(tool),
            Ok(Parsed::Run(o)) => httpok_config(o),
            Err(e) => return refused(&e),
        },
        SuperlanceTool::Memmon => match parse_memmon(args) {
            Ok(Parsed::Help) => return help(tool),
            Ok(Parsed::Version) => return version(tool),
            Ok(Parsed::Run(o)) => memmon_config(o),
            Err(e) => return refused(&e),
        },
    };
    let config = match config {
        Ok(Some(config)) => config,
        Ok(None) => {
            say(&format!(
                "{name} must be run as a supervisor event listener\n"
            ));
            return 0;
        }
        Err(e) => return refused(&e),
    };
    match Listener::new(config).and_then(Listener::run) {
        Ok(exit) => exit.code(),
        Err(e) => {
            say(&format!("{name}: error: {e}\n"));
            1
        }
    }
}

/// `crashmail`: its own event loop (no ticks, no XML-RPC needed).
fn crashmail_main(args: &[String]) -> u8 {
    let tool = SuperlanceTool::Crashmail;
    let options = match parse_crashmail(args) {
        Ok(Parsed::Help) => return help(tool),
        Ok(Parsed::Version) => return version(tool),
        Ok(Parsed::Run(o)) => o,
        Err(e) => {
            say(&format!("crashmail: {e}\n{}", tool.usage()));
            return USAGE_STATUS;
        }
    };
    if env("SUPERVISOR_SERVER_URL").is_none() {
        say("crashmail must be run as a supervisor event listener\n");
        return 0;
    }
    let log = Logger::new("crashmail", false);
    let notifier = match notifier(
        "crashmail",
        options.email.as_deref(),
        &options.sendmail,
        options.webhook.as_deref(),
        &log,
    ) {
        Ok(n) => n,
        Err(e) => {
            say(&format!("crashmail: {e}\n{}", tool.usage()));
            return USAGE_STATUS;
        }
    };
    supercheck_runtime::log_line!(
        log,
        "starting: notifying crashes of {}{}",
        if options.any {
            "any process".to_string()
        } else {
            options.programs.join(", ")
        },
        if notifier.sends() {
            ""
        } else {
            " (no -m or --webhook: logged only)"
        }
    );
    crashmail::run(&options, notifier, &log)
}

fn help(tool: SuperlanceTool) -> u8 {
    let text = format!(
        "{}{}",
        tool.usage(),
        supercheck_cmdline::manual::superlance(tool)
    );
    let _ = std::io::stdout().write_all(text.as_bytes());
    0
}

fn version(tool: SuperlanceTool) -> u8 {
    let line = supercheck_cmdline::manual::version_line(tool.name());
    let _ = std::io::stdout().write_all(line.as_bytes());
    0
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// supervisord's address from the environment (`None`: not under supervisord).
fn server() -> Result<Option<ServerUrl>, String> {
    ServerUrl::from_env(env).map_err(|e| e.to_string())
}

fn base_config(
    check_name: &str,
    selection: Selection,
    states: Vec<ProcessState>,
    check: CustomCheck,
    server: ServerUrl,
) -> ListenerConfig {
    let rpc_timeout = Duration::from_secs(10);
    ListenerConfig {
        check_name: check_name.to_string(),
        watches: vec![drop_in_watch(selection, states, Policy::DROP_IN, 1)],
        checks: vec![CheckPlan::custom(check)],
        server,
        rpc_timeout,
        stop_timeout: Duration::from_secs(3600),
        verbose: false,
        len_mode: LenMode::Chars,
        once: false,
        frontend: None,
        notify: None,
        heartbeat: None,
        reload: None,
    }
}

/// The notifier of `tool`: mail to `email` through `sendmail` (split on
/// whitespace), and/or a webhook; neither: notifications are logged.
///
/// # Errors
/// An empty sendmail command with `-m`, or a webhook URL that is not `http://`.
pub fn notifier(
    tool: &'static str,
    email: Option<&str>,
    sendmail: &str,
    webhook: Option<&str>,
    log: &Logger,
) -> Result<Notifier, String> {
    let mailer = match email {
        Some(to) if sendmail.split_whitespace().next().is_none() => {
            return Err(format!("an empty sendmail command cannot mail {to}"));
        }
        Some(to) => Some(Mailer::new(sendmail, to, tool)),
        None => None,
    };
    let webhook = webhook
        .map(|url| Webhook::parse(url).map_err(|e| format!("--webhook {url}: {e}")))
        .transpose()?;
    Ok(Notifier::new(
        tool,
        mailer,
        webhook,
        DEFAULT_WINDOW,
        log.clone(),
    ))
}

/// The listener configuration for httpok's options (`None` when not under supervisord).
///
/// # Errors
/// A URL that cannot be probed (not `http://` or `https://`), or TLS that
/// cannot be set up (`--ca-file` unreadable or without certificates).
pub fn httpok_config(o: HttpokOptions) -> Result<Option<ListenerConfig>, String> {
    let url = url_probe::HttpUrl::parse(&o.url).map_err(|e| e.to_string())?;
    let transport = transport::for_url(&url, o.ca_file.as_deref())?;
    let Some(server) = server()? else {
        return Ok(None);
    };
    let selection = if o.any {
        Selection::AllExcept(env("SUPERVISOR_GROUP_NAME"))
    } else {
        Selection::AnyOf(o.programs.clone())
    };
    // Eager: every selected process is examined whatever its state, so the URL
    // is probed even when none is RUNNING; only RUNNING ones are restarted.
    let states = if o.eager {
        ProcessState::ALL.to_vec()
    } else {
        vec![ProcessState::Running]
    };
    let gcore = o.coredir.map(|dir| httpok::Gcore {
        argv: o.gcore.split_whitespace().map(str::to_string).collect(),
        dir,
    });
    let log = Logger::new("httpok", false);
    transport::log_trust(&transport, &log);
    let mail = httpok::MailNote {
        notifier: notifier(
            "httpok",
            o.email.as_deref(),
            &o.sendmail,
            o.webhook.as_deref(),
            &log,
        )?,
        name: o.name.clone(),
    };
    let check = httpok::HttpokCheck::new(
        o.url,
        url,
        transport,
        url_probe::Expect {
            codes: o.codes,
            body: o.body,
        },
        o.timeout_secs,
        gcore,
        mail,
        log,
    );
    Ok(Some(base_config(
        "httpok",
        selection,
        states,
        CustomCheck::new(check),
        server,
    )))
}

/// The listener configuration for memmon's options (`None` when not under supervisord).
///
/// # Errors
/// A bad notification target (empty sendmail command, webhook URL not `http://`).
pub fn memmon_config(o: MemmonOptions) -> Result<Option<ListenerConfig>, String> {
    let Some(server) = server()? else {
        return Ok(None);
    };
    let own_group = env("SUPERVISOR_GROUP_NAME");
    let selection = if o.any.is_some() {
        Selection::AllExcept(own_group)
    } else {
        let mut specs: Vec<String> = o.programs.iter().map(|(n, _)| n.clone()).collect();
        specs.extend(o.groups.iter().map(|(g, _)| format!("{g}:*")));
        Selection::AnyOf(specs)
    };
    let log = Logger::new("memmon", false);
    supercheck_runtime::log_line!(
        log,
        "limits in bytes: programs {:?}, groups {:?}, any {:?}{}",
        o.programs,
        o.groups,
        o.any,
        if o.cumulative { ", cumulative" } else { "" }
    );
    let mail = memmon::MailNote {
        notifier: notifier(
            "memmon",
            o.email.as_deref(),
            &o.sendmail,
            o.webhook.as_deref(),
            &log,
        )?,
        name: o.name.clone(),
        uptime_limit: o.uptime_limit,
    };
    let limits = memmon::Limits {
        programs: o.programs,
        groups: o.groups,
        any: o.any,
    };
    let check = memmon::MemmonCheck::new(limits, o.cumulative, mail, log);
    Ok(Some(base_config(
        "memmon",
        selection,
        vec![ProcessState::Running],
        CustomCheck::new(check),
        server,
    )))
}
