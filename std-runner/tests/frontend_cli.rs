//! The frontend's options are checked before `READY`: a bad address, bad
//! status codes or a port already taken end the listener at once, naming the flag.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

fn http_check(extra: &[&str]) -> Output {
    Command::new(support::supercheck_bin())
        .args([
            "http",
            "-n",
            "web_check",
            "-g",
            "web",
            "-u",
            "/",
            "-p",
            "8080",
        ])
        .args(["--server-url", "unix:///nonexistent/s.sock"])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("run supercheck")
}

#[test]
fn a_listen_value_that_is_not_an_address_is_a_config_error() {
    let out = http_check(&["--listen", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no READY");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--listen") && err.contains("is not an ADDRESS:PORT"),
        "{err}"
    );
}

#[test]
fn a_fail_code_in_the_2xx_range_is_a_config_error() {
    let out = http_check(&[
        "--listen",
        "127.0.0.1:0",
        "--health-status-codes",
        "200,200,200",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--health-status-codes") && err.contains("fail"),
        "{err}"
    );
}

#[test]
fn a_port_already_taken_ends_the_listener_before_ready() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = http_check(&["--listen", &addr]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no READY");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("--listen {addr}")), "{err}");
}
