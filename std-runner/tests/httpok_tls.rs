//! `httpok` with https URLs under a real supervisord: the URL is served by a
//! real TLS server in the test (rustls, certificates made at test time with
//! rcgen), the `-p` program is a demo service. A verified, healthy https URL
//! never restarts; a certificate the probe rejects (unknown CA, wrong name,
//! expired) is a failure of the service: logged with its precise reason,
//! notified, and the program restarted. A bad `--ca-file` is a configuration
//! error: httpok exits at start-up, before READY, naming the file.

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

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use kinds::{
    assert_protocol_clean, count_log, demo_program, listener, running_pid, wait_log, wait_restart,
};
use support::{Supervisord, TempDir, free_port, wait_for};
use tls::{OK_RESPONSE, TestCa, TlsServer};

/// Files made before supervisord starts: the CA file and a sendmail stand-in
/// that appends each message to `mail.txt`.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new(tag: &str, trusted: &TestCa) -> Self {
        let dir = TempDir::new(tag);
        trusted.write_pem(&dir.path().join("ca.pem"));
        let script = dir.path().join("sendmail.sh");
        std::fs::write(
            &script,
            format!("#!/bin/sh\ncat >> {}/mail.txt\n", dir.path().display()),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    fn flags(&self) -> String {
        let d = self.dir.path().display();
        format!("--ca-file {d}/ca.pem -m ops@example.org -s {d}/sendmail.sh")
    }

    fn mail(&self) -> String {
        support::read_lossy(&self.dir.path().join("mail.txt"))
    }
}

/// supervisord with a demo service `svc` and httpok probing `url` for it.
fn setup(tag: &str, files: &Files, url: &str) -> Supervisord {
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {}", free_port())),
        listener(
            "httpok",
            &format!("{{bin}} httpok -p svc -t 2 {} {url}", files.flags())
        )
    );
    Supervisord::start(tag, &sections)
}

#[test]
fn healthy_https_url_verified_with_the_ca_file_never_restarts() {
    let ca = TestCa::new("a");
    let server = TlsServer::start(ca.server_cert(&["localhost"], false).config(), OK_RESPONSE);
    let files = Files::new("htls-ok-f", &ca);
    let url = format!("https://localhost:{}/ping", server.port);
    let sup = setup("htls-ok", &files, &url);
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    assert!(
        wait_for(Duration::from_secs(8), || count_log(
            &sup,
            "httpok",
            "all passed"
        ) >= 2),
        "{}",
        sup.file("httpok.err")
    );
    assert_eq!(
        sup.pid("svc:svc"),
        Some(pid),
        "a verified healthy URL never restarts"
    );
    assert!(server.served() >= 2, "the probes really went over TLS");
    assert!(
        server
            .server_names()
            .iter()
            .all(|n| n.as_deref() == Some("localhost")),
        "SNI is the URL's host: {:?}",
        server.server_names()
    );
    let log = sup.file("httpok.err");
    assert!(
        log.contains("https: verifying certificates for localhost against CA file"),
        "{log}"
    );
    assert!(!log.contains("TLS:"), "{log}");
    assert_protocol_clean(&sup, "httpok");
}

/// Starts a server presenting `cert`, has httpok probe `https://HOST:PORT/`
/// trusting `trusted`, and returns the listener log and the mail once `svc`
/// was restarted.
fn rejected(
    tag: &str,
    trusted: &TestCa,
    config: std::sync::Arc<rustls::ServerConfig>,
    host: &str,
) -> (String, String) {
    let server = TlsServer::start(config, OK_RESPONSE);
    let files = Files::new(&format!("{tag}-f"), trusted);
    let sup = setup(tag, &files, &format!("https://{host}:{}/ping", server.port));
    let pid = running_pid(&sup, "svc:svc");
    wait_restart(&sup, "svc:svc", pid, "httpok");
    assert_eq!(
        server.served(),
        0,
        "no request goes to an unverified server"
    );
    assert!(
        wait_for(Duration::from_secs(5), || !files.mail().is_empty()),
        "no mail; log:\n{}",
        sup.file("httpok.err")
    );
    let log = sup.file("httpok.err");
    assert!(
        log.contains("svc:svc restarted") || log.contains("svc:svc: restarted"),
        "{log}"
    );
    assert_protocol_clean(&sup, "httpok");
    (log, files.mail())
}

#[test]
fn certificate_from_an_unknown_ca_is_a_service_failure_that_restarts() {
    let (ca, other) = (TestCa::new("a"), TestCa::new("b"));
    let (log, mail) = rejected(
        "htls-ca",
        &other,
        ca.server_cert(&["localhost"], false).config(),
        "localhost",
    );
    let reason = "TLS: certificate verify failed: UnknownIssuer";
    assert!(log.contains(reason), "{log}");
    assert!(
        mail.contains("TLS failure") && mail.contains(reason),
        "{mail}"
    );
}

#[test]
fn certificate_for_another_host_is_a_service_failure_that_restarts() {
    let ca = TestCa::new("a");
    let (log, mail) = rejected(
        "htls-name",
        &ca,
        ca.server_cert(&["other.example"], false).config(),
        "127.0.0.1",
    );
    let reason = "TLS: certificate verify failed: NotValidForName";
    assert!(log.contains(reason), "{log}");
    assert!(
        log.contains("other.example"),
        "the log names what the certificate presented: {log}"
    );
    assert!(mail.contains(reason), "{mail}");
}

#[test]
fn expired_certificate_is_a_service_failure_that_restarts() {
    let ca = TestCa::new("a");
    let (log, mail) = rejected(
        "htls-exp",
        &ca,
        ca.server_cert(&["localhost"], true).config(),
        "localhost",
    );
    let reason = "TLS: certificate verify failed: Expired";
    assert!(log.contains(reason), "{log}");
    assert!(mail.contains(reason), "{mail}");
}

/// Runs httpok as supervisord would start it (`SUPERVISOR_SERVER_URL` set)
/// with `ca_file`; returns (exit status, stdout, stderr).
fn run_with_ca_file(ca_file: &std::path::Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(support::supercheck_bin())
        .arg("httpok")
        .args(["-p", "svc", "--ca-file"])
        .arg(ca_file)
        .arg("https://localhost:9/")
        .env("SUPERVISOR_SERVER_URL", "unix:///nonexistent/s.sock")
        .env("SUPERVISOR_PROCESS_NAME", "httpok")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_for(Duration::from_secs(10), || child
            .try_wait()
            .unwrap()
            .is_some()),
        "httpok did not exit at start-up"
    );
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_unreadable_or_garbage_ca_file_exits_before_ready_naming_the_file() {
    let dir = TempDir::new("htls-cafile");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let cases = [
        (dir.path().join("missing.pem"), "cannot read it"),
        // A directory: unreadable as a file even for root.
        (dir.path().to_path_buf(), "cannot read it"),
        (garbage, "no PEM certificate"),
    ];
    for (path, why) in cases {
        let (status, stdout, stderr) = run_with_ca_file(&path);
        assert!(
            matches!(status, Some(s) if s != 0),
            "exit {status:?}: {stderr}"
        );
        assert_eq!(stdout, "", "nothing (no READY) on stdout");
        assert!(
            stderr.contains(&format!("--ca-file {}", path.display())) && stderr.contains(why),
            "{stderr}"
        );
    }
}

#[test]
fn bad_ca_file_under_supervisord_never_restarts_the_service() {
    let dir = TempDir::new("htls-bad-f");
    let missing = dir.path().join("missing.pem");
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {}", free_port())),
        listener(
            "httpok",
            &format!(
                "{{bin}} httpok -p svc -t 2 --ca-file {} https://localhost:9/",
                missing.display()
            )
        )
    );
    let sup = Supervisord::start("htls-bad", &sections);
    let pid = running_pid(&sup, "svc:svc");
    assert!(
        wait_for(Duration::from_secs(20), || sup.state("httpok") == "FATAL"),
        "httpok should give up (FATAL): {}\n{}",
        sup.state("httpok"),
        sup.main_log()
    );
    assert!(
        sup.file("httpok.err").contains("missing.pem"),
        "{}",
        sup.file("httpok.err")
    );
    assert_eq!(
        sup.pid("svc:svc"),
        Some(pid),
        "a config error never restarts"
    );
}

#[test]
fn ca_file_with_an_http_url_is_refused_at_startup() {
    let dir = TempDir::new("htls-http");
    let ca = TestCa::new("a");
    let path = dir.path().join("ca.pem");
    ca.write_pem(&path);
    let out = Command::new(support::supercheck_bin())
        .args(["httpok", "-p", "svc", "--ca-file"])
        .arg(&path)
        .arg("http://localhost:9/")
        .env("SUPERVISOR_SERVER_URL", "unix:///nonexistent/s.sock")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only used with https://"), "{stderr}");
}
