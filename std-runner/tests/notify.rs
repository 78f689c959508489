//! `supercheck notify`, the real binary: it creates, bumps and removes the
//! heartbeat file of the program that calls it, keeps it fresh while a command
//! runs (`--every`), and under a real supervisord the file check restarts a
//! script that stops notifying, never one that notifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Supervisord, TempDir, supercheck_bin, wait_for};

/// `supercheck notify ARGS` with a supervisord-like environment (group `g`,
/// process `n`, `TMPDIR` = `tmp`), run to completion.
fn notify(tmp: &Path, args: &[&str]) -> Output {
    notify_command(tmp, args)
        .output()
        .expect("run supercheck notify")
}

fn notify_command(tmp: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(supercheck_bin());
    cmd.arg("notify")
        .args(args)
        .env("SUPERVISOR_GROUP_NAME", "g")
        .env("SUPERVISOR_PROCESS_NAME", "n")
        .env("TMPDIR", tmp)
        .stdin(Stdio::null());
    cmd
}

/// The change time, in nanoseconds (what the file check reads, with `lstat`).
fn ctime(path: &Path) -> Option<i128> {
    let m = fs::symlink_metadata(path).ok()?;
    Some(i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn notify_creates_bumps_and_removes_the_callers_heartbeat_file() {
    let tmp = TempDir::new("nt-bump");
    // The caller is this test process: the file names its pid, in $TMPDIR.
    let path = tmp.path().join(format!("g-n-{}", std::process::id()));
    let out = notify(tmp.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = fs::symlink_metadata(&path).expect("created at the default path");
    assert!(meta.file_type().is_file());
    assert_eq!(meta.len(), 0, "no data is written");
    assert_eq!(
        meta.mode() & 0o776,
        0,
        "mode 000 or 001, as NotificationFile"
    );

    let first = ctime(&path).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    assert!(notify(tmp.path(), &[]).status.success());
    assert!(
        ctime(&path).unwrap() > first,
        "the second call bumps the ctime"
    );

    assert!(notify(tmp.path(), &["--remove"]).status.success());
    assert!(!path.exists());
    let again = notify(tmp.path(), &["--remove"]);
    assert!(again.status.success(), "removing twice is fine (traps)");
}

#[test]
fn root_dir_and_pid_flags_choose_the_file_and_stale_siblings_are_removed() {
    let tmp = TempDir::new("nt-stale");
    let root = tmp.path().join("root");
    fs::create_dir(&root).unwrap();
    // Left by killed processes: pids above pid_max never run.
    let stale = root.join("g-n-999999999");
    let other_program = root.join("g-other-999999999");
    fs::write(&stale, "").unwrap();
    fs::write(&other_program, "").unwrap();
    let root_arg = root.display().to_string();
    let out = notify(tmp.path(), &["--root-dir", &root_arg, "--pid", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root.join("g-n-1").exists(), "pid 1 names the file");
    assert!(
        !stale.exists(),
        "a dead pid's file of the same program is removed"
    );
    assert!(
        other_program.exists(),
        "another program's file is not touched"
    );
    assert!(
        fs::read_dir(tmp.path())
            .unwrap()
            .all(|e| e.unwrap().path() == root),
        "nothing was created in $TMPDIR"
    );
}

#[test]
fn outside_supervisord_notify_says_so_unless_given_a_file() {
    let tmp = TempDir::new("nt-env");
    let out = Command::new(supercheck_bin())
        .arg("notify")
        .env_remove("SUPERVISOR_GROUP_NAME")
        .env_remove("SUPERVISOR_PROCESS_NAME")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("not running under supervisord"), "{text}");
    assert!(text.contains("--file PATH"), "{text}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);

    let file = tmp.path().join("beat");
    let out = Command::new(supercheck_bin())
        .args(["notify", "--file"])
        .arg(&file)
        .env_remove("SUPERVISOR_GROUP_NAME")
        .env_remove("SUPERVISOR_PROCESS_NAME")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.exists());
}

#[test]
fn every_keeps_the_file_fresh_while_the_command_runs_then_removes_it() {
    let tmp = TempDir::new("nt-every");
    let mut child = notify_command(
        tmp.path(),
        &["--every", "0.2", "--", "sh", "-c", "sleep 1.5; exit 3"],
    )
    .spawn()
    .unwrap();
    // With --every the pid is supercheck's own (supervisord starts it directly).
    let path = tmp.path().join(format!("g-n-{}", child.id()));
    assert!(wait_for(Duration::from_secs(5), || path.exists()));
    let mut ctimes = Vec::new();
    let end = Instant::now() + Duration::from_millis(900);
    while Instant::now() < end {
        if let Some(c) = ctime(&path) {
            ctimes.push(c);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    ctimes.dedup();
    assert!(
        ctimes.len() >= 3 && ctimes.windows(2).all(|w| w[0] < w[1]),
        "bumped every 0.2 s: {ctimes:?}"
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "exits with the command's status");
    assert!(!path.exists(), "removed when the command exits");
}

#[test]
fn every_passes_sigterm_to_the_command_and_exits_with_its_status() {
    let tmp = TempDir::new("nt-term");
    let file = tmp.path().join("beat");
    let file_arg = file.display().to_string();
    let started = Instant::now();
    let mut child = notify_command(
        tmp.path(),
        &["--file", &file_arg, "--every", "1", "--", "sleep", "30"],
    )
    .spawn()
    .unwrap();
    assert!(wait_for(Duration::from_secs(5), || file.exists()));
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(
        wait_for(Duration::from_secs(5), || child
            .try_wait()
            .unwrap()
            .is_some()),
        "the command did not get SIGTERM"
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15), "sleep was killed by SIGTERM");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!file.exists());
}

/// A script that notifies every half second until `<work>/stop` appears, then
/// removes the flag and goes on running without notifying; on SIGTERM it
/// removes its heartbeat file.
fn beat_script(work: &Path) -> PathBuf {
    let script = work.join("beat.sh");
    let bin = supercheck_bin().display().to_string();
    let w = work.display();
    fs::write(
        &script,
        format!(
            "trap '{bin} notify --remove; exit 0' TERM\n\
             while [ ! -e {w}/stop ]; do\n  {bin} notify || exit 1\n  sleep 0.5\ndone\n\
             rm -f {w}/stop\necho stopped notifying >&2\n\
             while :; do sleep 0.2; done\n"
        ),
    )
    .unwrap();
    script
}

#[test]
fn file_check_restarts_a_script_that_stops_notifying_and_never_one_that_notifies() {
    let work = TempDir::new("nt-sup");
    let hb = work.path().join("hb");
    fs::create_dir(&hb).unwrap();
    let script = beat_script(work.path());
    let sections = format!(
        "[program:beat]\ncommand=/bin/sh {script}\nenvironment=TMPDIR=\"{hb}\"\nstartsecs=1\n\
         stdout_logfile={{dir}}/beat.out\nstderr_logfile={{dir}}/beat.err\n\n\
         [group:grp]\nprograms=beat\n\n\
         [eventlistener:x]\ncommand={{dir}}/bin/supervisor_file_check -n x -g grp -t 3\n\
         environment=TMPDIR=\"{hb}\"\nevents=TICK_5\n\
         stderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        script = script.display(),
        hb = hb.display()
    );
    let sup = Supervisord::start("notify", &sections);
    assert!(wait_for(Duration::from_secs(15), || sup.state("grp:beat")
        == "RUNNING"));
    let pid = sup.pid("grp:beat").unwrap();
    let file = hb.join(format!("grp-beat-{pid}"));
    assert!(
        wait_for(Duration::from_secs(5), || file.exists()),
        "the script's notify used the default path (supervisord's pid, $TMPDIR)"
    );

    // While it notifies: two ticks pass, no restart.
    let passed = "1 process(es) checked: all passed";
    assert!(
        wait_for(Duration::from_secs(15), || sup
            .file("check.err")
            .matches(passed)
            .count()
            >= 2),
        "listener log:\n{}\n{}",
        sup.file("check.err"),
        sup.main_log()
    );
    assert_eq!(
        sup.pid("grp:beat"),
        Some(pid),
        "never restarted while notifying"
    );
    assert!(!sup.file("check.err").contains("restarting"));

    // It stops notifying: after 3 s the file is stale and the next tick restarts it.
    fs::write(work.path().join("stop"), "").unwrap();
    assert!(
        wait_for(Duration::from_secs(20), || sup
            .pid("grp:beat")
            .is_some_and(|p| p != pid)),
        "not restarted; listener log:\n{}",
        sup.file("check.err")
    );
    let log = sup.file("check.err");
    assert!(
        log.contains("grp:beat: file check failed: heartbeat file last touched"),
        "{log}"
    );
    assert!(log.contains("grp:beat: restarting"), "{log}");
    assert!(
        sup.file("beat.err").contains("stopped notifying"),
        "the restart came after the script stopped"
    );
    assert!(
        wait_for(Duration::from_secs(5), || !file.exists()),
        "the SIGTERM trap's `notify --remove` removed the old file"
    );
    let new_pid = sup.pid("grp:beat").unwrap();
    assert!(
        wait_for(Duration::from_secs(5), || hb
            .join(format!("grp-beat-{new_pid}"))
            .exists()),
        "the new instance notifies under its own pid"
    );
    assert!(
        sup.file("check.out")
            .starts_with("READY\nRESULT 2\nOKREADY\n")
    );
}
