//! `supercheck`: health checks for services run under supervisord.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, value_parser};
use supercheck::demo_service::DemoService;

fn demo_service_command() -> Command {
    Command::new("demo-service")
        .about("A service with switchable failure modes (for the demo, tests and benches)")
        .arg(
            Arg::new("port")
                .long("port")
                .required(true)
                .value_parser(value_parser!(u16)),
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
}

fn main() -> ExitCode {
    let matches = Command::new("supercheck")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Health checks for services run under supervisord")
        .subcommand_required(true)
        .subcommand(demo_service_command())
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .action(ArgAction::SetTrue)
                .global(true),
        )
        .get_matches();
    match matches.subcommand() {
        Some(("demo-service", m)) => {
            let service = DemoService {
                port: m.get_one::<u16>("port").copied().unwrap_or_default(),
                mode_file: m
                    .get_one::<PathBuf>("mode-file")
                    .cloned()
                    .unwrap_or_default(),
                heartbeat: m.get_one::<PathBuf>("heartbeat").cloned(),
            };
            match service.run() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("demo-service: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => ExitCode::from(2),
    }
}
