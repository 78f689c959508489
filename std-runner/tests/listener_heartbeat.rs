//! The heartbeat check under a real supervisord: real UDP datagrams keep a
//! bridge process alive, silence gets it restarted, and no garbage a sender
//! can throw at the socket restarts anything, crashes the listener or grows
//! its memory. Configuration mistakes stop the listener before `READY`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/kinds.rs"]
mod kinds;
mod support;

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kinds::{demo_program, listener, rss_kib, running_pid, wait_log, wait_restart};
use supercheck_core::heartbeat::{Beat, MAX_DATAGRAM};
use support::listener_process::{ListenerProcess, READY, count, exited_with};
use support::{Supervisord, free_port, wait_for};

/// A free UDP port on 127.0.0.1.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn encode(device: &str, seq: u32, uptime_ms: u64) -> Vec<u8> {
    let mut buf = [0u8; MAX_DATAGRAM];
    let len = Beat::new(device, seq, uptime_ms)
        .unwrap()
        .encode(&mut buf)
        .unwrap();
    buf[..len].to_vec()
}

/// A device sending a heartbeat every 250 ms from 127.0.0.1 until dropped.
struct Device {
    stop: Arc<AtomicBool>,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
    thread: Option<JoinHandle<()>>,
}

impl Device {
    fn start(name: &'static str, to: u16) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&sent);
        let thread = std::thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let booted = Instant::now() - Duration::from_millis(500);
            let mut seq = 0u32;
            while !flag.load(Ordering::Relaxed) {
                let uptime = u64::try_from(booted.elapsed().as_millis()).unwrap();
                let datagram = encode(name, seq, uptime);
                let _ = socket.send_to(&datagram, ("127.0.0.1", to));
                log.lock().unwrap().push(datagram);
                seq += 1;
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        Self {
            stop,
            sent,
            thread: Some(thread),
        }
    }

    /// Every datagram sent so far.
    fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().unwrap().clone()
    }

    /// Stops sending.
    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `[program:bridge]`, a demo service on `port` (name `bridge`).
fn bridge(port: u16) -> String {
    demo_program("bridge", "bridge", &format!("--port {port}"))
}

#[test]
fn a_beating_device_keeps_its_bridge_and_a_silent_one_gets_it_restarted() {
    let udp = free_udp_port();
    let command =
        format!("{{bin}} heartbeat -n beats -v --device pump=bridge -t 2 --bind 127.0.0.1:{udp}");
    let sections = format!("{}{}", bridge(free_port()), listener("beats", &command));
    let mut pump = Device::start("pump", udp);
    let sup = Supervisord::start("hb_alive", &sections);
    let pid = running_pid(&sup, "bridge");
    wait_log(
        &sup,
        "beats",
        &format!("receiving heartbeats on udp 127.0.0.1:{udp}"),
    );
    let passes = || kinds::count_log(&sup, "beats", "1 process(es) checked: all passed");
    assert!(
        wait_for(kinds::TICK_WAIT, || passes() >= 2),
        "two ticks pass while the device beats; log:\n{}",
        sup.file("beats.err")
    );
    assert_eq!(
        sup.pid("bridge"),
        Some(pid),
        "a beating device keeps its bridge"
    );
    assert!(
        sup.file("beats.err")
            .contains("bridge:bridge: device pump last heard"),
        "{}",
        sup.file("beats.err")
    );
    pump.stop();
    let new = wait_restart(&sup, "bridge", pid, "beats");
    assert_ne!(new, pid);
    let log = sup.file("beats.err");
    assert!(
        log.contains("bridge:bridge: heartbeat check failed: no heartbeat datagram for"),
        "{log}"
    );
    assert!(log.contains("bridge:bridge: restarting"), "{log}");
    kinds::assert_protocol_clean(&sup, "beats");
}

#[test]
fn a_device_never_heard_fails_one_timeout_after_the_listener_started() {
    let command = format!(
        "{{bin}} heartbeat -n beats -v --device pump=bridge -t 8 --bind 127.0.0.1:{}",
        free_udp_port()
    );
    let sections = format!("{}{}", bridge(free_port()), listener("beats", &command));
    let sup = Supervisord::start("hb_never", &sections);
    let pid = running_pid(&sup, "bridge");
    // The first tick comes about 5 s after the start: within the 8 s allowed.
    wait_log(&sup, "beats", "bridge:bridge: device pump not heard yet");
    let log = sup.file("beats.err");
    let first = log.find("device pump not heard yet").unwrap();
    assert!(
        !log[..first].contains("check failed"),
        "no failure before one timeout has passed:\n{log}"
    );
    wait_restart(&sup, "bridge", pid, "beats");
    assert!(
        sup.file("beats.err").contains(
            "bridge:bridge: heartbeat check failed: no heartbeat heard since watching began"
        ),
        "{}",
        sup.file("beats.err")
    );
}

/// `GET /metrics` from the frontend on `port`.
fn metrics(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}

/// The value of `supercheck_heartbeat_datagrams_total{result="RESULT"}`.
fn counter(text: &str, result: &str) -> u64 {
    let key = format!("supercheck_heartbeat_datagrams_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in:\n{text}"))
}

/// Sends `datagrams` to `port` in bursts small enough for the socket buffer.
fn send_paced(socket: &UdpSocket, port: u16, datagrams: impl IntoIterator<Item = Vec<u8>>) {
    for (i, datagram) in datagrams.into_iter().enumerate() {
        socket.send_to(&datagram, ("127.0.0.1", port)).unwrap();
        if i % 50 == 49 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

#[test]
fn garbage_and_floods_are_counted_and_ignored_without_restarts_or_memory_growth() {
    let (udp, http) = (free_udp_port(), free_port());
    let command = format!(
        "{{bin}} heartbeat -n beats -v --device pump=bridge -t 3 --bind 127.0.0.1:{udp} \
         --allow-from 127.0.0.1 --listen 127.0.0.1:{http}"
    );
    let sections = format!("{}{}", bridge(free_port()), listener("beats", &command));
    let pump = Device::start("pump", udp);
    let sup = Supervisord::start("hb_garbage", &sections);
    let bridge_pid = running_pid(&sup, "bridge");
    let passes = || kinds::count_log(&sup, "beats", "1 process(es) checked: all passed");
    assert!(
        wait_for(kinds::TICK_WAIT, || passes() >= 1),
        "{}",
        sup.file("beats.err")
    );
    let listener_pid = running_pid(&sup, "beats");
    let before = metrics(http);
    let rss_before = rss_kib(listener_pid);
    assert!(rss_before > 0);

    let attacker = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Random bytes (a fixed linear congruential sequence), 200 datagrams.
    let mut state = 0x2545_f491_u32;
    let random = (0..200).map(|_| {
        (0..64)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect::<Vec<u8>>()
    });
    send_paced(&attacker, udp, random);
    // One 64 KiB datagram, a bad magic, a bad layout.
    send_paced(
        &attacker,
        udp,
        [
            vec![b'S'; 65_000],
            b"SCHB2 device=pump seq=1 uptime_ms=1\n".to_vec(),
            b"SCHB1 seq=1 device=pump uptime_ms=1\n".to_vec(),
        ],
    );
    // Replays of the device's own beats (a recent one, then its very first,
    // which passes for a reboot until the device's next beat undoes it), and
    // an uptime from the future.
    // TICK_5 comes on the clock's multiples of 5 s: the first pass may
    // come before the device has sent the beats the replays need.
    assert!(
        wait_for(Duration::from_secs(10), || pump.sent().len() > 12),
        "the device sent {} beats",
        pump.sent().len()
    );
    let sent = pump.sent();
    send_paced(
        &attacker,
        udp,
        [
            sent[sent.len() - 4].clone(),
            encode("pump", u32::MAX - 1, u64::MAX / 2),
            sent[0].clone(),
        ],
    );
    // A beat of the real device from a source not allowed.
    let elsewhere = UdpSocket::bind("127.0.0.2:0").unwrap();
    send_paced(&elsewhere, udp, [sent[sent.len() - 1].clone()]);
    // 10,000 distinct device names nobody configured.
    send_paced(
        &attacker,
        udp,
        (0..10_000).map(|i| encode(&format!("dev-{i}"), 0, 1_000)),
    );

    // Two more ticks: nothing is restarted, the listener is the same process.
    let settled = passes();
    assert!(
        wait_for(kinds::TICK_WAIT, || passes() >= settled + 2),
        "ticks keep passing; log:\n{}",
        sup.file("beats.err")
    );
    assert_eq!(
        sup.pid("bridge"),
        Some(bridge_pid),
        "nothing restarted the bridge"
    );
    assert_eq!(
        sup.pid("beats"),
        Some(listener_pid),
        "the listener never crashed"
    );
    let rss_after = rss_kib(listener_pid);
    assert!(
        rss_after < rss_before + 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );

    let after = metrics(http);
    let delta = |result: &str| counter(&after, result) - counter(&before, result);
    assert!(delta("malformed") >= 203, "{after}");
    assert!(delta("unknown_device") >= 9_000, "{after}");
    assert_eq!(delta("spoofed"), 1, "{after}");
    assert!(delta("out_of_order") >= 1, "{after}");
    assert!(delta("implausible") >= 1, "{after}");
    assert_eq!(
        delta("rebooted"),
        1,
        "the replayed first beat passed for a reboot, once: {after}"
    );
    assert!(
        delta("accepted") > 0,
        "the device's own beats still count: {after}"
    );
    let log = sup.file("beats.err");
    assert!(!log.contains("check failed"), "{log}");
    assert!(log.contains("heartbeats: received"), "{log}");
    kinds::assert_protocol_clean(&sup, "beats");
}

#[test]
fn config_mistakes_stop_the_listener_before_ready() {
    let url = Some("unix:///nonexistent/supervisor.sock");
    let bad_flags: [(&[&str], &str); 4] = [
        (&["heartbeat", "-n", "b", "--bind", "nowhere"], "--bind"),
        (&["heartbeat", "-n", "b", "--device", "pump"], "--device"),
        (
            &["heartbeat", "-n", "b", "--device", "pu/mp=bridge"],
            "--device",
        ),
        (
            &["heartbeat", "-n", "b", "--allow-from", "somewhere"],
            "--allow-from",
        ),
    ];
    for (args, flag) in bad_flags {
        let mut l = ListenerProcess::spawn(args, url);
        let status = l.wait_exit(Duration::from_secs(5)).expect("exits at once");
        let err = l.stderr();
        assert!(exited_with(status, &[2]), "{args:?}: {status:?}\n{err}");
        assert!(err.contains(&format!("error: {flag}")), "{args:?}: {err}");
        assert_eq!(count(&l.stdout(), READY), 0, "{args:?}");
    }
    // The port is taken: the listener says so and exits before READY.
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let mut l = ListenerProcess::spawn(&["heartbeat", "-n", "b", "--bind", &bind], url);
    let status = l.wait_exit(Duration::from_secs(5)).expect("exits at once");
    let err = l.stderr();
    assert!(!status.success(), "{err}");
    assert!(
        err.contains(&format!("cannot receive heartbeats on udp {bind}")),
        "{err}"
    );
    assert_eq!(count(&l.stdout(), READY), 0);
    // The complex check's heartbeat key uses the same receiver flags.
    let mut l = ListenerProcess::spawn(
        &[
            "complex",
            "-n",
            "c",
            "-c",
            r#"{"heartbeat":{"devices":{"pump":"bridge"}}}"#,
            "--bind",
            &bind,
        ],
        url,
    );
    let status = l.wait_exit(Duration::from_secs(5)).expect("exits at once");
    assert!(!status.success());
    assert!(
        l.stderr()
            .contains(&format!("cannot receive heartbeats on udp {bind}")),
        "{}",
        l.stderr()
    );
}
