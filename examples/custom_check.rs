//! Custom checks in a few lines, run by supercheck's listener.
//!
//! Two checks on every process of a group:
//! - `threads` fails when a process runs more than N threads (the `Threads:`
//!   line of `/proc/<pid>/status`);
//! - `marker` fails while a file `<dir>/<group>-<name>.unhealthy` exists (an
//!   operator, or the service itself, asks for a restart by creating it).
//!
//! Build it and run it as an event listener:
//!
//! ```text
//! cargo build --release --example custom_check
//!
//! [eventlistener:web_custom]
//! command=/path/to/target/release/examples/custom_check --group web --max-threads 64 --marker-dir /run/web
//! events=TICK_5
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use supercheck::custom::{Check, CheckError, FailReason, ProcessInfo, Runner, Verdict};

/// Fails when a process runs more than `max` threads.
pub struct MaxThreads {
    /// The most threads a healthy process runs.
    pub max: u32,
}

impl Check for MaxThreads {
    fn name(&self) -> &str {
        "threads"
    }

    fn check(&mut self, process: &ProcessInfo) -> Verdict {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", process.pid)) else {
            return Verdict::Error(CheckError::ProcessVanished);
        };
        let threads = status
            .lines()
            .find_map(|line| line.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse::<u32>().ok());
        match threads {
            Some(n) if n > self.max => Verdict::Fail(FailReason::Custom("too many threads")),
            Some(_) => Verdict::Pass,
            None => Verdict::Error(CheckError::Custom("no Threads: line in /proc/<pid>/status")),
        }
    }
}

/// Fails while `<dir>/<group>-<name>.unhealthy` exists.
pub struct MarkerFile {
    /// Where the markers are.
    pub dir: PathBuf,
}

impl Check for MarkerFile {
    fn name(&self) -> &str {
        "marker"
    }

    fn check(&mut self, process: &ProcessInfo) -> Verdict {
        let marker = format!("{}-{}.unhealthy", process.group, process.name);
        if self.dir.join(marker).exists() {
            Verdict::Fail(FailReason::Custom("marker file present"))
        } else {
            Verdict::Pass
        }
    }
}

const USAGE: &str = "usage: custom_check (--group G | --process NAMESPEC) \
                     [--max-threads N] [--marker-dir DIR] [--verbose]";

/// The program, given its arguments (without the program name).
pub fn run(args: impl IntoIterator<Item = String>) -> ExitCode {
    let mut builder = Runner::builder().check_name("custom_check");
    let mut checks = 0;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        builder = match flag.as_str() {
            "--group" => builder.group(value()),
            "--process" => builder.process(value()),
            "--max-threads" => match value().parse() {
                Ok(max) => {
                    checks += 1;
                    builder.check(MaxThreads { max })
                }
                Err(_) => return usage("--max-threads takes a number"),
            },
            "--marker-dir" => {
                checks += 1;
                builder.check(MarkerFile {
                    dir: PathBuf::from(value()),
                })
            }
            "--verbose" => builder.verbose(true),
            other => return usage(&format!("unknown argument {other:?}")),
        };
    }
    if checks == 0 {
        return usage("give --max-threads or --marker-dir (or both)");
    }
    let exit = builder
        .build()
        .map_err(std::io::Error::from)
        .and_then(Runner::run);
    match exit {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("custom_check: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("custom_check: {problem}\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    run(std::env::args().skip(1))
}
