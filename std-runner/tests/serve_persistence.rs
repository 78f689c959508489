//! `supercheck serve --state-dir`: registrations and their states survive a
//! `kill -9`; what was acknowledged is on disk before the reply; a corrupt
//! state file stops the server with a clear error instead of losing the
//! registrations. The real binary, real files, real signals.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
mod support;

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use serve_support::{Demo, Serve, spawn, temp, wait};

fn start(dir: &Path, tag: &str) -> Serve {
    let state = dir.join("state");
    Serve::start(dir, tag, &["--state-dir", state.to_str().unwrap()], &[])
}

#[test]
fn a_monitor_and_its_state_survive_kill_9() {
    let dir = temp("persist-kill");
    let demo = Demo::start(dir.path(), "web");
    let serve = start(dir.path(), "first");
    let web = format!(
        r#"{{"name":"web","url":"{}","interval_s":5,"timeout_s":2,"unhealthy_threshold":2,"healthy_threshold":2,"notify":{{"webhook":["http://127.0.0.1:9/hook"]}}}}"#,
        demo.url()
    );
    assert_eq!(serve.post_json("/v1/monitors", &web).status, 201);
    let form = "appname=idle&url=http%3A%2F%2F127.0.0.1%3A9&email=ops%40example.com&timeout=2&interval=300&unhealthy_threshold=3&healthy_threshold=4";
    assert_eq!(serve.post_form("/healthchecker/monitor", form).status, 201);
    assert_eq!(serve.get("/healthchecker/pause?appname=idle").status, 200);
    let before = serve.wait_state("web", "HEALTHY", 9);
    // Probed once at registration (or not, if the pause came first).
    let idle_before = serve.monitor("idle");
    serve.kill9();

    let again = start(dir.path(), "second");
    assert!(
        again.log_text().contains("restored 2 monitors"),
        "{}",
        again.log_text()
    );
    let web = again.monitor("web");
    assert_eq!(web["state"], "HEALTHY");
    for key in [
        "url",
        "interval_s",
        "timeout_s",
        "unhealthy_threshold",
        "healthy_threshold",
        "notify",
        "origin",
        "transitions",
    ] {
        assert_eq!(web[key], before[key], "{key}");
    }
    assert!(web["passes"].as_u64().unwrap() >= 2, "{web}");
    let idle = again.monitor("idle");
    assert_eq!(idle["paused"], true);
    assert_eq!(idle["origin"], "healthchecker");
    assert_eq!(idle["probe_url"], "http://127.0.0.1:9/health");
    assert_eq!(idle["notify"]["email"][0], "ops@example.com");
    assert_eq!(idle["state"], idle_before["state"]);
    assert_eq!(idle["failures"], idle_before["failures"]);
    // The restored monitor is probed again; the paused one is not.
    let passes = web["passes"].as_u64().unwrap();
    wait(|| again.monitor("web")["passes"].as_u64().unwrap() > passes);
    assert_eq!(again.monitor("idle")["failures"], idle_before["failures"]);

    // An unhealthy state comes back too.
    demo.set_mode("fail");
    again.wait_state("web", "UNHEALTHY", 14);
    again.kill9();
    let third = start(dir.path(), "third");
    let web = third.monitor("web");
    assert_eq!(web["state"], "UNHEALTHY");
    assert_eq!(web["last_output"], "HTTP 500");
}

#[test]
fn every_acknowledged_change_is_on_disk_before_the_reply() {
    let dir = temp("persist-ack");
    let url = "http://127.0.0.1:9/";
    // Each change, then kill -9 the moment the reply arrives.
    let serve = start(dir.path(), "create");
    let created = serve.post_json(
        "/v1/monitors",
        &format!(r#"{{"name":"a","url":"{url}","interval_s":300}}"#),
    );
    assert_eq!(created.status, 201);
    serve.kill9();
    let serve = start(dir.path(), "pause");
    assert_eq!(serve.monitor("a")["url"], url);
    assert_eq!(
        serve
            .request("POST", "/v1/monitors/a/pause", None, b"")
            .status,
        200
    );
    serve.kill9();
    let serve = start(dir.path(), "delete");
    assert_eq!(serve.monitor("a")["paused"], true);
    assert_eq!(
        serve.request("DELETE", "/v1/monitors/a", None, b"").status,
        204
    );
    serve.kill9();
    let serve = start(dir.path(), "after");
    assert_eq!(serve.get("/v1/monitors/a").status, 404);
    // No temporary file is left behind by a completed write.
    assert!(!dir.path().join("state/monitors.json.tmp").exists());
    let file = fs::read_to_string(dir.path().join("state/monitors.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(parsed["monitors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn sigterm_saves_the_latest_counters() {
    let dir = temp("persist-term");
    let demo = Demo::start(dir.path(), "web");
    let serve = start(dir.path(), "run");
    let body = format!(
        r#"{{"name":"web","url":"{}","interval_s":300}}"#,
        demo.url()
    );
    assert_eq!(serve.post_json("/v1/monitors", &body).status, 201);
    wait(|| serve.monitor("web")["passes"] == 1);
    assert_eq!(serve.terminate(), Some(0));
    let file = fs::read_to_string(dir.path().join("state/monitors.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(parsed["monitors"][0]["passes"], 1, "{file}");
    assert_eq!(parsed["monitors"][0]["consecutive_passes"], 1);
}

fn start_fails(dir: &Path, tag: &str) -> (Option<i32>, String) {
    let log = dir.join(format!("{tag}.log"));
    let state = dir.join("state");
    let mut child = spawn(
        &[
            "serve",
            "--port",
            "0",
            "--no-mdns",
            "--state-dir",
            state.to_str().unwrap(),
        ],
        &[],
        &log,
    );
    let mut status = None;
    let exited = support::wait_for(Duration::from_secs(10), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
    }
    (
        status.and_then(|s| s.code()),
        fs::read_to_string(log).unwrap_or_default(),
    )
}

#[test]
fn a_corrupt_state_file_stops_the_server_with_an_error_naming_it() {
    let dir = temp("persist-corrupt");
    let state = dir.path().join("state");
    fs::create_dir_all(&state).unwrap();
    let file = state.join("monitors.json");
    // A truncated file (what a torn write would leave, were writes not atomic).
    fs::write(
        &file,
        "{\"version\":1,\"monitors\":[{\"spec\":{\"name\":\"a\"",
    )
    .unwrap();
    let (code, log) = start_fails(dir.path(), "truncated");
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains(file.to_str().unwrap()) && log.contains("move it aside"),
        "{log}"
    );
    assert!(!log.contains("listening on"), "{log}");
    // A well-formed file whose monitor breaks the rules.
    let bad = r#"{"version":1,"monitors":[{"spec":{"name":"a","url":"http://127.0.0.1:9/","timeout_s":5,"interval_s":1,"unhealthy_threshold":2,"healthy_threshold":2,"notify":{"email":[],"webhook":[]},"origin":"api"},"paused":false,"state":"HEALTHY","consecutive_failures":0,"consecutive_passes":2,"passes":2,"failures":0,"transitions":1,"last_check":null,"last_healthy":null,"last_output":null,"history":[]}]}"#;
    fs::write(&file, bad).unwrap();
    let (code, log) = start_fails(dir.path(), "invalid");
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("interval_s is 1"), "{log}");
    // The same monitor with a valid interval loads, and a stray temporary
    // file (a write killed before its rename) is ignored.
    let good = bad
        .replace("\"interval_s\":1", "\"interval_s\":300")
        .replace("\"paused\":false", "\"paused\":true");
    fs::write(&file, good).unwrap();
    fs::write(state.join("monitors.json.tmp"), "{\"version\":1,\"monito").unwrap();
    let serve = Serve::start(
        dir.path(),
        "good",
        &["--state-dir", state.to_str().unwrap()],
        &[],
    );
    assert_eq!(serve.monitor("a")["state"], "HEALTHY");
}

#[test]
fn kill_9_in_the_middle_of_a_burst_of_writes_loses_no_acknowledged_registration() {
    const BURST: usize = 200;
    let dir = temp("persist-burst");
    let mut names = Vec::new();
    for round in 0..4usize {
        let serve = start(dir.path(), &format!("round{round}"));
        let addr = serve.addr;
        let (acks, acked) = std::sync::mpsc::channel::<String>();
        let client = std::thread::spawn(move || {
            for i in 0..BURST {
                let name = format!("r{round}-{i}");
                let body =
                    format!(r#"{{"name":"{name}","url":"http://127.0.0.1:9/","interval_s":300}}"#);
                let request = format!(
                    "POST /v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
                    return;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reply = String::new();
                let sent = stream.write_all(request.as_bytes());
                let _ = stream.read_to_string(&mut reply);
                if sent.is_err() || !reply.starts_with("HTTP/1.1 201") {
                    return;
                }
                let _ = acks.send(name);
            }
        });
        // Killed as soon as the round's `kill_after`-th registration is
        // acknowledged, a different point of the burst each round.
        let kill_after = 5 + 15 * round;
        for n in 0..kill_after {
            let name = acked
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|e| {
                    panic!(
                        "round {round}: acknowledgement {n} of {kill_after} never came ({e}):\n{}",
                        serve.log_text()
                    )
                });
            names.push(name);
        }
        serve.kill9();
        client.join().unwrap();
        // Those acknowledged between the last one taken and the kill.
        let late: Vec<String> = acked.try_iter().collect();
        let in_round = kill_after + late.len();
        names.extend(late);
        assert!(
            in_round < BURST,
            "round {round}: the burst was over before the kill"
        );
    }
    let serve = start(dir.path(), "check");
    for name in &names {
        assert_eq!(
            serve.get(&format!("/v1/monitors/{name}")).status,
            200,
            "{name} lost"
        );
    }
}
