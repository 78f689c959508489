//! `memmon` (superlance's drop-in) under a real supervisord: a growing service
//! over its limit is restarted once; `-p group:name=SIZE` works; a program's
//! limit wins over its group's and the catch-all; `-a` never restarts the
//! listener itself (spec 4.2's bugs, fixed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::time::Duration;

use kinds::{
    assert_protocol_clean, count_log, demo_program, get, group, listener, rss_kib, running_pid,
    wait_log, wait_restart,
};
use support::{Supervisord, free_port, wait_for};

/// Every test's limit: 100 MB.
const LIMIT_KIB: u64 = 100 * 1024;

/// Makes the demo service on `port` (pid `pid`) grow past [`LIMIT_KIB`].
fn grow_past_limit(sup: &Supervisord, name: &str, pid: u32, port: u16) {
    sup.write(&format!("{name}.mode"), "grow");
    for _ in 0..3 {
        if rss_kib(pid) > LIMIT_KIB {
            break;
        }
        assert!(
            get(port).contains("200 OK"),
            "the service stopped answering"
        );
    }
    sup.write(&format!("{name}.mode"), "ok");
    assert!(
        rss_kib(pid) > LIMIT_KIB,
        "RSS of {pid}: {} KiB",
        rss_kib(pid)
    );
}

fn program(name: &str, port: u16) -> String {
    demo_program(name, name, &format!("--port {port}"))
}

#[test]
fn process_matching_program_group_and_any_is_restarted_once_per_tick() {
    let port = free_port();
    let sections = format!(
        "{}{}{}",
        program("svc", port),
        group("web", &["svc"]),
        listener("memmon", "{bin} memmon -p svc=100MB -g web=100MB -a 100MB")
    );
    let sup = Supervisord::start("mm-once", &sections);
    let pid = running_pid(&sup, "web:svc");
    wait_log(&sup, "memmon", "1 process(es) checked: all passed");
    grow_past_limit(&sup, "svc", pid, port);
    wait_restart(&sup, "web:svc", pid, "memmon");
    let before = count_log(&sup, "memmon", "all passed");
    assert!(
        wait_for(Duration::from_secs(15), || count_log(
            &sup,
            "memmon",
            "all passed"
        ) > before),
        "the restarted process passes; log:\n{}",
        sup.file("memmon.err")
    );
    let log = sup.file("memmon.err");
    assert_eq!(log.matches("web:svc: restarting").count(), 1, "{log}");
    assert_eq!(
        sup.main_log().matches("stopped: svc (").count(),
        1,
        "one stop, not one per matching rule:\n{}",
        sup.main_log()
    );
    assert_protocol_clean(&sup, "memmon");
}

#[test]
fn program_limit_by_group_and_name_restarts_instead_of_crashing() {
    let port = free_port();
    let sections = format!(
        "{}{}{}",
        program("svc", port),
        group("web", &["svc"]),
        listener("memmon", "{bin} memmon -p web:svc=100MB")
    );
    let sup = Supervisord::start("mm-ns", &sections);
    let pid = running_pid(&sup, "web:svc");
    wait_log(&sup, "memmon", "1 process(es) checked: all passed");
    let listener_pid = sup.pid("memmon").expect("memmon runs");
    grow_past_limit(&sup, "svc", pid, port);
    wait_restart(&sup, "web:svc", pid, "memmon");
    assert_eq!(
        sup.pid("memmon"),
        Some(listener_pid),
        "memmon never crashed"
    );
}

#[test]
fn program_limit_wins_over_group_and_group_over_any() {
    let (big, small) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        program("big", big),
        program("small", small),
        group("web", &["big", "small"]),
        listener("memmon", "{bin} memmon -p big=1GB -g web=100MB -a 10GB")
    );
    let sup = Supervisord::start("mm-prec", &sections);
    let big_pid = running_pid(&sup, "web:big");
    let small_pid = running_pid(&sup, "web:small");
    wait_log(&sup, "memmon", "2 process(es) checked: all passed");
    grow_past_limit(&sup, "big", big_pid, big);
    grow_past_limit(&sup, "small", small_pid, small);
    wait_restart(&sup, "web:small", small_pid, "memmon");
    let checked = count_log(&sup, "memmon", "process(es) checked");
    wait_for(Duration::from_secs(15), || {
        count_log(&sup, "memmon", "process(es) checked") >= checked + 2
    });
    assert_eq!(
        sup.pid("web:big"),
        Some(big_pid),
        "big is under its own 1GB limit, whatever its group's: {}",
        sup.file("memmon.err")
    );
}

#[test]
fn any_limit_never_restarts_the_listener_itself() {
    let port = free_port();
    let sections = format!(
        "{}{}",
        program("svc", port),
        listener("memmon", "{bin} memmon -a 1KB")
    );
    let sup = Supervisord::start("mm-any", &sections);
    let pid = running_pid(&sup, "svc:svc");
    let listener_pid = running_pid(&sup, "memmon");
    wait_restart(&sup, "svc:svc", pid, "memmon");
    assert_eq!(sup.pid("memmon"), Some(listener_pid));
    assert!(!sup.file("memmon.err").contains("memmon:memmon: restarting"));
}

#[test]
fn cumulative_counts_the_whole_process_tree() {
    let port = free_port();
    let sections = format!(
        "[program:shell]\ncommand=/bin/sh -c '{{bin}} demo-service --port {port} --mode-file {{dir}}/shell.mode; true'\n\
         startsecs=1\nstopasgroup=true\nkillasgroup=true\nstdout_logfile={{dir}}/shell.out\nstderr_logfile={{dir}}/shell.err\n\n{}",
        listener("memmon", "{bin} memmon -c -p shell=100MB")
    );
    let sup = Supervisord::start("mm-cum", &sections);
    let shell = running_pid(&sup, "shell:shell");
    wait_log(&sup, "memmon", "1 process(es) checked: all passed");
    let child = kinds::children(shell)
        .into_iter()
        .next()
        .expect("the shell's child");
    grow_past_limit(&sup, "shell", child, port);
    assert!(rss_kib(shell) < LIMIT_KIB, "the shell itself is small");
    wait_restart(&sup, "shell:shell", shell, "memmon");
}
