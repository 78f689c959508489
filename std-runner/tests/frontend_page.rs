//! The frontend's status page in a real browser: headless Chromium loads it
//! from the listener and the DOM holds every process and check.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Supervisord, TempDir, free_port, wait_for};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless with `args` then `url`, killed (by pid) after 40 s.
fn chromium(profile: &Path, args: &[String], url: &str) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run tests/setup.sh (apt-get install -y chromium)"
    );
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(40) {
            let _ = child.kill();
            panic!("chromium did not finish within 40 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn status_page_lists_every_process_and_check_in_a_headless_browser() {
    let (port, front) = (free_port(), free_port());
    let sections = format!(
        "[program:good]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/good.mode\n\
         process_name=good_{port}\nstartsecs=1\nstdout_logfile={{dir}}/good.out\nstderr_logfile={{dir}}/good.err\n\n\
         [group:web]\nprograms=good\n\n\
         [eventlistener:web_check]\n\
         command={{dir}}/bin/supervisor_http_check -g web -n web_check -u /ping -t 1 -r 0 -p \".+_(\\d+)\" --listen 127.0.0.1:{front}\n\
         events=TICK_5\nstderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n"
    );
    let sup = Supervisord::start("front-page", &sections);
    let process = format!("web:good_{port}");
    assert!(wait_for(Duration::from_secs(15), || TcpStream::connect((
        "127.0.0.1",
        front
    ))
    .is_ok()));
    assert!(
        wait_for(Duration::from_secs(15), || sup
            .file("check.err")
            .contains("all passed")),
        "no tick checked; listener log:\n{}",
        sup.file("check.err")
    );
    let profile = TempDir::new("chromium");
    let url = format!("http://127.0.0.1:{front}/");
    let dom = chromium(profile.path(), &["--dump-dom".to_string()], &url);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        html.contains(&format!("data-process=\"{process}\" data-check=\"http\"")),
        "the browser's DOM has a row for the process's http check:\n{html}\n{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert!(html.contains("<td class=\"state\">healthy</td>"), "{html}");
    assert!(
        html.contains("<td class=\"verdict pass\">pass</td>"),
        "{html}"
    );
    assert!(html.contains(" ms</td>"), "the latency is shown: {html}");
    assert!(html.contains("id=\"no-restarts\""), "{html}");

    let shot = profile.path().join("page.png");
    let out = chromium(
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1024,600".to_string(),
        ],
        &url,
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    assert!(png.len() > 1000);
}
