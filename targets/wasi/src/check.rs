//! The checks available under WASI: a TCP connect and an HTTP GET, both over
//! `std::net::TcpStream`, judged with the core's verdict vocabulary.
//!
//! Where the runtime has no sockets (`wasm32-wasip1`, or a wasip2 runtime that
//! did not grant network access) the verdict is an
//! [`Error`](Verdict::Error) ("could not run"): an error never leads to a
//! restart, and this build restarts nothing anyway.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration as StdDuration;

use supercheck_core::check::verdict::{CheckError, FailReason, Protocol, Verdict};
use supercheck_core::http::{EMPTY_HEADER, Parsed, Request, ResponseReader, StatusSet};
use supercheck_core::time::Duration;
use supercheck_core::wire::Writer;

use crate::url::HttpUrl;

/// What to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Connect to `host:port`; connected is healthy.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// `GET` the URL; a 2xx/3xx status is healthy.
    Http(HttpUrl),
}

impl Target {
    /// A short description for log lines: `tcp 127.0.0.1:80`, `http http://h:80/p`.
    pub fn describe(&self) -> String {
        match self {
            Target::Tcp { host, port } => format!("tcp {host}:{port}"),
            Target::Http(url) => format!("http http://{}:{}{}", url.host, url.port, url.path),
        }
    }
}

/// A verdict and, when an I/O error led to it, that error's text for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What the check concluded.
    pub verdict: Verdict,
    /// The underlying I/O error, if any.
    pub detail: Option<String>,
}

impl Outcome {
    fn pass() -> Self {
        Outcome {
            verdict: Verdict::Pass,
            detail: None,
        }
    }

    fn fail(reason: FailReason, detail: Option<String>) -> Self {
        Outcome {
            verdict: Verdict::Fail(reason),
            detail,
        }
    }
}

/// Runs one check of `target`; `timeout` bounds the connection and each read.
pub fn run(target: &Target, timeout: StdDuration) -> Outcome {
    match target {
        Target::Tcp { host, port } => match connect(host, *port, timeout) {
            Ok(_stream) => Outcome::pass(),
            Err(outcome) => outcome,
        },
        Target::Http(url) => http(url, timeout),
    }
}

fn core_duration(d: StdDuration) -> Duration {
    Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Maps an I/O error to an outcome; `connecting` says which timeout ran out.
fn io_outcome(e: &io::Error, timeout: StdDuration, connecting: bool) -> Outcome {
    let detail = Some(e.to_string());
    let after = core_duration(timeout);
    let verdict = match e.kind() {
        ErrorKind::ConnectionRefused => Verdict::Fail(FailReason::ConnectionRefused),
        ErrorKind::TimedOut | ErrorKind::WouldBlock if connecting => {
            Verdict::Fail(FailReason::ConnectTimeout { after })
        }
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            Verdict::Fail(FailReason::ResponseTimeout { after })
        }
        // NotConnected: a runtime whose connect completes asynchronously
        // (jco's preview2-shim) reports a refused connection on the first
        // read or write instead of on connect; the peer is not there either way.
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::NotConnected
        | ErrorKind::UnexpectedEof => Verdict::Fail(FailReason::ConnectionReset),
        ErrorKind::Unsupported => Verdict::Error(CheckError::Custom(
            "could not run: this WASI runtime has no TCP sockets (wasip1); build for wasm32-wasip2",
        )),
        ErrorKind::PermissionDenied => Verdict::Error(CheckError::Custom(
            "could not run: the runtime denied network access (wasmtime: -S inherit-network)",
        )),
        _ => Verdict::Error(CheckError::Custom("could not run: network error")),
    };
    Outcome { verdict, detail }
}

fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Outcome> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Outcome {
                    verdict: Verdict::Error(CheckError::Custom(
                        "could not run: the host name has no address",
                    )),
                    detail: None,
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) if e.kind() == ErrorKind::Unsupported => {
            Err(io_outcome(&e, StdDuration::ZERO, true))
        }
        Err(e) => Err(Outcome {
            verdict: Verdict::Error(CheckError::Custom(
                "could not run: the host name did not resolve",
            )),
            detail: Some(e.to_string()),
        }),
    }
}

fn connect(host: &str, port: u16, timeout: StdDuration) -> Result<TcpStream, Outcome> {
    let addrs = resolve(host, port)?;
    let mut last = None;
    for addr in addrs {
        let attempt = match TcpStream::connect_timeout(&addr, timeout) {
            // Some runtimes implement connect but not the timeout's machinery.
            Err(e) if e.kind() == ErrorKind::Unsupported => TcpStream::connect(addr),
            other => other,
        };
        // A runtime whose connect completes asynchronously (jco's
        // preview2-shim) may hand back a stream before the peer answered:
        // asking for the peer's address waits for, and reports, the outcome.
        match attempt.and_then(|stream| stream.peer_addr().map(|_| stream)) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| io::Error::from(ErrorKind::NotFound));
    Err(io_outcome(&e, timeout, true))
}

/// Largest response head read, in bytes.
const MAX_HEAD: usize = 16 * 1024;

fn http(url: &HttpUrl, timeout: StdDuration) -> Outcome {
    let mut request = [0u8; 2048];
    let mut w = Writer::new(&mut request);
    if Request::get(&url.path, &url.host, url.port)
        .user_agent("supercheck-wasi")
        .encode(&mut w)
        .is_err()
    {
        return Outcome {
            verdict: Verdict::Error(CheckError::BadUrl),
            detail: None,
        };
    }
    let request = w.written();
    let mut stream = match connect(url.connect_host(), url.port, timeout) {
        Ok(s) => s,
        Err(outcome) => return outcome,
    };
    // Timeouts may be unsupported by a runtime; the check still runs without them.
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    if let Err(e) = stream.write_all(request).and_then(|()| stream.flush()) {
        return io_outcome(&e, timeout, false);
    }
    let mut buf = vec![0u8; MAX_HEAD];
    let mut filled = 0usize;
    loop {
        let Some(space) = buf.get_mut(filled..) else {
            return garbage("response head larger than the buffer");
        };
        if space.is_empty() {
            return garbage("response head larger than 16 KiB");
        }
        let n = match stream.read(space) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return io_outcome(&e, timeout, false),
        };
        if n == 0 {
            return Outcome::fail(
                FailReason::ConnectionReset,
                Some("connection closed before a whole response head".to_string()),
            );
        }
        filled = filled.saturating_add(n);
        loop {
            let data = buf.get(..filled).unwrap_or_default();
            let mut headers = [EMPTY_HEADER; 32];
            match ResponseReader::new()
                .max_head(MAX_HEAD)
                .read(data, &mut headers)
            {
                Ok(Parsed::Incomplete) => break,
                Ok(Parsed::Complete(head)) if head.is_interim() => {
                    // 1xx: drop it and read the final head.
                    let len = head.head_len().min(filled);
                    buf.copy_within(len..filled, 0);
                    filled -= len;
                }
                Ok(Parsed::Complete(head)) => {
                    let code = head.code();
                    return if StatusSet::default().contains(code) {
                        Outcome::pass()
                    } else {
                        Outcome::fail(FailReason::BadStatus { code }, None)
                    };
                }
                Err(e) => return garbage(&e.to_string()),
            }
        }
    }
}

fn garbage(detail: &str) -> Outcome {
    Outcome::fail(
        FailReason::ProtocolGarbage(Protocol::Http),
        Some(detail.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    const T: StdDuration = StdDuration::from_secs(2);

    fn serve_once(reply: &'static [u8]) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut req = [0u8; 1024];
                let _ = s.read(&mut req);
                let _ = s.write_all(reply);
            }
        });
        port
    }

    fn closed_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[test]
    fn tcp_pass_and_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let host = "127.0.0.1".to_string();
        assert_eq!(
            run(
                &Target::Tcp {
                    host: host.clone(),
                    port
                },
                T
            )
            .verdict,
            Verdict::Pass
        );
        drop(listener);
        let port = closed_port();
        assert_eq!(
            run(&Target::Tcp { host, port }, T).verdict,
            Verdict::Fail(FailReason::ConnectionRefused)
        );
    }

    #[test]
    fn http_status_judged() {
        let url = |port: u16| {
            Target::Http(HttpUrl::parse(&format!("http://127.0.0.1:{port}/h")).unwrap())
        };
        let ok = serve_once(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
        assert_eq!(run(&url(ok), T).verdict, Verdict::Pass);
        let bad = serve_once(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(
            run(&url(bad), T).verdict,
            Verdict::Fail(FailReason::BadStatus { code: 503 })
        );
        let junk = serve_once(b"SSH-2.0-OpenSSH\r\n\r\n");
        assert_eq!(
            run(&url(junk), T).verdict,
            Verdict::Fail(FailReason::ProtocolGarbage(Protocol::Http))
        );
        let closed = serve_once(b"HTTP/1.1 200");
        assert_eq!(
            run(&url(closed), T).verdict,
            Verdict::Fail(FailReason::ConnectionReset)
        );
        assert_eq!(
            run(&url(closed_port()), T).verdict,
            Verdict::Fail(FailReason::ConnectionRefused)
        );
    }

    #[test]
    fn silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = Target::Http(HttpUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap());
        let short = StdDuration::from_millis(200);
        assert!(matches!(
            run(&url, short).verdict,
            Verdict::Fail(FailReason::ResponseTimeout { .. })
        ));
        drop(listener);
    }

    #[test]
    fn unsupported_is_could_not_run() {
        let e = io::Error::from(ErrorKind::Unsupported);
        let o = io_outcome(&e, T, true);
        assert!(matches!(o.verdict, Verdict::Error(_)));
        assert!(o.verdict.to_string().contains("could not run"));
    }
}
