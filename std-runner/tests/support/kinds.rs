//! Shared pieces of the per-kind end-to-end tests (`listener_<kind>.rs`):
//! supervisord sections for demo services and listeners, waits on restarts
//! and log lines, and the protocol-hygiene assertions every kind must pass.
//!
//! Included with `#[path = "support/kinds.rs"] mod kinds;` next to `mod support;`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Supervisord, wait_for};

/// How long a test waits for the first tick's summary, or for a restart:
/// TICK_5 plus supervisord's start-up, with room for a loaded machine.
pub const TICK_WAIT: Duration = Duration::from_secs(25);

/// A `[program:NAME]` running `supercheck demo-service` with mode file
/// `{dir}/NAME.mode` and `extra` arguments (`--port P`, `--unix PATH`...).
/// The process name is `process_name` (supervisord expansions allowed).
pub fn demo_program(name: &str, process_name: &str, extra: &str) -> String {
    format!(
        "[program:{name}]\ncommand={{bin}} demo-service --mode-file {{dir}}/{name}.mode {extra}\n\
         process_name={process_name}\nstartsecs=1\nstopasgroup=true\nkillasgroup=true\n\
         stdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n\n"
    )
}

/// A demo service on `port`, named `NAME_PORT` (for `-p ".+_(\d+)"`).
pub fn port_program(name: &str, port: u16) -> String {
    demo_program(name, &format!("{name}_{port}"), &format!("--port {port}"))
}

/// `[group:GROUP]` of `programs`.
pub fn group(group: &str, programs: &[&str]) -> String {
    format!("[group:{group}]\nprograms={}\n\n", programs.join(","))
}

/// An `[eventlistener:NAME]` on TICK_5 running `command` (with `{dir}` and
/// `{bin}` placeholders), logging to `{dir}/NAME.out` and `{dir}/NAME.err`.
pub fn listener(name: &str, command: &str) -> String {
    format!(
        "[eventlistener:{name}]\ncommand={command}\nevents=TICK_5\n\
         stdout_logfile={{dir}}/{name}.out\nstderr_logfile={{dir}}/{name}.err\n\n"
    )
}

/// The same listener, not started with supervisord (`supervisorctl start` it).
pub fn listener_stopped(name: &str, command: &str) -> String {
    format!(
        "{}\nautostart=false\n\n",
        listener(name, command).trim_end()
    )
}

/// Waits until the log of listener `name` contains `needle`; panics with the
/// logs when it does not within [`TICK_WAIT`].
pub fn wait_log(sup: &Supervisord, name: &str, needle: &str) {
    let file = format!("{name}.err");
    assert!(
        wait_for(TICK_WAIT, || sup.file(&file).contains(needle)),
        "{name} never logged {needle:?}; its log:\n{}\nsupervisord log:\n{}",
        sup.file(&file),
        sup.main_log()
    );
}

/// Waits until `namespec` runs (RUNNING with a pid) and returns its pid.
pub fn running_pid(sup: &Supervisord, namespec: &str) -> u32 {
    let mut pid = None;
    assert!(
        wait_for(TICK_WAIT, || {
            pid = (sup.state(namespec) == "RUNNING")
                .then(|| sup.pid(namespec))
                .flatten();
            pid.is_some()
        }),
        "{namespec} never ran; supervisord log:\n{}",
        sup.main_log()
    );
    pid.unwrap()
}

/// Waits until `namespec` runs with a pid other than `old`; panics with the
/// listener's log when it does not.
pub fn wait_restart(sup: &Supervisord, namespec: &str, old: u32, listener: &str) -> u32 {
    let mut new = None;
    assert!(
        wait_for(TICK_WAIT, || {
            new = sup.pid(namespec).filter(|&p| p != old);
            new.is_some()
        }),
        "{namespec} was not restarted; {listener} log:\n{}\nsupervisord log:\n{}",
        sup.file(&format!("{listener}.err")),
        sup.main_log()
    );
    new.unwrap()
}

/// How many times listener `name` has logged `needle` so far.
pub fn count_log(sup: &Supervisord, name: &str, needle: &str) -> usize {
    sup.file(&format!("{name}.err")).matches(needle).count()
}

/// Asserts what every listener must keep to: its stdout log holds nothing but
/// protocol tokens (`READY\n`, `RESULT 2\nOK`), at least one acknowledged
/// event, and supervisord never saw it break the protocol (state `UNKNOWN`).
pub fn assert_protocol_clean(sup: &Supervisord, name: &str) {
    let out = sup.file(&format!("{name}.out"));
    let mut rest = out.as_str();
    let mut results = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("READY\n") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("RESULT 2\nOK") {
            results += 1;
            rest = r;
        } else {
            panic!("{name} wrote non-protocol bytes on stdout: {rest:?}\nwhole stdout: {out:?}");
        }
    }
    assert!(results > 0, "{name} never acknowledged an event: {out:?}");
    assert!(
        out.starts_with("READY\n"),
        "{name} did not start with READY: {out:?}"
    );
    let log = sup.main_log();
    // supervisord logs `<listener>: BUSY -> UNKNOWN` (or from another state).
    let transition = format!("{name}: ");
    let broken: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&transition) && l.contains("-> UNKNOWN"))
        .collect();
    assert!(
        broken.is_empty(),
        "supervisord saw {name} break the protocol:\n{}",
        broken.join("\n")
    );
}

/// Sends one `GET /ping` to `127.0.0.1:port` and reads the reply (the demo
/// service does its mode's work, e.g. `grow`, per request).
pub fn get(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to demo service");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}

/// `VmRSS` of `pid` in KiB (0 when it cannot be read).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The fields of `/proc/<pid>/stat` after the command name (field 3 first).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, tail) = text.rsplit_once(')')?;
    Some(tail.split_whitespace().map(str::to_string).collect())
}

/// Every running pid whose parent is `parent`.
pub fn children(parent: u32) -> Vec<u32> {
    pids_where(|fields| fields.get(1).and_then(|p| p.parse().ok()) == Some(parent))
}

/// Every running pid in process group `pgid` (zombies excluded).
pub fn group_members(pgid: u32) -> Vec<u32> {
    pids_where(|fields| {
        fields.first().map(String::as_str) != Some("Z")
            && fields.get(2).and_then(|p| p.parse().ok()) == Some(pgid)
    })
}

fn pids_where(mut pred: impl FnMut(&[String]) -> bool) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_fields(pid).is_some_and(|f| pred(&f)))
        .collect()
}
