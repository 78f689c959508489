//! Header-field vocabulary shared by both directions: name comparison, token
//! and value checks for what we write, and the framing headers
//! (`Content-Length`, `Transfer-Encoding`, `Connection`) for what we read.

use httparse::Header;

/// True when `b` may appear in a token (RFC 9110 `tchar`): method names and
/// header names.
const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
        | b'^' | b'_' | b'`' | b'|' | b'~'
        | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// A non-empty RFC 9110 token: what a method or a header name must be.
pub(crate) fn is_token(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(|&b| is_tchar(b))
}

/// Bytes allowed in a header value we write: visible ASCII, space, tab and
/// obs-text. CR, LF, NUL and the other controls are refused, so a value can
/// never end the header line early (no header injection).
pub(crate) fn is_field_value(text: &[u8]) -> bool {
    text.iter()
        .all(|&b| b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80)
}

/// Bytes allowed in a request target or host we write: visible ASCII only
/// (no space, no control, nothing that could split the request line).
pub(crate) fn is_visible(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(|&b| (0x21..=0x7e).contains(&b))
}

/// Case-insensitive header-name comparison.
pub(crate) fn name_is(header: &Header<'_>, name: &str) -> bool {
    header.name.eq_ignore_ascii_case(name)
}

/// The value of the first header called `name` (case-insensitively).
pub(crate) fn find<'b>(headers: &[Header<'b>], name: &str) -> Option<&'b [u8]> {
    headers.iter().find(|h| name_is(h, name)).map(|h| h.value)
}

/// The elements of a comma-separated header value, trimmed of optional
/// whitespace, empty elements skipped.
pub(crate) fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(|e| e.trim_ascii())
        .filter(|e| !e.is_empty())
}

/// True when any `name` header lists `token` (case-insensitively).
pub(crate) fn lists_token(headers: &[Header<'_>], name: &str, token: &str) -> bool {
    headers
        .iter()
        .filter(|h| name_is(h, name))
        .flat_map(|h| list_elements(h.value))
        .any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether a connection stays open after this message, from the version
/// (`minor`: 0 for HTTP/1.0, 1 for HTTP/1.1) and the `Connection` header.
pub(crate) fn keep_alive(minor: u8, headers: &[Header<'_>]) -> bool {
    if lists_token(headers, "connection", "close") {
        false
    } else if minor == 0 {
        lists_token(headers, "connection", "keep-alive")
    } else {
        true
    }
}

/// Why the framing headers of a message cannot be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FramingFault {
    /// A `Content-Length` that is not a plain decimal number fitting in u64.
    InvalidLength,
    /// Several `Content-Length` values that disagree.
    ConflictingLength,
    /// A `Transfer-Encoding` we cannot frame safely (chunked twice, or not last).
    InvalidTransferEncoding,
}

/// Parses a decimal `Content-Length` element: digits only, no sign, no overflow.
fn parse_length(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |acc, &b| {
        let digit = u64::from(b.checked_sub(b'0').filter(|d| *d <= 9)?);
        acc.checked_mul(10)?.checked_add(digit)
    })
}

/// The message's `Content-Length`, if any. Several headers, or a
/// comma-separated list, are accepted only when every value is the same.
pub(crate) fn content_length(headers: &[Header<'_>]) -> Result<Option<u64>, FramingFault> {
    let mut found: Option<u64> = None;
    for header in headers.iter().filter(|h| name_is(h, "content-length")) {
        let mut any = false;
        for element in list_elements(header.value) {
            any = true;
            let n = parse_length(element).ok_or(FramingFault::InvalidLength)?;
            match found {
                Some(prev) if prev != n => return Err(FramingFault::ConflictingLength),
                _ => found = Some(n),
            }
        }
        if !any {
            return Err(FramingFault::InvalidLength);
        }
    }
    Ok(found)
}

/// What the `Transfer-Encoding` headers say about framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransferCoding {
    /// No `Transfer-Encoding` header.
    Absent,
    /// `chunked` is the final (and only chunked) coding.
    Chunked,
    /// Codings are present but `chunked` is not among them.
    NotChunked,
}

/// Reads every `Transfer-Encoding` header as one list.
pub(crate) fn transfer_coding(headers: &[Header<'_>]) -> Result<TransferCoding, FramingFault> {
    let mut present = false;
    let mut chunked_seen = false;
    let mut last_is_chunked = false;
    for header in headers.iter().filter(|h| name_is(h, "transfer-encoding")) {
        present = true;
        for element in list_elements(header.value) {
            let is_chunked = element.eq_ignore_ascii_case(b"chunked");
            if is_chunked && chunked_seen {
                return Err(FramingFault::InvalidTransferEncoding);
            }
            chunked_seen |= is_chunked;
            last_is_chunked = is_chunked;
        }
    }
    match (present, chunked_seen, last_is_chunked) {
        (false, _, _) => Ok(TransferCoding::Absent),
        (true, _, true) => Ok(TransferCoding::Chunked),
        (true, true, false) => Err(FramingFault::InvalidTransferEncoding),
        (true, false, false) => Ok(TransferCoding::NotChunked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<'a>(name: &'a str, value: &'a [u8]) -> Header<'a> {
        Header { name, value }
    }

    #[test]
    fn equal_repeated_content_lengths_are_one_length() {
        let hs = [h("Content-Length", b"5"), h("content-length", b"5, 5")];
        assert_eq!(content_length(&hs), Ok(Some(5)));
    }

    #[test]
    fn differing_content_lengths_conflict() {
        let hs = [h("Content-Length", b"5"), h("Content-Length", b"6")];
        assert_eq!(content_length(&hs), Err(FramingFault::ConflictingLength));
        let hs = [h("Content-Length", b"5, 6")];
        assert_eq!(content_length(&hs), Err(FramingFault::ConflictingLength));
    }

    #[test]
    fn signed_empty_or_overflowing_content_length_is_invalid() {
        for bad in [
            &b"-1"[..],
            b"+1",
            b"",
            b"1 2",
            b"0x10",
            b"18446744073709551616",
        ] {
            let hs = [h("Content-Length", bad)];
            assert_eq!(
                content_length(&hs),
                Err(FramingFault::InvalidLength),
                "{bad:?}"
            );
        }
        let hs = [h("Content-Length", b"18446744073709551615")];
        assert_eq!(content_length(&hs), Ok(Some(u64::MAX)));
    }

    #[test]
    fn chunked_must_be_last_and_only_once() {
        let t = |v: &'static [u8]| transfer_coding(&[h("Transfer-Encoding", v)]);
        assert_eq!(t(b"chunked"), Ok(TransferCoding::Chunked));
        assert_eq!(t(b"gzip, Chunked"), Ok(TransferCoding::Chunked));
        assert_eq!(t(b"gzip"), Ok(TransferCoding::NotChunked));
        assert_eq!(
            t(b"chunked, gzip"),
            Err(FramingFault::InvalidTransferEncoding)
        );
        assert_eq!(
            t(b"chunked, chunked"),
            Err(FramingFault::InvalidTransferEncoding)
        );
        assert_eq!(transfer_coding(&[]), Ok(TransferCoding::Absent));
    }

    #[test]
    fn keep_alive_follows_version_and_connection_tokens() {
        assert!(keep_alive(1, &[]));
        assert!(!keep_alive(1, &[h("Connection", b"Upgrade, Close")]));
        assert!(!keep_alive(0, &[]));
        assert!(keep_alive(0, &[h("connection", b"Keep-Alive")]));
    }

    #[test]
    fn values_with_line_breaks_or_nul_are_not_field_values() {
        assert!(is_field_value(b"Basic realm=\"default\"\t\x80"));
        assert!(!is_field_value(b"a\r\nX-Evil: 1"));
        assert!(!is_field_value(b"a\nb"));
        assert!(!is_field_value(b"a\0b"));
        assert!(!is_token(b"X Evil"));
        assert!(!is_token(b""));
    }
}
