//! [`HttpSpec`]: the HTTP check, with its [`Headers`], [`Body`] and expected [`StatusList`].

use super::text::is_token;
use super::{BasicAuth, DEFAULT_NUM_RETRIES, Method, SpecError, Timeout, UrlPath};
use crate::check::port::PortSpec;
use crate::json::RawJson;

/// Most request headers an HTTP check may add.
pub const MAX_HEADERS: usize = 16;
/// Most entries in an expected-status list.
pub const MAX_STATUS_ITEMS: usize = 8;

/// An HTTP check: a request to `http://127.0.0.1:<port><url>` and what its
/// reply must look like.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HttpSpec<'a> {
    /// The port, or a pattern that extracts it from the process name.
    pub port: PortSpec<'a>,
    /// The request path.
    pub url: UrlPath<'a>,
    /// The request method, `GET` unless set.
    pub method: Method<'a>,
    /// The request body, if any (sent with any method, as supervisor_checks does).
    pub body: Option<Body<'a>>,
    /// Headers to add; they replace default headers of the same name.
    pub headers: Headers<'a>,
    /// Basic-auth credentials.
    pub auth: Option<BasicAuth<'a>>,
    /// Limit for each attempt.
    pub timeout: Timeout,
    /// Attempts after the first when the connection fails.
    pub num_retries: u32,
    /// Statuses that pass; empty means the matcher's default.
    pub expected_status: StatusList<'a>,
    /// Text the reply body must contain.
    pub expected_body: Option<&'a str>,
}

impl<'a> HttpSpec<'a> {
    /// A check of `url` on `port` with every other setting at its default.
    pub fn new(port: PortSpec<'a>, url: UrlPath<'a>) -> Self {
        Self {
            port,
            url,
            method: Method::GET,
            body: None,
            headers: Headers::new(),
            auth: None,
            timeout: Timeout::DEFAULT,
            num_retries: DEFAULT_NUM_RETRIES,
            expected_status: StatusList::new(),
            expected_body: None,
        }
    }
}

/// A request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Body<'a> {
    /// A JSON value (`--json` / `"json"`), sent as written with
    /// `Content-Type: application/json` whether or not headers are given
    /// (supervisor_checks dropped it without headers, bug 4). Wins over text.
    Json(RawJson<'a>),
    /// Text (`--body` / `"body"`), sent as is.
    Text(&'a str),
}

/// One request header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'a> {
    /// The name, a token.
    pub name: &'a str,
    /// The value, without CR, LF or other control characters (tab allowed).
    pub value: &'a str,
}

/// Request headers, in the order given, at most [`MAX_HEADERS`], names unique
/// ignoring case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Headers<'a> {
    list: heapless::Vec<Header<'a>, MAX_HEADERS>,
}

impl<'a> Headers<'a> {
    /// No headers.
    pub const fn new() -> Self {
        Self {
            list: heapless::Vec::new(),
        }
    }

    /// Adds a header after checking it.
    ///
    /// # Errors
    /// [`SpecError::HeaderName`], [`SpecError::HeaderValue`],
    /// [`SpecError::DuplicateHeader`], or [`SpecError::TooMany`] when full.
    pub fn push(&mut self, name: &'a str, value: &'a str) -> Result<(), SpecError> {
        if !is_token(name) {
            return Err(SpecError::HeaderName);
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(SpecError::HeaderValue);
        }
        if self.get(name).is_some() {
            return Err(SpecError::DuplicateHeader);
        }
        self.list
            .push(Header { name, value })
            .map_err(|_| SpecError::TooMany(MAX_HEADERS))
    }

    /// The value of the header called `name` (ignoring case).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.list
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// The headers in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Header<'a>> {
        self.list.iter()
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl<'s, 'a> IntoIterator for &'s Headers<'a> {
    type Item = &'s Header<'a>;
    type IntoIter = core::slice::Iter<'s, Header<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One entry of an expected-status list, stored as given: the HTTP module
/// decides what a pattern means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StatusItem<'a> {
    /// A status code in 100..=599.
    Code(u16),
    /// A pattern such as `2xx` or `200-299`, not empty, no control characters.
    Pattern(&'a str),
}

impl<'a> StatusItem<'a> {
    /// A status code.
    ///
    /// # Errors
    /// [`SpecError::StatusCode`] outside 100..=599.
    pub fn code(code: i64) -> Result<Self, SpecError> {
        match u16::try_from(code) {
            Ok(c) if (100..=599).contains(&c) => Ok(StatusItem::Code(c)),
            _ => Err(SpecError::StatusCode),
        }
    }

    /// A pattern.
    ///
    /// # Errors
    /// [`SpecError::Empty`] or [`SpecError::ControlCharacter`].
    pub fn pattern(text: &'a str) -> Result<Self, SpecError> {
        if text.trim().is_empty() {
            return Err(SpecError::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(SpecError::ControlCharacter);
        }
        Ok(StatusItem::Pattern(text))
    }
}

/// Expected statuses, at most [`MAX_STATUS_ITEMS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StatusList<'a> {
    list: heapless::Vec<StatusItem<'a>, MAX_STATUS_ITEMS>,
}

impl<'a> StatusList<'a> {
    /// An empty list.
    pub const fn new() -> Self {
        Self {
            list: heapless::Vec::new(),
        }
    }

    /// Appends an entry.
    ///
    /// # Errors
    /// [`SpecError::TooMany`] when full.
    pub fn push(&mut self, item: StatusItem<'a>) -> Result<(), SpecError> {
        self.list
            .push(item)
            .map_err(|_| SpecError::TooMany(MAX_STATUS_ITEMS))
    }

    /// The entries in order.
    pub fn iter(&self) -> core::slice::Iter<'_, StatusItem<'a>> {
        self.list.iter()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl<'s, 'a> IntoIterator for &'s StatusList<'a> {
    type Item = &'s StatusItem<'a>;
    type IntoIter = core::slice::Iter<'s, StatusItem<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_http_spec_has_python_defaults_and_get() {
        let spec = HttpSpec::new(PortSpec::Number(8080), UrlPath::new("/ping").unwrap());
        assert_eq!(spec.method, Method::GET);
        assert_eq!(spec.timeout, Timeout::DEFAULT);
        assert_eq!(spec.num_retries, 2);
        assert!(spec.headers.is_empty() && spec.expected_status.is_empty());
    }

    #[test]
    fn headers_refuse_injection_and_duplicates() {
        let mut h = Headers::new();
        h.push("X-Token", "a\tb").unwrap();
        assert_eq!(h.push("Bad Name", "v"), Err(SpecError::HeaderName));
        assert_eq!(
            h.push("X-Evil", "a\r\nHost: x"),
            Err(SpecError::HeaderValue)
        );
        assert_eq!(h.push("x-token", "again"), Err(SpecError::DuplicateHeader));
        assert_eq!(h.get("X-TOKEN"), Some("a\tb"));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn headers_beyond_capacity_are_a_typed_error() {
        const NAMES: [&str; MAX_HEADERS + 1] = [
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
        ];
        let mut h = Headers::new();
        for name in &NAMES[..MAX_HEADERS] {
            h.push(name, "v").unwrap();
        }
        assert_eq!(
            h.push(NAMES[MAX_HEADERS], "v"),
            Err(SpecError::TooMany(MAX_HEADERS))
        );
    }

    #[test]
    fn status_items_are_range_checked() {
        assert_eq!(StatusItem::code(204), Ok(StatusItem::Code(204)));
        assert_eq!(StatusItem::code(99), Err(SpecError::StatusCode));
        assert_eq!(StatusItem::code(70_000), Err(SpecError::StatusCode));
        assert_eq!(StatusItem::pattern("2xx"), Ok(StatusItem::Pattern("2xx")));
        assert_eq!(StatusItem::pattern(" "), Err(SpecError::Empty));
    }
}
