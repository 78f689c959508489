//! `supercheck agent`: one listener for the whole host from one file
//! (`--config FILE`), or that file checked without starting
//! (`--check-config FILE`, as `monit -t`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use supercheck_cmdline::agent_file::AgentFile;
use supercheck_cmdline::plan::ProcessEnv;
use supercheck_listener::Listener;
use supercheck_listener::agent::{self, AGENT_NAME};

/// The subcommand.
pub fn command() -> Command {
    Command::new("agent")
        .about("One listener for the whole host, from one TOML file (docs/agent.md)")
        .long_about(
            "One listener for the whole host: every [[check]] of the file, each on its own \
             targets, policy and interval, one process list per round and one restart per \
             program however many checks fail it. Run it as one [eventlistener:supercheck] \
             with events=TICK_5. SIGHUP reads the file again (a bad file is refused and the \
             running configuration kept). See docs/agent.md.",
        )
        .arg(
            Arg::new("config")
                .long("config")
                .short('c')
                .value_name("FILE")
                .help("The agent's file")
                .required_unless_present("check_config")
                .conflicts_with("check_config")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("check_config")
                .long("check-config")
                .value_name("FILE")
                .help("Check FILE and exit: 0 if it can run, 2 with the line, column and key at fault")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .help("Log every check's result")
                .action(ArgAction::SetTrue),
        )
}

/// Runs the subcommand.
pub fn main(m: &ArgMatches) -> ExitCode {
    if let Some(path) = m.get_one::<PathBuf>("check_config") {
        let checked = AgentFile::load(path)
            .map_err(agent::AgentError::from)
            .and_then(|file| agent::check_plans(&file).map(|_| file));
        return match checked {
            Ok(file) => {
                let kinds: Vec<String> = file
                    .checks()
                    .iter()
                    .map(|c| format!("{} ({})", c.name(), c.kind().name()))
                    .collect();
                println!(
                    "{}: OK, {} check(s): {}",
                    path.display(),
                    kinds.len(),
                    kinds.join(", ")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{AGENT_NAME}: error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let Some(path) = m.get_one::<PathBuf>("config") else {
        return ExitCode::from(2);
    };
    let config = match agent::load(path, &ProcessEnv, m.get_flag("verbose")) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{AGENT_NAME}: error: {e}");
            return ExitCode::from(2);
        }
    };
    match Listener::new(config).and_then(Listener::run) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("{AGENT_NAME}: error: {e}");
            ExitCode::FAILURE
        }
    }
}
