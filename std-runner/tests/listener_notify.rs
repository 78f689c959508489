//! Notifications of the supervisor_checks drop-ins (`--mail-to`, `--webhook`)
//! under a real supervisord: a restart loop mails once per window, a recovery
//! mails once, the webhook gets the same as JSON; a bad notification setting
//! stops the listener before READY.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/kinds.rs"]
mod kinds;
#[path = "support/sinks.rs"]
mod sinks;
mod support;

use std::time::Duration;

use kinds::{demo_program, listener, running_pid, wait_log, wait_restart};
use sinks::{Recorder, header, install_sendmail, mails};
use support::listener_process::{ListenerProcess, exited_with};
use support::{Supervisord, free_port, wait_for};

#[test]
fn restart_loop_mails_once_and_recovery_once_with_the_webhook_in_step() {
    let port = free_port();
    let hook = Recorder::start();
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        listener(
            "check",
            &format!(
                "{{dir}}/bin/supervisor_http_check -N svc -n web -u /ping -t 1 -r 0 -p {port} \
                 --mail-to ops@example.com --sendmail \"{{dir}}/sendmail.sh -t -i\" --webhook {}",
                hook.url()
            )
        )
    );
    let sup = Supervisord::start("notify-drop-in", &sections);
    install_sendmail(&sup);
    let mut pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "check", "1 process(es) checked: all passed");
    assert!(mails(&sup).is_empty(), "no mail while healthy");

    // Failing: restarted on every tick, mailed once.
    sup.write("svc.mode", "fail");
    for _ in 0..2 {
        pid = wait_restart(&sup, "svc:svc", pid, "check");
    }
    let all = mails(&sup);
    assert_eq!(all.len(), 1, "one mail for a restart loop: {all:?}");
    let alert = &all[0];
    assert_eq!(header(alert, "To"), Some("ops@example.com"));
    assert_eq!(
        header(alert, "Subject"),
        Some("supervisor_http_check: svc:svc restarted")
    );
    assert!(
        header(alert, "From")
            .unwrap()
            .starts_with("supervisor_http_check@"),
        "{alert}"
    );
    assert!(header(alert, "Date").is_some() && header(alert, "Message-ID").is_some());
    assert!(alert.contains("bad HTTP status 500"), "the reason: {alert}");

    // Healthy again: one "recovered" message.
    sup.write("svc.mode", "ok");
    assert!(
        wait_for(Duration::from_secs(20), || mails(&sup).len() == 2),
        "no recovery mail; listener log:\n{}",
        sup.file("check.err")
    );
    let all = mails(&sup);
    let recovered = all
        .iter()
        .find(|m| header(m, "Subject") == Some("supervisor_http_check: svc:svc recovered"))
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(
        recovered.contains("supervisor_http_check sees svc:svc healthy again."),
        "{recovered}"
    );
    assert!(
        recovered.contains("more events for svc:svc were suppressed since the previous message"),
        "the restarts not mailed are counted: {recovered}"
    );

    // The POSTs go out on their own threads: wait for both.
    let mut posts = Vec::new();
    wait_for(Duration::from_secs(10), || {
        posts.extend(hook.all());
        posts.len() >= 2
    });
    let kinds: Vec<&str> = posts
        .iter()
        .map(|(_, body)| {
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(json["process"], "svc:svc", "{body}");
            assert_eq!(json["tool"], "supervisor_http_check", "{body}");
            if json["kind"] == "alert" {
                "alert"
            } else {
                "recovered"
            }
        })
        .collect();
    assert_eq!(kinds, ["alert", "recovered"], "{posts:?}");
    let (head, _) = &posts[0];
    assert!(head.starts_with("POST /hook HTTP/1.1"), "{head}");
}

#[test]
fn bad_notification_settings_stop_the_listener_before_ready() {
    for (args, culprit) in [
        (&["--webhook", "ftp://example.com/hook"][..], "--webhook"),
        (
            &["--mail-to", "ops@example.com", "--sendmail", " "][..],
            "--sendmail",
        ),
        (&["--notify-window", "0"][..], "--notify-window"),
    ] {
        let mut argv = vec!["tcp", "-n", "t", "-g", "web", "-p", "1"];
        argv.extend_from_slice(args);
        let mut l = ListenerProcess::spawn(&argv, Some("unix:///nonexistent.sock"));
        let status = l.wait_exit(Duration::from_secs(10)).expect("exits");
        let err = l.stderr();
        assert!(
            exited_with(status, &[2]),
            "{args:?}: status {status:?}:\n{err}"
        );
        assert!(err.contains(culprit), "{args:?} names {culprit}: {err}");
        assert_eq!(l.stdout(), b"", "{args:?}: not even READY");
    }
}
