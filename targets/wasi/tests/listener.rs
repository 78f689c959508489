//! The WASI listener's driver, built for the host, against a scripted
//! supervisord and real local services: restarts of a hung process through
//! XML-RPC over TCP, none of a healthy one, exact protocol bytes; supervisord
//! down, faults and refused credentials survived; what WASI cannot run
//! refused before `READY`.
#![allow(clippy::expect_used)]

mod support;

use std::time::Duration;

use support::listener_process::{ACK, ListenerProcess, READY, exited_with, tick};
use support::{BASIC_AUTH, Supervisor, closed_port, healthy_service, hung_service, wait_for};

const CREDENTIALS: [(&str, &str); 2] = [
    ("SUPERVISOR_USERNAME", "user"),
    ("SUPERVISOR_PASSWORD", "pass"),
];

/// `supervisor_http_check` on the group `web`, ports from the names, with
/// `extra` flags.
fn http_check(extra: &[&'static str]) -> Vec<&'static str> {
    let line = r"supervisor_http_check -g web -n chk -u /ping -p .+_(\d+) -t 1 -r 0";
    line.split(' ').chain(extra.iter().copied()).collect()
}

fn spawn(args: &[&str], sup: &Supervisor) -> ListenerProcess {
    ListenerProcess::spawn_with(args, Some(&sup.url()), &CREDENTIALS)
}

const T: Duration = Duration::from_secs(20);

/// A scripted supervisord with one process, `web:web_<port>`.
fn fleet_of_one(port: u16) -> (String, Supervisor) {
    let name = format!("web_{port}");
    let sup = Supervisor::start(std::slice::from_ref(&name));
    (name, sup)
}

/// Sends one tick, waits for its acknowledgement, closes stdin and waits for
/// the clean exit; returns the log.
fn one_tick(mut listener: ListenerProcess) -> String {
    assert!(listener.wait_ready(T), "{}", listener.stderr());
    listener.send(tick(1, 1_700_000_005));
    assert!(listener.wait_acks(1, T), "{}", listener.stderr());
    listener.close_stdin().expect("stdin written whole");
    let status = listener.wait_exit(T).expect("exits once stdin closes");
    assert!(
        exited_with(status, &[0]),
        "{status:?}: {}",
        listener.stderr()
    );
    listener.stderr()
}

#[test]
fn the_hung_process_is_restarted_and_the_healthy_one_never() {
    let (ok, hung) = (healthy_service(), hung_service());
    let (ok_name, hung_name) = (format!("web_{ok}"), format!("web_{hung}"));
    let sup = Supervisor::start(&[ok_name.clone(), hung_name.clone()]);
    let (ok_pid, hung_pid) = (sup.pid(&ok_name), sup.pid(&hung_name));
    let mut listener = spawn(&http_check(&["-v"]), &sup);
    assert!(listener.wait_ready(T), "{}", listener.stderr());
    listener.send(tick(1, 1_700_000_005));
    let started = format!("startProcess web:{hung_name}");
    assert!(
        wait_for(T, || sup.calls().iter().any(|c| c.ends_with(&started))),
        "calls {:?}; log:\n{}",
        sup.calls(),
        listener.stderr()
    );
    assert!(listener.wait_acks(1, T));
    assert!(listener.wait_stderr(&format!("web:{hung_name}: restarted"), T));
    listener.close_stdin().unwrap();
    let status = listener.wait_exit(T).expect("exits once stdin closes");
    assert!(exited_with(status, &[0]), "{status:?}");

    let log = listener.stderr();
    let mut protocol = READY.to_vec();
    protocol.extend_from_slice(ACK);
    assert_eq!(listener.stdout(), protocol, "{log}");
    assert_eq!(
        sup.calls(),
        [
            "supervisor.getAllProcessInfo".to_string(),
            format!("supervisor.stopProcess web:{hung_name}"),
            format!("supervisor.startProcess web:{hung_name}"),
        ],
        "{log}"
    );
    assert!(
        log.contains(&format!("web:{ok_name}: http check passed")),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "web:{hung_name}: http check failed: no response within 1.000s"
        )),
        "{log}"
    );
    assert!(log.contains("[chk] starting: 1 check(s) [http]"), "{log}");
    assert_eq!(sup.pid(&ok_name), ok_pid, "the healthy one is untouched");
    assert_ne!(
        sup.pid(&hung_name),
        hung_pid,
        "the hung one runs again, new pid"
    );
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn the_complex_check_runs_its_tcp_and_http_checks() {
    let (name, sup) = fleet_of_one(healthy_service());
    let config = r#"{"tcp": {"port": ".+_(\\d+)", "timeout": 1, "num_retries": 0}, "http": {"url": "/ping", "port": ".+_(\\d+)", "timeout": 1, "num_retries": 0}}"#;
    let args = [
        "supervisor_complex_check",
        "-g",
        "web",
        "-n",
        "cplx",
        "-v",
        "-c",
        config,
    ];
    let log = one_tick(spawn(&args, &sup));
    for kind in ["tcp", "http"] {
        assert!(
            log.contains(&format!("web:{name}: {kind} check passed")),
            "{log}"
        );
    }
    assert!(log.contains("1 process(es) checked: all passed"), "{log}");
    assert_eq!(sup.calls(), ["supervisor.getAllProcessInfo"]);
}

#[test]
fn supervisord_down_is_survived_and_restarts_nothing() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let log = one_tick(ListenerProcess::spawn_with(
        &http_check(&[]),
        Some(&url),
        &CREDENTIALS,
    ));
    assert!(
        log.contains("cannot list processes: supervisord unreachable"),
        "{log}"
    );
    assert!(!log.contains("restarting"), "{log}");
}

#[test]
fn a_stop_that_finds_the_process_stopped_starts_nothing() {
    let (name, sup) = fleet_of_one(hung_service());
    sup.fail_stops(70, "NOT_RUNNING");
    let log = one_tick(spawn(&http_check(&[]), &sup));
    assert!(
        log.contains(&format!("web:{name}: not running any more")),
        "{log}"
    );
    assert_eq!(
        sup.calls(),
        [
            "supervisor.getAllProcessInfo".to_string(),
            format!("supervisor.stopProcess web:{name}"),
        ]
    );
}

#[test]
fn refused_credentials_are_named_and_restart_nothing() {
    let (_, sup) = fleet_of_one(hung_service());
    // No SUPERVISOR_PASSWORD: supervisord answers 401.
    let env = [("SUPERVISOR_USERNAME", "user")];
    assert_ne!(BASIC_AUTH, "Basic dXNlcjo=");
    let log = one_tick(ListenerProcess::spawn_with(
        &http_check(&[]),
        Some(&sup.url()),
        &env,
    ));
    assert!(
        log.contains("supervisord refused our credentials (HTTP 401)"),
        "{log}"
    );
    assert_eq!(sup.calls(), Vec::<String>::new());
}

#[test]
fn once_prints_verdicts_and_restarts_nothing() {
    let (ok, hung) = (healthy_service(), hung_service());
    let (ok_name, hung_name) = (format!("web_{ok}"), format!("web_{hung}"));
    let sup = Supervisor::start(&[ok_name.clone(), hung_name.clone()]);
    let mut listener = spawn(&http_check(&["--once"]), &sup);
    let status = listener.wait_exit(T).expect("--once ends by itself");
    assert!(
        exited_with(status, &[1]),
        "{status:?}: {}",
        listener.stderr()
    );
    let out = String::from_utf8(listener.stdout()).unwrap();
    assert!(out.contains(&format!("web:{ok_name}: pass\n")), "{out}");
    assert!(
        out.contains(&format!(
            "web:{hung_name}: fail: no response within 1.000s\n"
        )),
        "{out}"
    );
    assert!(!out.contains("READY"), "{out}");
    assert_eq!(sup.calls(), ["supervisor.getAllProcessInfo"]);
}

/// Runs a command line that must be refused before `READY`: exit 2, nothing
/// on stdout, and `needle` in the error.
fn refused(args: &[&str], url: &str, needle: &str) {
    let mut listener = ListenerProcess::spawn_with(args, Some(url), &CREDENTIALS);
    listener.close_stdin().ok();
    let status = listener.wait_exit(T).expect("exits");
    let log = listener.stderr();
    assert!(exited_with(status, &[2]), "{args:?}: {status:?} {log}");
    assert_eq!(listener.stdout(), b"", "{args:?}");
    assert!(log.contains(needle), "{args:?}: {log}");
}

#[test]
fn what_wasi_cannot_do_is_refused_before_ready() {
    let url = "http://127.0.0.1:9";
    refused(
        &http_check(&[]),
        "unix:///tmp/supervisor.sock",
        "WASI has no unix sockets. Configure supervisord's [inet_http_server]",
    );
    refused(
        &["supervisor_memory_check", "-n", "m", "-m", "1000"],
        url,
        "supervisor_memory_check is not available on WASI",
    );
    for tool in ["cpu", "file", "exec", "heartbeat"] {
        refused(
            &["supercheck", tool, "-n", "x"],
            url,
            "is not available on WASI",
        );
    }
    refused(
        &[
            "supervisor_complex_check",
            "-n",
            "c",
            "-c",
            r#"{"tcp": {"port": 80}, "memory": {"max_rss": 1000}}"#,
        ],
        url,
        "the memory check is not available on WASI",
    );
    refused(
        &["supervisor_xmlrpc_check", "-n", "x", "-s", "/tmp/x.sock"],
        url,
        "unix sockets are not available on WASI",
    );
    refused(
        &http_check(&["--https"]),
        url,
        "--https: there is no TLS on WASI",
    );
    refused(
        &http_check(&["--webhook", "http://127.0.0.1:1/"]),
        url,
        "--webhook: not available on WASI: no webhook",
    );
    refused(
        &["supervisor_http_check", "-n", "x", "-u", "/"],
        url,
        "--port",
    );
    let mut unset = ListenerProcess::spawn(&http_check(&[]), None);
    let status = unset.wait_exit(T).expect("exits");
    assert!(exited_with(status, &[2]));
    assert!(unset.stderr().contains("SUPERVISOR_SERVER_URL is not set"));
}
