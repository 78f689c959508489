//! httpok's probe: one `GET` of a URL with `User-Agent: httpok`, a deadline
//! per attempt, and retries of connection failures (refused, timed out,
//! reset) with superlance's attempt count. Runs on a custom-check worker
//! thread, so it blocks. `https://` URLs go over TLS ([`Transport`]); a
//! rejected certificate is a failure of the service, not retried.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};

use super::transport::{Conn, Transport, tls_failure};
use std::time::{Duration, Instant};
pub use supercheck_wire::http_url::{HttpUrl, HttpUrlError};

use supercheck_core::check::verdict::{CheckError, FailReason, Verdict};
use supercheck_core::http::{
    BodyDecoder, BodyEvent, BodyLimits, EMPTY_HEADER, Parsed, ResponseReader,
};

use supercheck_core::time::Duration as CoreDuration;

/// Most body bytes read while looking for `-b`'s text.
const MAX_BODY: u64 = 1024 * 1024;

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

/// What a probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// More to log than the verdict says (a TLS failure's specifics).
    pub detail: Option<String>,
}

impl From<Verdict> for Outcome {
    fn from(verdict: Verdict) -> Self {
        Self {
            verdict,
            detail: None,
        }
    }
}

/// One `GET`, retried `attempts` times in all on connection failures, with
/// `pause` between attempts. Each attempt (connect, TLS handshake, send,
/// whole answer) has `timeout`.
pub fn probe(
    url: &HttpUrl,
    transport: &Transport,
    expect: &Expect,
    timeout: Duration,
    attempts: u32,
    pause: Duration,
) -> Outcome {
    let mut attempt = 1;
    loop {
        let outcome = attempt_once(url, transport, expect, timeout);
        let retryable = matches!(
            outcome.verdict,
            Verdict::Fail(
                FailReason::ConnectionRefused
                    | FailReason::ConnectTimeout { .. }
                    | FailReason::ResponseTimeout { .. }
                    | FailReason::ConnectionReset
            )
        );
        if !retryable || attempt >= attempts {
            return outcome;
        }
        attempt += 1;
        std::thread::sleep(pause);
    }
}

fn attempt_once(
    url: &HttpUrl,
    transport: &Transport,
    expect: &Expect,
    timeout: Duration,
) -> Outcome {
    let deadline = Instant::now() + timeout;
    let addrs: Vec<SocketAddr> = match (url.host.as_str(), url.port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(_) => {
            return Verdict::Error(CheckError::Config("the URL's host does not resolve")).into();
        }
    };
    let mut last = Verdict::Fail(FailReason::ConnectionRefused);
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Verdict::Fail(FailReason::ConnectTimeout {
                after: to_core(timeout),
            })
            .into();
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => {
                return match transport.open(stream, deadline) {
                    Ok(conn) => exchange(conn, url, expect, timeout),
                    Err(e) => failure(&e, timeout),
                };
            }
            Err(e) => last = connect_failure(&e, timeout),
        }
    }
    last.into()
}

/// The outcome of an I/O error once connected: a TLS failure with its
/// reason, a timeout, or a reset.
fn failure(e: &io::Error, timeout: Duration) -> Outcome {
    if let Some((verdict, detail)) = tls_failure(e) {
        return Outcome {
            verdict,
            detail: Some(detail),
        };
    }
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            Verdict::Fail(FailReason::ResponseTimeout {
                after: to_core(timeout),
            })
        }
        _ => Verdict::Fail(FailReason::ConnectionReset),
    }
    .into()
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

fn exchange(mut conn: Conn, url: &HttpUrl, expect: &Expect, timeout: Duration) -> Outcome {
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: httpok\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        url.target, url.authority
    );
    if let Err(e) = conn.write_all(request.as_bytes()) {
        return failure(&e, timeout);
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
            Err(_) => return Verdict::Fail(FailReason::ConnectionReset).into(),
        }
        match conn.read(&mut chunk) {
            Ok(0) => return Verdict::Fail(FailReason::ConnectionReset).into(),
            Ok(n) => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) => return failure(&e, timeout),
        }
    };
    if !expect.codes.contains(&code) {
        return Verdict::Fail(FailReason::BadStatus { code }).into();
    }
    let Some(needle) = expect.body.as_deref() else {
        return Verdict::Pass.into();
    };
    // The body, decoded, until the text is found or the body ends.
    let limits = BodyLimits {
        max_body: MAX_BODY,
        ..BodyLimits::default()
    };
    let Ok(mut decoder) = BodyDecoder::new(framing, limits) else {
        return Verdict::Fail(FailReason::BodyMismatch).into();
    };
    input.drain(..head_len);
    let mut body = Vec::new();
    let mut eof = false;
    loop {
        let done = decode_available(&mut decoder, &mut input, &mut body);
        if contains(&body, needle.as_bytes()) {
            return Verdict::Pass.into();
        }
        if done || eof {
            return Verdict::Fail(FailReason::BodyMismatch).into();
        }
        match conn.read(&mut chunk) {
            Ok(0) => {
                eof = true;
                let _ = decoder.finish_at_eof();
            }
            Ok(n) => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) => return failure(&e, timeout),
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
    fn https_urls_default_to_port_443_and_say_they_need_tls() {
        let u = HttpUrl::parse("HTTPS://example.org/x").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (true, "example.org", 443));
        let u = HttpUrl::parse("http://example.org/x").unwrap();
        assert_eq!((u.tls, u.port), (false, 80));
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
