//! `supercheck serve`'s JSON API under `/v1/monitors`, its state machine
//! driven by real probes of a demo service, the listener's `/health`,
//! `/metrics` and `/` for the monitors, and the caps on what clients send.
//! The real binary on real sockets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serve_support::{Demo, Serve, exchange, parse_reply, temp};

fn body(name: &str, url: &str, extra: &str) -> String {
    format!(r#"{{"name":"{name}","url":"{url}"{extra}}}"#)
}

#[test]
fn create_list_get_pause_resume_delete_round_trip() {
    let dir = temp("api-crud");
    let demo = Demo::start(dir.path(), "web");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let url = format!("{}/ok", demo.url());
    let created = serve.post_json(
        "/v1/monitors",
        &body(
            "web",
            &url,
            r#","interval_s":60,"notify":{"email":["ops@example.com"]}"#,
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.header("Location").as_deref(),
        Some("/v1/monitors/web")
    );
    let m = created.json();
    assert_eq!(m["state"], "UNKNOWN");
    assert_eq!(
        m["probe_url"],
        url.as_str(),
        "a /v1 monitor probes its URL as given"
    );
    assert_eq!(
        (m["timeout_s"].as_u64(), m["interval_s"].as_u64()),
        (Some(5), Some(60))
    );
    assert_eq!(m["unhealthy_threshold"], 2);
    assert_eq!(m["healthy_threshold"], 10);
    assert_eq!(m["notify"]["email"][0], "ops@example.com");

    // The first probe runs at once, on the URL as given.
    serve_support::wait(|| serve.monitor("web")["passes"] == 1);
    assert!(
        demo.last_request().starts_with("GET /ok HTTP/1.1"),
        "{}",
        demo.last_request()
    );

    // A name with a space and a slash-free unicode letter, percent-encoded in paths.
    let odd = serve.post_json("/v1/monitors", &body("my app ü", &url, ""));
    assert_eq!(odd.status, 201, "{}", odd.body);
    assert_eq!(
        odd.header("Location").as_deref(),
        Some("/v1/monitors/my%20app%20%C3%BC")
    );
    assert_eq!(serve.get("/v1/monitors/my%20app%20%C3%BC").status, 200);

    let list = serve.get("/v1/monitors").json();
    let names: Vec<&str> = list["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["my app ü", "web"]);

    let paused = serve.request("POST", "/v1/monitors/web/pause", None, b"");
    assert_eq!(
        (paused.status, &paused.json()["paused"]),
        (200, &serde_json::json!(true))
    );
    let resumed = serve.request("POST", "/v1/monitors/web/resume", None, b"");
    assert_eq!(resumed.json()["paused"], false);
    // Resuming probes at once.
    serve_support::wait(|| serve.monitor("web")["passes"] == 2);

    let deleted = serve.request("DELETE", "/v1/monitors/web", None, b"");
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert_eq!(serve.get("/v1/monitors/web").status, 404);
    assert_eq!(
        serve
            .request("DELETE", "/v1/monitors/web", None, b"")
            .status,
        404
    );
}

#[test]
fn bad_requests_get_typed_json_errors_naming_the_field() {
    let dir = temp("api-errors");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let url = "http://127.0.0.1:9/";
    let error = |reply: &serve_support::Reply, status: u16| {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(
            reply.header("Content-Type").as_deref(),
            Some("application/json")
        );
        let e = reply.json()["error"].clone();
        assert_eq!(e["status"], status);
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        e
    };
    let e = error(&serve.post_json("/v1/monitors", "{\"name\":"), 400);
    assert!(
        e["message"].as_str().unwrap().contains("malformed JSON"),
        "{e}"
    );
    let e = error(
        &serve.post_json("/v1/monitors", &format!(r#"{{"url":"{url}"}}"#)),
        400,
    );
    assert_eq!(e["field"], "name");
    let e = error(
        &serve.post_json("/v1/monitors", &body("a", "ftp://x/", "")),
        400,
    );
    assert_eq!(e["field"], "url");
    let e = error(
        &serve.post_json("/v1/monitors", &body("a", url, r#","interval":5"#)),
        400,
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("unknown field \"interval\""),
        "{e}"
    );
    let e = error(
        &serve.post_json(
            "/v1/monitors",
            &body("a", url, r#","notify":{"email":["not an address"]}"#),
        ),
        400,
    );
    assert_eq!(e["field"], "email");

    for (extra, field, value, min, max) in [
        (r#","timeout_s":1"#, "timeout_s", "1", 2, 60),
        (r#","timeout_s":61"#, "timeout_s", "61", 2, 60),
        (r#","interval_s":4"#, "interval_s", "4", 5, 300),
        (r#","interval_s":301"#, "interval_s", "301", 5, 300),
        (
            r#","unhealthy_threshold":1"#,
            "unhealthy_threshold",
            "1",
            2,
            10,
        ),
        (
            r#","healthy_threshold":11"#,
            "healthy_threshold",
            "11",
            2,
            10,
        ),
        (r#","interval_s":-5"#, "interval_s", "-5", 5, 300),
    ] {
        let e = error(
            &serve.post_json("/v1/monitors", &body("a", url, extra)),
            422,
        );
        assert_eq!(e["field"], field, "{e}");
        assert_eq!(e["value"], value, "{e}");
        assert_eq!(
            (e["allowed"]["min"].as_u64(), e["allowed"]["max"].as_u64()),
            (Some(min), Some(max))
        );
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(field) && message.contains(&format!("{min} to {max}")),
            "{message}"
        );
    }
    // The documented defaults, spelled out, are accepted (the Python rejects them).
    let ok = serve.post_json(
        "/v1/monitors",
        &body(
            "a",
            url,
            r#","timeout_s":5,"interval_s":30,"unhealthy_threshold":2,"healthy_threshold":10"#,
        ),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let e = error(&serve.post_json("/v1/monitors", &body("a", url, "")), 409);
    assert_eq!(e["field"], "name");

    let big = body("b", url, &format!(r#","pad":"{}""#, "x".repeat(20_000)));
    assert_eq!(serve.post_json("/v1/monitors", &big).status, 413);
    error(&serve.get("/v1/monitors/nobody"), 404);
    error(
        &serve.request("POST", "/v1/monitors/nobody/pause", None, b""),
        404,
    );

    let wrong = serve.request("PUT", "/v1/monitors", None, b"");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("Allow").as_deref(), Some("GET, HEAD, POST"));
    assert_eq!(
        serve
            .request("GET", "/v1/monitors/a/pause", None, b"")
            .status,
        405
    );
    assert_eq!(serve.request("POST", "/health", None, b"").status, 405);
    assert_eq!(serve.get("/v2/monitors").status, 404);
    assert_eq!(serve.get("/v1/monitors/a/b/c").status, 404);
    assert_eq!(serve.get("/v1/monitors/a").status, 200, "still serving");
}

#[test]
fn states_follow_the_probes_unknown_healthy_degraded_unhealthy_healthy() {
    let dir = temp("api-states");
    let demo = Demo::start(dir.path(), "web");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let created = serve.post_json(
        "/v1/monitors",
        &body(
            "web",
            &demo.url(),
            r#","interval_s":5,"timeout_s":2,"unhealthy_threshold":2,"healthy_threshold":2"#,
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    // t=0 pass (1 of 2), t=5 pass: HEALTHY.
    serve_support::wait(|| serve.monitor("web")["passes"] == 1);
    assert_eq!(serve.monitor("web")["state"], "UNKNOWN");
    serve.wait_state("web", "HEALTHY", 9);
    demo.set_mode("fail");
    // One failure: DEGRADED; two in a row: UNHEALTHY.
    let m = serve.wait_state("web", "DEGRADED", 9);
    assert_eq!(m["last_output"], "HTTP 500");
    assert_eq!(m["consecutive_failures"], 1);
    let health = serve.get("/health");
    assert_eq!(health.status, 200, "degraded is a warning: {}", health.body);
    assert_eq!(health.json()["status"], "warn");
    serve.wait_state("web", "UNHEALTHY", 9);
    let health = serve.get("/health");
    assert_eq!(health.status, 503);
    assert_eq!(
        health.header("Content-Type").as_deref(),
        Some("application/health+json")
    );
    let h = health.json();
    assert_eq!(h["status"], "fail");
    assert_eq!(h["checks"]["web:http"][0]["status"], "fail");
    assert_eq!(h["checks"]["web:http"][0]["componentId"], "web");

    let metrics = serve.get("/metrics").body;
    assert!(
        metrics.contains("supercheck_process_state{process=\"web\",state=\"unhealthy\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("supercheck_serve_transitions_total{monitor=\"web\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("supercheck_probe_duration_seconds_count{process=\"web\",check=\"http\"}")
    );
    let page = serve.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("web") && page.body.contains("unhealthy"),
        "{}",
        page.body
    );

    // Recovery takes two passes in a row.
    demo.set_mode("ok");
    let m = serve.wait_state("web", "HEALTHY", 14);
    assert_eq!(m["transitions"], 4);
    let states = serve.log_text();
    for step in [
        "UNKNOWN -> HEALTHY",
        "HEALTHY -> DEGRADED",
        "DEGRADED -> UNHEALTHY",
        "UNHEALTHY -> HEALTHY",
    ] {
        assert!(states.contains(step), "{step} not logged:\n{states}");
    }
}

#[test]
fn a_hung_service_fails_by_the_probe_timeout_without_blocking_the_server() {
    let dir = temp("api-hang");
    let demo = Demo::start(dir.path(), "web");
    demo.set_mode("hang");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let created = serve.post_json(
        "/v1/monitors",
        &body("web", &demo.url(), r#","interval_s":5,"timeout_s":2"#),
    );
    assert_eq!(created.status, 201);
    // While the probe hangs, the API answers at once.
    let start = Instant::now();
    assert_eq!(serve.get("/v1/monitors").status, 200);
    assert!(start.elapsed() < Duration::from_secs(1));
    let m = serve.wait_state("web", "DEGRADED", 6);
    assert!(
        m["last_output"]
            .as_str()
            .unwrap()
            .contains("timed out after 2s"),
        "{m}"
    );
    let took = m["last_duration_ms"].as_f64().unwrap();
    assert!((1900.0..3500.0).contains(&took), "{took} ms");
}

#[test]
fn hostile_clients_get_4xx_and_the_server_keeps_serving() {
    let dir = temp("api-hostile");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let addr = serve.addr;
    let status = |bytes: &[u8]| parse_reply(&exchange(addr, bytes)).status;
    assert_eq!(status(b"garbage\r\n\r\n"), 400);
    assert_eq!(status(b"\x00\xff\xfe\r\n\r\n"), 400);
    let long_line = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(4000));
    assert_eq!(status(long_line.as_bytes()), 414);
    let many = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-A: b\r\n".repeat(40)
    );
    assert_eq!(status(many.as_bytes()), 431);
    assert_eq!(
        status(b"POST /v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"),
        413
    );
    assert_eq!(
        status(
            b"POST /v1/monitors HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        501
    );
    assert_eq!(
        status(b"POST /v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
        400
    );
    // A JSON body that is valid JSON but not an object, and deep nesting.
    assert_eq!(serve.post_json("/v1/monitors", "[1,2]").status, 400);
    assert_eq!(
        serve.post_json("/v1/monitors", &"[".repeat(5000)).status,
        400
    );
    // A body announced but sent slowly is waited for, within the client timeout.
    let json = body("slow", "http://127.0.0.1:9/", "");
    let (first, second) = json.split_at(10);
    let mut slow = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        json.len()
    );
    slow.write_all(format!("{head}{first}").as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    slow.write_all(second.as_bytes()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut slow, &mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 201"), "{text}");
    assert_eq!(serve.get("/v1/monitors/slow").status, 200);
    assert!(serve.log_text().lines().all(|l| !l.contains("panicked")));
}

#[test]
fn host_names_are_resolved_off_the_loop_and_an_unresolvable_one_fails_the_probe() {
    let dir = temp("api-names");
    let demo = Demo::start(dir.path(), "web");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let bad = body(
        "nowhere",
        "http://no-such-host.invalid/",
        r#","timeout_s":2,"interval_s":300"#,
    );
    assert_eq!(serve.post_json("/v1/monitors", &bad).status, 201);
    // This machine's own name, when it resolves to loopback (it goes through
    // the lookup thread: only IP literals and `localhost` skip it).
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim();
    let loopback = std::net::ToSocketAddrs::to_socket_addrs(&(host, demo.port))
        .map(|mut a| a.next().is_some_and(|a| a.ip().is_loopback()))
        .unwrap_or(false);
    if loopback {
        let named = body(
            "named",
            &format!("http://{host}:{}/", demo.port),
            r#","interval_s":300"#,
        );
        assert_eq!(serve.post_json("/v1/monitors", &named).status, 201);
        serve_support::wait(|| serve.monitor("named")["passes"] == 1);
    } else {
        eprintln!("{host} does not resolve to loopback here: only the failing lookup is tested");
    }
    let m = serve.wait_state("nowhere", "DEGRADED", 5);
    let output = m["last_output"].as_str().unwrap();
    assert!(output.contains("resolv"), "{output}");
}

#[test]
fn a_client_that_never_finishes_its_request_gets_408_and_others_are_served_meanwhile() {
    let dir = temp("api-slow");
    let serve = Serve::start(dir.path(), "serve", &[], &[]);
    let mut idle = TcpStream::connect(serve.addr).unwrap();
    idle.write_all(b"POST /v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let start = Instant::now();
    assert_eq!(serve.get("/v1/monitors").status, 200);
    let mut text = String::new();
    let _ = std::io::Read::read_to_string(&mut idle, &mut text);
    assert!(text.starts_with("HTTP/1.1 408"), "{text:?}");
    let waited = start.elapsed();
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(14)).contains(&waited),
        "{waited:?}"
    );
}
