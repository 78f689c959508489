//! The server request parser: a request head read from a buffer the caller
//! accumulates, with caps on the request line, the head and the body, and
//! errors that map to the status code to answer with.

use core::fmt;

use httparse::Header;

use super::Parsed;
use super::field::{self, TransferCoding};

/// Why a request was refused; [`status`](Self::status) is the answer to send
/// (then close the connection).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ServerError {
    /// The request line or a header is malformed (400).
    Malformed,
    /// Not `HTTP/1.0` or `HTTP/1.1` (HTTP/0.9, HTTP/2 preface, garbage) (400).
    InvalidVersion,
    /// An HTTP/1.1 request without `Host`, or with several (400).
    InvalidHost,
    /// A `Content-Length` that is not a plain decimal number, or several that disagree (400).
    InvalidContentLength,
    /// `Transfer-Encoding` together with `Content-Length`: a smuggling pattern (400).
    AmbiguousFraming,
    /// The declared body is larger than the cap (413).
    BodyTooLarge,
    /// The request line is longer than the cap (414).
    RequestLineTooLong,
    /// The head is longer than the cap (431).
    HeadTooLarge,
    /// More headers than the caller's header array holds (431).
    TooManyHeaders,
    /// `Transfer-Encoding` on a request: not supported (501).
    TransferEncoding,
}

impl ServerError {
    /// The status code to answer with.
    pub const fn status(self) -> u16 {
        match self {
            ServerError::Malformed
            | ServerError::InvalidVersion
            | ServerError::InvalidHost
            | ServerError::InvalidContentLength
            | ServerError::AmbiguousFraming => 400,
            ServerError::BodyTooLarge => 413,
            ServerError::RequestLineTooLong => 414,
            ServerError::HeadTooLarge | ServerError::TooManyHeaders => 431,
            ServerError::TransferEncoding => 501,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerError::Malformed => "malformed request",
            ServerError::InvalidVersion => "request is not HTTP/1.x",
            ServerError::InvalidHost => "missing or repeated Host header",
            ServerError::InvalidContentLength => "invalid or conflicting Content-Length",
            ServerError::AmbiguousFraming => "both Transfer-Encoding and Content-Length",
            ServerError::BodyTooLarge => "request body larger than the cap",
            ServerError::RequestLineTooLong => "request line longer than the cap",
            ServerError::HeadTooLarge => "request head larger than the cap",
            ServerError::TooManyHeaders => "too many request headers",
            ServerError::TransferEncoding => "Transfer-Encoding on requests is not supported",
        })
    }
}

impl core::error::Error for ServerError {}

impl From<httparse::Error> for ServerError {
    fn from(e: httparse::Error) -> Self {
        match e {
            httparse::Error::TooManyHeaders => ServerError::TooManyHeaders,
            httparse::Error::Version => ServerError::InvalidVersion,
            _ => ServerError::Malformed,
        }
    }
}

/// A complete, validated request head. Borrows the caller's buffer (`'b`) and
/// header array (`'h`). The body is the next `content_length` bytes after `head_len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestHead<'h, 'b> {
    method: &'b str,
    path: &'b str,
    query: Option<&'b str>,
    minor_version: u8,
    content_length: u64,
    keep_alive: bool,
    head_len: usize,
    headers: &'h [Header<'b>],
}

impl<'h, 'b> RequestHead<'h, 'b> {
    /// The method, as sent (methods are case-sensitive).
    pub const fn method(&self) -> &'b str {
        self.method
    }

    /// The target up to `?`.
    pub const fn path(&self) -> &'b str {
        self.path
    }

    /// The target after the first `?`, if there is one.
    pub const fn query(&self) -> Option<&'b str> {
        self.query
    }

    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub const fn minor_version(&self) -> u8 {
        self.minor_version
    }

    /// Body bytes that follow the head (0 without `Content-Length`).
    pub const fn content_length(&self) -> u64 {
        self.content_length
    }

    /// True when the client lets the connection carry another request.
    pub const fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Length of the head in bytes: the body starts at this offset of the buffer.
    pub const fn head_len(&self) -> usize {
        self.head_len
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        field::find(self.headers, name)
    }

    /// Every header, in order.
    pub const fn headers(&self) -> &'h [Header<'b>] {
        self.headers
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RequestHead<'_, '_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "RequestHead {{ method: {=str}, path: {=str}, content_length: {}, keep_alive: {} }}",
            self.method,
            self.path,
            self.content_length,
            self.keep_alive
        );
    }
}

/// Reads request heads under caps. The header count cap is the length of the
/// header array passed to [`parse`](Self::parse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestParser {
    max_request_line: usize,
    max_head: usize,
    max_body: u64,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    /// Default caps: 2 KiB request line, 8 KiB head, 64 KiB body.
    pub const fn new() -> Self {
        Self {
            max_request_line: 2 * 1024,
            max_head: 8 * 1024,
            max_body: 64 * 1024,
        }
    }

    /// The cap on the request line, CRLF included.
    pub const fn max_request_line(mut self, bytes: usize) -> Self {
        self.max_request_line = bytes;
        self
    }

    /// The cap on the whole head (request line, headers, blank line).
    pub const fn max_head(mut self, bytes: usize) -> Self {
        self.max_head = bytes;
        self
    }

    /// The cap on a declared `Content-Length`.
    pub const fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Parses the request head at the start of `buf`.
    ///
    /// Returns [`Parsed::Incomplete`] while the head is unfinished and under
    /// the caps: read more and call again with the grown buffer (and a fresh
    /// header array). Violations are reported in the order their bytes arrive,
    /// so the answer does not depend on how the input was split.
    ///
    /// # Errors
    /// A [`ServerError`]; answer with its [`status`](ServerError::status).
    pub fn parse<'h, 'b>(
        &self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Parsed<RequestHead<'h, 'b>>, ServerError> {
        let window = buf.get(..self.max_head).unwrap_or(buf);
        let blank = window
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let line_end = blank.saturating_add(self.max_request_line);
        let line_window = window.get(..line_end).unwrap_or(window);
        let line_done = line_window.get(blank..).is_some_and(|l| l.contains(&b'\n'));
        if !line_done && window.len() >= line_end {
            // The line runs past its cap: report a bad byte before the cap first.
            httparse::Request::new(&mut []).parse(line_window)?;
            return Err(ServerError::RequestLineTooLong);
        }
        let mut request = httparse::Request::new(headers);
        let head_len = match request.parse(window)? {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial if window.len() >= self.max_head => {
                return Err(ServerError::HeadTooLarge);
            }
            httparse::Status::Partial => return Ok(Parsed::Incomplete),
        };
        let (Some(method), Some(target), Some(minor_version)) =
            (request.method, request.path, request.version)
        else {
            return Err(ServerError::Malformed);
        };
        let headers: &'h [Header<'b>] = request.headers;
        self.complete(method, target, minor_version, headers, head_len)
    }

    fn complete<'h, 'b>(
        &self,
        method: &'b str,
        target: &'b str,
        minor_version: u8,
        headers: &'h [Header<'b>],
        head_len: usize,
    ) -> Result<Parsed<RequestHead<'h, 'b>>, ServerError> {
        let hosts = headers.iter().filter(|h| field::name_is(h, "host")).count();
        if hosts > 1 || (minor_version >= 1 && hosts == 0) {
            return Err(ServerError::InvalidHost);
        }
        let length = field::content_length(headers);
        match field::transfer_coding(headers) {
            Ok(TransferCoding::Absent) => {}
            _ if length != Ok(None) => return Err(ServerError::AmbiguousFraming),
            _ => return Err(ServerError::TransferEncoding),
        }
        let content_length = match length {
            Ok(n) => n.unwrap_or(0),
            Err(_) => return Err(ServerError::InvalidContentLength),
        };
        if content_length > self.max_body {
            return Err(ServerError::BodyTooLarge);
        }
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        Ok(Parsed::Complete(RequestHead {
            method,
            path,
            query,
            minor_version,
            content_length,
            keep_alive: field::keep_alive(minor_version, headers),
            head_len,
            headers,
        }))
    }
}
