//! `supercheck-wasi`: the supervisord event listener built for WASI.
//!
//! Exit status: 0 when stdin closes, 2 on a usage error (before `READY`),
//! 1 when stdout fails or the event stream cannot be followed (supervisord
//! then starts a fresh listener).

use std::io::{self, Write};
use std::process::ExitCode;

use supercheck_wasi::args::{self, Command, USAGE};
use supercheck_wasi::check;
use supercheck_wasi::listener::{self, Ending};

fn main() -> ExitCode {
    let mut stderr = io::stderr();
    let config = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            let _ = io::stdout().write_all(USAGE.as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            let _ = writeln!(
                io::stdout(),
                "supercheck-wasi {}",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = writeln!(stderr, "supercheck-wasi: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let _ = writeln!(
        stderr,
        "supercheck-wasi: listening; on every TICK: {} (timeout {} s)",
        config.target.describe(),
        config.timeout.as_secs()
    );
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let target = config.target.clone();
    let timeout = config.timeout;
    let result = listener::run(&config.name, stdin, stdout, &mut stderr, &mut || {
        check::run(&target, timeout)
    });
    match result {
        Ok((Ending::Eof, stats)) => {
            let _ = writeln!(
                stderr,
                "supercheck-wasi: stdin closed after {} events ({} ticks, {} malformed); exiting",
                stats.acknowledged, stats.ticks, stats.skipped
            );
            ExitCode::SUCCESS
        }
        Ok((Ending::Truncated, _)) => ExitCode::SUCCESS,
        Ok((Ending::Lost, _)) => ExitCode::FAILURE,
        Err(e) => {
            let _ = writeln!(
                stderr,
                "supercheck-wasi: I/O error on stdin/stdout: {e}; exiting"
            );
            ExitCode::FAILURE
        }
    }
}
