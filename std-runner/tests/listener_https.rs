//! The drop-in http check with `--https` under a real supervisord: the
//! service's port is served by a real TLS server in the test (rustls,
//! certificates made at test time). The same non-blocking exchange runs over
//! TLS: a verified healthy service is probed over one kept-alive TLS
//! connection and never restarted; a rejected certificate is a failure with
//! its reason, and restarts; a bad `--ca-file` stops the listener before READY.
//! The agent's http checks with `https = true` do the same.

#![cfg(feature = "tls")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/kinds.rs"]
mod kinds;
mod support;
#[path = "support/tls.rs"]
mod tls;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use kinds::{
    assert_protocol_clean, count_log, demo_program, listener, running_pid, wait_log, wait_restart,
};
use support::{Supervisord, TempDir, free_port, wait_for};
use tls::{ERROR_KEEP_ALIVE, OK_KEEP_ALIVE, TestCa, TlsServer};

/// supervisord with a placeholder service `svc` and an https check of
/// `127.0.0.1:port` for it, trusting `ca_pem` (written to a file first).
fn setup(tag: &str, files: &TempDir, trusted: &TestCa, port: u16, extra: &str) -> Supervisord {
    let ca = files.path().join("ca.pem");
    trusted.write_pem(&ca);
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {}", free_port())),
        listener(
            "check",
            &format!(
                "{{dir}}/bin/supervisor_http_check -N svc -n check -u /ping -t 2 -r 0 -p {port} \
                 --https --ca-file {} {extra}",
                ca.display()
            )
        )
    );
    Supervisord::start(tag, &sections)
}

#[test]
fn verified_https_service_is_probed_over_one_kept_alive_tls_connection_and_never_restarted() {
    let ca = TestCa::new("a");
    let server = TlsServer::start(
        ca.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
    );
    let files = TempDir::new("lhttps-ok-f");
    let sup = setup("lhttps-ok", &files, &ca, server.port, "");
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "check", "1 process(es) checked: all passed");
    assert!(
        wait_for(Duration::from_secs(8), || count_log(
            &sup,
            "check",
            "all passed"
        ) >= 2),
        "{}",
        sup.file("check.err")
    );
    assert_eq!(
        sup.pid("svc:svc"),
        Some(pid),
        "a verified healthy service is never restarted"
    );
    assert!(server.served() >= 2);
    assert_eq!(
        server.server_names(),
        vec![Some("localhost".to_string())],
        "one TLS connection, kept alive across ticks, with SNI = --tls-name's default"
    );
    let log = sup.file("check.err");
    assert!(
        log.contains("https: verifying certificates for localhost against CA file"),
        "{log}"
    );
    assert_protocol_clean(&sup, "check");
}

#[test]
fn kept_alive_tls_connection_closed_by_the_server_is_replaced_without_a_restart() {
    let ca = TestCa::new("a");
    let server = TlsServer::start_with_idle(
        ca.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
        Duration::from_secs(1),
    );
    let files = TempDir::new("lhttps-stale-f");
    let sup = setup("lhttps-stale", &files, &ca, server.port, "");
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "check", "1 process(es) checked: all passed");
    assert!(
        wait_for(Duration::from_secs(12), || count_log(
            &sup,
            "check",
            "all passed"
        ) >= 3),
        "{}",
        sup.file("check.err")
    );
    assert_eq!(sup.pid("svc:svc"), Some(pid));
    assert!(
        server.server_names().len() >= 2,
        "each tick found the old connection closed and made a new one"
    );
    assert!(
        !sup.file("check.err").contains("failed"),
        "{}",
        sup.file("check.err")
    );
}

#[test]
fn http_failure_over_tls_is_judged_like_plain_http() {
    let ca = TestCa::new("a");
    let server = TlsServer::start(
        ca.server_cert(&["localhost"], false).config(),
        ERROR_KEEP_ALIVE,
    );
    let files = TempDir::new("lhttps-500-f");
    let sup = setup("lhttps-500", &files, &ca, server.port, "");
    let pid = running_pid(&sup, "svc:svc");
    wait_restart(&sup, "svc:svc", pid, "check");
    let log = sup.file("check.err");
    assert!(
        log.contains("svc:svc: http check failed: bad HTTP status 500"),
        "{log}"
    );
}

#[test]
fn certificate_for_another_name_is_a_failure_with_its_reason_and_restarts() {
    let ca = TestCa::new("a");
    let server = TlsServer::start(
        ca.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
    );
    let files = TempDir::new("lhttps-name-f");
    let sup = setup(
        "lhttps-name",
        &files,
        &ca,
        server.port,
        "--tls-name svc.example",
    );
    let pid = running_pid(&sup, "svc:svc");
    wait_restart(&sup, "svc:svc", pid, "check");
    let log = sup.file("check.err");
    assert!(
        log.contains("svc:svc: http check failed: TLS: certificate verify failed: NotValidForName"),
        "{log}"
    );
    assert!(
        log.contains(r#"svc:svc: https: invalid peer certificate: certificate not valid for name "svc.example"; certificate is only valid for DnsName("localhost")"#),
        "the detail names what was expected and presented: {log}"
    );
    assert_eq!(server.served(), 0);
    assert_protocol_clean(&sup, "check");
}

#[test]
fn certificate_of_an_unknown_ca_is_a_failure_with_its_reason_and_restarts() {
    let (ca, other) = (TestCa::new("a"), TestCa::new("b"));
    let server = TlsServer::start(
        ca.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
    );
    let files = TempDir::new("lhttps-ca-f");
    let sup = setup("lhttps-ca", &files, &other, server.port, "");
    let pid = running_pid(&sup, "svc:svc");
    wait_restart(&sup, "svc:svc", pid, "check");
    let log = sup.file("check.err");
    assert!(
        log.contains("TLS: certificate verify failed: UnknownIssuer"),
        "{log}"
    );
}

fn run_check(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(support::supercheck_bin())
        .arg("http")
        .args(args)
        .env("SUPERVISOR_SERVER_URL", "unix:///nonexistent/s.sock")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_ca_file_or_tls_flags_without_https_stop_the_listener_before_ready() {
    let dir = TempDir::new("lhttps-cfg");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "nope\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for (path, why) in [
        (&garbage, "no PEM certificate"),
        (&missing, "cannot read it"),
    ] {
        let path = path.display().to_string();
        let (status, stdout, stderr) = run_check(&[
            "-n",
            "check",
            "-N",
            "svc",
            "-u",
            "/",
            "-p",
            "9",
            "--https",
            "--ca-file",
            &path,
        ]);
        assert_eq!(status, Some(2), "{stderr}");
        assert_eq!(stdout, "", "no READY");
        assert!(stderr.contains(&path) && stderr.contains(why), "{stderr}");
    }
    let path = garbage.display().to_string();
    let (status, _, stderr) = run_check(&[
        "-n",
        "check",
        "-N",
        "svc",
        "-u",
        "/",
        "-p",
        "9",
        "--ca-file",
        &path,
    ]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("only used with --https"), "{stderr}");
}

/// An agent file of two https checks trusting the CA in `ca`: `good_https`
/// of process `good` on `good_port`, `bad_https` of process `bad` on
/// `bad_port`, with `extra` keys in both.
fn agent_https_file(ca: &Path, good_port: u16, bad_port: u16, extra: &str) -> String {
    [("good", good_port), ("bad", bad_port)]
        .iter()
        .map(|(name, port)| {
            format!(
                "[[check]]\nname = \"{name}_https\"\nkind = \"http\"\ntargets = [\"{name}\"]\n\
                 url = \"/ping\"\nport = {port}\ntimeout = 2\nnum_retries = 0\ninterval = 1\n\
                 https = true\nca_file = \"{}\"\n{extra}\n",
                ca.display()
            )
        })
        .collect()
}

#[test]
fn the_agent_verifies_https_checks_with_its_ca_file_and_restarts_on_a_rejected_certificate() {
    let (ca, other) = (TestCa::new("a"), TestCa::new("b"));
    let good = TlsServer::start(
        ca.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
    );
    let bad = TlsServer::start(
        other.server_cert(&["localhost"], false).config(),
        OK_KEEP_ALIVE,
    );
    let files = TempDir::new("agent-https-f");
    let ca_file = files.path().join("ca.pem");
    ca.write_pem(&ca_file);
    let file = files.path().join("agent.toml");
    std::fs::write(&file, agent_https_file(&ca_file, good.port, bad.port, "")).unwrap();
    let sections = format!(
        "{}{}{}",
        demo_program("good", "good", &format!("--port {}", free_port())),
        demo_program("bad", "bad", &format!("--port {}", free_port())),
        listener(
            "supercheck",
            &format!("{{bin}} agent -v --config {}", file.display())
        )
    );
    let sup = Supervisord::start("agent-https", &sections);
    let (good_pid, bad_pid) = (running_pid(&sup, "good:good"), running_pid(&sup, "bad:bad"));
    wait_restart(&sup, "bad:bad", bad_pid, "supercheck");
    let passed = "good:good: good_https check passed";
    assert!(
        wait_for(Duration::from_secs(10), || count_log(
            &sup,
            "supercheck",
            passed
        ) >= 2),
        "{}",
        sup.file("supercheck.err")
    );
    let log = sup.file("supercheck.err");
    assert!(
        log.contains(
            "bad:bad: bad_https check failed: TLS: certificate verify failed: UnknownIssuer"
        ),
        "{log}"
    );
    assert!(
        log.contains("https: verifying certificates for localhost against CA file"),
        "{log}"
    );
    assert_eq!(sup.pid("good:good"), Some(good_pid));
    assert_eq!(bad.served(), 0);
    assert_eq!(
        good.server_names().first(),
        Some(&Some("localhost".to_string()))
    );
    assert!(
        wait_for(kinds::TICK_WAIT, || sup
            .file("supercheck.out")
            .contains("RESULT 2\nOK")),
        "no TICK acknowledged"
    );
    assert_protocol_clean(&sup, "supercheck");
}

#[test]
fn the_agent_refuses_an_unreadable_ca_file_and_tls_keys_without_https() {
    let files = TempDir::new("agent-https-bad");
    let missing = files.path().join("missing.pem");
    let file = files.path().join("agent.toml");
    std::fs::write(&file, agent_https_file(&missing, 1, 2, "")).unwrap();
    for args in [&["--check-config"][..], &["--config"]] {
        let out = Command::new(support::supercheck_bin())
            .arg("agent")
            .args(args)
            .arg(&file)
            .env("SUPERVISOR_SERVER_URL", "unix:///nonexistent/s.sock")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("check good_https: https: ") && stderr.contains("missing.pem"),
            "{args:?}: {stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "nothing before READY: {:?}",
            out.stdout
        );
    }
    std::fs::write(
        &file,
        agent_https_file(&missing, 1, 2, "").replace("https = true\n", ""),
    )
    .unwrap();
    let out = Command::new(support::supercheck_bin())
        .args(["agent", "--check-config"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":10:11: check[1] (good_https).ca_file: ")
            && stderr.contains("only with https = true"),
        "{stderr}"
    );
}
