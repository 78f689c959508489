//! End to end: the release firmware in QEMU (mps2-an386, LAN9118 on user
//! networking). Runs only when `HEARTBEAT_FIRMWARE_ELF` names the ELF
//! (tests/all.sh sets it after building); otherwise it says so and passes.
//!
//! It boots the firmware with its configuration on the semihosting command
//! line, reads beats on 127.0.0.1 with the core's decoder and tracker, GETs
//! `/health` through the forwarded port, freezes QEMU (SIGSTOP) and shows
//! both the beats and the HTTP answers stop, resumes it, and finally kills
//! it. A bad command line must make the firmware exit QEMU with status 1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use supercheck_core::heartbeat::{Beat, BeatTracker, Outcome};

const DEVICE: &str = "qemu-e2e-1";

fn firmware() -> Option<PathBuf> {
    match std::env::var_os("HEARTBEAT_FIRMWARE_ELF") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!("HEARTBEAT_FIRMWARE_ELF not set: QEMU end-to-end test skipped");
            None
        }
    }
}

/// QEMU, killed (by its pid, through the handle) when dropped.
struct Qemu {
    child: Child,
}

impl Qemu {
    fn boot(elf: &PathBuf, http_port: u16, words: &[String]) -> Self {
        let mut semihosting = String::from("enable=on,target=native,arg=heartbeat");
        for word in words {
            semihosting.push_str(",arg=");
            semihosting.push_str(word);
        }
        let log = std::env::temp_dir().join(format!("heartbeat-e2e-{http_port}.defmt"));
        let child = Command::new("qemu-system-arm")
            .args([
                "-machine",
                "mps2-an386",
                "-nographic",
                "-semihosting-config",
            ])
            .arg(semihosting)
            .arg("-nic")
            .arg(format!(
                "user,model=lan9118,hostfwd=tcp:127.0.0.1:{http_port}-10.0.2.15:80"
            ))
            .arg("-kernel")
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(log).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("qemu-system-arm runs (tests/setup.sh installs it)");
        Self { child }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits up to `limit` for QEMU to exit by itself.
    fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill(); // SIGKILL also ends a stopped process
        let _ = self.child.wait();
    }
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One datagram, or `None` after `timeout`.
fn next_datagram(socket: &UdpSocket, timeout: Duration) -> Option<Vec<u8>> {
    socket.set_read_timeout(Some(timeout)).unwrap();
    let mut buf = [0u8; 256];
    let (n, _) = socket.recv_from(&mut buf).ok()?;
    Some(buf[..n].to_vec())
}

/// The whole response to `GET /health`, or the I/O error.
fn get_health(port: u16, timeout: Duration) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if response.is_empty() {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(response)
}

#[test]
fn firmware_in_qemu_beats_serves_health_and_goes_silent_when_frozen() {
    let Some(elf) = firmware() else { return };
    let collector = UdpSocket::bind("127.0.0.1:0").unwrap();
    let collector_port = collector.local_addr().unwrap().port();
    let http_port = free_tcp_port();
    let qemu = Qemu::boot(
        &elf,
        http_port,
        &[
            format!("device={DEVICE}"),
            format!("collector=10.0.2.2:{collector_port}"),
            String::from("period_ms=500"),
        ],
    );

    // Beats: decoded by the core, one boot, consecutive, half a second apart.
    let mut tracker = BeatTracker::new();
    let mut last: Option<(u32, u64)> = None;
    for i in 0..4 {
        let bytes = next_datagram(&collector, Duration::from_secs(15))
            .unwrap_or_else(|| panic!("beat {i} did not arrive"));
        let beat = Beat::decode(&bytes).unwrap();
        assert_eq!(beat.device(), DEVICE);
        let outcome = tracker.observe(&beat, supercheck_core::time::Instant::from_millis(0));
        assert!(
            outcome == Outcome::First || outcome == Outcome::Fresh,
            "{outcome:?}"
        );
        if let Some((seq, uptime)) = last {
            assert_eq!(beat.seq(), seq + 1);
            let step = beat.uptime_ms() - uptime;
            assert!((450..=650).contains(&step), "uptime step {step} ms");
        }
        last = Some((beat.seq(), beat.uptime_ms()));
    }

    // Health through the forwarded port: the core's health+json document.
    let response = get_health(http_port, Duration::from_secs(5)).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Type: application/health+json"));
    let doc: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(doc["status"], "pass");
    assert_eq!(doc["serviceId"], DEVICE);
    assert!(
        doc["checks"]["heartbeat:sent"][0]["observedValue"]
            .as_u64()
            .unwrap()
            >= 4
    );
    assert_eq!(doc["checks"]["heartbeat:sendErrors"][0]["observedValue"], 0);
    assert_eq!(doc["checks"]["link:up"][0]["observedValue"], true);

    // Frozen: no beat, no HTTP answer.
    qemu.signal("-STOP");
    std::thread::sleep(Duration::from_millis(200));
    while next_datagram(&collector, Duration::from_millis(10)).is_some() {}
    assert_eq!(
        next_datagram(&collector, Duration::from_secs(2)),
        None,
        "beat while frozen"
    );
    assert!(
        get_health(http_port, Duration::from_secs(2)).is_err(),
        "HTTP answer while frozen"
    );

    // Thawed: the same boot carries on.
    qemu.signal("-CONT");
    let bytes = next_datagram(&collector, Duration::from_secs(10)).expect("beats resume");
    let beat = Beat::decode(&bytes).unwrap();
    assert!(beat.seq() > last.unwrap().0);
    assert!(get_health(http_port, Duration::from_secs(5)).is_ok());

    // Killed: gone for good.
    drop(qemu);
    while next_datagram(&collector, Duration::from_millis(10)).is_some() {}
    assert_eq!(next_datagram(&collector, Duration::from_secs(1)), None);
    assert!(get_health(http_port, Duration::from_secs(1)).is_err());
}

#[test]
fn bad_command_line_exits_qemu_with_failure() {
    let Some(elf) = firmware() else { return };
    let mut qemu = Qemu::boot(&elf, free_tcp_port(), &[String::from("colour=red")]);
    let status = qemu
        .wait_exit(Duration::from_secs(20))
        .expect("the firmware exits QEMU through semihosting");
    assert_eq!(status.code(), Some(1));
}
