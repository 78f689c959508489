//! `supercheck serve`'s notifications: every state transition mailed through
//! a real (recording) sendmail program and POSTed to real local webhooks, to
//! the monitor's own targets and the server-wide defaults; and the throttle
//! of one message per monitor and state per window.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/serve.rs"]
mod serve_support;
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serve_support::{Demo, Serve, temp, wait};
use support::wait_for;

/// Writes `dir/sendmail.sh`: its arguments to `args.<pid>`, its stdin to `mail.<pid>`.
fn install_sendmail(dir: &Path) -> String {
    let d = dir.display();
    let script = format!(
        "#!/bin/sh\necho \"$@\" > {d}/args.$$\ncat > {d}/mail.$$.tmp\nmv {d}/mail.$$.tmp {d}/mail.$$\n"
    );
    let path = dir.join("sendmail.sh");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

fn files(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && !n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
        .collect()
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    let head = mail.split("\n\n").next()?;
    head.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

/// A local HTTP server that records each request's path and body and answers 200.
struct Recorder {
    port: u16,
    requests: Receiver<(String, String)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    fn start() -> Self {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        server.set_nonblocking(true).unwrap();
        let (tx, requests) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(90);
            while !stopped.load(Ordering::Relaxed) && Instant::now() < end {
                let Ok((mut stream, _)) = server.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut data = Vec::new();
                let mut chunk = [0u8; 4096];
                let complete = |data: &[u8]| {
                    let text = String::from_utf8_lossy(data);
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        return false;
                    };
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    body.len() >= len
                };
                while !complete(&data) {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => data.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                let text = String::from_utf8_lossy(&data).into_owned();
                let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send((path, body.to_string()));
            }
        });
        Self {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn every_transition_is_mailed_and_posted_to_the_monitors_and_the_default_targets() {
    let dir = temp("notify-all");
    let sendmail = install_sendmail(dir.path());
    let hooks = Recorder::start();
    let demo = Demo::start(dir.path(), "web");
    demo.set_mode("fail");
    let serve = Serve::start(
        dir.path(),
        "serve",
        &[
            "--sendmail",
            &format!("{sendmail} -t -i"),
            "--mail-from",
            "serve@example.com",
            "--mail-to",
            "oncall@example.com",
            "--webhook",
            &hooks.url("/default"),
        ],
        &[],
    );
    let body = format!(
        r#"{{"name":"web","url":"{}","interval_s":5,"timeout_s":2,"unhealthy_threshold":2,"healthy_threshold":2,"notify":{{"email":["owner@example.com"],"webhook":["{}"]}}}}"#,
        demo.url(),
        hooks.url("/own")
    );
    assert_eq!(serve.post_json("/v1/monitors", &body).status, 201);
    serve.wait_state("web", "DEGRADED", 5);
    serve.wait_state("web", "UNHEALTHY", 9);
    demo.set_mode("ok");
    serve.wait_state("web", "HEALTHY", 14);

    assert!(
        wait_for(Duration::from_secs(10), || files(dir.path(), "mail.").len()
            >= 3),
        "mails: {:?}\n{}",
        files(dir.path(), "mail."),
        serve.log_text()
    );
    let mails = files(dir.path(), "mail.");
    let mut subjects: Vec<&str> = mails
        .iter()
        .map(|m| header(m, "Subject").unwrap())
        .collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "supercheck-serve: web is DEGRADED",
            "supercheck-serve: web is HEALTHY",
            "supercheck-serve: web is UNHEALTHY"
        ]
    );
    for mail in &mails {
        assert_eq!(
            header(mail, "To"),
            Some("owner@example.com, oncall@example.com")
        );
        assert_eq!(header(mail, "From"), Some("serve@example.com"));
        assert!(header(mail, "Date").is_some() && header(mail, "Message-ID").is_some());
    }
    let degraded = mails.iter().find(|m| m.contains("is DEGRADED")).unwrap();
    assert!(
        degraded.contains("HTTP 500") && degraded.contains("UNKNOWN -> DEGRADED"),
        "{degraded}"
    );
    for args in files(dir.path(), "args.") {
        assert_eq!(args.trim(), "-t -i", "argv, no shell");
    }

    let mut posts = Vec::new();
    assert!(wait_for(Duration::from_secs(10), || {
        posts.extend(hooks.requests.try_iter());
        posts.len() >= 6
    }));
    for path in ["/own", "/default"] {
        let mut kinds: Vec<String> = posts
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, body)| {
                let json: serde_json::Value = serde_json::from_str(body).unwrap();
                assert_eq!(json["tool"], "supercheck-serve");
                assert_eq!(json["process"], "web");
                assert!(
                    json["subject"]
                        .as_str()
                        .unwrap()
                        .starts_with("supercheck-serve: web is")
                );
                json["kind"].as_str().unwrap().to_string()
            })
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["degraded", "healthy", "unhealthy"], "{path}");
    }
}

#[test]
fn a_flapping_monitor_gets_one_message_per_state_per_window() {
    let dir = temp("notify-throttle");
    let sendmail = install_sendmail(dir.path());
    let demo = Demo::start(dir.path(), "web");
    demo.set_mode("fail");
    let serve = Serve::start(
        dir.path(),
        "serve",
        &["--sendmail", &sendmail, "--notify-window", "600"],
        &[],
    );
    let form = format!(
        "appname=web&url={}&email=owner%40example.com&timeout=2&interval=5&unhealthy_threshold=3&healthy_threshold=2",
        form_urlencoded::byte_serialize(demo.url().as_bytes()).collect::<String>()
    );
    assert_eq!(serve.post_form("/healthchecker/monitor", &form).status, 201);
    // DEGRADED, HEALTHY, DEGRADED again within the window.
    serve.wait_state("web", "DEGRADED", 5);
    demo.set_mode("ok");
    serve.wait_state("web", "HEALTHY", 14);
    demo.set_mode("fail");
    serve.wait_state("web", "DEGRADED", 9);
    wait(|| serve.log_text().contains("notification suppressed"));
    assert!(wait_for(Duration::from_secs(5), || files(
        dir.path(),
        "mail."
    )
    .len()
        >= 2));
    std::thread::sleep(Duration::from_millis(500));
    let mails = files(dir.path(), "mail.");
    let mut subjects: Vec<&str> = mails
        .iter()
        .map(|m| header(m, "Subject").unwrap())
        .collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "supercheck-serve: web is DEGRADED",
            "supercheck-serve: web is HEALTHY"
        ],
        "the second DEGRADED is held back"
    );
    assert!(
        mails
            .iter()
            .all(|m| header(m, "To") == Some("owner@example.com"))
    );
    assert_eq!(serve.monitor("web")["transitions"], 3);
}
