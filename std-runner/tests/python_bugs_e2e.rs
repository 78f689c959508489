//! supervisor_checks' bugs and weak points (peers-spec 3.6) that only a real
//! supervisord can show: which processes are checked, and which verdicts may restart them. One test per bug, named after what
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

use bug_support::proxy::rpc;
use bug_support::sections::{listener, service, wait_log, wait_log_from, wait_running};
use support::{Supervisord, free_port, wait_for};

/// Bug 5: "port-regex misses restart the process instead of being ignored
/// (the InvalidPortSpec handlers are dead code)".
#[test]
fn bug_05_port_pattern_miss_is_a_configuration_error_and_never_restarts() {
    let (p1, p2) = (free_port(), free_port());
    let sections = format!(
        "{}{}[group:web]\nprograms=noport,good\n\n{}",
        service("noport", p1, ""),
        service("good", p2, &format!("process_name=good_{p2}")),
        listener(
            "web_check",
            r#"supervisor_http_check -g web -n web_check -u /ping -t 1 -r 0 -p ".+_(\d+)""#
        ),
    );
    let sup = Supervisord::start("b05", &sections);
    wait_running(&sup, &["web:noport"]);
    let pid = sup.pid("web:noport").unwrap();
    let summary = "2 process(es) checked: 1 passed, 0 failed, 1 could not be checked";
    wait_log(&sup, "web_check.err", summary, 20);
    let first = sup.file("web_check.err").len();
    wait_log_from(&sup, "web_check.err", first, summary, 10);
    let log = sup.file("web_check.err");
    assert!(
        log.contains("web:noport: http check could not run: configuration error: port pattern does not match the process name; not restarting"),
        "{log}"
    );
    assert!(!log.contains("restarting ("), "{log}");
    assert_eq!(sup.pid("web:noport"), Some(pid), "never restarted");
}

/// Bug 8: "`-N` requires a full namespec for grouped processes; `-N foo:*`
/// never matches".
#[test]
fn bug_08_process_name_takes_a_bare_name_or_group_star() {
    let (a, b) = (free_port(), free_port());
    let sections = format!(
        "{}{}[group:web]\nprograms=a,b\n\n{}{}",
        service("a", a, &format!("process_name=a_{a}")),
        service("b", b, &format!("process_name=b_{b}")),
        listener(
            "by_name",
            &format!("supervisor_tcp_check -N a_{a} -n by_name -p {a} -t 1 -r 0 --verbose")
        ),
        listener(
            "by_group",
            r#"supervisor_tcp_check -N web:* -n by_group -p ".+_(\d+)" -t 1 -r 0 --verbose"#
        ),
    );
    let sup = Supervisord::start("b08", &sections);
    wait_log(&sup, "by_name.err", "1 process(es) checked: all passed", 20);
    wait_log(
        &sup,
        "by_group.err",
        "2 process(es) checked: all passed",
        10,
    );
    let by_name = sup.file("by_name.err");
    assert!(
        by_name.contains(&format!("web:a_{a}: tcp check passed")),
        "{by_name}"
    );
    assert!(!by_name.contains(&format!("b_{b}")), "{by_name}");
    let by_group = sup.file("by_group.err");
    for ns in [format!("web:a_{a}"), format!("web:b_{b}")] {
        assert!(
            by_group.contains(&format!("{ns}: tcp check passed")),
            "{by_group}"
        );
    }
}

/// Bug 9: "with neither `-g` nor `-N` the listener does nothing, without
/// error". supercheck checks every process but its own pool's.
#[test]
fn bug_09_without_group_or_name_every_other_process_is_checked() {
    let (a, b) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}",
        service("a", a, &format!("process_name=a_{a}")),
        service("b", b, &format!("process_name=b_{b}")),
        listener(
            "all_check",
            r#"supervisor_tcp_check -n all_check -p ".+_(\d+)" -t 1 -r 0 --verbose"#
        ),
    );
    let sup = Supervisord::start("b09", &sections);
    wait_log(
        &sup,
        "all_check.err",
        "2 process(es) checked: all passed",
        20,
    );
    let log = sup.file("all_check.err");
    for ns in [format!("a:a_{a}"), format!("b:b_{b}")] {
        assert!(log.contains(&format!("{ns}: tcp check passed")), "{log}");
    }
    assert!(
        !log.contains("all_check:all_check"),
        "its own pool is left out: {log}"
    );
}

/// Bug 10: "RUNNING-only selection: a process stuck in STARTING or BACKOFF is
/// never checked; no startup grace, so slow starters get restart loops".
/// The default stays RUNNING only, like the Python tool.
#[test]
fn bug_10_states_and_grace_check_a_slow_starter_without_restarting_it() {
    let port = free_port();
    let sections = format!(
        "{}{}{}",
        service("slow", port, "startsecs=60"),
        listener(
            "starting_check",
            &format!(
                "supervisor_http_check -g slow -n starting_check -u / -p {port} -t 1 -r 0 --states STARTING,RUNNING --grace 60"
            )
        ),
        listener(
            "running_check",
            &format!("supervisor_http_check -g slow -n running_check -u / -p {port} -t 1 -r 0")
        ),
    );
    let sup = Supervisord::start("b10", &sections);
    assert!(wait_for(Duration::from_secs(10), || sup.state("slow") == "STARTING"));
    let pid = sup.pid("slow").unwrap();
    sup.write("slow.mode", "fail");
    wait_log(
        &sup,
        "starting_check.err",
        "slow:slow: http check failed: bad HTTP status 500",
        15,
    );
    wait_log(
        &sup,
        "starting_check.err",
        "slow:slow: failing, but in its start grace period",
        5,
    );
    wait_log(
        &sup,
        "running_check.err",
        "No processes in state RUNNING found for slow:*",
        5,
    );
    assert!(!sup.file("starting_check.err").contains("restarting ("));
    assert_eq!(sup.pid("slow"), Some(pid), "never restarted");
    assert_eq!(sup.state("slow"), "STARTING");
}

/// Bug 14: "memory and cpu psutil errors never restart while http/tcp/xmlrpc
/// errors always restart". In supercheck a checker's own trouble never
/// restarts, whatever the check (bug 5 is the http case); here the process
/// vanishes between the two samples of a cpu check.
#[test]
fn bug_14_process_vanishing_mid_check_is_not_a_reason_to_restart() {
    let port = free_port();
    let sections = format!(
        "{}{}",
        service("victim", port, "autorestart=false"),
        listener(
            "cpu_check",
            "supervisor_cpu_check -g victim -n cpu_check -p 99 -i 60 --verbose"
        ),
    );
    let sup = Supervisord::start("b14", &sections);
    let socket = sup.dir.path().join("s.sock");
    let vanished = "victim:victim: cpu check could not run: the process vanished";
    let mut seen = false;
    for _ in 0..4 {
        wait_running(&sup, &["victim"]);
        // The second CPU sample is taken 3 s after the listener receives its
        // tick: stop the process one second after the tick arrives.
        let from = sup.file("cpu_check.err").len();
        wait_log_from(&sup, "cpu_check.err", from, "received TICK_5", 10);
        std::thread::sleep(Duration::from_secs(1));
        let reply = rpc(&socket, "supervisor.stopProcess", &["victim"]);
        assert!(reply.contains("<boolean>1</boolean>"), "{reply}");
        if wait_for(Duration::from_secs(4), || {
            sup.file("cpu_check.err").contains(vanished)
        }) {
            seen = true;
            break;
        }
        sup.ctl(&["start", "victim"]);
    }
    assert!(seen, "{}", sup.file("cpu_check.err"));
    let after = sup.file("cpu_check.err").len();
    wait_log_from(
        &sup,
        "cpu_check.err",
        after,
        "No processes in state RUNNING found",
        8,
    );
    let log = sup.file("cpu_check.err");
    assert!(
        log.contains(&format!(
            "{vanished} while it was being examined; not restarting"
        )),
        "{log}"
    );
    assert!(!log.contains("restarting ("), "{log}");
    assert_eq!(sup.state("victim"), "STOPPED", "left alone");
}

/// Bug 18: "the complex check cannot include `file`".
#[test]
fn bug_18_complex_check_runs_a_file_check() {
    let port = free_port();
    let sections = format!(
        "[program:beat]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/beat.mode --heartbeat {{dir}}/beat.hb\n\
         startsecs=1\n\n{}",
        listener(
            "file_check",
            &format!(
                r#"supervisor_complex_check -g beat -n file_check -c '{{"tcp": {{"port": {port}, "timeout": 1}}, "file": {{"timeout": 3, "filepath": "{{dir}}/beat.hb", "fail_on_error": true}}}}'"#
            )
        ),
    );
    let sup = Supervisord::start("b18", &sections);
    wait_log(
        &sup,
        "file_check.err",
        "1 process(es) checked: all passed",
        20,
    );
    let log = sup.file("file_check.err");
    assert!(log.contains("2 check(s) [tcp, file]"), "{log}");
    let pid = sup.pid("beat").unwrap();
    // In "hang" the service still accepts connections but stops its heartbeat.
    sup.write("beat.mode", "hang");
    wait_log(&sup, "file_check.err", "beat:beat: file check failed", 15);
    assert!(
        wait_for(Duration::from_secs(10), || sup
            .pid("beat")
            .is_some_and(|p| p != pid)),
        "{}",
        sup.file("file_check.err")
    );
}
