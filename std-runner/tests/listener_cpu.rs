//! The drop-in cpu check under a real supervisord: a service burning CPU over
//! `-p` for longer than `-i` is restarted within a few ticks, a quiet one in
//! the same group never is.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use kinds::{
    assert_protocol_clean, group, listener, port_program, running_pid, wait_log, wait_restart,
};
use support::{Supervisord, free_port};

#[test]
fn spinning_service_is_restarted_and_quiet_one_is_not() {
    let (hot, quiet) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        port_program("hot", hot),
        port_program("quiet", quiet),
        group("cpu", &["hot", "quiet"]),
        listener(
            "cpu_check",
            "{dir}/bin/supervisor_cpu_check -g cpu -n cpu_check -p 50 -i 1"
        )
    );
    let sup = Supervisord::start("cpu", &sections);
    let (hot_ns, quiet_ns) = (format!("cpu:hot_{hot}"), format!("cpu:quiet_{quiet}"));
    let hot_pid = running_pid(&sup, &hot_ns);
    let quiet_pid = running_pid(&sup, &quiet_ns);
    wait_log(&sup, "cpu_check", "2 process(es) checked: all passed");

    // Over the limit at one tick's sample, still over at the next one, more
    // than 1 s later: the second over-limit sample fails the check.
    sup.write("hot.mode", "spin");
    wait_restart(&sup, &hot_ns, hot_pid, "cpu_check");
    sup.write("hot.mode", "ok");

    let log = sup.file("cpu_check.err");
    assert!(
        log.contains(&format!("{hot_ns}: cpu check failed: CPU "))
            && log.contains("over the limit of 50.00%"),
        "{log}"
    );
    assert!(log.contains(&format!("{hot_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{quiet_ns}: cpu check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&quiet_ns),
        Some(quiet_pid),
        "the quiet service was restarted"
    );
    assert_protocol_clean(&sup, "cpu_check");
}
