//! `supercheck`: health checks for services run under supervisord.
//!
//! One multi-call binary: called as `supervisor_http_check` (or any other
//! drop-in name) it is that tool; called as `supercheck` it takes the tool as
//! a subcommand (`supercheck http ...`).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, Command, value_parser};
use supercheck_cmdline::drop_in;
use supercheck_cmdline::plan::ProcessEnv;
use supercheck_cmdline::superlance::SuperlanceTool;
use supercheck_cmdline::tool::Tool;
use supercheck_listener::Listener;
use supercheck_listener::command_line::listener_config;

mod agent_command;
mod demo_service;
mod install;
mod notify_command;

use demo_service::DemoService;

fn demo_service_command() -> Command {
    Command::new("demo-service")
        .about("A service with switchable failure modes (for the demo, tests and benches)")
        .arg(
            Arg::new("port")
                .long("port")
                .required_unless_present("unix")
                .value_parser(value_parser!(u16)),
        )
        .arg(
            Arg::new("unix")
                .long("unix")
                .help("Also (or, without --port, only) listen on this unix socket")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("mode-file")
                .long("mode-file")
                .required(true)
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("heartbeat")
                .long("heartbeat")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("heartbeat-dir")
                .long("heartbeat-dir")
                .help("Bump DIR/<group>-<name>-<pid>, the file check's default path")
                .conflicts_with("heartbeat")
                .value_parser(value_parser!(PathBuf)),
        )
}

fn supercheck_command() -> Command {
    let mut cmd = Command::new("supercheck")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Health checks for services run under supervisord")
        .long_about(
            "Health checks for services run under supervisord.\n\n\
             Installed under the names of the Python tools it replaces (supervisor_http_check, \
             supervisor_tcp_check, supervisor_xmlrpc_check, supervisor_memory_check, \
             supervisor_cpu_check, supervisor_file_check, supervisor_complex_check), it accepts \
             exactly their flags; linked as superlance's httpok, memmon or crashmail, it takes theirs. \
             `supercheck <check> ...` (and `supercheck httpok|memmon|crashmail ...`) is the same. \
             `supercheck install-links DIR` creates the links.",
        )
        .after_long_help(supercheck_cmdline::manual::SUPERCHECK)
        .propagate_version(true)
        .subcommand_required(true);
    for tool in Tool::ALL {
        cmd = cmd.subcommand(drop_in::command(tool, tool.subcommand()));
    }
    cmd.subcommand(agent_command::command())
        .subcommand(demo_service_command())
        .subcommand(notify_command::command())
        .subcommand(supercheck_serve::cli::command())
        .subcommand(install_links_command())
}

fn install_links_command() -> Command {
    Command::new("install-links")
        .about("Link every drop-in name (supervisor_http_check, ...) in DIR to this binary")
        .arg(
            Arg::new("dir")
                .value_name("DIR")
                .required(true)
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .help("Replace links that point elsewhere (never regular files)")
                .action(clap::ArgAction::SetTrue),
        )
}

fn install_links(m: &clap::ArgMatches) -> ExitCode {
    let dir = m.get_one::<PathBuf>("dir").cloned().unwrap_or_default();
    let binary = match std::env::current_exe() {
        Ok(binary) => binary,
        Err(e) => {
            report_error("install-links", &e);
            return ExitCode::FAILURE;
        }
    };
    match install::install_links(&dir, &binary, m.get_flag("force")) {
        Ok(links) => {
            for link in links {
                match link {
                    install::Linked::Created(path) => {
                        println!("linked {}", path.display())
                    }
                    install::Linked::AlreadyThere(path) => {
                        println!("already linked {}", path.display())
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            report_error("install-links", &e);
            ExitCode::FAILURE
        }
    }
}

/// Writes `name: error: e` on stderr in one write, so that supervisord logs it
/// as one line rather than in fragments.
fn report_error(name: &str, e: &dyn std::fmt::Display) {
    use std::io::Write;
    let line = format!("{name}: error: {e}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn run_listener(tool: Tool, name: &str, matches: &clap::ArgMatches) -> ExitCode {
    let config = match listener_config(tool, matches, &ProcessEnv) {
        Ok(config) => config,
        Err(e) => {
            report_error(name, &e);
            return ExitCode::from(2);
        }
    };
    match Listener::new(config).and_then(Listener::run) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            report_error(name, &e);
            ExitCode::FAILURE
        }
    }
}

/// `httpok`/`memmon` (or `supercheck httpok ...`): getopt command lines, not clap's.
fn superlance_main(tool: SuperlanceTool, args: &[OsString]) -> ExitCode {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    ExitCode::from(supercheck_superlance::main(tool, &args))
}

/// Whether the binary runs under its own name (not a drop-in name).
fn program_is_supercheck(program: &str) -> bool {
    Tool::from_program_path(program).is_none() && SuperlanceTool::from_name(program).is_none()
}

/// `supercheck NAME ARGS...`, NAME being a drop-in name, runs as NAME, busybox
/// style: the command line without `supercheck` (how the wheel's scripts call it).
fn as_called(mut args: Vec<OsString>) -> Vec<OsString> {
    let program = args
        .first()
        .and_then(|a| a.to_str())
        .unwrap_or("supercheck");
    let names_drop_in = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|name| !name.contains('/') && install::drop_in_names().any(|n| n == name));
    if program_is_supercheck(program) && names_drop_in {
        args.remove(0);
    }
    args
}

fn main() -> ExitCode {
    let args = as_called(std::env::args_os().collect());
    let program = args
        .first()
        .and_then(|a| a.to_str())
        .unwrap_or("supercheck");
    if let Some(tool) = SuperlanceTool::from_name(program) {
        return superlance_main(tool, args.get(1..).unwrap_or_default());
    }
    if let Some(tool) = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|_| program_is_supercheck(program))
        .and_then(SuperlanceTool::from_name)
    {
        return superlance_main(tool, args.get(2..).unwrap_or_default());
    }
    // `serve` parses its own arguments (HealthCheck.Server's `-ba` is not clap's).
    if args.get(1).and_then(|a| a.to_str()) == Some("serve") && program_is_supercheck(program) {
        let rest: Vec<String> = args
            .get(2..)
            .unwrap_or_default()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return supercheck_serve::main(&rest);
    }
    if let Some(tool) = Tool::from_program_path(program) {
        let name = tool.program_name().unwrap_or("supercheck");
        let matches = drop_in::command(tool, name).get_matches_from(&args);
        return run_listener(tool, name, &matches);
    }
    let matches = supercheck_command().get_matches_from(&args);
    match matches.subcommand() {
        Some(("demo-service", m)) => {
            let service = DemoService {
                port: m.get_one::<u16>("port").copied(),
                unix: m.get_one::<PathBuf>("unix").cloned(),
                mode_file: m
                    .get_one::<PathBuf>("mode-file")
                    .cloned()
                    .unwrap_or_default(),
                heartbeat: m.get_one::<PathBuf>("heartbeat").cloned(),
                heartbeat_dir: m.get_one::<PathBuf>("heartbeat-dir").cloned(),
            };
            match service.run() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("demo-service: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(("notify", m)) => notify_command::main(m),
        Some(("agent", m)) => agent_command::main(m),
        Some(("install-links", m)) => install_links(m),
        Some((sub, m)) => match Tool::from_subcommand(sub) {
            Some(tool) => run_listener(tool, "supercheck", m),
            None => ExitCode::from(2),
        },
        None => ExitCode::from(2),
    }
}
