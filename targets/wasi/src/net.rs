//! Blocking TCP for the WASI listener: `std::net::TcpStream` connected with a
//! deadline, and one [`Exchange`] of `supercheck-wire` driven to its end on
//! it, the time left applied as the socket's read and write timeouts before
//! each step. Nothing here is specific to a check: the requests and judges
//! are the wire crate's, as on Linux.
//!
//! Where the runtime has no sockets (`wasm32-wasip1`) or did not grant
//! network access, the outcome is an [`Error`](Verdict::Error) ("could not
//! run"), never a failure of the target: an error never leads to a restart.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use supercheck_core::check::verdict::{CheckError, Verdict};
use supercheck_core::time::Duration as CoreDuration;
use supercheck_wire::endpoint::Endpoint;
use supercheck_wire::exchange::{
    Exchange, ExchangeError, Phase, Progress, ReadBuffer, Response, Transport,
};
use supercheck_wire::probe::{self, Judge};
use supercheck_wire::supervisor::call::CallError;

/// What a probe says when the runtime has no sockets at all.
pub const NO_SOCKETS: &str =
    "could not run: this WASI runtime has no TCP sockets (wasip1); build for wasm32-wasip2";

/// What a probe says when the runtime refused network access.
pub const DENIED: &str =
    "could not run: the runtime denied network access (wasmtime: -S inherit-network)";

/// A connected blocking TCP stream.
#[derive(Debug)]
pub struct Conn(TcpStream);

impl Conn {
    /// Applies `left` as the read and write timeout: a blocking read or
    /// write then returns `WouldBlock`/`TimedOut` instead of waiting longer.
    /// A runtime without socket timeouts runs the exchange without them.
    fn time_left(&self, left: Duration) {
        let _ = self.0.set_read_timeout(Some(left));
        let _ = self.0.set_write_timeout(Some(left));
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Transport for Conn {
    /// The connect finished before the stream was handed over.
    fn connect_result(&self) -> io::Result<()> {
        Ok(())
    }
}

/// Connects to the first of `addrs` that answers, within `timeout` in all.
///
/// # Errors
/// The last connect's error; `TimedOut` once the time is spent.
pub fn connect(addrs: &[SocketAddr], timeout: Duration) -> io::Result<Conn> {
    let deadline = Instant::now() + timeout;
    let mut last = io::Error::new(ErrorKind::NotFound, "no address to connect to");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(ErrorKind::TimedOut));
        }
        let attempt = match TcpStream::connect_timeout(addr, left) {
            // Some runtimes implement connect but not the timeout's machinery.
            Err(e) if e.kind() == ErrorKind::Unsupported => TcpStream::connect(addr),
            other => other,
        };
        // A runtime whose connect completes asynchronously (jco's
        // preview2-shim) may hand back a stream before the peer answered:
        // asking for the peer's address waits for, and reports, the outcome.
        match attempt.and_then(|stream| stream.peer_addr().map(|_| stream)) {
            Ok(stream) => return Ok(Conn(stream)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Connects to a supervisord endpoint: TCP only (WASI has no unix sockets).
///
/// # Errors
/// As [`connect`]; `Unsupported` for a unix socket.
pub fn connect_endpoint(endpoint: &Endpoint, timeout: Duration) -> io::Result<Conn> {
    match endpoint {
        Endpoint::Tcp(addr) => connect(&[*addr], timeout),
        Endpoint::Unix(_) => Err(io::Error::new(
            ErrorKind::Unsupported,
            "WASI has no unix sockets: configure supervisord's [inet_http_server]",
        )),
    }
}

/// Why an exchange ended without a response.
#[derive(Debug)]
pub enum Failure {
    /// Its time ran out in this phase.
    TimedOut(Phase),
    /// It failed.
    Failed(ExchangeError),
}

impl Failure {
    /// A socket error in `phase` (a timeout is [`Failure::TimedOut`]).
    pub fn io(phase: Phase, e: io::Error) -> Self {
        if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) {
            Failure::TimedOut(phase)
        } else {
            Failure::Failed(ExchangeError::Io(phase, e))
        }
    }

    /// The failure of a call to supervisord.
    pub fn into_call_error(self) -> CallError {
        match self {
            Failure::TimedOut(phase) => CallError::Timeout(phase),
            Failure::Failed(e) => CallError::Transport(e),
        }
    }

    /// What a probe that ended so concludes, `timeout` being its time.
    pub fn verdict(&self, judge: &Judge, timeout: CoreDuration) -> Verdict {
        match self {
            Failure::TimedOut(phase) => probe::timeout_verdict(*phase, timeout),
            Failure::Failed(ExchangeError::Io(_, e)) if e.kind() == ErrorKind::Unsupported => {
                Verdict::Error(CheckError::Custom(NO_SOCKETS))
            }
            Failure::Failed(ExchangeError::Io(_, e)) if e.kind() == ErrorKind::PermissionDenied => {
                Verdict::Error(CheckError::Custom(DENIED))
            }
            Failure::Failed(e) => probe::failure_verdict(e, judge),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::TimedOut(phase) => write!(f, "no answer in time ({phase})"),
            Failure::Failed(e) => write!(f, "{e}"),
        }
    }
}

/// An exchange on a blocking stream, and the instant its time is up.
pub struct Blocking {
    exchange: Exchange<Conn>,
    deadline: Instant,
}

impl std::fmt::Debug for Blocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocking")
            .field("phase", &self.exchange.phase())
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl Blocking {
    /// `exchange`, which must be done by `deadline`.
    pub fn new(exchange: Exchange<Conn>, deadline: Instant) -> Self {
        Self { exchange, deadline }
    }

    /// Sends the request: `None` once it is out and the answer is awaited,
    /// or how the exchange ended before that.
    pub fn send(&mut self, buffer: &mut ReadBuffer) -> Option<Result<Response, Failure>> {
        self.drive(buffer, true)
    }

    /// Drives the exchange to its end: the response, or why there is none.
    ///
    /// # Errors
    /// A [`Failure`]: the time ran out, or the exchange failed.
    pub fn finish(mut self, buffer: &mut ReadBuffer) -> Result<Response, Failure> {
        let phase = self.exchange.phase();
        self.drive(buffer, false)
            .unwrap_or(Err(Failure::TimedOut(phase)))
    }

    fn drive(
        &mut self,
        buffer: &mut ReadBuffer,
        until_sent: bool,
    ) -> Option<Result<Response, Failure>> {
        loop {
            let phase = self.exchange.phase();
            if until_sent && matches!(phase, Phase::Head | Phase::Body) {
                return None;
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Some(Err(Failure::TimedOut(phase)));
            }
            self.exchange.stream_mut().time_left(left);
            match self.exchange.advance(buffer) {
                // A read or write ran into its timeout, or the request just went out.
                Progress::Pending => {}
                Progress::Done(response) => return Some(Ok(response)),
                Progress::Failed(ExchangeError::Io(phase, e)) => {
                    return Some(Err(Failure::io(phase, e)));
                }
                Progress::Failed(e) => return Some(Err(Failure::Failed(e))),
            }
        }
    }
}

/// One probe's request: where it goes, the bytes, and its time.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The addresses to try, in order.
    pub addrs: Vec<SocketAddr>,
    /// The request (nothing for a connect-only probe).
    pub bytes: Vec<u8>,
    /// Connecting is the whole probe (tcp).
    pub connect_only: bool,
    /// The probe's timeout: connecting, sending and the whole answer.
    pub timeout: CoreDuration,
}

/// What a probe concluded and, when an I/O error led to it, that error's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// What went wrong on the socket, for a log line.
    pub detail: Option<String>,
}

/// Runs one probe to its end and judges it with `judge`.
pub fn probe(request: ProbeRequest, judge: &Judge, buffer: &mut ReadBuffer) -> Outcome {
    let sink = match judge.sink() {
        Ok(sink) => sink,
        Err(e) => {
            return Outcome {
                verdict: Verdict::Error(e),
                detail: None,
            };
        }
    };
    let timeout = Duration::from_millis(request.timeout.millis());
    let deadline = Instant::now() + timeout;
    let ended = connect(&request.addrs, timeout)
        .map_err(|e| Failure::io(Phase::Connect, e))
        .and_then(|conn| {
            let exchange = Exchange::new(conn, request.bytes, sink, judge.limits());
            let exchange = if request.connect_only {
                exchange.connect_only()
            } else {
                exchange
            };
            Blocking::new(exchange, deadline).finish(buffer)
        });
    match ended {
        Ok(response) => Outcome {
            verdict: judge.judge(&response),
            detail: None,
        },
        Err(failure) => Outcome {
            verdict: failure.verdict(judge, request.timeout),
            detail: Some(failure.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use supercheck_core::check::verdict::FailReason;

    fn request(port: u16, bytes: &[u8], connect_only: bool, ms: u64) -> ProbeRequest {
        ProbeRequest {
            addrs: vec![SocketAddr::from((probe::LOCALHOST, port))],
            bytes: bytes.to_vec(),
            connect_only,
            timeout: CoreDuration::from_millis(ms),
        }
    }

    #[test]
    fn a_silent_peer_times_out_after_the_probe_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let judge = Judge::Http {
            statuses: Default::default(),
            needle: None,
        };
        let started = Instant::now();
        let outcome = probe(
            request(port, b"GET / HTTP/1.1\r\n\r\n", false, 300),
            &judge,
            &mut ReadBuffer::new(),
        );
        let took = started.elapsed();
        assert_eq!(
            outcome.verdict,
            Verdict::Fail(FailReason::ResponseTimeout {
                after: CoreDuration::from_millis(300)
            })
        );
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[test]
    fn unsupported_sockets_could_not_run_and_never_fail() {
        let e = io::Error::from(ErrorKind::Unsupported);
        let verdict = Failure::io(Phase::Connect, e).verdict(&Judge::Connect, CoreDuration::ZERO);
        assert!(matches!(verdict, Verdict::Error(_)));
        assert!(verdict.to_string().contains("could not run"), "{verdict}");
        let e = io::Error::from(ErrorKind::PermissionDenied);
        let verdict = Failure::io(Phase::Connect, e).verdict(&Judge::Connect, CoreDuration::ZERO);
        assert!(
            verdict.to_string().contains("denied network access"),
            "{verdict}"
        );
    }
}
