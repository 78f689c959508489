//! The client request encoder: request line, default headers the caller's own
//! headers may override, Basic auth, body framing. Nothing a caller passes can
//! break out of its header line.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::Connection;
use super::field::{is_field_value, is_token, is_visible};
use crate::wire::{Overflow, Writer};

/// Credentials for `Authorization: Basic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BasicAuth<'a> {
    /// The user name (must not contain `:`).
    pub user: &'a str,
    /// The password.
    pub password: &'a str,
}

impl<'a> BasicAuth<'a> {
    /// Credentials only when both parts are set and non-empty, as
    /// supervisor_checks does (`if username and password`).
    pub fn when_both(user: Option<&'a str>, password: Option<&'a str>) -> Option<Self> {
        match (user, password) {
            (Some(user), Some(password)) if !user.is_empty() && !password.is_empty() => {
                Some(Self { user, password })
            }
            _ => None,
        }
    }
}

/// Why a request could not be encoded. Except for `Overflow`, nothing has been
/// written when it is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestError {
    /// The method is not an HTTP token.
    InvalidMethod,
    /// The target is empty or holds a space or a control byte.
    InvalidTarget,
    /// The host is empty or holds a space or a control byte.
    InvalidHost,
    /// The user agent holds CR, LF or another control byte.
    InvalidUserAgent,
    /// The content type holds CR, LF or another control byte.
    InvalidContentType,
    /// The name of the caller's header at this index is not an HTTP token.
    InvalidHeaderName(usize),
    /// The value of the caller's header at this index holds CR, LF or another control byte.
    InvalidHeaderValue(usize),
    /// The caller's header at this index is `Content-Length` or
    /// `Transfer-Encoding`: the encoder alone frames the body.
    FramingHeader(usize),
    /// The Basic-auth user name contains `:`, which the scheme cannot carry.
    ColonInUser,
    /// The output buffer is too small; it holds a partial request to discard.
    Overflow,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::InvalidMethod => f.write_str("HTTP method is not a token"),
            RequestError::InvalidTarget => {
                f.write_str("request target is empty or has a space or control byte")
            }
            RequestError::InvalidHost => {
                f.write_str("host is empty or has a space or control byte")
            }
            RequestError::InvalidUserAgent => f.write_str("user agent has a control byte"),
            RequestError::InvalidContentType => f.write_str("content type has a control byte"),
            RequestError::InvalidHeaderName(i) => write!(f, "header {i}: name is not a token"),
            RequestError::InvalidHeaderValue(i) => {
                write!(f, "header {i}: value has a control byte (CR/LF?)")
            }
            RequestError::FramingHeader(i) => write!(
                f,
                "header {i}: Content-Length and Transfer-Encoding are set by the encoder"
            ),
            RequestError::ColonInUser => f.write_str("basic-auth user name contains ':'"),
            RequestError::Overflow => f.write_str("output buffer too small for the request"),
        }
    }
}

impl core::error::Error for RequestError {}

impl From<Overflow> for RequestError {
    fn from(_: Overflow) -> Self {
        RequestError::Overflow
    }
}

/// An HTTP/1.1 request to encode.
///
/// Defaults: `User-Agent: supercheck`, `Connection: close`, default port 80
/// (left out of `Host`). The caller's [`headers`](Self::headers) replace a
/// default header of the same name (compared case-insensitively) and are
/// written after the defaults, in the caller's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request<'a> {
    method: &'a str,
    target: &'a str,
    host: &'a str,
    port: u16,
    default_port: u16,
    user_agent: &'a str,
    headers: &'a [(&'a str, &'a str)],
    auth: Option<BasicAuth<'a>>,
    content_type: Option<&'a str>,
    body: Option<&'a [u8]>,
    connection: Connection,
}

impl<'a> Request<'a> {
    /// A request for `target` (path and query) on `host:port`.
    pub const fn new(method: &'a str, target: &'a str, host: &'a str, port: u16) -> Self {
        Self {
            method,
            target,
            host,
            port,
            default_port: 80,
            user_agent: "supercheck",
            headers: &[],
            auth: None,
            content_type: None,
            body: None,
            connection: Connection::Close,
        }
    }

    /// A `GET` request.
    pub const fn get(target: &'a str, host: &'a str, port: u16) -> Self {
        Self::new("GET", target, host, port)
    }

    /// A `POST` request.
    pub const fn post(target: &'a str, host: &'a str, port: u16) -> Self {
        Self::new("POST", target, host, port)
    }

    /// The port left out of `Host` (80 unless set; 443 for a TLS driver).
    pub const fn default_port(mut self, port: u16) -> Self {
        self.default_port = port;
        self
    }

    /// The `User-Agent` value; empty leaves the header out.
    pub const fn user_agent(mut self, user_agent: &'a str) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// The caller's headers, `(name, value)`, written after the defaults they override.
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Credentials for `Authorization: Basic`; `None` sends none.
    pub const fn basic_auth(mut self, auth: Option<BasicAuth<'a>>) -> Self {
        self.auth = auth;
        self
    }

    /// The `Content-Type` value.
    pub const fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The body, sent with `Content-Length` whatever the method.
    pub const fn body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// What to ask for the connection after the exchange.
    pub const fn connection(mut self, connection: Connection) -> Self {
        self.connection = connection;
        self
    }

    /// True when a caller's header replaces the default called `name`.
    fn overridden(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn validate(&self) -> Result<(), RequestError> {
        if !is_token(self.method.as_bytes()) {
            return Err(RequestError::InvalidMethod);
        }
        if !is_visible(self.target.as_bytes()) {
            return Err(RequestError::InvalidTarget);
        }
        if !is_visible(self.host.as_bytes()) {
            return Err(RequestError::InvalidHost);
        }
        if !is_field_value(self.user_agent.as_bytes()) {
            return Err(RequestError::InvalidUserAgent);
        }
        if self
            .content_type
            .is_some_and(|ct| !is_field_value(ct.as_bytes()))
        {
            return Err(RequestError::InvalidContentType);
        }
        if self.auth.is_some_and(|a| a.user.contains(':')) {
            return Err(RequestError::ColonInUser);
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if !is_token(name.as_bytes()) {
                return Err(RequestError::InvalidHeaderName(i));
            }
            if !is_field_value(value.as_bytes()) {
                return Err(RequestError::InvalidHeaderValue(i));
            }
            if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
            {
                return Err(RequestError::FramingHeader(i));
            }
        }
        Ok(())
    }

    /// The `Content-Length` to send: the body's, or 0 for a body-less method
    /// that expects one (POST, PUT, PATCH), or none.
    fn content_length(&self) -> Option<usize> {
        match self.body {
            Some(body) => Some(body.len()),
            None => matches!(self.method, "POST" | "PUT" | "PATCH").then_some(0),
        }
    }

    /// Writes the request (head and body) into `w`.
    ///
    /// # Errors
    /// A [`RequestError`] naming the first invalid part, before anything is
    /// written; [`RequestError::Overflow`] when `w` is too small.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), RequestError> {
        self.validate()?;
        w.put_str(self.method)?;
        w.put_byte(b' ')?;
        w.put_str(self.target)?;
        w.put(b" HTTP/1.1\r\n")?;
        if !self.overridden("host") {
            self.put_host(w)?;
        }
        if !self.user_agent.is_empty() && !self.overridden("user-agent") {
            put_header(w, "User-Agent", self.user_agent)?;
        }
        if let Some(auth) = self.auth.filter(|_| !self.overridden("authorization")) {
            w.put(b"Authorization: Basic ")?;
            put_credentials(w, auth)?;
            w.put(b"\r\n")?;
        }
        if let Some(ct) = self
            .content_type
            .filter(|_| !self.overridden("content-type"))
        {
            put_header(w, "Content-Type", ct)?;
        }
        if let Some(len) = self.content_length() {
            w.put(b"Content-Length: ")?;
            w.put_u64(len as u64)?;
            w.put(b"\r\n")?;
        }
        if !self.overridden("connection") {
            put_header(w, "Connection", self.connection.as_str())?;
        }
        for (name, value) in self.headers {
            put_header(w, name, value)?;
        }
        w.put(b"\r\n")?;
        if let Some(body) = self.body {
            w.put(body)?;
        }
        Ok(())
    }

    fn put_host(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        w.put(b"Host: ")?;
        let bare_ipv6 = self.host.contains(':') && !self.host.starts_with('[');
        if bare_ipv6 {
            w.put_byte(b'[')?;
        }
        w.put_str(self.host)?;
        if bare_ipv6 {
            w.put_byte(b']')?;
        }
        if self.port != self.default_port {
            w.put_byte(b':')?;
            w.put_u64(u64::from(self.port))?;
        }
        w.put(b"\r\n")
    }
}

fn put_header(w: &mut Writer<'_>, name: &str, value: &str) -> Result<(), Overflow> {
    w.put_str(name)?;
    w.put(b": ")?;
    w.put_str(value)?;
    w.put(b"\r\n")
}

/// Base64 of `user:password`, three input bytes at a time, without a buffer
/// for the joined text.
fn put_credentials(w: &mut Writer<'_>, auth: BasicAuth<'_>) -> Result<(), Overflow> {
    let joined = auth
        .user
        .bytes()
        .chain(core::iter::once(b':'))
        .chain(auth.password.bytes());
    let mut group = [0u8; 3];
    let mut filled = 0usize;
    for byte in joined {
        if let Some(slot) = group.get_mut(filled) {
            *slot = byte;
        }
        filled = filled.saturating_add(1);
        if filled == group.len() {
            put_base64_group(w, &group)?;
            filled = 0;
        }
    }
    put_base64_group(w, group.get(..filled).unwrap_or_default())
}

fn put_base64_group(w: &mut Writer<'_>, bytes: &[u8]) -> Result<(), Overflow> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut out = [0u8; 4];
    let len = STANDARD
        .encode_slice(bytes, &mut out)
        .map_err(|_| Overflow)?;
    w.put(out.get(..len).unwrap_or_default())
}
