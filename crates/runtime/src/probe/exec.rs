//! The exec check: a command per process; exit status 0 is healthy.
//!
//! The command runs in its own process group with the process it checks named
//! in its environment (`SUPERCHECK_GROUP_NAME`, `SUPERCHECK_PROCESS_NAME`,
//! `SUPERCHECK_NAMESPEC`, `SUPERCHECK_PID`). Its stdout goes to the listener's
//! stderr: stdout belongs to the supervisord protocol. On timeout the whole
//! group is killed.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};

use supercheck_core::check::spec::{Command as CommandSpec, ExecSpec};
use supercheck_core::check::verdict::{CheckError, FailReason, Resource, Verdict};

use crate::supervisor::client::ProcessSnapshot;

/// Starts the command of `spec` for `target`.
///
/// # Errors
/// When the command cannot be started (not found, not executable, no fds).
pub fn spawn(spec: &ExecSpec<'_>, target: &ProcessSnapshot) -> io::Result<Child> {
    let mut command = match &spec.command {
        CommandSpec::Argv(argv) => {
            let mut args = argv.iter();
            let program = args
                .next()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
            let mut command = Command::new(program);
            command.args(args);
            command
        }
        CommandSpec::Shell(line) => {
            let mut command = Command::new("/bin/sh");
            command.arg("-c").arg(line);
            command
        }
    };
    let stderr_for_stdout = io::stderr().as_fd().try_clone_to_owned()?;
    command
        .env("SUPERCHECK_GROUP_NAME", &target.group)
        .env("SUPERCHECK_PROCESS_NAME", &target.name)
        .env("SUPERCHECK_NAMESPEC", target.namespec())
        .env("SUPERCHECK_PID", target.pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(stderr_for_stdout))
        .process_group(0)
        .spawn()
}

/// The verdict for a command that could not be started: never a restart.
pub fn spawn_error_verdict(e: &io::Error) -> Verdict {
    match e.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE) => {
            Verdict::Error(CheckError::ResourceExhausted(Resource::FileDescriptors))
        }
        Some(libc::EAGAIN | libc::ENOMEM) => {
            Verdict::Error(CheckError::ResourceExhausted(Resource::Memory))
        }
        _ => Verdict::Error(CheckError::Config(
            "the exec check's command cannot be started",
        )),
    }
}

/// The verdict for a finished command.
pub fn exit_verdict(status: ExitStatus) -> Verdict {
    match (status.code(), status.signal()) {
        (Some(0), _) => Verdict::Pass,
        (Some(code), _) => Verdict::Fail(FailReason::CommandExit { status: code }),
        (None, Some(signal)) => Verdict::Fail(FailReason::CommandSignal { signal }),
        (None, None) => Verdict::Fail(FailReason::CommandExit { status: -1 }),
    }
}

/// Kills the command's whole process group (on timeout or shutdown) and reaps it.
pub fn kill(child: &mut Child) {
    if let Some(pid) = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;
    use supercheck_core::process::ProcessState;

    fn target() -> ProcessSnapshot {
        ProcessSnapshot {
            group: "web".into(),
            name: "web_1".into(),
            state: ProcessState::Running,
            pid: 42,
            start: 0,
            now: 0,
        }
    }

    #[test]
    fn exit_status_zero_passes_and_others_fail_with_the_status() {
        let spec =
            ExecSpec::new(CommandSpec::shell("test \"$SUPERCHECK_NAMESPEC\" = web:web_1").unwrap());
        let status = spawn(&spec, &target()).unwrap().wait().unwrap();
        assert_eq!(exit_verdict(status), Verdict::Pass);
        let spec = ExecSpec::new(CommandSpec::shell("exit 3").unwrap());
        let status = spawn(&spec, &target()).unwrap().wait().unwrap();
        assert_eq!(
            exit_verdict(status),
            Verdict::Fail(FailReason::CommandExit { status: 3 })
        );
    }

    #[test]
    fn a_missing_program_is_a_checker_error() {
        let mut argv = supercheck_core::check::spec::Argv::new();
        argv.push("/nonexistent/supercheck-probe").unwrap();
        let spec = ExecSpec::new(CommandSpec::argv(argv).unwrap());
        let e = spawn(&spec, &target()).unwrap_err();
        assert!(matches!(spawn_error_verdict(&e), Verdict::Error(_)));
    }

    #[test]
    fn kill_ends_the_whole_group() {
        let spec = ExecSpec::new(CommandSpec::shell("sleep 30 & sleep 30").unwrap());
        let mut child = spawn(&spec, &target()).unwrap();
        kill(&mut child);
        assert!(child.try_wait().unwrap().is_some());
    }
}
