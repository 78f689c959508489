//! superlance's `httpok` and `memmon`, run by the same listener as every
//! other check (protocol, process list, non-blocking restarts) through the
//! custom-check interface.
//!
//! - `httpok`: one `GET` of the URL per tick decides for every selected
//!   process ([`httpok`]); a failure restarts the RUNNING ones.
//! - `memmon`: each selected process's RSS against its limit ([`memmon`]).
//!
//! Mail (`-m`, `-s`, `-n`, `-u`) is accepted and logged, not sent yet.

pub mod httpok;
pub mod memmon;
pub mod url_probe;

use std::io::Write;
use std::time::Duration;

use supercheck_core::event::LenMode;
use supercheck_core::health::Policy;
use supercheck_core::process::ProcessState;

use crate::cli::superlance::{
    HttpokOptions, MemmonOptions, Parsed, SuperlanceTool, parse_httpok, parse_memmon,
};
use crate::custom::CustomCheck;
use crate::listener::Listener;
use crate::listener::config::{CheckPlan, ListenerConfig, Selection};
use crate::log::Logger;
use crate::supervisor::url::ServerUrl;

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
        SuperlanceTool::Httpok => match parse_httpok(args) {
            Ok(Parsed::Help) => return help(tool),
            Ok(Parsed::Run(o)) => httpok_config(o),
            Err(e) => return refused(&e),
        },
        SuperlanceTool::Memmon => match parse_memmon(args) {
            Ok(Parsed::Help) => return help(tool),
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

fn help(tool: SuperlanceTool) -> u8 {
    let _ = std::io::stdout().write_all(tool.usage().as_bytes());
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
        selection,
        states,
        checks: vec![CheckPlan::custom(check)],
        policy: Policy::DROP_IN,
        server,
        rpc_timeout,
        stop_timeout: Duration::from_secs(3600),
        verbose: false,
        len_mode: LenMode::Chars,
        once: false,
        frontend: None,
    }
}

/// The listener configuration for httpok's options (`None` when not under supervisord).
///
/// # Errors
/// A URL that cannot be probed (not `http://`).
pub fn httpok_config(o: HttpokOptions) -> Result<Option<ListenerConfig>, String> {
    let url = url_probe::HttpUrl::parse(&o.url).map_err(|e| e.to_string())?;
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
    let mail = o.email.map(|to| httpok::MailNote {
        to,
        sendmail: o.sendmail.clone(),
        name: o.name.clone(),
    });
    let log = Logger::new("httpok", false);
    let check = httpok::HttpokCheck::new(
        o.url,
        url,
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
/// Never for now (every option was checked when read); kept for symmetry.
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
    crate::log_line!(
        log,
        "limits in bytes: programs {:?}, groups {:?}, any {:?}{}",
        o.programs,
        o.groups,
        o.any,
        if o.cumulative { ", cumulative" } else { "" }
    );
    let mail = o.email.map(|to| memmon::MailNote {
        to,
        sendmail: o.sendmail.clone(),
        name: o.name.clone(),
        uptime_limit: o.uptime_limit,
    });
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
