//! `supercheck-wasi`: the supervisord event listener built for WASI.
//!
//! Exit status: 0 when stdin closes, 2 on a usage or configuration error
//! (before `READY`), 1 when stdout fails or the event stream cannot be
//! followed (supervisord then starts a fresh listener).

use std::io::{self, Write};
use std::process::ExitCode;

use supercheck_cmdline::drop_in;
use supercheck_cmdline::plan::ProcessEnv;
use supercheck_cmdline::tool::Tool;
use supercheck_wasi::cli::{Route, route};
use supercheck_wasi::driver::Driver;
use supercheck_wasi::legacy::args::{self, Command, USAGE};
use supercheck_wasi::legacy::check;
use supercheck_wasi::legacy::listener::{self, Ending};
use supercheck_wasi::{plan, stdin};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match route(&args) {
        Route::DropIn { tool, name, argv } => drop_in_main(tool, name, &argv),
        Route::Legacy(rest) => legacy_main(rest),
    }
}

/// Writes `name: error: e` on stderr in one write (one line in supervisord's log).
fn report_error(name: &str, e: &dyn std::fmt::Display) {
    let line = format!("{name}: error: {e}\n");
    let _ = io::stderr().write_all(line.as_bytes());
}

/// A drop-in check's command line, run by the engine.
fn drop_in_main(tool: Tool, name: &'static str, argv: &[String]) -> ExitCode {
    if let Some(why) = plan::unavailable(tool) {
        report_error(name, &why);
        return ExitCode::from(2);
    }
    let matches = match drop_in::command(tool, name).try_get_matches_from(argv) {
        Ok(matches) => matches,
        Err(e) => {
            // --help and --version print and exit 0; a bad flag exits 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let plan = match plan::plan(tool, &matches, &ProcessEnv) {
        Ok(plan) => plan,
        Err(e) => {
            report_error(name, &e);
            return ExitCode::from(2);
        }
    };
    let driver = match Driver::new(plan, stdin::open(), io::stdout(), io::stderr()) {
        Ok(driver) => driver,
        Err(e) => {
            report_error(name, &e);
            return ExitCode::from(2);
        }
    };
    match driver.run() {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            report_error(name, &format!("cannot write the protocol on stdout: {e}"));
            ExitCode::FAILURE
        }
    }
}

/// The first WASI command lines: one target, checked and logged.
fn legacy_main(rest: Vec<String>) -> ExitCode {
    let mut stderr = io::stderr();
    let config = match args::parse(rest) {
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
