//! The drop-in memory check under a real supervisord: a service whose RSS
//! passes `-m` is restarted, a lean one in the same group never is; `-c`
//! counts the children's memory too.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::time::Duration;

use kinds::{
    TICK_WAIT, assert_protocol_clean, children, count_log, get, group, listener, listener_stopped,
    port_program, rss_kib, running_pid, wait_log, wait_restart,
};
use support::{Supervisord, free_port, wait_for};

/// The limit every test uses: 100 MiB, in KiB as `-m` takes it.
const LIMIT_KIB: u64 = 102_400;

/// Sends `grow` requests (64 MiB each) to `port` until `pid`'s RSS is over the limit.
fn grow_past_limit(pid: u32, port: u16) {
    for _ in 0..3 {
        if rss_kib(pid) > LIMIT_KIB {
            break;
        }
        assert!(
            get(port).contains("200 OK"),
            "the growing service stopped answering"
        );
    }
    assert!(
        rss_kib(pid) > LIMIT_KIB,
        "RSS of {pid} is only {} KiB",
        rss_kib(pid)
    );
}

#[test]
fn service_over_the_rss_limit_is_restarted_and_lean_one_is_not() {
    let (fat, lean) = (free_port(), free_port());
    let sections = format!(
        "{}{}{}{}",
        port_program("fat", fat),
        port_program("lean", lean),
        group("mem", &["fat", "lean"]),
        listener(
            "mem_check",
            &format!("{{dir}}/bin/supervisor_memory_check -g mem -n mem_check -m {LIMIT_KIB}")
        )
    );
    let sup = Supervisord::start("memory", &sections);
    let (fat_ns, lean_ns) = (format!("mem:fat_{fat}"), format!("mem:lean_{lean}"));
    let fat_pid = running_pid(&sup, &fat_ns);
    let lean_pid = running_pid(&sup, &lean_ns);
    wait_log(&sup, "mem_check", "2 process(es) checked: all passed");

    sup.write("fat.mode", "grow");
    grow_past_limit(fat_pid, fat);
    wait_restart(&sup, &fat_ns, fat_pid, "mem_check");
    sup.write("fat.mode", "ok");

    let log = sup.file("mem_check.err");
    assert!(
        log.contains(&format!("{fat_ns}: memory check failed: RSS "))
            && log.contains(&format!("is over the limit of {LIMIT_KIB} KiB")),
        "{log}"
    );
    assert!(log.contains(&format!("{fat_ns}: restarted")), "{log}");
    assert!(
        !log.contains(&format!("{lean_ns}: memory check failed")),
        "{log}"
    );
    assert_eq!(
        sup.pid(&lean_ns),
        Some(lean_pid),
        "the lean service was restarted"
    );
    assert_protocol_clean(&sup, "mem_check");
}

#[test]
fn cumulative_limit_counts_a_growing_child_and_plain_limit_does_not() {
    let (parent, child) = (free_port(), free_port());
    // A process tree: the supervised demo service (the parent, exec'd by the
    // shell) and a second demo service it leaves running as its child.
    let tree = format!(
        "[program:tree]\ncommand=/bin/sh -c '{{bin}} demo-service --port {child} --mode-file {{dir}}/child.mode \
         & exec {{bin}} demo-service --port {parent} --mode-file {{dir}}/tree.mode'\n\
         startsecs=1\nstopasgroup=true\nkillasgroup=true\n\
         stdout_logfile={{dir}}/tree.out\nstderr_logfile={{dir}}/tree.err\n\n"
    );
    let plain = format!("{{dir}}/bin/supervisor_memory_check -g tree -n plain -m {LIMIT_KIB}");
    let cumulative =
        format!("{{dir}}/bin/supervisor_memory_check -g tree -n cumulative -m {LIMIT_KIB} -c");
    let sections = format!(
        "{tree}{}{}",
        listener("plain", &plain),
        listener_stopped("cumulative", &cumulative)
    );
    let sup = Supervisord::start("memory-tree", &sections);
    let tree_pid = running_pid(&sup, "tree");
    let mut kids = Vec::new();
    assert!(
        wait_for(Duration::from_secs(10), || {
            kids = children(tree_pid);
            kids.len() == 1
        }),
        "the tree's child never showed up: {kids:?}"
    );
    let child_pid = kids[0];
    assert!(wait_for(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", child)).is_ok()
    }));

    sup.write("child.mode", "grow");
    grow_past_limit(child_pid, child);
    assert!(
        rss_kib(tree_pid) < LIMIT_KIB,
        "the parent itself is under the limit"
    );

    // Without -c only the parent counts: two more ticks pass and nothing happens.
    let passes = count_log(&sup, "plain", "1 process(es) checked: all passed");
    assert!(
        wait_for(TICK_WAIT, || count_log(
            &sup,
            "plain",
            "1 process(es) checked: all passed"
        ) >= passes + 2),
        "plain listener log:\n{}",
        sup.file("plain.err")
    );
    assert_eq!(sup.pid("tree"), Some(tree_pid), "restarted without -c");
    assert!(children(tree_pid).contains(&child_pid));

    // With -c the child's memory counts: the tree is restarted.
    sup.ctl(&["start", "cumulative"]);
    wait_restart(&sup, "tree", tree_pid, "cumulative");
    sup.write("child.mode", "ok");
    let log = sup.file("cumulative.err");
    assert!(
        log.contains("tree: memory check failed: RSS ")
            && log.contains(&format!("is over the limit of {LIMIT_KIB} KiB")),
        "{log}"
    );
    assert!(
        wait_for(Duration::from_secs(10), || !std::path::Path::new(&format!(
            "/proc/{child_pid}"
        ))
        .exists()),
        "the old child outlived the restart"
    );
    assert!(!sup.file("plain.err").contains("memory check failed"));
    assert_protocol_clean(&sup, "plain");
    assert_protocol_clean(&sup, "cumulative");
}
