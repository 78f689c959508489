//! The event header line: `ver:3.0 server:supervisor serial:21 pool:listener
//! poolserial:10 eventname:TICK_5 len:15`, parsed into a borrowed [`Header`].
//!
//! Keys may come in any order and unknown keys are ignored; `len` and
//! `eventname` are required, and no known key may appear twice (two `len`
//! values would make the framing ambiguous).

use core::fmt;

use super::error::NumberError;
use super::token::{TokenErrorKind, Tokens, parse_u64};

/// The header of one event. Borrows from the decoder's input buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'a> {
    /// Protocol version (`3.0`, even in supervisord 4.x).
    pub ver: Option<&'a str>,
    /// The `[supervisord] identifier` (default `supervisor`).
    pub server: Option<&'a str>,
    /// Global event serial number.
    pub serial: Option<u64>,
    /// The event listener pool (section) name.
    pub pool: Option<&'a str>,
    /// Serial number of the event within its pool.
    pub poolserial: Option<u64>,
    /// The concrete event type, e.g. `PROCESS_STATE_RUNNING`.
    pub eventname: &'a str,
    /// Payload length, in the unit of the decoder's [`LenMode`](super::LenMode).
    pub len: u64,
}

/// A header key the parser knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HeaderKey {
    /// `ver`
    Ver,
    /// `server`
    Server,
    /// `serial`
    Serial,
    /// `pool`
    Pool,
    /// `poolserial`
    PoolSerial,
    /// `eventname`
    EventName,
    /// `len`
    Len,
}

impl HeaderKey {
    const ALL: [HeaderKey; 7] = [
        HeaderKey::Ver,
        HeaderKey::Server,
        HeaderKey::Serial,
        HeaderKey::Pool,
        HeaderKey::PoolSerial,
        HeaderKey::EventName,
        HeaderKey::Len,
    ];

    /// The key as it is spelled on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            HeaderKey::Ver => "ver",
            HeaderKey::Server => "server",
            HeaderKey::Serial => "serial",
            HeaderKey::Pool => "pool",
            HeaderKey::PoolSerial => "poolserial",
            HeaderKey::EventName => "eventname",
            HeaderKey::Len => "len",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == key)
    }
}

impl fmt::Display for HeaderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HeaderErrorKind {
    /// The line is empty.
    Empty,
    /// The line is not UTF-8.
    NotUtf8,
    /// A token has no `:`.
    TokenWithoutColon,
    /// A token starts with `:`.
    EmptyKey,
    /// A known key appears twice.
    DuplicateKey(HeaderKey),
    /// A required key (`len`, `eventname`) is absent.
    MissingKey(HeaderKey),
    /// `eventname:` has an empty value.
    EmptyEventName,
    /// A numeric key (`len`, `serial`, `poolserial`) has a bad value.
    BadNumber {
        /// The key.
        key: HeaderKey,
        /// Why the value was refused.
        reason: NumberError,
    },
}

impl fmt::Display for HeaderErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderErrorKind::Empty => {
                f.write_str("expected `key:value` tokens, found an empty line")
            }
            HeaderErrorKind::NotUtf8 => f.write_str("expected UTF-8"),
            HeaderErrorKind::TokenWithoutColon => f.write_str("expected `key:value`, found no `:`"),
            HeaderErrorKind::EmptyKey => f.write_str("expected a key before `:`"),
            HeaderErrorKind::DuplicateKey(key) => write!(f, "key `{key}` appears twice"),
            HeaderErrorKind::MissingKey(key) => write!(f, "expected key `{key}`"),
            HeaderErrorKind::EmptyEventName => f.write_str("expected a non-empty `eventname`"),
            HeaderErrorKind::BadNumber { key, reason } => write!(f, "`{key}`: {reason}"),
        }
    }
}

/// A [`HeaderErrorKind`] and its byte offset in the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeaderError {
    /// Byte offset of the problem in the line.
    pub offset: usize,
    /// What was expected.
    pub kind: HeaderErrorKind,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "header byte {}: {}", self.offset, self.kind)
    }
}

impl core::error::Error for HeaderError {}

/// Values seen so far, indexed like [`HeaderKey::ALL`]; each with its offset.
type Seen<'a> = [Option<(&'a str, usize)>; 7];

impl<'a> Header<'a> {
    /// Parses one header line, without its terminating `\n`.
    ///
    /// # Errors
    /// A [`HeaderError`] naming the byte offset in `line` and what was expected there.
    pub fn parse(line: &'a [u8]) -> Result<Self, HeaderError> {
        let err = |offset, kind| HeaderError { offset, kind };
        let text = core::str::from_utf8(line)
            .map_err(|e| err(e.valid_up_to(), HeaderErrorKind::NotUtf8))?;
        if text.is_empty() {
            return Err(err(0, HeaderErrorKind::Empty));
        }
        let mut seen: Seen<'a> = [None; 7];
        for token in Tokens::new(text) {
            let token = token.map_err(|e| {
                let kind = match e.kind {
                    TokenErrorKind::WithoutColon => HeaderErrorKind::TokenWithoutColon,
                    TokenErrorKind::EmptyKey => HeaderErrorKind::EmptyKey,
                };
                err(e.offset, kind)
            })?;
            let Some(key) = HeaderKey::from_key(token.key) else {
                continue;
            };
            let slot = seen.get_mut(key as usize);
            match slot {
                Some(Some(_)) => {
                    return Err(err(token.key_at(), HeaderErrorKind::DuplicateKey(key)));
                }
                Some(slot) => *slot = Some((token.value, token.value_at)),
                None => {}
            }
        }
        let get = |key: HeaderKey| seen.get(key as usize).copied().flatten();
        let number = |key: HeaderKey| -> Result<Option<u64>, HeaderError> {
            get(key)
                .map(|(value, at)| {
                    parse_u64(value)
                        .map_err(|reason| err(at, HeaderErrorKind::BadNumber { key, reason }))
                })
                .transpose()
        };
        let missing = |key| err(text.len(), HeaderErrorKind::MissingKey(key));
        let len = number(HeaderKey::Len)?.ok_or_else(|| missing(HeaderKey::Len))?;
        let (eventname, at) =
            get(HeaderKey::EventName).ok_or_else(|| missing(HeaderKey::EventName))?;
        if eventname.is_empty() {
            return Err(err(at, HeaderErrorKind::EmptyEventName));
        }
        Ok(Header {
            ver: get(HeaderKey::Ver).map(|(v, _)| v),
            server: get(HeaderKey::Server).map(|(v, _)| v),
            serial: number(HeaderKey::Serial)?,
            pool: get(HeaderKey::Pool).map(|(v, _)| v),
            poolserial: number(HeaderKey::PoolSerial)?,
            eventname,
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPERVISORD: &[u8] = b"ver:3.0 server:supervisor serial:21 pool:listener poolserial:10 eventname:PROCESS_COMMUNICATION_STDOUT len:54";

    fn kind(line: &[u8]) -> HeaderError {
        Header::parse(line).unwrap_err()
    }

    #[test]
    fn supervisord_header_yields_every_typed_field() {
        assert_eq!(
            Header::parse(SUPERVISORD),
            Ok(Header {
                ver: Some("3.0"),
                server: Some("supervisor"),
                serial: Some(21),
                pool: Some("listener"),
                poolserial: Some(10),
                eventname: "PROCESS_COMMUNICATION_STDOUT",
                len: 54,
            })
        );
    }

    #[test]
    fn header_tokens_in_any_order_are_accepted() {
        let h = Header::parse(b"len:3 pool:p eventname:TICK_5 serial:1").unwrap();
        assert_eq!(
            (h.len, h.eventname, h.pool, h.serial),
            (3, "TICK_5", Some("p"), Some(1))
        );
        assert_eq!((h.ver, h.server, h.poolserial), (None, None, None));
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let h = Header::parse(b"x-future:1 eventname:E len:0 2ver:3.0").unwrap();
        assert_eq!((h.eventname, h.len), ("E", 0));
    }

    #[test]
    fn values_may_contain_colons_and_spaces() {
        let h = Header::parse(b"server:host:9001 pool:my pool eventname:E len:1").unwrap();
        assert_eq!((h.server, h.pool), (Some("host:9001"), Some("my pool")));
    }

    #[test]
    fn missing_len_and_eventname_are_reported_at_line_end() {
        assert_eq!(
            kind(b"eventname:E"),
            HeaderError {
                offset: 11,
                kind: HeaderErrorKind::MissingKey(HeaderKey::Len)
            }
        );
        assert_eq!(
            kind(b"len:1"),
            HeaderError {
                offset: 5,
                kind: HeaderErrorKind::MissingKey(HeaderKey::EventName)
            }
        );
    }

    #[test]
    fn bad_len_values_are_reported_at_the_value() {
        let bad = |reason| HeaderErrorKind::BadNumber {
            key: HeaderKey::Len,
            reason,
        };
        assert_eq!(
            kind(b"eventname:E len:-5"),
            HeaderError {
                offset: 16,
                kind: bad(NumberError::Negative)
            }
        );
        assert_eq!(
            kind(b"eventname:E len:ten"),
            HeaderError {
                offset: 16,
                kind: bad(NumberError::NotDigit)
            }
        );
        assert_eq!(
            kind(b"eventname:E len:"),
            HeaderError {
                offset: 16,
                kind: bad(NumberError::Empty)
            }
        );
        assert_eq!(
            kind(b"eventname:E len:99999999999999999999"),
            HeaderError {
                offset: 16,
                kind: bad(NumberError::Overflow)
            }
        );
    }

    #[test]
    fn duplicate_len_is_refused_at_the_second_token() {
        assert_eq!(
            kind(b"len:1 eventname:E len:2"),
            HeaderError {
                offset: 18,
                kind: HeaderErrorKind::DuplicateKey(HeaderKey::Len)
            }
        );
    }

    #[test]
    fn empty_line_bad_token_and_non_utf8_are_refused() {
        assert_eq!(
            kind(b""),
            HeaderError {
                offset: 0,
                kind: HeaderErrorKind::Empty
            }
        );
        assert_eq!(
            kind(b"len:1 :x"),
            HeaderError {
                offset: 6,
                kind: HeaderErrorKind::EmptyKey
            }
        );
        assert_eq!(
            kind(b"hello len:1"),
            HeaderError {
                offset: 0,
                kind: HeaderErrorKind::TokenWithoutColon
            }
        );
        assert_eq!(
            kind(b"eventname:E\xff len:1"),
            HeaderError {
                offset: 11,
                kind: HeaderErrorKind::NotUtf8
            }
        );
        assert_eq!(
            kind(b"eventname: len:1"),
            HeaderError {
                offset: 10,
                kind: HeaderErrorKind::EmptyEventName
            }
        );
    }

    #[test]
    fn bad_serial_is_refused() {
        assert_eq!(
            kind(b"serial:x eventname:E len:1"),
            HeaderError {
                offset: 7,
                kind: HeaderErrorKind::BadNumber {
                    key: HeaderKey::Serial,
                    reason: NumberError::NotDigit
                }
            }
        );
    }
}
