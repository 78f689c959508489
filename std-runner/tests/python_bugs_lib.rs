//! supervisor_checks' bugs and weak points (peers-spec 3.6) that supercheck's
//! library proves: the request bytes a check sends, how replies are judged,
//! heartbeat files. One test per bug, named after what supercheck does
//! instead; the configurations are built from drop-in flags as the binary does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bug_support;
mod support;

use std::fs::{self, Permissions};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;
use std::time::Duration;

use bug_support::config;
use supercheck_cmdline::tool::Tool;
use supercheck_core::check::retry::RetryPolicy;
use supercheck_core::check::spec::{CheckSpec, HttpSpec, XmlRpcSpec};
use supercheck_core::check::verdict::{FailReason, Verdict};
use supercheck_listener::config::CheckWork;
use supercheck_runtime::exchange::Response;
use supercheck_runtime::heartbeat_file::{self, HeartbeatFile};
use supercheck_runtime::probe::net::{self, Judge};
use support::TempDir;

/// A drop-in's check specification, owned.
fn static_spec(work: CheckWork) -> Option<CheckSpec<'static>> {
    match work {
        CheckWork::Builtin(spec) => Some(CheckSpec::clone(&spec)),
        _ => None,
    }
}

fn http_spec(tool: Tool, args: &[&str]) -> HttpSpec<'static> {
    match static_spec(config(tool, args).unwrap().checks.swap_remove(0).work) {
        Some(CheckSpec::Http(http)) => http,
        other => panic!("not an http check: {other:?}"),
    }
}

fn xmlrpc_spec(args: &[&str]) -> XmlRpcSpec<'static> {
    match static_spec(
        config(Tool::XmlRpc, args)
            .unwrap()
            .checks
            .swap_remove(0)
            .work,
    ) {
        Some(CheckSpec::XmlRpc(xml)) => xml,
        other => panic!("not an xmlrpc check: {other:?}"),
    }
}

fn request_text(spec: &HttpSpec<'_>) -> String {
    String::from_utf8(net::http_request(spec, 8080).unwrap()).unwrap()
}

/// Bug 2: "the xmlrpc URL path is ignored: the request always goes to `/RPC2`;
/// an empty `sock_dir` makes the check silently pass". Kept on purpose: any
/// non-fault reply passes and a fault is not retried (the service answered;
/// drop-in sections rely on both).
#[test]
fn bug_02_xmlrpc_check_posts_to_the_configured_path() {
    let xml = xmlrpc_spec(&[
        "-n",
        "x",
        "-g",
        "g",
        "-u",
        "/status",
        "-p",
        "9000",
        "-m",
        "app.health",
    ]);
    let (endpoint, path) = net::xmlrpc_endpoint(&xml, Some(9000), "web_1");
    assert_eq!(path, "/status");
    assert_eq!(format!("{endpoint:?}"), "Tcp(127.0.0.1:9000)");
    let request = String::from_utf8(net::xmlrpc_request(&xml, Some(9000), &path).unwrap()).unwrap();
    assert!(
        request.starts_with("POST /status HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.contains("<methodName>app.health</methodName>"),
        "{request}"
    );

    let empty_dir = config(Tool::XmlRpc, &["-n", "x", "-g", "g", "-S", ""]).unwrap_err();
    assert!(empty_dir.0.contains("-u/-s/-S"), "{empty_dir}");

    let reply = |body: &str| Response {
        status: 200,
        body: body.as_bytes().to_vec(),
        found: None,
        consumer: None,
        reusable: false,
    };
    let false_value = "<?xml version='1.0'?><methodResponse><params><param><value><boolean>0</boolean></value></param></params></methodResponse>";
    assert_eq!(Judge::XmlRpc.judge(&reply(false_value)), Verdict::Pass);
    let fault = "<?xml version='1.0'?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member><member><name>faultString</name><value><string>down</string></value></member></struct></value></fault></methodResponse>";
    let verdict = Judge::XmlRpc.judge(&reply(fault));
    let Verdict::Fail(reason @ FailReason::XmlRpcFault { code: 1 }) = verdict else {
        panic!("{verdict:?}");
    };
    assert_eq!(
        RetryPolicy::supervisor_checks(2).retry_after(1, reason),
        None
    );
}

/// Bug 3: "a complex http check without `method` always fails: None is passed
/// as the HTTP method, a TypeError, and a restart on every tick".
#[test]
fn bug_03_complex_http_check_without_method_sends_get() {
    let http = http_spec(
        Tool::Complex,
        &[
            "-n",
            "x",
            "-g",
            "g",
            "-c",
            r#"{"http": {"url": "/ping", "port": 8080}}"#,
        ],
    );
    assert_eq!(http.method.as_str(), "GET");
    assert!(request_text(&http).starts_with("GET /ping HTTP/1.1\r\n"));
}

/// Bug 4: "`--json` without `--headers` sends no Content-Type; GET requests
/// also carry a body". A body is sent only when one is configured; a body
/// given with GET is still sent, as before (some APIs read GET bodies, and
/// the user asked for it).
#[test]
fn bug_04_json_body_carries_its_content_type_and_plain_get_has_no_body() {
    let base = ["-n", "x", "-g", "g", "-u", "/api", "-p", "8080"];
    let with = |extra: &[&str]| request_text(&http_spec(Tool::Http, &[&base[..], extra].concat()));

    let json = with(&["-m", "POST", "-j", r#"{"a": 1}"#]);
    assert!(json.starts_with("POST /api HTTP/1.1\r\n"), "{json}");
    assert!(
        json.contains("Content-Type: application/json\r\n"),
        "{json}"
    );
    assert!(json.ends_with(r#"{"a": 1}"#), "{json}");

    let own_type = with(&[
        "-m",
        "POST",
        "-j",
        "1",
        "-H",
        r#"{"Content-Type": "application/x.v2+json"}"#,
    ]);
    assert_eq!(
        own_type
            .to_ascii_lowercase()
            .matches("content-type")
            .count(),
        1,
        "{own_type}"
    );
    assert!(own_type.contains("application/x.v2+json"), "{own_type}");

    let get = with(&[]);
    assert!(get.starts_with("GET /api HTTP/1.1\r\n"), "{get}");
    assert!(get.ends_with("\r\n\r\n"), "no body: {get}");
    let lower = get.to_ascii_lowercase();
    assert!(
        !lower.contains("content-length") && !lower.contains("content-type"),
        "{get}"
    );

    let get_with_body = with(&["-b", "ping"]);
    assert!(
        get_with_body.starts_with("GET /api HTTP/1.1\r\n")
            && get_with_body.ends_with("\r\n\r\nping")
    );
}

/// Bug 6: "non-200 is a failure: 204 and 3xx count as unhealthy". The default
/// stays exactly 200 like the Python tool; `--expect-status` widens it.
#[test]
fn bug_06_expect_status_accepts_204_and_3xx_and_the_default_stays_200() {
    let base = ["-n", "x", "-g", "g", "-u", "/", "-p", "8080"];
    let judge = |args: &[&str]| {
        let http = http_spec(Tool::Http, args);
        Judge::Http {
            statuses: net::status_set(&http.expected_status).unwrap(),
            needle: None,
        }
    };
    let verdict = |judge: &Judge, status: u16| {
        judge.judge(&Response {
            status,
            body: Vec::new(),
            found: None,
            consumer: None,
            reusable: false,
        })
    };
    let default = judge(&base);
    assert_eq!(verdict(&default, 200), Verdict::Pass);
    for status in [201, 204, 301, 302] {
        assert_eq!(
            verdict(&default, status),
            Verdict::Fail(FailReason::BadStatus { code: status })
        );
    }
    let widened = judge(&[&base[..], &["--expect-status", "200-399"]].concat());
    for status in [200, 204, 301, 304, 399] {
        assert_eq!(verdict(&widened, status), Verdict::Pass, "{status}");
    }
    for status in [199, 400, 404, 500] {
        assert_eq!(
            verdict(&widened, status),
            Verdict::Fail(FailReason::BadStatus { code: status })
        );
    }
}

/// Bug 20: "NotificationFile leaves stale files on signal death, and a stale
/// mode-000 file cannot be reopened (EACCES) when a pid is reused".
#[test]
fn bug_20_heartbeat_file_replaces_a_stale_file_and_removes_dead_siblings() {
    let dir = TempDir::new("hb");
    let me = std::process::id();
    let path = heartbeat_file::default_path(dir.path(), "web", "web_1", me);
    fs::write(&path, b"left by a killed process").unwrap();
    fs::set_permissions(&path, Permissions::from_mode(0o000)).unwrap();
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    let stale_sibling = heartbeat_file::default_path(dir.path(), "web", "web_1", dead.id());
    let other_program = heartbeat_file::default_path(dir.path(), "web", "web_2", dead.id());
    fs::write(&stale_sibling, b"").unwrap();
    fs::write(&other_program, b"").unwrap();

    heartbeat_file::remove_stale_siblings(dir.path(), "web", "web_1", me);
    let mut beat = HeartbeatFile::create(&path).unwrap();
    assert!(!stale_sibling.exists(), "the dead pid's file is gone");
    assert!(
        other_program.exists(),
        "another program's file is not touched"
    );
    let meta = fs::symlink_metadata(&path).unwrap();
    assert_eq!(meta.len(), 0, "a fresh file, not the stale one");
    let ctime = (meta.ctime(), meta.ctime_nsec());
    std::thread::sleep(Duration::from_millis(20));
    beat.notify().unwrap();
    let meta = fs::symlink_metadata(&path).unwrap();
    assert!(
        (meta.ctime(), meta.ctime_nsec()) > ctime,
        "notify bumps the ctime"
    );
    drop(beat);
    assert!(!path.exists(), "removed when dropped");
}
