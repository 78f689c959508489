//! [`Decoder`]: finds one event (header line, then `len` payload units) at the
//! start of a caller-accumulated buffer, with caps on both parts.

use nom::Parser;
use nom::bytes::{tag, take_until};
use nom::sequence::terminated;

use super::error::{DecodeError, DecodeErrorKind, Resync};
use super::header::Header;
use super::kinds::Event;
use super::length::{LenMode, Span, SpanError, payload_span};

/// Streaming decoder settings: what `len` counts and how large an event may be.
///
/// The decoder keeps no state; the caller accumulates stdin bytes in its own
/// buffer (at most [`Decoder::max_event_len`] bytes are ever needed) and calls
/// [`Decoder::decode`] on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decoder {
    /// What the header's `len` counts.
    pub mode: LenMode,
    /// Longest header line accepted, in bytes, without its `\n`.
    pub max_header_len: usize,
    /// Largest payload accepted, in bytes (a `len` above it fails as soon as the header is read).
    pub max_payload_len: usize,
}

/// The outcome of [`Decoder::decode`] that is not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decoded<'b> {
    /// A whole event is at the start of the buffer.
    Complete {
        /// Its header.
        header: Header<'b>,
        /// Its typed payload.
        event: Event<'b>,
        /// Bytes it occupies (header line and payload); drop them before the next decode.
        consumed: usize,
    },
    /// The buffer holds the start of an event.
    Incomplete {
        /// At least this many more bytes are needed (>= 1). Decoding again before
        /// they arrived gives `Incomplete` again, so waiting for them keeps the
        /// cost of re-decoding a growing buffer low.
        needed: usize,
    },
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(LenMode::Chars)
    }
}

impl Decoder {
    /// Default `max_header_len`: 4 KiB (supervisord's lines are about 120 bytes).
    pub const DEFAULT_MAX_HEADER_LEN: usize = 4 * 1024;
    /// Default `max_payload_len`: 1 MiB.
    pub const DEFAULT_MAX_PAYLOAD_LEN: usize = 1024 * 1024;

    /// A decoder for `mode` with the default caps.
    pub const fn new(mode: LenMode) -> Self {
        Self {
            mode,
            max_header_len: Self::DEFAULT_MAX_HEADER_LEN,
            max_payload_len: Self::DEFAULT_MAX_PAYLOAD_LEN,
        }
    }

    /// The largest number of bytes one event can occupy: a buffer this size
    /// always suffices.
    pub const fn max_event_len(&self) -> usize {
        self.max_header_len
            .saturating_add(1)
            .saturating_add(self.max_payload_len)
    }

    /// Decodes the event at the start of `buf`.
    ///
    /// Payload fields borrow from `buf`. After `Complete { consumed, .. }` the
    /// next event (if any) starts at `buf[consumed..]`.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the byte offset in `buf` and what was expected:
    /// a header line over `max_header_len` or malformed, a `len` over
    /// `max_payload_len`, a payload that is not UTF-8 (Chars mode) or not the
    /// shape its event type requires. [`DecodeError::resync`] says how to go on.
    pub fn decode<'b>(&self, buf: &'b [u8]) -> Result<Decoded<'b>, DecodeError> {
        let window = buf
            .get(..self.max_header_len.saturating_add(1))
            .unwrap_or(buf);
        let line_parse = terminated(
            take_until::<_, _, nom::error::Error<&[u8]>>(&b"\n"[..]),
            tag(&b"\n"[..]),
        )
        .parse(window);
        let Ok((_, line)) = line_parse else {
            // No `\n` yet (streaming `take_until` is `Incomplete`).
            if buf.len() > self.max_header_len {
                let kind = DecodeErrorKind::HeaderTooLong {
                    max: self.max_header_len,
                };
                return Err(DecodeError::new(self.max_header_len, kind, Resync::Lost));
            }
            return Ok(Decoded::Incomplete { needed: 1 });
        };
        let header_end = line.len().saturating_add(1);
        let header = Header::parse(line).map_err(|e| {
            DecodeError::new(
                e.offset,
                DecodeErrorKind::Header(e.kind),
                Resync::SkipLine(header_end),
            )
        })?;

        let too_large = || {
            let kind = DecodeErrorKind::PayloadTooLarge {
                len: header.len,
                max: self.max_payload_len,
            };
            DecodeError::new(header_end, kind, Resync::Lost)
        };
        let len = usize::try_from(header.len).map_err(|_| too_large())?;
        let received = buf.get(header_end..).unwrap_or_default();
        let payload_len = match payload_span(self.mode, len, received, self.max_payload_len) {
            Ok(Span::Complete(n)) => n,
            Ok(Span::Incomplete(needed)) => return Ok(Decoded::Incomplete { needed }),
            Err(SpanError::TooLarge) => return Err(too_large()),
            Err(SpanError::NotUtf8(at)) => {
                let kind = DecodeErrorKind::PayloadNotUtf8;
                return Err(DecodeError::new(
                    header_end.saturating_add(at),
                    kind,
                    Resync::Lost,
                ));
            }
        };
        let consumed = header_end.saturating_add(payload_len);
        let payload = received.get(..payload_len).unwrap_or_default();
        let event = Event::parse(header.eventname, payload).map_err(|e| {
            let kind = DecodeErrorKind::Payload(e.kind);
            DecodeError::new(
                header_end.saturating_add(e.offset),
                kind,
                Resync::SkipEvent(consumed),
            )
        })?;
        trace!("event {} decoded, {} bytes", header.eventname, consumed);
        Ok(Decoded::Complete {
            header,
            event,
            consumed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::HeaderErrorKind;

    const CHARS: Decoder = Decoder::new(LenMode::Chars);

    #[test]
    fn header_without_newline_within_the_cap_is_incomplete() {
        assert_eq!(CHARS.decode(b""), Ok(Decoded::Incomplete { needed: 1 }));
        assert_eq!(
            CHARS.decode(b"ver:3.0 len:5"),
            Ok(Decoded::Incomplete { needed: 1 })
        );
    }

    #[test]
    fn header_line_longer_than_the_cap_is_too_long_and_lost() {
        let small = Decoder {
            max_header_len: 8,
            ..CHARS
        };
        assert_eq!(
            small.decode(b"len:0 e:"),
            Ok(Decoded::Incomplete { needed: 1 })
        );
        assert_eq!(
            small.decode(b"eventname:X len:0\n").map(|_| ()),
            Err(DecodeError::new(
                8,
                DecodeErrorKind::HeaderTooLong { max: 8 },
                Resync::Lost
            ))
        );
        // A line of exactly the cap, then `\n`, is fine.
        assert!(matches!(
            small.decode(b"len:0 e:\n"),
            Err(DecodeError {
                kind: DecodeErrorKind::Header(HeaderErrorKind::MissingKey(_)),
                ..
            })
        ));
    }

    #[test]
    fn len_over_the_payload_cap_fails_before_the_payload_arrives() {
        let err = CHARS
            .decode(b"eventname:E len:1099511627776\n")
            .unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::PayloadTooLarge {
                len: 1 << 40,
                max: Decoder::DEFAULT_MAX_PAYLOAD_LEN
            }
        );
        assert_eq!((err.offset, err.resync()), (30, Resync::Lost));
    }

    #[test]
    fn max_event_len_is_header_newline_and_payload() {
        let d = Decoder {
            max_header_len: 10,
            max_payload_len: 20,
            mode: LenMode::Bytes,
        };
        assert_eq!(d.max_event_len(), 31);
        assert_eq!(
            Decoder {
                max_payload_len: usize::MAX,
                ..d
            }
            .max_event_len(),
            usize::MAX
        );
    }
}
