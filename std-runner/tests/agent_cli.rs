//! `supercheck agent --check-config`: every broken sample file exits 2 and
//! names its line, column and key; a good file exits 0 and lists its checks;
//! `--config` with a broken file exits 2 before `READY`.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::supercheck_bin;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/cmdline/tests/agent_files")
}

#[test]
fn check_config_on_every_broken_file_exits_2_naming_the_line() {
    let mut seen = 0;
    for entry in std::fs::read_dir(samples().join("bad")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no expect line", path.display()));
        let out = Command::new(supercheck_bin())
            .args(["agent", "--check-config"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let want = format!("{}:{expect}", path.display());
        assert!(stderr.contains(&want), "{stderr:?} lacks {want:?}");
        assert!(out.stdout.is_empty());
        seen += 1;
    }
    assert!(seen >= 30, "only {seen} broken samples");
}

#[test]
fn check_config_on_a_good_file_exits_0_and_lists_its_checks() {
    let out = Command::new(supercheck_bin())
        .args(["agent", "--check-config"])
        .arg(samples().join("host.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("OK, 8 check(s): web_http (http), web_memory (memory)"),
        "{stdout}"
    );
}

#[test]
fn config_with_a_broken_file_exits_2_before_ready() {
    let out = Command::new(supercheck_bin())
        .args(["agent", "--config"])
        .arg(samples().join("bad/bad_budget.toml"))
        .env("SUPERVISOR_SERVER_URL", "unix:///nonexistent.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on the protocol stream");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad_budget.toml:"));
}
