//! The drop-in file check under a real supervisord: a process whose heartbeat
//! file goes stale is restarted, one that keeps bumping it never is; both the
//! default path (`<root dir>/<group>-<name>-<pid>`) and `-f PATH`; a missing
//! file passes without `-x` and fails with it.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use kinds::{
    assert_protocol_clean, count_log, demo_program, group, listener, port_program, running_pid,
    wait_log, wait_restart,
};
use support::{Supervisord, free_port};

/// A demo service on `port` bumping `{dir}/<group>-<name>-<pid>`.
fn beating_program(name: &str, port: u16) -> String {
    demo_program(
        name,
        &format!("{name}_{port}"),
        &format!("--port {port} --heartbeat-dir {{dir}}"),
    )
}

#[test]
fn stale_default_path_heartbeat_restarts_and_fresh_one_does_not() {
    let (stale, fresh) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        beating_program("stale", stale),
        beating_program("fresh", fresh),
        group("beat", &["stale", "fresh"]),
        listener(
            "file_check",
            "{dir}/bin/supervisor_file_check -g beat -n file_check -t 3 -d {dir}"
        )
    );
    let sup = Supervisord::start("file", &sections);
    let (stale_ns, fresh_ns) = (format!("beat:stale_{stale}"), format!("beat:fresh_{fresh}"));
    let stale_pid = running_pid(&sup, &stale_ns);
    let fresh_pid = running_pid(&sup, &fresh_ns);
    assert!(
        sup.dir
            .path()
            .join(format!("beat-fresh_{fresh}-{fresh_pid}"))
            .exists(),
        "the heartbeat file is not at the default path"
    );
    wait_log(&sup, "file_check", "2 process(es) checked: all passed");
    assert!(!sup.file("file_check.err").contains("cannot examine"));

    sup.write("stale.mode", "hang");
    wait_restart(&sup, &stale_ns, stale_pid, "file_check");
    sup.write("stale.mode", "ok");

    let log = sup.file("file_check.err");
    assert!(
        log.contains(&format!(
            "{stale_ns}: file check failed: heartbeat file last touched"
        )),
        "{log}"
    );
    assert!(log.contains(&format!("{stale_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{fresh_ns}: file check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&fresh_ns),
        Some(fresh_pid),
        "the fresh service was restarted"
    );
    assert_protocol_clean(&sup, "file_check");
}

#[test]
fn stale_named_heartbeat_file_restarts_its_process_only() {
    let (one, two) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}{}",
        demo_program(
            "one",
            "one",
            &format!("--port {one} --heartbeat {{dir}}/one.beat")
        ),
        demo_program(
            "two",
            "two",
            &format!("--port {two} --heartbeat {{dir}}/two.beat")
        ),
        group("pair", &["one", "two"]),
        listener(
            "one_check",
            "{dir}/bin/supervisor_file_check -N pair:one -n one_check -t 3 -x -f {dir}/one.beat"
        ),
        listener(
            "two_check",
            "{dir}/bin/supervisor_file_check -N pair:two -n two_check -t 3 -x -f {dir}/two.beat"
        )
    );
    let sup = Supervisord::start("file-named", &sections);
    let one_pid = running_pid(&sup, "pair:one");
    let two_pid = running_pid(&sup, "pair:two");
    wait_log(&sup, "one_check", "1 process(es) checked: all passed");
    wait_log(&sup, "two_check", "1 process(es) checked: all passed");

    sup.write("one.mode", "hang");
    wait_restart(&sup, "pair:one", one_pid, "one_check");
    sup.write("one.mode", "ok");

    let log = sup.file("one_check.err");
    assert!(
        log.contains("pair:one: file check failed: heartbeat file last touched"),
        "{log}"
    );
    assert!(!sup.file("two_check.err").contains("failed"));
    assert_eq!(
        sup.pid("pair:two"),
        Some(two_pid),
        "the fresh service was restarted"
    );
    assert_protocol_clean(&sup, "one_check");
    assert_protocol_clean(&sup, "two_check");
}

#[test]
fn missing_file_passes_without_x_and_fails_with_x() {
    let (lax, strict) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}{}{}",
        port_program("lax", lax),
        port_program("strict", strict),
        group("lax", &["lax"]),
        group("strict", &["strict"]),
        listener(
            "lax_check",
            "{dir}/bin/supervisor_file_check -g lax -n lax_check -t 3 -f {dir}/nothing"
        ),
        listener(
            "strict_check",
            "{dir}/bin/supervisor_file_check -g strict -n strict_check -t 3 -x -f {dir}/nothing"
        )
    );
    let sup = Supervisord::start("file-missing", &sections);
    let (lax_ns, strict_ns) = (format!("lax:lax_{lax}"), format!("strict:strict_{strict}"));
    let lax_pid = running_pid(&sup, &lax_ns);
    let strict_pid = running_pid(&sup, &strict_ns);

    wait_restart(&sup, &strict_ns, strict_pid, "strict_check");
    let log = sup.file("strict_check.err");
    assert!(
        log.contains(&format!(
            "{strict_ns}: file check failed: heartbeat file unavailable: file does not exist"
        )),
        "{log}"
    );

    wait_log(&sup, "lax_check", "1 process(es) checked: all passed");
    let lax_log = sup.file("lax_check.err");
    assert!(
        lax_log.contains(&format!(
            "{lax_ns}: cannot examine {}/nothing: passing, as -x is not given",
            sup.dir.path().display()
        )),
        "{lax_log}"
    );
    assert_eq!(count_log(&sup, "lax_check", "failed"), 0, "{lax_log}");
    assert_eq!(
        sup.pid(&lax_ns),
        Some(lax_pid),
        "a missing file restarted without -x"
    );
    assert_protocol_clean(&sup, "lax_check");
    assert_protocol_clean(&sup, "strict_check");
}
