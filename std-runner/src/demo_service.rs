//! `supercheck demo-service`: a small service with switchable failure modes,
//! used by the built-in demo, the end-to-end tests and the benches.
//!
//! It serves HTTP/1.1 (keep-alive, a thread per connection) on
//! `127.0.0.1:PORT` and/or on a unix socket (`--unix PATH`).
//! Before answering each request it reads its mode file (one word; missing
//! file means `ok`):
//!
//! | mode | behaviour |
//! |---|---|
//! | `ok` | `200 OK`, body `ok` (and an XML-RPC `POST`, any path, gets a `methodResponse`) |
//! | `fail` | `500 Internal Server Error` (XML-RPC gets a fault) |
//! | `body` | `200 OK` with the body `degraded` |
//! | `hang` | accepts connections and never answers |
//! | `down` | stops listening until the mode changes |
//! | `grow` | answers `ok` and allocates and touches 64 MiB more per request |
//! | `spin` | answers `ok` and burns CPU in busy loops: between requests, and on a second thread (up to two cores, so that a busy machine still sees it over 100 %) |
//!
//! With `--heartbeat PATH` it also bumps a heartbeat file (as `supercheck
//! notify` does) every second while the mode is not `hang`. With
//! `--heartbeat-dir DIR` the file is `DIR/<group>-<name>-<own pid>` (group and
//! name from `SUPERVISOR_GROUP_NAME` and `SUPERVISOR_PROCESS_NAME`), the path
//! supervisor_checks' file check expects by default.
//!
//! Every request's first line, and its XML-RPC `<methodName>` element if it
//! has one, are written to `<mode file>.last`, and the number of connections
//! accepted so far to `<mode file>.accepts`, so that a test can see what a
//! probe really sent and how.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supercheck_core::http::{Connection, EMPTY_HEADER, Parsed, Reply, RequestParser};
use supercheck_core::wire::Writer;

/// Options of `supercheck demo-service`.
#[derive(Debug, Clone)]
pub struct DemoService {
    /// TCP port on 127.0.0.1, if it listens on TCP.
    pub port: Option<u16>,
    /// Unix socket path, if it listens on a unix socket.
    pub unix: Option<PathBuf>,
    /// File holding the current mode.
    pub mode_file: PathBuf,
    /// Heartbeat file to bump, if any.
    pub heartbeat: Option<PathBuf>,
    /// Directory of a heartbeat file named `<group>-<name>-<own pid>`, if any.
    pub heartbeat_dir: Option<PathBuf>,
}

/// The sockets the service listens on (none while `down`).
#[derive(Debug, Default)]
struct Sockets {
    tcp: Option<TcpListener>,
    unix: Option<UnixListener>,
}

/// An accepted connection of either kind.
enum Conn {
    Tcp(std::net::TcpStream),
    Unix(std::os::unix::net::UnixStream),
}

impl Conn {
    /// Blocking reads with no timeout: a kept-alive client may wait long
    /// between requests, and the connection ends when it closes.
    fn prepare(&self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.set_nonblocking(false),
            Conn::Unix(s) => s.set_nonblocking(false),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            Conn::Unix(s) => s.flush(),
        }
    }
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
    /// When a socket cannot be bound, neither a port nor a unix socket is
    /// given, or the heartbeat file cannot be bumped.
    pub fn run(&self) -> io::Result<()> {
        if self.port.is_none() && self.unix.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "give --port, --unix or both",
            ));
        }
        let heartbeat = self.heartbeat_path()?;
        let last_file = last_request_file(&self.mode_file);
        let mut sockets = self.bind()?;
        let ballast: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let accepts_file = sibling_file(&self.mode_file, ".accepts");
        let mut accepted = 0u64;
        let mut last_beat = Instant::now() - Duration::from_secs(10);
        let mut listening = true;
        let mut burner_started = false;
        loop {
            let mode = read_mode(&self.mode_file);
            if mode == Mode::Spin && !burner_started {
                let mode_file = self.mode_file.clone();
                std::thread::spawn(move || burn_while_spinning(&mode_file));
                burner_started = true;
            }
            if let Some(path) = &heartbeat {
                if mode != Mode::Hang && last_beat.elapsed() >= Duration::from_secs(1) {
                    supercheck_runtime::heartbeat_file::touch(path)?;
                    last_beat = Instant::now();
                }
            }
            match (mode, listening) {
                (Mode::Down, true) => {
                    sockets = Sockets::default();
                    listening = false;
                }
                (Mode::Down, false) => {}
                (_, false) => {
                    sockets = self.bind()?;
                    listening = true;
                }
                _ => {}
            }
            if !listening {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            match sockets.accept()? {
                Some(conn) => {
                    accepted += 1;
                    let _ = std::fs::write(&accepts_file, format!("{accepted}\n"));
                    let (mode_file, last_file, ballast) = (
                        self.mode_file.clone(),
                        last_file.clone(),
                        Arc::clone(&ballast),
                    );
                    std::thread::spawn(move || {
                        let _ = serve_connection(conn, &mode_file, &last_file, &ballast);
                    });
                }
                None if mode == Mode::Spin => spin_for(Duration::from_millis(100)),
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn heartbeat_path(&self) -> io::Result<Option<PathBuf>> {
        let Some(dir) = &self.heartbeat_dir else {
            return Ok(self.heartbeat.clone());
        };
        let var = |key: &str| {
            std::env::var(key).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("--heartbeat-dir needs {key}: run under supervisord"),
                )
            })
        };
        Ok(Some(supercheck_runtime::heartbeat_file::default_path(
            dir,
            &var("SUPERVISOR_GROUP_NAME")?,
            &var("SUPERVISOR_PROCESS_NAME")?,
            std::process::id(),
        )))
    }

    fn bind(&self) -> io::Result<Sockets> {
        let tcp = match self.port {
            Some(port) => {
                let listener = TcpListener::bind(("127.0.0.1", port))?;
                listener.set_nonblocking(true)?;
                Some(listener)
            }
            None => None,
        };
        let unix = match &self.unix {
            Some(path) => {
                // A socket file left by an earlier run (or before `down`) blocks bind.
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                let listener = UnixListener::bind(path)?;
                listener.set_nonblocking(true)?;
                Some(listener)
            }
            None => None,
        };
        Ok(Sockets { tcp, unix })
    }
}

impl Sockets {
    /// A pending connection on either socket, if any.
    fn accept(&self) -> io::Result<Option<Conn>> {
        if let Some(l) = &self.tcp {
            match l.accept() {
                Ok((s, _)) => return Ok(Some(Conn::Tcp(s))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        if let Some(l) = &self.unix {
            match l.accept() {
                Ok((s, _)) => return Ok(Some(Conn::Unix(s))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

/// The second spinning thread: busy while the mode is `spin`, idle otherwise.
fn burn_while_spinning(mode_file: &Path) {
    loop {
        if read_mode(mode_file) == Mode::Spin {
            spin_for(Duration::from_millis(100));
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn spin_for(span: Duration) {
    let until = Instant::now() + span;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// `<mode file>.last`: where the last request is recorded.
fn last_request_file(mode_file: &Path) -> PathBuf {
    sibling_file(mode_file, ".last")
}

/// `<mode file><suffix>`.
fn sibling_file(mode_file: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(mode_file.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Serves one connection, request after request (HTTP/1.1 keep-alive), reading
/// the mode before each answer. In `hang` mode the request is never answered;
/// in `down` mode the connection is closed.
fn serve_connection(
    mut stream: Conn,
    mode_file: &Path,
    last_file: &Path,
    ballast: &Mutex<Vec<Vec<u8>>>,
) -> io::Result<()> {
    stream.prepare()?;
    let mut input = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Read one request: its head through the core's parser, then its body.
        let (head_len, body_len, keep_alive) = loop {
            let mut headers = [EMPTY_HEADER; 32];
            match RequestParser::new().parse(&input, &mut headers) {
                Ok(Parsed::Complete(head)) => {
                    let body = usize::try_from(head.content_length()).unwrap_or(0);
                    break (head.head_len(), body, head.keep_alive());
                }
                Ok(Parsed::Incomplete) => {}
                Err(_) => return Ok(()),
            }
            match stream.read(&mut chunk)? {
                0 => return Ok(()),
                n => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            }
        };
        let end = head_len.saturating_add(body_len);
        while input.len() < end {
            match stream.read(&mut chunk)? {
                0 => return Ok(()),
                n => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            }
        }
        let request: Vec<u8> = input.drain(..end).collect();
        let mode = read_mode(mode_file);
        match mode {
            Mode::Hang => {
                // Never answer; let go once the mode changes.
                while read_mode(mode_file) == Mode::Hang {
                    std::thread::sleep(Duration::from_millis(100));
                }
                return Ok(());
            }
            Mode::Down => return Ok(()),
            Mode::Grow => {
                if let Ok(mut ballast) = ballast.lock() {
                    ballast.push(vec![1u8; 64 << 20]);
                }
            }
            _ => {}
        }
        let body = request.get(head_len..).unwrap_or_default();
        let method_name = between(body, b"<methodName>", b"</methodName>");
        let _ = std::fs::write(last_file, describe(&request, method_name));
        let is_rpc = request.starts_with(b"POST ") && method_name.is_some();
        let (status, content_type, body): (u16, &str, String) = match (is_rpc, mode) {
            (true, Mode::Fail) => (200, "text/xml", rpc_fault()),
            (true, _) => (200, "text/xml", rpc_ok()),
            (false, Mode::Fail) => (500, "text/plain", "failing\n".into()),
            (false, Mode::Body) => (200, "text/plain", "degraded\n".into()),
            (false, _) => (200, "text/plain", "ok\n".into()),
        };
        let connection = if keep_alive {
            Connection::KeepAlive
        } else {
            Connection::Close
        };
        let mut out = vec![0u8; body.len() + 256];
        let mut w = Writer::new(&mut out);
        Reply::new(status)
            .content_type(content_type)
            .connection(connection)
            .encode(&mut w, body.as_bytes())
            .map_err(|e| io::Error::other(e.to_string()))?;
        let len = w.len();
        stream.write_all(out.get(..len).unwrap_or_default())?;
        if !keep_alive {
            return Ok(());
        }
    }
}

/// The request line, and the `<methodName>` element when there is one.
fn describe(request: &[u8], method_name: Option<&[u8]>) -> Vec<u8> {
    let line_end = find(request, b"\r\n").unwrap_or(request.len());
    let mut out = request.get(..line_end).unwrap_or_default().to_vec();
    out.push(b'\n');
    if let Some(name) = method_name {
        out.extend_from_slice(b"<methodName>");
        out.extend_from_slice(name);
        out.extend_from_slice(b"</methodName>\n");
    }
    out
}

/// The bytes between the first `open` and the next `close`.
fn between<'a>(hay: &'a [u8], open: &[u8], close: &[u8]) -> Option<&'a [u8]> {
    let start = find(hay, open)? + open.len();
    let rest = hay.get(start..)?;
    rest.get(..find(rest, close)?)
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
