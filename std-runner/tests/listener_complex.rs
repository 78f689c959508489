//! The drop-in complex check under a real supervisord: the seed's exact JSON
//! (memory + http, the http part without `method`) restarts a service whose
//! http check fails and never one that answers; a complex `file` check
//! (supervisor_checks could not have one) restarts a stale heartbeat.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use kinds::{
    assert_protocol_clean, demo_program, group, listener, port_program, running_pid, wait_log,
    wait_restart,
};
use support::{Supervisord, free_port};

/// The seed's complex configuration, byte for byte, on `port`.
fn seed_config(port: u16) -> String {
    format!(
        r#"{{"memory":{{"cumulative":true,"max_rss":4194304}},"http":{{"timeout":2,"port":{port},"url":"\/ping","num_retries":0}}}}"#
    )
}

fn complex_listener(name: &str, selection: &str, config: &str) -> String {
    listener(
        name,
        &format!("{{dir}}/bin/supervisor_complex_check -n {name} {selection} -c '{config}'"),
    )
}

#[test]
fn seed_config_restarts_on_http_failure_and_methodless_http_passes() {
    let (bad, good) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}{}",
        port_program("bad", bad),
        port_program("good", good),
        group("web", &["bad", "good"]),
        complex_listener("bad_check", &format!("-N web:bad_{bad}"), &seed_config(bad)),
        complex_listener(
            "good_check",
            &format!("-N web:good_{good}"),
            &seed_config(good)
        )
    );
    let sup = Supervisord::start("complex", &sections);
    let (bad_ns, good_ns) = (format!("web:bad_{bad}"), format!("web:good_{good}"));
    let bad_pid = running_pid(&sup, &bad_ns);
    let good_pid = running_pid(&sup, &good_ns);
    wait_log(&sup, "bad_check", "1 process(es) checked: all passed");
    wait_log(&sup, "good_check", "1 process(es) checked: all passed");
    // No `method` in the JSON: a GET (supervisor_checks sent None and failed, bug 3).
    let seen = sup.file("good.mode.last");
    assert!(seen.starts_with("GET /ping HTTP/1.1"), "{seen:?}");

    sup.write("bad.mode", "fail");
    wait_restart(&sup, &bad_ns, bad_pid, "bad_check");
    sup.write("bad.mode", "ok");

    let log = sup.file("bad_check.err");
    assert!(
        log.contains(&format!("{bad_ns}: http check failed: bad HTTP status 500")),
        "{log}"
    );
    assert!(log.contains(&format!("{bad_ns}: restarted")), "{log}");
    assert!(
        log.contains("2 check(s) [memory, http]"),
        "both checks of the seed config run: {log}"
    );
    let good_log = sup.file("good_check.err");
    assert!(!good_log.contains("failed"), "{good_log}");
    assert_eq!(
        sup.pid(&good_ns),
        Some(good_pid),
        "the healthy service was restarted"
    );
    assert_protocol_clean(&sup, "bad_check");
    assert_protocol_clean(&sup, "good_check");
}

#[test]
fn complex_file_check_restarts_a_stale_heartbeat_and_spares_a_fresh_one() {
    let (stale, fresh) = (free_port(), free_port());
    let beating = |name: &str, port: u16| {
        demo_program(
            name,
            &format!("{name}_{port}"),
            &format!("--port {port} --heartbeat-dir {{dir}}"),
        )
    };
    let config = r#"{"tcp":{"port":".+_(\\d+)","timeout":1,"num_retries":0},"file":{"timeout":3,"root_dir":"{dir}"}}"#;
    let sections = format!(
        "{}{}{}{}",
        beating("stale", stale),
        beating("fresh", fresh),
        group("beat", &["stale", "fresh"]),
        complex_listener("beat_check", "-g beat", config)
    );
    let sup = Supervisord::start("complex-file", &sections);
    let (stale_ns, fresh_ns) = (format!("beat:stale_{stale}"), format!("beat:fresh_{fresh}"));
    let stale_pid = running_pid(&sup, &stale_ns);
    let fresh_pid = running_pid(&sup, &fresh_ns);
    wait_log(&sup, "beat_check", "2 process(es) checked: all passed");

    sup.write("stale.mode", "hang");
    wait_restart(&sup, &stale_ns, stale_pid, "beat_check");
    sup.write("stale.mode", "ok");

    let log = sup.file("beat_check.err");
    assert!(log.contains("2 check(s) [tcp, file]"), "{log}");
    assert!(
        log.contains(&format!(
            "{stale_ns}: file check failed: heartbeat file last touched"
        )),
        "{log}"
    );
    assert!(
        !log.contains(&format!("{fresh_ns}: file check failed")),
        "{log}"
    );
    assert!(!log.contains("tcp check failed"), "{log}");
    assert_eq!(
        sup.pid(&fresh_ns),
        Some(fresh_pid),
        "the fresh service was restarted"
    );
    assert_protocol_clean(&sup, "beat_check");
}
