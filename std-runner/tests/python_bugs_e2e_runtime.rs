//! supervisor_checks' bugs and weak points (peers-spec 3.6) that only a real
//! supervisord can show: timeouts, shutdown, concurrency, reporting and restart races. One test per bug, named after what
//! supercheck does instead; each runs its own supervisord with TICK_5
//! listeners and short timeouts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bug_support;
mod support;

use std::time::Duration;

use bug_support::proxy::HoldingProxy;
use bug_support::sections::{listener, service, wait_log, wait_log_from, wait_running};
use support::{Supervisord, free_port, wait_for};

/// Bug 7: "the xmlrpc check and the runner's RPC have no timeout: a hung
/// backend blocks the listener forever; events buffer and then overflow".
#[test]
fn bug_07_hung_xmlrpc_backend_and_hung_supervisord_both_time_out() {
    let port = free_port();
    let sections = format!(
        "{}{}{}",
        service("rpc", port, &format!("process_name=rpc_{port}")),
        listener(
            "rpc_check",
            r#"supervisor_xmlrpc_check -g rpc -n rpc_check -u /RPC2 -p ".+_(\d+)" --timeout 1 -r 0"#
        ),
        listener(
            "rpc_hung",
            "supervisor_tcp_check -g rpc -n rpc_hung -p 1 --server-url unix://{dir}/hung.sock --rpc-timeout 1"
        ),
    );
    let sup = Supervisord::start("b07", &sections);
    // A "supervisord" that accepts connections and never answers.
    let _hung = std::os::unix::net::UnixListener::bind(sup.dir.path().join("hung.sock")).unwrap();
    let ns = format!("rpc:rpc_{port}");
    wait_running(&sup, &[&ns]);
    let pid = sup.pid(&ns).unwrap();
    sup.write("rpc.mode", "hang");
    wait_log(
        &sup,
        "rpc_check.err",
        &format!("{ns}: xmlrpc check failed: no response within 1"),
        15,
    );
    assert!(
        wait_for(Duration::from_secs(10), || sup
            .pid(&ns)
            .is_some_and(|p| p != pid)),
        "the hung backend was restarted:\n{}",
        sup.file("rpc_check.err")
    );

    let no_answer = "cannot list processes: supervisord did not answer in time";
    wait_log(&sup, "rpc_hung.err", no_answer, 15);
    let first = sup.file("rpc_hung.err").len();
    wait_log_from(&sup, "rpc_hung.err", first, no_answer, 10);
    let acks = sup.file("rpc_hung.out").matches("RESULT 2\nOK").count();
    assert!(acks >= 2, "every tick was acknowledged: {acks}");
    assert!(
        !sup.main_log().contains("buffer overflowed"),
        "{}",
        sup.main_log()
    );
}

/// Bug 11: "exceptions in getAllProcessInfo are uncaught (SHUTDOWN_STATE
/// while supervisord stops): the listener crashes".
#[test]
fn bug_11_supervisord_shutting_down_is_logged_and_the_listener_exits_cleanly() {
    let sections = format!(
        "[program:stubborn]\ncommand=/bin/sh -c \"trap '' TERM; while true; do sleep 1; done\"\n\
         startsecs=0\nstopwaitsecs=9\n\n{}",
        listener(
            "shutdown_check",
            "supervisor_memory_check -g stubborn -n shutdown_check -m 100000000"
        ),
    );
    let sup = Supervisord::start("b11", &sections);
    wait_log(
        &sup,
        "shutdown_check.err",
        "1 process(es) checked: all passed",
        20,
    );
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &sup.pid_of_supervisord().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // stubborn ignores SIGTERM: supervisord stays in its shutdown for 9 s and
    // keeps sending ticks, which its RPC interface refuses with SHUTDOWN_STATE.
    wait_log(
        &sup,
        "shutdown_check.err",
        "cannot list processes: supervisord fault SHUTDOWN_STATE",
        10,
    );
    assert!(
        wait_for(Duration::from_secs(20), || sup
            .main_log()
            .contains("stopped: shutdown_check (exit status 0)")),
        "{}\n{}",
        sup.main_log(),
        sup.file("shutdown_check.err")
    );
    assert!(
        !sup.main_log().contains("exited: shutdown_check"),
        "{}",
        sup.main_log()
    );
}

/// Bug 13: "checks and restarts run synchronously before the RESULT; the
/// 16-thread cap serialises large groups": 5 hung services with `-t 2` are
/// all judged about 2 s after the tick, not 5 × 2 s.
#[test]
fn bug_13_hung_services_are_checked_concurrently() {
    let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
    let mut sections = String::new();
    let names: Vec<String> = (0..5).map(|i| format!("s{i}")).collect();
    for (name, port) in names.iter().zip(&ports) {
        sections += &service(name, *port, &format!("process_name={name}_{port}"));
    }
    sections += &format!("[group:web]\nprograms={}\n\n", names.join(","));
    sections += &listener(
        "hang_check",
        r#"supervisor_http_check -g web -n hang_check -u / -t 2 -r 0 -p ".+_(\d+)" --fail-threshold 100"#,
    );
    let sup = Supervisord::start("b13", &sections);
    wait_log(
        &sup,
        "hang_check.err",
        "5 process(es) checked: all passed",
        20,
    );
    for name in &names {
        sup.write(&format!("{name}.mode"), "hang");
    }
    let summary = "5 process(es) checked: 0 passed, 5 failed, 0 could not be checked (";
    wait_log(&sup, "hang_check.err", summary, 15);
    let log = sup.file("hang_check.err");
    let line = log.lines().find(|l| l.contains(summary)).unwrap();
    let ms: u64 = line
        .rsplit('(')
        .next()
        .and_then(|t| t.strip_suffix(" ms)"))
        .and_then(|t| t.parse().ok())
        .unwrap();
    assert!(
        (2000..3000).contains(&ms),
        "5 timeouts of 2 s took {ms} ms: {line}"
    );
    assert_eq!(
        log.matches("failed: no response within 2").count(),
        5,
        "{log}"
    );
}

/// Bug 21: "pass/fail results are not reported: the only signal is a restart
/// plus stderr text". Every tick ends with a verdict summary and every failure
/// with its reason; the protocol answer stays OK (FAIL would make supervisord
/// resend the tick at once, thousands of times a second).
#[test]
fn bug_21_every_tick_logs_a_summary_and_every_failure_its_reason() {
    let (good, bad) = (free_port(), free_port());
    let sections = format!(
        "{}{}[group:web]\nprograms=good,bad\n\n{}",
        service("good", good, &format!("process_name=good_{good}")),
        service("bad", bad, &format!("process_name=bad_{bad}")),
        listener(
            "report_check",
            r#"supervisor_http_check -g web -n report_check -u /ping -t 1 -r 0 -p ".+_(\d+)""#
        ),
    );
    let sup = Supervisord::start("b21", &sections);
    wait_log(
        &sup,
        "report_check.err",
        "2 process(es) checked: all passed",
        20,
    );
    sup.write("bad.mode", "fail");
    let bad_ns = format!("web:bad_{bad}");
    wait_log(
        &sup,
        "report_check.err",
        "2 process(es) checked: 1 passed, 1 failed, 0 could not be checked",
        10,
    );
    let log = sup.file("report_check.err");
    assert!(
        log.contains(&format!("{bad_ns}: http check failed: bad HTTP status 500")),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarting (")), "{log}");
    assert!(
        !log.contains(&format!("good_{good}: http check failed")),
        "{log}"
    );
    let out = sup.file("report_check.out");
    assert!(
        !out.contains("FAIL"),
        "the protocol answer is always OK: {out:?}"
    );
}

/// The listener under test for bug 22, talking to supervisord through `proxy.sock`.
fn race_setup(tag: &str, held: &str) -> (Supervisord, HoldingProxy, String) {
    let port = free_port();
    let sections = format!(
        "{}{}",
        service(
            "web",
            port,
            &format!("process_name=web_{port}\nstartsecs=0")
        ),
        listener(
            "race_check",
            r#"supervisor_http_check -g web -n race_check -u /ping -t 1 -r 0 -p ".+_(\d+)" --server-url unix://{dir}/proxy.sock"#
        ),
    );
    let sup = Supervisord::start(tag, &sections);
    let proxy = HoldingProxy::start(
        &sup.dir.path().join("proxy.sock"),
        sup.dir.path().join("s.sock"),
        held,
    );
    let ns = format!("web:web_{port}");
    wait_log(
        &sup,
        "race_check.err",
        "1 process(es) checked: all passed",
        20,
    );
    (sup, proxy, ns)
}

/// Bug 22: "restart race: stopProcess + startProcess rather than an atomic
/// restart; a manual restart racing with the checker can log faults". Here
/// the operator starts the process between the listener's stop and start.
#[test]
fn bug_22_manual_start_between_stop_and_start_is_logged_and_checked_again() {
    let (sup, proxy, ns) = race_setup("b22a", "startProcess");
    let listener_pid = sup.pid("race_check").unwrap();
    sup.write("web.mode", "fail");
    let held = proxy
        .held
        .recv_timeout(Duration::from_secs(15))
        .expect("a restart");
    assert_eq!(held, "supervisor.startProcess");
    assert_eq!(sup.state(&ns), "STOPPED");
    sup.write("web.mode", "ok");
    sup.ctl(&["start", &ns]);
    assert_eq!(sup.state(&ns), "RUNNING");
    let from = sup.file("race_check.err").len();
    proxy.release.send(()).unwrap();
    wait_log_from(
        &sup,
        "race_check.err",
        from,
        &format!("{ns}: already started again by someone else"),
        5,
    );
    wait_log_from(
        &sup,
        "race_check.err",
        from,
        "1 process(es) checked: all passed",
        10,
    );
    assert_eq!(
        sup.pid("race_check"),
        Some(listener_pid),
        "the listener never crashed"
    );
}

/// Bug 22, the other way round: the operator stops the process while the
/// listener's stop is on its way. The listener's stop gets NOT_RUNNING; it
/// must not start what the operator stopped, nor stay stuck "restarting".
#[test]
fn bug_22_manual_stop_during_a_restart_is_respected_and_checking_resumes() {
    let (sup, proxy, ns) = race_setup("b22b", "stopProcess");
    sup.write("web.mode", "fail");
    let held = proxy
        .held
        .recv_timeout(Duration::from_secs(15))
        .expect("a restart");
    assert_eq!(held, "supervisor.stopProcess");
    sup.ctl(&["stop", &ns]);
    let from = sup.file("race_check.err").len();
    proxy.release.send(()).unwrap();
    wait_log_from(
        &sup,
        "race_check.err",
        from,
        &format!("{ns}: not running any more (stopped by someone else?): not starting it"),
        5,
    );
    wait_log_from(
        &sup,
        "race_check.err",
        from,
        "No processes in state RUNNING found for web:*",
        10,
    );
    assert_eq!(
        sup.state(&ns),
        "STOPPED",
        "the operator's stop is respected"
    );
    sup.write("web.mode", "ok");
    sup.ctl(&["start", &ns]);
    let from = sup.file("race_check.err").len();
    wait_log_from(
        &sup,
        "race_check.err",
        from,
        "1 process(es) checked: all passed",
        10,
    );
}
