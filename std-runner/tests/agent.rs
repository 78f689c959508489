//! `supercheck agent` under a real supervisord: a check with `interval = 1`
//! restarts a hung service within 3.5 s of the hang, without waiting for a
//! TICK; a SIGHUP with a broken file keeps the agent checking; a hundred
//! reloads alternating two files leave its VmRSS flat.

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::time::{Duration, Instant};

use kinds::{count_log, group, listener, port_program, running_pid, wait_log, wait_restart};
use support::{Supervisord, TempDir, free_port, wait_for};

const HTTP_EVERY_SECOND: &str = r#"[[check]]
name = "web_http"
kind = "http"
targets = ["web:*"]
url = "/"
port = ".+_(\\d+)"
timeout = 1
num_retries = 0
interval = 1
"#;

/// supervisord with one demo service in group `web` and the agent on `file`.
fn agent_on(tag: &str, file: &std::path::Path, port: u16) -> Supervisord {
    let sections = format!(
        "{}{}{}",
        port_program("svc", port),
        group("web", &["svc"]),
        listener(
            "supercheck",
            &format!("{{bin}} agent -v --config {}", file.display())
        )
    );
    Supervisord::start(tag, &sections)
}

#[test]
fn with_interval_1_a_hung_service_is_restarted_within_3_5_seconds() {
    let dir = TempDir::new("agent-hang");
    let file = dir.path().join("agent.toml");
    std::fs::write(&file, HTTP_EVERY_SECOND).unwrap();
    let port = free_port();
    let sup = agent_on("agent-hang", &file, port);
    let namespec = format!("web:svc_{port}");
    let pid = running_pid(&sup, &namespec);
    wait_log(
        &sup,
        "supercheck",
        &format!("{namespec}: web_http check passed"),
    );
    sup.write("svc.mode", "hang");
    let hung = Instant::now();
    assert!(
        wait_for(Duration::from_secs(10), || {
            sup.file("supercheck.err")
                .contains(&format!("{namespec}: restarted"))
        }),
        "never restarted; agent log:\n{}",
        sup.file("supercheck.err")
    );
    let took = hung.elapsed();
    sup.write("svc.mode", "ok");
    assert!(
        took <= Duration::from_millis(3_500),
        "restarted {took:?} after the hang"
    );
    wait_restart(&sup, &namespec, pid, "supercheck");
    assert_eq!(count_log(&sup, "supercheck", "restarting ("), 1);
}

#[test]
fn a_sighup_with_a_broken_file_keeps_checking_and_a_good_one_reloads() {
    let dir = TempDir::new("agent-hup");
    let file = dir.path().join("agent.toml");
    std::fs::write(&file, HTTP_EVERY_SECOND).unwrap();
    let port = free_port();
    let sup = agent_on("agent-hup", &file, port);
    let namespec = format!("web:svc_{port}");
    running_pid(&sup, &namespec);
    let passed = format!("{namespec}: web_http check passed");
    wait_log(&sup, "supercheck", &passed);
    std::fs::write(&file, "[[check]]\nname = \"web_http\"\nkind = \"htp\"\n").unwrap();
    sup.ctl(&["signal", "HUP", "supercheck"]);
    wait_log(&sup, "supercheck", "reload refused: ");
    let before = count_log(&sup, "supercheck", &passed);
    assert!(
        wait_for(Duration::from_secs(10), || count_log(
            &sup,
            "supercheck",
            &passed
        ) >= before + 2),
        "checking stopped after the refused reload:\n{}",
        sup.file("supercheck.err")
    );
    assert_eq!(sup.state("supercheck"), "RUNNING");
    std::fs::write(
        &file,
        HTTP_EVERY_SECOND.replace("timeout = 1", "timeout = 2"),
    )
    .unwrap();
    sup.ctl(&["signal", "HUP", "supercheck"]);
    wait_log(
        &sup,
        "supercheck",
        "configuration reloaded: 0 check(s) kept with their state, 1 new or changed, 1 dropped",
    );
    let before = count_log(&sup, "supercheck", &passed);
    assert!(wait_for(Duration::from_secs(10), || {
        count_log(&sup, "supercheck", &passed) > before
    }));
    assert_eq!(count_log(&sup, "supercheck", "restarting ("), 0);
}

#[test]
fn a_hundred_reloads_alternating_two_files_leave_memory_flat() {
    let dir = TempDir::new("agent-reloads");
    let file = dir.path().join("agent.toml");
    let first = HTTP_EVERY_SECOND.to_string();
    let second = format!(
        "{}\n[[check]]\nname = \"web_tcp\"\nkind = \"tcp\"\ntargets = [\"web:*\"]\nport = \".+_(\\\\d+)\"\ninterval = \"500ms\"\n",
        HTTP_EVERY_SECOND.replace("timeout = 1", "timeout = 2")
    );
    std::fs::write(&file, &first).unwrap();
    let port = free_port();
    let sup = agent_on("agent-reloads", &file, port);
    let namespec = format!("web:svc_{port}");
    running_pid(&sup, &namespec);
    wait_log(
        &sup,
        "supercheck",
        &format!("{namespec}: web_http check passed"),
    );
    let agent = sup.pid("supercheck").expect("the agent runs");
    let mut rss_after = Vec::new();
    for n in 1..=100 {
        std::fs::write(&file, if n % 2 == 1 { &second } else { &first }).unwrap();
        let status = std::process::Command::new("kill")
            .args(["-HUP", &agent.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(
            wait_for(Duration::from_secs(10), || count_log(
                &sup,
                "supercheck",
                "configuration reloaded: "
            ) >= n),
            "reload {n} not logged:\n{}",
            sup.file("supercheck.err")
        );
        rss_after.push(kinds::rss_kib(agent));
    }
    // The first reloads grow the allocator's pools; after that each reload
    // frees what it replaces.
    let (warm, last) = (rss_after[19], rss_after[99]);
    assert!(
        last <= warm + 64,
        "VmRSS grew from {warm} KiB after 20 reloads to {last} KiB after 100: {rss_after:?}"
    );
    assert_eq!(sup.pid("supercheck"), Some(agent));
    assert_eq!(count_log(&sup, "supercheck", "restarting ("), 0);
    let before = count_log(&sup, "supercheck", "web_http check passed");
    assert!(wait_for(Duration::from_secs(10), || count_log(
        &sup,
        "supercheck",
        "web_http check passed"
    ) > before));
}
