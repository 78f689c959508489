//! [`DecodeError`]: what went wrong while decoding one event, where, and how a
//! driver can get back in step with the stream.

use core::fmt;

use super::header::HeaderErrorKind;
use super::payload::PayloadErrorKind;

/// Why a decimal number in a header or payload token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NumberError {
    /// The value is empty.
    Empty,
    /// The value starts with `-`.
    Negative,
    /// The value holds something other than ASCII digits.
    NotDigit,
    /// The value does not fit the field's integer type.
    Overflow,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumberError::Empty => "expected digits, found nothing",
            NumberError::Negative => "expected a non-negative number, found `-`",
            NumberError::NotDigit => "expected only ASCII digits",
            NumberError::Overflow => "number too large",
        })
    }
}

/// What the decoder expected and did not find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// No `\n` within the first `max` bytes: the header line is longer than the decoder accepts.
    HeaderTooLong {
        /// The decoder's `max_header_len`.
        max: usize,
    },
    /// The header line is malformed.
    Header(HeaderErrorKind),
    /// The header announces a payload larger than the decoder accepts
    /// (in [`LenMode::Chars`](super::LenMode::Chars) also: its UTF-8 bytes exceed `max`).
    PayloadTooLarge {
        /// The `len` the header announced.
        len: u64,
        /// The decoder's `max_payload_len`, in bytes.
        max: usize,
    },
    /// In [`LenMode::Chars`](super::LenMode::Chars) the payload must be UTF-8 to count its characters.
    PayloadNotUtf8,
    /// The payload does not have the shape its event type requires.
    Payload(PayloadErrorKind),
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::HeaderTooLong { max } => {
                write!(f, "expected `\\n` within {max} bytes of header line")
            }
            DecodeErrorKind::Header(kind) => write!(f, "bad header: {kind}"),
            DecodeErrorKind::PayloadTooLarge { len, max } => {
                write!(f, "payload len {len} exceeds the limit of {max} bytes")
            }
            DecodeErrorKind::PayloadNotUtf8 => f.write_str("expected UTF-8 payload"),
            DecodeErrorKind::Payload(kind) => write!(f, "bad payload: {kind}"),
        }
    }
}

/// How a driver can get back in step with the stream after a [`DecodeError`].
///
/// supervisord sends one event, then waits for its `RESULT`: whatever the
/// error, answering `RESULT 2\nOK` keeps supervisord from resending the same
/// bad event forever (see [`RESULT_OK`](super::RESULT_OK)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Resync {
    /// The whole offending event (header and payload) is the first `n` bytes of
    /// the buffer: drop them, answer the event, and decode on. The stream is in step.
    SkipEvent(usize),
    /// The header line, `\n` included, is the first `n` bytes of the buffer,
    /// but the payload length is unknown: the bytes after the line may be that
    /// payload rather than the next header.
    SkipLine(usize),
    /// No boundary is known (header line too long, payload too large or not
    /// countable). The stream cannot be trusted again; a driver should drop its
    /// buffer and restart the listener.
    Lost,
}

/// A malformed event: the byte offset (from the start of the buffer given to
/// [`Decoder::decode`](super::Decoder::decode)) at which the problem was found,
/// and what was expected there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeError {
    /// Byte offset of the problem from the start of the buffer.
    pub offset: usize,
    /// What was expected.
    pub kind: DecodeErrorKind,
    resync: Resync,
}

impl DecodeError {
    pub(crate) const fn new(offset: usize, kind: DecodeErrorKind, resync: Resync) -> Self {
        Self {
            offset,
            kind,
            resync,
        }
    }

    /// How to get back in step with the stream.
    pub const fn resync(&self) -> Resync {
        self.resync
    }

    /// Bytes to drop from the front of the buffer to get past the offending
    /// line or event, or `None` when no boundary is known ([`Resync::Lost`]).
    pub const fn skip_to(&self) -> Option<usize> {
        match self.resync {
            Resync::SkipEvent(n) | Resync::SkipLine(n) => Some(n),
            Resync::Lost => None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event byte {}: {}", self.offset, self.kind)
    }
}

impl core::error::Error for DecodeError {}
