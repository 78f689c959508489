//! The `httpok`/`memmon` command lines as superlance's getopt reads them: bad
//! options print the usage and exit 255, `-h` exits 0, and outside
//! supervisord a one-line explanation (exit 0), never a traceback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Command, Output};

/// Runs the binary as `name` (a symlink in a temp dir) with `args`, outside supervisord.
fn run_as(name: &str, args: &[&str]) -> Output {
    let dir = support::TempDir::new(&format!("cli-{name}"));
    let link = dir.path().join(name);
    std::os::unix::fs::symlink(support::supercheck_bin(), &link).expect("link");
    Command::new(&link)
        .args(args)
        .env_remove("SUPERVISOR_SERVER_URL")
        .output()
        .expect("run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bad_options_print_the_usage_on_stderr_and_exit_255() {
    for (name, args) in [
        ("httpok", vec!["--bogus", "http://x/"]),
        ("httpok", vec![]),
        ("httpok", vec!["http://a/", "http://b/"]),
        ("httpok", vec!["-t", "ten", "http://a/"]),
        ("memmon", vec![]),
        ("memmon", vec!["-p", "web"]),
        ("memmon", vec!["-a", "1.5GB"]),
        ("memmon", vec!["-u", "1w"]),
    ] {
        let out = run_as(name, &args);
        assert_eq!(out.status.code(), Some(255), "{name} {args:?}");
        assert!(
            text(&out.stderr).contains(&format!("usage: {name}")),
            "{name} {args:?}"
        );
        assert!(
            out.stdout.is_empty(),
            "stdout belongs to the protocol: {name} {args:?}"
        );
    }
    let out = run_as("memmon", &["-p", "web=1M"]);
    assert!(
        text(&out.stderr).contains("Unparseable byte_size"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_exits_0_with_the_usage() {
    for (name, flag) in [("httpok", "-h"), ("httpok", "--help"), ("memmon", "--he")] {
        let out = run_as(name, &[flag]);
        assert_eq!(out.status.code(), Some(0), "{name} {flag}");
        assert!(text(&out.stdout).contains(&format!("usage: {name}")));
    }
}

#[test]
fn outside_supervisord_both_tools_explain_and_exit_0() {
    let out = run_as("httpok", &["-p", "web", "http://127.0.0.1:1/"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr),
        "httpok must be run as a supervisor event listener\n"
    );
    let out = run_as("memmon", &["-a", "1GB"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "superlance's memmon died with KeyError"
    );
    assert_eq!(
        text(&out.stderr),
        "memmon must be run as a supervisor event listener\n"
    );
}

#[cfg(not(feature = "tls"))]
#[test]
fn https_url_without_the_tls_feature_is_refused_at_startup_instead_of_failing_every_tick() {
    let out = run_as("httpok", &["-p", "web", "https://127.0.0.1/"]);
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("without the `tls` feature"));
}

#[cfg(feature = "tls")]
#[test]
fn https_url_with_an_unreadable_ca_file_is_refused_at_startup_naming_it() {
    let out = run_as(
        "httpok",
        &[
            "-p",
            "web",
            "--ca-file",
            "/nonexistent/ca.pem",
            "https://127.0.0.1/",
        ],
    );
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("--ca-file /nonexistent/ca.pem: cannot read it"));
}

#[test]
fn subcommands_are_the_same_tools() {
    let out = Command::new(support::supercheck_bin())
        .args(["httpok", "--bogus"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(255));
    let out = Command::new(support::supercheck_bin())
        .args(["memmon", "-h"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("usage: memmon"));
}
