//! Notifications of the superlance drop-ins under a real supervisord: mail
//! through a sendmail stand-in script (passed with `-s`, run without a shell),
//! a webhook received by a real local HTTP server, one message per process per
//! window however often the process fails, and crashmail's process filter.

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

use kinds::{demo_program, get, listener, rss_kib, running_pid, wait_log, wait_restart};
use sinks::{Recorder, header, install_sendmail, install_sendmail_in, mails, mails_in};
use support::{Supervisord, TempDir, free_port, wait_for};

#[test]
fn httpok_mails_once_per_window_with_headers_and_posts_json_to_the_webhook() {
    let port = free_port();
    let hook = Recorder::start();
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        listener(
            "httpok",
            &format!(
                "{{bin}} httpok -p svc -t 1 -m ops@example.com -n front -s \"{{dir}}/sendmail.sh -t -i\" --webhook {} http://127.0.0.1:{port}/ping",
                hook.url()
            )
        )
    );
    let sup = Supervisord::start("notify-httpok", &sections);
    install_sendmail(&sup);
    let mut pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    sup.write("svc.mode", "fail");
    // Two failing ticks, two restarts: one message.
    for _ in 0..2 {
        pid = wait_restart(&sup, "svc:svc", pid, "httpok");
    }
    assert!(
        wait_for(Duration::from_secs(5), || mails(&sup).len() == 1),
        "one mail expected; httpok log:\n{}",
        sup.file("httpok.err")
    );
    assert_eq!(
        sup.file("httpok.err").matches("notifying (alert)").count(),
        1,
        "two failures, one alert"
    );
    let mail = &mails(&sup)[0];
    assert_eq!(header(mail, "To"), Some("ops@example.com"), "{mail}");
    assert!(
        header(mail, "From").unwrap().starts_with("httpok@"),
        "{mail}"
    );
    assert_eq!(
        header(mail, "Subject"),
        Some(format!("httpok [front]: http://127.0.0.1:{port}/ping: bad status returned").as_str()),
        "{mail}"
    );
    let date = header(mail, "Date").unwrap();
    assert!(date.ends_with(" +0000") && date.contains(", "), "{date}");
    let id = header(mail, "Message-ID").unwrap();
    assert!(
        id.starts_with('<') && id.ends_with('>') && id.contains('@'),
        "{id}"
    );
    let body = mail.split_once("\n\n").unwrap().1;
    assert!(body.contains("bad HTTP status 500"), "{body}");
    assert!(body.contains("svc:svc restarted"), "{body}");
    // The program got its arguments as a vector (no shell in between).
    let args: Vec<String> = std::fs::read_dir(sup.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("args."))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(args, vec!["-t -i\n".to_string()]);

    // The webhook got one valid JSON POST.
    let requests = hook.all();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (head, body) = &requests[0];
    assert!(head.starts_with("POST /hook HTTP/1.1"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["tool"], "httpok");
    assert_eq!(json["kind"], "alert");
    assert_eq!(json["process"], "svc:svc");
    assert_eq!(json["subject"], header(mail, "Subject").unwrap());

    // Healthy again: one "recovered" message by both transports.
    sup.write("svc.mode", "ok");
    assert!(
        wait_for(Duration::from_secs(20), || mails(&sup).len() == 2),
        "a recovery mail expected; httpok log:\n{}",
        sup.file("httpok.err")
    );
    let recovered = &mails(&sup)[1];
    assert_eq!(
        header(recovered, "Subject"),
        Some("httpok: svc:svc recovered")
    );
    assert!(
        recovered.contains("more events for svc:svc were suppressed"),
        "{recovered}"
    );
    assert!(wait_for(Duration::from_secs(5), || {
        hook.all()
            .iter()
            .any(|(_, b)| b.contains("\"kind\":\"recovered\""))
    }));
}

#[test]
fn httpok_without_m_logs_and_never_runs_sendmail() {
    let port = free_port();
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        listener(
            "httpok",
            &format!(
                "{{bin}} httpok -p svc -t 1 -s {{dir}}/sendmail.sh http://127.0.0.1:{port}/ping"
            )
        )
    );
    let sup = Supervisord::start("notify-nomail", &sections);
    install_sendmail(&sup);
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "httpok", "1 process(es) checked: all passed");
    sup.write("svc.mode", "fail");
    // The restart follows the check's return, and the check decides on the
    // notification before it returns: by now the decision is in the log.
    wait_restart(&sup, "svc:svc", pid, "httpok");
    wait_log(&sup, "httpok", "not mailed (no -m or --webhook)");
    assert_never_sent(&sup.file("httpok.err"), sup.dir.path());
}

/// Asserts that no notification went out, from `log` and the sendmail
/// stand-in's files in `dir`. The tools log `notifying (...)` before they
/// start a transport, so a log without it, read once the decisions were
/// logged, proves that sendmail was never started.
fn assert_never_sent(log: &str, dir: &std::path::Path) {
    assert!(!log.contains("notifying ("), "{log}");
    assert!(mails_in(dir).is_empty(), "{:?}", mails_in(dir));
    assert!(sinks::files(dir, "args.").is_empty(), "sendmail ran");
}

/// Two programs that run 2 s, then exit with status 3 (not expected), and are
/// restarted: a crash loop each. The crashmail listener gets `flags`.
fn crash_loop(tag: &str, flags: &str) -> Supervisord {
    let crasher = |name: &str| {
        format!(
            "[program:{name}]\ncommand=/bin/sh -c \"sleep 2; exit 3\"\nstartsecs=1\nautorestart=true\n\
             startretries=100\nstdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n\n"
        )
    };
    let sections = format!(
        "{}{}[eventlistener:crashmail]\ncommand={{bin}} crashmail {flags}\nevents=PROCESS_STATE\n\
         stdout_logfile={{dir}}/crashmail.out\nstderr_logfile={{dir}}/crashmail.err\n\n",
        crasher("crasher"),
        crasher("other"),
    );
    Supervisord::start(tag, &sections)
}

/// supervisord's log line for an unexpected exit of `name`.
fn crash_line(name: &str) -> String {
    format!("exited: {name} (exit status 3; not expected)")
}

/// Waits until supervisord has logged `n` unexpected exits of `name`.
fn wait_crashes(sup: &Supervisord, name: &str, n: usize) {
    let needle = crash_line(name);
    assert!(
        wait_for(Duration::from_secs(25), || sup
            .main_log()
            .matches(&needle)
            .count()
            >= n),
        "{name} did not crash {n} times; supervisord log:\n{}",
        sup.main_log()
    );
}

/// Waits until crashmail has handled, to the end, two crashes of `crasher`
/// and the first crash of `other`. crashmail takes one event at a time in
/// the order supervisord logged them, and logs a crash of `crasher` (the
/// selected one) when it starts on it: once it logged the first crash of
/// `crasher` that comes after `other`'s first in supervisord's log (the
/// third one at least), every event before it was handled and its
/// notification decided.
fn wait_handled_past_a_crash_of_other(sup: &Supervisord) {
    let main = sup.main_log();
    let other_at = main.find(&crash_line("other")).expect("other has crashed");
    let n = (main[..other_at].matches(&crash_line("crasher")).count() + 1).max(3);
    wait_crashes(sup, "crasher", n);
    assert!(
        wait_for(Duration::from_secs(10), || sup
            .file("crashmail.err")
            .matches("crasher:crasher exited unexpectedly")
            .count()
            >= n),
        "crashmail did not handle {n} crashes of crasher; its log:\n{}\nsupervisord log:\n{}",
        sup.file("crashmail.err"),
        sup.main_log()
    );
}

#[test]
fn crashmail_mails_once_for_a_selected_crash_loop_and_never_for_an_unselected_one() {
    let mail_dir = TempDir::new("crashmail-mail");
    let sendmail = install_sendmail_in(mail_dir.path());
    let sup = crash_loop(
        "crashmail-p",
        &format!("-p crasher -o prod -m ops@example.com -s \"{sendmail} -t -i\""),
    );
    wait_crashes(&sup, "crasher", 3);
    wait_crashes(&sup, "other", 3);
    // Two crashes of crasher and one of other decided: one message (the
    // window itself is tested in the engine's virtual time).
    wait_handled_past_a_crash_of_other(&sup);
    let log = sup.file("crashmail.err");
    assert_eq!(
        log.matches("notifying (").count(),
        1,
        "one notification for a crash loop:\n{log}"
    );
    assert!(
        wait_for(Duration::from_secs(5), || !mails_in(mail_dir.path())
            .is_empty()),
        "no mail; crashmail log:\n{}",
        sup.file("crashmail.err")
    );
    let all = mails_in(mail_dir.path());
    assert_eq!(all.len(), 1, "one mail for a crash loop: {all:?}");
    let mail = &all[0];
    assert_eq!(header(mail, "To"), Some("ops@example.com"));
    assert!(
        header(mail, "From").unwrap().starts_with("crashmail@"),
        "{mail}"
    );
    assert!(header(mail, "Date").is_some() && header(mail, "Message-ID").is_some());
    assert!(
        header(mail, "Subject")
            .unwrap()
            .starts_with("prod: crasher crashed at "),
        "{mail}"
    );
    assert!(
        mail.contains("Process crasher in group crasher exited unexpectedly (pid "),
        "{mail}"
    );
    assert!(!mail.contains("other"), "{mail}");
    assert!(!log.contains("other:other exited unexpectedly"), "{log}");
    assert_eq!(
        sup.state("crashmail"),
        "RUNNING",
        "the listener keeps up with every event"
    );
    let listener = sup.pid("crashmail").unwrap();
    assert!(
        wait_for(Duration::from_secs(5), || zombie_children(listener) == 0),
        "the sendmail child was reaped"
    );
}

/// Children of `parent` in the zombie state.
fn zombie_children(parent: u32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // `pid (comm) S ppid ...`: fields after the last `)`.
            let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
            let mut fields = rest.split_whitespace();
            let state = fields.next();
            let ppid = fields.next().and_then(|p| p.parse::<u32>().ok());
            state == Some("Z") && ppid == Some(parent)
        })
        .count()
}

#[test]
fn crashmail_drop_in_name_answers_like_superlance_outside_supervisord() {
    let dir = TempDir::new("crashmail-name");
    let link = dir.path().join("crashmail");
    std::os::unix::fs::symlink(support::supercheck_bin(), &link).unwrap();
    let out = std::process::Command::new(&link)
        .args(["-p", "web", "-m", "ops@x"])
        .env_remove("SUPERVISOR_SERVER_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "crashmail must be run as a supervisor event listener\n"
    );
    let bad = std::process::Command::new(&link)
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(255), "getopt refusal");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("usage: crashmail"));
    let help = std::process::Command::new(support::supercheck_bin())
        .args(["crashmail", "--help"])
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("-o, --optionalheader"));
}

#[test]
fn crashmail_without_m_logs_crashes_and_never_runs_sendmail() {
    let mail_dir = TempDir::new("crashmail-nomail");
    let sendmail = install_sendmail_in(mail_dir.path());
    let sup = crash_loop("crashmail-nom", &format!("-a -s {sendmail}"));
    wait_crashes(&sup, "crasher", 2);
    wait_log(
        &sup,
        "crashmail",
        "not mailed (no -m or --webhook): Subject: crasher crashed at",
    );
    wait_log(
        &sup,
        "crashmail",
        "not mailed (no -m or --webhook): Subject: other crashed at",
    );
    assert_never_sent(&sup.file("crashmail.err"), mail_dir.path());
}

/// memmon on a demo service `svc` with a 100 MB limit and `flags`; the
/// service is made to grow past the limit and is restarted.
fn memmon_restart(tag: &str, flags: &str) -> Supervisord {
    let port = free_port();
    let sections = format!(
        "{}{}",
        demo_program("svc", "svc", &format!("--port {port}")),
        listener("memmon", &format!("{{bin}} memmon -p svc=100MB {flags}"))
    );
    let sup = Supervisord::start(tag, &sections);
    install_sendmail(&sup);
    let pid = running_pid(&sup, "svc:svc");
    wait_log(&sup, "memmon", "1 process(es) checked: all passed");
    sup.write("svc.mode", "grow");
    for _ in 0..3 {
        if rss_kib(pid) > 100 * 1024 {
            break;
        }
        assert!(
            get(port).contains("200 OK"),
            "the service stopped answering"
        );
    }
    sup.write("svc.mode", "ok");
    wait_restart(&sup, "svc:svc", pid, "memmon");
    sup
}

#[test]
fn memmon_mails_the_restart_with_its_rss() {
    let sup = memmon_restart(
        "notify-memmon",
        "-n box -m ops@example.com -s {dir}/sendmail.sh",
    );
    assert!(
        wait_for(Duration::from_secs(5), || mails(&sup).len() == 1),
        "one mail expected; memmon log:\n{}",
        sup.file("memmon.err")
    );
    let mail = &mails(&sup)[0];
    assert_eq!(
        header(mail, "Subject"),
        Some("memmon [box]: process svc:svc restarted"),
        "{mail}"
    );
    assert!(
        header(mail, "From").unwrap().starts_with("memmon@"),
        "{mail}"
    );
    assert!(
        mail.contains("because it was consuming too much memory (") && mail.contains("bytes RSS"),
        "{mail}"
    );
}

#[test]
fn memmon_uptime_limit_skips_mail_for_a_long_running_process() {
    // The process has been up for more than 1 s when it is restarted.
    let sup = memmon_restart(
        "notify-memmon-u",
        "-u 1s -m ops@example.com -s {dir}/sendmail.sh",
    );
    // Logged where the check decides not to notify, before the restart.
    wait_log(&sup, "memmon", "more than -u 1 s: no notification");
    assert_never_sent(&sup.file("memmon.err"), sup.dir.path());
}
