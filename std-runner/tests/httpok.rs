//! `httpok` (superlance's drop-in) under a real supervisord: one GET per tick
//! decides for the `-p` programs; a failing URL restarts them, a passing one
//! never does; the Python tool's bugs (spec 4.1) are fixed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::time::Duration;

use kinds::{
    assert_protocol_clean, count_log, demo_program, group, listener, listener_stopped, running_pid,
    wait_log, wait_restart,
};
use support::{Supervisord, free_port, wait_for};

/// A demo service `svc` on `port` (process name `svc`) plus an untouched
/// bystander in the same config, and the httpok listener with `flags`.
fn setup(tag: &str, port: u16, flags: &str) -> Supervisord {
    let sections = format!(
        "{}{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        demo_program("bystander", "bystander", &format!("--port {}", free_port())),
        listener(
            "httpok",
            &format!("{{bin}} httpok {flags} http://127.0.0.1:{port}/ping")
        )
    );
    Supervisord::start(tag, &sections)
}

#[test]
fn failing_url_restarts_the_p_program_and_a_passing_url_never_does() {
    let port = free_port();
    let sup = setup("hok-fail", port, "-p svc -p ghost -t 2");
    let pid = running_pid(&sup, "svc:svc");
    let bystander = running_pid(&sup, "bystander:bystander");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    wait_for(Duration::from_secs(8), || {
        count_log(&sup, "httpok", "all passed") >= 2
    });
    assert_eq!(
        sup.pid("svc:svc"),
        Some(pid),
        "a passing URL never restarts"
    );
    sup.write("svc.mode", "fail");
    wait_restart(&sup, "svc:svc", pid, "httpok");
    let log = sup.file("httpok.err");
    assert!(log.contains("bad HTTP status 500"), "{log}");
    assert!(log.contains("svc:svc: restarted"), "{log}");
    assert_eq!(
        count_log(
            &sup,
            "httpok",
            "Programs not restarted because they did not exist: ['ghost']"
        ),
        1,
        "a missing -p program is named once, not on every tick: {log}"
    );
    assert_eq!(
        sup.pid("bystander:bystander"),
        Some(bystander),
        "only -p programs are restarted"
    );
    assert_protocol_clean(&sup, "httpok");
}

#[test]
fn body_check_passes_on_a_matching_body_instead_of_crashing() {
    let port = free_port();
    let sup = setup("hok-body", port, "-p svc -t 2 -b ok");
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    let listener_pid = sup.pid("httpok").expect("listener runs");
    sup.write("svc.mode", "body");
    wait_restart(&sup, "svc:svc", pid, "httpok");
    assert!(
        sup.file("httpok.err")
            .contains("response body does not contain"),
        "{}",
        sup.file("httpok.err")
    );
    assert_eq!(
        sup.pid("httpok"),
        Some(listener_pid),
        "the listener never died (superlance raised TypeError on every response)"
    );
}

#[test]
fn hung_url_with_timeout_below_10_seconds_is_probed_and_restarts() {
    let port = free_port();
    let sup = setup("hok-hang", port, "-p svc -t 2");
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    sup.write("svc.mode", "hang");
    wait_restart(&sup, "svc:svc", pid, "httpok");
    sup.write("svc.mode", "ok");
    assert!(
        sup.file("httpok.err").contains("no response within"),
        "{}",
        sup.file("httpok.err")
    );
}

#[test]
fn not_eager_with_a_group_and_name_program_still_checks() {
    let port = free_port();
    let sections = format!(
        "{}{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        group("web", &["svc"]),
        listener(
            "httpok",
            &format!("{{bin}} httpok -E -p web:svc -t 2 http://127.0.0.1:{port}/ping")
        )
    );
    let sup = Supervisord::start("hok-noteager", &sections);
    let pid = running_pid(&sup, "web:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    sup.write("svc.mode", "fail");
    wait_restart(&sup, "web:svc", pid, "httpok");
}

#[test]
fn any_restarts_running_programs_but_never_the_listener_itself() {
    let port = free_port();
    let sup = setup("hok-any", port, "-a -t 2");
    let pid = running_pid(&sup, "svc:svc");
    let bystander = running_pid(&sup, "bystander:bystander");
    wait_log(&sup, "httpok", "2 process(es) checked: all passed");
    let listener_pid = sup.pid("httpok").expect("listener runs");
    sup.write("svc.mode", "fail");
    wait_restart(&sup, "svc:svc", pid, "httpok");
    wait_restart(&sup, "bystander:bystander", bystander, "httpok");
    assert_eq!(sup.pid("httpok"), Some(listener_pid));
    assert!(!sup.file("httpok.err").contains("httpok:httpok: restarting"));
}

#[test]
fn drop_in_name_httpok_runs_the_same_listener() {
    let port = free_port();
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        listener_stopped(
            "httpok",
            &format!("{{dir}}/bin/httpok -p svc --timeout=2 http://127.0.0.1:{port}/ping")
        )
    );
    let sup = Supervisord::start("hok-name", &sections);
    std::os::unix::fs::symlink(support::supercheck_bin(), sup.dir.path().join("bin/httpok"))
        .expect("link httpok");
    sup.ctl(&["start", "httpok"]);
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    sup.write("svc.mode", "fail");
    wait_restart(&sup, "svc:svc", pid, "httpok");
}
