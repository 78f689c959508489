//! httpok's probe: one `GET` of a URL with `User-Agent: httpok`, a deadline
//! per attempt, and retries of connection failures (refused, timed out,
//! reset) with superlance's attempt count. Runs on a custom-check worker
//! thread, so it blocks.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::http::{
    BodyDecoder, BodyEvent, BodyLimits, EMPTY_HEADER, Parsed, ResponseReader,
};

use supercheck_core::time::Duration as CoreDuration;

/// Most body bytes read while looking for `-b`'s text.
const MAX_BODY: u64 = 1024 * 1024;

/// An `http://` URL, split for the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host[:port]` as written, for the `Host` header.
    pub authority: String,
    /// The host to connect to (without IPv6 brackets).
    pub host: String,
    /// The port (80 unless given).
    pub port: u16,
    /// Path and query (`/` when empty).
    pub target: String,
}

/// Why a URL was refused at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HttpUrl {
    /// Reads an `http://host[:port][/path][?query]` URL.
    ///
    /// # Errors
    /// Another scheme (`https` is not supported: there is no TLS stack), no
    /// host, a bad port, or user information.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| UrlError(format!("{url:?} is not an http:// URL")))?;
        if scheme.eq_ignore_ascii_case("https") {
            return Err(UrlError(format!(
                "{url:?}: https is not supported (no TLS stack); superlance's httpok on Python 3.12 \
                 failed every https probe and restarted on every tick"
            )));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(UrlError(format!(
                "{url:?}: only http:// URLs are supported"
            )));
        }
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        let tail = tail.split('#').next().unwrap_or_default();
        let target = match tail {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        if authority.contains('@') {
            return Err(UrlError(format!(
                "{url:?}: user information is not supported"
            )));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6
                    .split_once(']')
                    .ok_or_else(|| UrlError(format!("{url:?}: unclosed [ in the host")))?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let port = match port {
            None | Some("") => 80,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| UrlError(format!("{url:?}: bad port {p:?}")))?,
        };
        if host.is_empty() || target.chars().any(|c| c.is_control() || c == ' ') {
            return Err(UrlError(format!("{url:?}: no host, or spaces in the path")));
        }
        Ok(Self {
            authority: authority.to_string(),
            host: host.to_string(),
            port,
            target,
        })
    }
}

/// What the probe expects of the answer.
#[derive(Clone, Debug)]
pub struct Expect {
    /// Status codes that pass.
    pub codes: Vec<u16>,
    /// Text the body must contain.
    pub body: Option<String>,
}

/// superlance's attempt count for a timeout: `(t - 1) // 10 + 1`, at least 1
/// (before 2.0.0 a timeout below 10 made none, issue #110).
pub fn attempts_for(timeout_secs: u64) -> u32 {
    u32::try_from(timeout_secs.saturating_sub(1) / 10 + 1)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// One `GET`, retried `attempts` times in all on connection failures, with
/// `pause` between attempts. Each attempt (connect, send, whole answer) has
/// `timeout`.
pub fn probe(
    url: &HttpUrl,
    expect: &Expect,
    timeout: Duration,
    attempts: u32,
    pause: Duration,
) -> Verdict {
    let mut attempt = 1;
    loop {
        let verdict = attempt_once(url, expect, timeout);
        let retryable = matches!(
            verdict,
            Verdict::Fail(
                FailReason::ConnectionRefused
                    | FailReason::ConnectTimeout { .. }
                    | FailReason::ResponseTimeout { .. }
                    | FailReason::ConnectionReset
            )
        );
        if !retryable || attempt >= attempts {
            return verdict;
        }
        attempt += 1;
        std::thread::sleep(pause);
    }
}

fn attempt_once(url: &HttpUrl, expect: &Expect, timeout: Duration) -> Verdict {
    let deadline = Instant::now() + timeout;
    let addrs: Vec<SocketAddr> = match (url.host.as_str(), url.port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(_) => return Verdict::Error(CheckError::Config("the URL's host does not resolve")),
    };
    let mut last = Verdict::Fail(FailReason::ConnectionRefused);
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Verdict::Fail(FailReason::ConnectTimeout {
                after: to_core(timeout),
            });
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => return exchange(stream, url, expect, deadline, timeout),
            Err(e) => last = connect_failure(&e, timeout),
        }
    }
    last
}

fn connect_failure(e: &io::Error, timeout: Duration) -> Verdict {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            Verdict::Fail(FailReason::ConnectTimeout {
                after: to_core(timeout),
            })
        }
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
            Verdict::Fail(FailReason::ConnectionReset)
        }
        _ => Verdict::Fail(FailReason::ConnectionRefused),
    }
}

fn exchange(
    mut stream: TcpStream,
    url: &HttpUrl,
    expect: &Expect,
    deadline: Instant,
    timeout: Duration,
) -> Verdict {
    let timed_out = Verdict::Fail(FailReason::ResponseTimeout {
        after: to_core(timeout),
    });
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: httpok\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        url.target, url.authority
    );
    let io_verdict = |e: &io::Error| match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timed_out,
        _ => Verdict::Fail(FailReason::ConnectionReset),
    };
    if let Err(e) =
        set_deadline(&stream, deadline).and_then(|()| stream.write_all(request.as_bytes()))
    {
        return io_verdict(&e);
    }
    let mut input = Vec::new();
    let mut chunk = [0u8; 8192];
    // The head.
    let (code, framing, head_len) = loop {
        let mut headers = [EMPTY_HEADER; 64];
        match ResponseReader::new().read(&input, &mut headers) {
            Ok(Parsed::Complete(head)) if head.is_interim() => {
                input.drain(..head.head_len());
                continue;
            }
            Ok(Parsed::Complete(head)) => break (head.code(), head.framing(), head.head_len()),
            Ok(Parsed::Incomplete) => {}
            Err(_) => return Verdict::Fail(FailReason::ConnectionReset),
        }
        match read_some(&mut stream, &mut chunk, deadline) {
            Ok(0) => return Verdict::Fail(FailReason::ConnectionReset),
            Ok(n) => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) => return io_verdict(&e),
        }
    };
    if !expect.codes.contains(&code) {
        return Verdict::Fail(FailReason::BadStatus { code });
    }
    let Some(needle) = expect.body.as_deref() else {
        return Verdict::Pass;
    };
    // The body, decoded, until the text is found or the body ends.
    let limits = BodyLimits {
        max_body: MAX_BODY,
        ..BodyLimits::default()
    };
    let Ok(mut decoder) = BodyDecoder::new(framing, limits) else {
        return Verdict::Fail(FailReason::BodyMismatch);
    };
    input.drain(..head_len);
    let mut body = Vec::new();
    let mut eof = false;
    loop {
        let done = decode_available(&mut decoder, &mut input, &mut body);
        if contains(&body, needle.as_bytes()) {
            return Verdict::Pass;
        }
        if done || eof {
            return Verdict::Fail(FailReason::BodyMismatch);
        }
        match read_some(&mut stream, &mut chunk, deadline) {
            Ok(0) => {
                eof = true;
                let _ = decoder.finish_at_eof();
            }
            Ok(n) => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) => return io_verdict(&e),
        }
    }
}

/// Feeds `input` to the decoder, appending body bytes to `body`; true when
/// the body is complete (or refused).
fn decode_available(decoder: &mut BodyDecoder, input: &mut Vec<u8>, body: &mut Vec<u8>) -> bool {
    loop {
        let Ok(step) = decoder.decode(input) else {
            return true;
        };
        let (consumed, finished) = match step.event {
            BodyEvent::Data(data) => {
                body.extend_from_slice(data);
                (step.consumed, None)
            }
            BodyEvent::NeedMore => (step.consumed, Some(false)),
            BodyEvent::Done => (step.consumed, Some(true)),
        };
        input.drain(..consumed.min(input.len()));
        if let Some(finished) = finished {
            return finished;
        }
    }
}

fn set_deadline(stream: &TcpStream, deadline: Instant) -> io::Result<()> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::from(io::ErrorKind::TimedOut));
    }
    stream.set_read_timeout(Some(left))?;
    stream.set_write_timeout(Some(left))
}

fn read_some(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    loop {
        set_deadline(stream, deadline)?;
        match stream.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// A std duration on the core's clock.
fn to_core(d: Duration) -> CoreDuration {
    CoreDuration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_port_and_target() {
        let u = HttpUrl::parse("http://localhost:8080/tasty?x=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("localhost", 8080, "/tasty?x=1")
        );
        let u = HttpUrl::parse("HTTP://[::1]?q").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("::1", 80, "/?q")
        );
        assert!(HttpUrl::parse("ftp://x/").is_err());
        assert!(HttpUrl::parse("localhost:80").is_err());
        assert!(HttpUrl::parse("http://h:99999/").is_err());
    }

    #[test]
    fn https_url_is_refused_at_startup_instead_of_restarting_every_tick() {
        let e = HttpUrl::parse("https://example.org/").unwrap_err();
        assert!(e.0.contains("https is not supported"), "{e}");
    }

    #[test]
    fn timeout_below_10_seconds_still_makes_one_attempt() {
        assert_eq!(attempts_for(1), 1);
        assert_eq!(attempts_for(2), 1);
        assert_eq!(attempts_for(10), 1);
        assert_eq!(attempts_for(11), 2);
        assert_eq!(attempts_for(60), 6);
    }
}
