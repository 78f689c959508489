//! supervisor_checks' bugs and weak points (peers-spec 3.6) that the real
//! binary proves on its own, without supervisord: start-up, flags, signals,
//! stdin, help text. One test per bug, named after what supercheck does
//! instead. The library-level ones are in python_bugs_lib.rs, the end-to-end
//! ones in python_bugs_e2e*.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bug_support;
mod support;

use std::time::Duration;

use bug_support::config;
use bug_support::driven::{Driven, run};
use supercheck_cmdline::tool::Tool;
use supercheck_core::check::spec::CheckSpec;

/// Bug 1: "xmlrpc CLI is unusable: every target key is passed (as None), so
/// `-s` alone dies with 'must be mutually exclusivein' and a restart loop".
#[test]
fn bug_01_xmlrpc_check_with_one_target_starts_and_two_are_refused_by_name() {
    for target in [["-s", "/x.sock"], ["-S", "/run/"]] {
        let mut listener = Driven::spawn(
            "supervisor_xmlrpc_check",
            &["-g", "g", "-n", "n", target[0], target[1]],
        );
        assert!(listener.stdout_has("READY\n"), "{}", listener.stderr());
        listener.close_stdin();
        let status = listener.wait_exit(Duration::from_secs(5)).unwrap();
        assert_eq!(status.code(), Some(0), "{}", listener.stderr());
    }
    let both = run(
        "supervisor_xmlrpc_check",
        &[
            "-g", "g", "-n", "n", "-s", "/x.sock", "-u", "/RPC2", "-p", "1",
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(both.stdout.is_empty(), "no READY for a bad configuration");
    let message = String::from_utf8_lossy(&both.stderr);
    assert!(message.contains("-u/-s/-S"), "{message}");
    assert!(!message.contains("exclusivein"), "{message}");
}

/// Bug 12: "EOF on stdin crashes with KeyError instead of exiting cleanly".
#[test]
fn bug_12_stdin_eof_exits_0_even_in_the_middle_of_an_event() {
    let args = ["-g", "g", "-n", "n", "-p", "1"];
    let mut idle = Driven::spawn("supervisor_tcp_check", &args);
    assert!(idle.stdout_has("READY\n"));
    idle.close_stdin();
    assert_eq!(
        idle.wait_exit(Duration::from_secs(5)).unwrap().code(),
        Some(0)
    );
    assert!(idle.stderr().contains("stdin closed"), "{}", idle.stderr());

    let mut cut = Driven::spawn("supervisor_tcp_check", &args);
    assert!(cut.stdout_has("READY\n"));
    cut.send_raw(b"ver:3.0 server:supervisor serial:1 pool:checks poolserial:1 eventname:TICK_5 len:15\nwhen:");
    cut.close_stdin();
    assert_eq!(
        cut.wait_exit(Duration::from_secs(5)).unwrap().code(),
        Some(0)
    );
    assert!(
        cut.stderr().contains("in the middle of an event"),
        "{}",
        cut.stderr()
    );
    assert_eq!(
        cut.stdout(),
        "READY\n",
        "a half event is never acknowledged"
    );
}

/// Bug 15: "flag typos and inconsistencies: `--msx-rss`; `-p` is the port in
/// some checks and the CPU percent in others; `-c CUMULATIVE` in the README;
/// cpu_check's description says memory". The typo and `-p` are kept for
/// drop-in command lines; `--max-rss` is accepted too.
#[test]
fn bug_15_msx_rss_is_kept_max_rss_is_an_alias_and_cpu_p_is_the_percent() {
    let max_rss =
        |flag: &str| match config(Tool::Memory, &["-n", "x", "-g", "g", flag, "100", "-c"])
            .unwrap()
            .checks[0]
            .builtin()
        {
            Some(CheckSpec::Memory(memory)) => (memory.max_rss_kib.get(), memory.cumulative),
            ref other => panic!("{other:?}"),
        };
    for flag in ["--msx-rss", "--max-rss", "-m"] {
        assert_eq!(max_rss(flag), (100, true), "{flag}; -c takes no value");
    }
    match config(Tool::Cpu, &["-n", "x", "-g", "g", "-p", "90", "-i", "60"])
        .unwrap()
        .checks[0]
        .builtin()
    {
        Some(CheckSpec::Cpu(cpu)) => {
            assert!((cpu.max_cpu.get() - 90.0).abs() < f64::EPSILON);
            assert_eq!(cpu.interval.secs(), 60);
        }
        ref other => panic!("{other:?}"),
    }
    let help = String::from_utf8(run("supervisor_cpu_check", &["-h"]).stdout).unwrap();
    assert!(
        help.contains("Run CPU check program") && !help.contains("memory"),
        "{help}"
    );
    // The manual (--help) names the CPU in its NAME paragraph, not the memory.
    let manual = String::from_utf8(run("supervisor_cpu_check", &["--help"]).stdout).unwrap();
    let name_line = manual.split("\n\n").next().unwrap_or_default();
    assert!(
        name_line.contains("CPU") && !name_line.contains("memory"),
        "{name_line}"
    );
}

/// Bug 16: "SIGHUP and SIGUSR1 stop the checker (and 0.8.1 logs inside the
/// handler)". SIGHUP still stops it cleanly with status 0, like the Python
/// tool; SIGUSR1 (`supervisorctl signal USR1 all` to reopen logs) is logged
/// and ignored: a listener that exits 0 is never restarted by supervisord.
#[test]
fn bug_16_sigusr1_is_ignored_and_sighup_stops_with_status_0() {
    let mut listener = Driven::spawn("supervisor_tcp_check", &["-g", "g", "-n", "n", "-p", "1"]);
    assert!(listener.stdout_has("READY\n"));
    listener.signal("USR1");
    assert!(
        listener.stderr_has("signal 10 ignored"),
        "{}",
        listener.stderr()
    );
    assert!(listener.is_running());
    listener.send_event("SUPERVISOR_STATE_CHANGE_RUNNING", "");
    assert!(
        listener.stdout_has("READY\nRESULT 2\nOKREADY\n"),
        "still serving events"
    );
    listener.signal("HUP");
    let status = listener
        .wait_exit(Duration::from_secs(5))
        .expect("stops on SIGHUP");
    assert_eq!(status.code(), Some(0));
    assert!(
        listener.stderr().contains("told to stop (signal 1)"),
        "{}",
        listener.stderr()
    );
}

/// Bug 17: "BaseCheck validates before the logger exists", so a check cannot
/// say what is wrong with its configuration. There is no plug-in check API
/// yet; the built-in validation names the JSON key or flag at fault, and the
/// binary exits 2 with that message before `READY`.
#[test]
fn bug_17_configuration_errors_name_the_key_at_fault() {
    let missing_url = config(
        Tool::Complex,
        &["-n", "x", "-g", "g", "-c", r#"{"http": {"port": 1}}"#],
    )
    .unwrap_err();
    assert!(
        missing_url.0.contains("-c/--check-config") && missing_url.0.contains("url"),
        "{missing_url}"
    );
    let bad_rss = config(
        Tool::Complex,
        &[
            "-n",
            "x",
            "-g",
            "g",
            "-c",
            r#"{"memory": {"max_rss": "lots"}}"#,
        ],
    )
    .unwrap_err();
    assert!(bad_rss.0.contains("max_rss"), "{bad_rss}");

    let out = run(
        "supervisor_complex_check",
        &["-n", "x", "-g", "g", "-c", r#"{"tcp": {"port": "(x"}}"#],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no READY for a bad configuration");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("-c/--check-config: tcp.port: bad port pattern"),
        "{message}"
    );
}

/// Bug 19: "docs drift: the file check help text claims a `-*` suffix".
#[test]
fn bug_19_file_check_help_states_the_real_default_path() {
    let out = run("supervisor_file_check", &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("<root dir>/<group>-<name>-<pid>]"), "{help}");
    assert!(!help.contains("<pid>-*"), "{help}");
}
