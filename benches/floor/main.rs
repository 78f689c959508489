//! The least CPU a listener can spend per tick on a fleet: the floor under
//! `benches/side_by_side.py`'s "CPU per tick".
//!
//! One kept-alive connection per service; per round, every request is written
//! first and every response read after (two system calls per service, no
//! polling, no parsing beyond finding the end of the response), plus, with
//! `--supervisor-sock`, one `getAllProcessInfo` over supervisord's unix socket
//! as every listener makes per tick. The CPU comes from `/proc/thread-self/schedstat`
//! (nanoseconds on the CPU, user and system); the program is single-threaded.
//!
//! ```text
//! loopback_floor --ports 8100-8199 [--supervisor-sock PATH] [--rounds 50] [--gap-ms 100] [--path /ping]
//! loopback_floor --spawn target/release/supercheck --services 100 [--services-cpu K]
//! ```
//!
//! Variants of the sender, to see what the cost depends on: `--send-with
//! io-uring` writes a round's requests in one system call (so the woken
//! services cannot preempt the sender between them), `--policy batch` and
//! `--slice-us N` change its scheduling, `--cpu K` pins it; `--spawn` starts
//! its own `supercheck demo-service`s (stopped by pid at the end), which
//! `--services-cpu K` pins.
//!
//! Prints one line of JSON: `{"services":N,"rounds":R,"cpu_us_per_round":...,
//! "probe_cpu_us_per_round":...,"list_cpu_us_per_round":...,
//! "send_cpu_us_per_round":...,"involuntary_switches_per_round":...}`.

mod args;
mod fleet;
mod sched;
mod send;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::time::Duration;

use args::{Args, Services};
use fleet::Fleet;
use sched::cpu_ns;
use send::Sender;

/// Reads one HTTP response with a `Content-Length` (as the demo service sends).
fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Ok(());
            }
        }
    }
}

/// One `getAllProcessInfo` over supervisord's unix socket, read to the end.
fn list_processes(sock: &str, buf: &mut Vec<u8>) -> io::Result<usize> {
    let body = "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.getAllProcessInfo\
                </methodName><params></params></methodCall>";
    let request = format!(
        "POST /RPC2 HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/xml\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = UnixStream::connect(sock)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request.as_bytes())?;
    buf.clear();
    stream.read_to_end(buf)?;
    Ok(buf.len())
}

fn run(args: &Args) -> io::Result<String> {
    let (fleet, ports) = match &args.services {
        Services::Spawn {
            supercheck,
            count,
            cpu,
        } => {
            let fleet = Fleet::spawn(supercheck, *count, *cpu)?;
            let ports = fleet.ports.clone();
            (Some(fleet), ports)
        }
        Services::Ports(ports) => (None, ports.clone()),
    };
    if let Some(cpu) = args.cpu {
        sched::pin(None, cpu)?;
    }
    sched::set_policy(args.policy, args.slice_us)?;
    let request = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", args.path);
    let mut streams = ports
        .iter()
        .map(|port| {
            let s = TcpStream::connect(("127.0.0.1", *port))?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            Ok(s)
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut sender = Sender::new(args.send_with, streams.len())?;
    let mut buf = Vec::with_capacity(256 * 1024);
    // One warm-up round: first requests, page faults, the listing buffer.
    sender.send_all(&mut streams, request.as_bytes())?;
    for s in &mut streams {
        read_response(s, &mut buf)?;
    }
    let (mut probe_ns, mut list_ns, mut send_ns) = (0u64, 0u64, 0u64);
    let switches_before = sched::involuntary_switches()?;
    for _ in 0..args.rounds {
        std::thread::sleep(Duration::from_millis(args.gap_ms));
        if let Some(sock) = &args.supervisor_sock {
            let t0 = cpu_ns()?;
            list_processes(sock, &mut buf)?;
            list_ns += cpu_ns()? - t0;
        }
        let t0 = cpu_ns()?;
        sender.send_all(&mut streams, request.as_bytes())?;
        let t1 = cpu_ns()?;
        for s in &mut streams {
            read_response(s, &mut buf)?;
        }
        probe_ns += cpu_ns()? - t0;
        send_ns += t1 - t0;
    }
    let switches = sched::involuntary_switches()? - switches_before;
    drop(fleet);
    let per = |ns: u64| ns as f64 / 1000.0 / f64::from(args.rounds);
    Ok(format!(
        "{{\"services\":{},\"rounds\":{},\"cpu_us_per_round\":{:.1},\"probe_cpu_us_per_round\":{:.1},\
         \"list_cpu_us_per_round\":{:.1},\"send_cpu_us_per_round\":{:.1},\
         \"involuntary_switches_per_round\":{:.1}}}",
        streams.len(),
        args.rounds,
        per(probe_ns + list_ns),
        per(probe_ns),
        per(list_ns),
        per(send_ns),
        switches as f64 / f64::from(args.rounds)
    ))
}

fn main() -> ExitCode {
    let args = match args::parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loopback_floor: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loopback_floor: {e}");
            ExitCode::FAILURE
        }
    }
}
