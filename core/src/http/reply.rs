//! The server response encoder: status line with the standard reason phrase,
//! the usual headers, and the body as a slice or written by the caller.

use core::fmt;

use super::Connection;
use super::field::{is_field_value, is_token};
use super::reason::reason_phrase;
use crate::wire::{Overflow, Writer};

/// Why a reply could not be encoded. Except for `Overflow`, nothing has been
/// written when it is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReplyError {
    /// The status code is not in 100..=999.
    InvalidStatus,
    /// The content type holds CR, LF or another control byte.
    InvalidContentType,
    /// The cache control holds CR, LF or another control byte.
    InvalidCacheControl,
    /// The name of the caller's header at this index is not an HTTP token.
    InvalidHeaderName(usize),
    /// The value of the caller's header at this index holds CR, LF or another control byte.
    InvalidHeaderValue(usize),
    /// The caller's header at this index is `Content-Length` or `Transfer-Encoding`.
    FramingHeader(usize),
    /// A 1xx, 204 or 304 reply was given a body.
    BodyNotAllowed,
    /// The output buffer is too small; it holds a partial reply to discard.
    Overflow,
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::InvalidStatus => f.write_str("status code is not in 100..=999"),
            ReplyError::InvalidContentType => f.write_str("content type has a control byte"),
            ReplyError::InvalidCacheControl => f.write_str("cache control has a control byte"),
            ReplyError::InvalidHeaderName(i) => write!(f, "header {i}: name is not a token"),
            ReplyError::InvalidHeaderValue(i) => write!(f, "header {i}: value has a control byte"),
            ReplyError::FramingHeader(i) => {
                write!(f, "header {i}: framing headers are set by the encoder")
            }
            ReplyError::BodyNotAllowed => f.write_str("1xx, 204 and 304 replies have no body"),
            ReplyError::Overflow => f.write_str("output buffer too small for the reply"),
        }
    }
}

impl core::error::Error for ReplyError {}

impl From<Overflow> for ReplyError {
    fn from(_: Overflow) -> Self {
        ReplyError::Overflow
    }
}

/// An HTTP/1.1 reply to encode. Headers, in order: `Content-Type`,
/// `Content-Length` (left out for 1xx, 204 and 304), `Cache-Control`,
/// `Connection` (default `close`), then the caller's headers, which replace a
/// default of the same name (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reply<'a> {
    status: u16,
    content_type: Option<&'a str>,
    cache_control: Option<&'a str>,
    connection: Connection,
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> Reply<'a> {
    /// A reply with this status code.
    pub const fn new(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            cache_control: None,
            connection: Connection::Close,
            headers: &[],
        }
    }

    /// The `Content-Type` value.
    pub const fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The `Cache-Control` value.
    pub const fn cache_control(mut self, cache_control: &'a str) -> Self {
        self.cache_control = Some(cache_control);
        self
    }

    /// What to announce for the connection after this reply.
    pub const fn connection(mut self, connection: Connection) -> Self {
        self.connection = connection;
        self
    }

    /// The caller's headers, `(name, value)`.
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// True for the statuses that never carry a body.
    const fn bodiless(&self) -> bool {
        self.status < 200 || self.status == 204 || self.status == 304
    }

    fn overridden(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn validate(&self, body_len: u64) -> Result<(), ReplyError> {
        if !(100..=999).contains(&self.status) {
            return Err(ReplyError::InvalidStatus);
        }
        if self
            .content_type
            .is_some_and(|v| !is_field_value(v.as_bytes()))
        {
            return Err(ReplyError::InvalidContentType);
        }
        if self
            .cache_control
            .is_some_and(|v| !is_field_value(v.as_bytes()))
        {
            return Err(ReplyError::InvalidCacheControl);
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if !is_token(name.as_bytes()) {
                return Err(ReplyError::InvalidHeaderName(i));
            }
            if !is_field_value(value.as_bytes()) {
                return Err(ReplyError::InvalidHeaderValue(i));
            }
            if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
            {
                return Err(ReplyError::FramingHeader(i));
            }
        }
        if self.bodiless() && body_len != 0 {
            return Err(ReplyError::BodyNotAllowed);
        }
        Ok(())
    }

    /// Writes the head announcing `body_len` bytes; the caller writes the body
    /// after it (or nothing, for the answer to `HEAD`).
    ///
    /// # Errors
    /// A [`ReplyError`] naming the first invalid part, before anything is
    /// written; [`ReplyError::Overflow`] when `w` is too small.
    pub fn encode_head(&self, w: &mut Writer<'_>, body_len: u64) -> Result<(), ReplyError> {
        self.validate(body_len)?;
        w.put(b"HTTP/1.1 ")?;
        w.put_u64(u64::from(self.status))?;
        w.put_byte(b' ')?;
        w.put_str(reason_phrase(self.status).unwrap_or(""))?;
        w.put(b"\r\n")?;
        if let Some(ct) = self
            .content_type
            .filter(|_| !self.overridden("content-type"))
        {
            put_header(w, "Content-Type", ct)?;
        }
        if !self.bodiless() {
            w.put(b"Content-Length: ")?;
            w.put_u64(body_len)?;
            w.put(b"\r\n")?;
        }
        if let Some(cc) = self
            .cache_control
            .filter(|_| !self.overridden("cache-control"))
        {
            put_header(w, "Cache-Control", cc)?;
        }
        if !self.overridden("connection") {
            put_header(w, "Connection", self.connection.as_str())?;
        }
        for (name, value) in self.headers {
            put_header(w, name, value)?;
        }
        w.put(b"\r\n")?;
        Ok(())
    }

    /// Writes the head and `body`.
    ///
    /// # Errors
    /// As [`encode_head`](Self::encode_head).
    pub fn encode(&self, w: &mut Writer<'_>, body: &[u8]) -> Result<(), ReplyError> {
        self.encode_head(w, body.len() as u64)?;
        w.put(body)?;
        Ok(())
    }
}

fn put_header(w: &mut Writer<'_>, name: &str, value: &str) -> Result<(), Overflow> {
    w.put_str(name)?;
    w.put(b": ")?;
    w.put_str(value)?;
    w.put(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(reply: &Reply<'_>, body: &[u8]) -> Result<std::vec::Vec<u8>, ReplyError> {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        reply.encode(&mut w, body)?;
        Ok(w.written().to_vec())
    }

    #[test]
    fn health_json_reply_is_exact_on_the_wire() {
        let reply = Reply::new(200)
            .content_type("application/health+json")
            .cache_control("max-age=3600");
        assert_eq!(
            encode(&reply, b"{\"status\":\"pass\"}").unwrap(),
            b"HTTP/1.1 200 OK\r\nContent-Type: application/health+json\r\nContent-Length: 17\r\nCache-Control: max-age=3600\r\nConnection: close\r\n\r\n{\"status\":\"pass\"}"
        );
    }

    #[test]
    fn failing_health_is_a_503_that_keeps_the_connection_when_asked() {
        let extra = [("Server", "supercheck")];
        let reply = Reply::new(503)
            .content_type("application/health+json")
            .connection(Connection::KeepAlive)
            .headers(&extra);
        assert_eq!(
            encode(&reply, b"{\"status\":\"fail\"}").unwrap(),
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/health+json\r\nContent-Length: 17\r\nConnection: keep-alive\r\nServer: supercheck\r\n\r\n{\"status\":\"fail\"}"
        );
    }

    #[test]
    fn head_only_announces_the_length_the_caller_writes() {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        Reply::new(404)
            .content_type("text/plain")
            .encode_head(&mut w, 9)
            .unwrap();
        assert_eq!(
            w.written(),
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn no_content_has_no_length_and_refuses_a_body() {
        assert_eq!(
            encode(&Reply::new(204), b"").unwrap(),
            b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            encode(&Reply::new(304), b"x"),
            Err(ReplyError::BodyNotAllowed)
        );
    }

    #[test]
    fn unregistered_code_has_an_empty_reason() {
        assert_eq!(
            encode(&Reply::new(299), b"").unwrap(),
            b"HTTP/1.1 299 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(encode(&Reply::new(99), b""), Err(ReplyError::InvalidStatus));
        assert_eq!(
            encode(&Reply::new(1000), b""),
            Err(ReplyError::InvalidStatus)
        );
    }

    #[test]
    fn reply_header_injection_is_refused() {
        let bad = [("X-A", "1\r\nSet-Cookie: x")];
        assert_eq!(
            encode(&Reply::new(200).headers(&bad), b""),
            Err(ReplyError::InvalidHeaderValue(0))
        );
        let bad = [("Content-Length", "3")];
        assert_eq!(
            encode(&Reply::new(200).headers(&bad), b""),
            Err(ReplyError::FramingHeader(0))
        );
        assert_eq!(
            encode(&Reply::new(200).content_type("a\nb"), b""),
            Err(ReplyError::InvalidContentType)
        );
    }
}
