//! Garbage on stdin. The listener is driven directly through a pipe, with
//! `SUPERVISOR_SERVER_URL` pointing at a real supervisord that runs a healthy
//! demo service (`web:good_<port>`) and a program that must never be
//! restarted (`web:never`, which has no port: its check "could not run").
//!
//! Whatever arrives, the listener never panics, never restarts anything
//! because of it, never treats a truncated event as whole, writes nothing on
//! stdout but `READY\n` and `RESULT 2\nOK`, and when the stream cannot be
//! followed it says why on stderr and exits 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::listener_process::{ACK, ListenerProcess, READY, count, event, exited_with, tick};
use support::{Supervisord, free_port, wait_for};

/// Lines that only a check round writes (with `--verbose`).
const ROUND_MARKS: [&str; 5] = [
    "received TICK_",
    "process(es) checked",
    "check passed",
    "could not run",
    "cannot list processes",
];

struct Bench {
    sup: Supervisord,
    good: String,
    good_pid: u32,
    never_pid: u32,
}

impl Bench {
    fn start(tag: &str) -> Self {
        let port = free_port();
        let sup = Supervisord::start(
            tag,
            &format!(
                "[program:good]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/good.mode\n\
                 process_name=good_{port}\nstartsecs=1\n\n\
                 [program:never]\ncommand=sleep 3600\nstartsecs=0\n\n\
                 [group:web]\nprograms=good,never\n"
            ),
        );
        let good = format!("web:good_{port}");
        assert!(
            wait_for(Duration::from_secs(15), || sup.state(&good) == "RUNNING"
                && sup.state("web:never") == "RUNNING"),
            "{}",
            sup.main_log()
        );
        let good_pid = sup.pid(&good).unwrap();
        let never_pid = sup.pid("web:never").unwrap();
        Self {
            sup,
            good,
            good_pid,
            never_pid,
        }
    }

    /// The http check of group `web`, verbose, as supervisord would start it.
    fn listener(&self) -> ListenerProcess {
        let url = self.sup.server_url();
        let l = ListenerProcess::spawn(
            &[
                "http",
                "-n",
                "robust",
                "-g",
                "web",
                "-u",
                "/ping",
                "-p",
                r".+_(\d+)",
                "-t",
                "1",
                "-r",
                "0",
                "--verbose",
            ],
            Some(&url),
        );
        assert!(l.wait_ready(Duration::from_secs(5)), "{}", l.stderr());
        l
    }

    /// Nothing was restarted, nothing panicked.
    fn assert_untouched(&self, l: &ListenerProcess) {
        let log = l.stderr();
        assert!(!log.contains("panicked"), "{log}");
        assert!(!log.contains(": restarting ("), "{log}");
        assert_eq!(self.sup.pid(&self.good), Some(self.good_pid), "{log}");
        assert_eq!(self.sup.pid("web:never"), Some(self.never_pid), "{log}");
    }
}

fn assert_no_round(log: &str) {
    for mark in ROUND_MARKS {
        assert!(!log.contains(mark), "a round started ({mark:?}):\n{log}");
    }
}

/// Feeds `bytes`, then expects the listener to give up on the stream: a
/// message containing `reason` on stderr, exit status 1, only READY on stdout.
fn assert_stream_lost(tag: &str, bytes: Vec<u8>, reason: &str) {
    let bench = Bench::start(tag);
    let mut l = bench.listener();
    l.send(bytes);
    let status = l.wait_exit(Duration::from_secs(5));
    let log = l.stderr();
    let status = status.unwrap_or_else(|| panic!("still running after the garbage:\n{log}"));
    assert!(exited_with(status, &[1]), "status {status:?}:\n{log}");
    assert!(log.contains("protocol error: "), "{log}");
    assert!(log.contains(reason), "expected {reason:?} in:\n{log}");
    assert!(
        log.contains("exiting so that supervisord restarts the listener in step"),
        "{log}"
    );
    assert_eq!(l.stdout(), READY, "stdout carries only READY");
    assert_no_round(&log);
    bench.assert_untouched(&l);
}

const HEAD: &str = "ver:3.0 server:supervisor serial:7 pool:robust poolserial:7";

#[test]
fn header_with_a_token_without_colon_loses_the_stream_and_exits_1() {
    assert_stream_lost(
        "badtok",
        format!("garbage {HEAD} eventname:TICK_5 len:15\nwhen:1700000005").into_bytes(),
        "expected `key:value`, found no `:`",
    );
}

#[test]
fn empty_header_line_loses_the_stream_and_exits_1() {
    assert_stream_lost("empty", b"\n".to_vec(), "found an empty line");
}

#[test]
fn header_without_len_loses_the_stream_and_exits_1() {
    assert_stream_lost(
        "nolen",
        format!("{HEAD} eventname:TICK_5\nwhen:1700000005").into_bytes(),
        "expected key `len`",
    );
}

#[test]
fn negative_len_loses_the_stream_and_exits_1() {
    assert_stream_lost(
        "neglen",
        format!("{HEAD} eventname:TICK_5 len:-15\nwhen:1700000005").into_bytes(),
        "`len`: expected a non-negative number",
    );
}

#[test]
fn non_numeric_len_loses_the_stream_and_exits_1() {
    assert_stream_lost(
        "nanlen",
        format!("{HEAD} eventname:TICK_5 len:fifteen\nwhen:1700000005").into_bytes(),
        "`len`: expected only ASCII digits",
    );
}

#[test]
fn overflowing_len_loses_the_stream_and_exits_1() {
    assert_stream_lost(
        "ovflen",
        format!("{HEAD} eventname:TICK_5 len:18446744073709551616\nwhen:1700000005").into_bytes(),
        "`len`: number too large",
    );
}

#[test]
fn one_tebibyte_len_is_refused_without_buffering_and_exits_1() {
    assert_stream_lost(
        "tiblen",
        format!("{HEAD} eventname:TICK_5 len:1099511627776\nwhen:1700000005").into_bytes(),
        "payload len 1099511627776 exceeds the limit of 1048576 bytes",
    );
}

#[test]
fn one_mebibyte_header_line_loses_the_stream_and_exits_1() {
    let mut line = b"x:".to_vec();
    line.resize(1024 * 1024, b'a');
    line.push(b'\n');
    assert_stream_lost(
        "hugehdr",
        line,
        "expected `\\n` within 4096 bytes of header line",
    );
}

#[test]
fn invalid_utf8_in_a_payload_loses_the_stream_and_exits_1() {
    let mut bytes = format!("{HEAD} eventname:TICK_5 len:15\nwhen:17000000").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe\xfd");
    assert_stream_lost("badutf8", bytes, "expected UTF-8 payload");
}

#[test]
fn truncated_payload_is_never_an_event_and_eof_then_exits_0() {
    let bench = Bench::start("trunc");
    let mut l = bench.listener();
    l.send(format!("{HEAD} eventname:TICK_5 len:15\nwhen:17").into_bytes());
    // Its end comes first: everything the listener wrote for half an event is
    // on stdout by the time it exits (the engine's suite tests the rule in
    // virtual time: `stdin_closed_in_the_middle_of_an_event_ignores_it_and_exits_clean`).
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    let log = l.stderr();
    assert!(exited_with(status, &[0]), "status {status:?}:\n{log}");
    assert!(
        log.contains("stdin closed in the middle of an event (91 bytes received): it is ignored"),
        "{log}"
    );
    assert_eq!(l.stdout(), READY);
    assert_no_round(&log);
    bench.assert_untouched(&l);
}

#[test]
fn unknown_event_is_acknowledged_without_a_round() {
    let bench = Bench::start("unknown");
    let mut l = bench.listener();
    l.send(event(1, "NOT_AN_EVENT_NAME", "anything: at all"));
    assert!(l.wait_acks(1, Duration::from_secs(10)), "{}", l.stderr());
    // The log line is written before the acknowledgement, but on another pipe.
    assert!(
        l.wait_stderr(
            "received NOT_AN_EVENT_NAME: nothing to do",
            Duration::from_secs(5)
        ),
        "{}",
        l.stderr()
    );
    let log = l.stderr();
    assert_no_round(&log);
    assert_eq!(l.stdout(), [READY, ACK].concat());
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    bench.assert_untouched(&l);
}

#[test]
fn tick_produces_a_round_then_an_acknowledgement() {
    let bench = Bench::start("tick");
    let mut l = bench.listener();
    l.send(tick(1, 1_700_000_005));
    assert!(l.wait_acks(1, Duration::from_secs(5)), "{}", l.stderr());
    assert!(
        l.wait_stderr("2 process(es) checked", Duration::from_secs(2)),
        "{}",
        l.stderr()
    );
    let log = l.stderr();
    let received = log.find("received TICK_5 (when 1700000005)").expect(&log);
    let checked = log
        .find("2 process(es) checked: 1 passed, 0 failed, 1 could not be checked")
        .expect(&log);
    assert!(received < checked, "{log}");
    assert!(
        log.contains(&format!("{}: http check passed", bench.good)),
        "{log}"
    );
    assert!(
        log.contains("web:never: http check could not run"),
        "a checker's own error: {log}"
    );
    assert!(
        !log.contains("still being checked"),
        "acknowledged when the round ended, not by the deadline: {log}"
    );
    assert_eq!(l.stdout(), [READY, ACK].concat());
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    bench.assert_untouched(&l);
}

#[test]
fn valid_tick_after_a_skippable_malformed_payload_is_checked() {
    let bench = Bench::start("skip");
    let mut l = bench.listener();
    let mut bytes = format!("{HEAD} eventname:TICK_5 len:4\nnope").into_bytes();
    bytes.extend(tick(8, 1_700_000_010));
    l.send(bytes);
    assert!(l.wait_acks(2, Duration::from_secs(5)), "{}", l.stderr());
    assert!(
        l.wait_stderr("2 process(es) checked", Duration::from_secs(2)),
        "{}",
        l.stderr()
    );
    let log = l.stderr();
    assert!(
        log.contains("malformed event skipped: event byte 83: bad payload"),
        "{log}"
    );
    assert_eq!(count(log.as_bytes(), b"received TICK_5"), 1, "{log}");
    assert!(log.contains("received TICK_5 (when 1700000010)"), "{log}");
    assert_eq!(l.stdout(), [READY, ACK, ACK].concat());
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    bench.assert_untouched(&l);
}

#[test]
fn stdout_carries_only_protocol_bytes_through_a_mixed_session() {
    let bench = Bench::start("stdout");
    let mut l = bench.listener();
    l.send(event(1, "PROCESS_GROUP_ADDED", "groupname:web"));
    l.send(tick(2, 1_700_000_015));
    assert!(l.wait_acks(2, Duration::from_secs(5)), "{}", l.stderr());
    l.send(event(3, "SOMETHING_NEW", "ünïcödé counted in characters"));
    l.send(format!("{HEAD} eventname:TICK_60 len:5\nwhen:").into_bytes());
    assert!(l.wait_acks(4, Duration::from_secs(5)), "{}", l.stderr());
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    assert_eq!(l.stdout(), [READY, ACK, ACK, ACK, ACK].concat());
    bench.assert_untouched(&l);
}

/// supervisord never sends an event before the last one's RESULT, but a
/// listener must not stall when a writer does: events queued in the pipe
/// while a round is under way are all answered, however large.
#[test]
fn events_pipelined_while_busy_are_all_answered() {
    // A supervisord that accepts the connection and never answers keeps the
    // tick's round (and the listener) busy for the whole --rpc-timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let mut l = ListenerProcess::spawn(
        &[
            "http",
            "-n",
            "robust",
            "-g",
            "web",
            "-u",
            "/",
            "-p",
            "80",
            "--rpc-timeout",
            "2",
        ],
        Some(&url),
    );
    assert!(l.wait_ready(Duration::from_secs(5)), "{}", l.stderr());
    l.send(tick(1, 1_700_000_020));
    let big = "x".repeat(700 * 1024);
    l.send(event(2, "BIG_ONE", &big));
    l.send(event(3, "BIG_TWO", &big));
    l.send(event(4, "SMALL_THREE", "end"));
    let started = Instant::now();
    assert!(
        l.wait_acks(4, Duration::from_secs(10)),
        "{} acknowledgement(s) after {:?}:\n{}",
        count(&l.stdout(), ACK),
        started.elapsed(),
        l.stderr()
    );
    assert_eq!(l.stdout(), [READY, ACK, ACK, ACK, ACK].concat());
    assert!(
        l.wait_stderr("cannot list processes", Duration::from_secs(5)),
        "{}",
        l.stderr()
    );
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    drop(silent);
}

#[test]
fn event_split_inside_a_character_is_answered_once_whole() {
    let mut l = ListenerProcess::spawn(
        &["tcp", "-n", "robust", "-g", "web", "-p", "80", "--verbose"],
        Some("unix:///nonexistent/supervisor.sock"),
    );
    assert!(l.wait_ready(Duration::from_secs(5)), "{}", l.stderr());
    let whole = event(
        1,
        "PROCESS_COMMUNICATION_STDOUT",
        "processname:a groupname:a pid:1\nça",
    );
    // Between the two bytes of `ç`.
    let cut = whole.iter().rposition(|&b| b == 0xC3).unwrap() + 1;
    // Sent in two writes: one acknowledgement in all (checked after the exit,
    // when stdout is complete) shows the first half was not taken for an event.
    l.send(whole[..cut].to_vec());
    l.send(whole[cut..].to_vec());
    assert!(l.wait_acks(1, Duration::from_secs(10)), "{}", l.stderr());
    // The log line is written before the acknowledgement, but on another pipe.
    assert!(
        l.wait_stderr(
            "received PROCESS_COMMUNICATION_STDOUT: nothing to do",
            Duration::from_secs(5)
        ),
        "{}",
        l.stderr()
    );
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
    assert_eq!(l.stdout(), [READY, ACK].concat());
}
