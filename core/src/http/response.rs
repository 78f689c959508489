//! The client response-head reader: status line and headers through
//! `httparse`, capped in bytes and count, and the body framing they imply.

use core::fmt;

use httparse::Header;

use super::Parsed;
use super::field::{self, FramingFault, TransferCoding};

/// How the body after a response head is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Framing {
    /// No body: a 1xx, 204 or 304 status, or the answer to a `HEAD` request.
    None,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// Why a response head was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HeadError {
    /// The head is longer than the reader's cap (or not finished within it).
    TooLarge,
    /// More headers than the caller's header array holds.
    TooManyHeaders,
    /// Not `HTTP/1.0` or `HTTP/1.1` where the version belongs (HTTP/0.9 or garbage).
    InvalidVersion,
    /// The status code is missing, not three digits, or below 100.
    InvalidStatus,
    /// A header name, value or line ending is malformed.
    InvalidHeader,
    /// A `Content-Length` that is not a plain decimal number.
    InvalidContentLength,
    /// Several `Content-Length` values that disagree.
    ConflictingContentLength,
    /// `chunked` applied twice, or not as the last transfer coding.
    InvalidTransferEncoding,
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeadError::TooLarge => "response head larger than the cap",
            HeadError::TooManyHeaders => "response has too many headers",
            HeadError::InvalidVersion => "response is not HTTP/1.x",
            HeadError::InvalidStatus => "invalid response status line",
            HeadError::InvalidHeader => "invalid response header",
            HeadError::InvalidContentLength => "invalid Content-Length",
            HeadError::ConflictingContentLength => "conflicting Content-Length values",
            HeadError::InvalidTransferEncoding => "invalid Transfer-Encoding",
        })
    }
}

impl core::error::Error for HeadError {}

impl From<httparse::Error> for HeadError {
    fn from(e: httparse::Error) -> Self {
        match e {
            httparse::Error::TooManyHeaders => HeadError::TooManyHeaders,
            httparse::Error::Version => HeadError::InvalidVersion,
            httparse::Error::Status => HeadError::InvalidStatus,
            _ => HeadError::InvalidHeader,
        }
    }
}

impl From<FramingFault> for HeadError {
    fn from(e: FramingFault) -> Self {
        match e {
            FramingFault::InvalidLength => HeadError::InvalidContentLength,
            FramingFault::ConflictingLength => HeadError::ConflictingContentLength,
            FramingFault::InvalidTransferEncoding => HeadError::InvalidTransferEncoding,
        }
    }
}

/// A complete, validated response head. Borrows the caller's buffer (`'b`)
/// and header array (`'h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseHead<'h, 'b> {
    minor_version: u8,
    code: u16,
    reason: &'b str,
    framing: Framing,
    keep_alive: bool,
    head_len: usize,
    headers: &'h [Header<'b>],
}

impl<'h, 'b> ResponseHead<'h, 'b> {
    /// The status code, 100..=999.
    pub const fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase as sent (may be empty).
    pub const fn reason(&self) -> &'b str {
        self.reason
    }

    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub const fn minor_version(&self) -> u8 {
        self.minor_version
    }

    /// How the body is delimited.
    pub const fn framing(&self) -> Framing {
        self.framing
    }

    /// True when the connection may carry another request after this body.
    pub const fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Length of the head in bytes: the body starts at this offset of the buffer.
    pub const fn head_len(&self) -> usize {
        self.head_len
    }

    /// True for a 1xx interim response: skip `head_len` bytes and read the
    /// final response that follows.
    pub const fn is_interim(&self) -> bool {
        self.code < 200
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
impl defmt::Format for ResponseHead<'_, '_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "ResponseHead {{ code: {}, framing: {}, keep_alive: {}, head_len: {} }}",
            self.code,
            self.framing,
            self.keep_alive,
            self.head_len
        );
    }
}

/// Reads response heads. The header count cap is the length of the header
/// array passed to [`read`](Self::read); the byte cap is [`max_head`](Self::max_head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseReader {
    max_head: usize,
    after_head_request: bool,
}

impl Default for ResponseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseReader {
    /// The default cap on head bytes: 8 KiB.
    pub const DEFAULT_MAX_HEAD: usize = 8 * 1024;

    /// A reader with the default cap, for the answer to a request other than `HEAD`.
    pub const fn new() -> Self {
        Self {
            max_head: Self::DEFAULT_MAX_HEAD,
            after_head_request: false,
        }
    }

    /// The cap on head bytes (status line, headers and the blank line).
    pub const fn max_head(mut self, bytes: usize) -> Self {
        self.max_head = bytes;
        self
    }

    /// Read the answer to a `HEAD` request: it never has a body.
    pub const fn after_head_request(mut self) -> Self {
        self.after_head_request = true;
        self
    }

    /// Parses the head at the start of `buf`.
    ///
    /// Returns [`Parsed::Incomplete`] when `buf` ends inside a head shorter than
    /// the cap: read more and call again with the grown buffer (and a fresh
    /// header array: it borrows the buffer).
    ///
    /// # Errors
    /// [`HeadError::TooLarge`] for a head longer than the cap, even when it is
    /// still incomplete; [`HeadError::TooManyHeaders`] when `headers` is too
    /// short; the other variants for malformed heads and framing headers.
    pub fn read<'h, 'b>(
        &self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Parsed<ResponseHead<'h, 'b>>, HeadError> {
        // Never hand httparse more than the cap: it cannot loop on a huge buffer.
        let window = buf.get(..self.max_head).unwrap_or(buf);
        let mut response = httparse::Response::new(headers);
        let head_len = match response.parse(window)? {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial if window.len() >= self.max_head => {
                return Err(HeadError::TooLarge);
            }
            httparse::Status::Partial => return Ok(Parsed::Incomplete),
        };
        let (Some(minor_version), Some(code)) = (response.version, response.code) else {
            return Err(HeadError::InvalidStatus);
        };
        if code < 100 {
            return Err(HeadError::InvalidStatus);
        }
        let reason = response.reason.unwrap_or("");
        let headers: &'h [Header<'b>] = response.headers;
        let (framing, forced_close) = self.framing(minor_version, code, headers)?;
        let keep_alive = !forced_close && field::keep_alive(minor_version, headers);
        Ok(Parsed::Complete(ResponseHead {
            minor_version,
            code,
            reason,
            framing,
            keep_alive,
            head_len,
            headers,
        }))
    }

    /// The body framing (RFC 9112 section 6.3) and whether it forces the
    /// connection closed afterwards.
    fn framing(
        &self,
        minor_version: u8,
        code: u16,
        headers: &[Header<'_>],
    ) -> Result<(Framing, bool), HeadError> {
        if self.after_head_request || code < 200 || code == 204 || code == 304 {
            return Ok((Framing::None, false));
        }
        let coding = field::transfer_coding(headers)?;
        let length = field::content_length(headers);
        match coding {
            // Transfer-Encoding wins over Content-Length; a message with both
            // (a smuggling pattern) must not be followed by another one.
            TransferCoding::Chunked if minor_version >= 1 => {
                Ok((Framing::Chunked, length != Ok(None)))
            }
            TransferCoding::Chunked | TransferCoding::NotChunked => Ok((Framing::UntilClose, true)),
            TransferCoding::Absent => match length? {
                Some(n) => Ok((Framing::Length(n), false)),
                None => Ok((Framing::UntilClose, true)),
            },
        }
    }
}
