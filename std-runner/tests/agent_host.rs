//! One agent for a whole host under a real supervisord: six checks of five
//! kinds over three groups, with its frontend, beside a drop-in listener
//! guarding a fourth group.
//!
//! - every check passes on every process it targets, and `/metrics`,
//!   `/health` and the page name each check of a process apart;
//! - a memory hog whose HTTP answers fail at the same time is restarted once,
//!   the log line carrying both reasons;
//! - the drop-in restarts its own failing service while the agent goes on, and
//!   neither listener touches the other's programs or breaks the protocol.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use kinds::{
    assert_protocol_clean, count_log, demo_program, group, listener, port_program, running_pid,
    wait_log, wait_restart,
};
use support::{Supervisord, TempDir, free_port, wait_for};

/// The agent's file: `web` (two services) by http and memory on every TICK,
/// `api` by tcp and XML-RPC on their own schedules, `work` by its heartbeat
/// file, and every process by cpu.
fn host_file(front: u16, beats: &Path) -> String {
    format!(
        r#"[frontend]
listen = "127.0.0.1:{front}"
ttl_pass = 0
ttl_fail = 0

[[check]]
name = "web_http"
kind = "http"
targets = ["web:*"]
url = "/ping"
port = ".+_(\\d+)"
timeout = 2
num_retries = 0

[[check]]
name = "web_mem"
kind = "memory"
targets = ["web:*"]
max_rss = 40000

[[check]]
name = "api_tcp"
kind = "tcp"
targets = ["api:*"]
port = ".+_(\\d+)"
timeout = 1
num_retries = 0
interval = 1

[[check]]
name = "api_rpc"
kind = "xmlrpc"
targets = ["api:*"]
url = "/RPC2"
port = ".+_(\\d+)"
timeout = 1
num_retries = 0
interval = 2

[[check]]
name = "work_beat"
kind = "file"
targets = ["work:*"]
timeout = 5
root_dir = "{beats}"
interval = 1

[[check]]
name = "all_cpu"
kind = "cpu"
targets = ["*"]
max_cpu = 400
"#,
        beats = beats.display()
    )
}

/// The processes of the host, by namespec.
struct Host {
    sup: Supervisord,
    web: [(String, u16); 2],
    api: String,
    work: String,
    solo: (String, u16),
    front: u16,
    _files: TempDir,
}

fn start_host() -> Host {
    let files = TempDir::new("agent-host-files");
    let beats = files.path().join("beats");
    std::fs::create_dir_all(&beats).unwrap();
    let front = free_port();
    let file = files.path().join("agent.toml");
    std::fs::write(&file, host_file(front, &beats)).unwrap();
    let (web_a, web_b, api, work, solo) = (
        free_port(),
        free_port(),
        free_port(),
        free_port(),
        free_port(),
    );
    let sections = [
        port_program("web_a", web_a),
        port_program("web_b", web_b),
        group("web", &["web_a", "web_b"]),
        port_program("api", api),
        group("api", &["api"]),
        demo_program(
            "worker",
            "worker",
            &format!("--port {work} --heartbeat-dir {}", beats.display()),
        ),
        group("work", &["worker"]),
        port_program("solo", solo),
        group("solo", &["solo"]),
        listener(
            "supercheck",
            &format!("{{bin}} agent -v --config {}", file.display()),
        ),
        listener(
            "solo_check",
            "{dir}/bin/supervisor_http_check -g solo -n solo_http -u /ping -t 1 -r 0 -p \".+_(\\d+)\"",
        ),
    ]
    .concat();
    let sup = Supervisord::start("agent-host", &sections);
    Host {
        sup,
        web: [
            (format!("web:web_a_{web_a}"), web_a),
            (format!("web:web_b_{web_b}"), web_b),
        ],
        api: format!("api:api_{api}"),
        work: "work:worker".into(),
        solo: (format!("solo:solo_{solo}"), solo),
        front,
        _files: files,
    }
}

/// `GET path` from the agent's frontend: the body of the reply.
fn front_get(port: u16, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

fn passed(namespec: &str, check: &str) -> String {
    format!("{namespec}: {check} check passed")
}

#[test]
fn one_agent_guards_three_groups_with_six_checks_beside_a_drop_in() {
    let host = start_host();
    let sup = &host.sup;
    let [(web_a, web_a_port), (web_b, _)] = &host.web;
    for (namespec, checks) in [
        (web_a, &["web_http", "web_mem", "all_cpu"][..]),
        (web_b, &["web_http", "web_mem", "all_cpu"]),
        (&host.api, &["api_tcp", "api_rpc", "all_cpu"]),
        (&host.work, &["work_beat", "all_cpu"]),
    ] {
        for check in checks {
            wait_log(sup, "supercheck", &passed(namespec, check));
        }
    }
    wait_log(sup, "supercheck", &passed(&host.solo.0, "all_cpu"));
    assert_eq!(
        count_log(sup, "supercheck", &passed(&host.solo.0, "web_http")),
        0,
        "the agent checked a process none of its http checks targets"
    );

    // The frontend tells each check of one process apart.
    let metrics = front_get(host.front, "/metrics");
    for check in ["web_http", "web_mem", "all_cpu"] {
        let sample = format!(
            "supercheck_check_verdict{{process=\"{web_a}\",check=\"{check}\",verdict=\"pass\"}} 1"
        );
        assert!(metrics.contains(&sample), "no {sample} in:\n{metrics}");
    }
    let health: serde_json::Value =
        serde_json::from_str(&front_get(host.front, "/health")).expect("/health is JSON");
    let key = web_a.replace(':', ".");
    for check in ["web_http", "web_mem", "all_cpu"] {
        assert_eq!(
            health["checks"][format!("{key}:{check}")][0]["status"],
            "pass",
            "{health:#}"
        );
    }
    let page = front_get(host.front, "/");
    for check in [
        "web_http",
        "web_mem",
        "api_tcp",
        "api_rpc",
        "work_beat",
        "all_cpu",
    ] {
        assert!(
            page.contains(check),
            "the page does not show {check}:\n{page}"
        );
    }

    // A memory hog whose answers fail: both checks fail it in the same
    // round, and it is restarted once with both reasons. The hog is made just
    // after a round, so that the next TICK sees both at once.
    let pid = running_pid(sup, web_a);
    let rounds = count_log(sup, "supercheck", &passed(web_a, "web_http"));
    assert!(wait_for(Duration::from_secs(15), || count_log(
        sup,
        "supercheck",
        &passed(web_a, "web_http")
    ) > rounds));
    sup.write("web_a.mode", "grow");
    kinds::get(*web_a_port);
    sup.write("web_a.mode", "fail");
    let restarting = format!("{web_a}: restarting (");
    wait_log(sup, "supercheck", &restarting);
    sup.write("web_a.mode", "ok");
    let log = sup.file("supercheck.err");
    let line = log.lines().find(|l| l.contains(&restarting)).unwrap();
    assert!(
        line.contains("web_http: ") && line.contains("web_mem: "),
        "one restart should carry both reasons: {line}"
    );
    wait_restart(sup, web_a, pid, "supercheck");
    wait_log(
        sup,
        "supercheck",
        &format!("{web_a} [web_http]: healthy again"),
    );
    assert_eq!(count_log(sup, "supercheck", &restarting), 1, "{log}");

    // The drop-in restarts its own service; the agent never touches it.
    let (solo, _) = &host.solo;
    let solo_pid = running_pid(sup, solo);
    sup.write("solo.mode", "fail");
    wait_restart(sup, solo, solo_pid, "solo_check");
    sup.write("solo.mode", "ok");
    let agent_rounds = count_log(sup, "supercheck", &passed(&host.api, "api_tcp"));
    assert!(
        wait_for(Duration::from_secs(10), || count_log(
            sup,
            "supercheck",
            &passed(&host.api, "api_tcp")
        ) > agent_rounds + 2),
        "the agent stopped checking:\n{}",
        sup.file("supercheck.err")
    );
    assert_eq!(count_log(sup, "supercheck", &format!("{solo}: restart")), 0);
    assert_eq!(count_log(sup, "solo_check", "web:"), 0);
    assert_eq!(count_log(sup, "supercheck", "restarting ("), 1);
    assert_protocol_clean(sup, "supercheck");
    assert_protocol_clean(sup, "solo_check");
}
