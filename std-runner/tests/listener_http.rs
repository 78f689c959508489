//! The drop-in http check under a real supervisord: a failing service is
//! restarted, a healthy one never is.

mod support;

use std::time::Duration;
use support::{Supervisord, free_port, wait_for};

fn web_program(name: &str, port: u16) -> String {
    format!(
        "[program:{name}]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/{name}.mode\n\
         process_name={name}_{port}\nstartsecs=1\nstdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n"
    )
}

#[test]
fn failing_service_is_restarted_and_healthy_one_is_not() {
    let (bad, good) = (free_port(), free_port());
    let sections = format!(
        "{}\n{}\n[group:web]\nprograms=bad,good\n\n\
         [eventlistener:web_check]\n\
         command={{dir}}/bin/supervisor_http_check -g web -n web_check -u /ping -t 2 -r 0 -p \".+_(\\d+)\"\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        web_program("bad", bad),
        web_program("good", good)
    );
    let sup = Supervisord::start("http", &sections);
    let (bad_ns, good_ns) = (format!("web:bad_{bad}"), format!("web:good_{good}"));
    assert!(wait_for(Duration::from_secs(15), || sup.state(&bad_ns)
        == "RUNNING"
        && sup.state(&good_ns) == "RUNNING"));
    assert!(
        wait_for(Duration::from_secs(20), || sup
            .file("check.err")
            .contains("2 process(es) checked: all passed")),
        "listener log:\n{}\nsupervisord log:\n{}",
        sup.file("check.err"),
        sup.main_log()
    );
    let (bad_pid, good_pid) = (sup.pid(&bad_ns).unwrap(), sup.pid(&good_ns).unwrap());
    sup.write("bad.mode", "fail");
    assert!(
        wait_for(Duration::from_secs(20), || sup
            .pid(&bad_ns)
            .is_some_and(|p| p != bad_pid)),
        "bad was not restarted; listener log:\n{}",
        sup.file("check.err")
    );
    let log = sup.file("check.err");
    assert!(
        log.contains(&format!("{bad_ns}: http check failed: bad HTTP status 500")),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarting")), "{log}");
    assert!(log.contains(&format!("{bad_ns}: restarted")), "{log}");
    assert_eq!(
        sup.pid(&good_ns),
        Some(good_pid),
        "the healthy process was never restarted"
    );
    assert!(
        sup.file("check.out")
            .starts_with("READY\nRESULT 2\nOKREADY\n"),
        "stdout carries only protocol bytes"
    );
    assert!(
        !sup.main_log().contains("BUSY -> UNKNOWN"),
        "the listener never broke the protocol"
    );
}

#[test]
fn healthy_service_is_probed_over_one_kept_alive_connection() {
    let port = free_port();
    let sections = format!(
        "{}\n[group:web]\nprograms=good\n\n\
         [eventlistener:web_check]\n\
         command={{dir}}/bin/supervisor_http_check -g web -n web_check -u /ping -t 2 -r 0 -p \".+_(\\d+)\"\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        web_program("good", port)
    );
    let sup = Supervisord::start("keepalive", &sections);
    let passes = || sup.file("check.err").matches("all passed").count();
    assert!(
        wait_for(Duration::from_secs(25), || passes() >= 3),
        "three healthy ticks; listener log:\n{}",
        sup.file("check.err")
    );
    assert_eq!(
        sup.file("good.mode.accepts").trim(),
        "1",
        "three probes, one connection"
    );
    // A restart by hand closes the old connection: the next probe reconnects and passes.
    sup.ctl(&["restart", &format!("web:good_{port}")]);
    let before = passes();
    assert!(
        wait_for(Duration::from_secs(15), || passes() > before),
        "the probe after the restart passes; listener log:\n{}",
        sup.file("check.err")
    );
    assert!(
        !sup.file("check.err").contains("check failed"),
        "{}",
        sup.file("check.err")
    );
}
