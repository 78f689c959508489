//! `supercheck notify`: heartbeat files for shell scripts.
//!
//! The `file` check (`supervisor_file_check`) restarts a program whose
//! heartbeat file grew older than its timeout. A Python program bumps it with
//! supervisor_checks' `NotificationFile`; a Rust one with
//! [`HeartbeatFile`]; a shell script with this command:
//!
//! ```text
//! trap 'supercheck notify --remove; exit' EXIT INT TERM
//! while work; do supercheck notify; done
//! ```
//!
//! or, wrapping any program (supervisord's `command=`):
//! `supercheck notify --every 5 -- /usr/bin/worker --flag`.
//!
//! The default file is `<root dir>/<SUPERVISOR_GROUP_NAME>-<SUPERVISOR_PROCESS_NAME>-<pid>`,
//! where the file check looks for it. Its pid is the one supervisord started:
//! the parent of `supercheck notify` (the script), or `supercheck` itself with
//! `--every` (started directly by supervisord, or `exec`'d by a script).

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as ChildCommand, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use mio::{Events, Interest, Poll, Token};
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook_mio::v1_0::Signals;

use supercheck_runtime::heartbeat_file::{self, HeartbeatFile};

/// Signals passed on to the command run by `--every` (supervisord's
/// `stopsignal` can be any of them).
const FORWARDED: [i32; 6] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2];

/// Which heartbeat file, and how to find its stale siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The heartbeat file.
    pub path: PathBuf,
    /// `(root dir, group, name, pid)` for the default path: files of the same
    /// program left by dead pids are removed when this one is created.
    pub owner: Option<(PathBuf, String, String, u32)>,
}

/// Why `supercheck notify` failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotifyError {
    /// No `--file` and a supervisord variable is missing.
    NotUnderSupervisord {
        /// The variable that is not set.
        missing: &'static str,
    },
    /// `--every` is not a positive number of seconds.
    BadInterval(String),
    /// The heartbeat file could not be created, bumped or removed.
    File {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The command of `--every` could not be started.
    Spawn {
        /// The program.
        program: String,
        /// What the system said.
        source: io::Error,
    },
    /// Waiting for the command (poll, signals) failed.
    Wait(io::Error),
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::NotUnderSupervisord { missing } => write!(
                f,
                "not running under supervisord ({missing} is not set): give --file PATH to name \
                 the heartbeat file"
            ),
            NotifyError::BadInterval(text) => {
                write!(f, "--every: {text:?} is not a positive number of seconds")
            }
            NotifyError::File { path, source } => write!(f, "{}: {source}", path.display()),
            NotifyError::Spawn { program, source } => write!(f, "cannot run {program}: {source}"),
            NotifyError::Wait(e) => write!(f, "cannot wait for the command: {e}"),
        }
    }
}

impl std::error::Error for NotifyError {}

impl NotifyError {
    /// The exit status: 2 for a usage mistake, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            NotifyError::NotUnderSupervisord { .. } | NotifyError::BadInterval(_) => 2,
            _ => 1,
        }
    }
}

/// The `notify` subcommand's flags.
pub fn command() -> Command {
    Command::new("notify")
        .about("Bump the heartbeat file supervisor_file_check watches (for shell scripts)")
        .long_about(
            "Bump (creating it if needed) the heartbeat file that supervisor_file_check watches: \
             <root dir>/<SUPERVISOR_GROUP_NAME>-<SUPERVISOR_PROCESS_NAME>-<pid>, where pid is the \
             parent's (the script supervisord started). Files of the same program left by dead \
             pids are removed when the file is created.\n\n\
             With --every SECS -- COMMAND ARGS..., run COMMAND and bump the file every SECS \
             seconds while it runs (pid: supercheck's own, as when supervisord starts it \
             directly); the file is removed when COMMAND exits, and supercheck exits with \
             COMMAND's status. SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are passed on to it.",
        )
        .arg(
            Arg::new("file")
                .long("file")
                .short('f')
                .value_name("PATH")
                .help("The heartbeat file (instead of the default path)")
                .value_parser(value_parser!(PathBuf))
                .conflicts_with_all(["root-dir", "pid"]),
        )
        .arg(
            Arg::new("root-dir")
                .long("root-dir")
                .short('d')
                .value_name("DIR")
                .help("Directory of the default path ($TMPDIR or /tmp, as the file check's)")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("pid")
                .long("pid")
                .value_name("PID")
                .help("The pid in the default path (default: the parent's; with --every, our own)")
                .value_parser(value_parser!(u32)),
        )
        .arg(
            Arg::new("remove")
                .long("remove")
                .help("Remove the file (from the script's trap: trap '... --remove; exit' EXIT INT TERM)")
                .action(ArgAction::SetTrue)
                .conflicts_with("every"),
        )
        .arg(
            Arg::new("every")
                .long("every")
                .value_name("SECS")
                .help("Run COMMAND (after --) and bump the file every SECS seconds while it runs")
                .requires("command"),
        )
        .arg(
            Arg::new("command")
                .value_name("COMMAND")
                .help("The command --every runs, with its arguments")
                .num_args(1..)
                .last(true)
                .value_parser(value_parser!(OsString))
                .requires("every"),
        )
}

/// Resolves the heartbeat file: `--file`, or the default path from
/// `SUPERVISOR_GROUP_NAME`, `SUPERVISOR_PROCESS_NAME`, `root_dir` and `pid`.
///
/// # Errors
/// [`NotifyError::NotUnderSupervisord`] without `--file` and a variable.
pub fn target(
    file: Option<&Path>,
    root_dir: Option<&Path>,
    pid: u32,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Target, NotifyError> {
    if let Some(path) = file {
        return Ok(Target {
            path: path.to_path_buf(),
            owner: None,
        });
    }
    let var = |key: &'static str| {
        env(key)
            .filter(|v| !v.is_empty())
            .ok_or(NotifyError::NotUnderSupervisord { missing: key })
    };
    let group = var("SUPERVISOR_GROUP_NAME")?;
    let name = var("SUPERVISOR_PROCESS_NAME")?;
    let root = root_dir.map_or_else(heartbeat_file::default_root_dir, Path::to_path_buf);
    Ok(Target {
        path: heartbeat_file::default_path(&root, &group, &name, pid),
        owner: Some((root, group, name, pid)),
    })
}

impl Target {
    fn error(&self, source: io::Error) -> NotifyError {
        NotifyError::File {
            path: self.path.clone(),
            source,
        }
    }

    fn remove_stale_siblings(&self) {
        if let Some((root, group, name, pid)) = &self.owner {
            heartbeat_file::remove_stale_siblings(root, group, name, *pid);
        }
    }

    /// Bumps the file, creating it (and clearing stale siblings) if needed.
    ///
    /// # Errors
    /// When the file cannot be created or its mode changed (or is a symlink).
    pub fn bump(&self) -> Result<(), NotifyError> {
        if std::fs::symlink_metadata(&self.path).is_err() {
            self.remove_stale_siblings();
        }
        heartbeat_file::touch(&self.path).map_err(|e| self.error(e))
    }

    /// Removes the file; a file already gone is fine.
    ///
    /// # Errors
    /// When it exists and cannot be removed.
    pub fn remove(&self) -> Result<(), NotifyError> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(self.error(e)),
            _ => Ok(()),
        }
    }

    /// Runs `command`, bumping the file every `every` while it runs; the file
    /// is removed when it exits. Returns its exit status.
    ///
    /// # Errors
    /// When the file cannot be created, the command cannot start, or the wait fails.
    pub fn run_every(&self, every: Duration, command: &[OsString]) -> Result<u8, NotifyError> {
        let Some((program, args)) = command.split_first() else {
            return Err(NotifyError::Spawn {
                program: String::new(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "no command given"),
            });
        };
        let mut poll = Poll::new().map_err(NotifyError::Wait)?;
        let mut signals =
            Signals::new(FORWARDED.iter().copied().chain([SIGCHLD])).map_err(NotifyError::Wait)?;
        poll.registry()
            .register(&mut signals, Token(0), Interest::READABLE)
            .map_err(NotifyError::Wait)?;
        self.remove_stale_siblings();
        let mut beat = HeartbeatFile::create(&self.path).map_err(|e| self.error(e))?;
        let mut child = ChildCommand::new(program)
            .args(args)
            .spawn()
            .map_err(|source| NotifyError::Spawn {
                program: program.to_string_lossy().into_owned(),
                source,
            })?;
        let mut next_beat = Instant::now() + every;
        let mut events = Events::with_capacity(8);
        let status = loop {
            if let Some(status) = child.try_wait().map_err(NotifyError::Wait)? {
                break status;
            }
            let timeout = next_beat.saturating_duration_since(Instant::now());
            match poll.poll(&mut events, Some(timeout)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(NotifyError::Wait(e)),
            }
            for signal in signals.pending() {
                if signal != SIGCHLD {
                    forward(&child, signal);
                }
            }
            if Instant::now() >= next_beat {
                // A failed bump is the file check's business (it sees an old file).
                let _ = beat.notify();
                next_beat = Instant::now() + every;
            }
        };
        drop(beat);
        Ok(exit_status_code(status))
    }
}

fn forward(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let (Some(pid), Some(signal)) = (pid, rustix::process::Signal::from_named_raw(signal)) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

/// A shell's view of an exit status: the code, or 128 + the signal number.
fn exit_status_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    }
}

fn parse_every(text: &str) -> Result<Duration, NotifyError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| NotifyError::BadInterval(text.to_string()))
}

fn run(m: &ArgMatches) -> Result<u8, NotifyError> {
    let every = m
        .get_one::<String>("every")
        .map(|t| parse_every(t))
        .transpose()?;
    let default_pid = if every.is_some() {
        std::process::id()
    } else {
        std::os::unix::process::parent_id()
    };
    let target = target(
        m.get_one::<PathBuf>("file").map(PathBuf::as_path),
        m.get_one::<PathBuf>("root-dir").map(PathBuf::as_path),
        m.get_one::<u32>("pid").copied().unwrap_or(default_pid),
        |key| std::env::var(key).ok(),
    )?;
    if let Some(every) = every {
        let command: Vec<OsString> = m
            .get_many::<OsString>("command")
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        return target.run_every(every, &command);
    }
    if m.get_flag("remove") {
        target.remove()?;
    } else {
        target.bump()?;
    }
    Ok(0)
}

/// `supercheck notify`, given its parsed flags.
pub fn main(m: &ArgMatches) -> ExitCode {
    match run(m) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("supercheck notify: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn default_path_is_the_file_checks_group_name_pid() {
        let vars = env(&[
            ("SUPERVISOR_GROUP_NAME", "grp"),
            ("SUPERVISOR_PROCESS_NAME", "beat"),
        ]);
        let t = target(None, Some(Path::new("/run/hb")), 4242, vars).unwrap();
        assert_eq!(t.path, PathBuf::from("/run/hb/grp-beat-4242"));
        assert_eq!(
            t.owner,
            Some(("/run/hb".into(), "grp".into(), "beat".into(), 4242))
        );
    }

    #[test]
    fn explicit_file_needs_no_supervisord() {
        let t = target(Some(Path::new("/x/beat")), None, 1, env(&[])).unwrap();
        assert_eq!(t.path, PathBuf::from("/x/beat"));
        assert_eq!(t.owner, None);
    }

    #[test]
    fn outside_supervisord_the_error_says_so_and_names_the_way_out() {
        let e = target(None, None, 1, env(&[("SUPERVISOR_GROUP_NAME", "g")])).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("not running under supervisord"), "{text}");
        assert!(text.contains("SUPERVISOR_PROCESS_NAME"), "{text}");
        assert!(text.contains("--file"), "{text}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn every_takes_positive_seconds() {
        assert_eq!(parse_every("0.5").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_every("5").unwrap(), Duration::from_secs(5));
        assert!(parse_every("0").is_err());
        assert!(parse_every("-1").is_err());
        assert!(parse_every("soon").is_err());
    }

    #[test]
    fn flags_that_cannot_go_together_are_refused() {
        let parse = |args: &[&str]| command().try_get_matches_from(args);
        assert!(parse(&["notify", "--file", "/x", "--pid", "3"]).is_err());
        assert!(parse(&["notify", "--remove", "--every", "1", "--", "true"]).is_err());
        assert!(
            parse(&["notify", "--every", "1"]).is_err(),
            "needs a command"
        );
        assert!(parse(&["notify", "--", "true"]).is_err(), "needs --every");
        let ok = parse(&["notify", "--every", "1", "--", "sh", "-c", "exit 3"]).unwrap();
        assert_eq!(ok.get_many::<OsString>("command").unwrap().count(), 3);
    }
}
