//! What the header's `len` counts, and how many payload bytes that makes.
//!
//! supervisord 4.x (Python 3) counts Unicode code points of the payload but
//! writes UTF-8, so `len:28` can announce 30 bytes; supervisord 3.x (Python 2)
//! counted bytes. See Supervisor/supervisor#1243.

/// The unit of the header's `len`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LenMode {
    /// `len` counts Unicode code points of a UTF-8 payload (supervisord 4.x).
    #[default]
    Chars,
    /// `len` counts bytes (supervisord 3.x).
    Bytes,
}

impl LenMode {
    /// The `len` this mode gives `payload`: its byte count, or the number of
    /// UTF-8 characters in it (bytes that are not continuation bytes).
    pub fn count(self, payload: &[u8]) -> usize {
        match self {
            LenMode::Bytes => payload.len(),
            LenMode::Chars => payload.iter().filter(|&&b| !is_continuation(b)).count(),
        }
    }
}

/// Where a payload of known `len` ends in the bytes received so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Span {
    /// The payload is the first `n` bytes.
    Complete(usize),
    /// At least this many more bytes are needed (always >= 1).
    Incomplete(usize),
}

/// Why the payload span cannot be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpanError {
    /// Invalid UTF-8 at this byte offset of the payload (Chars mode only).
    NotUtf8(usize),
    /// The payload needs more than `max_bytes` bytes.
    TooLarge,
}

/// Finds the byte length of a payload of `len` units at the start of `received`.
///
/// A payload longer than `max_bytes` bytes is refused as soon as that is
/// certain. In Chars mode the bytes seen are validated as UTF-8 first, so an
/// invalid byte is reported even before the payload is complete.
pub(crate) fn payload_span(
    mode: LenMode,
    len: usize,
    received: &[u8],
    max_bytes: usize,
) -> Result<Span, SpanError> {
    if len > max_bytes {
        return Err(SpanError::TooLarge);
    }
    match mode {
        LenMode::Bytes => Ok(match len.checked_sub(received.len()) {
            Some(missing @ 1..) => Span::Incomplete(missing),
            _ => Span::Complete(len),
        }),
        LenMode::Chars => char_span(len, received, max_bytes),
    }
}

fn char_span(len: usize, received: &[u8], max_bytes: usize) -> Result<Span, SpanError> {
    let window = received.get(..max_bytes).unwrap_or(received);
    // Walk lead bytes, trusting each one's announced width; validation below
    // proves the walk right before any span is reported complete.
    let mut chars = 0usize;
    let mut end = 0usize;
    for (at, &b) in window.iter().enumerate() {
        if chars == len {
            break;
        }
        if !is_continuation(b) {
            chars = chars.saturating_add(1);
            end = at.saturating_add(utf8_width(b));
        }
    }
    // Validate up to the payload's end once all characters have started,
    // otherwise everything received (stray continuation bytes included).
    let checked = if chars == len {
        window.get(..end).unwrap_or(window)
    } else {
        window
    };
    let valid = match core::str::from_utf8(checked) {
        Ok(_) => true,
        Err(e) if e.error_len().is_some() => return Err(SpanError::NotUtf8(e.valid_up_to())),
        // A character cut by the end of the bytes received so far.
        Err(_) => false,
    };
    if chars == len && valid && end <= window.len() {
        return Ok(Span::Complete(end));
    }
    // The last character started still misses `end - window.len()` bytes, and
    // every character not started yet takes at least one byte.
    let needed = end
        .saturating_sub(window.len())
        .saturating_add(len.saturating_sub(chars))
        .max(1);
    if window.len().saturating_add(needed) > max_bytes {
        return Err(SpanError::TooLarge);
    }
    Ok(Span::Incomplete(needed))
}

const fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The byte width a UTF-8 lead byte announces (1 for bytes that are not leads;
/// validation rejects those).
const fn utf8_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    #[test]
    fn chars_mode_counts_code_points_not_bytes() {
        // `dätä…` is 5 characters in 9 bytes.
        let payload = "dätä…".as_bytes();
        assert_eq!(
            payload_span(LenMode::Chars, 5, payload, MAX),
            Ok(Span::Complete(9))
        );
        assert_eq!(LenMode::Chars.count(payload), 5);
        assert_eq!(LenMode::Bytes.count(payload), 9);
    }

    #[test]
    fn chars_mode_stops_after_len_characters_even_with_more_bytes() {
        assert_eq!(
            payload_span(LenMode::Chars, 2, "héver:3.0".as_bytes(), MAX),
            Ok(Span::Complete(3))
        );
    }

    #[test]
    fn chars_mode_reports_missing_characters_as_at_least_one_byte_each() {
        assert_eq!(
            payload_span(LenMode::Chars, 10, b"abc", MAX),
            Ok(Span::Incomplete(7))
        );
    }

    #[test]
    fn chars_mode_reports_missing_bytes_of_a_cut_character() {
        // `…` is E2 80 A6; only its first byte has arrived.
        assert_eq!(
            payload_span(LenMode::Chars, 2, b"a\xE2", MAX),
            Ok(Span::Incomplete(2))
        );
        assert_eq!(
            payload_span(LenMode::Chars, 3, b"a\xE2\x80", MAX),
            Ok(Span::Incomplete(2))
        );
    }

    #[test]
    fn chars_mode_names_the_offset_of_invalid_utf8() {
        assert_eq!(
            payload_span(LenMode::Chars, 5, b"ab\xFFcd", MAX),
            Err(SpanError::NotUtf8(2))
        );
        // Invalid bytes are reported before the payload is complete.
        assert_eq!(
            payload_span(LenMode::Chars, 50, b"ab\xE2x", MAX),
            Err(SpanError::NotUtf8(2))
        );
    }

    #[test]
    fn chars_mode_refuses_stray_continuation_bytes_before_completion() {
        assert_eq!(
            payload_span(LenMode::Chars, 5, b"\xC3\xA9\x80", MAX),
            Err(SpanError::NotUtf8(2))
        );
    }

    #[test]
    fn zero_len_is_an_empty_payload_in_both_modes() {
        assert_eq!(
            payload_span(LenMode::Chars, 0, b"", MAX),
            Ok(Span::Complete(0))
        );
        assert_eq!(
            payload_span(LenMode::Bytes, 0, b"xyz", MAX),
            Ok(Span::Complete(0))
        );
    }

    #[test]
    fn bytes_mode_counts_bytes() {
        assert_eq!(
            payload_span(LenMode::Bytes, 3, b"h\xC3\xA9x", MAX),
            Ok(Span::Complete(3))
        );
        assert_eq!(
            payload_span(LenMode::Bytes, 6, b"ab", MAX),
            Ok(Span::Incomplete(4))
        );
    }

    #[test]
    fn payload_over_the_byte_cap_is_refused_as_soon_as_certain() {
        assert_eq!(
            payload_span(LenMode::Bytes, 9, b"", 8),
            Err(SpanError::TooLarge)
        );
        assert_eq!(
            payload_span(LenMode::Chars, 9, b"", 8),
            Err(SpanError::TooLarge)
        );
        // Four 2-byte characters fill the cap of 8: a fifth cannot fit.
        assert_eq!(
            payload_span(LenMode::Chars, 5, "éééé".as_bytes(), 8),
            Err(SpanError::TooLarge)
        );
        assert_eq!(
            payload_span(LenMode::Chars, 4, "éé".as_bytes(), 8),
            Ok(Span::Incomplete(2))
        );
    }
}
