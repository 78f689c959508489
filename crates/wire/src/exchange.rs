//! One HTTP request/response exchange on a stream: connect, send, read the
//! head and the body. On a non-blocking mio stream it is driven by readiness
//! events; on a blocking one (WASI) each call blocks until progress is made or
//! the socket's timeout passes.
//!
//! The core does the HTTP (request bytes are encoded by the caller with
//! `supercheck_core::http::Request`; the head and the body framing are read
//! with `ResponseReader` and `BodyDecoder`); this file only moves bytes and
//! keeps what the caller asked for: the whole body (capped), a streaming
//! substring match, the body handed piece by piece to a consumer, or nothing.
//! A response is parsed where the read put it; only bytes that cannot be
//! consumed yet (a head or chunk cut by the read) are kept between reads.

use std::any::Any;
use std::fmt;
use std::io::{self, Read, Write};

use supercheck_core::http::{
    BodyDecoder, BodyError, BodyEvent, BodyLimits, BodyMatcher, EMPTY_HEADER, Framing, HeadError,
    Parsed, ResponseReader,
};

/// A byte stream an exchange runs on.
pub trait Transport: Read + Write {
    /// `Ok` once connected; the connect's failure; or an error that says the
    /// connect is still under way (`WouldBlock`, `NotConnected`, `EINPROGRESS`).
    ///
    /// # Errors
    /// The connect's failure, or that it has not finished.
    fn connect_result(&self) -> io::Result<()>;
}

/// The longest body substring an http check may look for.
pub const MAX_NEEDLE: usize = 1024;

/// Header lines a response may have before it is refused.
const MAX_HEADERS: usize = 64;

/// What to do with the response body.
pub enum BodySink {
    /// Read it to the end and throw it away.
    Discard,
    /// Keep it, up to the cap in [`BodyLimits::max_body`].
    Keep(Vec<u8>),
    /// Look for a substring without holding the body.
    Find(Box<BodyMatcher<MAX_NEEDLE>>),
    /// Hand it, piece by piece as it arrives, to a reader that keeps what it
    /// needs (a long XML-RPC list read one element at a time).
    Consume(Box<dyn BodyConsumer>),
}

/// A reader of a response body that takes it as it arrives. It gets the
/// body's bytes once each, in order; the [`Response`] hands it back.
pub trait BodyConsumer: Any {
    /// The next bytes of the body.
    fn feed(&mut self, data: &[u8]);
}

/// The part of the exchange that was under way when something went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Connecting.
    Connect,
    /// Sending the request.
    Send,
    /// Waiting for or reading the response head.
    Head,
    /// Reading the body.
    Body,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connecting",
            Phase::Send => "sending the request",
            Phase::Head => "waiting for the response",
            Phase::Body => "reading the body",
        })
    }
}

/// Why an exchange failed.
#[derive(Debug)]
pub enum ExchangeError {
    /// A socket error, in the given phase.
    Io(Phase, io::Error),
    /// The peer closed the connection before the response was complete.
    Closed(Phase),
    /// The response head was malformed or too large.
    Head(HeadError),
    /// The body was malformed, too large, or truncated.
    Body(BodyError),
    /// A kept-alive connection turned out to be closed by the peer before
    /// any byte of the response: not the peer's fault, try a new connection.
    Stale,
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Io(phase, e) => write!(f, "{phase}: {e}"),
            ExchangeError::Closed(phase) => write!(f, "connection closed while {phase}"),
            ExchangeError::Head(e) => write!(f, "bad response head: {e}"),
            ExchangeError::Body(e) => write!(f, "bad response body: {e}"),
            ExchangeError::Stale => f.write_str("kept-alive connection closed by the peer"),
        }
    }
}

impl std::error::Error for ExchangeError {}

/// A complete response.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body, when the sink kept it.
    pub body: Vec<u8>,
    /// Whether the substring was found, when the sink looked for one.
    pub found: Option<bool>,
    /// The consumer the body was fed to, when the sink was one.
    pub consumer: Option<Box<dyn BodyConsumer>>,
    /// Whether the connection may carry another exchange (HTTP keep-alive,
    /// body framed, nothing unread).
    pub reusable: bool,
}

/// Progress of an exchange after a readiness event.
pub enum Progress {
    /// Still under way: wait for the next readiness event.
    Pending,
    /// Done: the response is complete.
    Done(Response),
    /// Failed.
    Failed(ExchangeError),
}

enum State {
    Connecting,
    Sending { written: usize },
    Head,
    Body { decoder: BodyDecoder, status: u16 },
    Finished,
}

/// One request/response exchange over `stream`.
pub struct Exchange<S> {
    stream: S,
    request: Vec<u8>,
    state: State,
    input: Vec<u8>,
    sink: Option<BodySink>,
    limits: BodyLimits,
    head_reader: ResponseReader,
    connect_only: bool,
    reused: bool,
    received_any: bool,
    keep_alive: bool,
}

/// Where an exchange's reads land before they are consumed: one buffer per
/// loop, reused by every read of every exchange, so that no read first zeroes
/// a fresh one. A process list arrives in reads of this size.
pub struct ReadBuffer(Box<[u8]>);

impl ReadBuffer {
    /// The most one read takes.
    pub const SIZE: usize = 16 * 1024;

    /// A zeroed buffer of [`ReadBuffer::SIZE`] bytes.
    pub fn new() -> Self {
        Self(vec![0; Self::SIZE].into_boxed_slice())
    }
}

impl Default for ReadBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Transport> Exchange<S> {
    /// An exchange that will send `request` once `stream` has connected.
    pub fn new(stream: S, request: Vec<u8>, sink: BodySink, limits: BodyLimits) -> Self {
        Self {
            stream,
            request,
            state: State::Connecting,
            input: Vec::new(),
            sink: Some(sink),
            limits,
            head_reader: ResponseReader::new(),
            connect_only: false,
            reused: false,
            received_any: false,
            keep_alive: false,
        }
    }

    /// An exchange on a connection kept alive from an earlier one: the request
    /// is sent at once. If the peer closed the connection meanwhile, the
    /// exchange fails with [`ExchangeError::Stale`] and a new connection is due.
    pub fn reuse(stream: S, request: Vec<u8>, sink: BodySink, limits: BodyLimits) -> Self {
        let mut exchange = Self::new(stream, request, sink, limits);
        exchange.state = State::Sending { written: 0 };
        exchange.reused = true;
        exchange
    }

    /// The connection, to keep for another exchange once this one is done.
    pub fn into_stream(self) -> S {
        self.stream
    }

    /// An exchange that ends as soon as the connection is made (a tcp check):
    /// nothing is sent, the response has status 0.
    pub fn connect_only(mut self) -> Self {
        self.connect_only = true;
        self
    }

    /// The stream, for (de)registration with the poll.
    pub fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The phase the exchange is in (for timeout messages).
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Connecting => Phase::Connect,
            State::Sending { .. } => Phase::Send,
            State::Head | State::Finished => Phase::Head,
            State::Body { .. } => Phase::Body,
        }
    }

    /// Drives the exchange as far as the socket allows without blocking.
    /// Call on every readiness event of the stream (edge-triggered: it always
    /// drains until the socket would block). Reads land in `buffer`, which the
    /// caller keeps for all its exchanges.
    pub fn advance(&mut self, buffer: &mut ReadBuffer) -> Progress {
        match self.try_advance(&mut buffer.0) {
            Ok(Some(response)) => {
                self.state = State::Finished;
                Progress::Done(response)
            }
            Ok(None) => Progress::Pending,
            Err(e) => {
                self.state = State::Finished;
                if self.reused && !self.received_any && is_peer_gone(&e) {
                    return Progress::Failed(ExchangeError::Stale);
                }
                Progress::Failed(e)
            }
        }
    }

    fn try_advance(&mut self, chunk: &mut [u8]) -> Result<Option<Response>, ExchangeError> {
        if let State::Connecting = self.state {
            match self.stream.connect_result() {
                Ok(()) if self.connect_only => {
                    return Ok(Some(Response {
                        status: 0,
                        body: Vec::new(),
                        found: None,
                        consumer: None,
                        reusable: false,
                    }));
                }
                Ok(()) => self.state = State::Sending { written: 0 },
                Err(e) if is_in_progress(&e) => return Ok(None),
                Err(e) => return Err(ExchangeError::Io(Phase::Connect, e)),
            }
        }
        if let State::Sending { written } = &mut self.state {
            while *written < self.request.len() {
                let rest = self.request.get(*written..).unwrap_or_default();
                match self.stream.write(rest) {
                    Ok(0) => return Err(ExchangeError::Closed(Phase::Send)),
                    Ok(n) => *written += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(ExchangeError::Io(Phase::Send, e)),
                }
            }
            self.state = State::Head;
            // Nothing can have arrived yet: the response will come with a new
            // readiness edge (epoll reports every arrival on a socket), so the
            // read that could only say "would block" is skipped.
            return Ok(None);
        }
        loop {
            match self.stream.read(chunk) {
                Ok(0) => return self.at_eof().map(Some),
                Ok(n) => {
                    // From here on, a closed connection is the peer's
                    // failure, not a stale kept-alive connection.
                    self.received_any = true;
                    let fresh = chunk.get(..n).unwrap_or_default();
                    if let Some(status) = self.take_input(fresh)? {
                        return Ok(Some(self.response(status)));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ExchangeError::Io(self.phase(), e)),
            }
        }
    }

    /// Takes `fresh` bytes just read. When nothing is left over from an
    /// earlier read (a whole response usually comes in one), they are consumed
    /// where they lie; only what cannot be consumed yet is kept in `input`.
    /// Returns the status once the response is complete.
    fn take_input(&mut self, fresh: &[u8]) -> Result<Option<u16>, ExchangeError> {
        if self.input.is_empty() {
            let (used, done) = self.consume(fresh)?;
            self.input
                .extend_from_slice(fresh.get(used..).unwrap_or_default());
            return Ok(done);
        }
        let mut input = std::mem::take(&mut self.input);
        input.extend_from_slice(fresh);
        let (used, done) = self.consume(&input)?;
        input.drain(..used.min(input.len()));
        self.input = input;
        Ok(done)
    }

    /// Consumes what `data` holds: the head once it is complete (1xx interim
    /// heads before it skipped), then body data into the sink. Returns the bytes used and, once the body is
    /// complete, the status.
    fn consume(&mut self, data: &[u8]) -> Result<(usize, Option<u16>), ExchangeError> {
        let mut used = 0usize;
        if let State::Head = self.state {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            let (status, framing) = loop {
                let rest = data.get(used..).unwrap_or_default();
                match self.head_reader.read(rest, &mut headers) {
                    Ok(Parsed::Incomplete) => return Ok((used, None)),
                    // A 1xx interim head (100 Continue, 103 Early Hints) has
                    // no body: the final response follows it (101 ends HTTP).
                    Ok(Parsed::Complete(head)) if head.is_interim() && head.code() != 101 => {
                        used = used.saturating_add(head.head_len().min(rest.len()));
                    }
                    Ok(Parsed::Complete(head)) => {
                        self.keep_alive =
                            head.keep_alive() && head.framing() != Framing::UntilClose;
                        used = used.saturating_add(head.head_len().min(rest.len()));
                        break (head.code(), head.framing());
                    }
                    Err(e) => return Err(ExchangeError::Head(e)),
                }
            };
            let decoder = BodyDecoder::new(framing, self.limits).map_err(ExchangeError::Body)?;
            if let (Some(BodySink::Keep(body)), Framing::Length(n)) = (self.sink.as_mut(), framing)
            {
                // One allocation of the announced size (capped by the limit the
                // decoder just checked), not a doubling series.
                body.reserve_exact(usize::try_from(n).unwrap_or(0).saturating_sub(body.len()));
            }
            self.state = State::Body { decoder, status };
        }
        let State::Body { decoder, status } = &mut self.state else {
            return Ok((used, None));
        };
        let done = loop {
            let step = decoder
                .decode(data.get(used..).unwrap_or_default())
                .map_err(ExchangeError::Body)?;
            used = used.saturating_add(step.consumed);
            match step.event {
                BodyEvent::Data(data) => feed(self.sink.as_mut(), data),
                BodyEvent::NeedMore => break false,
                BodyEvent::Done => break true,
            }
        };
        Ok((used, done.then_some(*status)))
    }

    fn at_eof(&mut self) -> Result<Response, ExchangeError> {
        match &mut self.state {
            State::Body { decoder, status } => {
                let status = *status;
                decoder.finish_at_eof().map_err(ExchangeError::Body)?;
                Ok(self.response(status))
            }
            _ => Err(ExchangeError::Closed(self.phase())),
        }
    }

    fn response(&mut self, status: u16) -> Response {
        let reusable = self.keep_alive && self.input.is_empty();
        let mut response = Response {
            status,
            body: Vec::new(),
            found: None,
            consumer: None,
            reusable,
        };
        match self.sink.take() {
            Some(BodySink::Keep(body)) => response.body = body,
            Some(BodySink::Find(matcher)) => response.found = Some(matcher.is_found()),
            Some(BodySink::Consume(consumer)) => response.consumer = Some(consumer),
            Some(BodySink::Discard) | None => {}
        }
        response
    }
}

fn feed(sink: Option<&mut BodySink>, data: &[u8]) {
    match sink {
        Some(BodySink::Keep(body)) => body.extend_from_slice(data),
        Some(BodySink::Find(matcher)) => {
            matcher.feed(data);
        }
        Some(BodySink::Consume(consumer)) => consumer.feed(data),
        Some(BodySink::Discard) | None => {}
    }
}

/// Errors that mean the peer had closed the connection.
fn is_peer_gone(e: &ExchangeError) -> bool {
    match e {
        ExchangeError::Closed(Phase::Send | Phase::Head) => true,
        ExchangeError::Io(_, e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionReset
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionAborted
        ),
        _ => false,
    }
}

fn is_in_progress(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotConnected
        || e.kind() == io::ErrorKind::WouldBlock
        || e.raw_os_error() == Some(libc::EINPROGRESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connected stream that answers with `reply`, `step` bytes per read.
    struct Scripted {
        reply: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let rest = self.reply.get(self.at..).unwrap_or_default();
            let n = rest.len().min(buf.len()).min(self.step);
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Transport for Scripted {
        fn connect_result(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn status_of(reply: &[u8], step: usize) -> (u16, Vec<u8>) {
        let stream = Scripted {
            reply: reply.to_vec(),
            at: 0,
            step,
        };
        let sink = BodySink::Keep(Vec::new());
        let mut exchange = Exchange::new(
            stream,
            b"GET / HTTP/1.1\r\n\r\n".to_vec(),
            sink,
            BodyLimits::default(),
        );
        let mut buffer = ReadBuffer::new();
        loop {
            match exchange.advance(&mut buffer) {
                Progress::Pending => {}
                Progress::Done(response) => return (response.status, response.body),
                Progress::Failed(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn interim_heads_are_skipped_wherever_the_reads_split_them() {
        let reply = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        for step in [1, 7, 30, reply.len()] {
            assert_eq!(
                status_of(reply, step),
                (200, b"ok".to_vec()),
                "{step} bytes per read"
            );
        }
    }
}
