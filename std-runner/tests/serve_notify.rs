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
#[path = "support/sinks.rs"]
mod sinks;
mod support;

use std::time::Duration;

use serve_support::{Demo, Serve, temp, wait};
use sinks::{Recorder, files, header, install_sendmail_in as install_sendmail};
use support::wait_for;

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
            &hooks.url_at("/default"),
        ],
        &[],
    );
    let body = format!(
        r#"{{"name":"web","url":"{}","interval_s":5,"timeout_s":2,"unhealthy_threshold":2,"healthy_threshold":2,"notify":{{"email":["owner@example.com"],"webhook":["{}"]}}}}"#,
        demo.url(),
        hooks.url_at("/own")
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
        posts.extend(hooks.paths_and_bodies());
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
    // The server logs each decision where it makes it, `notifying: ...`
    // before it starts sendmail: two sent, the third held back.
    wait(|| serve.log_text().contains("notification suppressed"));
    let log = serve.log_text();
    let degraded = "supercheck-serve: web is DEGRADED";
    assert!(
        log.contains(&format!(
            "notification suppressed (one per monitor and state per window): {degraded}"
        )),
        "{log}"
    );
    assert_eq!(log.matches("notifying: ").count(), 2, "{log}");
    assert_eq!(
        log.matches(&format!("notifying: Subject: {degraded}"))
            .count(),
        1,
        "{log}"
    );
    assert!(wait_for(Duration::from_secs(5), || files(
        dir.path(),
        "mail."
    )
    .len()
        >= 2));
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
