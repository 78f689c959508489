//! The listener's HTTP frontend (`--listen`) under a real supervisord with a
//! healthy and a failing service: `/health`, `/metrics`, `/`, `/env`, and the
//! caps that keep a client from hurting the listener.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Supervisord, free_port, wait_for};

const ENV_SECRET: &str = "envsecret42";
const FLAG_SECRET: &str = "hunter2flag";

fn web_program(name: &str, port: u16) -> String {
    format!(
        "[program:{name}]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/{name}.mode\n\
         process_name={name}_{port}\nstartsecs=1\nstdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n"
    )
}

/// A reply: status, head (lower-cased), body.
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

fn send(port: u16, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the frontend");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    parse_answer(&raw)
}

fn get(port: u16, path: &str) -> Answer {
    send(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
    )
}

fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// A supervisord with `web:good` (healthy) and `web:bad` (failing), checked by
/// an http check with the frontend on `front`, given `extra` options.
fn start(tag: &str, front: u16, extra: &str) -> (Supervisord, String, String) {
    let (bad, good) = (free_port(), free_port());
    let sections = format!(
        "{}\n{}\n[group:web]\nprograms=bad,good\n\n\
         [eventlistener:web_check]\n\
         command={{dir}}/bin/supervisor_http_check -g web -n web_check -u /ping -t 1 -r 0 -p \".+_(\\d+)\" \
         -U admin -P {FLAG_SECRET} --listen 127.0.0.1:{front} {extra}\n\
         environment=SUPERVISOR_PASSWORD=\"{ENV_SECRET}\",API_TOKEN=\"tok-{ENV_SECRET}\"\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        web_program("bad", bad),
        web_program("good", good)
    );
    let sup = Supervisord::start(tag, &sections);
    sup.write("bad.mode", "fail");
    assert!(
        wait_for(Duration::from_secs(15), || listening(front)),
        "the frontend never listened; listener log:\n{}",
        sup.file("check.err")
    );
    (sup, format!("web:bad_{bad}"), format!("web:good_{good}"))
}

fn health_json(answer: &Answer) -> serde_json::Value {
    serde_json::from_slice(&answer.body)
        .unwrap_or_else(|e| panic!("/health is not JSON ({e}): {}", answer.text()))
}

#[test]
fn health_reports_the_failing_process_as_fail_with_503_and_the_healthy_one_as_pass() {
    let front = free_port();
    // One restart allowed: the second failure gives up on web:bad, which is then "fail".
    let (sup, bad, good) = start(
        "front-health",
        front,
        "--restart-budget 1/3600 --health-ttl-pass 0 --health-ttl-fail 0",
    );
    let bad_key = format!("{}:http", bad.replace(':', "."));
    let good_key = format!("{}:http", good.replace(':', "."));
    let mut last = None;
    // Both verdicts in one document: the 503 can come before the healthy
    // process's first probe has finished.
    assert!(
        wait_for(Duration::from_secs(25), || {
            let answer = get(front, "/health");
            let done = answer.status == 503
                && health_json(&answer)["checks"][&good_key][0]["status"] == "pass";
            last = Some(answer);
            done
        }),
        "never 503 with the healthy process passing: {}\nlistener log:\n{}",
        last.map(|a| a.text()).unwrap_or_default(),
        sup.file("check.err")
    );
    let answer = last.unwrap();
    assert!(
        answer
            .head
            .contains("content-type: application/health+json"),
        "{}",
        answer.head
    );
    let doc = health_json(&answer);
    assert_eq!(doc["status"], "fail");
    assert!(doc["output"].as_str().unwrap().contains("not passing"));
    let failing = &doc["checks"][&bad_key][0];
    assert_eq!(failing["status"], "fail", "{doc}");
    assert_eq!(failing["componentId"], bad.as_str());
    assert!(
        failing["output"].as_str().unwrap().contains("500"),
        "the failure reason: {failing}"
    );
    assert!(failing["time"].as_str().unwrap().ends_with('Z'));
    let passing = &doc["checks"][&good_key][0];
    assert_eq!(passing["status"], "pass", "{doc}");
    assert_eq!(passing["observedUnit"], "ms");
    assert!(passing["observedValue"].as_f64().unwrap() >= 0.0);
    assert!(passing.get("output").is_none(), "no output on pass");
}

#[test]
fn health_is_cached_for_the_fail_ttl_then_rendered_again() {
    let front = free_port();
    let (sup, _bad, _good) = start(
        "front-cache",
        front,
        "--health-ttl-fail 3 --health-ttl-pass 3",
    );
    // Wait for a first verdict, so the document changes with every reading.
    assert!(
        wait_for(Duration::from_secs(15), || get(front, "/health")
            .text()
            .contains("\"checks\":{\"")),
        "no verdict; listener log:\n{}",
        sup.file("check.err")
    );
    let first = get(front, "/health");
    let second = get(front, "/health");
    assert_eq!(
        first.body, second.body,
        "the second request within the TTL is the cached body"
    );
    assert!(
        second.head.contains("cache-control: max-age="),
        "{}",
        second.head
    );
    // Past the TTL and one more tick, the time of the readings has moved on.
    assert!(
        wait_for(Duration::from_secs(15), || get(front, "/health").body
            != first.body),
        "the cached document never expired"
    );
}

fn parse_with_prometheus(text: &str) -> String {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import sys\n\
             from prometheus_client.parser import text_string_to_metric_families\n\
             for f in text_string_to_metric_families(sys.stdin.read()):\n\
             \x20   for s in f.samples:\n\
             \x20       print(f.type, s.name, sorted(s.labels.items()), float(s.value))\n",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client refused the exposition (pip install prometheus-client; tests/setup.sh): {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn metrics_page_and_env_show_the_verdicts_restarts_and_no_secret() {
    let front = free_port();
    let (sup, bad, good) = start("front-metrics", front, "--expose-env");
    assert!(
        wait_for(Duration::from_secs(20), || get(front, "/metrics")
            .text()
            .contains(&format!(
                "supercheck_restarts_total{{process=\"{bad}\"}} 1"
            ))),
        "no restart in the metrics: {}\nlistener log:\n{}",
        get(front, "/metrics").text(),
        sup.file("check.err")
    );
    let metrics = get(front, "/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .head
            .contains("content-type: text/plain; version=0.0.4")
    );
    let samples = parse_with_prometheus(&metrics.text());
    assert!(
        samples.contains(&format!(
            "gauge supercheck_check_verdict [('check', 'http'), ('process', '{good}'), ('verdict', 'pass')] 1.0"
        )),
        "{samples}"
    );
    assert!(
        samples.contains("counter supercheck_ticks_total [] "),
        "{samples}"
    );
    assert!(
        samples.contains("summary supercheck_probe_duration_seconds_count"),
        "{samples}"
    );
    assert!(
        samples.contains("supercheck_last_tick_timestamp_seconds"),
        "{samples}"
    );

    let page = get(front, "/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(page.head.contains("content-type: text/html"));
    assert!(
        html.contains("http-equiv=\"refresh\""),
        "the page refreshes itself"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external asset"
    );
    assert!(html.contains(&good) && html.contains(&bad));
    assert!(
        html.contains("class=\"restart\""),
        "a recent restart is listed"
    );
    assert!(html.contains("bad HTTP status 500"), "and why: {html}");

    let env = get(front, "/env");
    assert_eq!(env.status, 200);
    let text = env.text();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("/env is JSON");
    for section in ["os", "process", "build", "config"] {
        assert!(doc.get(section).is_some(), "section {section}: {text}");
    }
    assert!(
        !text.contains(ENV_SECRET),
        "SUPERVISOR_PASSWORD leaked: {text}"
    );
    assert!(!text.contains(FLAG_SECRET), "-P leaked: {text}");
    assert_eq!(doc["process"]["environ"]["SUPERVISOR_PASSWORD"], "********");
    assert_eq!(doc["process"]["environ"]["API_TOKEN"], "********");
    assert!(
        doc["process"]["argv"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "********"),
        "the -P value is masked in argv: {}",
        doc["process"]["argv"]
    );
    assert_eq!(get(front, "/nope").status, 404);
}

#[test]
fn env_is_not_served_without_expose_env() {
    let front = free_port();
    let (_sup, _bad, _good) = start("front-noenv", front, "");
    let env = get(front, "/env");
    assert_eq!(env.status, 404);
    assert!(!env.text().contains(ENV_SECRET));
    assert_eq!(
        send(front, b"POST /health HTTP/1.1\r\nHost: x\r\n\r\n").status,
        405
    );
}

#[test]
fn caps_refuse_huge_heads_extra_connections_and_slow_clients_while_ticks_go_on() {
    let front = free_port();
    let (sup, _bad, _good) = start(
        "front-caps",
        front,
        "--http-timeout 7 --http-max-connections 2 --verbose",
    );
    let huge = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(16 * 1024)
    );
    assert_eq!(send(front, huge.as_bytes()).status, 431, "a huge header");
    let many = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..40).map(|i| format!("X-{i}: v\r\n")).collect::<String>()
    );
    assert_eq!(send(front, many.as_bytes()).status, 431, "too many headers");
    let long_line = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(4096));
    assert_eq!(
        send(front, long_line.as_bytes()).status,
        414,
        "a long request line"
    );
    assert_eq!(
        send(
            front,
            b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        )
        .status,
        413,
        "a request body"
    );
    let head = send(front, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(
        (head.status, head.body.len()),
        (200, 0),
        "HEAD: the head alone"
    );

    // The slots are taken just after a tick is acknowledged: the next tick
    // comes one period (5 s) later, before the slow clients' 7 s are up.
    let acks = || sup.file("check.out").matches("RESULT").count();
    let seen = acks();
    assert!(
        wait_for(Duration::from_secs(10), || acks() > seen),
        "no tick acknowledged; listener log:\n{}",
        sup.file("check.err")
    );
    // Two slow clients hold every connection slot with half a request. The
    // listener accepts in the order the connections were made, so theirs
    // come before the third's.
    let acks_before = acks();
    let held_at = Instant::now();
    let mut slow: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", front)).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\nHo").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
            s
        })
        .collect();
    let mut third = TcpStream::connect(("127.0.0.1", front)).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let refused = format!(
        "frontend: {} refused: too many connections",
        third.local_addr().unwrap()
    );
    let _ = third.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut raw = Vec::new();
    let _ = third.read_to_end(&mut raw);
    assert!(
        raw.is_empty() || parse_answer(&raw).status == 503,
        "a connection over the cap is closed or refused: {:?}",
        String::from_utf8_lossy(&raw)
    );
    // Refused for the cap (the verbose log says so), not lost to a timeout.
    assert!(
        wait_for(Duration::from_secs(5), || sup
            .file("check.err")
            .contains(&refused)),
        "{refused:?} not logged; listener log:\n{}",
        sup.file("check.err")
    );
    // Ticks are still acknowledged while the slow clients hold their connections.
    assert!(
        wait_for(Duration::from_secs(6), || acks() > acks_before),
        "no tick acknowledged while clients held connections; listener log:\n{}",
        sup.file("check.err")
    );
    assert!(
        held_at.elapsed() < Duration::from_secs(7),
        "acknowledged before the clients timed out"
    );
    // Then the slow clients time out: 408 and closed.
    for s in &mut slow {
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)
            .expect("closed by the listener, not by our read timeout");
        assert_eq!(parse_answer(&raw).status, 408);
    }
    let waited = held_at.elapsed();
    assert!(
        waited >= Duration::from_secs(6) && waited < Duration::from_secs(12),
        "timed out after {waited:?}"
    );
    let after = get(front, "/health").status;
    assert!(after == 200 || after == 503, "still serving: {after}");
}
