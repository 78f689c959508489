//! `--version` and `--help` under every name: each of the eleven names (a
//! symlink in a temp dir, so argv[0] is the name), every `supercheck`
//! subcommand, and `supercheck NAME` (how the wheel's scripts call it).
//! The version line names the tool and supercheck's version, both exit 0,
//! and the help is a manual: every flag the peers spec lists for that tool,
//! the sections, the defaults.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The flags the peers spec (sections 3.1, 3.2, 4.1-4.3) lists for each name,
/// plus supercheck's own version flag.
fn spec_flags(name: &str) -> Vec<&'static str> {
    let flags = match name {
        "supervisor_http_check" => {
            "-n --check-name -g --process-group -N --process-name -h --help -u --url -p --port -m --method -j --json -b --body -H --headers -U --username -P --password -t --timeout -r --num-retries -V --version"
        }
        "supervisor_tcp_check" => {
            "-n --check-name -g --process-group -N --process-name -p --port -t --timeout -r --num-retries -V --version"
        }
        "supervisor_xmlrpc_check" => {
            "-n --check-name -g --process-group -N --process-name -u --url -s --socket-path -S --socket-dir -m --method -p --port -U --username -P --password -r --num-retries -V --version"
        }
        "supervisor_memory_check" => {
            "-n --check-name -g --process-group -N --process-name -m --msx-rss -c --cumulative -V --version"
        }
        "supervisor_cpu_check" => {
            "-n --check-name -g --process-group -N --process-name -p --max-cpu-percent -i --interval -V --version"
        }
        "supervisor_file_check" => {
            "-n --check-name -g --process-group -N --process-name -t --timeout -x --fail-on-error -f --filepath -d --root-dir -V --version"
        }
        "supervisor_complex_check" => {
            "-n --check-name -g --process-group -N --process-name -c --check-config -V --version"
        }
        "httpok" => {
            "-p --program -a --any -t --timeout -c --code -b --body -s --sendmail_program -m --email -g --gcore -d --coredir -e --eager -E --not-eager -n --name -h --help -V --version"
        }
        "memmon" => {
            "-c --cumulative -p --program -g --group -a --any -s --sendmail_program -m --email -u --uptime -n --name -h --help -V --version"
        }
        "crashmail" => {
            "-p --program -a --any -o --optionalheader -s --sendmail_program -m --email -h --help -V --version"
        }
        _ => panic!("no spec flags for {name}"),
    };
    flags.split_whitespace().collect()
}

const CHECK_NAMES: [&str; 7] = [
    "supervisor_http_check",
    "supervisor_tcp_check",
    "supervisor_xmlrpc_check",
    "supervisor_memory_check",
    "supervisor_cpu_check",
    "supervisor_file_check",
    "supervisor_complex_check",
];
const SUPERLANCE_NAMES: [&str; 3] = ["httpok", "memmon", "crashmail"];

fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env_remove("SUPERVISOR_SERVER_URL")
        .output()
        .expect("run")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `flag` appears in `text` as a whole word (`-p` not inside `--port`).
fn mentions_flag(text: &str, flag: &str) -> bool {
    text.match_indices(flag).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + flag.len()..].chars().next();
        !matches!(before, Some(c) if c == '-' || c.is_alphanumeric())
            && !matches!(after, Some(c) if c == '_' || c == '-' || c.is_alphanumeric())
    })
}

/// The names, as symlinks to the binary in a temp dir.
fn linked_names() -> support::TempDir {
    let dir = support::TempDir::new("names");
    for name in CHECK_NAMES.iter().chain(&SUPERLANCE_NAMES) {
        std::os::unix::fs::symlink(support::supercheck_bin(), dir.path().join(name)).unwrap();
    }
    dir
}

#[test]
fn every_name_prints_its_name_and_supercheck_version_and_exits_zero() {
    let dir = linked_names();
    for name in CHECK_NAMES.iter().chain(&SUPERLANCE_NAMES) {
        for flag in ["--version", "-V"] {
            let out = run(&dir.path().join(name), &[flag]);
            assert!(out.status.success(), "{name} {flag}: {:?}", out.status);
            assert_eq!(
                stdout(&out),
                format!("{name} (supercheck) {VERSION}\n"),
                "{name} {flag}"
            );
        }
    }
    let out = run(&support::supercheck_bin(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), format!("supercheck {VERSION}\n"));
}

#[test]
fn superlance_names_take_version_with_getopt_prefixes_and_still_refuse_bad_options() {
    let dir = linked_names();
    let out = run(&dir.path().join("memmon"), &["--vers"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), format!("memmon (supercheck) {VERSION}\n"));
    // httpok's -V needs no URL, and does not hide a bad option's status.
    let out = run(&dir.path().join("httpok"), &["-V"]);
    assert!(out.status.success());
    let out = run(&dir.path().join("httpok"), &["--bogus"]);
    assert_eq!(out.status.code(), Some(255));
}

#[test]
fn every_subcommand_answers_version() {
    let bin = support::supercheck_bin();
    for sub in [
        "http",
        "tcp",
        "xmlrpc",
        "memory",
        "cpu",
        "file",
        "complex",
        "exec",
        "notify",
        "demo-service",
        "install-links",
    ] {
        let out = run(&bin, &[sub, "--version"]);
        assert!(out.status.success(), "supercheck {sub} --version");
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("supercheck-{sub} "))
                && text.ends_with(&format!("{VERSION}\n")),
            "supercheck {sub}: {text:?}"
        );
    }
    for sub in SUPERLANCE_NAMES {
        let out = run(&bin, &[sub, "--version"]);
        assert_eq!(stdout(&out), format!("{sub} (supercheck) {VERSION}\n"));
    }
}

#[test]
fn supercheck_followed_by_a_drop_in_name_runs_as_that_name() {
    let bin = support::supercheck_bin();
    for name in CHECK_NAMES.iter().chain(&SUPERLANCE_NAMES) {
        let out = run(&bin, &[name, "--version"]);
        assert!(out.status.success(), "supercheck {name} --version");
        assert_eq!(stdout(&out), format!("{name} (supercheck) {VERSION}\n"));
    }
    // The usage names the tool, and a bad flag keeps the tool's exit status.
    let out = run(&bin, &["supervisor_tcp_check", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("supervisor_tcp_check"));
    // A path is not a name: `supercheck /x/supervisor_tcp_check` is an unknown subcommand.
    let out = run(&bin, &["/x/supervisor_tcp_check", "--version"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_name_has_a_manual_with_every_spec_flag_and_section() {
    let dir = linked_names();
    for name in CHECK_NAMES.iter().chain(&SUPERLANCE_NAMES) {
        let out = run(&dir.path().join(name), &["--help"]);
        assert!(out.status.success(), "{name} --help");
        let help = stdout(&out);
        assert!(
            help.contains(&format!("{name} - ")),
            "{name}: no NAME line:\n{help}"
        );
        for flag in spec_flags(name) {
            assert!(
                mentions_flag(&help, flag),
                "{name} --help lacks {flag}:\n{help}"
            );
        }
        for section in [
            "EXAMPLES",
            "EXIT STATUS",
            "ENVIRONMENT",
            "SUPERVISOR_SERVER_URL",
            "SEE ALSO",
        ] {
            assert!(help.contains(section), "{name} --help lacks {section}");
        }
        assert!(
            help.to_lowercase().contains("usage: "),
            "{name}: no synopsis"
        );
        assert!(
            help.contains("[eventlistener:") && help.contains(&format!("/{name} ")),
            "{name}: the example does not use the name"
        );
    }
}

#[test]
fn check_manuals_show_the_defaults_of_their_options() {
    let dir = linked_names();
    let help = stdout(&run(&dir.path().join("supervisor_http_check"), &["--help"]));
    for default in [
        "[default: GET]",
        "[default: 15]",
        "[default: 2]",
        "[default: 200]",
        "[default: off]",
        "[default: RUNNING]",
    ] {
        assert!(help.contains(default), "http --help lacks {default}");
    }
    let help = stdout(&run(
        &dir.path().join("supervisor_xmlrpc_check"),
        &["--help"],
    ));
    assert!(help.contains("[default: status]"));
    let help = stdout(&run(&dir.path().join("httpok"), &["--help"]));
    assert!(help.contains("default 10") && help.contains("default 200"));
}

#[test]
fn supercheck_help_lists_the_names_and_the_subcommands() {
    let out = run(&support::supercheck_bin(), &["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for word in CHECK_NAMES.iter().chain(&SUPERLANCE_NAMES).chain(&[
        "install-links",
        "demo-service",
        "notify",
        "EXAMPLES",
        "ENVIRONMENT",
    ]) {
        assert!(help.contains(word), "supercheck --help lacks {word}");
    }
}
