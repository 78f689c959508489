//! One frontend connection on the listener's mio loop: the request head read
//! under the core parser's caps, one reply written, then the connection
//! closes. Nothing here blocks: every read and write stops at `WouldBlock`
//! and goes on at the next readiness event.

use std::io::{self, Read, Write};
use std::net::Shutdown;

use mio::net::{TcpListener, TcpStream};
use supercheck_core::http::{EMPTY_HEADER, Parsed, Reply, RequestParser};
use supercheck_core::wire::Writer;

use super::FrontendConfig;
use super::health::HealthCache;
use crate::clients::Clients;
use supercheck_runtime::timers::TimerId;

/// Headers a request may have: more get 431.
pub const MAX_HEADERS: usize = 32;
/// Cap on the request line (414 beyond).
pub const MAX_REQUEST_LINE: usize = 2 * 1024;
/// Cap on the whole head (431 beyond).
pub const MAX_HEAD: usize = 8 * 1024;
/// Cap on a declared body (413 beyond) for the listener's frontend, whose
/// requests are GET and HEAD only. [`Connection::with_body_cap`] sets another.
pub const MAX_BODY: u64 = 0;

/// The request parser with the frontend's caps.
pub const fn parser() -> RequestParser {
    parser_with_body_cap(MAX_BODY)
}

/// The request parser with the frontend's head caps and `max_body`.
pub const fn parser_with_body_cap(max_body: u64) -> RequestParser {
    RequestParser::new()
        .max_request_line(MAX_REQUEST_LINE)
        .max_head(MAX_HEAD)
        .max_body(max_body)
}

/// A request, owned: the head's parts and the body (empty unless the
/// connection's body cap allows one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The target after `?`, if any.
    pub query: Option<String>,
    /// The `Content-Type` header, if any (lossily decoded).
    pub content_type: Option<String>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

/// What reading found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The head is not complete yet.
    Pending,
    /// A complete head.
    Request(Request),
    /// A request refused with this status (then the connection closes).
    Refused(u16),
    /// The peer closed or the socket failed before a complete head.
    Closed,
}

/// What writing found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// More to write when the socket is writable again.
    Pending,
    /// All written (the connection may close).
    Done,
    /// The peer is gone.
    Failed,
}

/// One client connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    input: Vec<u8>,
    output: Option<Vec<u8>>,
    sent: usize,
    max_body: u64,
    continued: bool,
    /// The connection's deadline on the listener's timers.
    pub deadline: Option<TimerId>,
}

impl Connection {
    /// A connection just accepted; requests with a body are refused (413).
    pub fn new(stream: TcpStream) -> Self {
        Self::with_body_cap(stream, MAX_BODY)
    }

    /// A connection just accepted whose requests may carry a body of up to
    /// `max_body` bytes (413 beyond).
    pub fn with_body_cap(stream: TcpStream, max_body: u64) -> Self {
        Self {
            stream,
            input: Vec::new(),
            output: None,
            sent: 0,
            max_body,
            continued: false,
            deadline: None,
        }
    }

    /// The socket, to register or deregister it.
    pub fn stream_mut(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// Whether a reply is being written.
    pub fn responding(&self) -> bool {
        self.output.is_some()
    }

    /// Reads what the socket holds and parses the head (and the body, when
    /// the body cap allows one).
    pub fn read(&mut self) -> ReadOutcome {
        let mut chunk = [0u8; 4096];
        let mut closed = false;
        let cap = MAX_HEAD.saturating_add(usize::try_from(self.max_body).unwrap_or(usize::MAX));
        // Never hold more than the caps can need: the parser reports the violation.
        while self.input.len() <= cap {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => self
                    .input
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return ReadOutcome::Closed,
            }
        }
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        match parser_with_body_cap(self.max_body).parse(&self.input, &mut headers) {
            Ok(Parsed::Complete(head)) => {
                let length = usize::try_from(head.content_length()).unwrap_or(usize::MAX);
                let end = head.head_len().saturating_add(length);
                let Some(body) = self.input.get(head.head_len()..end) else {
                    if closed {
                        return ReadOutcome::Closed;
                    }
                    let expects = head
                        .header("expect")
                        .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
                    if expects && !self.continued {
                        self.continued = true;
                        let _ = self.stream.write(b"HTTP/1.1 100 Continue\r\n\r\n");
                    }
                    return ReadOutcome::Pending;
                };
                ReadOutcome::Request(Request {
                    method: head.method().to_string(),
                    path: head.path().to_string(),
                    query: head.query().map(str::to_string),
                    content_type: head
                        .header("content-type")
                        .map(|v| String::from_utf8_lossy(v).into_owned()),
                    body: body.to_vec(),
                })
            }
            Ok(Parsed::Incomplete) if closed => ReadOutcome::Closed,
            Ok(Parsed::Incomplete) => ReadOutcome::Pending,
            Err(e) => ReadOutcome::Refused(e.status()),
        }
    }

    /// Sets the reply to write.
    pub fn respond(&mut self, bytes: Vec<u8>) {
        self.output = Some(bytes);
        self.sent = 0;
    }

    /// Writes as much of the reply as the socket takes.
    pub fn flush(&mut self) -> WriteOutcome {
        let Some(output) = &self.output else {
            return WriteOutcome::Pending;
        };
        while let Some(rest) = output.get(self.sent..).filter(|r| !r.is_empty()) {
            match self.stream.write(rest) {
                Ok(0) => return WriteOutcome::Failed,
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return WriteOutcome::Pending,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return WriteOutcome::Failed,
            }
        }
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        self.discard_input();
        WriteOutcome::Done
    }

    /// Reads and drops what the client sent beyond the head (a refused
    /// request's rest), so that closing does not reset the connection before
    /// the client has read the reply. Bounded: at most 64 KiB.
    fn discard_input(&mut self) {
        let mut chunk = [0u8; 4096];
        for _ in 0..16 {
            match self.stream.read(&mut chunk) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    /// Writes `bytes` once, as far as the socket takes them now (for the
    /// last words to a connection about to be dropped).
    pub fn write_best_effort(stream: &mut TcpStream, bytes: &[u8]) {
        let _ = stream.write(bytes);
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// The frontend's listening socket, its connections and the `/health` cache.
#[derive(Debug)]
pub struct Server {
    /// What is served and the limits.
    pub config: FrontendConfig,
    /// The listening socket.
    pub socket: TcpListener,
    /// Its open connections.
    pub clients: Clients,
    /// The cached `/health` answer.
    pub health: HealthCache,
}

impl Server {
    /// Binds `config.listen`.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn bind(config: FrontendConfig) -> io::Result<Self> {
        let socket = TcpListener::bind(config.listen)
            .map_err(|e| io::Error::new(e.kind(), format!("--listen {}: {e}", config.listen)))?;
        Ok(Self {
            clients: Clients::new(
                config.max_connections,
                config.client_timeout,
                MAX_BODY,
                "frontend: ",
            ),
            config,
            socket,
            health: HealthCache::default(),
        })
    }
}

/// A whole reply: head and body (the head alone for `HEAD`).
pub fn reply_bytes(
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> Vec<u8> {
    let reply = Reply::new(status)
        .content_type(content_type)
        .headers(headers);
    let mut head = [0u8; 1024];
    let mut w = Writer::new(&mut head);
    let len = u64::try_from(body.len()).unwrap_or(u64::MAX);
    let mut out = match reply.encode_head(&mut w, len) {
        Ok(()) => w.written().to_vec(),
        Err(_) => {
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec()
        }
    };
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

/// A short plain-text error reply.
pub fn error_reply(status: u16, extra: &[(&str, &str)]) -> Vec<u8> {
    let text = supercheck_core::http::reason_phrase(status).unwrap_or("Error");
    let body = format!("{status} {text}\n");
    reply_bytes(
        status,
        "text/plain; charset=utf-8",
        extra,
        body.as_bytes(),
        false,
    )
}
