//! The drop-in xmlrpc check under a real supervisord, in its three target
//! forms: `-u PATH -p PORT` over TCP, `-s SOCKET`, `-S SOCKET_DIR`. A service
//! answering a fault (or nothing) is restarted, a healthy one in the same
//! group never is; the configured path and method are really the ones called.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use kinds::{
    assert_protocol_clean, demo_program, group, listener, port_program, running_pid, wait_log,
    wait_restart,
};
use support::{Supervisord, free_port};

/// A demo service on the unix socket `{dir}/NAME.sock` only, process name NAME.
fn unix_program(name: &str) -> String {
    demo_program(
        name,
        "%(program_name)s",
        "--unix {dir}/%(program_name)s.sock",
    )
}

#[test]
fn tcp_target_calls_the_configured_path_and_method_and_a_fault_restarts() {
    let (bad, good) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        port_program("bad", bad),
        port_program("good", good),
        group("rpc", &["bad", "good"]),
        listener(
            "rpc_check",
            "{dir}/bin/supervisor_xmlrpc_check -g rpc -n rpc_check -u /custom/path -m get_status \
             -r 0 --timeout 2 -p \".+_(\\d+)\""
        )
    );
    let sup = Supervisord::start("xmlrpc-tcp", &sections);
    let (bad_ns, good_ns) = (format!("rpc:bad_{bad}"), format!("rpc:good_{good}"));
    let bad_pid = running_pid(&sup, &bad_ns);
    let good_pid = running_pid(&sup, &good_ns);
    wait_log(&sup, "rpc_check", "2 process(es) checked: all passed");
    let seen = sup.file("good.mode.last");
    assert!(
        seen.contains("POST /custom/path HTTP/1.1"),
        "the configured path was not called: {seen:?}"
    );
    assert!(
        seen.contains("<methodName>get_status</methodName>"),
        "the configured method was not called: {seen:?}"
    );

    sup.write("bad.mode", "fail");
    wait_restart(&sup, &bad_ns, bad_pid, "rpc_check");
    sup.write("bad.mode", "ok");

    let log = sup.file("rpc_check.err");
    assert!(
        log.contains(&format!("{bad_ns}: xmlrpc check failed: XML-RPC fault 1")),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{good_ns}: xmlrpc check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&good_ns),
        Some(good_pid),
        "the healthy service was restarted"
    );
    assert_protocol_clean(&sup, "rpc_check");
}

#[test]
fn socket_path_target_times_out_on_a_hung_service_and_restarts_it() {
    let sections = format!(
        "{}{}{}{}{}",
        unix_program("bad"),
        unix_program("good"),
        group("rpc", &["bad", "good"]),
        listener(
            "rpc_bad",
            "{dir}/bin/supervisor_xmlrpc_check -N rpc:bad -n rpc_bad -s {dir}/bad.sock \
             -m get_status -r 0 --timeout 1"
        ),
        listener(
            "rpc_good",
            "{dir}/bin/supervisor_xmlrpc_check -N rpc:good -n rpc_good -s unix://{dir}/good.sock \
             -m get_status -r 0 --timeout 1"
        )
    );
    let sup = Supervisord::start("xmlrpc-sock", &sections);
    let bad_pid = running_pid(&sup, "rpc:bad");
    let good_pid = running_pid(&sup, "rpc:good");
    wait_log(&sup, "rpc_bad", "1 process(es) checked: all passed");
    wait_log(&sup, "rpc_good", "1 process(es) checked: all passed");
    let seen = sup.file("good.mode.last");
    assert!(seen.contains("POST /RPC2 HTTP/1.1"), "{seen:?}");
    assert!(
        seen.contains("<methodName>get_status</methodName>"),
        "{seen:?}"
    );

    sup.write("bad.mode", "hang");
    wait_restart(&sup, "rpc:bad", bad_pid, "rpc_bad");
    sup.write("bad.mode", "ok");

    let log = sup.file("rpc_bad.err");
    assert!(
        log.contains("rpc:bad: xmlrpc check failed: no response within 1.000s"),
        "{log}"
    );
    assert!(log.contains("rpc:bad: restarted"), "{log}");
    let good_log = sup.file("rpc_good.err");
    assert!(!good_log.contains("failed"), "{good_log}");
    assert_eq!(
        sup.pid("rpc:good"),
        Some(good_pid),
        "the healthy service was restarted"
    );
    assert_protocol_clean(&sup, "rpc_bad");
    assert_protocol_clean(&sup, "rpc_good");
}

#[test]
fn socket_dir_target_uses_each_process_name_and_a_fault_restarts() {
    let sections = format!(
        "{}{}{}{}",
        unix_program("bad"),
        unix_program("good"),
        group("rpc", &["bad", "good"]),
        listener(
            "rpc_check",
            "{dir}/bin/supervisor_xmlrpc_check -g rpc -n rpc_check -S {dir} -m get_status \
             -r 0 --timeout 1"
        )
    );
    let sup = Supervisord::start("xmlrpc-dir", &sections);
    let bad_pid = running_pid(&sup, "rpc:bad");
    let good_pid = running_pid(&sup, "rpc:good");
    wait_log(&sup, "rpc_check", "2 process(es) checked: all passed");
    for name in ["bad", "good"] {
        let seen = sup.file(&format!("{name}.mode.last"));
        assert!(
            seen.contains("POST /RPC2 HTTP/1.1") && seen.contains("get_status"),
            "{name}.sock was not called: {seen:?}"
        );
    }

    sup.write("bad.mode", "fail");
    wait_restart(&sup, "rpc:bad", bad_pid, "rpc_check");
    sup.write("bad.mode", "ok");

    let log = sup.file("rpc_check.err");
    assert!(
        log.contains("rpc:bad: xmlrpc check failed: XML-RPC fault 1"),
        "{log}"
    );
    assert!(!log.contains("rpc:good: xmlrpc check failed"), "{log}");
    assert_eq!(
        sup.pid("rpc:good"),
        Some(good_pid),
        "the healthy service was restarted"
    );
    assert_protocol_clean(&sup, "rpc_check");
}
