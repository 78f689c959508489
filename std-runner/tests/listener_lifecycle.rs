//! How the listener ends and survives: EOF and signals end it with status 0
//! at once; supervisord going away for a while only pauses the checks; a
//! listener killed mid-tick gets the same tick again after its restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::listener_process::{ListenerProcess, READY, count, exited_with, tick};
use support::{Supervisord, free_port, wait_for};

/// A listener whose supervisord cannot be reached (no tick is sent, so it is
/// never asked): only its own lifecycle is under test.
fn idle_listener() -> ListenerProcess {
    let l = ListenerProcess::spawn(
        &["tcp", "-n", "life", "-g", "web", "-p", "80"],
        Some("unix:///nonexistent/supervisor.sock"),
    );
    assert!(l.wait_ready(Duration::from_secs(5)), "{}", l.stderr());
    l
}

/// A listener busy with a tick: its supervisord accepts the call and never
/// answers, so the round lasts the whole `--rpc-timeout` of 20 s.
fn busy_listener(silent: &TcpListener) -> ListenerProcess {
    let url = format!("http://{}", silent.local_addr().unwrap());
    let l = ListenerProcess::spawn(
        &[
            "tcp",
            "-n",
            "life",
            "-g",
            "web",
            "-p",
            "80",
            "--rpc-timeout",
            "20",
            "--verbose",
        ],
        Some(&url),
    );
    assert!(l.wait_ready(Duration::from_secs(5)), "{}", l.stderr());
    l.send(tick(1, 1_700_000_005));
    assert!(
        l.wait_stderr("received TICK_5", Duration::from_secs(5)),
        "{}",
        l.stderr()
    );
    l
}

/// `trigger` ends the listener: status 0 within a second, nothing on stdout but READY.
fn assert_clean_exit_within_a_second(
    mut l: ListenerProcess,
    trigger: impl FnOnce(&mut ListenerProcess),
    expect: &str,
) {
    let start = Instant::now();
    trigger(&mut l);
    let status = l.wait_exit(Duration::from_secs(5));
    let took = start.elapsed();
    let log = l.stderr();
    let status = status.unwrap_or_else(|| panic!("still running:\n{log}"));
    assert!(exited_with(status, &[0]), "status {status:?}:\n{log}");
    assert!(took < Duration::from_secs(1), "took {took:?}:\n{log}");
    assert!(log.contains(expect), "expected {expect:?} in:\n{log}");
    assert!(log.contains("] done"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(l.stdout(), READY);
}

#[test]
fn eof_on_stdin_exits_0_within_a_second() {
    assert_clean_exit_within_a_second(
        idle_listener(),
        |l| l.close_stdin().unwrap(),
        "stdin closed: supervisord is gone",
    );
}

#[test]
fn eof_on_stdin_during_a_round_exits_0_within_a_second() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_clean_exit_within_a_second(
        busy_listener(&silent),
        |l| l.close_stdin().unwrap(),
        "stdin closed while an event was being handled",
    );
}

#[test]
fn sigterm_exits_0_within_a_second() {
    assert_clean_exit_within_a_second(
        idle_listener(),
        |l| l.signal("TERM"),
        "told to stop (signal 15)",
    );
}

#[test]
fn sigint_exits_0_within_a_second() {
    assert_clean_exit_within_a_second(
        idle_listener(),
        |l| l.signal("INT"),
        "told to stop (signal 2)",
    );
}

#[test]
fn sighup_exits_0_within_a_second() {
    assert_clean_exit_within_a_second(
        idle_listener(),
        |l| l.signal("HUP"),
        "told to stop (signal 1)",
    );
}

#[test]
fn sigquit_exits_0_within_a_second() {
    assert_clean_exit_within_a_second(
        idle_listener(),
        |l| l.signal("QUIT"),
        "told to stop (signal 3)",
    );
}

#[test]
fn sigterm_during_a_round_exits_0_within_a_second() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_clean_exit_within_a_second(
        busy_listener(&silent),
        |l| l.signal("TERM"),
        "told to stop (signal 15)",
    );
}

#[test]
fn tick_with_supervisord_unreachable_is_acknowledged_at_once() {
    let mut l = idle_listener();
    let start = Instant::now();
    l.send(tick(1, 1_700_000_005));
    assert!(l.wait_acks(1, Duration::from_secs(5)), "{}", l.stderr());
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "acknowledged after {took:?}, not when the round ended:\n{}",
        l.stderr()
    );
    assert!(
        l.wait_stderr(
            "cannot list processes: supervisord unreachable",
            Duration::from_secs(5)
        ),
        "{}",
        l.stderr()
    );
    assert!(!l.stderr().contains(": restarting ("));
    l.close_stdin().unwrap();
    let status = l.wait_exit(Duration::from_secs(2)).expect("exits at EOF");
    assert!(exited_with(status, &[0]), "{status:?}");
}

/// supervisord started again on the configuration (and socket) of one that
/// was stopped; stopped by pid when dropped.
struct SupervisordAgain(std::process::Child);

impl SupervisordAgain {
    fn start(first: &Supervisord) -> Self {
        let child = std::process::Command::new("python3")
            .args(["-m", "supervisor.supervisord", "-n", "-c"])
            .arg(first.dir.path().join("supervisord.conf"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start supervisord again");
        Self(child)
    }
}

impl Drop for SupervisordAgain {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-s", "TERM", &self.0.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether process `pid` has ended (gone, or a zombie waiting to be reaped).
fn has_ended(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.is_empty()
        || stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
}

/// Strips the protocol's bytes: what is left was written on stdout by mistake.
fn non_protocol_bytes(stdout: &str) -> String {
    stdout.replace("RESULT 2\nOK", "").replace("READY\n", "")
}

/// A demo service in group `web`; its mode file is `{dir}/<name>.mode` (missing: ok).
fn web_program(name: &str, port: u16) -> String {
    format!(
        "[program:{name}]\ncommand={{bin}} demo-service --port {port} --mode-file {{dir}}/{name}.mode\n\
         process_name={name}_{port}\nstartsecs=1\n\n[group:web]\nprograms={name}\n"
    )
}

/// The listener runs under supervisord A; its checks target supervisord B,
/// which is stopped and started again while A keeps sending ticks.
#[test]
fn supervisord_unreachable_for_a_while_pauses_checks_and_restarts_nothing() {
    let port = free_port();
    let b = Supervisord::start("lifeb", &web_program("good", port));
    let good = format!("web:good_{port}");
    assert!(wait_for(Duration::from_secs(15), || b.state(&good) == "RUNNING"));
    let a = Supervisord::start(
        "lifea",
        &format!(
            "[eventlistener:watch]\n\
             command={{bin}} http -n watch -g web -u /ping -p \".+_(\\d+)\" -t 1 -r 0 --server-url {} --verbose\n\
             events=TICK_5\nstderr_logfile={{dir}}/watch.err\nstdout_logfile={{dir}}/watch.out\n",
            b.server_url()
        ),
    );
    let passed = "1 process(es) checked: all passed";
    assert!(
        wait_for(Duration::from_secs(15), || a
            .file("watch.err")
            .contains(passed)),
        "{}",
        a.file("watch.err")
    );
    let listener_pid = a.pid("watch").unwrap();

    let b_pid = b.pid_of_supervisord();
    assert!(
        std::process::Command::new("kill")
            .args(["-s", "TERM", &b_pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(wait_for(Duration::from_secs(15), || has_ended(b_pid)));
    let down = "cannot list processes";
    assert!(
        wait_for(Duration::from_secs(15), || count(
            a.file("watch.err").as_bytes(),
            down.as_bytes()
        ) >= 2),
        "two ticks while supervisord B is down:\n{}",
        a.file("watch.err")
    );
    assert!(
        wait_for(Duration::from_secs(2), || count(
            a.file("watch.out").as_bytes(),
            b"RESULT 2\nOK"
        ) >= 3),
        "the ticks while B is down are acknowledged:\n{}",
        a.file("watch.out")
    );
    let passes_before = count(a.file("watch.err").as_bytes(), passed.as_bytes());

    let _b_again = SupervisordAgain::start(&b);
    assert!(wait_for(Duration::from_secs(15), || b.state(&good) == "RUNNING"));
    assert!(
        wait_for(Duration::from_secs(15), || count(
            a.file("watch.err").as_bytes(),
            passed.as_bytes()
        ) > passes_before),
        "checks resume when B is back:\n{}",
        a.file("watch.err")
    );
    let log = a.file("watch.err");
    assert!(
        log.contains(&format!("{down}: supervisord unreachable")),
        "{log}"
    );
    assert!(
        !log.contains("acknowledging the tick with"),
        "acknowledged at once, not at the deadline:\n{log}"
    );
    assert!(!log.contains(": restarting ("), "{log}");
    assert_eq!(
        a.pid("watch"),
        Some(listener_pid),
        "the listener never exited"
    );
    assert_eq!(non_protocol_bytes(&a.file("watch.out")), "");
    assert!(
        !a.main_log().contains("BUSY -> UNKNOWN"),
        "{}",
        a.main_log()
    );
}

/// Serials of the events supervisord's debug log says it sent to `listener`, in order.
fn serials_sent(main_log: &str, listener: &str) -> Vec<u64> {
    let tail = format!(" sent to listener {listener}");
    main_log
        .lines()
        .filter_map(|line| {
            let (head, _) = line.split_once(&tail)?;
            head.rsplit_once("event ")?.1.parse().ok()
        })
        .collect()
}

/// The `when` of every tick the listener's verbose log says it received, in order.
fn ticks_received(log: &str) -> Vec<u64> {
    log.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once("received TICK_5 (when ")?;
            rest.strip_suffix(')')?.parse().ok()
        })
        .collect()
}

/// supervisord re-sends the event a listener died with. Killed (SIGKILL)
/// while BUSY with a tick whose check hangs, the listener is restarted, gets
/// the same tick again, acknowledges it and checks, and restarts nothing.
#[test]
fn listener_killed_mid_tick_gets_the_same_tick_again_and_behaves() {
    let port = free_port();
    let sup = Supervisord::start(
        "midtick",
        &format!(
            "{}\n[eventlistener:watch]\n\
             command={{bin}} http -n watch -g web -u /ping -p \".+_(\\d+)\" -t 20 -r 0 --verbose\n\
             events=TICK_5\nstderr_logfile={{dir}}/watch.err\nstdout_logfile={{dir}}/watch.out\n",
            web_program("slow", port)
        ),
    );
    sup.write("slow.mode", "hang");
    let slow = format!("web:slow_{port}");
    assert!(wait_for(Duration::from_secs(15), || sup.state(&slow)
        == "RUNNING"
        && sup.state("watch") == "RUNNING"));
    let (slow_pid, first_pid) = (sup.pid(&slow).unwrap(), sup.pid("watch").unwrap());

    assert!(
        wait_for(Duration::from_secs(10), || !serials_sent(
            &sup.main_log(),
            "watch"
        )
        .is_empty()),
        "{}",
        sup.main_log()
    );
    let killed = std::process::Command::new("kill")
        .args(["-s", "KILL", &first_pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(killed);
    sup.write("slow.mode", "ok");
    let serial = serials_sent(&sup.main_log(), "watch")[0];
    assert!(
        !sup.file("watch.out").contains("RESULT"),
        "killed while BUSY, before its acknowledgement"
    );

    assert!(
        wait_for(Duration::from_secs(15), || serials_sent(
            &sup.main_log(),
            "watch"
        )
        .iter()
        .filter(|&&s| s == serial)
        .count()
            >= 2),
        "event {serial} sent again:\n{}",
        sup.main_log()
    );
    assert!(
        wait_for(Duration::from_secs(10), || sup
            .file("watch.err")
            .contains("1 process(es) checked: all passed")),
        "{}",
        sup.file("watch.err")
    );
    assert!(wait_for(Duration::from_secs(3), || sup
        .file("watch.out")
        .contains("RESULT 2\nOK")));

    let log = sup.file("watch.err");
    let main = sup.main_log();
    let ticks = ticks_received(&log);
    assert!(
        ticks.len() >= 2 && ticks[0] == ticks[1],
        "the same tick `when` twice: {ticks:?}\n{log}"
    );
    assert!(
        main.contains(&format!("rebuffering event {serial} for pool watch")),
        "{main}"
    );
    assert_ne!(
        sup.pid("watch"),
        Some(first_pid),
        "the listener was restarted"
    );
    assert_eq!(
        count(main.as_bytes(), b"spawned: 'watch'"),
        2,
        "restarted once:\n{main}"
    );
    assert!(!log.contains(": restarting ("), "{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(
        sup.pid(&slow),
        Some(slow_pid),
        "the service was never restarted"
    );
    assert_eq!(non_protocol_bytes(&sup.file("watch.out")), "");
}
