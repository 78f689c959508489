//! The drop-in tcp check under a real supervisord: a service that stops
//! listening is restarted, a listening one in the same group never is.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use kinds::{
    assert_protocol_clean, group, listener, port_program, running_pid, wait_log, wait_restart,
};
use support::{Supervisord, free_port};

#[test]
fn service_that_stops_listening_is_restarted_and_listening_one_is_not() {
    let (bad, good) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        port_program("bad", bad),
        port_program("good", good),
        group("web", &["bad", "good"]),
        listener(
            "tcp_check",
            "{dir}/bin/supervisor_tcp_check -g web -n tcp_check -t 1 -r 0 -p \".+_(\\d+)\""
        )
    );
    let sup = Supervisord::start("tcp", &sections);
    let (bad_ns, good_ns) = (format!("web:bad_{bad}"), format!("web:good_{good}"));
    let bad_pid = running_pid(&sup, &bad_ns);
    let good_pid = running_pid(&sup, &good_ns);
    wait_log(&sup, "tcp_check", "2 process(es) checked: all passed");

    sup.write("bad.mode", "down");
    wait_restart(&sup, &bad_ns, bad_pid, "tcp_check");
    sup.write("bad.mode", "ok");

    let log = sup.file("tcp_check.err");
    assert!(
        log.contains(&format!("{bad_ns}: tcp check failed: connection refused")),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{good_ns}: tcp check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&good_ns),
        Some(good_pid),
        "the listening service was restarted"
    );
    assert_protocol_clean(&sup, "tcp_check");
}
