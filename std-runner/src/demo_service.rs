//! `supercheck demo-service`: a small service with switchable failure modes,
//! used by the built-in demo, the end-to-end tests and the benches.
//!
//! It serves HTTP on `127.0.0.1:PORT`. Before answering each request it reads
//! its mode file (one word; missing file means `ok`):
//!
//! | mode | behaviour |
//! |---|---|
//! | `ok` | `200 OK`, body `ok` (and XML-RPC `POST /RPC2` gets a `methodResponse`) |
//! | `fail` | `500 Internal Server Error` (XML-RPC gets a fault) |
//! | `body` | `200 OK` with the body `degraded` |
//! | `hang` | accepts the connection and never answers |
//! | `down` | stops listening until the mode changes |
//! | `grow` | answers `ok` and allocates and touches 64 MiB more per request |
//! | `spin` | answers `ok` and burns CPU in a busy loop between requests |
//!
//! With `--heartbeat PATH` it also bumps a heartbeat file (as `supercheck
//! notify` does) every second while the mode is not `hang`.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of `supercheck demo-service`.
#[derive(Debug, Clone)]
pub struct DemoService {
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// File holding the current mode.
    pub mode_file: PathBuf,
    /// Heartbeat file to bump, if any.
    pub heartbeat: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Ok,
    Fail,
    Body,
    Hang,
    Down,
    Grow,
    Spin,
}

fn read_mode(path: &Path) -> Mode {
    match std::fs::read_to_string(path).unwrap_or_default().trim() {
        "fail" => Mode::Fail,
        "body" => Mode::Body,
        "hang" => Mode::Hang,
        "down" => Mode::Down,
        "grow" => Mode::Grow,
        "spin" => Mode::Spin,
        _ => Mode::Ok,
    }
}

impl DemoService {
    /// Runs the service until killed.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub fn run(&self) -> io::Result<()> {
        let mut listener = Some(bind(self.port)?);
        let mut hung: Vec<TcpStream> = Vec::new();
        let mut ballast: Vec<Vec<u8>> = Vec::new();
        let mut last_beat = Instant::now() - Duration::from_secs(10);
        loop {
            let mode = read_mode(&self.mode_file);
            if let Some(path) = &self.heartbeat {
                if mode != Mode::Hang && last_beat.elapsed() >= Duration::from_secs(1) {
                    crate::heartbeat::touch(path)?;
                    last_beat = Instant::now();
                }
            }
            match (mode, &listener) {
                (Mode::Down, Some(_)) => listener = None,
                (Mode::Down, None) => {}
                (_, None) => listener = Some(bind(self.port)?),
                _ => {}
            }
            let Some(l) = &listener else {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            match l.accept() {
                Ok((stream, _)) => {
                    if mode == Mode::Hang {
                        hung.push(stream);
                    } else {
                        if mode == Mode::Grow {
                            ballast.push(vec![1u8; 64 << 20]);
                        }
                        let _ = serve(stream, mode);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if mode == Mode::Spin {
                        let until = Instant::now() + Duration::from_millis(100);
                        while Instant::now() < until {
                            std::hint::spin_loop();
                        }
                    } else {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn bind(port: u16) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn serve(mut stream: TcpStream, mode: Mode) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(at) = find(&request, b"\r\n\r\n") {
            break at + 4;
        }
        if request.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let is_rpc = request.starts_with(b"POST /RPC2");
    let (status, content_type, body): (&str, &str, String) = match (is_rpc, mode) {
        (true, Mode::Fail) => ("200 OK", "text/xml", rpc_fault()),
        (true, _) => ("200 OK", "text/xml", rpc_ok()),
        (false, Mode::Fail) => (
            "500 Internal Server Error",
            "text/plain",
            "failing\n".into(),
        ),
        (false, Mode::Body) => ("200 OK", "text/plain", "degraded\n".into()),
        (false, _) => ("200 OK", "text/plain", "ok\n".into()),
    };
    // Drain a request body, if announced, so the client never sees a reset.
    let announced = content_length(request.get(..head_end).unwrap_or_default());
    let mut have = request.len().saturating_sub(head_end);
    while have < announced {
        match stream.read(&mut chunk)? {
            0 => break,
            n => have += n,
        }
    }
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes())
}

fn content_length(head: &[u8]) -> usize {
    let text = String::from_utf8_lossy(head);
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rpc_ok() -> String {
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>ok</string></value>\n</param>\n</params>\n</methodResponse>\n".into()
}

fn rpc_fault() -> String {
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>failing</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n".into()
}
