//! The check of the first WASI command lines: a TCP connect or an HTTP `GET`
//! of a fixed target, through [`crate::net`] and judged by the wire crate's
//! judges (an http check passes on 2xx and 3xx).

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration as StdDuration;

use supercheck_core::check::verdict::{CheckError, Verdict};
use supercheck_core::http::{Request, StatusSet};
use supercheck_core::time::Duration;
use supercheck_core::wire::Writer;
use supercheck_wire::exchange::{Phase, ReadBuffer};
use supercheck_wire::http_url::HttpUrl;
use supercheck_wire::probe::Judge;

use crate::net::{self, Failure, ProbeRequest};

pub use crate::net::Outcome;

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
    /// `GET` the URL (`http://` only); a 2xx/3xx status is healthy.
    Http(HttpUrl),
}

impl Target {
    /// A short description for log lines: `tcp 127.0.0.1:80`, `http http://h:80/p`.
    pub fn describe(&self) -> String {
        match self {
            Target::Tcp { host, port } => format!("tcp {host}:{port}"),
            Target::Http(url) => format!(
                "http http://{}:{}{}",
                bracketed(&url.host),
                url.port,
                url.target
            ),
        }
    }
}

/// An IPv6 literal in brackets, as URLs and `Host` write it.
fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Runs one check of `target`; `timeout` bounds it.
pub fn run(target: &Target, timeout: StdDuration) -> Outcome {
    let (host, port) = match target {
        Target::Tcp { host, port } => (host.as_str(), *port),
        Target::Http(url) => (url.host.as_str(), url.port),
    };
    let addrs = match resolve(host, port) {
        Ok(addrs) => addrs,
        Err(outcome) => return outcome,
    };
    let (bytes, judge) = match target {
        Target::Tcp { .. } => (Vec::new(), Judge::Connect),
        Target::Http(url) => {
            let host = bracketed(&url.host);
            let mut request = [0u8; 2048];
            let mut w = Writer::new(&mut request);
            if Request::get(&url.target, &host, url.port)
                .user_agent("supercheck-wasi")
                .encode(&mut w)
                .is_err()
            {
                return error(CheckError::BadUrl, None);
            }
            let judge = Judge::Http {
                statuses: StatusSet::default(),
                needle: None,
            };
            (w.written().to_vec(), judge)
        }
    };
    let request = ProbeRequest {
        addrs,
        connect_only: bytes.is_empty(),
        bytes,
        timeout: Duration::from_millis(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)),
    };
    net::probe(request, &judge, &mut ReadBuffer::new())
}

fn error(e: CheckError, detail: Option<String>) -> Outcome {
    Outcome {
        verdict: Verdict::Error(e),
        detail,
    }
}

fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Outcome> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(error(
                    CheckError::Custom("could not run: the host name has no address"),
                    None,
                ))
            } else {
                Ok(addrs)
            }
        }
        Err(e) if e.kind() == ErrorKind::Unsupported => Err(Outcome {
            verdict: Failure::io(Phase::Connect, e).verdict(&Judge::Connect, Duration::ZERO),
            detail: None,
        }),
        Err(e) => Err(error(
            CheckError::Custom("could not run: the host name did not resolve"),
            Some(e.to_string()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::thread;
    use supercheck_core::check::verdict::{FailReason, Protocol};

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
    fn described_with_host_port_and_path() {
        let url = HttpUrl::parse("http://[::1]:9/x?y").unwrap();
        assert_eq!(Target::Http(url).describe(), "http http://[::1]:9/x?y");
    }
}
