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
//! loopback_floor --ports 8100-8199 [--supervisor-sock PATH] [--rounds 50] [--path /ping]
//! ```
//!
//! Prints one line of JSON: `{"services":N,"rounds":R,"cpu_us_per_round":...,
//! "probe_cpu_us_per_round":...,"list_cpu_us_per_round":...}`.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::time::Duration;

struct Args {
    ports: Vec<u16>,
    supervisor_sock: Option<String>,
    rounds: u32,
    path: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        ports: Vec::new(),
        supervisor_sock: None,
        rounds: 50,
        path: "/ping".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--ports" => {
                let (lo, hi) = value.split_once('-').unwrap_or((&value, &value));
                let lo: u16 = lo.parse().map_err(|_| format!("bad port {lo}"))?;
                let hi: u16 = hi.parse().map_err(|_| format!("bad port {hi}"))?;
                args.ports = (lo..=hi).collect();
            }
            "--supervisor-sock" => args.supervisor_sock = Some(value),
            "--rounds" => args.rounds = value.parse().map_err(|_| "bad --rounds".to_string())?,
            "--path" => args.path = value,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.ports.is_empty() || args.rounds == 0 {
        return Err("--ports LO-HI is needed, and --rounds must be positive".into());
    }
    Ok(args)
}

/// Nanoseconds this thread has spent on a CPU.
fn cpu_ns() -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| io::Error::other("unreadable schedstat"))
}

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
    let request = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", args.path);
    let mut streams = args
        .ports
        .iter()
        .map(|port| {
            let s = TcpStream::connect(("127.0.0.1", *port))?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            Ok(s)
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut buf = Vec::with_capacity(256 * 1024);
    // One warm-up round: first requests, page faults, the listing buffer.
    for s in &mut streams {
        s.write_all(request.as_bytes())?;
    }
    for s in &mut streams {
        read_response(s, &mut buf)?;
    }
    let (mut probe_ns, mut list_ns) = (0u64, 0u64);
    for _ in 0..args.rounds {
        if let Some(sock) = &args.supervisor_sock {
            let t0 = cpu_ns()?;
            list_processes(sock, &mut buf)?;
            list_ns += cpu_ns()? - t0;
        }
        let t0 = cpu_ns()?;
        for s in &mut streams {
            s.write_all(request.as_bytes())?;
        }
        for s in &mut streams {
            read_response(s, &mut buf)?;
        }
        probe_ns += cpu_ns()? - t0;
        std::thread::sleep(Duration::from_millis(100));
    }
    let per = |ns: u64| ns as f64 / 1000.0 / f64::from(args.rounds);
    Ok(format!(
        "{{\"services\":{},\"rounds\":{},\"cpu_us_per_round\":{:.1},\"probe_cpu_us_per_round\":{:.1},\"list_cpu_us_per_round\":{:.1}}}",
        streams.len(),
        args.rounds,
        per(probe_ns + list_ns),
        per(probe_ns),
        per(list_ns)
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
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
