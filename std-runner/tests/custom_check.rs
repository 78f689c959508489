//! Custom checks through the library API, under a real supervisord: a failing
//! custom check restarts its process, a passing one never does, and a custom
//! check that hangs is an error (no restart) while the loop keeps answering
//! ticks.
//!
//! This test binary is also the event listener its supervisord runs:
//! `custom_check --listener example ARGS...` is the program of
//! `examples/custom_check.rs` (compiled in here), and
//! `custom_check --listener hang DIR` runs a runner with a check that hangs
//! while `DIR/hang` exists. The protocol owns stdout, so this file has its own
//! small harness (`harness = false` in Cargo.toml): libtest would print there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

#[allow(dead_code)]
#[path = "../../examples/custom_check.rs"]
mod example;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use supercheck::custom::{Check, ProcessInfo, Runner, Verdict};
use support::{Supervisord, TempDir, wait_for};

// ---------------------------------------------------------------- listener side

/// Appends one line to `path` (a call log the test reads).
fn record(path: &Path) {
    if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(b"call\n");
    }
}

/// Hangs while `<dir>/hang` exists (at most a minute), then passes.
struct Hang {
    dir: PathBuf,
}

impl Check for Hang {
    fn name(&self) -> &str {
        "hang"
    }
    fn check(&mut self, _: &ProcessInfo) -> Verdict {
        record(&self.dir.join("hang.calls"));
        let end = Instant::now() + Duration::from_secs(60);
        while self.dir.join("hang").exists() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(50));
        }
        Verdict::Pass
    }
    fn timeout(&self) -> Duration {
        Duration::from_secs(1)
    }
}

/// Passes at once, recording each call.
struct Alive {
    dir: PathBuf,
}

impl Check for Alive {
    fn name(&self) -> &str {
        "alive"
    }
    fn check(&mut self, _: &ProcessInfo) -> Verdict {
        record(&self.dir.join("alive.calls"));
        Verdict::Pass
    }
}

fn hang_listener(dir: &str) -> ExitCode {
    let dir = PathBuf::from(dir);
    let runner = Runner::builder()
        .check_name("hang")
        .process("slow")
        .check(Hang { dir: dir.clone() })
        .check(Alive { dir })
        .verbose(true)
        .build();
    match runner.map_err(std::io::Error::from).and_then(Runner::run) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("hang listener: {e}");
            ExitCode::FAILURE
        }
    }
}

fn listener(args: &[String]) -> ExitCode {
    match args {
        [scenario, rest @ ..] if scenario == "example" => example::run(rest.iter().cloned()),
        [scenario, dir] if scenario == "hang" => hang_listener(dir),
        _ => {
            eprintln!("unknown listener scenario {args:?}");
            ExitCode::from(2)
        }
    }
}

// ------------------------------------------------------------------- test side

fn this_binary() -> String {
    std::env::current_exe().unwrap().display().to_string()
}

fn lines(path: &Path) -> usize {
    support::read_lossy(path).lines().count()
}

fn listener_section(args: &str) -> String {
    format!(
        "[eventlistener:custom]\ncommand={} --listener {args}\nevents=TICK_5\n\
         stderr_logfile={{dir}}/check.err\nstdout_logfile={{dir}}/check.out\n",
        this_binary()
    )
}

fn assert_protocol_clean(sup: &Supervisord) {
    assert!(
        sup.file("check.out")
            .starts_with("READY\nRESULT 2\nOKREADY\n"),
        "stdout carries only protocol bytes:\n{}",
        sup.file("check.out")
    );
    assert!(
        !sup.main_log().contains("-> UNKNOWN"),
        "the listener never broke the protocol"
    );
}

fn failing_custom_check_restarts_the_process_and_a_passing_one_never() {
    let sections = format!(
        "[program:bad]\ncommand=sleep 600\n\n[program:good]\ncommand=sleep 600\n\n\
         [program:threads]\ncommand=python3 -c \"import threading, time; \
         [threading.Thread(target=time.sleep, args=(600,), daemon=True).start() for _ in range(8)]; \
         time.sleep(600)\"\n\n\
         [group:web]\nprograms=bad,good,threads\n\n{}",
        listener_section("example --group web --max-threads 4 --marker-dir {dir} --verbose")
    );
    let sup = Supervisord::start("custom", &sections);
    for ns in ["web:bad", "web:good", "web:threads"] {
        assert!(
            wait_for(Duration::from_secs(15), || sup.state(ns) == "RUNNING"),
            "{ns} never ran"
        );
    }
    let (bad_pid, good_pid) = (sup.pid("web:bad").unwrap(), sup.pid("web:good").unwrap());
    let threads_pid = sup.pid("web:threads").unwrap();
    assert!(
        wait_for(Duration::from_secs(15), || {
            let log = sup.file("check.err");
            log.contains("web:good: threads check passed")
                && log.contains("web:good: marker check passed")
                && log.contains("web:bad: marker check passed")
        }),
        "no tick checked the processes:\n{}\n{}",
        sup.file("check.err"),
        sup.main_log()
    );

    // Nine threads against a limit of four: the threads check restarts it.
    assert!(
        wait_for(Duration::from_secs(15), || sup
            .pid("web:threads")
            .is_some_and(|p| p != threads_pid)),
        "web:threads was not restarted:\n{}",
        sup.file("check.err")
    );
    let log = sup.file("check.err");
    assert!(
        log.contains("web:threads: threads check failed: too many threads"),
        "{log}"
    );

    // A marker file makes the marker check fail: only that process restarts.
    sup.write("web-bad.unhealthy", "");
    assert!(
        wait_for(Duration::from_secs(15), || sup
            .pid("web:bad")
            .is_some_and(|p| p != bad_pid)),
        "web:bad was not restarted:\n{}",
        sup.file("check.err")
    );
    let log = sup.file("check.err");
    assert!(
        log.contains("web:bad: marker check failed: marker file present"),
        "{log}"
    );
    assert!(log.contains("web:bad: restarting"), "{log}");
    assert!(log.contains("web:bad: restarted"), "{log}");
    assert!(!log.contains("web:good: restarting"), "{log}");
    assert_eq!(
        sup.pid("web:good"),
        Some(good_pid),
        "the passing process was never restarted"
    );
    assert_protocol_clean(&sup);
}

fn hung_custom_check_is_an_error_never_a_restart_and_ticks_keep_flowing() {
    let work = TempDir::new("hang");
    std::fs::write(work.path().join("hang"), "").unwrap();
    let sections = format!(
        "[program:slow]\ncommand=sleep 600\n\n{}",
        listener_section(&format!("hang {}", work.path().display()))
    );
    let sup = Supervisord::start("hang", &sections);
    assert!(wait_for(Duration::from_secs(15), || sup.state("slow") == "RUNNING"));
    let pid = sup.pid("slow").unwrap();
    let timed_out = "slow:slow: hang check could not run: the check did not return within 1.000s; \
                     not restarting";
    let unchecked = "1 process(es) checked: 0 passed, 0 failed, 1 could not be checked";

    // Three ticks while the first call hangs: each is an error, answered in time.
    assert!(
        wait_for(Duration::from_secs(25), || sup
            .file("check.err")
            .matches(unchecked)
            .count()
            >= 3),
        "ticks stopped while the check hung:\n{}\n{}",
        sup.file("check.err"),
        sup.main_log()
    );
    let log = sup.file("check.err");
    assert!(log.matches(timed_out).count() >= 3, "{log}");
    assert_eq!(
        lines(&work.path().join("hang.calls")),
        1,
        "the hung call keeps its worker: the check is not called again meanwhile"
    );
    assert!(
        lines(&work.path().join("alive.calls")) >= 3,
        "the other check ran on every tick"
    );
    assert!(
        !log.contains("slow:slow: restarting"),
        "an error never restarts:\n{log}"
    );
    assert_eq!(sup.pid("slow"), Some(pid));
    assert!(sup.file("check.out").matches("RESULT 2\nOK").count() >= 3);

    // Once the call returns, its worker serves the check again.
    std::fs::remove_file(work.path().join("hang")).unwrap();
    assert!(
        wait_for(Duration::from_secs(15), || sup
            .file("check.err")
            .contains("slow:slow: hang check passed")),
        "the check never ran again:\n{}",
        sup.file("check.err")
    );
    assert_eq!(lines(&work.path().join("hang.calls")), 2);
    assert!(
        sup.file("check.err")
            .contains("1 process(es) checked: all passed")
    );
    assert_eq!(sup.pid("slow"), Some(pid));
    assert_protocol_clean(&sup);
}

// --------------------------------------------------------------------- harness

type Test = (&'static str, fn());

const TESTS: &[Test] = &[
    (
        "failing_custom_check_restarts_the_process_and_a_passing_one_never",
        failing_custom_check_restarts_the_process_and_a_passing_one_never,
    ),
    (
        "hung_custom_check_is_an_error_never_a_restart_and_ticks_keep_flowing",
        hung_custom_check_is_an_error_never_a_restart_and_ticks_keep_flowing,
    ),
];

/// The tests selected by libtest-style arguments (name filters, `--exact`,
/// `--skip NAME`); other flags are accepted and ignored.
fn selected(args: &[String]) -> Vec<Test> {
    let mut filters = Vec::new();
    let mut skips = Vec::new();
    let mut exact = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--exact" => exact = true,
            "--skip" => skips.extend(args.next()),
            // libtest's options that take a value (cargo-nextest lists with
            // `--list --format terse`).
            "--format" | "--color" | "--test-threads" | "--logfile" => {
                args.next();
            }
            // No test here is ignored.
            "--ignored" => return Vec::new(),
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter),
        }
    }
    let hit = |name: &str, pattern: &str| {
        if exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    TESTS
        .iter()
        .copied()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| hit(name, f)))
        .filter(|(name, _)| !skips.iter().any(|s| hit(name, s)))
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(("--listener", rest)) = args.split_first().map(|(a, r)| (a.as_str(), r)) {
        return listener(rest);
    }
    let tests = selected(&args);
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &tests {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    println!("\nrunning {} tests", tests.len());
    let started = Instant::now();
    let running: Vec<_> = tests
        .iter()
        .map(|&(name, test)| (name, std::thread::spawn(test)))
        .collect();
    let mut failed = Vec::new();
    for (name, handle) in running {
        let ok = handle.join().is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        tests.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(101)
    }
}
