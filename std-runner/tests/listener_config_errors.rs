//! Configuration mistakes end the listener before READY, with a message that
//! names the culprit, so that supervisord marks it FATAL instead of looping;
//! outside supervisord it says what is missing; `--once` checks from a shell
//! and restarts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use support::listener_process::{ListenerProcess, count, exited_with};
use support::{Supervisord, free_port, wait_for};

/// Runs `command` as an event listener (default startsecs=1, startretries=3)
/// and expects FATAL: no byte on stdout, `culprit` in its stderr log, four
/// attempts and no more.
fn assert_fatal_under_supervisord(tag: &str, command: &str, culprit: &str) {
    let sup = Supervisord::start(
        tag,
        &format!(
            "[eventlistener:bad]\ncommand={command}\nevents=TICK_5\n\
             stdout_logfile={{dir}}/bad.out\nstderr_logfile={{dir}}/bad.err\n"
        ),
    );
    let start = Instant::now();
    assert!(
        wait_for(Duration::from_secs(20), || sup.state("bad") == "FATAL"),
        "state {}:\n{}",
        sup.state("bad"),
        sup.main_log()
    );
    let took = start.elapsed();
    // The log is complete: supervisord logs each attempt's exit before the
    // transition that gives up, and FATAL is final (only a `start` leaves
    // it), so no attempt is still to come.
    let main = sup.main_log();
    let err = sup.file("bad.err");
    assert_eq!(sup.state("bad"), "FATAL");
    let gave_up = "gave up: bad entered FATAL state, too many start retries too quickly";
    assert_eq!(count(main.as_bytes(), gave_up.as_bytes()), 1, "{main}");
    let after = &main[main.find(gave_up).unwrap()..];
    assert!(!after.contains("spawned: 'bad'"), "FATAL is final:\n{main}");
    // One start and startretries=3. A loaded machine may let an attempt
    // outlive startsecs=1 (supervisord then counts it as started and resets
    // the retries): that is supervisord's rule, not a loop of the listener.
    let spawned = count(main.as_bytes(), b"spawned: 'bad'");
    let counted_as_up = count(main.as_bytes(), b"success: bad entered RUNNING state");
    assert!(
        spawned >= 4 && spawned <= 4 * (1 + counted_as_up),
        "{spawned} attempts, {counted_as_up} counted as up ({took:?}):\n{main}"
    );
    assert_eq!(
        count(
            main.as_bytes(),
            b"exited: bad (exit status 2; not expected)"
        ),
        spawned,
        "every attempt exited with status 2:\n{main}"
    );
    assert_eq!(
        sup.file("bad.out"),
        "",
        "nothing on stdout, READY least of all"
    );
    assert!(err.contains(culprit), "expected {culprit:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!main.contains("BUSY"), "it never took an event:\n{main}");
}

#[test]
fn unknown_flag_ends_fatal_naming_the_flag() {
    assert_fatal_under_supervisord(
        "badflag",
        "{dir}/bin/supervisor_http_check -n bad -u /ping -p 80 --no-such-flag",
        "unexpected argument '--no-such-flag' found",
    );
}

#[test]
fn bad_port_regex_ends_fatal_naming_the_flag() {
    assert_fatal_under_supervisord(
        "badregex",
        "{dir}/bin/supervisor_http_check -n bad -u /ping -p \"(\"",
        "supervisor_http_check: error: -p/--port: bad port pattern \"(\"",
    );
}

#[test]
fn bad_json_config_ends_fatal_naming_the_flag_and_the_byte() {
    assert_fatal_under_supervisord(
        "badjson",
        "{dir}/bin/supervisor_complex_check -n bad -c '{\"http\":'",
        "supervisor_complex_check: error: -c/--check-config: invalid JSON at byte 8",
    );
}

#[test]
fn missing_required_flag_ends_fatal_naming_the_flag() {
    assert_fatal_under_supervisord(
        "noport",
        "{dir}/bin/supervisor_tcp_check -n bad",
        "the following required arguments were not provided:\n  --port <PORT>",
    );
}

#[test]
fn not_under_supervisord_says_so_and_exits_non_zero() {
    let mut l = ListenerProcess::spawn(&["tcp", "-n", "alone", "-p", "80"], None);
    let status = l.wait_exit(Duration::from_secs(5)).expect("exits at once");
    let err = l.stderr();
    assert!(exited_with(status, &[2]), "status {status:?}:\n{err}");
    assert!(
        err.contains(
            "supercheck: error: not running under supervisord: SUPERVISOR_SERVER_URL is not set"
        ),
        "{err}"
    );
    assert!(err.contains("--server-url"), "says how to run it: {err}");
    assert_eq!(err.lines().count(), 1, "one line, no traceback: {err}");
    assert_eq!(l.stdout(), b"", "not even READY");
}

/// Two demo services in group `web`: `a` and `b`.
fn two_services(tag: &str) -> (Supervisord, [String; 2]) {
    let ports = [free_port(), free_port()];
    let mut sections = String::new();
    for (name, port) in ["a", "b"].iter().zip(ports) {
        sections.push_str(&format!(
            "[program:{name}]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/{name}.mode\n\
             process_name={name}_{port}\nstartsecs=1\n\n"
        ));
    }
    sections.push_str("[group:web]\nprograms=a,b\n");
    let sup = Supervisord::start(tag, &sections);
    let names = [format!("web:a_{}", ports[0]), format!("web:b_{}", ports[1])];
    assert!(wait_for(Duration::from_secs(15), || names
        .iter()
        .all(|n| sup.state(n) == "RUNNING")));
    (sup, names)
}

/// `supercheck http --once` on group `web` of `sup`: (status, stdout, stderr).
fn run_once(sup: &Supervisord) -> (std::process::ExitStatus, String, String) {
    let url = sup.server_url();
    let mut l = ListenerProcess::spawn(
        &[
            "http",
            "-n",
            "once",
            "-g",
            "web",
            "-u",
            "/ping",
            "-p",
            r".+_(\d+)",
            "-t",
            "2",
            "-r",
            "0",
            "--once",
            "--server-url",
            &url,
        ],
        None,
    );
    let status = l.wait_exit(Duration::from_secs(10)).expect("--once ends");
    (status, String::from_utf8(l.stdout()).unwrap(), l.stderr())
}

#[test]
fn once_prints_one_verdict_per_process_and_exits_0_when_all_pass() {
    let (sup, names) = two_services("onceok");
    let pids = names.clone().map(|n| sup.pid(&n).unwrap());
    let (status, out, err) = run_once(&sup);
    assert!(
        exited_with(status, &[0]),
        "status {status:?}:\n{out}\n{err}"
    );
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    let expected: Vec<String> = names.iter().map(|n| format!("{n}: pass")).collect();
    assert_eq!(lines, expected, "{err}");
    assert!(!out.contains("READY") && !out.contains("RESULT"), "{out}");
    assert_eq!(names.clone().map(|n| sup.pid(&n).unwrap()), pids);
}

#[test]
fn once_exits_1_when_one_fails_and_restarts_nothing() {
    let (sup, names) = two_services("oncefail");
    let pids = names.clone().map(|n| sup.pid(&n).unwrap());
    sup.write("b.mode", "fail");
    let (status, out, err) = run_once(&sup);
    assert!(
        exited_with(status, &[1]),
        "status {status:?}:\n{out}\n{err}"
    );
    let verdicts: Vec<&str> = out
        .lines()
        .filter(|l| !l.contains("would restart"))
        .collect();
    assert_eq!(verdicts.len(), 2, "one verdict per process:\n{out}");
    assert!(out.contains(&format!("{}: pass\n", names[0])), "{out}");
    assert!(
        out.contains(&format!("{}: fail: bad HTTP status 500", names[1])),
        "{out}"
    );
    assert!(
        out.contains(&format!("{}: would restart", names[1])),
        "{out}"
    );
    // The listener has exited: a restart it asked for (a waiting stopProcess)
    // would have changed the pid already.
    assert_eq!(
        names.clone().map(|n| sup.pid(&n).unwrap()),
        pids,
        "--once restarts nothing"
    );
    assert!(!sup.main_log().contains("stopped: "), "{}", sup.main_log());
}

#[test]
fn once_with_supervisord_unreachable_exits_1_at_once() {
    let start = Instant::now();
    let mut l = ListenerProcess::spawn(
        &[
            "tcp",
            "-n",
            "once",
            "-g",
            "web",
            "-p",
            "80",
            "--once",
            "--server-url",
            "unix:///nonexistent/supervisor.sock",
        ],
        None,
    );
    let status = l.wait_exit(Duration::from_secs(5)).expect("--once ends");
    let err = l.stderr();
    assert!(exited_with(status, &[1]), "status {status:?}:\n{err}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.contains("cannot list processes: supervisord unreachable"),
        "{err}"
    );
    assert_eq!(l.stdout(), b"");
}
